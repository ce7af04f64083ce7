//! Draft scan sessions: page edits, durability across reopen, recovery of stray files,
//! rescan, and commit into the queue (one PDF per component, clerk's rotation, idempotent).

mod common;
use common::*;
use digitize::queue::Queue;
use digitize::session::{CommitComponent, CommitMeta, Insert, PageInfo, SessionState, Sessions};
use pages::testpage::TestKind;
use std::path::{Path, PathBuf};

/// A generated page (A4 drawn at 100 px/inch, 200 dpi declared) cut to `height` pixels so
/// that each page is recognisable by its size in the PDF.
fn page_file(dir: &Path, name: &str, kind: TestKind, seed: u64, height: u32) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let img = small_page(kind, seed);
    let h = height.min(img.height());
    let img = image::imageops::crop_imm(&img, 0, 0, img.width(), h).to_image();
    let p = dir.join(name);
    std::fs::write(&p, jpeg_200dpi(&img)).unwrap();
    p
}

fn ids(p: &[PageInfo]) -> Vec<String> {
    p.iter().map(|x| x.id.clone()).collect()
}

fn meta(ma: &str) -> CommitMeta {
    let n = new_item(ma, "x");
    CommitMeta {
        ma_ho_so: ma.into(),
        procedure: n.procedure,
        clerk: n.clerk,
        citizen_id: n.citizen_id,
        received_at: n.received_at,
        target_dpi: 200,
        threads: 2,
    }
}

fn checklist() -> Vec<CommitComponent> {
    (0..3)
        .map(|i| CommitComponent {
            position: i,
            component_id: format!("tp-{i}"),
            name: format!("Thành phần {i}"),
        })
        .collect()
}

/// Page sizes in points (width, height) per `pdfinfo -f 1 -l n`.
fn pdf_sizes(pdf: &Path) -> Vec<(f32, f32)> {
    let out = std::process::Command::new("pdfinfo")
        .args(["-f", "1", "-l", "999"])
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .map(|l| {
            let v: Vec<f32> = l
                .split_whitespace()
                .filter_map(|w| w.parse::<f32>().ok())
                .collect();
            // "Page 1 size: 297.6 x 420.84 pts"
            (v[1], v[2])
        })
        .collect()
}

fn thumb_dims(p: &PageInfo) -> (u32, u32) {
    let img = image::load_from_memory_with_format(&p.thumb_jpeg, image::ImageFormat::Jpeg).unwrap();
    (img.width(), img.height())
}

