//! Access keys, expiry rule and ID number tables (made-up numbers).

use cccd::{
    can_from_id, card_expiry, card_expiry_candidates, check_id_number, mrz_key_candidates,
    mrz_key_from_id, parse_id_number, CardExpiry, IdProblem, MrzKeyInfo,
};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn can_is_the_last_six_digits() {
    assert_eq!(can_from_id("001090012345").unwrap(), "012345");
    assert_eq!(can_from_id(" 079301987654 ").unwrap(), "987654");
    for bad in ["", "12345", "0010900123456", "00109001234A"] {
        assert_eq!(
            can_from_id(bad).unwrap_err().code(),
            "invalid_id_number",
            "{bad:?}"
        );
    }
}

#[test]
fn expiry_table() {
    use CardExpiry::*;
    let table = [
        // (dob, issued, expected) — Luật CCCD 2014: 25 / 40 / 60
        (d(1990, 5, 10), d(2021, 3, 1), Date(d(2030, 5, 10))), // age 30 → 40
        (d(1997, 8, 20), d(2021, 4, 1), Date(d(2037, 8, 20))), // 16 months before 25 → 40
        (d(1997, 8, 20), d(2020, 8, 19), Date(d(2022, 8, 20))), // just over 2 years before 25
        (d(2003, 2, 10), d(2021, 3, 1), Date(d(2028, 2, 10))), // age 18 → 25
        (d(1962, 3, 1), d(2021, 5, 1), NoExpiry),              // within 2 years of 60
        (d(1960, 1, 15), d(2021, 6, 1), NoExpiry),             // over 60
        (d(1981, 7, 7), d(2021, 7, 7), Date(d(2041, 7, 7))),   // issued on the 40th birthday → 60
        // Luật Căn cước 2023 (issued from 1/7/2024): 14 / 25 / 40 / 60
        (d(2015, 6, 1), d(2024, 8, 1), Date(d(2029, 6, 1))), // age 9 → 14
        (d(2011, 9, 1), d(2024, 10, 1), Date(d(2036, 9, 1))), // within 2 years of 14 → 25
        (d(2016, 1, 1), d(2024, 6, 30), Date(d(2041, 1, 1))), // day before the new law → 25
        (d(2016, 1, 1), d(2024, 7, 1), Date(d(2030, 1, 1))), // first day of the new law → 14
        (d(1970, 12, 31), d(2025, 1, 2), Date(d(2030, 12, 31))), // age 54 → 60
        (d(1966, 3, 15), d(2024, 9, 1), NoExpiry),           // 58, within 2 years of 60
    ];
    for (i, (dob, issued, expected)) in table.iter().enumerate() {
        let got = card_expiry(*dob, *issued).unwrap();
        assert_eq!(got, *expected, "row {i}: dob {dob} issued {issued}");
    }
}

#[test]
fn boundary_exactly_two_years_before_gives_two_candidates() {
    let dob = d(1990, 5, 10);
    let issued = d(2028, 5, 10); // exactly 2 years before the 40th birthday
    let c = card_expiry_candidates(dob, issued).unwrap();
    assert_eq!(
        c,
        vec![
            CardExpiry::Date(d(2050, 5, 10)),
            CardExpiry::Date(d(2030, 5, 10))
        ]
    );
    let keys = mrz_key_candidates("001090012345", dob, issued).unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].date_of_expiry, "500510");
    assert_eq!(keys[1].date_of_expiry, "300510");
    // A day later it is unambiguous.
    assert_eq!(
        card_expiry_candidates(dob, d(2028, 5, 11)).unwrap().len(),
        1
    );
}

#[test]
fn leap_day_birthday() {
    let dob = d(2000, 2, 29);
    assert_eq!(
        card_expiry(dob, d(2021, 1, 1)).unwrap(),
        CardExpiry::Date(d(2025, 2, 28))
    );
    let c = card_expiry_candidates(dob, d(2021, 1, 1)).unwrap();
    assert!(c.contains(&CardExpiry::Date(d(2025, 3, 1))));
    // 40th birthday falls in a leap year: exact date.
    assert_eq!(
        card_expiry(dob, d(2026, 1, 1)).unwrap(),
        CardExpiry::Date(d(2040, 2, 29))
    );
}

