//! DG13 parsing tables (made-up citizens only).

use cccd::{build_dg13, parse_dg13, parse_dg13_detailed, CccdError, Citizen, Dg13Warning};
use chrono::NaiveDate;
use lds::tlv::encode;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn sample() -> Citizen {
    Citizen {
        id_number: "001090012345".into(),
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: Some(d(1990, 5, 10)),
        gender: Some("Nam".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        religion: Some("Không".into()),
        hometown: Some("Xã Phú Thượng, Huyện Phú Vang, Thừa Thiên Huế".into()),
        residence: Some("Số 12 Ngõ 34 Phố Thử Nghiệm, Phường Mẫu, Quận Ví Dụ, Hà Nội".into()),
        identifying_features: Some("Nốt ruồi C:2cm trên trước đầu lông mày trái".into()),
        issue_date: Some(d(2021, 4, 15)),
        expiry_date: Some(d(2030, 5, 10)),
        father_name: Some("Nguyễn Văn Bình".into()),
        mother_name: Some("Trần Thị Cúc".into()),
        spouse_name: Some("Lê Thị Dung".into()),
        old_id_number: Some("012345678".into()),
    }
}

/// One field `30 { 02 01 n, value }`.
fn f(n: u8, value: Vec<u8>) -> Vec<u8> {
    let mut v = encode(0x02, &[n]);
    v.extend(value);
    encode(0x30, &v)
}

fn utf8(s: &str) -> Vec<u8> {
    encode(0x0C, s.as_bytes())
}

/// Wraps fields in the full header structure.
fn dg13(fields: &[Vec<u8>]) -> Vec<u8> {
    let mut header = encode(0x02, &[1]);
    header.extend(encode(0x06, &[0x28, 0xD3, 0x16, 0x01, 0x00, 0x08]));
    header.extend(encode(0x31, &fields.concat()));
    encode(0x6D, &encode(0x30, &header))
}

/// TLV with a deliberately non-minimal 3-byte long-form length (`82 00 LL` / `82 HH LL`).
fn long_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![tag, 0x82];
    v.extend_from_slice(&(value.len() as u16).to_be_bytes());
    v.extend_from_slice(value);
    v
}

#[test]
fn round_trip_full_citizen() {
    let c = sample();
    let bytes = build_dg13(&c);
    assert_eq!(bytes[0], 0x6D);
    assert_eq!(parse_dg13(&bytes).unwrap(), c);
}

#[test]
fn round_trip_300_byte_residence_uses_long_form() {
    let mut c = sample();
    let mut residence = String::from("Thôn Thử Nghiệm, ");
    while residence.len() < 300 {
        residence.push_str("Xóm Ví Dụ, ");
    }
    c.residence = Some(residence.trim_end_matches([',', ' ']).to_string());
    let bytes = build_dg13(&c);
    assert!(bytes.len() > 400);
    assert_eq!(bytes[1], 0x82, "outer length must be long form");
    let back = parse_dg13(&bytes).unwrap();
    assert_eq!(back.residence, c.residence);
    assert!(back.residence.as_ref().unwrap().len() >= 300);
    assert_eq!(back, c);
}

#[test]
fn no_expiry_and_absent_fields_round_trip() {
    let c = Citizen {
        id_number: "079160012345".into(),
        full_name: "Phạm Thị Em".into(),
        date_of_birth: Some(d(1960, 1, 15)),
        gender: Some("Nữ".into()),
        expiry_date: None,
        mother_name: Some("Hoàng Thị Gấm".into()),
        ..Citizen::default()
    };
    let bytes = build_dg13(&c);
    let det = parse_dg13_detailed(&bytes).unwrap();
    assert_eq!(det.citizen, c);
    assert!(det.no_expiry);
    assert_eq!(det.expiry_text.as_deref(), Some("Không thời hạn"));
    assert_eq!(det.citizen.father_name, None);
}

