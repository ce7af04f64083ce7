//! Passive authentication end to end with the deterministic test PKI.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use lds::sod::{build_sod_with, SodOptions};
use lds::{
    build_com, build_dg1, build_dg15, build_dg2, build_sod, hash_data_groups, parse_sod,
    passive_auth, ChainStatus, DgHashStatus, HashAlgorithm, PaOutcome, PaReasonCode,
    SignatureStatus, TrustStore,
};
use testpki::{CertSpec, KeyAlg, TestCert};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn fake_jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
    j.extend(std::iter::repeat_n(0x42u8, 300));
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

fn data_groups(aa_key: &TestCert) -> BTreeMap<u8, Vec<u8>> {
    let mut dgs = BTreeMap::new();
    dgs.insert(
        1,
        build_dg1(&[
            "IDVNM0790123453001079012345<<<",
            "7902158M3902158VNM<<<<<<<<<<<4",
            "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<",
        ])
        .unwrap_or_else(|_| {
            build_dg1(&[
                "I<UTOD231458907<<<<<<<<<<<<<<<",
                "7408122F1204159UTO<<<<<<<<<<<6",
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            ])
            .unwrap()
        }),
    );
    dgs.insert(2, build_dg2(&fake_jpeg()).unwrap());
    dgs.insert(13, vec![0x6D, 0x03, 0x30, 0x01, 0x00]);
    dgs.insert(
        15,
        build_dg15(
            &aa_key
                .key
                .public_key_info()
                .map(|s| der::Encode::to_der(&s).unwrap())
                .unwrap(),
        )
        .unwrap(),
    );
    dgs
}

struct Fixture {
    csca: TestCert,
    ds: TestCert,
    dgs: BTreeMap<u8, Vec<u8>>,
    sod: Vec<u8>,
    trust: TrustStore,
}

fn fixture_with(
    csca_spec: &CertSpec,
    ds_spec: &CertSpec,
    hash: HashAlgorithm,
    opts: &SodOptions,
) -> Fixture {
    let csca = testpki::csca_with(csca_spec, "pa-csca").unwrap();
    let ds = testpki::document_signer_with(&csca, ds_spec, "pa-ds").unwrap();
    let dgs = data_groups(&ds);
    let sod = build_sod_with(hash, &hash_data_groups(hash, &dgs), &ds.key, &ds.der, opts).unwrap();
    let mut trust = TrustStore::new();
    trust.add_der(&csca.der).unwrap();
    Fixture {
        csca,
        ds,
        dgs,
        sod,
        trust,
    }
}

fn fixture() -> Fixture {
    fixture_with(
        &CertSpec::csca(),
        &CertSpec::ds(),
        HashAlgorithm::Sha256,
        &SodOptions::default(),
    )
}

#[test]
fn genuine_card_passes() {
    let f = fixture();
    let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Passed, "{:#?}", r.reasons);
    assert_eq!(r.sod_signature, SignatureStatus::Valid);
    assert_eq!(r.chain, ChainStatus::Verified);
    assert_eq!(r.hash_algorithm, Some(HashAlgorithm::Sha256));
    for n in [1, 2, 13, 15] {
        assert_eq!(r.data_groups[&n], DgHashStatus::Match);
    }
    assert!(r
        .csca
        .as_ref()
        .unwrap()
        .subject
        .contains("CSCA TEST VIETNAM"));
    assert!(r
        .ds_certificate
        .as_ref()
        .unwrap()
        .subject
        .contains("DS TEST VIETNAM"));
    // Only the informational note about the missing signing time.
    assert!(
        r.reasons.iter().all(|x| !x.code.is_failure()),
        "{:#?}",
        r.reasons
    );
    assert!(r.has(PaReasonCode::SigningTimeUnknown));
}

#[test]
fn sod_round_trip() {
    let f = fixture();
    let sod = parse_sod(&f.sod).unwrap();
    assert_eq!(sod.hash_algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        sod.data_group_hashes,
        hash_data_groups(HashAlgorithm::Sha256, &f.dgs)
    );
    assert_eq!(sod.ds_certificate().unwrap(), &f.ds.cert);
    assert!(sod.signing_time().is_none());
    assert_eq!(sod.lds_version, None);
    // The stored signed attributes are found and equal the (DER) re-encoding.
    let raw = sod
        .signed_attrs_raw
        .as_ref()
        .expect("raw signed attributes");
    assert_eq!(raw[0], 0x31);
    let reencoded =
        der::Encode::to_der(sod.signer_info().unwrap().signed_attrs.as_ref().unwrap()).unwrap();
    assert_eq!(raw, &reencoded);
    let _ = &f.csca;
}

