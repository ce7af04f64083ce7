//! The QR printed on Vietnamese ID cards (CCCD 2021 front, thẻ căn cước 2024 back), parsed into a
//! typed, validated record. Pure code: text in, record or a list of every problem out.
//!
//! The QR is not signed: what it says is data, not proof of identity (only the chip's passive
//! authentication is). Fields are recognised by their type (12-digit ID, 9-digit CMND, dates,
//! Nam/Nữ, text), not by position, because the 2024 design's layout varies between sources.
//! Text damaged by keyboard-wedge scanners is detected; mojibake (UTF-8 read as Windows-1252) is
//! repaired, Telex residues and '?' replacements are reported.

mod error;
mod wedge;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

pub use error::{Field, PayloadError, PayloadErrors};
pub use wedge::{has_replacement, looks_like_mojibake, repair_mojibake, telex_residue};

/// Which card design the payload matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Design {
    /// CCCD gắn chip (2021): exactly the 7 fields in the printed order, issued before 2024-07-01.
    #[serde(rename = "cccd2021")]
    Cccd2021,
    /// Thẻ căn cước (from 2024-07-01).
    #[serde(rename = "can_cuoc2024")]
    CanCuoc2024,
    /// Valid fields in a layout that is neither, or a reordered layout issued before 2024-07-01.
    #[serde(rename = "unknown")]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Gender {
    #[serde(rename = "Nam")]
    Male,
    #[serde(rename = "Nữ")]
    Female,
}

impl Gender {
    pub fn as_vi(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// A validated identity read from a card's QR. Dates serialize as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrIdentity {
    pub design: Design,
    /// Số định danh cá nhân, 12 digits.
    pub id_number: String,
    /// Card access number for PACE: the last 6 digits of the ID number (see [`QrIdentity::can`]).
    pub can: String,
    /// The old CMND number (9 digits), if the card carries one.
    pub old_id_number: Option<String>,
    /// Other cancelled numbers (2024 design): old 12-digit numbers or further CMND numbers.
    pub cancelled_id_numbers: Vec<String>,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: Gender,
    /// Nơi thường trú (2021) / nơi cư trú (2024), as printed.
    pub residence: String,
    pub issue_date: NaiveDate,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    /// True when garbled text (UTF-8 read as Windows-1252) was repaired.
    pub mojibake_repaired: bool,
}

impl QrIdentity {
    /// The last 6 digits of the ID number: the CAN that unlocks the chip with PACE.
    pub fn can(&self) -> &str {
        &self.can
    }
}

/// Valid province codes (the 63 provinces' codes used in the first 3 digits of the ID number).
pub const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// The first day thẻ căn cước (Luật Căn cước 2023) were issued.
fn can_cuoc_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or(NaiveDate::MIN)
}

/// Today's date (UTC) from the system clock.
pub fn today() -> NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    i32::try_from(days)
        .ok()
        .and_then(|d| NaiveDate::from_num_days_from_ce_opt(719_163 + d))
        .unwrap_or(NaiveDate::MAX)
}

/// Parse raw bytes from a QR (or a serial scanner): must be UTF-8.
pub fn parse_bytes(bytes: &[u8]) -> Result<QrIdentity, PayloadErrors> {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(_) => Err(PayloadErrors(vec![PayloadError::NotUtf8])),
    }
}

/// Parse a payload, checking dates against today's date.
pub fn parse(payload: &str) -> Result<QrIdentity, PayloadErrors> {
    parse_at(payload, today())
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Empty,
    Id12(Vec<String>),
    Id9(Vec<String>),
    /// A list mixing 9- and 12-digit numbers (2024 design: cancelled numbers).
    Ids(Vec<String>),
    /// Numbers of other lengths (or mixed lists).
    BadNumber(String),
    Date(Option<NaiveDate>, String),
    Gender(Gender),
    /// Short field starting with N that is not Nam/Nữ: a damaged gender.
    GenderLike(String),
    Text(String),
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let digits: String = s
        .chars()
        .filter(|c| *c != '/' && *c != '-' && *c != '.')
        .collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = digits[0..2].parse().ok()?;
    let m = digits[2..4].parse().ok()?;
    let y = digits[4..8].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

fn is_date_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 8 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 10
            && (b[2] == b'/' || b[2] == b'-' || b[2] == b'.')
            && b[5] == b[2]
            && s.chars().filter(|c| c.is_ascii_digit()).count() == 8)
}

