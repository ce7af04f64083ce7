//! SANE scanners through `scanimage` (Debian sane-utils): flatbed or ADF batch to TIFF files,
//! with progress per page and clear errors for no scanner, paper jam, cover open, empty feeder.
//!
//! `scanimage` exits with the SANE status of the failure (3 busy, 6 jammed, 7 no documents,
//! 8 cover open, 9 I/O error, 11 access denied) and says so on stderr (`sane_read: Document
//! feeder jammed`); an ADF batch ends normally with "Document feeder out of documents". Pages
//! scanned before a failure are kept: the caller ingests them and asks the clerk to continue.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Scanner errors.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ScanError {
    /// `scanimage` is not installed.
    #[error("scanimage not installed")]
    NotInstalled,
    /// No scanner, or the named device cannot be opened (unplugged, off).
    #[error("no scanner: {0}")]
    NoScanner(String),
    /// Paper jam.
    #[error("paper jammed after {pages} page(s)")]
    Jammed {
        /// Pages scanned before.
        pages: usize,
    },
    /// Cover (or ADF lid) open.
    #[error("cover open")]
    CoverOpen,
    /// The feeder is empty (nothing scanned).
    #[error("no document in the feeder")]
    NoDocuments,
    /// Scanner busy (another program).
    #[error("scanner busy")]
    Busy,
    /// Permission denied on the device.
    #[error("access denied")]
    AccessDenied,
    /// Another failure (stderr's last line).
    #[error("scan failed: {0}")]
    Failed(String),
}

impl ScanError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotInstalled => "scanner_tool_missing",
            Self::NoScanner(_) => "scanner_not_found",
            Self::Jammed { .. } => "scanner_jammed",
            Self::CoverOpen => "scanner_cover_open",
            Self::NoDocuments => "scanner_no_documents",
            Self::Busy => "scanner_busy",
            Self::AccessDenied => "scanner_access_denied",
            Self::Failed(_) => "scanner_failed",
        }
    }
    /// Vietnamese message.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NotInstalled => "Máy tính chưa cài công cụ quét (sane-utils). Hãy báo bộ phận kỹ thuật.".into(),
            Self::NoScanner(_) => "Không tìm thấy máy quét. Hãy kiểm tra máy quét đã bật, cáp USB/mạng đã cắm, rồi thử lại.".into(),
            Self::Jammed { pages } => format!("Giấy bị kẹt trong máy quét (đã quét xong {pages} trang). Hãy gỡ tờ bị kẹt, đặt lại các trang chưa quét và quét tiếp."),
            Self::CoverOpen => "Nắp máy quét đang mở. Hãy đóng nắp rồi quét lại.".into(),
            Self::NoDocuments => "Khay nạp giấy trống. Hãy đặt giấy tờ vào khay rồi quét.".into(),
            Self::Busy => "Máy quét đang bận (chương trình khác đang dùng). Hãy đợi một lát rồi thử lại.".into(),
            Self::AccessDenied => "Không có quyền dùng máy quét. Hãy báo bộ phận kỹ thuật cấp quyền.".into(),
            Self::Failed(_) => "Quét không thành công. Hãy thử lại; nếu lỗi lặp lại, tắt và bật lại máy quét.".into(),
        }
    }
}

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// SANE device (`test` in tests, e.g. `fujitsu:...` for real ones); empty = default.
    pub device: String,
    /// `Flatbed`, `Automatic Document Feeder`, `ADF Duplex` … (device specific).
    pub source: Option<String>,
    /// `Color`, `Gray`, `Lineart`.
    pub mode: String,
    /// Resolution (dpi).
    pub resolution: u32,
    /// Pages to scan at most (None: until the feeder is empty; flatbed: 1).
    pub max_pages: Option<u32>,
    /// Extra arguments (scan area `-x`/`-y`, device options).
    pub extra: Vec<String>,
}

/// Progress of a scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// Page n started.
    PageStarted(u32),
    /// Percent of the current page.
    Percent(f32),
    /// Page n done.
    PageDone(u32),
}

