//! The pure card, in process: access rules, PACE / BAC / CA / AA through icao9303's terminal
//! side, and every fault switch.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use card_sim::{fid, AccessMethod, ApduFaults, Card, CardFaults, CardProfile, SimPki};
use chrono::NaiveDate;
use icao9303::{AccessKey, Error, Session};
use iso7816::{Command, Response, StatusWord};
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

fn pki() -> &'static SimPki {
    static PKI: OnceLock<SimPki> = OnceLock::new();
    PKI.get_or_init(|| SimPki::generate("card-sim tests"))
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(99)
}

fn card(seed: u64, faults: CardFaults) -> (CardProfile, Card) {
    let profile = CardProfile::generate(seed);
    let card = profile.build_with(pki(), faults).expect("card builds");
    (profile, card)
}

fn can(p: &CardProfile) -> AccessKey {
    AccessKey::Can(p.can.clone())
}

fn mrz(p: &CardProfile) -> AccessKey {
    AccessKey::Mrz {
        document_number: p.document_number.clone(),
        date_of_birth: p.mrz_date_of_birth.clone(),
        date_of_expiry: p.mrz_date_of_expiry.clone(),
    }
}

fn send(card: &mut Card, cmd: &Command) -> Response {
    let bytes = cmd.to_bytes().expect("encodes");
    Response::parse(&card.process(&bytes)).expect("response has a status word")
}

const ALL: [u16; 7] = [
    fid::COM,
    fid::SOD,
    fid::dg(1),
    fid::dg(2),
    fid::dg(13),
    fid::dg(14),
    fid::dg(15),
];

fn read_all(session: &mut Session<&mut Card>) -> BTreeMap<u16, Vec<u8>> {
    ALL.iter().map(|f| (*f, session.read_file(*f).expect("file reads"))).collect()
}

fn passive_auth(files: &BTreeMap<u16, Vec<u8>>) -> lds::pa::PassiveAuthReport {
    let mut trust = lds::TrustStore::new();
    trust.add_der(&pki().csca.der).expect("CSCA");
    let dgs: BTreeMap<u8, Vec<u8>> = files
        .iter()
        .filter(|(f, _)| **f >= 0x0101 && **f <= 0x0110)
        .map(|(f, d)| ((f & 0xFF) as u8, d.clone()))
        .collect();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    lds::pa::passive_auth(&files[&fid::SOD], &dgs, &trust, today)
}

