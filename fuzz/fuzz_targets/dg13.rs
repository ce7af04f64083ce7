#![no_main]
//! DG13 parser on arbitrary bytes: must never panic; whatever parses must survive a rebuild.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = cccd::parse_dg13_detailed(data) {
        // The parsed citizen rebuilt and parsed again must be stable.
        let rebuilt = cccd::build_dg13(&d.citizen);
        let again = cccd::parse_dg13(&rebuilt).expect("a built DG13 parses");
        assert_eq!(again.id_number, d.citizen.id_number);
        assert_eq!(again.full_name, d.citizen.full_name);
    }
    // Also treat the input as the value of a DG13 so the walker sees deep structures.
    let wrapped = lds::tlv::encode(0x6D, data);
    let _ = cccd::parse_dg13(&wrapped);
});