#[test]
fn edits_reorder_rotate_delete_assign_split_and_resume_after_reopen() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let files: Vec<PathBuf> = (0..6)
        .map(|i| {
            page_file(
                &src,
                &format!("p{i}.jpg"),
                TestKind::Text,
                100 + i,
                1169 - 20 * i as u32,
            )
        })
        .collect();
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("Cán bộ A", "1.001234", None).unwrap();
    assert_eq!(sess.state, SessionState::Open);
    let mut all = Vec::new();
    for f in &files {
        let added = s
            .add_file(&sess.id, f, "file", Some(0), Insert::End, None)
            .unwrap();
        assert_eq!(added.len(), 1);
        let p = &added[0];
        assert_eq!(
            (p.width, p.height, p.dpi.round() as u32),
            (827, f_height(f), 200)
        );
        assert_eq!(p.class, "bilevel");
        assert!(!p.blank && p.warning.is_none(), "{:?}", p.warning);
        assert_eq!(p.source, "file");
        assert_eq!(thumb_dims(p).0, 240);
        assert_eq!(
            std::fs::read(&p.file).unwrap(),
            std::fs::read(f).unwrap(),
            "original bytes kept"
        );
        all.push(p.id.clone());
    }
    assert_eq!(ids(&s.pages(&sess.id).unwrap()), all);
    // Same key resumes the same session; another hồ sơ gets a new one.
    assert_eq!(
        s.open_or_resume("Cán bộ A", "1.001234", None).unwrap().id,
        sess.id
    );
    assert_ne!(
        s.open_or_resume("Cán bộ A", "1.001234", Some("H9"))
            .unwrap()
            .id,
        sess.id
    );
    assert_eq!(s.get(&sess.id).unwrap().page_count, 6);

    // Move page 4 to the front; indexes are renumbered.
    s.move_to(&all[4], 0).unwrap();
    let order = vec![&all[4], &all[0], &all[1], &all[2], &all[3], &all[5]];
    let pages = s.pages(&sess.id).unwrap();
    assert_eq!(ids(&pages).iter().collect::<Vec<_>>(), order);
    assert_eq!(
        pages.iter().map(|p| p.index).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4, 5]
    );
    // Past the end: last place.
    s.move_to(&all[0], 99).unwrap();
    let order = vec![&all[4], &all[1], &all[2], &all[3], &all[5], &all[0]];
    assert_eq!(
        ids(&s.pages(&sess.id).unwrap()).iter().collect::<Vec<_>>(),
        order
    );

    // Rotation is cumulative mod 4; the thumbnail and the sizes follow it.
    let before = thumb_dims(&s.page(&all[1]).unwrap());
    let r = s.rotate(&all[1], 1).unwrap();
    assert_eq!(r.rotation, 1);
    assert_eq!(r.rotation_deg(), 90);
    assert_eq!((r.width, r.height), (f_height(&files[1]), 827));
    assert_eq!(thumb_dims(&r), (before.1, before.0));
    assert_eq!(s.rotate(&all[1], 2).unwrap().rotation, 3);
    assert_eq!(s.rotate(&all[1], 1).unwrap().rotation, 0);
    assert_eq!(s.rotate(&all[1], -1).unwrap().rotation, 3);

    // Delete: row and files gone, the rest renumbered.
    let gone = s.page(&all[3]).unwrap();
    s.delete(&all[3]).unwrap();
    assert!(!gone.file.exists());
    let e = s.page(&all[3]).unwrap_err();
    assert_eq!(e.code(), "digitize_page_not_found");
    let pages = s.pages(&sess.id).unwrap();
    assert_eq!(pages.len(), 5);
    assert_eq!(
        pages.iter().map(|p| p.index).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );

    // Order now: 4 1 2 5 0, all in component 0. Unassign 5, put 0 in component 2.
    s.assign(&[all[5].clone()], None).unwrap();
    s.assign(&[all[0].clone()], Some(2)).unwrap();
    // Split from page 1: 1, 2 (component 0) and 5 (unassigned) go to 1; 0 (component 2) stops it.
    assert_eq!(s.split_from(&all[1], 1).unwrap(), 3);
    let comps: Vec<Option<u32>> = s
        .pages(&sess.id)
        .unwrap()
        .iter()
        .map(|p| p.component)
        .collect();
    assert_eq!(comps, vec![Some(0), Some(1), Some(1), Some(1), Some(2)]);
    let snapshot: Vec<(String, u32, Option<u32>, u32)> = s
        .pages(&sess.id)
        .unwrap()
        .iter()
        .map(|p| (p.id.clone(), p.index, p.component, p.rotation))
        .collect();
    s.set_reuse(&sess.id, 2, Some("doc-1")).unwrap();
    drop(s);

    // Reopen: same session, same pages, order, components, rotation.
    let s = Sessions::open(&root).unwrap();
    assert_eq!(s.recovery().orphan_files_removed, 0);
    let again = s.open_or_resume("Cán bộ A", "1.001234", None).unwrap();
    assert_eq!(again.id, sess.id);
    assert_eq!(again.reuse.get(&2).map(String::as_str), Some("doc-1"));
    let snap2: Vec<(String, u32, Option<u32>, u32)> = s
        .pages(&sess.id)
        .unwrap()
        .iter()
        .map(|p| (p.id.clone(), p.index, p.component, p.rotation))
        .collect();
    assert_eq!(snap2, snapshot);
    assert_eq!(s.list_open("Cán bộ A").unwrap().len(), 2);
    assert!(s.list_open("Cán bộ B").unwrap().is_empty());

    // Bind once; another mã hồ sơ is refused.
    assert_eq!(
        s.bind(&sess.id, "H01").unwrap().ma_ho_so.as_deref(),
        Some("H01")
    );
    assert_eq!(
        s.bind(&sess.id, "H02").unwrap_err().code(),
        "digitize_invalid_argument"
    );

    // Discard: files removed, edits refused, not resumed any more.
    let dir = s.session_dir(&sess.id);
    assert!(dir.exists());
    s.discard(&sess.id).unwrap();
    assert!(!dir.exists());
    assert_eq!(s.get(&sess.id).unwrap().state, SessionState::Discarded);
    assert_eq!(
        s.rotate(&all[1], 1).unwrap_err().code(),
        "digitize_page_not_found"
    );
    assert_eq!(
        s.add_file(&sess.id, &files[0], "file", None, Insert::End, None)
            .unwrap_err()
            .code(),
        "digitize_session_closed"
    );
    assert_eq!(
        s.get("nope").unwrap_err().code(),
        "digitize_session_not_found"
    );
    assert_ne!(
        s.open_or_resume("Cán bộ A", "1.001234", Some("H01"))
            .unwrap()
            .id,
        sess.id
    );
}

