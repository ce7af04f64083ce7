//! Atomic, durable file writes: temporary file in the same directory, fsync, rename, fsync of
//! the directory. A crash leaves either the old content or the new one, plus at most a
//! temporary file that [`remove_temp_files`] deletes on the next start.

use crate::DigitizeError;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Marker in the names of temporary files.
pub const TEMP_MARK: &str = ".tmp-";

/// fsyncs a directory so that a rename or a new entry in it survives a power loss.
pub fn sync_dir(dir: &Path) -> Result<(), DigitizeError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| DigitizeError::io(dir, e))
}

/// Creates `dir` (and parents) and fsyncs it and its parent.
pub fn create_dir_durable(dir: &Path) -> Result<(), DigitizeError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| DigitizeError::io(dir, e))?;
    sync_dir(dir)?;
    if let Some(p) = dir.parent() {
        sync_dir(p)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically and durably.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DigitizeError> {
    let dir = path
        .parent()
        .ok_or_else(|| DigitizeError::Invalid(format!("path {}", path.display())))?;
    let name = path
        .file_name()
        .ok_or_else(|| DigitizeError::Invalid(format!("path {}", path.display())))?
        .to_string_lossy();
    let tmp: PathBuf = dir.join(format!(".{name}{TEMP_MARK}{}", std::process::id()));
    let res = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(DigitizeError::io(path, e));
    }
    sync_dir(dir)
}

/// True for names written by [`write_atomic`] and not yet renamed.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARK)
}

/// Deletes leftover temporary files below `root` (recursively); returns how many.
pub fn remove_temp_files(root: &Path) -> Result<usize, DigitizeError> {
    let mut n = 0;
    let Ok(rd) = fs::read_dir(root) else {
        return Ok(0);
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            n += remove_temp_files(&p)?;
        } else if is_temp_name(&e.file_name().to_string_lossy()) {
            fs::remove_file(&p).map_err(|e| DigitizeError::io(&p, e))?;
            n += 1;
        }
    }
    if n > 0 {
        sync_dir(root)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_temp_files_are_removed() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.pdf");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        fs::write(d.path().join(".a.pdf.tmp-42"), b"partial").unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        fs::write(d.path().join("sub/.x.tmp-1"), b"p").unwrap();
        fs::write(d.path().join("sub/keep.png"), b"p").unwrap();
        assert_eq!(remove_temp_files(d.path()).unwrap(), 2);
        assert!(d.path().join("sub/keep.png").exists());
        assert!(!d.path().join(".a.pdf.tmp-42").exists());
    }
}
