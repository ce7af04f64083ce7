//! Intake forms: a TOML template format, the templates of the catalog, auto-fill from the
//! verified citizen record with each field's source, and validation.
//!
//! Template files live in `seeds/forms/<id>.toml` (embedded; an operator folder's `forms/`
//! overrides or adds files). A template has a title, the official form it follows (`form_ref`),
//! `sources`, optional `notes`, `include` (shared field sets from `common/…`, placed first) and
//! `[[sections]]` with `fields`:
//!
//! ```toml
//! [[sections]]
//! id = "nguoi_yeu_cau"
//! title = "Người yêu cầu"
//! fields = [
//!   { id = "nyc_ho_ten", label_vi = "Họ, chữ đệm, tên", kind = "text", required = true,
//!     autofill = "citizen.full_name" },
//! ]
//! ```
//!
//! `kind`: text, date (dd/mm/yyyy), select (with `options`), number, address, phone, email,
//! id_number (12 digits). `pattern`: a regular expression the value must match. `autofill`: one of
//! [`AUTOFILL_KEYS`]. Nơi sinh has no key on purpose: the chip carries quê quán (or nơi đăng ký
//! khai sinh), never the place of birth, so the clerk asks.

use crate::identity::{Identity, IdentitySource};
use chrono::NaiveDate;
use procedures::AdminUnits;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::error::{HoSoError, Result};

const EMBEDDED: &[(&str, &str)] = &[
    (
        "chung-thuc/ban-sao",
        include_str!("../../../seeds/forms/chung-thuc/ban-sao.toml"),
    ),
    (
        "chung-thuc/chu-ky",
        include_str!("../../../seeds/forms/chung-thuc/chu-ky.toml"),
    ),
    (
        "common/ca-nhan",
        include_str!("../../../seeds/forms/common/ca-nhan.toml"),
    ),
    (
        "common/cha-me",
        include_str!("../../../seeds/forms/common/cha-me.toml"),
    ),
    (
        "common/nguoi-chet",
        include_str!("../../../seeds/forms/common/nguoi-chet.toml"),
    ),
    (
        "common/nguoi-yeu-cau",
        include_str!("../../../seeds/forms/common/nguoi-yeu-cau.toml"),
    ),
    (
        "common/tre-em-khai-sinh",
        include_str!("../../../seeds/forms/common/tre-em-khai-sinh.toml"),
    ),
    (
        "cu-tru/gia-han-tam-tru",
        include_str!("../../../seeds/forms/cu-tru/gia-han-tam-tru.toml"),
    ),
    (
        "cu-tru/tam-tru",
        include_str!("../../../seeds/forms/cu-tru/tam-tru.toml"),
    ),
    (
        "cu-tru/thuong-tru",
        include_str!("../../../seeds/forms/cu-tru/thuong-tru.toml"),
    ),
    (
        "cu-tru/xoa-thuong-tru",
        include_str!("../../../seeds/forms/cu-tru/xoa-thuong-tru.toml"),
    ),
    (
        "ho-tich/dang-ky-lai-khai-sinh",
        include_str!("../../../seeds/forms/ho-tich/dang-ky-lai-khai-sinh.toml"),
    ),
    (
        "ho-tich/ket-hon",
        include_str!("../../../seeds/forms/ho-tich/ket-hon.toml"),
    ),
    (
        "ho-tich/khai-sinh",
        include_str!("../../../seeds/forms/ho-tich/khai-sinh.toml"),
    ),
    (
        "ho-tich/khai-tu",
        include_str!("../../../seeds/forms/ho-tich/khai-tu.toml"),
    ),
    (
        "ho-tich/trich-luc",
        include_str!("../../../seeds/forms/ho-tich/trich-luc.toml"),
    ),
    (
        "ho-tich/xac-nhan-tinh-trang-hon-nhan",
        include_str!("../../../seeds/forms/ho-tich/xac-nhan-tinh-trang-hon-nhan.toml"),
    ),
    (
        "lien-thong/khai-sinh-thuong-tru-bhyt",
        include_str!("../../../seeds/forms/lien-thong/khai-sinh-thuong-tru-bhyt.toml"),
    ),
    (
        "lien-thong/khai-tu-xoa-thuong-tru-mai-tang",
        include_str!("../../../seeds/forms/lien-thong/khai-tu-xoa-thuong-tru-mai-tang.toml"),
    ),
    (
        "ly-lich-tu-phap/cap-phieu",
        include_str!("../../../seeds/forms/ly-lich-tu-phap/cap-phieu.toml"),
    ),
];