fn f_height(f: &Path) -> u32 {
    image::open(f).unwrap().height()
}

#[test]
fn recovery_removes_temp_and_orphan_files() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let f = page_file(&src, "a.jpg", TestKind::Text, 7, 1169);
    let (sid, page) = {
        let s = Sessions::open(&root).unwrap();
        let sess = s.open_or_resume("c", "p", None).unwrap();
        let p = s
            .add_file(&sess.id, &f, "file", None, Insert::End, None)
            .unwrap()
            .remove(0);
        // A crash mid-add: a temp file and a page file whose row was never inserted; a
        // directory of a session that has no row.
        let dir = s.session_dir(&sess.id);
        std::fs::write(dir.join(".x.png.tmp-77"), b"partial").unwrap();
        std::fs::write(
            dir.join("0190aaaa-0000-7000-8000-000000000000.png"),
            b"no row",
        )
        .unwrap();
        std::fs::write(
            dir.join("0190aaaa-0000-7000-8000-000000000000.thumb.jpg"),
            b"no row",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("sessions/not-a-session")).unwrap();
        std::fs::write(root.join("sessions/not-a-session/p.png"), b"x").unwrap();
        (sess.id, p)
    };
    let s = Sessions::open(&root).unwrap();
    let rec = s.recovery().clone();
    assert_eq!(rec.temp_files_removed, 1);
    assert_eq!(rec.orphan_files_removed, 2);
    assert_eq!(rec.orphan_dirs_removed, 1);
    assert!(!root.join("sessions/not-a-session").exists());
    let pages = s.pages(&sid).unwrap();
    assert_eq!(ids(&pages), vec![page.id.clone()]);
    assert!(pages[0].file.exists());
    let names: Vec<String> = std::fs::read_dir(s.session_dir(&sid))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "page file and thumbnail only: {names:?}");
}

