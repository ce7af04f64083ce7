//! The command bodies end to end over an in-memory store and the fake card service.
//! Invented people only (see `app_core::demo`).

use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use app_core::card::{CardEvent, CardService, FakeCardService};
use app_core::dto::{CardUiEvent, CreateClerkArgs, HistoryArgs, ReadCardArgs, RoleView, SetupArgs, SignInArgs};
use app_core::store::{AuditRepository, SqliteStore};
use app_core::{App, AppError, CardController, Config, ManualClock};
use chrono::{Duration, TimeZone, Utc};

struct World {
    app: Arc<App>,
    clock: Arc<ManualClock>,
    store: Arc<SqliteStore>,
}

fn world() -> World {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()));
    let cfg = Config {
        idle_lock_minutes: 5,
        max_failed_logins: 3,
        lockout_minutes: 15,
        ..Config::default()
    };
    let app = Arc::new(App::new(store.clone(), clock.clone(), cfg));
    World { app, clock, store }
}

const PW: &str = "mat-khau-dai-1";

fn setup(w: &World) {
    w.app
        .create_first_admin(SetupArgs {
            username: "QuanTri".into(),
            display_name: "  Lê   Quản Trị ".into(),
            password: PW.into(),
        })
        .unwrap();
}

fn sign_in(w: &World, user: &str, pw: &str) -> Result<app_core::dto::SessionView, AppError> {
    w.app.sign_in(SignInArgs {
        username: user.into(),
        password: pw.into(),
    })
}

fn actions(w: &World) -> Vec<(String, String)> {
    let mut v: Vec<_> = w
        .store
        .recent_audit(1000)
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.result))
        .collect();
    v.reverse();
    v
}

#[test]
fn first_run_creates_one_admin_only() {
    let w = world();
    assert!(w.app.status().unwrap().needs_setup);
    assert_eq!(
        sign_in(&w, "quantri", PW).unwrap_err(),
        AppError::NotSetUp
    );
    let bad = w.app.create_first_admin(SetupArgs {
        username: "quantri".into(),
        display_name: "A".into(),
        password: "short".into(),
    });
    assert_eq!(bad.unwrap_err().code(), "invalid_input");
    setup(&w);
    let st = w.app.status().unwrap();
    assert!(!st.needs_setup);
    let s = st.session.unwrap();
    assert_eq!(s.username, "quantri");
    assert_eq!(s.display_name, "Lê Quản Trị");
    assert_eq!(s.role, RoleView::Admin);
    let again = w.app.create_first_admin(SetupArgs {
        username: "other".into(),
        display_name: "B".into(),
        password: PW.into(),
    });
    assert_eq!(again.unwrap_err(), AppError::AlreadySetUp);
}

#[test]
fn wrong_passwords_are_audited_and_lock_the_account() {
    let w = world();
    setup(&w);
    w.app.sign_out().unwrap();
    assert_eq!(sign_in(&w, "nobody", PW).unwrap_err(), AppError::InvalidCredentials);
    assert_eq!(sign_in(&w, "quantri", "sai-1").unwrap_err(), AppError::InvalidCredentials);
    assert_eq!(sign_in(&w, "quantri", "sai-2").unwrap_err(), AppError::InvalidCredentials);
    let third = sign_in(&w, "quantri", "sai-3").unwrap_err();
    assert_eq!(third.code(), "account_locked");
    // Even the right password is refused while locked.
    assert_eq!(sign_in(&w, "quantri", PW).unwrap_err().code(), "account_locked");
    w.clock.advance(Duration::minutes(16));
    sign_in(&w, "quantri", PW).unwrap();
    let acts = actions(&w);
    let results: Vec<&str> = acts
        .iter()
        .filter(|(a, _)| a == "sign_in")
        .map(|(_, r)| r.as_str())
        .collect();
    assert_eq!(
        results,
        ["ok", "unknown_user", "wrong_password", "wrong_password", "wrong_password", "locked_out", "ok"]
    );
}

#[test]
fn idle_session_locks_and_unlocks_with_the_password() {
    let w = world();
    setup(&w);
    w.clock.advance(Duration::minutes(4));
    w.app.touch().unwrap();
    w.clock.advance(Duration::minutes(4));
    assert!(!w.app.check_idle().unwrap().locked, "activity postponed the lock");
    w.clock.advance(Duration::minutes(2));
    assert!(w.app.check_idle().unwrap().locked);
    assert_eq!(w.app.touch().unwrap_err(), AppError::SessionLocked);
    assert_eq!(
        w.app.history(HistoryArgs { from: None, to: None, text: None }).unwrap_err(),
        AppError::SessionLocked
    );
    assert_eq!(w.app.unlock("sai").unwrap_err(), AppError::InvalidCredentials);
    let s = w.app.unlock(PW).unwrap();
    assert!(!s.locked);
    w.app.touch().unwrap();
    assert!(actions(&w).contains(&("session_lock".into(), "idle".into())));
}

