//! Catalog loading, validation and search on the embedded seeds.

use procedures::catalog::Catalog;
use procedures::seeds::embedded_catalog;
use procedures::SeedSet;

#[test]
fn embedded_catalog_is_valid_and_large_enough() {
    let c = embedded_catalog().unwrap();
    assert!(c.procedures().len() >= 12);
    assert!(!c.version.is_empty() && !c.sources.is_empty());
    let ks = c.get("1.001193").unwrap();
    assert_eq!(ks.working_days, 0);
    assert!(ks.components.iter().any(|x| x.must_digitize));
    assert_eq!(c.get("9.999999").unwrap_err().code(), "unknown_procedure");
    // Liên thông groups reference procedures of the catalog.
    assert!(
        c.procedures()
            .iter()
            .filter(|p| !p.linked.is_empty())
            .count()
            >= 2
    );
}

fn first(c: &Catalog, q: &str) -> String {
    c.search(q)
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_default()
}

#[test]
fn search_is_diacritic_insensitive() {
    let c = embedded_catalog().unwrap();
    assert_eq!(first(&c, "khai sinh"), "Đăng ký khai sinh");
    assert_eq!(first(&c, "kết hôn"), "Đăng ký kết hôn");
    assert_eq!(first(&c, "ket hon"), "Đăng ký kết hôn");
    assert_eq!(first(&c, "KET HON"), "Đăng ký kết hôn");
    assert!(first(&c, "ly lich tu phap").starts_with("Cấp Phiếu lý lịch tư pháp"));
    assert_eq!(first(&c, "tam tru"), "Đăng ký tạm trú");
    assert!(first(&c, "chung thuc chu ky").starts_with("Chứng thực chữ ký"));
    // "khai sinh" also finds the re-registration and the liên thông bundle, ranked after.
    let all: Vec<&str> = c
        .search("khai sinh")
        .iter()
        .map(|p| p.code.as_str())
        .collect();
    assert!(all.len() >= 3, "{all:?}");
    // Keywords: colloquial words.
    assert_eq!(first(&c, "ho khau"), "Đăng ký thường trú");
    // By code and code prefix.
    assert_eq!(first(&c, "1.000894"), "Đăng ký kết hôn");
    assert!(c.search("2.000").len() >= 2);
    assert!(c.search("").is_empty());
    assert!(c.search("xyz không có").is_empty());
}

#[test]
fn validation_rejects_bad_catalogs() {
    let base = |code: &str, extra: &str| {
        format!(
            r#"
version = "t"
sources = ["s"]
[[procedures]]
code = "{code}"
code_verified = false
name = "X"
field = "F"
level = "commune"
agency = "A"
working_days = 1
fee_vnd = 0
form_template = "x/y"
{extra}
components = [{{ name = "C", form = "original", count = 1, must_digitize = true, reusable_result = false }}]
"#
        )
    };
    assert!(Catalog::from_toml("t", &base("1.000001", "")).is_ok());
    assert_eq!(
        Catalog::from_toml("t", &base("1.00001", ""))
            .unwrap_err()
            .code(),
        "seed_invalid"
    );
    assert_eq!(
        Catalog::from_toml("t", &base("1.000001", "linked = [\"1.000002\"]"))
            .unwrap_err()
            .code(),
        "seed_invalid"
    );
    let dup = format!(
        "{}{}",
        base("1.000001", ""),
        base("1.000001", "").replace("version = \"t\"\nsources = [\"s\"]", "")
    );
    assert_eq!(
        Catalog::from_toml("t", &dup).unwrap_err().code(),
        "seed_invalid"
    );
    // A paper only shown at the counter is not digitized (Thông tư 03/2025 Điều 5).
    let shown = base("1.000001", "").replace("form = \"original\"", "form = \"present\"");
    assert_eq!(Catalog::from_toml("t", &shown).unwrap_err().code(), "seed_invalid");
    assert!(Catalog::from_toml("t", &shown.replace("must_digitize = true", "must_digitize = false")).is_ok());
    assert_eq!(
        Catalog::from_toml("t", "procedures = 3")
            .unwrap_err()
            .code(),
        "seed_parse"
    );
}

#[test]
fn operator_folder_overrides_embedded() {
    let dir = std::env::temp_dir().join(format!("procedures-seed-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("calendar")).unwrap();
    std::fs::write(
        dir.join("calendar/2026.toml"),
        r#"
version = "op"
year = 2026
status = "official"
sources = ["operator"]
days_off = [{ date = "2026-03-03", reason = "test" }]
"#,
    )
    .unwrap();
    let agency =
        include_str!("../../../seeds/agency.toml").replace("000.00.19.H12", "000.00.21.H12");
    std::fs::write(dir.join("agency.toml"), agency).unwrap();
    let set = SeedSet::load(Some(&dir)).unwrap();
    assert_eq!(set.settings.agency_code, "000.00.21.H12");
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
    assert!(!set.calendar.is_working_day(d).unwrap());
    // 2026 now comes from the operator file only: 1/1/2026 is no longer listed.
    assert!(set
        .calendar
        .is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap())
        .unwrap());
    // Only one admin-units CSV is an error.
    std::fs::create_dir_all(dir.join("admin-units")).unwrap();
    std::fs::write(dir.join("admin-units/current-units.csv"), "x").unwrap();
    assert_eq!(
        SeedSet::load(Some(&dir)).unwrap_err().code(),
        "seed_invalid"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(SeedSet::load(None).is_ok());
}
