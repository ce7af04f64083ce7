//! Intake-form templates: every catalog template exists and parses; auto-fill sources; fields
//! the chip cannot give; split wards; validation.

use cccd::Citizen;
use chrono::NaiveDate;
use hoso::forms::{autofill, validate, AutofillContext, FieldKind, AUTOFILL_KEYS};
use hoso::{FormSet, Identity, Source};
use procedures::SeedSet;

fn citizen(residence: &str) -> Citizen {
    Citizen {
        id_number: "001190012345".into(),
        full_name: "Nguyễn Thị Thử".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1990, 5, 17),
        gender: Some("Nữ".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        religion: Some("Không".into()),
        hometown: Some("Xã Mẫu Sơn, Huyện Thử, Tỉnh Ví Dụ".into()),
        residence: Some(residence.into()),
        father_name: Some("Nguyễn Văn Cha".into()),
        mother_name: Some("Trần Thị Mẹ".into()),
        ..Citizen::default()
    }
}

const UNIQUE: &str = "Số 5 ngõ 1, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội";
const SPLIT: &str = "Số 7, Phường Cống Vị, Quận Ba Đình, Thành phố Hà Nội";

#[test]
fn every_catalog_procedure_has_a_template_that_parses() {
    let seeds = SeedSet::embedded().unwrap();
    let forms = FormSet::embedded().unwrap();
    let procs = seeds.catalog.procedures();
    assert!(procs.len() >= 12);
    for p in procs {
        let t = forms
            .get(&p.form_template)
            .unwrap_or_else(|e| panic!("{}: {}", p.code, e.message_vi()));
        assert!(t.fields().count() >= 3, "{}", t.id);
        assert!(!t.sources.is_empty());
        for (_, f) in t.fields() {
            if let Some(k) = &f.autofill {
                assert!(AUTOFILL_KEYS.contains(&k.as_str()));
            }
            if f.kind == FieldKind::Select {
                assert!(!f.options.is_empty());
            }
        }
    }
    // And every template file (not common/) is used by some procedure.
    for id in forms.ids() {
        assert!(
            procs.iter().any(|p| p.form_template == id),
            "unused template {id}"
        );
    }
}

#[test]
fn bad_templates_are_refused_with_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms/ho-tich");
    std::fs::create_dir_all(&forms).unwrap();
    let write = |body: &str| std::fs::write(forms.join("khai-sinh.toml"), body).unwrap();
    let head = "version = \"x\"\ntitle = \"T\"\nsources = [\"s\"]\n";
    for (body, want) in [
        ("version = ", "form_template_invalid"),
        (
            "[[sections]]\nid = \"a\"\ntitle = \"A\"\nfields = [{ id = \"f\", label_vi = \"F\", kind = \"text\", autofill = \"citizen.birth_place\" }]\n",
            "form_template_invalid",
        ),
        (
            "[[sections]]\nid = \"a\"\ntitle = \"A\"\nfields = [{ id = \"f\", label_vi = \"F\", kind = \"select\" }]\n",
            "form_template_invalid",
        ),
        (
            "[[sections]]\nid = \"a\"\ntitle = \"A\"\nfields = [{ id = \"f\", label_vi = \"F\", kind = \"text\", pattern = \"(\" }]\n",
            "form_template_invalid",
        ),
        (
            "include = [\"common/nguoi-yeu-cau\"]\n[[sections]]\nid = \"a\"\ntitle = \"A\"\nfields = [{ id = \"nyc_ho_ten\", label_vi = \"F\", kind = \"text\" }]\n",
            "form_template_invalid",
        ),
    ] {
        let full = if body.starts_with("version") {
            body.to_owned()
        } else {
            format!("{head}{body}")
        };
        write(&full);
        let e = FormSet::load(Some(dir.path())).unwrap_err();
        assert_eq!(e.code(), want, "{full}");
        assert!(!e.message_vi().is_empty());
    }
    // A valid override replaces the embedded template.
    write(&format!(
        "{head}[[sections]]\nid = \"a\"\ntitle = \"A\"\nfields = [{{ id = \"f\", label_vi = \"F\", kind = \"text\" }}]\n"
    ));
    let set = FormSet::load(Some(dir.path())).unwrap();
    assert_eq!(set.get("ho-tich/khai-sinh").unwrap().fields().count(), 1);
}