#[test]
fn too_many_unlock_failures_sign_the_clerk_out() {
    let w = world();
    setup(&w);
    w.app.lock().unwrap();
    w.app.unlock("a").unwrap_err();
    w.app.unlock("b").unwrap_err();
    assert_eq!(w.app.unlock("c").unwrap_err().code(), "account_locked");
    assert!(w.app.status().unwrap().session.is_none());
}

#[test]
fn only_admins_manage_clerks() {
    let w = world();
    setup(&w);
    let admin_id = w.app.status().unwrap().session.unwrap().clerk_id;
    let c = w
        .app
        .create_clerk(CreateClerkArgs {
            username: "canbo1".into(),
            display_name: "Phạm Cán Bộ".into(),
            password: "mat-khau-can-bo".into(),
            role: RoleView::Clerk,
        })
        .unwrap();
    assert!(c.active);
    let dup = w.app.create_clerk(CreateClerkArgs {
        username: "CANBO1".into(),
        display_name: "X".into(),
        password: "mat-khau-can-bo".into(),
        role: RoleView::Clerk,
    });
    assert_eq!(dup.unwrap_err(), AppError::UsernameTaken);
    assert_eq!(
        w.app.set_clerk_active(&admin_id, false).unwrap_err(),
        AppError::CannotDeactivateSelf
    );
    w.app.sign_out().unwrap();
    sign_in(&w, "canbo1", "mat-khau-can-bo").unwrap();
    assert_eq!(w.app.list_clerks().unwrap_err(), AppError::Forbidden);
    w.app.sign_out().unwrap();
    sign_in(&w, "quantri", PW).unwrap();
    assert!(!w.app.set_clerk_active(&c.id, false).unwrap().active);
    w.app.sign_out().unwrap();
    assert_eq!(
        sign_in(&w, "canbo1", "mat-khau-can-bo").unwrap_err(),
        AppError::AccountInactive
    );
    assert_eq!(sign_in(&w, "canbo1", "sai").unwrap_err(), AppError::InvalidCredentials);
}

// ------------------------------------------------------------ card reads

fn controller(w: &World) -> (CardController, FakeCardService, Receiver<CardEvent>) {
    let fake = FakeCardService::new("Đầu đọc mô phỏng", true, StdDuration::ZERO);
    let rx = fake.subscribe();
    let service: Arc<dyn CardService> = Arc::new(fake.clone());
    (CardController::new(w.app.clone(), service), fake, rx)
}

/// Feeds service events to the controller until a final UI event (identified, failed, CAN).
fn pump(c: &CardController, rx: &Receiver<CardEvent>) -> Vec<CardUiEvent> {
    let mut out = Vec::new();
    loop {
        let ev = rx
            .recv_timeout(StdDuration::from_secs(10))
            .expect("the fake reader went silent");
        let ui = c.handle(ev);
        let done = ui.iter().any(|e| {
            matches!(
                e,
                CardUiEvent::Identified { .. } | CardUiEvent::Failed { .. } | CardUiEvent::CanRequired { .. }
            )
        });
        out.extend(ui);
        if done {
            return out;
        }
    }
}

fn card(i: usize) -> app_core::card::FakeCard {
    app_core::demo::demo_cards().swap_remove(i).1
}

