//! The scan panel's command bodies through `App`: a draft survives a restart, pages are
//! ordered / rotated / assigned, the checklist turns green, saving the hồ sơ commits one PDF
//! per component and records it on the hồ sơ, an earlier copy is reused for the same citizen,
//! and bad input loses nothing. Generated pages and invented people only.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use app_core::digitize::*;
use app_core::dto::SetupArgs;
use app_core::hoso::*;
use app_core::store::{AuditRepository, HoSoRepository, SqliteStore};
use app_core::{App, Config, ManualClock};
use chrono::{TimeZone, Utc};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pages::testpage::{a4_page, load_font, TestKind};

const MARRIAGE_STATUS: &str = "1.004873";

struct World {
    app: Arc<App>,
    store: Arc<SqliteStore>,
    dir: tempfile::TempDir,
}

fn make_app(store: Arc<SqliteStore>, dir: &Path) -> Arc<App> {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap()));
    let app = Arc::new(App::new(store.clone(), clock, Config::default()));
    app.attach_hoso(store.clone(), None, dir).unwrap();
    app.attach_digitize(store, dir).unwrap();
    app
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("app.sqlite3"), Arc::new(app_core::store::PlainText)).unwrap());
    let app = make_app(store.clone(), dir.path());
    app.create_first_admin(SetupArgs {
        username: "quantri".into(),
        display_name: "Lê Quản Trị".into(),
        password: "mat-khau-dai-1".into(),
    })
    .unwrap();
    World { app, store, dir }
}

fn chip_read(w: &World) -> String {
    let card = app_core::demo::demo_cards().swap_remove(0).1;
    w.app.record_read("R", &card.outcome).unwrap().id
}

/// A4 drawn at 100 px/inch and declared 200 dpi (an A6-sized sheet: fast).
fn write_page(dir: &Path, name: &str, kind: TestKind, seed: u64) -> PathBuf {
    let font = load_font().expect("DejaVu font (fonts-dejavu-core)");
    let img = a4_page(kind, 100.0, seed, &font);
    let mut out = Vec::new();
    let mut e = JpegEncoder::new_with_quality(&mut out, 85);
    e.set_pixel_density(PixelDensity::dpi(200));
    e.encode_image(&img).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, out).unwrap();
    p
}

fn pdf_pages(pdf: &str) -> u32 {
    let out = std::process::Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count: {text}"))
}

fn create_ho_so(w: &World, id: &str) -> String {
    let form = w
        .app
        .hoso_form(HoSoFormArgs { procedure_code: MARRIAGE_STATUS.into(), phone: None, email: None })
        .unwrap();
    let values = common::fill_required(&w.app, &form);
    w.app
        .hoso_create(CreateHoSoArgs {
            procedure_code: MARRIAGE_STATUS.into(),
            identification_id: id.into(),
            values,
            components: form.components.clone(),
            phone: None,
            email: None,
            representative: None,
            sets: 1,
        })
        .unwrap()
        .ma_ho_so
}

fn edit(w: &World, s: &str, op: ScanOp) -> ScanSessionView {
    w.app.scan_edit(ScanEditArgs { session_id: s.into(), op }).unwrap()
}