#[test]
fn rescan_replace_multipage_bad_files_camera_and_warnings() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("c", "p", Some("H5")).unwrap();
    let a = page_file(&src, "a.jpg", TestKind::Text, 1, 1169);
    let b = page_file(&src, "b.jpg", TestKind::Text, 2, 1100);
    let c = page_file(&src, "c.jpg", TestKind::Text, 3, 1000);
    let pa = s
        .add_file(&sess.id, &a, "file", Some(0), Insert::End, None)
        .unwrap()
        .remove(0);
    let pb = s
        .add_file(&sess.id, &b, "file", Some(1), Insert::End, None)
        .unwrap()
        .remove(0);
    let pc = s
        .add_file(&sess.id, &c, "file", Some(0), Insert::End, None)
        .unwrap()
        .remove(0);
    s.rotate(&pb.id, 1).unwrap();

    // Rescan page b with a 2-page TIFF: first page in b's place and component, second after.
    let tif = src.join("rescan.tif");
    std::fs::write(
        &tif,
        tiff_200dpi(&[
            small_page(TestKind::Text, 20),
            small_page(TestKind::Blank, 21),
        ]),
    )
    .unwrap();
    let old_file = s.page(&pb.id).unwrap().file;
    let new = s
        .add_file(
            &sess.id,
            &tif,
            "sane",
            Some(2),
            Insert::Replace(pb.id.clone()),
            None,
        )
        .unwrap();
    assert_eq!(new.len(), 2);
    assert!(!old_file.exists(), "replaced page's file removed");
    assert_eq!(
        s.page(&pb.id).unwrap_err().code(),
        "digitize_page_not_found"
    );
    let pages = s.pages(&sess.id).unwrap();
    assert_eq!(
        ids(&pages),
        vec![
            pa.id.clone(),
            new[0].id.clone(),
            new[1].id.clone(),
            pc.id.clone()
        ]
    );
    assert_eq!(
        pages[1].component,
        Some(1),
        "keeps the replaced page's component"
    );
    assert_eq!(pages[2].component, Some(1));
    assert_eq!(pages[1].rotation, 0);
    assert!(new
        .iter()
        .all(|p| p.file.extension().unwrap() == "png" && p.dpi.round() == 200.0));
    assert!(!new[0].blank);
    assert!(new[1].blank);
    assert_eq!(
        new[1].warning.as_deref(),
        Some("Trang có vẻ trắng — giữ lại nếu bản gốc có trang này")
    );
    assert_eq!(new[0].source, "sane");

    // Bad files: typed errors, nothing added, nothing lost.
    let half = src.join("half.jpg");
    let full = std::fs::read(&a).unwrap();
    std::fs::write(&half, &full[..full.len() / 2]).unwrap();
    let e = s
        .add_file(&sess.id, &half, "file", None, Insert::End, None)
        .unwrap_err();
    assert_eq!(e.code(), "page_corrupt_image", "{e}");
    assert!(!e.message_vi().is_empty());
    let txt = src.join("note.txt");
    std::fs::write(&txt, b"hello").unwrap();
    let e = s
        .add_file(&sess.id, &txt, "file", None, Insert::End, None)
        .unwrap_err();
    assert_eq!(e.code(), "digitize_unsupported_file");
    let e = s
        .add_file(
            &sess.id,
            &a,
            "file",
            None,
            Insert::Replace("nope".into()),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "digitize_page_not_found");
    assert_eq!(ids(&s.pages(&sess.id).unwrap()), ids(&pages));
    let files_now = std::fs::read_dir(s.session_dir(&sess.id)).unwrap().count();
    assert_eq!(files_now, 8, "4 pages × (file + thumbnail)");

    // Bytes without a resolution (not a camera): an A4 width is assumed → 100 dpi here,
    // below 200: warned, kept, stored with its assumed dpi.
    let img = small_page(TestKind::Text, 40);
    let mut raw = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut raw, 85)
        .encode_image(&img)
        .unwrap();
    let p = s
        .add_bytes(&sess.id, &raw, "jpg", "file", Some(0), Insert::End, None)
        .unwrap()
        .remove(0);
    assert_eq!(p.dpi.round(), 100.0);
    assert_eq!(
        p.warning.as_deref(),
        Some("Độ phân giải 100 dpi dưới 200 dpi, cần quét lại")
    );
    let reloaded = pages::load_pages(&std::fs::read(&p.file).unwrap(), None).unwrap();
    assert_eq!(
        reloaded[0].dpi.round(),
        100.0,
        "dpi recorded in the stored file"
    );
    // Camera still: photo of the page on a dark desk, rectified by pages::camera_page.
    let photo = pages::testpage::on_lid(&small_page(TestKind::Text, 41), 80, [40, 40, 45], 3.0);
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 85)
        .encode_image(&photo)
        .unwrap();
    let cam = s
        .add_bytes(&sess.id, &jpg, "jpg", "camera", Some(0), Insert::End, None)
        .unwrap()
        .remove(0);
    assert_eq!(cam.source, "camera");
    assert!(cam.dpi > 20.0 && cam.width > 0);
    assert_eq!(s.pages(&sess.id).unwrap().len(), 6);

    // A folder: its image files in name order, all or nothing.
    let folder = d.path().join("folder");
    page_file(&folder, "2.jpg", TestKind::Text, 50, 900);
    page_file(&folder, "1.jpg", TestKind::Text, 51, 800);
    std::fs::write(folder.join(".hidden.jpg"), b"x").unwrap();
    let got = s
        .add_paths(
            &sess.id,
            std::slice::from_ref(&folder),
            "folder",
            Some(2),
            Insert::End,
            None,
        )
        .unwrap();
    assert_eq!(
        got.iter().map(|p| p.height).collect::<Vec<_>>(),
        vec![800, 900]
    );
    std::fs::write(folder.join("3.jpg"), &full[..100]).unwrap();
    let e = s
        .add_paths(&sess.id, &[folder], "folder", Some(2), Insert::End, None)
        .unwrap_err();
    assert_eq!(e.code(), "page_corrupt_image");
    assert_eq!(s.pages(&sess.id).unwrap().len(), 8);
}