/// Auto-fill keys a template may use.
pub const AUTOFILL_KEYS: &[&str] = &[
    "citizen.full_name",
    "citizen.date_of_birth",
    "citizen.sex",
    "citizen.ethnicity",
    "citizen.religion",
    "citizen.nationality",
    "citizen.hometown",
    "citizen.residence",
    "citizen.residence_printed",
    "citizen.id_number",
    "citizen.old_id_number",
    "citizen.id_issue_date",
    "citizen.father_name",
    "citizen.mother_name",
    "citizen.spouse_name",
    "contact.phone",
    "contact.email",
    "agency.name",
    "intake.date",
];

/// Kind of a field (drives the widget and validation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// dd/mm/yyyy.
    Date,
    Select,
    Number,
    Address,
    Phone,
    Email,
    IdNumber,
}

/// A field of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub label_vi: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autofill: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A section of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    form_ref: Option<String>,
    sources: Vec<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    sections: Vec<Section>,
}

/// A resolved intake-form template (includes expanded).
#[derive(Debug, Clone, Serialize)]
pub struct FormTemplate {
    pub id: String,
    pub version: String,
    pub title: String,
    pub form_ref: String,
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub sections: Vec<Section>,
    #[serde(skip)]
    patterns: HashMap<String, Regex>,
}

impl FormTemplate {
    /// All fields with their section id, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&Section, &Field)> {
        self.sections
            .iter()
            .flat_map(|s| s.fields.iter().map(move |f| (s, f)))
    }

    /// A field by id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().map(|(_, f)| f).find(|f| f.id == id)
    }
}

/// All templates, by id.
#[derive(Debug, Clone)]
pub struct FormSet {
    templates: BTreeMap<String, FormTemplate>,
}

fn template_error(file: &str, detail: impl Into<String>) -> HoSoError {
    HoSoError::FormTemplate {
        file: file.to_owned(),
        detail: detail.into(),
    }
}

fn parse_raw(id: &str, text: &str) -> Result<RawFile> {
    let raw: RawFile = toml::from_str(text).map_err(|e| template_error(id, e.to_string()))?;
    if raw.version.trim().is_empty() {
        return Err(template_error(id, "version must not be empty"));
    }
    if raw.sources.is_empty() {
        return Err(template_error(id, "sources must not be empty"));
    }
    Ok(raw)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
}

fn resolve(id: &str, raws: &BTreeMap<String, RawFile>) -> Result<FormTemplate> {
    let raw = raws
        .get(id)
        .ok_or_else(|| HoSoError::FormMissing(id.to_owned()))?;
    let mut sections = Vec::new();
    for inc in &raw.include {
        let common = raws
            .get(inc)
            .ok_or_else(|| template_error(id, format!("include {inc:?} not found")))?;
        if !common.include.is_empty() {
            return Err(template_error(id, format!("{inc}: nested include")));
        }
        sections.extend(common.sections.iter().cloned());
    }
    sections.extend(raw.sections.iter().cloned());
    if sections.is_empty() {
        return Err(template_error(id, "no sections"));
    }
    let title = raw
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| template_error(id, "title must not be empty"))?;
    let mut section_ids = HashSet::new();
    let mut field_ids = HashSet::new();
    let mut patterns = HashMap::new();
    for s in &sections {
        if !section_ids.insert(s.id.clone()) {
            return Err(template_error(id, format!("duplicate section {}", s.id)));
        }
        for f in &s.fields {
            if !field_ids.insert(f.id.clone()) {
                return Err(template_error(id, format!("duplicate field {}", f.id)));
            }
            if f.label_vi.trim().is_empty() {
                return Err(template_error(id, format!("{}: empty label_vi", f.id)));
            }
            if (f.kind == FieldKind::Select) == f.options.is_empty() {
                return Err(template_error(
                    id,
                    format!("{}: options are for (and required by) select fields", f.id),
                ));
            }
            if let Some(k) = &f.autofill {
                if !AUTOFILL_KEYS.contains(&k.as_str()) {
                    return Err(template_error(
                        id,
                        format!("{}: unknown autofill {k:?}", f.id),
                    ));
                }
            }
            if let Some(p) = &f.pattern {
                let re = Regex::new(p)
                    .map_err(|e| template_error(id, format!("{}: pattern: {e}", f.id)))?;
                patterns.insert(f.id.clone(), re);
            }
        }
    }
    let mut sources = raw.sources.clone();
    for inc in &raw.include {
        for s in &raws[inc].sources {
            if !sources.contains(s) {
                sources.push(s.clone());
            }
        }
    }
    Ok(FormTemplate {
        id: id.to_owned(),
        version: raw.version.clone(),
        title,
        form_ref: raw.form_ref.clone().unwrap_or_default(),
        sources,
        notes: raw.notes.clone(),
        sections,
        patterns,
    })
}

