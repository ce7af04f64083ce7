//! DG1: the MRZ (`61 { 5F1F mrz }`), TD1 (3×30), TD2 (2×36) and TD3 (2×44), with check digits.

use serde::Serialize;

use crate::{dg_content, tlv, LdsError};

/// MRZ layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MrzFormat {
    /// ID card, 3 lines × 30 (CCCD, thẻ căn cước).
    Td1,
    /// 2 lines × 36.
    Td2,
    /// Passport, 2 lines × 44.
    Td3,
}

/// Result of each check digit (true = correct).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MrzChecks {
    pub document_number: bool,
    pub date_of_birth: bool,
    pub date_of_expiry: bool,
    pub composite: bool,
    /// TD3 personal number check (`None` on TD1/TD2).
    pub personal_number: Option<bool>,
}

impl MrzChecks {
    /// All present check digits are correct.
    pub fn all_ok(&self) -> bool {
        self.document_number
            && self.date_of_birth
            && self.date_of_expiry
            && self.composite
            && self.personal_number.unwrap_or(true)
    }
}

/// A parsed MRZ. Text fields have fillers (`<`) trimmed; names have `<` turned into spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mrz {
    pub format: MrzFormat,
    /// `ID`, `I<`, `P<`, ...
    pub document_code: String,
    pub issuing_state: String,
    /// Document number without fillers (long TD1 numbers are joined from the optional data).
    pub document_number: String,
    /// The check digit that belongs to `document_number`.
    pub document_number_check_digit: char,
    /// `YYMMDD`.
    pub date_of_birth: String,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// `YYMMDD`.
    pub date_of_expiry: String,
    pub nationality: String,
    /// Surname(s).
    pub primary_identifier: String,
    /// Given name(s).
    pub secondary_identifier: String,
    /// TD1 line 1 optional data / TD3 personal number (fillers trimmed). On Vietnamese cards this
    /// holds the 12-digit ID number and its check digit.
    pub optional_data_1: String,
    /// TD1 line 2 optional data.
    pub optional_data_2: String,
    pub checks: MrzChecks,
    /// The raw lines.
    pub lines: Vec<String>,
}

/// ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, `A` = 10). Characters outside `0-9A-Z<`
/// count as 0.
pub fn mrz_check_digit(s: &str) -> char {
    let sum: u32 = s
        .bytes()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

fn trim_fill(s: &str) -> String {
    s.trim_end_matches('<').to_string()
}

fn check(field: &str, digit: char) -> bool {
    // "<" as check digit of an all-filler field is allowed (e.g. empty optional data).
    (digit == '<' && field.bytes().all(|b| b == b'<')) || mrz_check_digit(field) == digit
}

fn names(s: &str) -> (String, String) {
    let mut parts = s.splitn(2, "<<");
    let primary = parts
        .next()
        .unwrap_or("")
        .replace('<', " ")
        .trim()
        .to_string();
    let secondary = parts
        .next()
        .unwrap_or("")
        .replace('<', " ")
        .trim()
        .to_string();
    (primary, secondary)
}

/// Parses MRZ text: lines separated by newlines (CR/LF, spaces around ignored) or concatenated.
/// Structure errors (length, characters) are errors; wrong check digits are reported in
/// [`Mrz::checks`] so the caller can decide.
pub fn parse_mrz(text: &str) -> Result<Mrz, LdsError> {
    let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(bad) = joined
        .chars()
        .find(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase() || *c == '<'))
    {
        return Err(LdsError::InvalidMrz(format!(
            "character {bad:?} is not allowed in an MRZ"
        )));
    }
    let s = joined.as_str();
    match s.len() {
        90 => Ok(parse_td1(s)),
        72 => Ok(parse_td23(s, 36)),
        88 => Ok(parse_td23(s, 44)),
        n => Err(LdsError::InvalidMrz(format!(
            "{n} characters; expected 90 (TD1), 72 (TD2) or 88 (TD3)"
        ))),
    }
}

fn ch(s: &str, i: usize) -> char {
    char::from(s.as_bytes()[i])
}