fn ctx<'a>(seeds: &'a SeedSet, identity: Option<&'a Identity>) -> AutofillContext<'a> {
    AutofillContext {
        identity,
        phone: Some("0912345678"),
        email: None,
        agency_name: &seeds.settings.name,
        intake_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        admin_units: &seeds.admin_units,
    }
}

#[test]
fn autofill_gives_sources_and_leaves_place_of_birth_to_the_clerk() {
    let seeds = SeedSet::embedded().unwrap();
    let forms = FormSet::embedded().unwrap();
    let t = forms.get("ly-lich-tu-phap/cap-phieu").unwrap();
    let id = Identity::from_card_json(&serde_json::to_value(citizen(UNIQUE)).unwrap()).unwrap();
    let f = autofill(t, &ctx(&seeds, Some(&id)));
    let get = |k: &str| f.get(k).unwrap();
    assert_eq!(get("ho_ten").value.as_deref(), Some("Nguyễn Thị Thử"));
    assert_eq!(get("ho_ten").source, Source::Chip);
    assert_eq!(get("ngay_sinh").value.as_deref(), Some("17/05/1990"));
    assert_eq!(get("gioi_tinh").value.as_deref(), Some("Nữ"));
    assert_eq!(
        get("que_quan").value.as_deref(),
        Some("Xã Mẫu Sơn, Huyện Thử, Tỉnh Ví Dụ")
    );
    // Nơi sinh is not quê quán: left empty.
    assert_eq!(get("noi_sinh").value, None);
    assert_eq!(get("noi_sinh").source, Source::Empty);
    // Residence converted to the 2025 units.
    let r = get("noi_thuong_tru");
    assert_eq!(r.source, Source::ConvertedAddress);
    let v = r.value.as_deref().unwrap();
    assert!(v.starts_with("Số 5 ngõ 1, "), "{v}");
    assert!(!v.contains("Quận"), "{v}");
    assert!(v.ends_with("Thành phố Hà Nội"), "{v}");
    assert_eq!(get("dien_thoai").source, Source::Typed);
    assert_eq!(get("email").source, Source::Empty);

    // The clerk still has to type nơi sinh, quá trình cư trú, ...
    let errs = validate(t, &f);
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"noi_sinh"), "{fields:?}");
    assert!(errs.iter().all(|e| e.code == "required"), "{errs:?}");
    let mut f = f;
    f.set_typed("noi_sinh", "Bệnh viện Mẫu, Hà Nội").unwrap();
    f.set_typed("qua_trinh_cu_tru", "Từ 2004 đến nay: Hà Nội")
        .unwrap();
    f.set_typed("loai_phieu", "Phiếu số 1").unwrap();
    f.set_typed("so_luong", "2").unwrap();
    assert_eq!(validate(t, &f), vec![]);
    assert_eq!(f.get("noi_sinh").unwrap().source, Source::Typed);
}