#[test]
fn a_card_put_down_is_read_recorded_audited_and_searchable() {
    let w = world();
    setup(&w);
    let (c, fake, rx) = controller(&w);
    fake.insert(card(0));
    let evs = pump(&c, &rx);
    let phases: Vec<_> = evs
        .iter()
        .filter_map(|e| match e {
            CardUiEvent::Progress { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(phases.len(), 7, "every phase reported: {phases:?}");
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else {
        panic!("no identification: {evs:?}");
    };
    assert_eq!(identification.citizen.full_name, "Nguyễn Văn An");
    assert!(identification.verification.verified);
    assert!(identification.photo.as_ref().unwrap().data_url.starts_with("data:image/jpeg;base64,"));

    let audit = w.store.recent_audit(1).unwrap().remove(0);
    assert_eq!(audit.action, "card_read");
    assert_eq!(audit.result, "verified");
    assert_eq!(audit.subject.as_deref(), Some("099190000001"));
    assert_eq!(audit.purpose.as_deref(), Some("Xác minh danh tính tại quầy"));
    assert!(audit.clerk_id.is_some());

    let today = w.app.today();
    let found = w
        .app
        .history(HistoryArgs {
            from: Some(today.clone()),
            to: Some(today),
            text: Some("nguyen van an".into()),
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id_number, "099190000001");
    let by_id = w
        .app
        .history(HistoryArgs { from: None, to: None, text: Some("09919".into()) })
        .unwrap();
    assert_eq!(by_id.len(), 1);
    let yesterday = w
        .app
        .history(HistoryArgs { from: Some("2026-11-27".into()), to: Some("2026-11-27".into()), text: None })
        .unwrap();
    assert!(yesterday.is_empty());
}

#[test]
fn can_is_asked_only_when_needed_and_validated() {
    let w = world();
    setup(&w);
    let (c, fake, rx) = controller(&w);
    fake.insert(card(1));
    let evs = pump(&c, &rx);
    assert!(matches!(evs.last(), Some(CardUiEvent::CanRequired { .. })), "{evs:?}");
    let read = |can: &str| {
        c.read(ReadCardArgs {
            can: Some(can.into()),
            reader: None,
        })
    };
    assert_eq!(read("12345").unwrap_err().code(), "invalid_can");
    assert_eq!(read("12345a").unwrap_err().code(), "invalid_can");
    assert_eq!(read("654321").unwrap_err().code(), "access_denied");
    read("123456").unwrap();
    let evs = pump(&c, &rx);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else {
        panic!("{evs:?}");
    };
    assert_eq!(identification.citizen.full_name, "Đặng Thị Đào");
    let found = w
        .app
        .history(HistoryArgs { from: None, to: None, text: Some("dang thi dao".into()) })
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[test]
fn a_forged_card_is_shown_as_not_verified_with_reasons() {
    let w = world();
    setup(&w);
    let (c, fake, rx) = controller(&w);
    fake.insert(card(2));
    let evs = pump(&c, &rx);
    let Some(CardUiEvent::Identified { identification, .. }) = evs.last() else {
        panic!("{evs:?}");
    };
    assert!(!identification.verification.verified);
    assert_eq!(identification.verification.reasons.len(), 2);
    assert_eq!(w.store.recent_audit(1).unwrap()[0].result, "not_verified");
}

#[test]
fn nothing_is_read_or_recorded_without_an_unlocked_session() {
    let w = world();
    setup(&w);
    w.app.lock().unwrap();
    let (c, fake, rx) = controller(&w);
    fake.insert(card(0));
    let ev = rx.recv_timeout(StdDuration::from_secs(5)).unwrap();
    assert_eq!(c.handle(ev), vec![CardUiEvent::CardPresent { reader: "Đầu đọc mô phỏng".into() }]);
    assert_eq!(
        c.read(ReadCardArgs { can: None, reader: None }).unwrap_err(),
        AppError::SessionLocked
    );
    // An outcome that arrives anyway is dropped, not recorded.
    let outcome = card(0).outcome;
    let ui = c.handle(CardEvent::Outcome { reader: "Đầu đọc mô phỏng".into(), outcome: Box::new(outcome) });
    assert!(matches!(&ui[0], CardUiEvent::Failed { code, .. } if code == "session_locked"));
    w.app.unlock(PW).unwrap();
    assert!(w.app.history(HistoryArgs { from: None, to: None, text: None }).unwrap().is_empty());
}

#[test]
fn unplugging_the_reader_mid_read_is_reported_and_audited() {
    let w = world();
    setup(&w);
    let fake = FakeCardService::new("R", false, StdDuration::from_millis(30));
    let rx = fake.subscribe();
    let service: Arc<dyn CardService> = Arc::new(fake.clone());
    let c = CardController::new(w.app.clone(), service);
    fake.insert(card(0));
    let first = c.handle(rx.recv_timeout(StdDuration::from_secs(5)).unwrap());
    assert_eq!(first.len(), 1, "read started: {first:?}");
    fake.unplug();
    let evs = pump(&c, &rx);
    assert!(evs.contains(&CardUiEvent::ReaderRemoved { reader: "R".into() }));
    assert!(
        matches!(evs.last(), Some(CardUiEvent::Failed { code, .. }) if code == "reader_gone"),
        "{evs:?}"
    );
    let a = w.store.recent_audit(1).unwrap().remove(0);
    assert_eq!((a.action.as_str(), a.result.as_str()), ("card_read", "failed"));
    assert_eq!(a.detail["code"], "reader_gone");
    assert!(c.readers().is_empty());
}
