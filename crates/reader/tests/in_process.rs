//! The whole read against the software card in process (no PC/SC): access methods, every
//! verification outcome, and the errors that stop a read.

use card_sim::{Card, CardFaults, CardProfile, SimPki};
use chrono::NaiveDate;
use iso7816::{Capabilities, Transport, TransportError};
use lds::TrustStore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use reader::{
    read_card, AccessKey, AccessMethod, ActiveAuthStatus, ChipAuthStatus, PassiveStatus,
    ReadError, ReadOptions, ReadPhase,
};

/// A transport straight into the software card, optionally "removing" it after N APDUs.
struct Direct {
    card: Card,
    sent: usize,
    remove_after: Option<usize>,
    extended: bool,
}

impl Transport for Direct {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.remove_after.is_some_and(|n| self.sent >= n) {
            return Err(TransportError::CardRemoved);
        }
        self.sent += 1;
        Ok(self.card.process(command))
    }
    fn capabilities(&self) -> Capabilities {
        if self.extended {
            Capabilities { extended_length: true, max_command_len: 65544, max_response_len: 65538 }
        } else {
            Capabilities::default()
        }
    }
}

fn pki() -> SimPki {
    SimPki::generate("reader-tests")
}

fn trust(pki: &SimPki) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_der(&pki.csca.der).expect("CSCA parses");
    t
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date")
}

fn direct(card: Card) -> Direct {
    Direct { card, sent: 0, remove_after: None, extended: false }
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

fn read(
    t: &mut Direct,
    key: &AccessKey,
    trust: &TrustStore,
) -> (Result<reader::ReadOutcome, ReadError>, Vec<ReadPhase>) {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut phases = Vec::new();
    let opts = ReadOptions::full(trust, today());
    let r = read_card(t, key, &opts, &mut rng, &mut |p| phases.push(p));
    (r, phases)
}

#[test]
fn pace_can_reads_and_verifies_every_field() {
    let pki = pki();
    let trust = trust(&pki);
    for seed in [1u64, 2, 3, 4] {
        let profile = CardProfile::generate(seed);
        let mut t = direct(profile.build(&pki).expect("card builds"));
        let (r, phases) = read(&mut t, &can(&profile), &trust);
        let out = r.expect("read succeeds");
        assert_eq!(out.access, AccessMethod::PaceCan);
        assert_eq!(out.citizen, profile.citizen, "seed {seed}: citizen differs");
        assert_eq!(out.mrz, profile.mrz);
        assert_eq!(out.verification.passive, PassiveStatus::Ok, "{:?}", out.verification);
        assert_eq!(out.verification.chip_auth, ChipAuthStatus::Ok);
        assert_eq!(out.verification.active_auth, ActiveAuthStatus::Ok);
        assert!(out.verification.is_verified());
        assert!(out.verification.reasons.is_empty(), "{:?}", out.verification.reasons);
        let photo = out.photo.expect("portrait read");
        assert_eq!(photo.format, "jpeg");
        assert_eq!(&photo.data[..2], &[0xFF, 0xD8]);
        assert_eq!(out.apdus as usize, t.sent, "APDU counter matches what was sent");
        assert_eq!(phases.first(), Some(&ReadPhase::Access));
        assert_eq!(phases.last(), Some(&ReadPhase::Done));
        assert!(phases.contains(&ReadPhase::ChipAuth) && phases.contains(&ReadPhase::ReadPhoto));
    }
}

#[test]
fn pace_mrz_and_bac_fallback() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(11);
    let mut t = direct(profile.build(&pki).expect("card builds"));
    let out = read(&mut t, &mrz(&profile), &trust).0.expect("PACE-MRZ read");
    assert_eq!(out.access, AccessMethod::PaceMrz);
    assert!(out.verification.is_verified());

    // A card without PACE: the MRZ key falls back to BAC, a CAN cannot open it.
    let mut bac_only = profile.clone();
    bac_only.pace = false;
    let mut t = direct(bac_only.build(&pki).expect("card builds"));
    let out = read(&mut t, &mrz(&bac_only), &trust).0.expect("BAC read");
    assert_eq!(out.access, AccessMethod::Bac);
    assert_eq!(out.citizen, bac_only.citizen);
    assert!(out.verification.is_verified(), "{:?}", out.verification);
    let mut t = direct(bac_only.build(&pki).expect("card builds"));
    let err = read(&mut t, &can(&bac_only), &trust).0.expect_err("CAN on a BAC-only card");
    assert_eq!(err.code(), "mrz_required");
}

#[test]
fn extended_length_reads_use_fewer_apdus() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(5);
    let mut short = direct(profile.build(&pki).expect("card builds"));
    let a = read(&mut short, &can(&profile), &trust).0.expect("short read");
    let mut ext = direct(profile.build(&pki).expect("card builds"));
    ext.extended = true;
    let b = read(&mut ext, &can(&profile), &trust).0.expect("extended read");
    assert_eq!(a.citizen, b.citizen);
    assert!(b.apdus < a.apdus, "extended {} vs short {}", b.apdus, a.apdus);
    assert!(b.stats.max_read_len > 0xFF);
}

#[test]
fn short_only_card_still_reads_with_an_extended_reader() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(6);
    let faults = CardFaults { short_apdu_only: true, ..CardFaults::default() };
    let mut t = direct(profile.build_with(&pki, faults).expect("card builds"));
    t.extended = true;
    let out = read(&mut t, &can(&profile), &trust).0.expect("falls back to short reads");
    assert!(out.verification.is_verified());
}