fn read_dir_toml(base: &Path, rel: &str, out: &mut Vec<(String, String)>) -> Result<()> {
    let dir = base.join(rel);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(template_error(&dir.display().to_string(), e.to_string())),
    };
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let path = e.path();
        if path.is_dir() && rel.is_empty() {
            read_dir_toml(base, &rel_name, out)?;
        } else if let Some(id) = rel_name.strip_suffix(".toml") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| template_error(&path.display().to_string(), e.to_string()))?;
            out.push((id.to_owned(), text));
        }
    }
    Ok(())
}

impl FormSet {
    /// The embedded templates.
    pub fn embedded() -> Result<Self> {
        Self::load(None)
    }

    /// Embedded templates, with files of `seeds_dir/forms/` replacing or adding templates.
    pub fn load(seeds_dir: Option<&Path>) -> Result<Self> {
        let mut texts: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(id, t)| ((*id).to_owned(), (*t).to_owned()))
            .collect();
        if let Some(dir) = seeds_dir {
            read_dir_toml(&dir.join("forms"), "", &mut texts)?;
        }
        let mut raws = BTreeMap::new();
        for (id, text) in texts {
            if !valid_id(&id) {
                return Err(template_error(&id, "file name: use a-z, 0-9, - and /"));
            }
            raws.insert(id.clone(), parse_raw(&id, &text)?);
        }
        let mut templates = BTreeMap::new();
        for id in raws.keys().filter(|k| !k.starts_with("common/")) {
            templates.insert(id.clone(), resolve(id, &raws)?);
        }
        Ok(FormSet { templates })
    }

    /// A template by id.
    pub fn get(&self, id: &str) -> Result<&FormTemplate> {
        self.templates
            .get(id)
            .ok_or_else(|| HoSoError::FormMissing(id.to_owned()))
    }

    /// All template ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }
}

// ---------------------------------------------------------------- auto-fill

/// Where a field's value comes from (shown beside the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Read from the chip (and verified or not: see the hồ sơ's identity flags).
    Chip,
    /// From the card's QR code.
    Qr,
    /// The card's address converted to the 2025 units.
    ConvertedAddress,
    /// Typed by the clerk (or given as contact information).
    Typed,
    /// Set by the system (agency name, date of the request).
    System,
    /// Nothing yet: the clerk fills it.
    Empty,
}

/// A field with its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledField {
    pub id: String,
    pub section: String,
    pub label_vi: String,
    pub kind: FieldKind,
    pub required: bool,
    pub value: Option<String>,
    pub source: Source,
    /// The clerk must pick one of `choices` (a ward split in 2025).
    #[serde(default)]
    pub needs_choice: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Why the field is as it is (e.g. the address could not be converted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// A filled form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledForm {
    pub template: String,
    pub title: String,
    pub fields: Vec<FilledField>,
}

impl FilledForm {
    /// Sets a value typed by the clerk (also resolves a pending choice).
    pub fn set_typed(&mut self, id: &str, value: &str) -> Result<()> {
        let f =
            self.fields
                .iter_mut()
                .find(|f| f.id == id)
                .ok_or_else(|| HoSoError::InvalidInput {
                    field: id.to_owned(),
                    detail: "không có trường này trong tờ khai".into(),
                })?;
        let v = value.trim();
        f.value = (!v.is_empty()).then(|| v.to_owned());
        f.source = if v.is_empty() {
            Source::Empty
        } else if f.needs_choice && f.choices.iter().any(|c| c == v) {
            Source::ConvertedAddress
        } else {
            Source::Typed
        };
        f.needs_choice = false;
        f.warning = None;
        Ok(())
    }

