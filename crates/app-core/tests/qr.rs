//! QR identification through the controller: scan → "from QR, not verified" + key hint → the
//! card reads without a CAN → QR and chip compared. Invented people only.

use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use app_core::card::{CardEvent, CardService, FakeCard, FakeCardService};
use app_core::dto::{CardUiEvent, HistoryArgs, SetupArgs};
use app_core::qr::{payload_2021, QrSource, SubmitQrArgs};
use app_core::store::{AuditRepository, SqliteStore};
use app_core::{App, AppError, CardController, Config, ManualClock};
use chrono::{NaiveDate, TimeZone, Utc};

struct World {
    app: Arc<App>,
    store: Arc<SqliteStore>,
    c: CardController,
    fake: FakeCardService,
    rx: Receiver<CardEvent>,
}

fn world() -> World {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()));
    let app = Arc::new(App::new(store.clone(), clock, Config::default()));
    app.create_first_admin(SetupArgs {
        username: "quantri".into(),
        display_name: "Lê Quản Trị".into(),
        password: "mat-khau-dai-1".into(),
    })
    .unwrap();
    let fake = FakeCardService::new("R", true, StdDuration::ZERO);
    let rx = fake.subscribe();
    let service: Arc<dyn CardService> = Arc::new(fake.clone());
    let c = CardController::new(app.clone(), service);
    World { app, store, c, fake, rx }
}