#[test]
fn scan_edit_commit_and_reuse() {
    let w = world();
    chip_read(&w);
    let src = w.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let open = ScanOpenArgs { procedure_code: MARRIAGE_STATUS.into(), ma_ho_so: None };
    let v = w.app.scan_open(open.clone()).unwrap();
    assert!(v.pages.is_empty());
    assert!(v.components.len() >= 2, "{:?}", v.components);
    assert!(v.components.iter().all(|c| c.state == "empty" && !c.done));
    let sid = v.session_id.clone();

    let files: Vec<String> = (0..3)
        .map(|i| {
            let kind = if i == 1 { TestKind::TextWithStamp } else { TestKind::Text };
            write_page(&src, &format!("p{i}.jpg"), kind, 10 + i).display().to_string()
        })
        .collect();
    let v = w
        .app
        .scan_import(ScanImportArgs { session_id: sid.clone(), paths: files.clone(), component: Some(0) })
        .unwrap();
    assert_eq!(v.pages.len(), 3);
    assert!(v.pages.iter().all(|p| p.thumb.starts_with("data:image/jpeg;base64,") && p.component == Some(0)));
    assert!(v.components[0].done && v.components[0].state == "pending");
    let ids: Vec<String> = v.pages.iter().map(|p| p.page_id.clone()).collect();

    // Last page to the front, then to component 1; rotate the first page.
    let v = edit(&w, &sid, ScanOp::Move { page_id: ids[2].clone(), to_index: 0 });
    assert_eq!(v.pages[0].page_id, ids[2]);
    let v = edit(&w, &sid, ScanOp::Assign { page_ids: vec![ids[2].clone()], component: Some(1) });
    assert_eq!(v.components[0].pages, 2);
    assert_eq!(v.components[1].pages, 1);
    assert!(v.components[1].done);
    let v = edit(&w, &sid, ScanOp::Rotate { page_id: ids[0].clone(), quarter_turns: 1 });
    let p0 = v.pages.iter().find(|p| p.page_id == ids[0]).unwrap();
    assert_eq!(p0.rotation, 90);
    let e = w
        .app
        .scan_edit(ScanEditArgs {
            session_id: sid.clone(),
            op: ScanOp::Assign { page_ids: vec![ids[0].clone()], component: Some(99) },
        })
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");

    // A corrupt file: typed error, the pages already there stay.
    let bad = src.join("hong.jpg");
    std::fs::write(&bad, b"\xff\xd8\xff\xe0 not really a jpeg").unwrap();
    let e = w
        .app
        .scan_import(ScanImportArgs { session_id: sid.clone(), paths: vec![bad.display().to_string()], component: None })
        .unwrap_err();
    assert_ne!(e.code(), "internal", "{e:?}");
    let v = w.app.scan_open(open.clone()).unwrap();
    assert_eq!(v.session_id, sid, "the open draft is resumed");
    assert_eq!(v.pages.len(), 3);

    // Another citizen at the counter: a fresh draft, none of the first citizen's pages.
    let other = app_core::demo::demo_cards().swap_remove(1).1;
    w.app.record_read("R", &other.outcome).unwrap();
    let v_other = w.app.scan_open(open.clone()).unwrap();
    assert_ne!(v_other.session_id, sid);
    assert!(v_other.pages.is_empty());
    // The first citizen again: the draft comes back.
    let id = chip_read(&w);
    assert_eq!(w.app.scan_open(open.clone()).unwrap().session_id, sid);

    // A restart (new App over the same files) resumes the draft.
    drop(v);
    let app2 = make_app(w.store.clone(), w.dir.path());
    app2.sign_in(app_core::dto::SignInArgs { username: "quantri".into(), password: "mat-khau-dai-1".into() })
        .unwrap();
    let card = app_core::demo::demo_cards().swap_remove(0).1;
    app2.record_read("R", &card.outcome).unwrap();
    let v2 = app2.scan_open(open.clone()).unwrap();
    assert_eq!(v2.session_id, sid);
    assert_eq!(v2.pages.len(), 3);
    drop(app2);

    // Save the hồ sơ, then commit: one PDF per component, recorded on the hồ sơ.
    let ma = create_ho_so(&w, &id);
    let v = w.app.scan_commit(ScanCommitArgs { session_id: sid.clone(), ma_ho_so: ma.clone() }).unwrap();
    assert_eq!(v.ma_ho_so.as_deref(), Some(ma.as_str()));
    for (c, n) in [(0usize, 2u32), (1, 1)] {
        let comp = &v.components[c];
        assert!(matches!(comp.state.as_str(), "processed" | "signed"), "{comp:?}");
        assert!(comp.done);
        assert_eq!(pdf_pages(comp.pdf_path.as_deref().unwrap()), n);
    }
    let row = w.store.ho_so_by_code(&ma).unwrap().unwrap();
    assert!(row.components[0].document_id.is_some());
    assert!(row.components[1].document_id.is_some());
    // Committing again changes nothing.
    let again = w.app.scan_commit(ScanCommitArgs { session_id: sid.clone(), ma_ho_so: ma.clone() }).unwrap();
    assert_eq!(again.components[0].pdf_path, v.components[0].pdf_path);
    let audits = w.store.recent_audit(500).unwrap();
    assert_eq!(audits.iter().filter(|a| a.action == "digitize.commit").count(), 2);

    // Next visit of the same citizen: the earlier copies are offered for reuse.
    let v = w.app.scan_open(open.clone()).unwrap();
    assert_ne!(v.session_id, sid, "a committed draft is not resumed");
    assert!(v.reusable.len() >= 2, "{:?}", v.reusable);
    let doc = v.reusable[0].document_id.clone();
    let v = w
        .app
        .scan_reuse(ScanReuseArgs { session_id: v.session_id.clone(), component: 1, document_id: Some(doc.clone()) })
        .unwrap();
    assert_eq!(v.components[1].state, "reused");
    assert!(v.components[1].done);
    let e = w
        .app
        .scan_reuse(ScanReuseArgs { session_id: v.session_id.clone(), component: 1, document_id: Some("khong-co".into()) })
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
}

