#![no_main]
//! EF.SOD parsing and passive authentication on arbitrary bytes: must never panic.

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sod) = lds::parse_sod(data) {
        let _ = sod.signing_time();
        let _ = sod.ds_certificate();
    }
    let wrapped = lds::tlv::encode(0x77, data);
    let _ = lds::parse_sod(&wrapped);

    let mut dgs = BTreeMap::new();
    dgs.insert(
        1u8,
        data.get(..data.len().min(16)).unwrap_or_default().to_vec(),
    );
    let today = lds::chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let report = lds::passive_auth(&wrapped, &dgs, &lds::TrustStore::new(), today);
    assert_ne!(report.outcome, lds::PaOutcome::Passed);
    let _ = lds::TrustStore::new().add_bytes(data);
    let _ = lds::parse_dg1(data);
    let _ = lds::parse_dg2(data);
    let _ = lds::parse_com(data);
    let _ = lds::parse_dg15(data);
});