fn classify(f: &str) -> Kind {
    if f.is_empty() {
        return Kind::Empty;
    }
    if is_date_shaped(f) {
        return Kind::Date(parse_date(f), f.to_owned());
    }
    // Numbers or comma/space-separated lists of numbers.
    if f.chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == ';' || c == ' ')
        && f.chars().any(|c| c.is_ascii_digit())
    {
        let items: Vec<String> = f
            .split([',', ';', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if items.iter().all(|s| s.len() == 12) {
            return Kind::Id12(items);
        }
        if items.iter().all(|s| s.len() == 9) {
            return Kind::Id9(items);
        }
        if items.iter().all(|s| s.len() == 9 || s.len() == 12) {
            return Kind::Ids(items);
        }
        return Kind::BadNumber(f.to_owned());
    }
    let lower = f.to_lowercase();
    match lower.as_str() {
        "nam" => return Kind::Gender(Gender::Male),
        "nữ" => return Kind::Gender(Gender::Female),
        _ => {}
    }
    if f.chars().count() <= 5 && lower.starts_with('n') && !f.contains(' ') {
        return Kind::GenderLike(f.to_owned());
    }
    Kind::Text(f.to_owned())
}

fn is_name(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && s.chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || c == '-' || c == '.')
        && !s.contains("  ")
}

/// Wedge damage checks on one text field; true if the field is damaged.
fn check_wedge(field: Field, s: &str, errors: &mut Vec<PayloadError>) -> bool {
    if has_replacement(s) {
        errors.push(PayloadError::DiacriticsLost { field });
        return true;
    }
    if looks_like_mojibake(s) {
        errors.push(PayloadError::Mojibake { field });
        return true;
    }
    if let Some(word) = telex_residue(s) {
        errors.push(PayloadError::TelexResidue { field, word });
        return true;
    }
    false
}