#[test]
fn without_secure_messaging_only_card_access_is_readable() {
    let (_, mut card) = card(1, CardFaults::default());
    // SELECT MF: the real cards answer 6D00.
    let r = send(&mut card, &Command::new(0, 0xA4, 0, 0x0C).with_data(vec![0x3F, 0x00]));
    assert_eq!(r.sw, StatusWord::INS_NOT_SUPPORTED);
    // EF.CardAccess by short EF id, in the clear.
    let r = send(&mut card, &Command::new(0, 0xB0, 0x9C, 0).with_le(256));
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(r.data, card.files().get_mf(fid::CARD_ACCESS).expect("CardAccess"));
    // Application: selectable, but its files need secure messaging.
    let aid = card_sim::EMRTD_AID.to_vec();
    assert_eq!(send(&mut card, &Command::new(0, 0xA4, 4, 0x0C).with_data(aid)).sw, StatusWord::OK);
    let select_com = Command::new(0, 0xA4, 2, 0x0C).with_data(vec![0x01, 0x1E]);
    assert_eq!(send(&mut card, &select_com).sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
    let read_dg1 = Command::new(0, 0xB0, 0x81, 0).with_le(16);
    let r = send(&mut card, &read_dg1);
    assert_eq!(r.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
    assert!(r.data.is_empty());
    // SM-looking command without a session.
    let r = send(&mut card, &Command::new(0x0C, 0xB0, 0x81, 0).with_data(vec![0x97, 0x01, 0x10]));
    assert_eq!(r.sw, StatusWord::SM_DO_MISSING);
    // INTERNAL AUTHENTICATE in the clear.
    let r = send(&mut card, &Command::new(0, 0x88, 0, 0).with_data(vec![1; 8]).with_le(256));
    assert_eq!(r.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
}

#[test]
fn pace_can_reads_every_file_and_passive_auth_passes() {
    let (profile, mut card) = card(2, CardFaults::default());
    let mut rng = rng();
    {
        let mut session = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE-CAN");
        let files = read_all(&mut session);
        let mrz = lds::parse_dg1(&files[&fid::dg(1)]).expect("DG1");
        assert_eq!(mrz.document_number, profile.document_number);
        assert!(mrz.checks.all_ok());
        let citizen = cccd::parse_dg13(&files[&fid::dg(13)]).expect("DG13");
        assert_eq!(citizen, profile.citizen);
        let faces = lds::parse_dg2(&files[&fid::dg(2)]).expect("DG2");
        assert_eq!(&faces[0].data[..2], &[0xFF, 0xD8]);
        assert_eq!(passive_auth(&files).outcome, lds::pa::PaOutcome::Passed);
        // DG3 exists but is never granted; DG11 does not exist.
        assert!(matches!(session.read_file(fid::dg(3)), Err(Error::AccessDenied(_))));
        assert!(matches!(session.read_file(fid::dg(11)), Err(Error::FileNotFound)));
        session.chip_authenticate(&files[&fid::dg(14)], &mut rng).expect("CA");
        assert!(session.is_chip_authenticated());
        session
            .active_authenticate(&files[&fid::dg(15)], Some(&files[&fid::dg(14)]), &mut rng)
            .expect("AA");
        // Still readable under the CA keys.
        assert_eq!(session.read_file(fid::dg(1)).expect("DG1 after CA"), files[&fid::dg(1)]);
    }
    assert_eq!(card.access_method(), Some(AccessMethod::PaceCan));
    assert!(card.chip_authenticated());
}

#[test]
fn pace_mrz_and_bac_open_sessions() {
    let (profile, mut card) = card(3, CardFaults::default());
    let mut rng = rng();
    {
        let mut s = Session::open(&mut card, &mrz(&profile), &mut rng).expect("PACE-MRZ");
        s.read_file(fid::dg(1)).expect("DG1");
    }
    assert_eq!(card.access_method(), Some(AccessMethod::PaceMrz));

    // A card without PACE (no EF.CardAccess): the session falls back to BAC.
    let mut profile = CardProfile::generate(4);
    profile.pace = false;
    let mut card = profile.build(pki()).expect("card");
    {
        let mut s = Session::open(&mut card, &mrz(&profile), &mut rng).expect("BAC");
        assert_eq!(s.access_protocol(), icao9303::AccessProtocol::Bac);
        let files = read_all(&mut s);
        assert_eq!(passive_auth(&files).outcome, lds::pa::PaOutcome::Passed);
    }
    assert_eq!(card.access_method(), Some(AccessMethod::Bac));
    // CAN on a BAC-only card.
    card.reset();
    assert!(Session::open(&mut card, &can(&profile), &mut rng).is_err());
}

#[test]
fn wrong_keys_are_refused() {
    let (profile, mut card) = card(5, CardFaults::default());
    let mut rng = rng();
    let wrong_can = AccessKey::Can(if profile.can == "000000" { "111111" } else { "000000" }.into());
    assert!(matches!(Session::open(&mut card, &wrong_can, &mut rng), Err(Error::WrongAccessKey)));
    assert!(!card.is_secure());
    card.reset();
    let mut bad = mrz(&profile);
    if let AccessKey::Mrz { date_of_birth, .. } = &mut bad {
        *date_of_birth = "010101".into();
    }
    assert!(Session::open(&mut card, &bad, &mut rng).is_err());
    assert!(!card.is_secure());
    // The right key still works afterwards.
    card.reset();
    Session::open(&mut card, &can(&profile), &mut rng).expect("right CAN");
}

#[test]
fn plain_command_or_bad_mac_ends_the_session() {
    let (profile, mut card) = card(6, CardFaults::default());
    let mut rng = rng();
    {
        let _s = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
    }
    assert!(card.is_secure());
    let r = send(&mut card, &Command::new(0, 0xB0, 0x81, 0).with_le(8));
    assert_eq!(r.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
    assert!(!card.is_secure());

    card.reset();
    let mut s = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
    s.read_file(fid::COM).expect("COM");
    let card = s.into_transport();
    // A protected command with a corrupted MAC: 6988 in the clear, session over.
    let bogus = [
        0x0C, 0xB0, 0x81, 0x00, 0x0D, 0x97, 0x01, 0x08, 0x8E, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x00,
    ];
    assert_eq!(card.process(&bogus), [0x69, 0x88]);
    assert!(!card.is_secure());
}

#[test]
fn reads_by_offset_short_and_extended_le() {
    let (profile, mut card) = card(7, CardFaults::default());
    let mut rng = rng();
    let mut s = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
    assert!(s.max_read_len() > 256, "extended reads allowed: {}", s.max_read_len());
    let dg2 = s.read_file(fid::dg(2)).expect("DG2");
    let extended_apdus = s.apdu_count();
    let card = s.into_transport();
    assert_eq!(dg2, card.files().get(fid::dg(2)).expect("DG2"));

    // The same card with short APDUs only: more APDUs, same bytes.
    card.set_faults(ApduFaults { short_apdu_only: true });
    card.reset();
    let mut s = Session::open(&mut *card, &can(&profile), &mut rng).expect("PACE");
    let before = s.apdu_count();
    assert_eq!(s.read_file(fid::dg(2)).expect("DG2 short"), dg2);
    assert!(s.apdu_count() - before > 8, "short reads need many APDUs");
    assert!(extended_apdus < s.apdu_count());
    let card = s.into_transport();
    // Extended APDU in the clear: 6700.
    let ext = Command::new(0, 0xB0, 0x9C, 0).with_le(1000).to_bytes().expect("encodes");
    assert_eq!(card.process(&ext), [0x67, 0x00]);
}

#[test]
fn tampered_dg_and_bad_signature_fail_passive_auth() {
    let mut rng = rng();
    for faults in [
        CardFaults { tampered_dg: Some(13), ..Default::default() },
        CardFaults { tampered_dg: Some(1), ..Default::default() },
        CardFaults { tampered_dg: Some(2), ..Default::default() },
        CardFaults { bad_sod_signature: true, ..Default::default() },
    ] {
        let (profile, mut card) = card(8, faults);
        let mut s = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
        let files = read_all(&mut s);
        let report = passive_auth(&files);
        assert_eq!(report.outcome, lds::pa::PaOutcome::Failed, "{faults:?}: {report:?}");
    }
    assert!(CardProfile::generate(8)
        .build_with(pki(), CardFaults { tampered_dg: Some(11), ..Default::default() })
        .is_err());
}

#[test]
fn cloned_chip_fails_chip_authentication() {
    let (profile, mut card) = card(9, CardFaults { cloned_chip_key: true, ..Default::default() });
    let mut rng = rng();
    let mut s = Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
    let dg14 = s.read_file(fid::dg(14)).expect("DG14");
    assert!(matches!(s.chip_authenticate(&dg14, &mut rng), Err(Error::ChipAuthenticationFailed)));
}

#[test]
fn garbage_apdus_never_panic() {
    let (profile, mut card) = card(10, CardFaults::default());
    let mut rng = rng();
    let mut buf = [0u8; 300];
    for i in 0..3000u32 {
        let len = (rng.next_u32() % 300) as usize;
        rng.fill_bytes(&mut buf[..len]);
        if len > 1 && i % 3 == 0 {
            buf[0] = [0x00, 0x0C, 0x10][i as usize % 3];
            buf[1] = [0xA4, 0xB0, 0x22, 0x86, 0x84, 0x82, 0x88][i as usize % 7];
        }
        let r = card.process(&buf[..len]);
        assert!(r.len() >= 2);
        if i % 500 == 0 {
            // Also fuzz inside a secure session.
            card.reset();
            Session::open(&mut card, &can(&profile), &mut rng).expect("PACE");
        }
    }
}
