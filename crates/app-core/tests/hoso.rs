//! Hồ sơ at the counter through `App`: picker with favourites, the auto-filled form with its
//! sources, create (strict form, the right citizen), list, status, receipt PDF. No window, no
//! printer (printing itself is tested in hoso-docs). Invented people only.

mod common;

use std::sync::Arc;

use app_core::card::{CardService, FakeCardService};
use app_core::dto::SetupArgs;
use app_core::hoso::*;
use app_core::qr::{payload_2021, QrSource, SubmitQrArgs};
use app_core::store::{AuditRepository, SqliteStore};
use app_core::{App, AppError, CardController, Config, ManualClock};
use chrono::{TimeZone, Utc};

const MARRIAGE_STATUS: &str = "1.004873"; // 3 working days

struct World {
    app: Arc<App>,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    // Tuesday 2026-11-24, 09:00 local.
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap()));
    let app = Arc::new(App::new(store.clone(), clock, Config::default()));
    app.attach_hoso(store.clone(), None, dir.path()).unwrap();
    app.create_first_admin(SetupArgs {
        username: "quantri".into(),
        display_name: "Lê Quản Trị".into(),
        password: "mat-khau-dai-1".into(),
    })
    .unwrap();
    World { app, store, _dir: dir }
}

fn chip_read(w: &World) -> String {
    let card = app_core::demo::demo_cards().swap_remove(0).1;
    w.app.record_read("R", &card.outcome).unwrap().id
}

fn code(e: AppError) -> &'static str {
    e.code()
}

#[test]
fn needs_a_citizen_first() {
    let w = world();
    assert_eq!(w.app.hoso_current_citizen().unwrap(), None);
    let e = w
        .app
        .hoso_form(HoSoFormArgs { procedure_code: MARRIAGE_STATUS.into(), phone: None, email: None })
        .unwrap_err();
    assert_eq!(code(e), "ho_so_no_citizen");
    let id = chip_read(&w);
    let c = w.app.hoso_current_citizen().unwrap().unwrap();
    assert_eq!(c.identification_id, id);
    assert_eq!(c.source, "chip");
    w.app.sign_out().unwrap();
    assert_eq!(code(w.app.hoso_current_citizen().unwrap_err()), "not_signed_in");
}

#[test]
fn picker_searches_without_diacritics_and_puts_favourites_first() {
    let w = world();
    let hits = w.app.hoso_procedures(ProcedureSearchArgs { query: "ket hon".into() }).unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().any(|p| p.name == "Đăng ký kết hôn"), "{hits:?}");
    let all = w.app.hoso_procedures(ProcedureSearchArgs::default()).unwrap();
    assert!(all.len() >= 12);
    let last = all.last().unwrap().code.clone();
    assert_ne!(all[0].code, last);
    assert!(w.app.hoso_toggle_favourite(ProcedureCodeArgs { code: last.clone() }).unwrap());
    let all = w.app.hoso_procedures(ProcedureSearchArgs::default()).unwrap();
    assert_eq!(all[0].code, last);
    assert!(all[0].favourite);
    assert!(!all[1].favourite);
    // Persisted in the data folder.
    let prefs = std::fs::read_to_string(w._dir.path().join("hoso-preferences.json")).unwrap();
    assert!(prefs.contains(&last));
    assert!(!w.app.hoso_toggle_favourite(ProcedureCodeArgs { code: last.clone() }).unwrap());
    let all = w.app.hoso_procedures(ProcedureSearchArgs::default()).unwrap();
    assert_ne!(all[0].code, last);
    let e = w.app.hoso_toggle_favourite(ProcedureCodeArgs { code: "9.999999".into() }).unwrap_err();
    assert_ne!(code(e), "internal");
}

fn fill_required(w: &World, form: &HoSoFormView) -> Vec<FieldValue> {
    common::fill_required(&w.app, form)
}

