//! The queue under a second process and a full disk, through the real CLI:
//! - while another process holds the queue, `queue status`/`check` still answer and
//!   `queue process` fails with `digitize_queue_busy`;
//! - `scan ingest` under `ulimit -f` (SIGXFSZ ignored, so writes past the limit fail with
//!   EFBIG, as on a full disk) fails with `digitize_disk_full`, keeps the committed pages and a
//!   consistent queue, and a rerun without the limit completes the same item without duplicates.

use digitize::queue::{Queue, State};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pages::testpage::{a4_page, load_font, TestKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn pages(dir: &Path, n: usize) -> Vec<u64> {
    let font = load_font().expect("fonts-dejavu-core");
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|p| {
            // Colour and continuous-tone pages kept in colour in the PDF; low-quality sources,
            // so that the PDF (all pages, re-encoded) is larger than any source file.
            let kind = if p % 2 == 0 { TestKind::TextWithStamp } else { TestKind::Grey };
            // Full A4 at 200 dpi: the PDF must also outgrow the queue's SQLite WAL.
            let img = a4_page(kind, 200.0, 500 + p as u64, &font);
            let mut out = Vec::new();
            let mut e = JpegEncoder::new_with_quality(&mut out, 20);
            e.set_pixel_density(PixelDensity::dpi(200));
            e.encode_image(&img).unwrap();
            std::fs::write(dir.join(format!("p{p}.jpg")), &out).unwrap();
            out.len() as u64
        })
        .collect()
}

fn ingest_args(data: &Path, comp: &str, src: &Path) -> Vec<String> {
    [
        "--data-dir",
        data.to_str().unwrap(),
        "scan",
        "ingest",
        "--hoso",
        "H-LIMIT-1",
        "--component",
        comp,
        "--json",
        src.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                v.extend(temp_files(&p));
            } else if digitize::fsio::is_temp_name(&e.file_name().to_string_lossy()) {
                v.push(p);
            }
        }
    }
    v
}

#[test]
fn busy_queue_and_full_disk_are_typed_errors_and_lose_nothing() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    let sizes = pages(&src, 4);
    let max_src = *sizes.iter().max().unwrap();

    // Reference run (own data dir): the size of the PDF.
    let ref_data = d.path().join("ref");
    let out = Command::new(BIN).args(ingest_args(&ref_data, "tp-0", &src)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let pdf_bytes = json(&out)["bytes"].as_u64().unwrap();
    eprintln!("PDF {pdf_bytes} B, largest source page {max_src} B");
    assert!(
        pdf_bytes > max_src + 64 * 1024,
        "PDF {pdf_bytes} B vs largest page {max_src} B: the limit must separate them"
    );

    // Another process holds the queue.
    let root = digitize::digitize_dir(&ref_data);
    {
        let (_held, _) = Queue::open(&root).unwrap();
        let out = Command::new(BIN)
            .args(["--data-dir", ref_data.to_str().unwrap(), "queue", "status", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "status while locked: {}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(json(&out)["counts"]["processed"], 1);
        let out = Command::new(BIN)
            .args(["--data-dir", ref_data.to_str().unwrap(), "queue", "process", "--json"])
            .env("MOTCUA_QUEUE_WAIT_MS", "200")
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert_eq!(json(&out)["error"]["code"], "digitize_queue_busy");
    }
    let out = Command::new(BIN)
        .args(["--data-dir", ref_data.to_str().unwrap(), "queue", "process", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "released: {}", String::from_utf8_lossy(&out.stdout));

    // Full disk while writing the PDF: `ulimit -f` in 1024-byte blocks (bash) or 512 (dash):
    // `ulimit -f` with no value prints the unit-less limit, so ask for the block size.
    let data = d.path().join("data");
    // Between the largest source (and the small database/WAL files) and the PDF.
    let limit_bytes = (max_src + 32 * 1024).max(pdf_bytes * 4 / 5);
    assert!(limit_bytes < pdf_bytes);
    let script = "trap '' XFSZ; ulimit -f \"$LIMIT_BLOCKS\" || exit 97; exec \"$@\"";
    // dash counts 512-byte blocks; bash 1024. Probe: set 1 block and create a 600-byte file.
    let probe = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 1; head -c 600 /dev/zero > \"$1\" 2>/dev/null; wc -c < \"$1\"", "sh"])
        .arg(d.path().join("probe"))
        .output()
        .unwrap();
    let block: u64 = if String::from_utf8_lossy(&probe.stdout).trim() == "600" { 1024 } else { 512 };
    let out = Command::new("sh")
        .args(["-c", script, "sh", BIN])
        .args(ingest_args(&data, "tp-1", &src))
        .env("LIMIT_BLOCKS", (limit_bytes / block).to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(97), "ulimit failed");
    assert!(!out.status.success(), "ingest under a {limit_bytes} B limit succeeded: {}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["error"]["code"], "digitize_disk_full", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("Ổ đĩa đã đầy"), "{v}");

    let root = digitize::digitize_dir(&data);
    let (q, rec) = Queue::open(&root).unwrap();
    let vr = q.verify().unwrap();
    assert_eq!(vr.integrity, "ok");
    assert!(vr.problems.is_empty(), "{:?}", vr.problems);
    let it = q.find("H-LIMIT-1", "tp-1").unwrap().expect("item kept");
    assert_eq!(it.state, State::Captured, "pages committed, PDF not: {rec:?}");
    assert_eq!(q.pages(&it.id).unwrap().len(), 4, "committed pages kept");
    assert!(temp_files(&root).is_empty(), "no temporary files after reopen");
    assert!(!q.item_dir(&it.id).join("copy.pdf").exists());
    drop(q);

    // Space again: the same item completes, nothing duplicated.
    let out = Command::new(BIN).args(ingest_args(&data, "tp-1", &src)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["item_id"], it.id.as_str());
    assert_eq!(v["pages"], 4);
    let (q, _) = Queue::open(&root).unwrap();
    let it = q.item(&it.id).unwrap();
    assert_eq!(it.state, State::Processed);
    assert_eq!(q.pages(&it.id).unwrap().len(), 4);
    assert_eq!(q.status().unwrap().items.len(), 1);
    assert!(q.verify().unwrap().problems.is_empty());
}
