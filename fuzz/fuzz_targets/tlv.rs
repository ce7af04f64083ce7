//! Fuzzes the BER-TLV parser: no panic on any input, and whatever parses re-encodes to a TLV
//! that parses back to the same tag and value.
#![no_main]

use iso7816::tlv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tlv::parse_header(data);
    for item in tlv::iter(data) {
        let Ok(t) = item else { break };
        let again = t.to_bytes();
        let back = tlv::parse_exact(&again).expect("re-encoded TLV parses");
        assert_eq!((back.tag, back.value), (t.tag, t.value));
        if t.tag.is_constructed() {
            for child in t.children() {
                if child.is_err() {
                    break;
                }
            }
        }
    }
    let _ = iso7816::Command::parse(data);
    let _ = iso7816::Response::parse(data);
    let _ = icao9303::security_infos::SecurityInfos::parse(data);
});
