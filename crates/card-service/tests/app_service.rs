//! The app's card service on the real pcscd with the simulated reader: events, automatic key
//! from the hint, a verified outcome, a clone flagged, and a typed failure without a key.

use app_core::card::{AccessKey as AppKey, CardError, CardEvent, CardService};
use card_service::{PcscCardService, Simulator};
use card_sim::testing::{ensure_pcscd, lock_pcscd, pcscd_disabled, VPCD_READER};
use reader::{AccessKey, ChipAuthStatus, ReadPhase};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn next_matching(rx: &Receiver<CardEvent>, what: &str, f: impl Fn(&CardEvent) -> bool) -> CardEvent {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ev) if f(&ev) => return ev,
            Ok(_) => {}
            Err(e) => panic!("waiting for {what}: {e}"),
        }
    }
}

#[test]
fn demo_cards_read_through_the_service() {
    if pcscd_disabled() {
        eprintln!("SKIPPED: MOTCUA_NO_PCSCD=1");
        return;
    }
    let _lock = lock_pcscd(Duration::from_secs(300)).expect("pcscd lock");
    ensure_pcscd().expect("pcscd runs");

    let sim = Simulator::new("service-tests");
    let mut trust = lds::TrustStore::new();
    trust.add_der(sim.csca_der()).expect("CSCA");
    let service = PcscCardService::start(trust);
    let rx = service.subscribe();
    let cards = Simulator::demo_cards();

    // A good card: present → progress → verified outcome, with the key from the hint.
    let can = sim.insert(&cards[0]).expect("insert");
    next_matching(&rx, "card present", |e| matches!(e, CardEvent::CardPresent { reader } if reader.starts_with(VPCD_READER)));
    let reader = service
        .readers()
        .into_iter()
        .find(|r| r.name.starts_with(VPCD_READER))
        .expect("virtual reader listed");
    assert!(reader.simulated);
    assert_eq!(service.read(&reader.name, AppKey::Auto), Err(CardError::CanRequired));
    service.set_key_hint(&reader.name, vec![AccessKey::Can(can)]);
    service.read(&reader.name, AppKey::Auto).expect("read starts");
    let mut phases = Vec::new();
    let ev = next_matching(&rx, "outcome", |e| {
        matches!(e, CardEvent::Outcome { .. } | CardEvent::Failed { .. })
            || matches!(e, CardEvent::Progress { .. })
    });
    let mut ev = ev;
    while let CardEvent::Progress { phase, .. } = ev {
        phases.push(phase);
        ev = next_matching(&rx, "outcome", |e| matches!(e, CardEvent::Outcome { .. } | CardEvent::Failed { .. } | CardEvent::Progress { .. }));
    }
    match ev {
        CardEvent::Outcome { outcome, .. } => {
            assert_eq!(outcome.citizen, cards[0].profile.citizen);
            assert!(outcome.verification.is_verified(), "{:?}", outcome.verification);
        }
        other => panic!("expected an outcome, got {other:?}"),
    }
    assert!(phases.contains(&ReadPhase::Access) && phases.contains(&ReadPhase::Done), "{phases:?}");

    // The clone: read, chip authentication failed.
    sim.remove();
    next_matching(&rx, "card absent", |e| matches!(e, CardEvent::CardAbsent { .. }));
    let can = sim.insert(&cards[4]).expect("insert clone");
    next_matching(&rx, "card present", |e| matches!(e, CardEvent::CardPresent { .. }));
    service.read(&reader.name, AppKey::Can(can)).expect("read starts");
    match next_matching(&rx, "outcome", |e| matches!(e, CardEvent::Outcome { .. } | CardEvent::Failed { .. })) {
        CardEvent::Outcome { outcome, .. } => {
            assert_eq!(outcome.verification.chip_auth, ChipAuthStatus::Failed);
            assert!(!outcome.verification.is_verified());
        }
        other => panic!("expected an outcome, got {other:?}"),
    }

    // A wrong CAN: a typed failure.
    service.read(&reader.name, AppKey::Can("000000".into())).expect("read starts");
    match next_matching(&rx, "failure", |e| matches!(e, CardEvent::Outcome { .. } | CardEvent::Failed { .. })) {
        CardEvent::Failed { error, .. } => assert_eq!(error, CardError::AccessDenied),
        other => panic!("expected a failure, got {other:?}"),
    }
    sim.remove();
    next_matching(&rx, "card absent", |e| matches!(e, CardEvent::CardAbsent { .. }));
}
