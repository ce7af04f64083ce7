//! Through the real stack: transport-pcsc → libpcsclite → pcscd → vpcd → card-sim bridge.
//! One test function (pcscd and the vpcd reader are machine-wide), serialized with other
//! test binaries by `card_sim::testing::lock_pcscd`.

use std::time::{Duration, Instant};

use card_sim::testing::{ensure_pcscd, lock_pcscd, pcscd_disabled, VPCD_READER};
use card_sim::{fid, spawn_vpcd, ApduFaults, Card, ChipSecrets, Files, VpcdOptions};
use iso7816::{Transport, TransportError};
#[allow(unused_imports)]
use std::collections::BTreeMap;
use transport_pcsc::{Monitor, PcscContext, ReaderEvent};

const WAIT: Duration = Duration::from_secs(15);

fn plain_card(card_access: &[u8]) -> Card {
    let mut files = Files::default();
    files.set_mf(fid::CARD_ACCESS, card_access.to_vec());
    Card::new(files, ChipSecrets::default(), 7)
}

fn read_card_access(t: &mut dyn Transport, chunk: u8) -> Result<Vec<u8>, TransportError> {
    let r = t.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C])?;
    assert_eq!(r, [0x90, 0x00], "SELECT EF.CardAccess");
    let mut out = Vec::new();
    loop {
        let off = out.len() as u16;
        let [p1, p2] = off.to_be_bytes();
        let r = t.transmit(&[0x00, 0xB0, p1, p2, chunk])?;
        let (data, sw) = r.split_at(r.len() - 2);
        out.extend_from_slice(data);
        if sw != [0x90, 0x00] || data.len() < usize::from(chunk) {
            return Ok(out);
        }
    }
}

#[test]
fn card_events_exchange_removal_and_reinsert_through_pcscd() {
    if pcscd_disabled() {
        eprintln!("\n*** SKIPPED: MOTCUA_NO_PCSCD=1, the PC/SC stack test did not run ***\n");
        return;
    }
    let _lock = lock_pcscd(Duration::from_secs(120)).expect("pcscd test lock");
    ensure_pcscd().expect("pcscd must run (scripts/pcscd.sh start); set MOTCUA_NO_PCSCD=1 to skip");

    let content: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8).collect();

    // Background monitor with a callback, to check the callback API and cancellation.
    let (tx, rx) = std::sync::mpsc::channel();
    let background = Monitor::new().spawn(move |ev| {
        let _ = tx.send(ev);
    });

    let mut monitor = Monitor::new();
    let mut ctx = PcscContext::establish().expect("PC/SC context");
    let readers = ctx.readers().expect("readers");
    assert!(
        readers.iter().any(|r| r.starts_with(VPCD_READER)),
        "vpcd reader missing (is vsmartcard-vpcd installed?): {readers:?}"
    );

    // --- Insert: the monitor reports the card with the simulator's ATR.
    let bridge = spawn_vpcd(plain_card(&content), VpcdOptions::default());
    let (reader, atr) = monitor.wait_for_card(Some(VPCD_READER), Some(WAIT)).expect("card event");
    assert_eq!(atr, bridge.with_card(|c| c.atr()));

    // --- Connect, capabilities, exchange.
    let mut card = ctx.connect(&reader).expect("connect");
    assert_eq!(card.atr(), atr.as_slice());
    let info = card.atr_info().expect("ATR parses");
    assert_eq!(info.tck_ok, Some(true));
    assert_eq!(info.extended_length, None, "simulator ATR says nothing about extended length");
    let caps = card.detect_capabilities().expect("probe");
    eprintln!("vpcd capabilities: {caps:?}");
    {
        let mut tx = card.transaction().expect("transaction");
        assert_eq!(read_card_access(&mut tx, 0xE7).expect("read"), content);
    }
    // Round-trip time through the whole stack (measurement only, no assertion).
    let n = 50;
    let t0 = Instant::now();
    for _ in 0..n {
        card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x10]).expect("read");
    }
    eprintln!("MEASURE pcscd+vpcd round trip: {:?} per APDU", t0.elapsed() / n);

    // --- Short-APDU-only card: the probe must say no.
    bridge.with_card(|c| c.set_faults(ApduFaults { short_apdu_only: true }));
    assert!(!card.probe_extended_length().expect("probe"));
    bridge.with_card(|c| c.set_faults(ApduFaults::default()));

    // --- Removal in the middle of a read → CardRemoved; the monitor sees it.
    bridge.remove_after(2);
    let err = read_card_access(&mut card, 0x40).expect_err("card pulled mid-read");
    assert_eq!(err, TransportError::CardRemoved);
    monitor.wait_for_removal(Some(VPCD_READER), Some(WAIT)).expect("removal event");
    assert!(!bridge.is_connected());

    // --- Re-insert: connect again and succeed.
    bridge.insert();
    monitor.wait_for_card(Some(VPCD_READER), Some(WAIT)).expect("re-insert event");
    let mut card = ctx.connect(&reader).expect("connect after re-insert");
    assert_eq!(read_card_access(&mut card, 0xE7).expect("read after re-insert"), content);

    // --- Removal between commands: the next transmit reports CardRemoved too.
    bridge.remove();
    monitor.wait_for_removal(Some(VPCD_READER), Some(WAIT)).expect("removal event");
    assert_eq!(
        card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x10]).expect_err("no card"),
        TransportError::CardRemoved
    );
    assert!(ctx.connect(&reader).is_err(), "connect without a card must fail");
    bridge.stop();

    // --- The background monitor saw insert, remove, insert, remove, then stops on request.
    let t0 = Instant::now();
    background.stop();
    eprintln!("MEASURE monitor stop latency: {:?}", t0.elapsed());
    let events: Vec<ReaderEvent> = rx.try_iter().collect();
    let vpcd = |e: &&ReaderEvent| match e {
        ReaderEvent::CardInserted { reader, .. } | ReaderEvent::CardRemoved { reader } => {
            reader.starts_with(VPCD_READER)
        }
        _ => false,
    };
    let kinds: Vec<&str> = events
        .iter()
        .filter(vpcd)
        .map(|e| if matches!(e, ReaderEvent::CardInserted { .. }) { "in" } else { "out" })
        .collect();
    assert_eq!(kinds, ["in", "out", "in", "out"], "background events: {events:?}");
    assert!(events.iter().any(|e| matches!(e, ReaderEvent::ReaderAdded { reader } if reader.starts_with(VPCD_READER))));

    // --- Unknown reader.
    assert!(matches!(
        ctx.connect("No Such Reader 99"),
        Err(transport_pcsc::PcscError::ReaderNotFound(_))
    ));
}

