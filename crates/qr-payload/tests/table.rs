//! Table tests on generated identities (no real person's data).

use chrono::NaiveDate;
use qr_payload::{parse_at, parse_bytes, Design, Gender, PayloadErrors, QrIdentity};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn ok(p: &str) -> QrIdentity {
    match parse_at(p, today()) {
        Ok(r) => r,
        Err(e) => panic!("{p:?} should parse, got {e}: {:?}", e.0),
    }
}

fn err(p: &str) -> PayloadErrors {
    match parse_at(p, today()) {
        Ok(r) => panic!("{p:?} should fail, got {r:?}"),
        Err(e) => e,
    }
}

// Synthetic: province 001, male born 1990 → 001090…; female born 2003 → …3 03…
const ID_M: &str = "001090012345";
const ID_F: &str = "079303004321";
const NAME_M: &str = "Nguyễn Văn Thử";
const NAME_F: &str = "Trần Thị Mẫu";
const ADDR: &str = "Số 12 Ngõ 34, Phường Dịch Vọng, Quận Cầu Giấy, Hà Nội";

fn p2021() -> String {
    format!("{ID_M}|123456789|{NAME_M}|15031990|Nam|{ADDR}|20042021")
}

#[test]
fn cccd_2021_canonical() {
    let r = ok(&p2021());
    assert_eq!(r.design, Design::Cccd2021);
    assert_eq!(r.id_number, ID_M);
    assert_eq!(r.can(), "012345");
    assert_eq!(r.old_id_number.as_deref(), Some("123456789"));
    assert_eq!(r.full_name, NAME_M);
    assert_eq!(
        r.date_of_birth,
        NaiveDate::from_ymd_opt(1990, 3, 15).unwrap()
    );
    assert_eq!(r.gender, Gender::Male);
    assert_eq!(r.residence, ADDR);
    assert_eq!(r.issue_date, NaiveDate::from_ymd_opt(2021, 4, 20).unwrap());
    assert!(!r.mojibake_repaired);
}

#[test]
fn cccd_2021_without_old_id_and_with_trailing_newline() {
    let r = ok(&format!(
        "{ID_F}||{NAME_F}|02012003|Nữ|Ấp 3, Xã Tân Thạnh, Huyện Cái Bè, Tiền Giang|10092022\r\n"
    ));
    assert_eq!(r.design, Design::Cccd2021);
    assert_eq!(r.old_id_number, None);
    assert_eq!(r.gender, Gender::Female);
}

#[test]
fn serializes_dates_iso() {
    let v = serde_json::to_value(ok(&p2021())).unwrap();
    assert_eq!(v["date_of_birth"], "1990-03-15");
    assert_eq!(v["issue_date"], "2021-04-20");
    assert_eq!(v["gender"], "Nam");
    assert_eq!(v["design"], "cccd2021");
    assert_eq!(v["can"], "012345");
}

#[test]
fn nfd_input_is_normalized_to_nfc() {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = p2021().nfd().collect();
    assert_ne!(nfd, p2021());
    assert_eq!(ok(&nfd).full_name, NAME_M);
}

#[test]
fn can_cuoc_2024_variants() {
    let minor = "001215009876";
    let variants = [
        // 2021 order, issued under the 2024 law.
        format!("{ID_M}|123456789|{NAME_M}|15031990|Nam|{ADDR}|05082024"),
        // Parents appended, no old CMND.
        format!("{minor}||Lê Minh Khang|07052015|Nam|Thôn Đông, Xã Yên Sơn, Huyện Lục Nam, Bắc Giang|12092024|Lê Văn Bình|Phạm Thị Hoa"),
        // Reordered: dates and gender before the name, cancelled numbers in one field.
        format!("{ID_M}|{NAME_M}|15031990|Nam|{ADDR}|01102024|123456789, 001090099999|Nguyễn Văn Cha|Đỗ Thị Mẹ|"),
    ];
    let r0 = ok(&variants[0]);
    assert_eq!(r0.design, Design::CanCuoc2024);
    let r1 = ok(&variants[1]);
    assert_eq!(r1.design, Design::CanCuoc2024);
    assert_eq!(r1.father_name.as_deref(), Some("Lê Văn Bình"));
    assert_eq!(r1.mother_name.as_deref(), Some("Phạm Thị Hoa"));
    assert_eq!(
        r1.residence,
        "Thôn Đông, Xã Yên Sơn, Huyện Lục Nam, Bắc Giang"
    );
    let r2 = ok(&variants[2]);
    assert_eq!(r2.design, Design::CanCuoc2024);
    assert_eq!(r2.full_name, NAME_M);
    assert_eq!(r2.old_id_number.as_deref(), Some("123456789"));
    assert_eq!(r2.cancelled_id_numbers, vec!["001090099999".to_string()]);
    assert_eq!(r2.issue_date, NaiveDate::from_ymd_opt(2024, 10, 1).unwrap());
    assert_eq!(r2.father_name.as_deref(), Some("Nguyễn Văn Cha"));
}

