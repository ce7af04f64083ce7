//! Every parser is total: byte flips and truncations of valid files give errors or reports,
//! never panics (a deterministic complement to the fuzz targets).

use std::collections::BTreeMap;

use lds::{
    build_com, build_dg1, build_dg15, build_dg2, build_sod, hash_data_groups, passive_auth,
    HashAlgorithm, PaOutcome, TrustStore,
};

fn today() -> lds::chrono::NaiveDate {
    lds::chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

#[test]
fn sod_flips_and_truncations_never_pass_or_panic() {
    let csca = testpki::csca("robust-csca");
    let ds = testpki::document_signer(&csca, "robust-ds");
    let mut dgs = BTreeMap::new();
    dgs.insert(
        1u8,
        build_dg1(&[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ])
        .unwrap(),
    );
    let sod = build_sod(
        HashAlgorithm::Sha256,
        &hash_data_groups(HashAlgorithm::Sha256, &dgs),
        &ds.key,
        &ds.der,
    )
    .unwrap();
    let mut trust = TrustStore::new();
    trust.add_der(&csca.der).unwrap();
    assert_eq!(
        passive_auth(&sod, &dgs, &trust, today()).outcome,
        PaOutcome::Passed
    );

    for i in 0..sod.len() {
        let mut m = sod.clone();
        m[i] ^= 0xFF;
        let r = passive_auth(&m, &dgs, &trust, today());
        // A flip may land in an unsigned, unchecked place only if it breaks nothing; it must
        // never turn into a pass with different bytes unless the byte is insignificant.
        if r.outcome == PaOutcome::Passed {
            let parsed = lds::parse_sod(&m).unwrap();
            assert_eq!(
                parsed.data_group_hashes,
                lds::parse_sod(&sod).unwrap().data_group_hashes,
                "flip at {i}"
            );
        }
        let _ = lds::parse_sod(&m);
    }
    for cut in 0..sod.len() {
        let r = passive_auth(&sod[..cut], &dgs, &trust, today());
        assert_ne!(r.outcome, PaOutcome::Passed, "truncated at {cut}");
    }
}

#[test]
fn data_group_parsers_survive_flips_and_truncations() {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02];
    jpeg.extend(std::iter::repeat_n(0x11u8, 64));
    let key = testpki::key_from_seed(testpki::KeyAlg::P256, "robust-aa");
    let spki = der::Encode::to_der(&key.public_key_info().unwrap()).unwrap();
    let files = [
        build_com(&[1, 2, 13, 14, 15]).unwrap(),
        build_dg1(&[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ])
        .unwrap(),
        build_dg2(&jpeg).unwrap(),
        build_dg15(&spki).unwrap(),
    ];
    let all = |b: &[u8]| {
        let _ = lds::parse_com(b);
        let _ = lds::parse_dg1(b);
        let _ = lds::parse_dg2(b);
        let _ = lds::parse_dg15(b);
        let _ = TrustStore::new().add_bytes(b);
    };
    for f in &files {
        for i in 0..f.len() {
            for x in [0x01u8, 0x80, 0xFF] {
                let mut m = f.clone();
                m[i] ^= x;
                all(&m);
            }
        }
        for cut in 0..f.len() {
            all(&f[..cut]);
        }
    }
    assert!(lds::parse_dg15(&files[3]).is_ok());
}