#[test]
fn dgs_only_partly_read_still_pass() {
    let f = fixture();
    let mut read = f.dgs.clone();
    read.remove(&2);
    let r = passive_auth(&f.sod, &read, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Passed);
    assert_eq!(r.data_groups[&2], DgHashStatus::NotRead);
}

#[test]
fn tampered_dg_fails() {
    let f = fixture();
    let mut dgs = f.dgs.clone();
    let dg2 = dgs.get_mut(&2).unwrap();
    let last = dg2.len() - 3;
    dg2[last] ^= 0x01;
    let r = passive_auth(&f.sod, &dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert_eq!(r.data_groups[&2], DgHashStatus::Mismatch);
    assert_eq!(r.data_groups[&1], DgHashStatus::Match);
    let reason = r
        .reasons
        .iter()
        .find(|x| x.code == PaReasonCode::DgHashMismatch)
        .unwrap();
    assert_eq!(reason.data_group, Some(2));
    // The signature itself is still fine.
    assert_eq!(r.sod_signature, SignatureStatus::Valid);
}

#[test]
fn dg_not_covered_by_sod_fails() {
    let f = fixture();
    let mut dgs = f.dgs.clone();
    dgs.insert(11, vec![0x6B, 0x00]);
    let r = passive_auth(&f.sod, &dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert_eq!(r.data_groups[&11], DgHashStatus::NotInSod);
}

#[test]
fn tampered_sod_signature_fails() {
    let f = fixture();
    let mut sod = f.sod.clone();
    // The SignerInfo's signature (an ECDSA DER value) is the last field of the SOD.
    let n = sod.len() - 1;
    sod[n] ^= 0x55;
    let r = passive_auth(&sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert_eq!(r.sod_signature, SignatureStatus::Invalid);
    assert!(r.has(PaReasonCode::SodSignatureInvalid), "{:#?}", r.reasons);
    // Chain and hashes are still judged separately.
    assert_eq!(r.chain, ChainStatus::Verified);
}

#[test]
fn hashes_signed_by_another_key_fail() {
    // SOD signed by a key that is not the embedded DS certificate's.
    let f = fixture();
    let other = testpki::key_from_seed(KeyAlg::P256, "intruder");
    let sod = build_sod(
        HashAlgorithm::Sha256,
        &hash_data_groups(HashAlgorithm::Sha256, &f.dgs),
        &other,
        &f.ds.der,
    )
    .unwrap();
    let r = passive_auth(&sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert_eq!(r.sod_signature, SignatureStatus::Invalid);
}

#[test]
fn ds_from_untrusted_csca_is_no_trust_anchor() {
    let f = fixture();
    // A store with an unrelated CSCA of another name.
    let other = testpki::csca_with(
        &CertSpec {
            subject: "CN=CSCA TEST ELSEWHERE,O=TEST ONLY,C=VN".into(),
            ..CertSpec::csca()
        },
        "other",
    )
    .unwrap();
    let mut trust = TrustStore::new();
    trust.add_der(&other.der).unwrap();
    let r = passive_auth(&f.sod, &f.dgs, &trust, today());
    assert_eq!(r.outcome, PaOutcome::NoTrustAnchor, "{:#?}", r.reasons);
    assert_eq!(r.chain, ChainStatus::NoTrustAnchor);
    assert!(r.has(PaReasonCode::NoTrustAnchor));
    assert_eq!(r.sod_signature, SignatureStatus::Valid);

    // Same subject name, different key: AKI/SKI differ, still no anchor.
    let twin = testpki::csca("twin-with-same-name");
    let mut trust = TrustStore::new();
    trust.add_der(&twin.der).unwrap();
    let r = passive_auth(&f.sod, &f.dgs, &trust, today());
    assert_eq!(r.outcome, PaOutcome::NoTrustAnchor);

    // Empty store.
    let r = passive_auth(&f.sod, &f.dgs, &TrustStore::new(), today());
    assert_eq!(r.outcome, PaOutcome::NoTrustAnchor);
}

#[test]
fn ds_certificate_with_broken_csca_signature_fails() {
    let f = fixture();
    let mut sod = f.sod.clone();
    // Locate the embedded DS certificate (test-only search) and flip the last byte of its
    // signature, which is the certificate's last byte.
    let at = sod
        .windows(f.ds.der.len())
        .position(|w| w == f.ds.der.as_slice())
        .unwrap();
    sod[at + f.ds.der.len() - 1] ^= 0x01;
    let r = passive_auth(&sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert_eq!(r.chain, ChainStatus::Invalid);
    assert!(
        r.has(PaReasonCode::DsCertificateSignatureInvalid),
        "{:#?}",
        r.reasons
    );
    // The SOD signature itself does not cover the certificate.
    assert_eq!(r.sod_signature, SignatureStatus::Valid);
}

#[test]
fn no_trust_anchor_with_tampered_dg_is_failed() {
    let f = fixture();
    let mut dgs = f.dgs.clone();
    dgs.get_mut(&1).unwrap()[10] ^= 0x02;
    let r = passive_auth(&f.sod, &dgs, &TrustStore::new(), today());
    assert_eq!(r.outcome, PaOutcome::Failed);
}

#[test]
fn ds_expired_at_signing_fails() {
    let ds_spec = CertSpec {
        not_before: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
        not_after: NaiveDate::from_ymd_opt(2022, 12, 31).unwrap(),
        ..CertSpec::ds()
    };
    let opts = SodOptions {
        signing_time: Some(Utc.with_ymd_and_hms(2024, 3, 1, 8, 0, 0).unwrap()),
        ..SodOptions::default()
    };
    let f = fixture_with(&CertSpec::csca(), &ds_spec, HashAlgorithm::Sha256, &opts);
    assert_eq!(parse_sod(&f.sod).unwrap().signing_time(), opts.signing_time);
    let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert!(
        r.has(PaReasonCode::DsCertificateNotValidAtSigning),
        "{:#?}",
        r.reasons
    );

    // Signed while the DS was valid: passes even though the DS has expired since.
    let opts = SodOptions {
        signing_time: Some(Utc.with_ymd_and_hms(2022, 6, 1, 8, 0, 0).unwrap()),
        ..SodOptions::default()
    };
    let f = fixture_with(&CertSpec::csca(), &ds_spec, HashAlgorithm::Sha256, &opts);
    let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Passed, "{:#?}", r.reasons);
    assert!(!r.has(PaReasonCode::SigningTimeUnknown));

    // No signing time and DS expired before today.
    let f = fixture_with(
        &CertSpec::csca(),
        &ds_spec,
        HashAlgorithm::Sha256,
        &SodOptions::default(),
    );
    let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Failed);
    assert!(r.has(PaReasonCode::DsCertificateExpired));
}

#[test]
fn malformed_sod_fails_without_panicking() {
    let f = fixture();
    for bad in [
        vec![],
        vec![0x77, 0x00],
        vec![0x77, 0x03, 0x30, 0x01, 0x00],
        f.sod[..f.sod.len() / 2].to_vec(),
    ] {
        let r = passive_auth(&bad, &f.dgs, &f.trust, today());
        assert_eq!(r.outcome, PaOutcome::Failed);
        assert!(r.has(PaReasonCode::SodMalformed), "{:#?}", r.reasons);
    }
}

#[test]
fn other_algorithms_verify() {
    let cases = [
        (KeyAlg::P384, KeyAlg::P384, HashAlgorithm::Sha384),
        (KeyAlg::P521, KeyAlg::P521, HashAlgorithm::Sha512),
        (
            KeyAlg::BrainpoolP256r1,
            KeyAlg::BrainpoolP256r1,
            HashAlgorithm::Sha256,
        ),
        (
            KeyAlg::BrainpoolP384r1,
            KeyAlg::BrainpoolP384r1,
            HashAlgorithm::Sha384,
        ),
        (KeyAlg::P256, KeyAlg::P256, HashAlgorithm::Sha1),
        (KeyAlg::Rsa2048, KeyAlg::Rsa2048Pss, HashAlgorithm::Sha256),
        (KeyAlg::P256, KeyAlg::Rsa2048, HashAlgorithm::Sha512),
    ];
    for (ca_alg, ds_alg, hash) in cases {
        let csca = CertSpec {
            key_alg: ca_alg,
            signature_hash: hash,
            ..CertSpec::csca()
        };
        let ds = CertSpec {
            key_alg: ds_alg,
            signature_hash: hash,
            ..CertSpec::ds()
        };
        let f = fixture_with(&csca, &ds, hash, &SodOptions::default());
        let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
        assert_eq!(
            r.outcome,
            PaOutcome::Passed,
            "{ca_alg:?}/{ds_alg:?}/{hash:?}: {:#?}",
            r.reasons
        );
        assert_eq!(r.hash_algorithm, Some(hash));

        let mut sod = f.sod.clone();
        let n = sod.len() - 2;
        sod[n] ^= 0x10;
        let r = passive_auth(&sod, &f.dgs, &f.trust, today());
        assert_eq!(
            r.outcome,
            PaOutcome::Failed,
            "{ca_alg:?}/{ds_alg:?}/{hash:?} tampered"
        );
    }
}

#[test]
fn explicit_ec_domain_parameters_verify() {
    for alg in [
        KeyAlg::P256,
        KeyAlg::BrainpoolP256r1,
        KeyAlg::BrainpoolP384r1,
    ] {
        let csca = CertSpec {
            key_alg: alg,
            explicit_ec_params: true,
            ..CertSpec::csca()
        };
        let ds = CertSpec {
            key_alg: alg,
            explicit_ec_params: true,
            ..CertSpec::ds()
        };
        let f = fixture_with(&csca, &ds, HashAlgorithm::Sha256, &SodOptions::default());
        let params =
            f.ds.cert
                .tbs_certificate()
                .subject_public_key_info()
                .algorithm
                .parameters
                .clone()
                .unwrap();
        assert!(
            params.decode_as::<der::asn1::ObjectIdentifier>().is_err(),
            "explicit, not named"
        );
        let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
        assert_eq!(r.outcome, PaOutcome::Passed, "{alg:?}: {:#?}", r.reasons);
    }
}

#[test]
fn sod_without_ds_certificate_is_no_trust_anchor_unless_data_is_wrong() {
    let opts = SodOptions {
        omit_certificate: true,
        ..SodOptions::default()
    };
    let f = fixture_with(
        &CertSpec::csca(),
        &CertSpec::ds(),
        HashAlgorithm::Sha256,
        &opts,
    );
    assert!(parse_sod(&f.sod).unwrap().certificates.is_empty());
    let r = passive_auth(&f.sod, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::NoTrustAnchor, "{:#?}", r.reasons);
    assert!(r.has(PaReasonCode::DsCertificateMissing));
    assert_eq!(r.sod_signature, SignatureStatus::NotChecked);

    let mut dgs = f.dgs.clone();
    dgs.get_mut(&15).unwrap()[5] ^= 1;
    assert_eq!(
        passive_auth(&f.sod, &dgs, &f.trust, today()).outcome,
        PaOutcome::Failed
    );
}

#[test]
fn com_lists_the_groups() {
    let com = lds::parse_com(&build_com(&[1, 2, 13, 14, 15]).unwrap()).unwrap();
    assert_eq!(com.data_groups, vec![1, 2, 13, 14, 15]);
}

#[test]
fn trust_store_loads_a_folder_and_skips_bad_files() {
    let dir = std::env::temp_dir().join(format!("lds-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let a = testpki::csca("dir-a");
    let b = testpki::csca_with(
        &CertSpec {
            subject: "CN=CSCA TEST VIETNAM B,O=TEST ONLY,C=VN".into(),
            ..CertSpec::csca()
        },
        "dir-b",
    )
    .unwrap();
    let c = testpki::csca_with(
        &CertSpec {
            subject: "CN=CSCA TEST VIETNAM C,O=TEST ONLY,C=VN".into(),
            ..CertSpec::csca()
        },
        "dir-c",
    )
    .unwrap();
    a.write_pem(&dir.join("a.pem")).unwrap();
    b.write_der(&dir.join("b.cer")).unwrap();
    let ml = testpki::master_list(&a, &[&a, &c]).unwrap();
    std::fs::write(dir.join("list.ml"), ml).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a certificate").unwrap();
    std::fs::create_dir_all(dir.join("subdir")).unwrap();

    let (store, warnings) = TrustStore::load_dir(&dir).unwrap();
    assert_eq!(store.len(), 3, "a (twice, deduplicated), b, c");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].path.ends_with("notes.txt"));

    let missing = TrustStore::load_dir(&dir.join("does-not-exist")).unwrap_err();
    assert_eq!(missing.code(), "trust_store_unreadable");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lds_version_info_round_trip() {
    let opts = SodOptions {
        lds_version: Some(("0108".into(), "040000".into())),
        ..SodOptions::default()
    };
    let f = fixture_with(
        &CertSpec::csca(),
        &CertSpec::ds(),
        HashAlgorithm::Sha256,
        &opts,
    );
    let sod = parse_sod(&f.sod).unwrap();
    assert_eq!(
        sod.lds_version,
        Some(("0108".to_string(), "040000".to_string()))
    );
    assert_eq!(
        passive_auth(&f.sod, &f.dgs, &f.trust, today()).outcome,
        PaOutcome::Passed
    );
}

#[test]
fn report_serializes_with_the_stable_codes() {
    use PaReasonCode::*;
    let all = [
        SodMalformed,
        SodUnsupportedAlgorithm,
        DsCertificateMissing,
        MessageDigestMismatch,
        ContentTypeMismatch,
        SodSignatureInvalid,
        SodSignatureUnsupported,
        NoTrustAnchor,
        DsCertificateSignatureInvalid,
        DsCertificateSignatureUnsupported,
        DsCertificateNotValidAtSigning,
        DsCertificateExpired,
        DsCertificateNotYetValid,
        CscaNotValidAtIssuance,
        DgHashMismatch,
        DgNotInSod,
        SigningTimeUnknown,
    ];
    for c in all {
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.code())
        );
        assert!(!c.message_vi().is_empty());
    }
    let f = fixture();
    let r = passive_auth(&f.sod, &f.dgs, &TrustStore::new(), today());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["outcome"], "no_trust_anchor");
    assert_eq!(json["data_groups"]["1"], "match");
    assert_eq!(json["hash_algorithm"], "sha256");
}

/// Test-only BER writer: re-encodes the outer layers of a DER SOD (77, ContentInfo, [0],
/// SignedData) with indefinite lengths, as some issuers' SODs are.
fn outer_layers_indefinite(sod: &[u8]) -> Vec<u8> {
    use lds::tlv::{encode, iter, read_single};
    let outer = read_single(sod).unwrap();
    let ci = read_single(outer.value).unwrap();
    let parts: Vec<_> = iter(ci.value).map(Result::unwrap).collect();
    let oid = encode(parts[0].tag, parts[0].value);
    let sd = read_single(parts[1].value).unwrap();
    [
        &[0x77, 0x80, 0x30, 0x80][..],
        &oid,
        &[0xA0, 0x80, 0x30, 0x80],
        sd.value,
        &[0, 0, 0, 0, 0, 0, 0, 0],
    ]
    .concat()
}

#[test]
fn ber_indefinite_length_sod_verifies() {
    let f = fixture();
    let ber = outer_layers_indefinite(&f.sod);
    assert_ne!(ber, f.sod);
    let sod = parse_sod(&ber).unwrap();
    assert_eq!(
        sod.data_group_hashes,
        hash_data_groups(HashAlgorithm::Sha256, &f.dgs)
    );
    let r = passive_auth(&ber, &f.dgs, &f.trust, today());
    assert_eq!(r.outcome, PaOutcome::Passed, "{:#?}", r.reasons);
    // Garbage after the end-of-contents octets is still rejected.
    let mut bad = ber.clone();
    bad.extend_from_slice(&[0x12, 0x34]);
    assert_eq!(
        passive_auth(&bad, &f.dgs, &f.trust, today()).outcome,
        PaOutcome::Failed
    );
}