#[test]
fn reordered_old_layout_is_unknown_design() {
    let r = ok(&format!(
        "{ID_M}|{NAME_M}|Nam|15031990|20042021|{ADDR}|123456789"
    ));
    assert_eq!(r.design, Design::Unknown);
    assert_eq!(
        r.date_of_birth,
        NaiveDate::from_ymd_opt(1990, 3, 15).unwrap()
    );
    assert_eq!(r.issue_date, NaiveDate::from_ymd_opt(2021, 4, 20).unwrap());
}

#[test]
fn bad_inputs_table() {
    let cases: Vec<(String, &[&str])> = vec![
        (String::new(), &["empty"]),
        ("   \n".into(), &["empty"]),
        ("https://example.invalid/abc".into(), &["not_identity_qr"]),
        ("a|b".into(), &["not_identity_qr"]),
        // Wrong digit counts.
        (
            format!("00109001234|123456789|{NAME_M}|15031990|Nam|{ADDR}|20042021"),
            &["id_number_format"],
        ),
        (
            format!("{ID_M}|12345678|{NAME_M}|15031990|Nam|{ADDR}|20042021"),
            &["old_id_format"],
        ),
        (
            format!("{ID_M}|1234567890|{NAME_M}|15031990|Nam|{ADDR}|20042021"),
            &["old_id_format"],
        ),
        // Impossible dates.
        (
            format!("{ID_M}||{NAME_M}|31021990|Nam|{ADDR}|20042021"),
            &["date_invalid"],
        ),
        (
            format!("{ID_M}||{NAME_M}|15031990|Nam|{ADDR}|20132021"),
            &["date_invalid"],
        ),
        (
            format!("{ID_M}||{NAME_M}|15031990|Nam|{ADDR}|20042031"),
            &["date_in_future"],
        ),
        // ID against the other fields.
        (
            format!("{ID_M}||{NAME_M}|15031990|Nữ|{ADDR}|20042021"),
            &["id_gender_mismatch"],
        ),
        (
            format!("{ID_M}||{NAME_M}|15031991|Nam|{ADDR}|20042021"),
            &["id_birth_year_mismatch"],
        ),
        (
            format!("003090012345||{NAME_M}|15031990|Nam|{ADDR}|20042021"),
            &["province_code"],
        ),
        (
            format!("001290012345||{NAME_M}|15031990|Nam|{ADDR}|20042021"),
            &["id_birth_year_mismatch"],
        ),
        // Other fields.
        (
            format!("{ID_M}||Nguy3n Văn Thử|15031990|Nam|{ADDR}|20042021"),
            &["name_invalid"],
        ),
        (
            format!("{ID_M}||{NAME_M}|15031990|Nu|{ADDR}|20042021"),
            &["gender_invalid"],
        ),
        (
            format!("{ID_M}||{NAME_M}|15031990|{ADDR}|20042021|x"),
            &["missing_field"],
        ),
        (
            format!("{ID_M}||{NAME_M}|Nam|{ADDR}|20042021|"),
            &["missing_field"],
        ),
        // Several problems at once: all reported.
        (
            format!("0010900123|123|{NAME_M}|32131990|Nam|{ADDR}|00002021"),
            &[
                "id_number_format",
                "old_id_format",
                "date_invalid",
                "date_invalid",
            ],
        ),
        // Control characters / binary.
        (
            "\u{1}\u{2}\u{3}|x|y|z|w|v|u".into(),
            &["control_characters"],
        ),
    ];
    for (p, want) in cases {
        let e = err(&p);
        for code in want {
            assert!(e.has(code), "{p:?}: want {code}, got {:?}", e.codes());
        }
        assert!(e.0.len() >= want.len(), "{p:?}");
        for x in e.iter() {
            assert!(!x.message_vi().is_empty());
            assert!(x.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }
}

#[test]
fn reports_every_problem() {
    let e = err(&format!(
        "{ID_M}||Nguy?n V?n Th?|31021990|Nữ|{ADDR}|20042031"
    ));
    let codes = e.codes();
    for c in ["diacritics_lost", "date_invalid", "id_gender_mismatch"] {
        assert!(codes.contains(&c), "{codes:?}");
    }
}

#[test]
fn binary_garbage_never_panics() {
    let mut seed: u64 = 0x1234_5678;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        assert!(parse_bytes(&bytes).is_err());
        let lossy = String::from_utf8_lossy(&bytes);
        assert!(parse_at(&lossy, today()).is_err());
    }
    assert!(parse_bytes(&[0xff, 0xfe, 0x7c, 0x00])
        .unwrap_err()
        .has("not_utf8"));
}

fn mojibake(s: &str) -> String {
    // UTF-8 bytes decoded as Windows-1252 (what a wedge scanner + wrong code page produces).
    const HIGH: [(u8, char); 5] = [
        (0x80, '€'),
        (0x85, '…'),
        (0x9D, '\u{9D}'),
        (0x90, '\u{90}'),
        (0x81, '\u{81}'),
    ];
    s.bytes()
        .map(|b| {
            HIGH.iter()
                .find(|(x, _)| *x == b)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| match b {
                    0x82..=0x9F => {
                        let table = "‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ";
                        table.chars().nth(usize::from(b - 0x82)).unwrap()
                    }
                    _ => char::from(b),
                })
        })
        .collect()
}