fn parse_td1(s: &str) -> Mrz {
    let (l1, rest) = s.split_at(30);
    let (l2, l3) = rest.split_at(30);
    let mut doc_number = l1[5..14].to_string();
    let mut doc_check = ch(l1, 14);
    let mut opt1 = l1[15..30].to_string();
    let doc_ok;
    if doc_check == '<' && !opt1.starts_with('<') {
        // Long document number: continues in the optional data, last char before '<' is the check.
        let ext_end = opt1.find('<').unwrap_or(opt1.len());
        let ext = &opt1[..ext_end];
        if ext.is_empty() {
            doc_ok = false;
        } else {
            let (more, c) = ext.split_at(ext.len() - 1);
            doc_number.push_str(more);
            doc_check = c.chars().next().unwrap_or('<');
            doc_ok = mrz_check_digit(&doc_number) == doc_check;
            opt1 = opt1[ext_end..].to_string();
        }
    } else {
        doc_ok = check(&doc_number, doc_check);
    }
    let composite_field = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
    let (primary, secondary) = names(l3);
    Mrz {
        format: MrzFormat::Td1,
        document_code: trim_fill(&l1[0..2]),
        issuing_state: trim_fill(&l1[2..5]),
        document_number: trim_fill(&doc_number),
        document_number_check_digit: doc_check,
        date_of_birth: l2[0..6].to_string(),
        sex: ch(l2, 7),
        date_of_expiry: l2[8..14].to_string(),
        nationality: trim_fill(&l2[15..18]),
        primary_identifier: primary,
        secondary_identifier: secondary,
        optional_data_1: trim_fill(opt1.trim_start_matches('<')),
        optional_data_2: trim_fill(&l2[18..29]),
        checks: MrzChecks {
            document_number: doc_ok,
            date_of_birth: check(&l2[0..6], ch(l2, 6)),
            date_of_expiry: check(&l2[8..14], ch(l2, 14)),
            composite: check(&composite_field, ch(l2, 29)),
            personal_number: None,
        },
        lines: vec![l1.to_string(), l2.to_string(), l3.to_string()],
    }
}

fn parse_td23(s: &str, width: usize) -> Mrz {
    let (l1, l2) = s.split_at(width);
    let td3 = width == 44;
    let (opt_end, composite_idx) = if td3 { (42, 43) } else { (35, 35) };
    let (primary, secondary) = names(&l1[5..]);
    let composite_field = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..composite_idx]);
    Mrz {
        format: if td3 { MrzFormat::Td3 } else { MrzFormat::Td2 },
        document_code: trim_fill(&l1[0..2]),
        issuing_state: trim_fill(&l1[2..5]),
        document_number: trim_fill(&l2[0..9]),
        document_number_check_digit: ch(l2, 9),
        date_of_birth: l2[13..19].to_string(),
        sex: ch(l2, 20),
        date_of_expiry: l2[21..27].to_string(),
        nationality: trim_fill(&l2[10..13]),
        primary_identifier: primary,
        secondary_identifier: secondary,
        optional_data_1: trim_fill(&l2[28..opt_end]),
        optional_data_2: String::new(),
        checks: MrzChecks {
            document_number: check(&l2[0..9], ch(l2, 9)),
            date_of_birth: check(&l2[13..19], ch(l2, 19)),
            date_of_expiry: check(&l2[21..27], ch(l2, 27)),
            composite: check(&composite_field, ch(l2, composite_idx)),
            personal_number: td3.then(|| check(&l2[28..42], ch(l2, 42))),
        },
        lines: vec![l1.to_string(), l2.to_string()],
    }
}

/// Parses DG1 (`61 { 5F1F mrz }`).
pub fn parse_dg1(bytes: &[u8]) -> Result<Mrz, LdsError> {
    let inner = dg_content(1, bytes)?;
    let mrz = tlv::find(inner, 0x5F1F)?.ok_or(LdsError::Missing("DG1 MRZ (5F1F)"))?;
    let text = std::str::from_utf8(mrz.value)
        .map_err(|_| LdsError::InvalidMrz("MRZ is not ASCII".into()))?;
    parse_mrz(text)
}