#[test]
fn form_sources_create_list_status_receipt() {
    let w = world();
    let id = chip_read(&w);
    let form = w
        .app
        .hoso_form(HoSoFormArgs {
            procedure_code: MARRIAGE_STATUS.into(),
            phone: Some("0912 345 678".into()),
            email: None,
        })
        .unwrap();
    assert_eq!(form.citizen.identification_id, id);
    assert!(
        form.fields.iter().any(|f| f.source == FieldSourceView::Chip && f.value.is_some()),
        "no chip-filled field"
    );
    // 3 working days from Tue 24/11 09:00 → Fri 27/11.
    assert!(form.due_at.starts_with("2026-11-27"), "{}", form.due_at);
    assert_eq!(form.time_allowed_vi, "03 ngày làm việc");
    assert!(!form.components.is_empty());

    let values = fill_required(&w, &form);
    let args = |values: Vec<FieldValue>, id: &str| CreateHoSoArgs {
        procedure_code: MARRIAGE_STATUS.into(),
        identification_id: id.into(),
        values,
        components: form.components.clone(),
        phone: Some("0912 345 678".into()),
        email: None,
        representative: None,
        sets: 1,
    };
    if !values.is_empty() {
        let e = w.app.hoso_create(args(vec![], &id)).unwrap_err();
        assert_eq!(code(e), "form_invalid");
    }
    let e = w.app.hoso_create(args(values.clone(), "another-identification")).unwrap_err();
    assert_eq!(code(e), "ho_so_citizen_changed");
    let issues = w
        .app
        .hoso_check_form(CheckFormArgs {
            procedure_code: MARRIAGE_STATUS.into(),
            values: values.clone(),
            phone: None,
            email: None,
        })
        .unwrap();
    assert!(issues.is_empty(), "{issues:?}");

    let saved = w.app.hoso_create(args(values, &id)).unwrap();
    assert!(saved.ma_ho_so.ends_with("-261124-0001"), "{}", saved.ma_ho_so);
    assert_eq!(saved.status, "received");
    assert_eq!(saved.identity_method, "chip");
    assert!(saved.next_statuses.iter().any(|s| s.value == "in_progress"));
    // Recent first in the picker.
    let all = w.app.hoso_procedures(ProcedureSearchArgs::default()).unwrap();
    assert_eq!(all[0].code, MARRIAGE_STATUS);
    assert!(all[0].recent);

    let found = w.app.hoso_list(HoSoListArgs { text: Some(saved.ma_ho_so.clone()), ..Default::default() }).unwrap();
    assert_eq!(found.len(), 1);
    let none = w
        .app
        .hoso_list(HoSoListArgs { status: Some("returned".into()), ..Default::default() })
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(
        code(w.app.hoso_list(HoSoListArgs { status: Some("xyz".into()), ..Default::default() }).unwrap_err()),
        "ho_so_unknown_status"
    );

    let moved = w
        .app
        .hoso_set_status(HoSoStatusArgs { ma_ho_so: saved.ma_ho_so.clone(), to: "in_progress".into(), note: None })
        .unwrap();
    assert_eq!(moved.status, "in_progress");
    let e = w
        .app
        .hoso_set_status(HoSoStatusArgs { ma_ho_so: saved.ma_ho_so.clone(), to: "returned".into(), note: None })
        .unwrap_err();
    assert_eq!(code(e), "ho_so_invalid_transition");

    let pdf = w.app.hoso_receipt_pdf(&saved.ma_ho_so, hoso_docs_paper()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let r = w
        .app
        .hoso_receipt(ReceiptArgs { ma_ho_so: saved.ma_ho_so.clone(), print: false, printer: None, paper: None })
        .unwrap();
    assert!(!r.printed);
    assert!(r.print_error.is_none());
    let on_disk = std::fs::read(&r.pdf_path).unwrap();
    assert!(on_disk.starts_with(b"%PDF"));
    let actions: Vec<String> = w.store.recent_audit(100).unwrap().into_iter().map(|a| a.action).collect();
    for a in ["ho_so.create", "ho_so.status", "ho_so.search", "ho_so.receipt"] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
    }
    let e = w
        .app
        .hoso_receipt(ReceiptArgs { ma_ho_so: "000.00.00.H00-000000-9999".into(), print: false, printer: None, paper: None })
        .unwrap_err();
    assert_eq!(code(e), "ho_so_not_found");
}

fn hoso_docs_paper() -> hoso_docs::Paper {
    hoso_docs::Paper::A4
}

#[test]
fn qr_identity_fills_with_qr_source() {
    let w = world();
    let fake = FakeCardService::new("R", true, std::time::Duration::ZERO);
    let service: Arc<dyn CardService> = Arc::new(fake);
    let c = CardController::new(w.app.clone(), service);
    let mut citizen = app_core::demo::demo_cards().swap_remove(0).1.outcome.citizen;
    citizen.id_number = "001090123456".into();
    citizen.full_name = "Nguyễn Văn Thử".into();
    citizen.date_of_birth = chrono::NaiveDate::from_ymd_opt(1990, 3, 15);
    citizen.gender = Some("Nam".into());
    citizen.issue_date = chrono::NaiveDate::from_ymd_opt(2021, 6, 1);
    let v = c
        .submit_qr(SubmitQrArgs { payload: payload_2021(&citizen), source: QrSource::Wedge })
        .unwrap();
    assert!(v.accepted, "{:?}", v.issues);
    let cur = w.app.hoso_current_citizen().unwrap().unwrap();
    assert_eq!(cur.source, "qr");
    assert!(!cur.verified);
    let form = w
        .app
        .hoso_form(HoSoFormArgs { procedure_code: MARRIAGE_STATUS.into(), phone: None, email: None })
        .unwrap();
    assert!(form.fields.iter().any(|f| f.source == FieldSourceView::Qr));
    assert!(!form.fields.iter().any(|f| f.source == FieldSourceView::Chip));
}