#[test]
fn commit_one_pdf_per_component_in_order_with_rotation_idempotent() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let (q, _) = Queue::open(&root).unwrap();
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("c", "1.001234", None).unwrap();
    // Component 0: heights 1169, 1000, 900 (page 1000 is rotated by the clerk);
    // component 1: heights 1100, 800. Interleaved scanning order.
    let spec: [(u32, u32); 5] = [(0, 1169), (1, 1100), (0, 1000), (1, 800), (0, 900)];
    let mut added = Vec::new();
    for (i, (comp, h)) in spec.iter().enumerate() {
        let f = page_file(
            &src,
            &format!("{i}.jpg"),
            TestKind::Text,
            200 + i as u64,
            *h,
        );
        added.push(
            s.add_file(&sess.id, &f, "file", Some(*comp), Insert::End, None)
                .unwrap()
                .remove(0),
        );
    }
    s.rotate(&added[2].id, 1).unwrap();
    // Put the last page first within component 0's order: 900, 1169, 1000.
    s.move_to(&added[4].id, 0).unwrap();
    // Unassigned page: refused.
    let extra = page_file(&src, "extra.jpg", TestKind::Text, 300, 700);
    let px = s
        .add_file(&sess.id, &extra, "file", None, Insert::End, None)
        .unwrap()
        .remove(0);
    let e = s
        .commit(&sess.id, &q, &meta("H01.01-261128-0009"), &checklist())
        .unwrap_err();
    assert_eq!(e.code(), "digitize_unassigned_pages");
    s.delete(&px.id).unwrap();

    let out = s
        .commit(&sess.id, &q, &meta("H01.01-261128-0009"), &checklist())
        .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(s.get(&sess.id).unwrap().state, SessionState::Committed);
    assert_eq!(
        s.get(&sess.id).unwrap().ma_ho_so.as_deref(),
        Some("H01.01-261128-0009")
    );
    let pt = |px: u32| px as f32 * 72.0 / 200.0;
    let c0 = out[0].result.as_ref().unwrap();
    assert_eq!((out[0].position, out[0].component_id.as_str()), (0, "tp-0"));
    assert_eq!(c0.pages, 3);
    let sizes = pdf_sizes(c0.pdf.as_ref().unwrap());
    assert_eq!(sizes.len(), 3);
    let close = |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).abs() < 3.0 && (a.1 - b.1).abs() < 3.0;
    assert!(close(sizes[0], (pt(827), pt(900))), "{sizes:?}");
    assert!(close(sizes[1], (pt(827), pt(1169))), "{sizes:?}");
    assert!(
        close(sizes[2], (pt(1000), pt(827))),
        "rotated by the clerk: landscape {sizes:?}"
    );
    let c1 = out[1].result.as_ref().unwrap();
    let sizes = pdf_sizes(c1.pdf.as_ref().unwrap());
    assert_eq!(c1.pages, 2);
    assert!(
        close(sizes[0], (pt(827), pt(1100))) && close(sizes[1], (pt(827), pt(800))),
        "{sizes:?}"
    );
    let item = q.item(&c0.item_id).unwrap();
    assert_eq!(
        (item.ma_ho_so.as_str(), item.component_id.as_str()),
        ("H01.01-261128-0009", "tp-0")
    );

    // Committed: binding again to the same hồ sơ is a no-op, to another is refused.
    assert_eq!(
        s.bind(&sess.id, "H01.01-261128-0009").unwrap().state,
        SessionState::Committed
    );
    assert_eq!(
        s.bind(&sess.id, "H02").unwrap_err().code(),
        "digitize_session_closed"
    );
    // Committed: edits refused; a second commit gives the same items, no duplicates.
    assert_eq!(
        s.rotate(&added[0].id, 1).unwrap_err().code(),
        "digitize_session_closed"
    );
    let n_items = q.status().unwrap().items.len();
    let again = s
        .commit(&sess.id, &q, &meta("H01.01-261128-0009"), &checklist())
        .unwrap();
    assert_eq!(again.len(), 2);
    for (a, b) in out.iter().zip(&again) {
        let (a, b) = (a.result.as_ref().unwrap(), b.result.as_ref().unwrap());
        assert_eq!((&a.item_id, &a.sha256), (&b.item_id, &b.sha256));
    }
    assert_eq!(q.status().unwrap().items.len(), n_items);
    assert!(q.verify().unwrap().problems.is_empty());

    // Reuse in a new session: component 2 takes component 0's document.
    let s2 = s
        .open_or_resume("c", "1.001234", Some("H01.01-261128-0010"))
        .unwrap();
    s.set_reuse(&s2.id, 2, Some(&c0.item_id)).unwrap();
    let r = s
        .commit(&s2.id, &q, &meta("H01.01-261128-0010"), &checklist())
        .unwrap();
    assert_eq!(r.len(), 1);
    let r0 = r[0].result.as_ref().unwrap();
    assert_eq!(r0.reused_from.as_deref(), Some(c0.item_id.as_str()));
    assert_eq!((r0.pages, &r0.sha256), (3, &c0.sha256));

    // Purge frees a committed session's files; an open session cannot be purged.
    let s3 = s.open_or_resume("c", "1.001234", None).unwrap();
    assert_eq!(
        s.purge(&s3.id).unwrap_err().code(),
        "digitize_invalid_argument"
    );
    s.purge(&sess.id).unwrap();
    assert!(!s.session_dir(&sess.id).exists());
    assert!(s.pages(&sess.id).unwrap().is_empty());
    assert!(
        c0.pdf.as_ref().unwrap().exists(),
        "the queue keeps its copy"
    );
}

