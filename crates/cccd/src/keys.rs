//! Access keys and the ID number / expiry rules of Vietnamese cards.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::CccdError;

/// The three MRZ fields that make the BAC/PACE MRZ key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MrzKeyInfo {
    /// Document number without fillers (Vietnamese cards: last 9 digits of the ID number).
    pub document_number: String,
    /// `YYMMDD`.
    pub date_of_birth: String,
    /// `YYMMDD`; `991231` for cards without expiry.
    pub date_of_expiry: String,
}

impl MrzKeyInfo {
    /// From a parsed MRZ (DG1 or typed by the clerk).
    pub fn from_mrz(mrz: &lds::Mrz) -> Self {
        MrzKeyInfo {
            document_number: mrz.document_number.clone(),
            date_of_birth: mrz.date_of_birth.clone(),
            date_of_expiry: mrz.date_of_expiry.clone(),
        }
    }

    /// The ICAO 9303-11 "MRZ information" string: document number (padded with `<` to at least 9
    /// characters) + check digit + DOB + check digit + expiry + check digit. Its SHA-1 seeds the
    /// BAC/PACE keys.
    pub fn key_string(&self) -> String {
        let doc = format!("{:<<9}", self.document_number);
        format!(
            "{doc}{}{}{}{}{}",
            lds::mrz_check_digit(&doc),
            self.date_of_birth,
            lds::mrz_check_digit(&self.date_of_birth),
            self.date_of_expiry,
            lds::mrz_check_digit(&self.date_of_expiry)
        )
    }
}

/// The 12-digit ID number that Vietnamese cards carry at the start of the TD1 optional data
/// (line 1, after the document number and its check digit).
pub fn id_number_from_mrz(mrz: &lds::Mrz) -> Option<String> {
    let head: String = mrz.optional_data_1.chars().take(12).collect();
    (head.len() == 12 && head.bytes().all(|b| b.is_ascii_digit())).then_some(head)
}

/// Card expiry per the renewal rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "date")]
pub enum CardExpiry {
    Date(NaiveDate),
    /// Issued after the last milestone (60): valid for life.
    NoExpiry,
}

impl CardExpiry {
    /// `YYMMDD` as in the MRZ (`991231` for no expiry).
    pub fn yymmdd(self) -> String {
        match self {
            CardExpiry::Date(d) => d.format("%y%m%d").to_string(),
            CardExpiry::NoExpiry => "991231".into(),
        }
    }
}

fn validate_id(id: &str) -> Result<(), CccdError> {
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CccdError::InvalidIdNumber(format!(
            "{} characters, expected 12 digits",
            id.chars().count()
        )));
    }
    Ok(())
}

/// CAN (card access number) = last 6 digits of the 12-digit ID number.
pub fn can_from_id(id: &str) -> Result<String, CccdError> {
    let id = id.trim();
    validate_id(id)?;
    Ok(id[6..].to_string())
}

/// The day `years` after `dob` (the birthday at that age); 29 Feb → 28 Feb in common years,
/// or 1 Mar when `feb29_to_march` is set.
fn birthday_at(dob: NaiveDate, years: i32, feb29_to_march: bool) -> Option<NaiveDate> {
    let y = dob.year() + years;
    NaiveDate::from_ymd_opt(y, dob.month(), dob.day()).or_else(|| {
        if feb29_to_march {
            NaiveDate::from_ymd_opt(y, 3, 1)
        } else {
            NaiveDate::from_ymd_opt(y, 2, 28)
        }
    })
}

/// Date the Luật Căn cước 2023 took effect: cards issued from then follow ages 14/25/40/60.
fn law_2023_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap_or_default()
}

fn milestones(issued: NaiveDate) -> &'static [i32] {
    if issued >= law_2023_start() {
        &[14, 25, 40, 60]
    } else {
        &[25, 40, 60]
    }
}

/// Expiry under the rule, with `within_two_years` deciding the boundary case
/// (issued exactly 2 years before a milestone).
fn expiry_rule(
    dob: NaiveDate,
    issued: NaiveDate,
    boundary_counts_as_within: bool,
    feb29_to_march: bool,
) -> Option<CardExpiry> {
    let ms = milestones(issued);
    let mut i = ms
        .iter()
        .position(|m| birthday_at(dob, *m, false).is_some_and(|b| b > issued));
    if let Some(idx) = i {
        let milestone_day = birthday_at(dob, ms[idx], false)?;
        let two_before = birthday_at(milestone_day, -2, false)?;
        let within = if boundary_counts_as_within {
            issued >= two_before
        } else {
            issued > two_before
        };
        if within {
            i = if idx + 1 < ms.len() {
                Some(idx + 1)
            } else {
                None
            };
        }
    }
    Some(match i {
        None => CardExpiry::NoExpiry,
        Some(idx) => CardExpiry::Date(birthday_at(dob, ms[idx], feb29_to_march)?),
    })
}

/// The most likely expiry of a card issued on `issued` to someone born on `dob`:
/// renewal at 25/40/60 (issued before 1/7/2024) or 14/25/40/60 (from 1/7/2024); a card issued
/// within the 2 years before a milestone is valid until the next one; none after 60.
pub fn card_expiry(dob: NaiveDate, issued: NaiveDate) -> Result<CardExpiry, CccdError> {
    check_dates(dob, issued)?;
    expiry_rule(dob, issued, true, false)
        .ok_or_else(|| CccdError::InvalidDate("out of range".into()))
}