    /// A field by id.
    pub fn get(&self, id: &str) -> Option<&FilledField> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// `{field id: {"value", "source"}}`: what the store keeps.
    pub fn values_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for f in &self.fields {
            m.insert(
                f.id.clone(),
                serde_json::json!({ "value": f.value, "source": f.source }),
            );
        }
        serde_json::Value::Object(m)
    }
}

/// What auto-fill draws from.
#[derive(Debug, Clone, Copy)]
pub struct AutofillContext<'a> {
    pub identity: Option<&'a Identity>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub agency_name: &'a str,
    pub intake_date: NaiveDate,
    pub admin_units: &'a AdminUnits,
}

/// The residence converted to the 2025 units, as the form and the hồ sơ use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertedAddress {
    /// The single converted address, when unambiguous.
    pub value: Option<String>,
    /// Candidates when the legacy ward was split (the clerk chooses).
    pub choices: Vec<String>,
    /// Why there is no value.
    pub warning: Option<String>,
}

/// Converts a printed (pre-2025) address.
pub fn convert_address(units: &AdminUnits, printed: &str) -> ConvertedAddress {
    match units.convert(printed) {
        Ok(c) if c.options.len() == 1 => ConvertedAddress {
            value: c.formatted(0),
            choices: vec![],
            warning: None,
        },
        Ok(c) if c.options.is_empty() => ConvertedAddress {
            value: None,
            choices: vec![],
            warning: Some("Không chuyển đổi được địa chỉ sang đơn vị hành chính mới.".into()),
        },
        Ok(c) => ConvertedAddress {
            value: None,
            choices: (0..c.options.len())
                .filter_map(|i| c.formatted(i))
                .collect(),
            warning: Some(
                "Xã/phường cũ đã được chia cho nhiều đơn vị mới: hỏi công dân và chọn một.".into(),
            ),
        },
        Err(e) => ConvertedAddress {
            value: None,
            choices: vec![],
            warning: Some(e.message_vi()),
        },
    }
}

fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Fills `template` from the context. Fields without a source are left empty for the clerk.
pub fn autofill(template: &FormTemplate, ctx: &AutofillContext<'_>) -> FilledForm {
    let id_source = ctx.identity.map(|i| match i.source {
        IdentitySource::Chip => Source::Chip,
        IdentitySource::Qr => Source::Qr,
        IdentitySource::Manual => Source::Typed,
    });
    let converted = ctx
        .identity
        .and_then(|i| i.citizen.residence.as_deref())
        .map(|r| (r, convert_address(ctx.admin_units, r)));
    let mut fields = Vec::new();
    for (section, f) in template.fields() {
        let mut out = FilledField {
            id: f.id.clone(),
            section: section.id.clone(),
            label_vi: f.label_vi.clone(),
            kind: f.kind,
            required: f.required,
            value: None,
            source: Source::Empty,
            needs_choice: false,
            choices: vec![],
            warning: None,
        };
        let citizen = ctx.identity.map(|i| &i.citizen);
        let from_card = |v: Option<String>| {
            v.filter(|s| !s.trim().is_empty())
                .map(|s| (s, id_source.unwrap_or(Source::Typed)))
        };
        let filled: Option<(String, Source)> = match f.autofill.as_deref() {
            None => None,
            Some("contact.phone") => ctx.phone.map(|p| (p.to_owned(), Source::Typed)),
            Some("contact.email") => ctx.email.map(|p| (p.to_owned(), Source::Typed)),
            Some("agency.name") => Some((ctx.agency_name.to_owned(), Source::System)),
            Some("intake.date") => Some((date_vi(ctx.intake_date), Source::System)),
            Some("citizen.residence") => match &converted {
                None => None,
                Some((printed, conv)) => {
                    if let Some(v) = &conv.value {
                        Some((v.clone(), Source::ConvertedAddress))
                    } else if !conv.choices.is_empty() {
                        out.needs_choice = true;
                        out.choices = conv.choices.clone();
                        out.source = Source::ConvertedAddress;
                        out.warning = conv.warning.clone();
                        None
                    } else {
                        // Not convertible: keep the card's wording, flagged.
                        out.warning = conv.warning.clone();
                        from_card(Some((*printed).to_owned()))
                    }
                }
            },
            Some(key) => citizen.and_then(|c| {
                let v = match key {
                    "citizen.full_name" => Some(c.full_name.clone()),
                    "citizen.date_of_birth" => c.date_of_birth.map(date_vi),
                    "citizen.sex" => c.gender.clone(),
                    "citizen.ethnicity" => c.ethnicity.clone(),
                    "citizen.religion" => c.religion.clone(),
                    "citizen.nationality" => c.nationality.clone(),
                    "citizen.hometown" => c.hometown.clone(),
                    "citizen.residence_printed" => c.residence.clone(),
                    "citizen.id_number" => Some(c.id_number.clone()),
                    "citizen.old_id_number" => c.old_id_number.clone(),
                    "citizen.id_issue_date" => c.issue_date.map(date_vi),
                    "citizen.father_name" => c.father_name.clone(),
                    "citizen.mother_name" => c.mother_name.clone(),
                    "citizen.spouse_name" => c.spouse_name.clone(),
                    _ => None,
                };
                from_card(v)
            }),
        };
        if let Some((v, s)) = filled {
            out.value = Some(v);
            out.source = s;
        }
        fields.push(out);
    }
    FilledForm {
        template: template.id.clone(),
        title: template.title.clone(),
        fields,
    }
}

