//! Ingest (JPEG, multi-page TIFF, PDF, directories), resume after an interrupted capture,
//! recovery of stray files, reuse, and the SANE `test` backend.

mod common;
use common::*;
use digitize::ingest::{ingest, IngestRequest};
use digitize::queue::{Queue, State};
use pages::testpage::TestKind;

fn req(item: digitize::queue::NewItem, inputs: Vec<std::path::PathBuf>) -> IngestRequest {
    IngestRequest {
        item,
        inputs,
        fallback_dpi: None,
        threads: 2,
    }
}

#[test]
fn ingest_mixed_sources_in_order_and_idempotent() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    let jpgs = write_pages(&src, 2, 10);
    let tif = src.join("z-multi.tiff");
    std::fs::write(
        &tif,
        tiff_200dpi(&[small_page(TestKind::Text, 30), small_page(TestKind::Blank, 31)]),
    )
    .unwrap();
    let (q, _) = Queue::open(&d.path().join("data/digitize")).unwrap();
    let r = ingest(&q, &req(new_item("H01.01-261128-0001", "giay-to-1"), vec![src.clone()])).unwrap();
    assert_eq!(r.pages, 4, "2 JPEG + 2-page TIFF");
    assert_eq!(r.state, State::Processed);
    assert_eq!(r.blank_pages, vec![4], "blank page reported, kept");
    let pdf = r.pdf.clone().unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert_eq!(Some(digitize::sha256_hex(&bytes)), r.sha256);
    assert_eq!(pdfinfo_pages(&pdf), 4);
    assert_eq!(q.pages(&r.item_id).unwrap().len(), 4);
    // Same inputs again: nothing new, same PDF.
    let r2 = ingest(&q, &req(new_item("H01.01-261128-0001", "giay-to-1"), vec![src.clone()])).unwrap();
    assert_eq!(r2.item_id, r.item_id);
    assert_eq!(r2.sha256, r.sha256);
    assert_eq!(r2.pages_resumed, 4);
    // Different files for the same component: refused, nothing changed.
    let e = ingest(&q, &req(new_item("H01.01-261128-0001", "giay-to-1"), vec![jpgs[1].clone()])).unwrap_err();
    assert_eq!(e.code(), "digitize_component_conflict");
    // A missing file: typed error before anything is created.
    let e = ingest(&q, &req(new_item("H7", "x"), vec![src.join("nope.jpg")])).unwrap_err();
    assert_eq!(e.code(), "digitize_io");
    assert!(q.find("H7", "x").unwrap().is_none());
    // The same file twice is two pages, and a rerun resumes without conflict.
    let twice = vec![jpgs[0].clone(), jpgs[0].clone(), tif.clone()];
    let a = ingest(&q, &req(new_item("H8", "twice"), twice.clone())).unwrap();
    assert_eq!(a.pages, 4);
    let b = ingest(&q, &req(new_item("H8", "twice"), twice)).unwrap();
    assert_eq!((b.pages, b.pages_resumed, b.sha256), (4, 4, a.sha256));
    assert!(q.verify().unwrap().problems.is_empty());
    assert_eq!(q.integrity_check().unwrap(), "ok");
    let _ = jpgs;
}

#[test]
fn pdf_input_is_rasterized_per_page() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write_pages(&src, 2, 40);
    let (q, _) = Queue::open(&d.path().join("dg")).unwrap();
    let a = ingest(&q, &req(new_item("H1", "a"), vec![src])).unwrap();
    // The PDF made from two pages goes in again as a PDF source.
    let b = ingest(&q, &req(new_item("H1", "b"), vec![a.pdf.clone().unwrap()])).unwrap();
    assert_eq!(b.pages, 2);
    assert_eq!(pdfinfo_pages(b.pdf.as_ref().unwrap()), 2);
    let st = q.status().unwrap();
    assert_eq!(st.counts["processed"], 2);
}

#[test]
fn bad_input_is_a_typed_error_and_earlier_pages_stay() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    let mut files = write_pages(&src, 2, 50);
    let bad = src.join("x-broken.jpg");
    let good = std::fs::read(&files[0]).unwrap();
    std::fs::write(&bad, &good[..good.len() / 2]).unwrap();
    files.insert(1, bad.clone());
    let (q, _) = Queue::open(&d.path().join("dg")).unwrap();
    let e = ingest(&q, &req(new_item("H2", "c"), files.clone())).unwrap_err();
    assert_eq!(e.code(), "page_corrupt_image", "{e}");
    assert!(!e.message_vi().is_empty());
    let it = q.find("H2", "c").unwrap().unwrap();
    assert_eq!(it.state, State::Capturing);
    assert_eq!(q.pages(&it.id).unwrap().len(), 1, "page before the bad file is committed");
    // The clerk rescans the broken page; the ingest resumes.
    std::fs::write(&bad, jpeg_200dpi(&small_page(TestKind::Text, 99))).unwrap();
    let r = ingest(&q, &req(new_item("H2", "c"), files)).unwrap();
    assert_eq!((r.pages, r.pages_resumed), (3, 1));
}