#[test]
fn non_minimal_long_form_lengths_everywhere() {
    let name = "Nguyễn Văn An";
    let field1 = long_tlv(
        0x30,
        &[encode(0x02, &[1]), long_tlv(0x13, b"001090012345")].concat(),
    );
    let field2 = long_tlv(
        0x30,
        &[
            vec![0x02, 0x81, 0x01, 0x02],
            long_tlv(0x0C, name.as_bytes()),
        ]
        .concat(),
    );
    let set = long_tlv(0x31, &[field1, field2].concat());
    let mut header = encode(0x02, &[1]);
    header.extend(encode(0x06, &[0x28, 0xD3, 0x16, 0x01, 0x00, 0x08]));
    header.extend(set);
    let bytes = long_tlv(0x6D, &long_tlv(0x30, &header));
    let c = parse_dg13(&bytes).unwrap();
    assert_eq!(c.id_number, "001090012345");
    assert_eq!(c.full_name, name);
}

#[test]
fn value_string_types_are_all_accepted() {
    let bytes = dg13(&[
        f(1, encode(0x13, b"001090012345")),
        f(2, encode(0x04, "Trần Thị Bình".as_bytes())),
        f(4, encode(0x0C, "Nữ".as_bytes())),
        f(5, encode(0x16, b"Viet Nam")),
        // BMP (UTF-16BE) "Kinh"
        f(6, encode(0x1E, &[0, b'K', 0, b'i', 0, b'n', 0, b'h'])),
    ]);
    let c = parse_dg13(&bytes).unwrap();
    assert_eq!(c.full_name, "Trần Thị Bình");
    assert_eq!(c.gender.as_deref(), Some("Nữ"));
    assert_eq!(c.nationality.as_deref(), Some("Viet Nam"));
    assert_eq!(c.ethnicity.as_deref(), Some("Kinh"));
}

#[test]
fn text_is_nfc_normalized_and_trimmed() {
    // "Nguyễn" with combining circumflex + tilde (NFD-ish) and padding.
    let decomposed = "  Nguye\u{0302}\u{0303}n Va\u{0306}n An\0";
    let bytes = dg13(&[f(1, utf8("001090012345")), f(2, utf8(decomposed))]);
    let c = parse_dg13(&bytes).unwrap();
    assert_eq!(c.full_name, "Nguy\u{1EC5}n V\u{0103}n An");
}

#[test]
fn old_cmnd_found_in_either_15_or_16() {
    let base = [f(1, utf8("001090012345")), f(2, utf8("Nguyễn Văn An"))];
    let orders = [
        (f(15, utf8("012345678")), f(16, utf8("AB-OPAQUE-1"))),
        (f(15, utf8("AB-OPAQUE-1")), f(16, utf8("012345678"))),
        (f(16, utf8("012345678")), f(15, utf8("AB-OPAQUE-1"))),
    ];
    for (a, b) in orders {
        let bytes = dg13(&[base[0].clone(), base[1].clone(), a, b]);
        let det = parse_dg13_detailed(&bytes).unwrap();
        assert_eq!(det.citizen.old_id_number.as_deref(), Some("012345678"));
        assert_eq!(det.other_value.as_deref(), Some("AB-OPAQUE-1"));
    }
    // Neither is a CMND: no old ID.
    let bytes = dg13(&[
        base[0].clone(),
        base[1].clone(),
        f(15, utf8("12345")),
        f(16, utf8("0123456789")),
    ]);
    assert_eq!(parse_dg13(&bytes).unwrap().old_id_number, None);
}