#[test]
fn mrz_key_from_id_and_dates() {
    let k = mrz_key_from_id("001090012345", d(1990, 5, 10), d(2021, 3, 1)).unwrap();
    assert_eq!(
        k,
        MrzKeyInfo {
            document_number: "090012345".into(),
            date_of_birth: "900510".into(),
            date_of_expiry: "300510".into(),
        }
    );
    let k = mrz_key_from_id("001060012345", d(1960, 1, 15), d(2021, 6, 1)).unwrap();
    assert_eq!(k.date_of_expiry, "991231");
    assert!(mrz_key_from_id("001090012345", d(1990, 5, 10), d(1980, 1, 1)).is_err());
    assert!(mrz_key_from_id("1234", d(1990, 5, 10), d(2021, 1, 1)).is_err());
}

#[test]
fn mrz_key_string_matches_icao_worked_example() {
    // ICAO 9303-11 Appendix D.1 worked example.
    let k = MrzKeyInfo {
        document_number: "L898902C".into(),
        date_of_birth: "690806".into(),
        date_of_expiry: "940623".into(),
    };
    assert_eq!(k.key_string(), "L898902C<369080619406236");
}

#[test]
fn mrz_key_from_parsed_mrz() {
    let m = lds::parse_mrz(
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    )
    .unwrap();
    let k = MrzKeyInfo::from_mrz(&m);
    assert_eq!(k.document_number, "D23145890");
    assert_eq!(k.date_of_birth, "740812");
    assert_eq!(k.date_of_expiry, "120415");
}

#[test]
fn id_number_from_a_vietnamese_td1() {
    let doc = "090012345";
    let l1 = format!("IDVNM{doc}{}001090012345<<<", lds::mrz_check_digit(doc));
    let l2 = "9005108M3005108VNM<<<<<<<<<<<0";
    let l3 = "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<";
    let m = lds::parse_mrz(&format!("{l1}\n{l2}\n{l3}")).unwrap();
    assert!(m.checks.document_number);
    assert_eq!(
        cccd::id_number_from_mrz(&m).as_deref(),
        Some("001090012345")
    );
    let icao = lds::parse_mrz("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<").unwrap();
    assert_eq!(cccd::id_number_from_mrz(&icao), None);
}

#[test]
fn id_number_structure() {
    let i = parse_id_number("001090012345").unwrap();
    assert_eq!(
        (
            i.province_code.as_str(),
            i.gender,
            i.birth_year,
            i.province_known
        ),
        ("001", "Nam", 1990, true)
    );
    let i = parse_id_number("079301987654").unwrap();
    assert_eq!((i.gender, i.birth_year), ("Nữ", 2001));
    let i = parse_id_number("096205000001").unwrap();
    assert_eq!((i.gender, i.birth_year), ("Nam", 2005));
    let i = parse_id_number("001199000001").unwrap();
    assert_eq!((i.gender, i.birth_year), ("Nữ", 1999));
    assert_eq!(cccd::keys::PROVINCE_CODES.len(), 63);

    assert_eq!(
        check_id_number("001090012345", Some(d(1990, 5, 10)), Some("Nam")).unwrap(),
        vec![]
    );
    assert_eq!(
        check_id_number("079301987654", Some(d(2001, 1, 1)), Some("Nữ")).unwrap(),
        vec![]
    );
    // Decomposed "Nữ" still matches.
    assert_eq!(
        check_id_number("079301987654", None, Some("Nu\u{031B}\u{0303}")).unwrap(),
        vec![]
    );
    let p = check_id_number("003090012345", Some(d(1991, 5, 10)), Some("Nữ")).unwrap();
    assert_eq!(
        p.iter().map(IdProblem::code).collect::<Vec<_>>(),
        vec![
            "id_unknown_province_code",
            "id_birth_year_mismatch",
            "id_gender_mismatch"
        ]
    );
    // 1990 born in the 21st-century digit: year mismatch.
    let p = check_id_number("001290012345", Some(d(1990, 5, 10)), None).unwrap();
    assert_eq!(
        p,
        vec![IdProblem::BirthYearMismatch {
            from_id: 2090,
            from_dob: 1990
        }]
    );
}