#[test]
fn commit_with_a_damaged_page_fails_that_component_only_and_resumes() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let (q, _) = Queue::open(&root).unwrap();
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("c", "p", None).unwrap();
    let a = page_file(&src, "a.jpg", TestKind::Text, 1, 1169);
    let b = page_file(&src, "b.jpg", TestKind::TextWithStamp, 2, 1169);
    let pa = s
        .add_file(&sess.id, &a, "file", Some(0), Insert::End, None)
        .unwrap()
        .remove(0);
    let pb = s
        .add_file(&sess.id, &b, "file", Some(1), Insert::End, None)
        .unwrap()
        .remove(0);
    assert_eq!(pb.class, "colour");
    // Page a's stored file is damaged on disk after it was scanned.
    let good = std::fs::read(&pa.file).unwrap();
    std::fs::write(&pa.file, &good[..good.len() / 3]).unwrap();
    let out = s.commit(&sess.id, &q, &meta("H7"), &checklist()).unwrap();
    assert_eq!(out.len(), 2);
    let e = out[0].result.as_ref().unwrap_err();
    assert_eq!(e.code(), "page_corrupt_image", "{e}");
    let b1 = out[1].result.as_ref().unwrap().clone();
    assert_eq!(b1.pages, 1);
    assert!(b1.pdf.as_ref().unwrap().exists());
    assert_eq!(
        s.get(&sess.id).unwrap().state,
        SessionState::Open,
        "not all components done"
    );
    let it = q.find("H7", "tp-0").unwrap();
    assert!(
        it.is_none_or(|it| q.pages(&it.id).unwrap().is_empty()),
        "no page of a committed"
    );
    // The clerk rescans the page; the second commit completes and reuses component 1's item.
    let a2 = page_file(&src, "a2.jpg", TestKind::Text, 5, 1169);
    s.add_file(
        &sess.id,
        &a2,
        "file",
        None,
        Insert::Replace(pa.id.clone()),
        None,
    )
    .unwrap();
    let out = s.commit(&sess.id, &q, &meta("H7"), &checklist()).unwrap();
    assert!(out.iter().all(|c| c.result.is_ok()));
    let b2 = out[1].result.as_ref().unwrap();
    assert_eq!((&b2.item_id, &b2.sha256), (&b1.item_id, &b1.sha256));
    assert_eq!(s.get(&sess.id).unwrap().state, SessionState::Committed);
    assert_eq!(q.status().unwrap().items.len(), 2);
    // The committed PDF can be brought back as pages (PDF import, one page each).
    let s3 = s.open_or_resume("c", "p", Some("H8")).unwrap();
    let imported = s
        .add_file(
            &s3.id,
            b2.pdf.as_ref().unwrap(),
            "file",
            Some(0),
            Insert::End,
            Some(200.0),
        )
        .unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].dpi.round(), 200.0);
}