#[test]
fn background_sync_delivers_committed_copies_once_configured() {
    let w = world();
    let id = chip_read(&w);
    let src = w.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let v = w
        .app
        .scan_open(ScanOpenArgs { procedure_code: MARRIAGE_STATUS.into(), ma_ho_so: None })
        .unwrap();
    let page = write_page(&src, "a.jpg", TestKind::Text, 3).display().to_string();
    w.app
        .scan_import(ScanImportArgs { session_id: v.session_id.clone(), paths: vec![page], component: Some(0) })
        .unwrap();
    let ma = create_ho_so(&w, &id);
    let v = w.app.scan_commit(ScanCommitArgs { session_id: v.session_id, ma_ho_so: ma }).unwrap();
    assert_eq!(v.components[0].state, "processed");
    // Before any background pass: one copy made, nothing configured, no pass recorded.
    let st = w.app.digitize_status().unwrap();
    assert_eq!((st.processed, st.delivered, st.failed), (1, 0, 0), "{st:?}");
    assert!(!st.signing_configured && !st.delivery_configured);
    assert!(st.last_sync_at.is_none() && st.last_error.is_none());
    // Nothing is configured: nothing leaves the machine.
    let r = w.app.digitize_sync().unwrap();
    assert_eq!((r.delivered, r.failed, r.busy), (0, 0, false));
    let st = w.app.digitize_status().unwrap();
    assert!(st.last_sync_at.is_some() && st.last_error.is_none(), "{st:?}");
    // The provincial endpoint (the local stand-in) is configured: delivered exactly once.
    let server = digitize::standin::Standin::start("127.0.0.1:0", &w.dir.path().join("tinh")).unwrap();
    std::fs::write(
        w.dir.path().join("digitize/delivery.json"),
        serde_json::json!({ "endpoint": server.url(), "timeout_secs": 10 }).to_string(),
    )
    .unwrap();
    let r = w.app.digitize_sync().unwrap();
    assert_eq!(r.delivered, 1, "{r:?}");
    let r = w.app.digitize_sync().unwrap();
    assert_eq!(r.delivered, 0, "{r:?}");
    let v = w
        .app
        .scan_open(ScanOpenArgs { procedure_code: MARRIAGE_STATUS.into(), ma_ho_so: None })
        .unwrap();
    assert!(v.reusable.iter().any(|d| d.state == "delivered"), "{:?}", v.reusable);
    let st = w.app.digitize_status().unwrap();
    assert_eq!((st.processed, st.delivered), (0, 1), "{st:?}");
    assert!(st.delivery_configured);
    // A broken configuration is a clear error, not a silent skip, and the list screen shows it.
    std::fs::write(w.dir.path().join("digitize/delivery.json"), "{ not json").unwrap();
    assert_eq!(w.app.digitize_sync().unwrap_err().code(), "delivery_config_invalid");
    let st = w.app.digitize_status().unwrap();
    let err = st.last_error.expect("last pass failed");
    assert_eq!(err.code, "delivery_config_invalid");
    assert!(err.message.contains("không hợp lệ"), "{}", err.message);
    // Fixed: the next pass clears it.
    std::fs::write(
        w.dir.path().join("digitize/delivery.json"),
        serde_json::json!({ "endpoint": server.url(), "timeout_secs": 10 }).to_string(),
    )
    .unwrap();
    w.app.digitize_sync().unwrap();
    assert!(w.app.digitize_status().unwrap().last_error.is_none());
}