#[test]
fn mojibake_is_repaired() {
    let m = mojibake(&p2021());
    assert!(m.contains("Nguyá»…n"), "{m}");
    let r = ok(&m);
    assert!(r.mojibake_repaired);
    assert_eq!(r.full_name, NAME_M);
    assert_eq!(r.residence, ADDR);
    assert_eq!(
        r,
        QrIdentity {
            mojibake_repaired: true,
            ..ok(&p2021())
        }
    );
}

#[test]
fn partly_garbled_text_is_repaired_word_by_word() {
    let r = ok(&format!(
        "{ID_M}||Nguyá»…n Văn Thử|15031990|Nam|{ADDR}|20042021"
    ));
    assert!(r.mojibake_repaired);
    assert_eq!(r.full_name, NAME_M);
}

#[test]
fn broken_mojibake_is_reported() {
    // 'Đ' is C4 90; 0x90 is undefined in Windows-1252 and often dropped.
    let e = err(&format!(
        "{ID_M}||Ä\u{20}Ngá»c Anh|15031990|Nam|{ADDR}|20042021"
    ));
    assert!(e.has("mojibake"), "{:?}", e.codes());
}

#[test]
fn wedge_damage_is_reported() {
    let telex = format!("{ID_M}||Nguyeenx Vawn Thuwr|15031990|Nam|{ADDR}|20042021");
    let e = err(&telex);
    assert!(e.has("telex_residue"), "{:?}", e.codes());
    assert!(e.0[0].message_vi().contains("USB-serial"));

    let q = format!("{ID_M}||Nguy?n V?n Th?|15031990|Nam|S? 12, Ph??ng D?ch V?ng|20042021");
    let e = err(&q);
    assert_eq!(e.codes(), vec!["diacritics_lost", "diacritics_lost"]);

    let g = format!("{ID_F}||{NAME_F}|02012003|N?|{ADDR}|10092022");
    assert_eq!(err(&g).codes(), vec!["diacritics_lost"]);
    let g = format!("{ID_F}||{NAME_F}|02012003|Nuwx|{ADDR}|10092022");
    assert_eq!(err(&g).codes(), vec!["telex_residue"]);
}

#[test]
fn unaccented_but_clean_text_is_accepted() {
    // Some scanners strip diacritics: not an error, the clerk compares with the card.
    let r = ok(&format!(
        "{ID_M}||Nguyen Van Thu|15031990|Nam|So 12, Phuong Dich Vong, Ha Noi|20042021"
    ));
    assert_eq!(r.full_name, "Nguyen Van Thu");
}

#[test]
fn id_prefix_helper() {
    assert_eq!(qr_payload::id_prefix(1, 1990, Gender::Male), "001090");
    assert_eq!(qr_payload::id_prefix(79, 2003, Gender::Female), "079303");
}