#[test]
fn wrong_can_is_a_clear_error() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(8);
    let wrong = if profile.can == "000000" { "111111" } else { "000000" };
    let mut t = direct(profile.build(&pki).expect("card builds"));
    let err = read(&mut t, &AccessKey::Can(wrong.into()), &trust).0.expect_err("wrong CAN");
    assert_eq!(err.code(), "wrong_access_key");
    assert!(err.message_vi().contains("CAN"));
}

#[test]
fn tampered_data_group_fails_passive_authentication() {
    let pki = pki();
    let trust = trust(&pki);
    for dg in [1u8, 2, 13] {
        let profile = CardProfile::generate(20 + u64::from(dg));
        let faults = CardFaults { tampered_dg: Some(dg), ..CardFaults::default() };
        let mut t = direct(profile.build_with(&pki, faults).expect("card builds"));
        let out = read(&mut t, &can(&profile), &trust).0.expect("read succeeds");
        assert_eq!(out.verification.passive, PassiveStatus::Failed, "DG{dg}");
        assert!(!out.verification.is_verified());
        assert!(
            out.verification.reasons.iter().any(|r| r.starts_with("dg_hash_mismatch")),
            "DG{dg}: {:?}",
            out.verification.reasons
        );
    }
}

#[test]
fn bad_sod_signature_fails_passive_authentication() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(30);
    let faults = CardFaults { bad_sod_signature: true, ..CardFaults::default() };
    let mut t = direct(profile.build_with(&pki, faults).expect("card builds"));
    let out = read(&mut t, &can(&profile), &trust).0.expect("read succeeds");
    assert_eq!(out.verification.passive, PassiveStatus::Failed);
    assert!(out.verification.reasons.iter().any(|r| r.starts_with("sod_signature_invalid")
        || r.starts_with("message_digest_mismatch")), "{:?}", out.verification.reasons);
}

#[test]
fn cloned_chip_fails_chip_authentication_but_shows_the_data() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(31);
    let faults = CardFaults { cloned_chip_key: true, ..CardFaults::default() };
    let mut t = direct(profile.build_with(&pki, faults).expect("card builds"));
    let out = read(&mut t, &can(&profile), &trust).0.expect("read succeeds");
    assert_eq!(out.verification.chip_auth, ChipAuthStatus::Failed);
    assert!(!out.verification.is_verified());
    assert_eq!(out.citizen, profile.citizen);
    assert!(out.verification.reasons.iter().any(|r| r.starts_with("chip_auth")));
}

#[test]
fn unknown_csca_is_no_trust_anchor() {
    let pki = pki();
    let other = SimPki::generate("another-country");
    let profile = CardProfile::generate(32);
    let mut t = direct(profile.build(&pki).expect("card builds"));
    let out = read(&mut t, &can(&profile), &trust(&other)).0.expect("read succeeds");
    assert_eq!(out.verification.passive, PassiveStatus::NoTrustAnchor);
    assert!(!out.verification.is_verified());
    let mut t = direct(profile.build(&pki).expect("card builds"));
    let out = read(&mut t, &can(&profile), &TrustStore::new()).0.expect("read succeeds");
    assert_eq!(out.verification.passive, PassiveStatus::NoTrustAnchor);
}

#[test]
fn card_removed_mid_read_then_read_again() {
    let pki = pki();
    let trust = trust(&pki);
    let profile = CardProfile::generate(40);
    for n in [0usize, 1, 3, 6, 10, 15] {
        let mut t = direct(profile.build(&pki).expect("card builds"));
        t.remove_after = Some(n);
        let err = read(&mut t, &can(&profile), &trust).0.expect_err("removed");
        assert_eq!(err.code(), "card_removed", "after {n} APDUs");
        assert!(err.is_retryable());
        // Placed again: the card is reset (new power-up) and reads cleanly.
        t.card.reset();
        t.remove_after = None;
        let out = read(&mut t, &can(&profile), &trust).0.expect("read after re-insert");
        assert!(out.verification.is_verified());
    }
}

#[test]
fn a_card_without_the_applet_is_not_an_id_card() {
    struct NotACccd;
    impl Transport for NotACccd {
        fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(vec![0x6A, 0x82])
        }
    }
    let trust = TrustStore::new();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let opts = ReadOptions::full(&trust, today());
    let key = AccessKey::Can("123456".into());
    let err = read_card(NotACccd, &key, &opts, &mut rng, &mut |_| {}).expect_err("no applet");
    assert_eq!(err.code(), "not_an_id_card", "{err:?}");
}

#[test]
fn garbage_responses_never_panic() {
    // Every response is a deterministic pseudo-random byte string: the read must end in an
    // error, not a panic.
    struct Garbage(u64);
    impl Transport for Garbage {
        fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (self.0 >> 59) as usize;
            Ok((0..len).map(|i| (self.0 >> (i % 8 * 8)) as u8).collect())
        }
    }
    let trust = TrustStore::new();
    let opts = ReadOptions::full(&trust, today());
    for seed in 0..200u64 {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let key = AccessKey::Can("123456".into());
        assert!(read_card(Garbage(seed), &key, &opts, &mut rng, &mut |_| {}).is_err());
    }
}