#[test]
fn clerk_rotation_survives_a_crash_before_the_pdf() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let item_id = {
        let (q, _) = Queue::open(&root).unwrap();
        let s = Sessions::open(&root).unwrap();
        let sess = s.open_or_resume("c", "p", None).unwrap();
        let f = page_file(&src, "a.jpg", TestKind::Text, 9, 1000);
        let p = s
            .add_file(&sess.id, &f, "file", Some(0), Insert::End, None)
            .unwrap()
            .remove(0);
        s.rotate(&p.id, -1).unwrap();
        let out = s.commit(&sess.id, &q, &meta("H9"), &checklist()).unwrap();
        out[0].result.as_ref().unwrap().item_id.clone()
    };
    // The PDF is lost (crash before it reached the disk): recovery rewinds the item to
    // `captured` and the pending processing makes it again, with the clerk's rotation.
    let (q, _) = Queue::open(&root).unwrap();
    let pdf = q.item(&item_id).unwrap().pdf.unwrap();
    std::fs::remove_file(&pdf).unwrap();
    drop(q);
    let (q, rec) = Queue::open(&root).unwrap();
    assert_eq!(rec.items_rewound, vec![item_id.clone()]);
    digitize::ingest::process_pending(&q, 1).unwrap();
    let sizes = pdf_sizes(&q.item(&item_id).unwrap().pdf.unwrap());
    let pt = |px: u32| px as f32 * 72.0 / 200.0;
    assert_eq!(sizes.len(), 1);
    assert!(
        (sizes[0].0 - pt(1000)).abs() < 3.0 && (sizes[0].1 - pt(827)).abs() < 3.0,
        "{sizes:?}"
    );
}