/// Builds DG1 from MRZ lines (3×30, 2×36 or 2×44); the lines must parse as an MRZ.
pub fn build_dg1(lines: &[&str]) -> Result<Vec<u8>, LdsError> {
    let joined: String = lines.concat();
    parse_mrz(&joined)?;
    Ok(tlv::encode(0x61, &tlv::encode(0x5F1F, joined.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a TD1 Vietnamese-style MRZ with correct check digits (made-up person).
    pub(crate) fn td1(
        doc: &str,
        id12: &str,
        dob: &str,
        sex: char,
        exp: &str,
        name: &str,
    ) -> [String; 3] {
        let l1_body = format!("IDVNM{doc}{}{id12}", mrz_check_digit(doc));
        let l1_body = format!("{l1_body:<<30}");
        let mut l1 = l1_body.replace(' ', "<");
        l1.truncate(30);
        let l1 = format!("{l1:<<30}");
        let l2_head = format!(
            "{dob}{}{sex}{exp}{}VNM",
            mrz_check_digit(dob),
            mrz_check_digit(exp)
        );
        let opt2 = "<<<<<<<<<<<";
        let composite = format!(
            "{}{}{}{}",
            &l1[5..30],
            &l2_head[0..7],
            &l2_head[8..15],
            opt2
        );
        let l2 = format!("{l2_head}{opt2}{}", mrz_check_digit(&composite));
        let l3 = format!("{name:<<30}");
        [l1, l2, l3]
    }

    #[test]
    fn check_digits() {
        assert_eq!(mrz_check_digit("L898902C3"), '6');
        assert_eq!(mrz_check_digit("740812"), '2');
        assert_eq!(mrz_check_digit("120415"), '9');
        assert_eq!(mrz_check_digit("<<<<"), '0');
    }

    #[test]
    fn td3_specimen_from_icao() {
        let l1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        let l2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
        let m = parse_mrz(&format!("{l1}\n{l2}")).unwrap();
        assert_eq!(m.format, MrzFormat::Td3);
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.date_of_birth, "740812");
        assert_eq!(m.date_of_expiry, "120415");
        assert_eq!(m.sex, 'F');
        assert_eq!(m.primary_identifier, "ERIKSSON");
        assert_eq!(m.secondary_identifier, "ANNA MARIA");
        assert_eq!(m.optional_data_1, "ZE184226B");
        assert!(m.checks.all_ok(), "{:?}", m.checks);
    }

    #[test]
    fn td1_specimen_from_icao() {
        let m = parse_mrz(
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        )
        .unwrap();
        assert_eq!(m.format, MrzFormat::Td1);
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.nationality, "UTO");
        assert!(m.checks.all_ok(), "{:?}", m.checks);
    }

    #[test]
    fn td1_vietnamese_layout_and_bad_check_digit() {
        let [l1, l2, l3] = td1(
            "079123456",
            "001079123456",
            "790215",
            'M',
            "390215",
            "NGUYEN<<VAN<AN",
        );
        let m = parse_mrz(&format!("{l1}{l2}{l3}")).unwrap();
        assert_eq!(m.document_code, "ID");
        assert_eq!(m.issuing_state, "VNM");
        assert_eq!(m.document_number, "079123456");
        assert!(m.optional_data_1.starts_with("001079123456"));
        assert_eq!(m.primary_identifier, "NGUYEN");
        assert_eq!(m.secondary_identifier, "VAN AN");
        assert!(m.checks.all_ok(), "{:?}", m.checks);

        let mut bad = l2.clone();
        bad.replace_range(6..7, if &l2[6..7] == "0" { "1" } else { "0" });
        let m = parse_mrz(&format!("{l1}{bad}{l3}")).unwrap();
        assert!(!m.checks.date_of_birth);
        assert!(!m.checks.all_ok());
    }

    #[test]
    fn dg1_round_trip_and_errors() {
        let [l1, l2, l3] = td1(
            "079123456",
            "001079123456",
            "790215",
            'F',
            "991231",
            "TRAN<<THI<BINH",
        );
        let dg1 = build_dg1(&[&l1, &l2, &l3]).unwrap();
        assert_eq!(&dg1[..4], &[0x61, 0x5D, 0x5F, 0x1F]);
        let m = parse_dg1(&dg1).unwrap();
        assert_eq!(m.lines, vec![l1.clone(), l2.clone(), l3.clone()]);
        assert!(build_dg1(&["SHORT"]).is_err());
        assert!(parse_mrz("abc").is_err());
        assert!(parse_mrz(&"Ä".repeat(90)).is_err());
    }
}