/// Parses scanimage's stderr as it arrives; returns events and keeps unfinished text.
pub fn parse_progress(buf: &mut String) -> Vec<Progress> {
    let mut ev = Vec::new();
    loop {
        let cut = ["Progress: ", "Scanning page ", "Scanned page "]
            .iter()
            .filter_map(|k| buf.find(k).map(|i| (i, *k)))
            .min();
        let Some((i, k)) = cut else {
            if buf.len() > 4096 {
                buf.clear();
            }
            break;
        };
        let rest = &buf[i + k.len()..];
        let num: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let end = i + k.len() + num.len();
        // Need a terminator to know the number is complete.
        if buf.len() <= end {
            break;
        }
        match k {
            "Progress: " => {
                if let Ok(p) = num.parse() {
                    ev.push(Progress::Percent(p))
                }
            }
            "Scanning page " => {
                if let Ok(p) = num.parse() {
                    ev.push(Progress::PageStarted(p))
                }
            }
            _ => {
                if let Ok(p) = num.trim_end_matches('.').parse() {
                    ev.push(Progress::PageDone(p))
                }
            }
        }
        buf.drain(..end);
    }
    ev
}

/// Maps scanimage's exit status and stderr to an error (None: success).
pub fn map_exit(code: Option<i32>, stderr: &str, pages: usize) -> Option<ScanError> {
    let low = stderr.to_ascii_lowercase();
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_string();
    if low.contains("jammed") || code == Some(6) {
        return Some(ScanError::Jammed { pages });
    }
    if low.contains("cover") && low.contains("open") || code == Some(8) {
        return Some(ScanError::CoverOpen);
    }
    if low.contains("out of documents") || code == Some(7) {
        return (pages == 0).then_some(ScanError::NoDocuments);
    }
    if low.contains("busy") || code == Some(3) {
        return Some(ScanError::Busy);
    }
    if low.contains("access") && low.contains("denied") || code == Some(11) {
        return Some(ScanError::AccessDenied);
    }
    if low.contains("open of device") || low.contains("no scanners were identified") || low.contains("no sane devices") {
        return Some(ScanError::NoScanner(last));
    }
    match code {
        Some(0) => None,
        _ => Some(ScanError::Failed(last)),
    }
}

/// Silence from scanimage after which the scan is stopped as not answering.
const STALL: std::time::Duration = std::time::Duration::from_secs(120);
/// Time scanimage gets to exit once it has reported a failure.
const AFTER_FAILURE: std::time::Duration = std::time::Duration::from_secs(3);

