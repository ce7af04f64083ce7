//! Helpers for tests that go through the real PC/SC stack (pcscd + vpcd).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Name (prefix) of the vpcd reader the bridge connects to by default.
pub const VPCD_READER: &str = "Virtual PCD 00 00";

/// Holds the machine-wide lock on pcscd + the vpcd readers; released on drop.
pub struct PcscdLock {
    path: PathBuf,
    _file: File,
}

impl Drop for PcscdLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn pid_alive(pid: &str) -> bool {
    pid.trim().parse::<u32>().is_ok_and(|p| PathBuf::from(format!("/proc/{p}")).exists())
}

/// Takes the lock that serializes every test using pcscd and the vpcd readers (across test
/// binaries and processes). A lock left by a dead process is taken over. Waits up to
/// `timeout`.
pub fn lock_pcscd(timeout: Duration) -> Result<PcscdLock, String> {
    let path = std::env::temp_dir().join("motcua-pcscd-tests.lock");
    let deadline = Instant::now() + timeout;
    loop {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let _ = write!(file, "{}", std::process::id());
                return Ok(PcscdLock { path, _file: file });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                if !holder.is_empty() && !pid_alive(&holder) {
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                if Instant::now() > deadline {
                    return Err(format!("{} is held by process {holder}", path.display()));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
}

/// Whether the tests that need pcscd are switched off (`MOTCUA_NO_PCSCD=1`).
pub fn pcscd_disabled() -> bool {
    std::env::var("MOTCUA_NO_PCSCD").is_ok_and(|v| v == "1")
}

/// Makes sure pcscd runs, with `scripts/pcscd.sh start` of this workspace (reuses a running
/// one).
pub fn ensure_pcscd() -> Result<(), String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pcscd.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("start")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} start failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