fn connect_card(
    monitor: &mut Monitor,
    ctx: &mut PcscContext,
) -> transport_pcsc::PcscCard {
    let (reader, _) = monitor.wait_for_card(Some(VPCD_READER), Some(WAIT)).expect("card event");
    let mut card = ctx.connect(&reader).expect("connect");
    card.detect_capabilities().expect("capabilities");
    card
}

#[test]
fn icao_session_reads_every_file_through_pcscd() {
    use card_sim::{CardFaults, CardProfile, SimPki};
    use icao9303::{AccessKey, AccessProtocol, Session};
    use rand_chacha::rand_core::SeedableRng;

    if pcscd_disabled() {
        eprintln!("\n*** SKIPPED: MOTCUA_NO_PCSCD=1, the PC/SC session test did not run ***\n");
        return;
    }
    let _lock = lock_pcscd(Duration::from_secs(120)).expect("pcscd test lock");
    ensure_pcscd().expect("pcscd must run (scripts/pcscd.sh start); set MOTCUA_NO_PCSCD=1 to skip");
    let pki = SimPki::generate("transport-pcsc tests");
    let mut trust = lds::TrustStore::new();
    trust.add_der(&pki.csca.der).expect("CSCA");
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let mut monitor = Monitor::new();
    let mut ctx = PcscContext::establish().expect("PC/SC context");
    let all = [fid::COM, fid::SOD, fid::dg(1), fid::dg(2), fid::dg(13), fid::dg(14), fid::dg(15)];

    // --- PACE-CAN, extended length, CA and AA, passive authentication.
    let profile = CardProfile::generate(11);
    let bridge = spawn_vpcd(profile.build(&pki).expect("card"), VpcdOptions::default());
    let mut card = connect_card(&mut monitor, &mut ctx);
    assert!(card.capabilities().extended_length);
    let t0 = Instant::now();
    let mut tx = card.transaction().expect("transaction");
    let mut session =
        Session::open(&mut tx, &AccessKey::Can(profile.can.clone()), &mut rng).expect("PACE-CAN");
    let files: Vec<Vec<u8>> = all.iter().map(|f| session.read_file(*f).expect("read")).collect();
    session.chip_authenticate(&files[5], &mut rng).expect("CA");
    session.active_authenticate(&files[6], Some(&files[5]), &mut rng).expect("AA");
    eprintln!(
        "MEASURE PACE-CAN + all files + CA + AA through pcscd (extended): {:?}, {} APDUs, {} bytes in",
        t0.elapsed(),
        session.apdu_count(),
        session.bytes_received()
    );
    let dgs = [(1u8, 2usize), (2, 3), (13, 4), (14, 5), (15, 6)]
        .iter()
        .map(|(n, i)| (*n, files[*i].clone()))
        .collect();
    let today = chrono_today();
    let report = lds::pa::passive_auth(&files[1], &dgs, &trust, today);
    assert_eq!(report.outcome, lds::pa::PaOutcome::Passed, "{report:?}");
    assert_eq!(cccd::parse_dg13(&files[4]).expect("DG13"), profile.citizen);
    drop(session);
    drop(tx);

    // --- Pulled away in the middle of reading DG2: CardRemoved; back on the reader: a new
    // session reads everything.
    card.reset().expect("reset");
    bridge.remove_after(12);
    let outcome = Session::open(&mut card, &AccessKey::Can(profile.can.clone()), &mut rng)
        .and_then(|mut s| {
            for f in all {
                s.read_file(f)?;
            }
            Ok(())
        });
    match outcome {
        Err(icao9303::Error::Transport(TransportError::CardRemoved)) => {}
        other => panic!("expected CardRemoved, got {other:?}"),
    }
    drop(card);
    monitor.wait_for_removal(Some(VPCD_READER), Some(WAIT)).expect("removal");
    bridge.insert();
    let mut card = connect_card(&mut monitor, &mut ctx);
    let mut session =
        Session::open(&mut card, &AccessKey::Can(profile.can.clone()), &mut rng).expect("again");
    for (f, expected) in all.iter().zip(&files) {
        assert_eq!(&session.read_file(*f).expect("read after re-insert"), expected);
    }
    drop(session);
    drop(card);
    bridge.stop();
    monitor.wait_for_removal(Some(VPCD_READER), Some(WAIT)).expect("removal");

    // --- BAC on a card without PACE, short APDUs only.
    let mut profile = CardProfile::generate(12);
    profile.pace = false;
    let faults = CardFaults { short_apdu_only: true, ..Default::default() };
    let bridge = spawn_vpcd(profile.build_with(&pki, faults).expect("card"), VpcdOptions::default());
    let mut card = connect_card(&mut monitor, &mut ctx);
    assert!(!card.capabilities().extended_length, "short-only card must not get extended APDUs");
    let key = AccessKey::Mrz {
        document_number: profile.document_number.clone(),
        date_of_birth: profile.mrz_date_of_birth.clone(),
        date_of_expiry: profile.mrz_date_of_expiry.clone(),
    };
    let t0 = Instant::now();
    let mut session = Session::open(&mut card, &key, &mut rng).expect("BAC");
    assert_eq!(session.access_protocol(), AccessProtocol::Bac);
    let files: Vec<Vec<u8>> = all.iter().map(|f| session.read_file(*f).expect("read")).collect();
    eprintln!(
        "MEASURE BAC + all files through pcscd (short APDUs): {:?}, {} APDUs",
        t0.elapsed(),
        session.apdu_count()
    );
    assert_eq!(cccd::parse_dg13(&files[4]).expect("DG13"), profile.citizen);
    assert_eq!(lds::parse_dg1(&files[2]).expect("DG1").document_number, profile.document_number);
    drop(session);
    // Pulled while still connected; the next test's insertion must still be seen (the bridge
    // reconnects when vpcd leaves a new connection silent).
    bridge.stop();
    drop(card);
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
}