#[test]
fn component_failing_in_processing_is_captured_again_after_a_rescan() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    let (q, _) = Queue::open(&root).unwrap();
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("c", "p", None).unwrap();
    // A 150 dpi scan: stored (with a warning), but the legal 200 dpi copy cannot be made.
    let img = small_page(TestKind::Text, 3);
    let mut low = Vec::new();
    let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut low, 85);
    e.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(150));
    e.encode_image(&img).unwrap();
    let lp = src.join("low.jpg");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(&lp, &low).unwrap();
    let p = s.add_file(&sess.id, &lp, "file", Some(0), Insert::End, None).unwrap().remove(0);
    assert!(p.warning.is_some());
    let out = s.commit(&sess.id, &q, &meta("H9"), &checklist()).unwrap();
    let err = out[0].result.as_ref().unwrap_err();
    assert_eq!(err.code(), "page_dpi_too_low", "{err}");
    // Rescanned at 200 dpi: the same component commits, with the new page only.
    let good = page_file(&src, "good.jpg", TestKind::Text, 4, 1169);
    s.add_file(&sess.id, &good, "file", None, Insert::Replace(p.id.clone()), None).unwrap();
    let out = s.commit(&sess.id, &q, &meta("H9"), &checklist()).unwrap();
    let item = out[0].result.as_ref().unwrap();
    assert_eq!(item.pages, 1);
    assert!(item.pdf.as_ref().unwrap().exists());
    assert_eq!(s.get(&sess.id).unwrap().state, SessionState::Committed);
    assert_eq!(q.status().unwrap().items.len(), 1);
    assert_eq!(q.integrity_check().unwrap(), "ok");
}

#[test]
fn an_image_without_dpi_is_taken_as_a4_width() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let s = Sessions::open(&root).unwrap();
    let sess = s.open_or_resume("c", "p", None).unwrap();
    // A PNG export records no resolution: 1654 px wide is A4 at 200 dpi.
    let img = image::RgbImage::from_pixel(1654, 600, image::Rgb([250, 250, 250]));
    let p = d.path().join("export.png");
    img.save(&p).unwrap();
    let page = s.add_file(&sess.id, &p, "file", None, Insert::End, None).unwrap().remove(0);
    assert!((page.dpi - 200.0).abs() < 1.0, "{}", page.dpi);
    // Narrower: below 200 dpi, stored with the warning for the clerk.
    let small = d.path().join("small.png");
    image::RgbImage::from_pixel(800, 300, image::Rgb([250, 250, 250])).save(&small).unwrap();
    let page = s.add_file(&sess.id, &small, "file", None, Insert::End, None).unwrap().remove(0);
    assert!(page.dpi < 100.0);
    assert!(page.warning.unwrap().contains("dưới 200 dpi"));
}

#[test]
fn drafts_belong_to_the_citizen_served_and_old_databases_migrate() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let src = d.path().join("in");
    {
        let s = Sessions::open(&root).unwrap();
        let a = s.open_or_resume_for("c", "p", None, Some("001099000001")).unwrap();
        let f = page_file(&src, "a.jpg", TestKind::Text, 1, 600);
        s.add_file(&a.id, &f, "file", Some(0), Insert::End, None).unwrap();
        // Another citizen, same clerk and procedure: a new, empty draft.
        let b = s.open_or_resume_for("c", "p", None, Some("001099000002")).unwrap();
        assert_ne!(a.id, b.id);
        assert!(s.pages(&b.id).unwrap().is_empty());
        // The first citizen again: the draft with the page comes back.
        let a2 = s.open_or_resume_for("c", "p", None, Some("001099000001")).unwrap();
        assert_eq!(a2.id, a.id);
        assert_eq!(s.pages(&a.id).unwrap().len(), 1);
        // Saved (bound) but not committed: found later by its mã hồ sơ alone (list screen).
        s.bind(&a.id, "H1").unwrap();
        assert_eq!(s.open_or_resume_for("c", "p", Some("H1"), None).unwrap().id, a.id);
    }
    // A version-1 database (no citizen column) is migrated in place, its drafts kept.
    let old = d.path().join("old");
    let v1_id = {
        let s = Sessions::open(&old).unwrap();
        s.open_or_resume("c", "p", None).unwrap().id
    };
    {
        let c = rusqlite::Connection::open(old.join("sessions.sqlite3")).unwrap();
        c.execute_batch("ALTER TABLE scan_sessions DROP COLUMN citizen_id; PRAGMA user_version = 1;")
            .unwrap();
    }
    let s = Sessions::open(&old).unwrap();
    assert_eq!(s.open_or_resume("c", "p", None).unwrap().id, v1_id);
    assert_ne!(s.open_or_resume_for("c", "p", None, Some("x")).unwrap().id, v1_id);
}