/// Scans into `out_dir` as `page-NNN.tif` (TIFF records the resolution); returns the files
/// of complete pages in order, or the error with the pages scanned before it left on disk.
pub fn scan(
    opts: &ScanOptions,
    out_dir: &Path,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<Vec<PathBuf>, (ScanError, Vec<PathBuf>)> {
    let _ = std::fs::create_dir_all(out_dir);
    let mut cmd = Command::new("scanimage");
    if !opts.device.is_empty() {
        cmd.arg("-d").arg(&opts.device);
    }
    cmd.arg("--format=tiff")
        .arg("--mode")
        .arg(&opts.mode)
        .arg("--resolution")
        .arg(opts.resolution.to_string())
        .arg("--progress")
        .arg(format!("--batch={}", out_dir.join("page-%03d.tif").display()));
    if let Some(s) = &opts.source {
        cmd.arg("--source").arg(s);
    }
    let max = opts
        .max_pages
        .or_else(|| (!opts.source.as_deref().unwrap_or("").contains("Feeder")).then_some(1));
    if let Some(n) = max {
        cmd.arg(format!("--batch-count={n}"));
    }
    cmd.args(&opts.extra).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err((ScanError::NotInstalled, Vec::new()))
        }
        Err(e) => return Err((ScanError::Failed(e.to_string()), Vec::new())),
    };
    let mut all = String::new();
    let mut buf = String::new();
    let mut done = Vec::new();
    // stderr is read on a thread so that a scanimage that stops answering cannot freeze the
    // scan: after it reported a failure it gets AFTER_FAILURE to exit (the SANE test backend
    // sometimes hangs while cancelling after a jam), otherwise STALL of silence.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    if let Some(mut err) = child.stderr.take() {
        std::thread::spawn(move || {
            let mut chunk = [0u8; 512];
            while let Ok(n) = err.read(&mut chunk) {
                if n == 0 || tx.send(String::from_utf8_lossy(&chunk[..n]).into_owned()).is_err() {
                    break;
                }
            }
        });
    }
    loop {
        let failed = all.contains("sane_read:") || all.contains("sane_start:");
        match rx.recv_timeout(if failed { AFTER_FAILURE } else { STALL }) {
            Ok(s) => {
                all.push_str(&s);
                buf.push_str(&s);
                for e in parse_progress(&mut buf) {
                    if let Progress::PageDone(p) = e {
                        done.push(p);
                    }
                    on_progress(e);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                if !failed {
                    all.push_str(&format!(
                        "\nscanimage: no answer for {} s, stopped\n",
                        STALL.as_secs()
                    ));
                }
                break;
            }
        }
    }
    let status = child.wait().ok().and_then(|s| s.code());
    // A page counts when scanimage reported it done with status EOF (5) / GOOD, and its file exists.
    let failed_pages: Vec<u32> = all
        .lines()
        .filter_map(|l| {
            let rest = l.split("Scanned page ").nth(1)?;
            let (n, st) = rest.split_once(". (scanner status = ")?;
            let st: u32 = st.trim_end_matches(')').parse().ok()?;
            (st != 5 && st != 0).then(|| n.parse().ok()).flatten()
        })
        .collect();
    let files: Vec<PathBuf> = done
        .iter()
        .filter(|p| !failed_pages.contains(p))
        .map(|p| out_dir.join(format!("page-{p:03}.tif")))
        .filter(|f| f.exists())
        .collect();
    for p in &failed_pages {
        let _ = std::fs::remove_file(out_dir.join(format!("page-{p:03}.tif")));
    }
    match map_exit(status, &all, files.len()) {
        None => Ok(files),
        Some(e) => Err((e, files)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_parsed_across_chunks() {
        let mut b = String::from("Scanning page 1\nProgress: 5.9%Progress: 11");
        let ev = parse_progress(&mut b);
        assert_eq!(ev, [Progress::PageStarted(1), Progress::Percent(5.9)]);
        b.push_str(".8%Scanned page 1. (scanner status = 5)\n");
        let ev = parse_progress(&mut b);
        assert_eq!(ev, [Progress::Percent(11.8), Progress::PageDone(1)]);
    }

    #[test]
    fn exit_codes_map_to_clear_errors() {
        assert_eq!(map_exit(Some(6), "scanimage: sane_read: Document feeder jammed", 2), Some(ScanError::Jammed { pages: 2 }));
        assert_eq!(map_exit(Some(8), "", 0), Some(ScanError::CoverOpen));
        assert_eq!(map_exit(Some(0), "sane_start: Document feeder out of documents", 3), None);
        assert_eq!(map_exit(Some(7), "sane_start: Document feeder out of documents", 0), Some(ScanError::NoDocuments));
        assert!(matches!(map_exit(Some(1), "scanimage: open of device x failed: Invalid argument", 0), Some(ScanError::NoScanner(_))));
        assert_eq!(map_exit(Some(0), "", 1), None);
    }
}

/// A scanner `scanimage -L` lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    /// SANE device name (`-d`), e.g. `fujitsu:fi-7160:123`, `test:0`.
    pub name: String,
    /// Vendor, model and type as the backend reports them.
    pub label: String,
}

/// Parses `scanimage -L` output: lines ``device `NAME' is a VENDOR MODEL TYPE``.
pub fn parse_device_list(out: &str) -> Vec<Device> {
    out.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("device `")?;
            let (name, tail) = rest.split_once('\'')?;
            let label = tail.trim().strip_prefix("is a ").unwrap_or(tail.trim()).trim();
            (!name.is_empty()).then(|| Device {
                name: name.to_owned(),
                label: if label.is_empty() { name.to_owned() } else { label.to_owned() },
            })
        })
        .collect()
}

