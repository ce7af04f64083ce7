//! Handheld QR scanners in serial mode (USB CDC-ACM or a USB-serial bridge: `/dev/ttyACM0`,
//! `/dev/ttyUSB0`, `/dev/serial/by-id/...`). Serial mode sends the payload's UTF-8 bytes as they
//! are, so Vietnamese text survives (keyboard-wedge mode depends on the keyboard layout and the
//! input method). A scan is one line ending in CR, LF or CRLF.
//!
//! [`LineSplitter`] is the pure part (bytes in, lines out, any chunking); [`SerialScanner`] owns
//! the port and a reader thread.

use std::io::Read;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use nix::sys::termios::{self, BaudRate, SetArg, SpecialCharacterIndices as Cc};

/// Longest accepted line; longer input (a stuck scanner, a wrong device) is dropped.
pub const MAX_LINE: usize = 8192;

/// Splits a byte stream into lines at CR, LF or CRLF, across arbitrary read boundaries.
#[derive(Debug, Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
    /// The last byte was CR: a following LF belongs to the same terminator.
    after_cr: bool,
    /// The current line overflowed [`MAX_LINE`] and is being skipped.
    overflow: bool,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the complete, non-empty lines (UTF-8; invalid sequences become
    /// U+FFFD, which the payload parser reports as lost characters).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
            match b {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    if !self.overflow && !self.buf.is_empty() {
                        let line = String::from_utf8_lossy(&self.buf).into_owned();
                        let line = line.trim_matches(|c: char| c == '\0' || c == '\u{FEFF}');
                        if !line.trim().is_empty() {
                            out.push(line.to_owned());
                        }
                    }
                    self.buf.clear();
                    self.overflow = false;
                }
                _ if self.overflow => {}
                _ => {
                    if self.buf.len() >= MAX_LINE {
                        self.overflow = true;
                        self.buf.clear();
                    } else {
                        self.buf.push(b);
                    }
                }
            }
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SerialError {
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("{path} is not a serial port: {reason}")]
    NotSerial { path: String, reason: String },
    #[error("unsupported baud rate {0}")]
    Baud(u32),
    #[error("serial port {path} stopped: {reason}")]
    Gone { path: String, reason: String },
}

impl SerialError {
    pub fn code(&self) -> &'static str {
        match self {
            SerialError::Open { .. } => "serial_open",
            SerialError::NotSerial { .. } => "serial_not_tty",
            SerialError::Baud(_) => "serial_baud",
            SerialError::Gone { .. } => "serial_gone",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            SerialError::Open { path, .. } => format!(
                "Không mở được cổng {path}. Kiểm tra máy quét đã cắm và đang ở chế độ USB-serial (COM ảo), và tài khoản máy có quyền dùng cổng (nhóm dialout)."
            ),
            SerialError::NotSerial { path, .. } => {
                format!("{path} không phải cổng serial. Chọn lại cổng của máy quét.")
            }
            SerialError::Baud(b) => format!(
                "Tốc độ {b} baud không được hỗ trợ. Dùng tốc độ ghi trong hướng dẫn máy quét (thường là 9600 hoặc 115200)."
            ),
            SerialError::Gone { path, .. } => {
                format!("Máy quét ở cổng {path} đã ngắt kết nối. Cắm lại rồi chọn lại cổng.")
            }
        }
    }
}

fn baud(b: u32) -> Result<BaudRate, SerialError> {
    Ok(match b {
        1200 => BaudRate::B1200,
        2400 => BaudRate::B2400,
        4800 => BaudRate::B4800,
        9600 => BaudRate::B9600,
        19200 => BaudRate::B19200,
        38400 => BaudRate::B38400,
        57600 => BaudRate::B57600,
        115_200 => BaudRate::B115200,
        230_400 => BaudRate::B230400,
        460_800 => BaudRate::B460800,
        921_600 => BaudRate::B921600,
        other => return Err(SerialError::Baud(other)),
    })
}

