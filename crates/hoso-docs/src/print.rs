//! Printing through CUPS command-line clients (`lp`, `lpstat`), so no libcups binding is
//! needed and the same code works against any CUPS server the machine is configured for.

use std::path::Path;
use std::process::Command;

/// A CUPS print queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Printer {
    pub name: String,
    pub is_default: bool,
    /// `lpstat -p` status line ("idle", "disabled", …).
    pub status: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    #[error("CUPS client programs not found ({0})")]
    NoCups(String),
    #[error("the CUPS scheduler is not running or not reachable: {0}")]
    SchedulerDown(String),
    #[error("print queue {0:?} does not exist")]
    QueueMissing(String),
    #[error("no default printer and no queue given")]
    NoDefault,
    #[error("file {0} cannot be read")]
    File(String),
    #[error("print job refused: {0}")]
    Refused(String),
    #[error("copies must be 1..=99, got {0}")]
    BadCopies(u32),
}

impl PrintError {
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::NoCups(_) => "print_no_cups",
            PrintError::SchedulerDown(_) => "print_scheduler_down",
            PrintError::QueueMissing(_) => "print_queue_missing",
            PrintError::NoDefault => "print_no_default",
            PrintError::File(_) => "print_file",
            PrintError::Refused(_) => "print_refused",
            PrintError::BadCopies(_) => "print_bad_copies",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            PrintError::NoCups(_) => "Máy chưa cài dịch vụ in CUPS. Hãy báo quản trị viên cài đặt (gói cups) hoặc lưu PDF để in sau.".into(),
            PrintError::SchedulerDown(_) => "Dịch vụ in (CUPS) chưa chạy. Hãy khởi động lại dịch vụ in hoặc báo quản trị viên; có thể lưu PDF để in sau.".into(),
            PrintError::QueueMissing(q) => format!("Không tìm thấy máy in “{q}”. Hãy chọn máy in khác ở mục “Máy in giấy tiếp nhận” rồi bấm In lại."),
            PrintError::NoDefault => "Máy tính chưa có máy in mặc định. Hãy chọn máy in ở mục “Máy in giấy tiếp nhận” rồi bấm In lại.".into(),
            PrintError::File(f) => format!("Không đọc được tệp cần in ({f})."),
            PrintError::Refused(e) => format!("Máy in từ chối lệnh in ({e}). Hãy kiểm tra máy in (giấy, kết nối, trạng thái tạm dừng) rồi in lại."),
            PrintError::BadCopies(n) => format!("Số bản in không hợp lệ ({n}); chọn từ 1 đến 99."),
        }
    }
}

fn run(cmd: &mut Command) -> Result<(bool, String, String), PrintError> {
    let prog = format!("{:?}", cmd.get_program());
    let out = cmd.output().map_err(|e| PrintError::NoCups(format!("{prog}: {e}")))?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn scheduler_down(stderr: &str) -> bool {
    let e = stderr.to_ascii_lowercase();
    e.contains("scheduler is not running") || e.contains("unable to connect") || e.contains("connection refused")
        || e.contains("no such file or directory") && e.contains("cups")
}

/// Parses `LC_ALL=C lpstat -p -d` output (pure).
pub fn parse_lpstat(out: &str) -> Vec<Printer> {
    let default = out
        .lines()
        .find_map(|l| l.strip_prefix("system default destination: "))
        .map(|s| s.trim().to_string());
    out.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("printer ")?;
            let (name, status) = rest.split_once(' ').unwrap_or((rest, ""));
            let status = status.trim_start_matches("is ").trim_end_matches('.');
            let status = status.split(". ").next().unwrap_or(status).trim().to_string();
            Some(Printer { name: name.to_string(), is_default: default.as_deref() == Some(name), status })
        })
        .collect()
}

/// Lists the print queues (`lpstat -p -d`).
pub fn list_printers() -> Result<Vec<Printer>, PrintError> {
    let (ok, out, err) = run(Command::new("lpstat").args(["-p", "-d"]).env("LC_ALL", "C"))?;
    if scheduler_down(&err) {
        return Err(PrintError::SchedulerDown(err.trim().to_string()));
    }
    if !ok && !err.to_ascii_lowercase().contains("no destinations") {
        return Err(PrintError::SchedulerDown(err.trim().to_string()));
    }
    Ok(parse_lpstat(&out))
}

/// Sends a PDF to a queue (or the default queue) with `lp` on the queue's default media;
/// returns the CUPS job id (e.g. "MotCuaPDF-12").
pub fn print_pdf(path: &Path, queue: Option<&str>, copies: u32) -> Result<String, PrintError> {
    print_pdf_on(path, queue, copies, None)
}

/// As [`print_pdf`], asking for the paper the document was laid out on (`-o media=A4|A5`), so
/// an A5 receipt is not scaled onto the queue's default A4.
pub fn print_pdf_on(path: &Path, queue: Option<&str>, copies: u32, paper: Option<crate::Paper>) -> Result<String, PrintError> {
    if !(1..=99).contains(&copies) {
        return Err(PrintError::BadCopies(copies));
    }
    if std::fs::metadata(path).map(|m| !m.is_file()).unwrap_or(true) {
        return Err(PrintError::File(path.display().to_string()));
    }
    let printers = list_printers()?;
    match queue {
        Some(q) if !printers.iter().any(|p| p.name == q) => return Err(PrintError::QueueMissing(q.to_string())),
        None if !printers.iter().any(|p| p.is_default) => return Err(PrintError::NoDefault),
        _ => {}
    }
    let mut cmd = Command::new("lp");
    cmd.env("LC_ALL", "C");
    if let Some(q) = queue {
        cmd.args(["-d", q]);
    }
    cmd.args(["-n", &copies.to_string(), "-o", "document-format=application/pdf", "-t", "motcua"]);
    match paper {
        Some(crate::Paper::A4) => cmd.args(["-o", "media=A4"]),
        Some(crate::Paper::A5) => cmd.args(["-o", "media=A5"]),
        None => &mut cmd,
    };
    cmd.arg("--").arg(path);
    let (ok, out, err) = run(&mut cmd)?;
    if !ok {
        if scheduler_down(&err) {
            return Err(PrintError::SchedulerDown(err.trim().to_string()));
        }
        if err.contains("does not exist") || err.contains("The printer or class does not exist") {
            return Err(PrintError::QueueMissing(queue.unwrap_or_default().to_string()));
        }
        return Err(PrintError::Refused(err.trim().to_string()));
    }
    // "request id is MotCuaPDF-3 (1 file(s))"
    out.split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .map(str::to_string)
        .ok_or_else(|| PrintError::Refused(format!("unexpected lp output: {}", out.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lpstat() {
        let out = "printer MotCuaPDF is idle.  enabled since Sat Nov 28 10:00:00 2026\nprinter Other disabled since Sat Nov 28 10:00:00 2026 -\n\treason unknown\nsystem default destination: MotCuaPDF\n";
        let p = parse_lpstat(out);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "MotCuaPDF");
        assert!(p[0].is_default);
        assert_eq!(p[0].status, "idle");
        assert!(!p[1].is_default);
        assert!(parse_lpstat("no system default destination\n").is_empty());
    }

    #[test]
    fn bad_copies_and_missing_file() {
        assert_eq!(print_pdf(Path::new("/nonexistent.pdf"), None, 0), Err(PrintError::BadCopies(0)));
        let e = print_pdf(Path::new("/nonexistent/x.pdf"), None, 1).unwrap_err();
        assert_eq!(e.code(), "print_file");
    }
}