/// Scanners attached now (`scanimage -L`, at most 20 s: network backends probe slowly).
/// No `scanimage`: [`ScanError::NotInstalled`]; none found: an empty list.
pub fn list_devices() -> Result<Vec<Device>, ScanError> {
    let mut child = match Command::new("scanimage")
        .arg("-L")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ScanError::NotInstalled),
        Err(e) => return Err(ScanError::Failed(e.to_string())),
    };
    let mut stdout = child.stdout.take().ok_or_else(|| ScanError::Failed("no stdout".into()))?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    let out = reader.join().unwrap_or_default();
    Ok(parse_device_list(&out))
}

/// The values of the `--source` option in `scanimage -d DEV -A` output
/// (`--source Flatbed|Automatic Document Feeder [Flatbed]`).
pub fn parse_sources(help: &str) -> Vec<String> {
    help.lines()
        .find_map(|l| l.trim().strip_prefix("--source "))
        .map(|rest| {
            let list = rest.split(" [").next().unwrap_or(rest);
            list.split('|').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        })
        .unwrap_or_default()
}

/// Chooses the device's source for a feeder scan (duplex when asked and offered); `None`
/// when the device has no feeder (flatbed only) or cannot be asked.
pub fn choose_source(sources: &[String], adf: bool, duplex: bool) -> Option<String> {
    if !adf {
        return sources.iter().find(|s| s.to_lowercase().contains("flatbed")).cloned();
    }
    let low = |s: &String| s.to_lowercase();
    let feeder = |s: &String| {
        let l = low(s);
        l.contains("adf") || l.contains("feeder") || l.contains("duplex")
    };
    if duplex {
        if let Some(s) = sources.iter().find(|s| feeder(s) && low(s).contains("duplex")) {
            return Some(s.clone());
        }
    }
    sources
        .iter()
        .find(|s| feeder(s) && !low(s).contains("duplex") && !low(s).contains("back"))
        .or_else(|| sources.iter().find(|s| feeder(s)))
        .cloned()
}

/// Asks the device for its sources (`scanimage -d DEV -A`) and chooses one.
pub fn pick_source(device: &str, adf: bool, duplex: bool) -> Option<String> {
    let out = Command::new("scanimage")
        .arg("-d")
        .arg(device)
        .arg("-A")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    choose_source(&parse_sources(&String::from_utf8_lossy(&out.stdout)), adf, duplex)
}

#[cfg(test)]
mod device_tests {
    use super::*;

    #[test]
    fn parses_scanimage_list() {
        let out = "device `test:0' is a Noname frontend-tester virtual device\n\
                   device `fujitsu:fi-7160:1234' is a FUJITSU fi-7160 scanner\n\
                   \nNo scanners were identified. If you were expecting something different,\n";
        let d = parse_device_list(out);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name, "test:0");
        assert_eq!(d[0].label, "Noname frontend-tester virtual device");
        assert_eq!(d[1].name, "fujitsu:fi-7160:1234");
        assert!(parse_device_list("device `' is a x\ngarbage").is_empty());
    }

    #[test]
    fn chooses_feeder_and_duplex_sources() {
        let test = parse_sources(
            "  Scan Mode:\n    --source Flatbed|Automatic Document Feeder [Flatbed]\n        If ...\n",
        );
        assert_eq!(test, ["Flatbed", "Automatic Document Feeder"]);
        assert_eq!(choose_source(&test, true, true).as_deref(), Some("Automatic Document Feeder"));
        assert_eq!(choose_source(&test, false, false).as_deref(), Some("Flatbed"));
        let fujitsu = parse_sources("    --source ADF Front|ADF Back|ADF Duplex [ADF Front]\n");
        assert_eq!(choose_source(&fujitsu, true, true).as_deref(), Some("ADF Duplex"));
        assert_eq!(choose_source(&fujitsu, true, false).as_deref(), Some("ADF Front"));
        assert_eq!(choose_source(&[], true, false), None);
    }
}