fn normalize_field(raw: &str, repaired: &mut bool) -> String {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let fixed = match repair_mojibake(trimmed) {
        Some(r) => {
            *repaired = true;
            r
        }
        // Mixed text (part garbled, part intact): repair word by word.
        None => trimmed
            .split(' ')
            .map(|w| match repair_mojibake(w) {
                Some(r) => {
                    *repaired = true;
                    r
                }
                None => w.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    };
    // NFC, then collapse inner runs of whitespace.
    let nfc: String = fixed.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse a payload, checking dates against `today`. Reports every problem found.
pub fn parse_at(payload: &str, today: NaiveDate) -> Result<QrIdentity, PayloadErrors> {
    let p = payload.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}' || c == '\0');
    if p.is_empty() {
        return Err(PayloadErrors(vec![PayloadError::Empty]));
    }
    if p.chars()
        .any(|c| c.is_control() && c != '\t' && !('\u{80}'..='\u{9F}').contains(&c))
    {
        return Err(PayloadErrors(vec![PayloadError::ControlCharacters]));
    }
    let raw_fields: Vec<&str> = p.split('|').collect();
    // Trailing empty fields (some designs end with '|') do not count.
    let mut n = raw_fields.len();
    while n > 0 && raw_fields[n - 1].trim().is_empty() {
        n -= 1;
    }
    let raw_fields = &raw_fields[..n];
    if !(5..=16).contains(&raw_fields.len()) {
        return Err(PayloadErrors(vec![PayloadError::NotIdentityQr {
            fields: raw_fields.len(),
        }]));
    }
    let mut repaired = false;
    let fields: Vec<String> = raw_fields
        .iter()
        .map(|f| normalize_field(f, &mut repaired))
        .collect();
    let kinds: Vec<Kind> = fields.iter().map(|f| classify(f)).collect();

    let mut errors = Vec::new();
    let mut ids12: Vec<String> = Vec::new();
    let mut ids9: Vec<String> = Vec::new();
    let mut dates: Vec<(usize, Option<NaiveDate>, String)> = Vec::new();
    let mut gender: Option<Gender> = None;
    let mut texts: Vec<String> = Vec::new();
    let mut id_format_error = false;
    for (i, k) in kinds.iter().enumerate() {
        match k {
            Kind::Empty => {}
            Kind::Id12(v) => ids12.extend(v.iter().cloned()),
            Kind::Id9(v) => ids9.extend(v.iter().cloned()),
            Kind::Ids(v) => {
                for x in v {
                    if x.len() == 12 {
                        ids12.push(x.clone());
                    } else {
                        ids9.push(x.clone());
                    }
                }
            }
            Kind::BadNumber(v) => {
                // The first field, or a long number before any ID: a malformed ID number.
                if ids12.is_empty() && !id_format_error && (i == 0 || v.len() > 9) {
                    id_format_error = true;
                    errors.push(PayloadError::IdNumberFormat { value: v.clone() });
                } else {
                    errors.push(PayloadError::OldIdFormat { value: v.clone() });
                }
            }
            Kind::Date(d, s) => {
                if d.is_none() && i == 1 && s.bytes().all(|b| b.is_ascii_digit()) {
                    // Where the old CMND number goes: an 8-digit number, not a date.
                    errors.push(PayloadError::OldIdFormat { value: s.clone() });
                } else {
                    dates.push((i, *d, s.clone()));
                }
            }
            Kind::Gender(g) => {
                if gender.is_some_and(|x| x != *g) {
                    errors.push(PayloadError::DuplicateField {
                        field: Field::Gender,
                    });
                }
                gender = Some(*g);
            }
            Kind::GenderLike(s) => {
                if !check_wedge(Field::Gender, s, &mut errors) {
                    errors.push(PayloadError::GenderInvalid { value: s.clone() });
                }
            }
            Kind::Text(s) => texts.push(s.clone()),
        }
    }
    let gender_seen = kinds
        .iter()
        .any(|k| matches!(k, Kind::Gender(_) | Kind::GenderLike(_)));

    // ID numbers: the first 12-digit number is the ID; others are cancelled numbers.
    let id_number = ids12.first().cloned();
    let mut cancelled: Vec<String> = ids12.iter().skip(1).cloned().collect();
    let old_id_number = ids9.first().cloned();
    cancelled.extend(ids9.iter().skip(1).cloned());
    cancelled.dedup();
    if id_number.is_none() && !id_format_error {
        errors.push(PayloadError::MissingField(Field::IdNumber));
    }

    // Dates: two valid ones are told apart by order in time; otherwise by position.
    let (mut dob, mut issue) = (None, None);
    let valid: Vec<NaiveDate> = dates.iter().filter_map(|(_, d, _)| *d).collect();
    if dates.len() > 2 {
        for (_, _, s) in dates.iter().skip(2) {
            errors.push(PayloadError::UnrecognizedField { value: s.clone() });
        }
    }
    let dates: Vec<_> = dates.into_iter().take(2).collect();
    if valid.len() >= 2 && dates.iter().all(|(_, d, _)| d.is_some()) {
        let (a, b) = (valid[0], valid[1]);
        dob = Some(a.min(b));
        issue = Some(a.max(b));
    } else {
        for (slot, (_, d, s)) in dates.iter().enumerate() {
            let field = if slot == 0 {
                Field::DateOfBirth
            } else {
                Field::IssueDate
            };
            match d {
                Some(d) if slot == 0 => dob = Some(*d),
                Some(d) => issue = Some(*d),
                None => errors.push(PayloadError::DateInvalid {
                    field,
                    value: s.clone(),
                }),
            }
        }
    }
    let dob_slot_used = !dates.is_empty();
    let issue_slot_used = dates.len() >= 2;
    if !dob_slot_used {
        errors.push(PayloadError::MissingField(Field::DateOfBirth));
    }
    if !issue_slot_used {
        errors.push(PayloadError::MissingField(Field::IssueDate));
    }
    for (field, d) in [(Field::DateOfBirth, dob), (Field::IssueDate, issue)] {
        if let Some(d) = d {
            if d > today {
                errors.push(PayloadError::DateInFuture { field });
            } else if d.year() < 1900 {
                errors.push(PayloadError::DateTooOld { field });
            }
        }
    }
    if let (Some(b), Some(i)) = (dob, issue) {
        if i < b {
            errors.push(PayloadError::IssueBeforeBirth);
        }
    }

    if !gender_seen {
        errors.push(PayloadError::MissingField(Field::Gender));
    }

    // Text fields: the first is the name; the residence is the first later one with a comma or a
    // digit (else the next one); what is left are the parents' names, father first.
    let mut texts = texts.into_iter();
    let full_name = texts.next();
    let rest: Vec<String> = texts.collect();
    let res_idx = rest
        .iter()
        .position(|t| t.contains(',') || t.chars().any(|c| c.is_ascii_digit()))
        .or(if rest.is_empty() { None } else { Some(0) });
    let residence = res_idx.map(|i| rest[i].clone());
    let parents: Vec<String> = rest
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != res_idx)
        .map(|(_, t)| t.clone())
        .collect();
    for extra in parents.iter().skip(2) {
        errors.push(PayloadError::UnrecognizedField {
            value: extra.clone(),
        });
    }
    let father_name = parents.first().cloned();
    let mother_name = parents.get(1).cloned();

    match &full_name {
        None => errors.push(PayloadError::MissingField(Field::FullName)),
        Some(n) => {
            if !check_wedge(Field::FullName, n, &mut errors) && !is_name(n) {
                errors.push(PayloadError::NameInvalid {
                    field: Field::FullName,
                    value: n.clone(),
                });
            }
        }
    }
    match &residence {
        None => errors.push(PayloadError::MissingField(Field::Residence)),
        Some(r) => {
            check_wedge(Field::Residence, r, &mut errors);
        }
    }
    for (field, v) in [
        (Field::FatherName, &father_name),
        (Field::MotherName, &mother_name),
    ] {
        if let Some(n) = v {
            if !check_wedge(field, n, &mut errors) && !is_name(n) {
                errors.push(PayloadError::NameInvalid {
                    field,
                    value: n.clone(),
                });
            }
        }
    }

    // The ID number's structure against the other fields.
    if let Some(id) = &id_number {
        check_id(id, dob, gender, &mut errors);
    }

    if !errors.is_empty() {
        return Err(PayloadErrors(errors));
    }
    let (
        Some(id_number),
        Some(full_name),
        Some(date_of_birth),
        Some(gender),
        Some(residence),
        Some(issue_date),
    ) = (id_number, full_name, dob, gender, residence, issue)
    else {
        // Every missing value has pushed an error above; this is only a safety net.
        return Err(PayloadErrors(vec![PayloadError::NotIdentityQr {
            fields: fields.len(),
        }]));
    };

    let canonical_2021 = kinds.len() == 7
        && matches!(kinds[0], Kind::Id12(ref v) if v.len() == 1)
        && matches!(kinds[1], Kind::Empty | Kind::Id9(_))
        && matches!(kinds[2], Kind::Text(_))
        && matches!(kinds[3], Kind::Date(..))
        && matches!(kinds[4], Kind::Gender(_))
        && matches!(kinds[5], Kind::Text(_))
        && matches!(kinds[6], Kind::Date(..));
    let design = if issue_date >= can_cuoc_start() {
        Design::CanCuoc2024
    } else if canonical_2021 {
        Design::Cccd2021
    } else {
        Design::Unknown
    };
    let can = id_number[6..].to_owned();
    Ok(QrIdentity {
        design,
        can,
        id_number,
        old_id_number,
        cancelled_id_numbers: cancelled,
        full_name,
        date_of_birth,
        gender,
        residence,
        issue_date,
        father_name,
        mother_name,
        mojibake_repaired: repaired,
    })
}

fn check_id(
    id: &str,
    dob: Option<NaiveDate>,
    gender: Option<Gender>,
    errors: &mut Vec<PayloadError>,
) {
    let province: u16 = id[0..3].parse().unwrap_or(0);
    if !PROVINCE_CODES.contains(&province) {
        errors.push(PayloadError::ProvinceCode {
            code: id[0..3].to_owned(),
        });
    }
    let digit = u32::from(id.as_bytes()[3] - b'0');
    let century = 1900 + 100 * i32::try_from(digit / 2).unwrap_or(0);
    let id_gender = if digit % 2 == 0 {
        Gender::Male
    } else {
        Gender::Female
    };
    let yy: i32 = id[4..6].parse().unwrap_or(0);
    if let Some(d) = dob {
        if century + yy != d.year() {
            errors.push(PayloadError::IdBirthYearMismatch {
                id_year: format!("{}", century + yy),
                dob_year: d.year(),
            });
        }
    }
    if let Some(g) = gender {
        if g != id_gender {
            errors.push(PayloadError::IdGenderMismatch);
        }
    }
}

/// Build the ID number's first 6 digits from its parts (for generators and tests).
pub fn id_prefix(province: u16, birth_year: i32, gender: Gender) -> String {
    let century_digit =
        (birth_year.div_euclid(100) - 19).clamp(0, 4) * 2 + i32::from(gender == Gender::Female);
    format!(
        "{province:03}{century_digit}{:02}",
        birth_year.rem_euclid(100)
    )
}