#[test]
fn split_ward_needs_a_choice_with_the_options() {
    let seeds = SeedSet::embedded().unwrap();
    let forms = FormSet::embedded().unwrap();
    let t = forms.get("cu-tru/tam-tru").unwrap();
    let id = Identity::from_card_json(&serde_json::to_value(citizen(SPLIT)).unwrap()).unwrap();
    let mut f = autofill(t, &ctx(&seeds, Some(&id)));
    let r = f.get("noi_thuong_tru").unwrap().clone();
    assert!(r.needs_choice);
    assert_eq!(r.value, None);
    assert!(r.choices.len() >= 2, "{:?}", r.choices);
    assert!(r.choices.iter().all(|c| c.starts_with("Số 7, ")));
    let errs = validate(t, &f);
    assert!(errs
        .iter()
        .any(|e| e.field == "noi_thuong_tru" && e.code == "needs_choice"));
    f.set_typed("noi_thuong_tru", &r.choices[1]).unwrap();
    let r = f.get("noi_thuong_tru").unwrap();
    assert!(!r.needs_choice);
    assert_eq!(r.source, Source::ConvertedAddress);
}

#[test]
fn qr_identity_fills_what_the_qr_has() {
    let seeds = SeedSet::embedded().unwrap();
    let forms = FormSet::embedded().unwrap();
    let q = qr_payload::parse(
        "001190012345|123456789|Nguyễn Thị Thử|17051990|Nữ|Số 5 ngõ 1, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội|01022021",
    )
    .unwrap();
    let id = Identity::from_qr(&q);
    let t = forms.get("cu-tru/thuong-tru").unwrap();
    let f = autofill(t, &ctx(&seeds, Some(&id)));
    assert_eq!(f.get("ho_ten").unwrap().source, Source::Qr);
    assert_eq!(
        f.get("so_dinh_danh").unwrap().value.as_deref(),
        Some("001190012345")
    );
    assert_eq!(
        f.get("noi_thuong_tru").unwrap().source,
        Source::ConvertedAddress
    );
    // The QR has no ethnicity or quê quán.
    assert_eq!(f.get("dan_toc").unwrap().source, Source::Empty);
    assert_eq!(f.get("que_quan").unwrap().source, Source::Empty);
}

#[test]
fn validation_by_kind() {
    let seeds = SeedSet::embedded().unwrap();
    let forms = FormSet::embedded().unwrap();
    let t = forms.get("chung-thuc/ban-sao").unwrap();
    let id = Identity::from_card_json(&serde_json::to_value(citizen(UNIQUE)).unwrap()).unwrap();
    let mut f = autofill(t, &ctx(&seeds, Some(&id)));
    f.set_typed("ten_giay_to", "Bằng tốt nghiệp").unwrap();
    f.set_typed("so_ban", "3").unwrap();
    assert_eq!(validate(t, &f), vec![]);
    let code_of = |f: &hoso::FilledForm, field: &str| {
        validate(t, f)
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.code)
    };
    for (field, value, code) in [
        ("nyc_dien_thoai", "12345", "invalid_phone"),
        ("nyc_email", "a@b", "invalid_email"),
        ("nyc_so_dinh_danh", "00109901234", "invalid_id_number"),
        ("so_ban", "ba", "invalid_number"),
        ("so_ban", "0", "pattern"),
        ("ten_giay_to", "", "required"),
    ] {
        let mut g = f.clone();
        g.set_typed(field, value).unwrap();
        assert_eq!(code_of(&g, field).as_deref(), Some(code), "{field}={value}");
    }
    for ok in ["0912 345 678", "+84912345678", "024.3825.1234"] {
        assert!(hoso::forms::valid_phone(ok), "{ok}");
    }
    let t2 = forms.get("ho-tich/ket-hon").unwrap();
    let mut g = autofill(t2, &ctx(&seeds, Some(&id)));
    g.set_typed("bk_ngay_sinh", "1990-05-17").unwrap();
    g.set_typed("lan_ket_hon", "Lần năm").unwrap();
    let errs = validate(t2, &g);
    assert!(errs
        .iter()
        .any(|e| e.field == "bk_ngay_sinh" && e.code == "invalid_date"));
    assert!(errs
        .iter()
        .any(|e| e.field == "lan_ket_hon" && e.code == "invalid_option"));
    assert_eq!(
        g.set_typed("khong_co", "x").unwrap_err().code(),
        "invalid_input"
    );
}
