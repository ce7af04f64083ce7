//! Legacy → 2025 address conversion on the embedded data (vietnamadminunits 1.0.4).

use procedures::seeds::embedded_admin_units;
use procedures::AdminUnits;
use std::sync::OnceLock;

fn units() -> &'static AdminUnits {
    static U: OnceLock<AdminUnits> = OnceLock::new();
    U.get_or_init(|| embedded_admin_units().unwrap())
}

fn wards(addr: &str) -> Vec<String> {
    units()
        .convert(addr)
        .unwrap()
        .options
        .into_iter()
        .map(|o| o.new.ward)
        .collect()
}

#[test]
fn data_is_complete() {
    assert_eq!(units().counts(), (10_040, 3_321));
    let provinces: std::collections::BTreeSet<_> = units()
        .current()
        .iter()
        .map(|u| u.province_code.clone())
        .collect();
    assert_eq!(provinces.len(), 34);
}

#[test]
fn full_form_with_street_kept() {
    let c = units()
        .convert("Số 12, ngõ 5, phường Phúc Xá, quận Ba Đình, thành phố Hà Nội")
        .unwrap();
    assert_eq!(c.street.as_deref(), Some("Số 12, ngõ 5"));
    assert!(!c.needs_choice());
    assert_eq!(c.options[0].new.ward, "Phường Hồng Hà");
    assert_eq!(c.options[0].new.province, "Thành phố Hà Nội");
    assert_eq!(c.options[0].legacy.ward, "Phường Phúc Xá");
    assert_eq!(
        c.formatted(0).unwrap(),
        "Số 12, ngõ 5, Phường Hồng Hà, Thành phố Hà Nội"
    );
}

#[test]
fn abbreviations_and_missing_diacritics() {
    assert_eq!(
        wards("P. Phúc Xá, Q. Ba Đình, TP. Hà Nội"),
        ["Phường Hồng Hà"]
    );
    assert_eq!(wards("P.Phuc Xa, Q.Ba Dinh, TP.Ha Noi"), ["Phường Hồng Hà"]);
    assert_eq!(
        wards("phuong phuc xa, quan ba dinh, ha noi, Viet Nam"),
        ["Phường Hồng Hà"]
    );
    // Numbered ward and district, "TP.HCM".
    assert_eq!(
        wards("123 Ba Tháng Hai, P.12, Q.10, TP.HCM"),
        ["Phường Hòa Hưng"]
    );
    assert_eq!(
        wards("Phường 12, Quận 10, Thành phố Hồ Chí Minh"),
        ["Phường Hòa Hưng"]
    );
    // Thị xã abbreviation.
    assert_eq!(
        wards("P. Ngô Quyền, TX. Sơn Tây, Hà Nội"),
        ["Phường Sơn Tây"]
    );
}

#[test]
fn commune_moves_to_a_merged_province() {
    let c = units()
        .convert("Xóm 3, Xã Bạch Long, Huyện Giao Thủy, Tỉnh Nam Định")
        .unwrap();
    assert_eq!(c.street.as_deref(), Some("Xóm 3"));
    assert_eq!(c.options.len(), 1);
    assert_eq!(c.options[0].new.ward, "Xã Giao Bình");
    assert_eq!(c.options[0].new.province, "Tỉnh Ninh Bình");
    assert_eq!(
        wards("X. Bach Long, H. Giao Thuy, T. Nam Dinh"),
        ["Xã Giao Bình"]
    );
}

#[test]
fn split_ward_returns_all_candidates() {
    let c = units()
        .convert("Số 12, ngõ 5, phường Kim Mã, quận Ba Đình, thành phố Hà Nội")
        .unwrap();
    assert!(c.needs_choice());
    let mut names: Vec<&str> = c.options.iter().map(|o| o.new.ward.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["Phường Ba Đình", "Phường Giảng Võ", "Phường Ngọc Hà"]
    );
    assert_eq!(c.options.iter().filter(|o| o.default_of_split).count(), 1);
    assert_eq!(c.street.as_deref(), Some("Số 12, ngõ 5"));
}

#[test]
fn district_may_be_omitted() {
    assert_eq!(wards("Kim Ma, Ha Noi").len(), 3);
    // Without the district a common name is ambiguous: every match is offered.
    assert!(wards("Phường Minh Khai, Hà Nội").len() >= 2);
}

#[test]
fn island_district_without_communes() {
    let c = units()
        .convert("Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu")
        .unwrap();
    assert_eq!(c.options[0].new.ward, "Đặc khu Côn Đảo");
    assert_eq!(c.options[0].new.province, "Thành phố Hồ Chí Minh");
}

#[test]
fn unknown_parts_are_clear_errors() {
    let e = |a: &str| units().convert(a).unwrap_err().code();
    assert_eq!(e(""), "address_empty");
    assert_eq!(e(" , ,"), "address_empty");
    assert_eq!(
        e("Phường Kim Mã, Quận Ba Đình, Tỉnh Atlantis"),
        "address_unknown_province"
    );
    assert_eq!(
        e("Phường Kim Mã, Quận Không Có, Hà Nội"),
        "address_unknown_district"
    );
    assert_eq!(
        e("Phường Không Có, Quận Ba Đình, Hà Nội"),
        "address_unknown_ward"
    );
    assert_eq!(e("Số 12, Quận Ba Đình, Hà Nội"), "address_unknown_ward");
    let err = units()
        .convert("Phường Không Có, Quận Ba Đình, Hà Nội")
        .unwrap_err();
    assert!(err.message_vi().contains("Phường Không Có"));
}

#[test]
fn every_legacy_unit_converts_from_its_own_names() {
    // "Ward, District, Province" with full names, and folded without diacritics, must find the
    // unit itself among the options (name collisions after folding may add more options).
    let u = units();
    let mut checked = 0;
    for l in u.legacy() {
        let full = if l.ward.is_empty() {
            format!("{}, {}", l.district, l.province)
        } else {
            format!("{}, {}, {}", l.ward, l.district, l.province)
        };
        for text in [full.clone(), procedures::text::fold(&full)] {
            let c = u.convert(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(c.options.iter().any(|o| &o.legacy == l), "{text}");
            assert!(c.street.is_none(), "{text}");
        }
        checked += 1;
    }
    assert_eq!(checked, 10_040);
}