#[test]
fn recovery_removes_uncommitted_files_and_resume_completes() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    let files = write_pages(&src, 3, 60);
    let root = d.path().join("dg");
    let id = {
        let (q, _) = Queue::open(&root).unwrap();
        let it = q.get_or_create(&new_item("H3", "d")).unwrap();
        let b = std::fs::read(&files[0]).unwrap();
        q.add_source(&it.id, 1, &b, "jpg", 1).unwrap();
        // A crash while writing page 2: a temp file, and a file written but not committed.
        let dir = q.item_dir(&it.id).join("src");
        std::fs::write(dir.join(".0002-abc.jpg.tmp-999"), b"partial").unwrap();
        std::fs::write(dir.join("0002-0123456789abcdef.jpg"), b"not committed").unwrap();
        std::fs::create_dir_all(root.join("items/not-a-row")).unwrap();
        it.id
    };
    let (q, rec) = Queue::open(&root).unwrap();
    assert_eq!(rec.temp_files_removed, 1);
    assert_eq!(rec.uncommitted_files_removed, 1);
    assert_eq!(rec.orphan_dirs_moved, 1);
    assert_eq!(rec.capturing, vec![id.clone()]);
    let r = ingest(&q, &req(new_item("H3", "d"), files)).unwrap();
    assert_eq!(r.item_id, id);
    assert_eq!((r.pages, r.pages_resumed), (3, 1));
    let v = q.verify().unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.integrity, "ok");
}

#[test]
fn reuse_lists_earlier_copies_and_records_origin() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write_pages(&src, 1, 70);
    let (q, _) = Queue::open(&d.path().join("dg")).unwrap();
    let a = ingest(&q, &req(new_item("H4", "giay-khai-sinh"), vec![src])).unwrap();
    let earlier = q.for_citizen("001099000001").unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].id, a.item_id);
    assert!(q.for_citizen("001099000002").unwrap().is_empty());
    let mut n = new_item("H5", "giay-khai-sinh");
    n.citizen_id = Some("001099000001".into());
    let r = q.reuse(&a.item_id, &n).unwrap();
    assert_eq!(r.state, State::Processed);
    assert_eq!(r.reused_from.as_deref(), Some(a.item_id.as_str()));
    assert_eq!(r.sha256, a.sha256);
    assert_ne!(r.pdf, a.pdf);
    // Idempotent.
    assert_eq!(q.reuse(&a.item_id, &n).unwrap().id, r.id);
    assert!(q.verify().unwrap().problems.is_empty());
}

#[test]
fn sane_test_backend_adf_batch_then_ingest() {
    use digitize::sane::{scan, Progress, ScanError, ScanOptions};
    let d = tempfile::tempdir().unwrap();
    let mut opts = ScanOptions {
        device: "test".into(),
        source: Some("Automatic Document Feeder".into()),
        mode: "Color".into(),
        resolution: 200,
        max_pages: Some(2),
        extra: vec!["-x".into(), "60".into(), "-y".into(), "80".into()],
    };
    let mut events = Vec::new();
    let files = scan(&opts, &d.path().join("scan"), &mut |p| events.push(p)).expect("scanimage -d test (sane-utils)");
    assert_eq!(files.len(), 2);
    assert!(events.contains(&Progress::PageDone(2)));
    assert!(events.iter().any(|e| matches!(e, Progress::Percent(p) if *p > 99.0)));
    let (q, _) = Queue::open(&d.path().join("dg")).unwrap();
    let r = ingest(&q, &req(new_item("H6", "scan"), files)).unwrap();
    assert_eq!(r.pages, 2);
    // A jam is a clear error.
    opts.extra.extend(["--enable-test-options".into(), "--read-return-value".into(), "SANE_STATUS_JAMMED".into()]);
    let (e, kept) = scan(&opts, &d.path().join("scan2"), &mut |_| {}).unwrap_err();
    assert_eq!(e, ScanError::Jammed { pages: 0 });
    assert!(kept.is_empty());
    assert_eq!(e.code(), "scanner_jammed");
    opts.device = "no-such-backend".into();
    let (e, _) = scan(&opts, &d.path().join("scan3"), &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "scanner_not_found");
}
