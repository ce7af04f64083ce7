//! Scan-to-folder: network scanners drop files into a shared directory; a file is taken only
//! once it has stopped growing (same size and modification time for a settle period), so a
//! half-written scan is never ingested.

use crate::ingest::is_source_name;
use crate::DigitizeError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

fn snapshot(dir: &Path) -> Result<BTreeMap<PathBuf, (u64, Option<SystemTime>)>, DigitizeError> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).map_err(|e| DigitizeError::io(dir, e))?.flatten() {
        let p = e.path();
        if !is_source_name(&p) {
            continue;
        }
        if let Ok(md) = e.metadata() {
            if md.is_file() {
                m.insert(p, (md.len(), md.modified().ok()));
            }
        }
    }
    Ok(m)
}

/// Polls `dir` every `poll` until it holds at least one source file and nothing changed for
/// `settle`; returns the files in name order. `None` when `timeout` passes first.
pub fn wait_stable(
    dir: &Path,
    settle: Duration,
    poll: Duration,
    timeout: Duration,
) -> Result<Option<Vec<PathBuf>>, DigitizeError> {
    let start = Instant::now();
    let mut last = snapshot(dir)?;
    let mut since = Instant::now();
    loop {
        if !last.is_empty() && last.values().all(|(n, _)| *n > 0) && since.elapsed() >= settle {
            return Ok(Some(last.into_keys().collect()));
        }
        if start.elapsed() >= timeout {
            return Ok(None);
        }
        std::thread::sleep(poll);
        let now = snapshot(dir)?;
        if now != last {
            last = now;
            since = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn growing_file_is_waited_for() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("scan-001.jpg");
        let mut f = std::fs::File::create(&p).unwrap();
        f.write_all(b"part").unwrap();
        std::fs::write(d.path().join(".hidden.jpg"), b"x").unwrap();
        std::fs::write(d.path().join("notes.txt"), b"x").unwrap();
        let pp = p.clone();
        let writer = std::thread::spawn(move || {
            for _ in 0..5 {
                std::thread::sleep(Duration::from_millis(40));
                f.write_all(b"more").unwrap();
            }
        });
        let t = Instant::now();
        let got = wait_stable(d.path(), Duration::from_millis(150), Duration::from_millis(10), Duration::from_secs(10))
            .unwrap()
            .unwrap();
        writer.join().unwrap();
        assert_eq!(got, vec![pp.clone()]);
        assert!(t.elapsed() >= Duration::from_millis(300), "waited for the writer");
        assert_eq!(std::fs::metadata(&pp).unwrap().len(), 24);
        let e = tempfile::tempdir().unwrap();
        assert!(wait_stable(e.path(), Duration::ZERO, Duration::from_millis(5), Duration::from_millis(30)).unwrap().is_none());
    }
}