fn pump(w: &World) -> Vec<CardUiEvent> {
    let mut out = Vec::new();
    loop {
        let ev = w.rx.recv_timeout(StdDuration::from_secs(10)).expect("fake reader silent");
        let ui = w.c.handle(ev);
        let done = ui.iter().any(|e| {
            matches!(e, CardUiEvent::Identified { .. } | CardUiEvent::Failed { .. } | CardUiEvent::CanRequired { .. })
        });
        out.extend(ui);
        if done {
            return out;
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// A fake card whose chip needs the CAN = last 6 digits of its (valid-province) ID.
fn card() -> FakeCard {
    let mut c = app_core::demo::demo_cards().swap_remove(0).1;
    let z = &mut c.outcome.citizen;
    z.id_number = "001090123456".into();
    z.full_name = "Nguyễn Văn Thử".into();
    z.date_of_birth = d(1990, 3, 15);
    z.gender = Some("Nam".into());
    z.issue_date = d(2021, 6, 1);
    z.old_id_number = Some("012345678".into());
    c.can = Some("123456".into());
    c
}

fn submit(w: &World, payload: String, source: QrSource) -> Result<app_core::qr::QrCitizenView, AppError> {
    w.c.submit_qr(SubmitQrArgs { payload, source })
}

fn audit(w: &World) -> Vec<(String, String, serde_json::Value)> {
    let mut v: Vec<_> = w.store.recent_audit(100).unwrap().into_iter().map(|a| (a.action, a.result, a.detail)).collect();
    v.reverse();
    v
}

#[test]
fn qr_then_card_reads_without_can_and_matches() {
    let w = world();
    let fc = card();
    let view = submit(&w, payload_2021(&fc.outcome.citizen), QrSource::Wedge).unwrap();
    assert!(view.accepted, "{:?}", view.issues);
    assert!(view.key_ready);
    assert_eq!(view.citizen.full_name, "Nguyễn Văn Thử");
    assert_eq!(w.fake.key_hint().unwrap().can, "123456");
    w.fake.insert(fc);
    let evs = pump(&w);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else { panic!("{evs:?}") };
    let check = identification.qr_check.as_ref().expect("compared with the QR");
    assert!(check.same_id && check.mismatches.is_empty(), "{check:?}");
    // The key served once; the next citizen starts without it.
    assert!(w.fake.key_hint().is_none());
    // Both identifications are in the history: qr (not verified) and chip.
    let h = w.app.history(HistoryArgs { from: None, to: None, text: None }).unwrap();
    let methods: Vec<(&str, bool)> = h.iter().map(|i| (i.method.as_str(), i.verified)).collect();
    assert!(methods.contains(&("qr", false)) && methods.contains(&("chip", true)), "{methods:?}");
    let a = audit(&w);
    let qr = a.iter().find(|(act, _, _)| act == "qr_scan").unwrap();
    assert_eq!(qr.1, "accepted");
    assert_eq!(qr.2["source"], "wedge");
    let read = a.iter().rev().find(|(act, _, _)| act == "card_read").unwrap();
    assert_eq!(read.2["qr_check"]["mismatches"], serde_json::json!([]));
}

#[test]
fn mismatches_are_flagged_and_audited() {
    let w = world();
    let fc = card();
    let mut other = fc.outcome.citizen.clone();
    other.full_name = "Nguyễn Văn Thụ".into();
    other.date_of_birth = d(1990, 3, 16);
    submit(&w, payload_2021(&other), QrSource::Camera).unwrap();
    w.fake.insert(fc);
    let evs = pump(&w);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else { panic!("{evs:?}") };
    let fields: Vec<&str> =
        identification.qr_check.as_ref().unwrap().mismatches.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["full_name", "date_of_birth"]);
    let read = audit(&w).into_iter().rev().find(|(act, _, _)| act == "card_read").unwrap();
    assert_eq!(read.2["qr_check"]["mismatches"], serde_json::json!(["full_name", "date_of_birth"]));
}

#[test]
fn mangled_wedge_input_is_rejected_but_still_unlocks_a_waiting_card() {
    let w = world();
    let fc = card();
    // Card first: the chip needs a key.
    w.fake.insert(fc.clone());
    let evs = pump(&w);
    assert!(matches!(evs.last(), Some(CardUiEvent::CanRequired { .. })), "{evs:?}");
    // A Telex-mangled scan: not accepted, but its ID gives the CAN and the read restarts.
    let mut z = fc.outcome.citizen.clone();
    z.full_name = "Nguyeenx Vawn Thuwr".into();
    let view = submit(&w, payload_2021(&z), QrSource::Wedge).unwrap();
    assert!(!view.accepted && view.key_ready);
    assert!(view.issues.iter().any(|i| i.code == "telex_residue"));
    assert!(view.identification_id.is_none());
    let evs = pump(&w);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else { panic!("{evs:?}") };
    // Rejected QR data is not compared (nothing trustworthy to compare).
    assert!(identification.qr_check.is_none());
    let a = audit(&w);
    assert!(a.iter().any(|(act, res, det)| act == "qr_scan" && res == "rejected" && det["issues"][0] == "telex_residue"));
}

#[test]
fn qr_of_another_card_is_refused_by_the_chip() {
    let w = world();
    let mut other = card().outcome.citizen;
    other.id_number = "001090654321".into();
    submit(&w, payload_2021(&other), QrSource::Serial).unwrap();
    w.fake.insert(card());
    let evs = pump(&w);
    assert!(matches!(evs.last(), Some(CardUiEvent::Failed { code, .. }) if code == "access_denied"), "{evs:?}");
    w.c.clear_qr();
    assert!(w.fake.key_hint().is_none());
}

#[test]
fn scanning_needs_a_signed_in_clerk() {
    let w = world();
    w.app.sign_out().unwrap();
    let e = submit(&w, payload_2021(&card().outcome.citizen), QrSource::Wedge).unwrap_err();
    assert_eq!(e, AppError::NotSignedIn);
    assert!(w.fake.key_hint().is_none());
}

#[test]
fn demo_card_4_opens_with_its_qr() {
    let w = world();
    let (_, card) = app_core::demo::demo_cards().swap_remove(3);
    let v = submit(&w, payload_2021(&card.outcome.citizen), QrSource::Wedge).unwrap();
    assert!(v.accepted, "{:?}", v.issues);
    w.fake.insert(card);
    let evs = pump(&w);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else { panic!("{evs:?}") };
    assert_eq!(identification.qr_check.as_ref().map(|q| q.mismatches.len()), Some(0));
}