/// Serial ports a scanner may be on: `/dev/serial/by-id/*` (stable names) first, then
/// `/dev/ttyACM*` and `/dev/ttyUSB*`.
pub fn list_ports() -> Vec<String> {
    let mut out = Vec::new();
    let mut by_id: Vec<String> = std::fs::read_dir("/dev/serial/by-id")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().display().to_string()).collect())
        .unwrap_or_default();
    by_id.sort();
    out.extend(by_id);
    let mut dev: Vec<String> = std::fs::read_dir("/dev")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    n.starts_with("ttyACM") || n.starts_with("ttyUSB")
                })
                .map(|e| e.path().display().to_string())
                .collect()
        })
        .unwrap_or_default();
    dev.sort();
    out.extend(dev);
    out
}

/// Opens `path` raw (8N1, no echo, no line editing, no flow control) at `baud`; reads return
/// after at most 0.2 s so the reader thread can stop.
fn open_raw(path: &Path, rate: u32) -> Result<std::fs::File, SerialError> {
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display().to_string();
    let rate = baud(rate)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::fcntl::OFlag::O_NOCTTY.bits())
        .open(path)
        .map_err(|e| SerialError::Open { path: shown.clone(), reason: e.to_string() })?;
    let not_serial = |e: nix::Error| SerialError::NotSerial { path: shown.clone(), reason: e.to_string() };
    let mut t = termios::tcgetattr(file.as_fd()).map_err(not_serial)?;
    termios::cfmakeraw(&mut t);
    termios::cfsetspeed(&mut t, rate).map_err(not_serial)?;
    t.control_flags |= termios::ControlFlags::CLOCAL | termios::ControlFlags::CREAD;
    t.control_flags &= !termios::ControlFlags::CRTSCTS;
    t.control_chars[Cc::VMIN as usize] = 0;
    t.control_chars[Cc::VTIME as usize] = 2;
    termios::tcsetattr(file.as_fd(), SetArg::TCSANOW, &t).map_err(not_serial)?;
    Ok(file)
}

/// A scanner on a serial port, read by its own thread until [`SerialScanner::stop`] or drop.
pub struct SerialScanner {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SerialScanner {
    /// Opens the port and starts reading. `on_line` gets every scan; `on_end` is called once if
    /// the port fails (unplugged), not on [`stop`](Self::stop).
    pub fn start(
        path: &Path,
        baud: u32,
        mut on_line: impl FnMut(String) + Send + 'static,
        on_end: impl FnOnce(SerialError) + Send + 'static,
    ) -> Result<Self, SerialError> {
        let mut file = open_raw(path, baud)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("serial-scanner".into())
            .spawn(move || {
                let mut split = LineSplitter::new();
                let mut buf = [0u8; 1024];
                while !flag.load(Ordering::SeqCst) {
                    match file.read(&mut buf) {
                        Ok(n) => {
                            for line in split.push(buf.get(..n).unwrap_or_default()) {
                                on_line(line);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            if !flag.load(Ordering::SeqCst) {
                                on_end(SerialError::Gone { path: shown, reason: e.to_string() });
                            }
                            return;
                        }
                    }
                }
            })
            .map_err(|e| SerialError::Open { path: path.display().to_string(), reason: e.to_string() })?;
        Ok(SerialScanner { path: path.to_owned(), stop, thread: Some(thread) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops the reader thread (within 0.2 s) and closes the port.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SerialScanner {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_at_any_terminator_and_any_chunking() {
        let input = "001090123456||Nguyễn Văn Thử|15031990|Nam|Hà Nội|01062021\r\nA\rB\n\r\nC\r";
        let bytes = input.as_bytes();
        for chunk in [1, 2, 3, 7, 64] {
            let mut s = LineSplitter::new();
            let mut lines = Vec::new();
            for c in bytes.chunks(chunk) {
                lines.extend(s.push(c));
            }
            assert_eq!(
                lines,
                ["001090123456||Nguyễn Văn Thử|15031990|Nam|Hà Nội|01062021", "A", "B", "C"],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn invalid_utf8_and_overlong_lines() {
        let mut s = LineSplitter::new();
        assert_eq!(s.push(b"ab\xffcd\n"), ["ab\u{FFFD}cd"]);
        let long = vec![b'x'; MAX_LINE + 10];
        assert!(s.push(&long).is_empty());
        assert_eq!(s.push(b"\nok\n"), ["ok"]);
        assert!(matches!(baud(12345), Err(SerialError::Baud(12345))));
    }
}
