//! pcscd stops and starts again under a connected card: the transport reports
//! `ReaderUnavailable`, the monitor `ServiceLost` / `ServiceRestored`, and the same
//! `PcscContext` works again afterwards. It stops the machine's pcscd, so it only runs with
//! `MOTCUA_PCSCD_RESTART_TEST=1`.

use std::process::Command;
use std::time::Duration;

use card_sim::testing::{ensure_pcscd, lock_pcscd, pcscd_disabled, VPCD_READER};
use card_sim::{fid, spawn_vpcd, Card, ChipSecrets, Files, VpcdOptions};
use iso7816::{Transport, TransportError};
use transport_pcsc::{Monitor, PcscContext, PcscError, ReaderEvent};

const WAIT: Duration = Duration::from_secs(20);

fn pcscd_script(action: &str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/pcscd.sh");
    let ok = Command::new("bash").arg(script).arg(action).status().is_ok_and(|s| s.success());
    assert!(ok, "scripts/pcscd.sh {action} failed");
}

#[test]
fn service_restart_is_survived() {
    if pcscd_disabled() || std::env::var("MOTCUA_PCSCD_RESTART_TEST").as_deref() != Ok("1") {
        eprintln!("\n*** SKIPPED: set MOTCUA_PCSCD_RESTART_TEST=1 to stop/start pcscd in this test ***\n");
        return;
    }
    let _lock = lock_pcscd(Duration::from_secs(120)).expect("pcscd test lock");
    ensure_pcscd().expect("pcscd");
    let mut files = Files::default();
    files.set_mf(fid::CARD_ACCESS, vec![0x31, 0x02, 0x01, 0x02]);
    let bridge = spawn_vpcd(Card::new(files, ChipSecrets::default(), 1), VpcdOptions::default());
    let mut monitor = Monitor::new();
    let mut ctx = PcscContext::establish().expect("context");
    let (reader, _) = monitor.wait_for_card(Some(VPCD_READER), Some(WAIT)).expect("card");
    let mut card = ctx.connect(&reader).expect("connect");
    let read = [0x00, 0xB0, 0x9C, 0x00, 0x00];
    assert_eq!(card.transmit(&read).expect("read"), [0x31, 0x02, 0x01, 0x02, 0x90, 0x00]);

    pcscd_script("stop");
    let err = card.transmit(&read).expect_err("service gone");
    assert_eq!(err, TransportError::ReaderUnavailable);
    assert_eq!(ctx.readers().expect_err("no service"), PcscError::NoService);
    loop {
        match monitor.next_event(Some(WAIT)).expect("event") {
            ReaderEvent::ServiceLost => break,
            _ => continue,
        }
    }
    drop(card);

    pcscd_script("start");
    let mut restored = false;
    loop {
        match monitor.next_event(Some(WAIT)).expect("event") {
            ReaderEvent::ServiceRestored => restored = true,
            ReaderEvent::CardInserted { reader, .. } if restored && reader.starts_with(VPCD_READER) => {
                break
            }
            _ => {}
        }
    }
    // The same context heals itself.
    assert!(ctx.readers().expect("readers after restart").iter().any(|r| r.starts_with(VPCD_READER)));
    let mut card = ctx.connect(&reader).expect("connect after restart");
    assert_eq!(card.transmit(&read).expect("read"), [0x31, 0x02, 0x01, 0x02, 0x90, 0x00]);
    drop(card);
    bridge.stop();
}