/// Every plausible expiry, most likely first: covers the "exactly 2 years before" boundary and
/// 29 February birthdays (28 Feb or 1 Mar).
pub fn card_expiry_candidates(
    dob: NaiveDate,
    issued: NaiveDate,
) -> Result<Vec<CardExpiry>, CccdError> {
    check_dates(dob, issued)?;
    let mut out = Vec::new();
    for (boundary, march) in [(true, false), (false, false), (true, true), (false, true)] {
        if let Some(e) = expiry_rule(dob, issued, boundary, march) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

fn check_dates(dob: NaiveDate, issued: NaiveDate) -> Result<(), CccdError> {
    if dob.year() < 1900 || dob.year() > 2099 {
        return Err(CccdError::InvalidDate(format!("date of birth {dob}")));
    }
    if issued < dob {
        return Err(CccdError::InvalidDate(format!(
            "issued {issued} before birth {dob}"
        )));
    }
    Ok(())
}

/// MRZ key from the ID number, date of birth and issue date (when the MRZ cannot be read):
/// document number = last 9 digits of the ID, expiry by [`card_expiry`].
pub fn mrz_key_from_id(
    id: &str,
    dob: NaiveDate,
    issued: NaiveDate,
) -> Result<MrzKeyInfo, CccdError> {
    let id = id.trim();
    validate_id(id)?;
    let e = card_expiry(dob, issued)?;
    Ok(MrzKeyInfo {
        document_number: id[3..].to_string(),
        date_of_birth: dob.format("%y%m%d").to_string(),
        date_of_expiry: e.yymmdd(),
    })
}

/// All MRZ keys worth trying, most likely first (see [`card_expiry_candidates`]).
pub fn mrz_key_candidates(
    id: &str,
    dob: NaiveDate,
    issued: NaiveDate,
) -> Result<Vec<MrzKeyInfo>, CccdError> {
    let id = id.trim();
    validate_id(id)?;
    Ok(card_expiry_candidates(dob, issued)?
        .into_iter()
        .map(|e| MrzKeyInfo {
            document_number: id[3..].to_string(),
            date_of_birth: dob.format("%y%m%d").to_string(),
            date_of_expiry: e.yymmdd(),
        })
        .collect())
}

/// Province codes (3 digits) of the 63 provinces as used in ID numbers.
pub const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

/// What the 12 digits say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdNumberInfo {
    /// Province of birth registration (digits 1-3).
    pub province_code: String,
    /// Whether `province_code` is one of the 63 known codes.
    pub province_known: bool,
    /// "Nam" or "Nữ" (digit 4).
    pub gender: &'static str,
    /// Full birth year from digit 4 (century) and digits 5-6.
    pub birth_year: i32,
    /// Digits 7-12.
    pub serial: String,
}

/// Decodes the structure of a 12-digit ID number.
pub fn parse_id_number(id: &str) -> Result<IdNumberInfo, CccdError> {
    let id = id.trim();
    validate_id(id)?;
    let d = id.as_bytes();
    let g = i32::from(d[3] - b'0');
    let century = 1900 + (g / 2) * 100;
    let yy = i32::from(d[4] - b'0') * 10 + i32::from(d[5] - b'0');
    let province_code = id[..3].to_string();
    Ok(IdNumberInfo {
        province_known: PROVINCE_CODES.contains(&province_code.as_str()),
        province_code,
        gender: if g % 2 == 0 { "Nam" } else { "Nữ" },
        birth_year: century + yy,
        serial: id[6..].to_string(),
    })
}

/// A disagreement between the ID number and other data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdProblem {
    UnknownProvinceCode(String),
    BirthYearMismatch {
        from_id: i32,
        from_dob: i32,
    },
    GenderMismatch {
        from_id: &'static str,
        stated: String,
    },
}

impl IdProblem {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            IdProblem::UnknownProvinceCode(_) => "id_unknown_province_code",
            IdProblem::BirthYearMismatch { .. } => "id_birth_year_mismatch",
            IdProblem::GenderMismatch { .. } => "id_gender_mismatch",
        }
    }

    /// Vietnamese explanation.
    pub fn message_vi(&self) -> &'static str {
        match self {
            IdProblem::UnknownProvinceCode(_) => "Mã tỉnh (3 chữ số đầu) của số định danh không có trong danh mục. Hãy kiểm tra lại số định danh.",
            IdProblem::BirthYearMismatch { .. } => "Năm sinh trong số định danh không khớp với ngày sinh. Hãy kiểm tra lại số định danh và ngày sinh.",
            IdProblem::GenderMismatch { .. } => "Giới tính trong số định danh không khớp với giới tính đã ghi. Hãy kiểm tra lại.",
        }
    }
}

/// Checks the ID number against the date of birth and gender ("Nam"/"Nữ", case-insensitive).
/// Returns the problems found (empty = consistent). Errors only if the ID is not 12 digits.
pub fn check_id_number(
    id: &str,
    dob: Option<NaiveDate>,
    gender: Option<&str>,
) -> Result<Vec<IdProblem>, CccdError> {
    let info = parse_id_number(id)?;
    let mut out = Vec::new();
    if !info.province_known {
        out.push(IdProblem::UnknownProvinceCode(info.province_code.clone()));
    }
    if let Some(dob) = dob {
        if dob.year() != info.birth_year {
            out.push(IdProblem::BirthYearMismatch {
                from_id: info.birth_year,
                from_dob: dob.year(),
            });
        }
    }
    if let Some(g) = gender {
        let g_norm: String = unicode_normalization::UnicodeNormalization::nfc(g.trim())
            .collect::<String>()
            .to_lowercase();
        let stated_male = matches!(g_norm.as_str(), "nam" | "m" | "male");
        let stated_female = matches!(g_norm.as_str(), "nữ" | "nu" | "f" | "female");
        let id_male = info.gender == "Nam";
        if (stated_male && !id_male) || (stated_female && id_male) {
            out.push(IdProblem::GenderMismatch {
                from_id: info.gender,
                stated: g.to_string(),
            });
        }
    }
    Ok(out)
}