#[test]
fn parents_in_every_shape() {
    let id = f(1, utf8("001090012345"));
    let father = "Nguyễn Văn Bình";
    let mother = "Trần Thị Cúc";
    let shapes: Vec<(Vec<u8>, Option<&str>, Option<&str>)> = vec![
        // 30 {father}, 30 {mother}
        (
            [encode(0x30, &utf8(father)), encode(0x30, &utf8(mother))].concat(),
            Some(father),
            Some(mother),
        ),
        // bare strings
        (
            [utf8(father), utf8(mother)].concat(),
            Some(father),
            Some(mother),
        ),
        // one sequence holding both
        (
            encode(0x30, &[utf8(father), utf8(mother)].concat()),
            Some(father),
            Some(mother),
        ),
        // father unknown (empty sequence)
        (
            [encode(0x30, &[]), encode(0x30, &utf8(mother))].concat(),
            None,
            Some(mother),
        ),
        // father unknown (empty string)
        ([utf8(""), utf8(mother)].concat(), None, Some(mother)),
    ];
    for (value, fa, mo) in shapes {
        let bytes = dg13(&[id.clone(), f(2, utf8("Nguyễn Văn An")), f(13, value)]);
        let c = parse_dg13(&bytes).unwrap();
        assert_eq!(c.father_name.as_deref(), fa);
        assert_eq!(c.mother_name.as_deref(), mo);
    }
}

#[test]
fn missing_duplicate_and_unknown_fields() {
    let bytes = dg13(&[
        f(1, utf8("001090012345")),
        f(2, utf8("Nguyễn Văn An")),
        f(2, utf8("Tên Thứ Hai")),
        f(3, utf8("10/05/1990")),
        f(20, utf8("unknown future field")),
        f(11, utf8("ngày không rõ")),
    ]);
    let det = parse_dg13_detailed(&bytes).unwrap();
    assert_eq!(det.citizen.full_name, "Nguyễn Văn An");
    assert_eq!(det.citizen.date_of_birth, Some(d(1990, 5, 10)));
    assert_eq!(det.citizen.issue_date, None);
    assert_eq!(det.citizen.residence, None);
    assert_eq!(det.citizen.expiry_date, None);
    assert!(!det.no_expiry);
    assert!(det.warnings.contains(&Dg13Warning::DuplicateField(2)));
    assert!(det
        .warnings
        .iter()
        .any(|w| matches!(w, Dg13Warning::UnreadableDate { field: 11, .. })));

    let no_name = dg13(&[f(1, utf8("001090012345"))]);
    let det = parse_dg13_detailed(&no_name).unwrap();
    assert!(det.warnings.contains(&Dg13Warning::MissingName));
}

#[test]
fn fields_without_header_wrapper_still_parse() {
    // Some readers describe DG13 as 6D { 30 {02 01 n, value} ... } without the header.
    let bytes = encode(
        0x6D,
        &[f(1, utf8("001090012345")), f(2, utf8("Nguyễn Văn An"))].concat(),
    );
    assert_eq!(parse_dg13(&bytes).unwrap().full_name, "Nguyễn Văn An");
}

#[test]
fn broken_input_is_an_error_not_a_panic() {
    let good = build_dg13(&sample());
    assert_eq!(parse_dg13(&[]).unwrap_err().code(), "dg13_malformed");
    assert_eq!(
        parse_dg13(&[0x6E, 0x00]).unwrap_err().code(),
        "dg13_malformed"
    );
    assert_eq!(
        parse_dg13(&dg13(&[f(2, utf8("Nguyễn Văn An"))])),
        Err(CccdError::Dg13MissingId)
    );
    for cut in [1, 2, 10, good.len() / 2, good.len() - 1] {
        assert!(parse_dg13(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut bad_len = good.clone();
    bad_len[1] = 0x84;
    assert!(parse_dg13(&bad_len).is_err());
    assert!(!CccdError::Dg13MissingId.message_vi().is_empty());
}

#[test]
fn flips_and_truncations_never_panic() {
    let good = build_dg13(&sample());
    for i in 0..good.len() {
        for x in [0x01u8, 0x20, 0x80, 0xFF] {
            let mut m = good.clone();
            m[i] ^= x;
            if let Ok(c) = parse_dg13(&m) {
                // Whatever parses rebuilds and parses to the same ID.
                assert_eq!(parse_dg13(&build_dg13(&c)).unwrap().id_number, c.id_number);
            }
        }
    }
    for cut in 0..good.len() {
        let _ = parse_dg13(&good[..cut]);
    }
}