// ---------------------------------------------------------------- validation

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub label_vi: String,
    /// required, needs_choice, pattern, invalid_date, invalid_phone, invalid_email,
    /// invalid_id_number, invalid_number, invalid_option.
    pub code: String,
    pub message_vi: String,
}

/// A Vietnamese phone number: 0 + 9–10 digits, or +84 + 9–10 digits; spaces, dots, dashes allowed.
pub fn valid_phone(s: &str) -> bool {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = if let Some(r) = t.strip_prefix("+84") {
        r.to_owned()
    } else if let Some(r) = t.strip_prefix('0') {
        r.to_owned()
    } else {
        return false;
    };
    (9..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A plausible e-mail address (one @, a dot in the domain, no spaces).
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Checks every field of a filled form against its template.
pub fn validate(template: &FormTemplate, form: &FilledForm) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (_, f) in template.fields() {
        let filled = form.get(&f.id);
        let err = |code: &str, msg: &str| FieldError {
            field: f.id.clone(),
            label_vi: f.label_vi.clone(),
            code: code.to_owned(),
            message_vi: msg.to_owned(),
        };
        if filled.is_some_and(|x| x.needs_choice) {
            errs.push(err(
                "needs_choice",
                "Chọn một địa chỉ mới trong các phương án.",
            ));
            continue;
        }
        let value = filled
            .and_then(|x| x.value.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let Some(v) = value else {
            if f.required {
                errs.push(err("required", "Bắt buộc nhập."));
            }
            continue;
        };
        let kind_error = match f.kind {
            FieldKind::Date => NaiveDate::parse_from_str(v, "%d/%m/%Y").is_err().then(|| {
                err(
                    "invalid_date",
                    "Ngày phải có dạng ngày/tháng/năm (dd/mm/yyyy).",
                )
            }),
            FieldKind::Phone => (!valid_phone(v)).then(|| {
                err(
                    "invalid_phone",
                    "Số điện thoại không hợp lệ (ví dụ 0912 345 678).",
                )
            }),
            FieldKind::Email => {
                (!valid_email(v)).then(|| err("invalid_email", "Địa chỉ thư điện tử không hợp lệ."))
            }
            FieldKind::IdNumber => (!(v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())))
                .then(|| err("invalid_id_number", "Số định danh cá nhân gồm 12 chữ số.")),
            FieldKind::Number => (!v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| err("invalid_number", "Chỉ nhập chữ số.")),
            FieldKind::Select => (!f.options.iter().any(|o| o == v)).then(|| {
                err(
                    "invalid_option",
                    &format!("Chọn một trong: {}.", f.options.join(", ")),
                )
            }),
            FieldKind::Text | FieldKind::Address => None,
        };
        if let Some(e) = kind_error {
            errs.push(e);
            continue;
        }
        if let Some(re) = template.patterns.get(&f.id) {
            if !re.is_match(v) {
                errs.push(err("pattern", "Giá trị không đúng định dạng yêu cầu."));
            }
        }
    }
    errs
}
