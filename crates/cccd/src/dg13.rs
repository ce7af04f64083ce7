//! DG13, the Vietnamese citizen data group.
//!
//! Layout (2021 CCCD and 2024 thẻ căn cước):
//!
//! ```text
//! 6D { 30 { 02 01 01                      -- version
//!           06 06 28 D3 16 01 00 08        -- 1.0.10646.1.0.8 (UTF-8)
//!           31 { 30 { 02 01 n, value } ... } } }
//! ```
//!
//! `n`: 1 ID, 2 full name, 3 date of birth (`dd/mm/yyyy`), 4 gender, 5 nationality, 6 ethnicity,
//! 7 religion, 8 hometown (2024: place of birth registration), 9 residence, 10 identifying
//! features, 11 issue date, 12 expiry (date or text such as "Không thời hạn"), 13 parents
//! (`30 { 02 01 0D, 30 {father}, 30 {mother} }`), 14 spouse, 15/16 old 9-digit CMND number and
//! an opaque value (sources disagree on the order, so the CMND is recognized by its content).
//!
//! The parser walks the BER-TLV tree (long-form and non-minimal lengths accepted): any
//! SEQUENCE whose first element is a small INTEGER followed by a value is a field. Unknown
//! numbers are ignored, duplicates keep the first value (with a warning), text is NFC-normalized.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use lds::tlv::{self, Tlv};
use unicode_normalization::UnicodeNormalization;

use crate::{CccdError, Citizen};

const TAG_INTEGER: u32 = 0x02;
const TAG_OCTET_STRING: u32 = 0x04;
const TAG_OID: u32 = 0x06;
const TAG_UTF8: u32 = 0x0C;
const TAG_PRINTABLE: u32 = 0x13;
const TAG_T61: u32 = 0x14;
const TAG_IA5: u32 = 0x16;
const TAG_BMP: u32 = 0x1E;
const TAG_SEQUENCE: u32 = 0x30;
const TAG_SET: u32 = 0x31;
const TAG_DG13: u32 = 0x6D;

/// OID 1.0.10646.1.0.8 (ISO/IEC 10646 UTF-8), as stored in the DG13 header.
const UTF8_OID: [u8; 6] = [0x28, 0xD3, 0x16, 0x01, 0x00, 0x08];

/// Text used for a card without expiry.
pub const NO_EXPIRY_TEXT: &str = "Không thời hạn";

/// Something odd but survivable in a DG13.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dg13Warning {
    /// A field number appeared more than once; the first value was kept.
    DuplicateField(u8),
    /// A date field could not be read as a date.
    UnreadableDate { field: u8, text: String },
    /// The full name (field 2) is missing.
    MissingName,
    /// A value was not valid UTF-8 and was decoded lossily.
    InvalidUtf8(u8),
}

/// The parsed DG13 with extras that do not fit [`Citizen`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg13 {
    pub citizen: Citizen,
    /// Field 12 as text (e.g. "Không thời hạn" or "15/02/2039").
    pub expiry_text: Option<String>,
    /// True when field 12 says the card has no expiry.
    pub no_expiry: bool,
    /// The non-CMND value of fields 15/16 (opaque).
    pub other_value: Option<String>,
    /// Every field as text, by number (first occurrence; parents joined with " / ").
    pub fields: BTreeMap<u8, String>,
    pub warnings: Vec<Dg13Warning>,
}

fn nfc(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\0')
        .nfc()
        .collect()
}

/// Decodes a string-ish TLV (UTF8String, PrintableString, OCTET STRING, IA5, T61, BMP).
fn text_of(t: &Tlv<'_>) -> Option<(String, bool)> {
    match t.tag {
        TAG_UTF8 | TAG_PRINTABLE | TAG_OCTET_STRING | TAG_IA5 | TAG_T61 => {
            match std::str::from_utf8(t.value) {
                Ok(s) => Some((nfc(s), true)),
                Err(_) => Some((nfc(&String::from_utf8_lossy(t.value)), false)),
            }
        }
        TAG_BMP => {
            let units: Vec<u16> = t
                .value
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            let s = String::from_utf16_lossy(&units);
            Some((nfc(&s), true))
        }
        _ => None,
    }
}

/// The first text found in `t` (itself, or depth-first inside a constructed value).
fn first_text(t: &Tlv<'_>, depth: usize) -> Result<Option<(String, bool)>, CccdError> {
    if let Some(x) = text_of(t) {
        return Ok(Some(x));
    }
    if !t.constructed || depth > 8 {
        return Ok(None);
    }
    for c in tlv::iter(t.value) {
        let c = c?;
        if let Some(x) = first_text(&c, depth + 1)? {
            return Ok(Some(x));
        }
    }
    Ok(None)
}

fn small_int(t: &Tlv<'_>) -> Option<u8> {
    if t.tag != TAG_INTEGER || t.value.is_empty() || t.value.len() > 2 {
        return None;
    }
    let v = t.value.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
    u8::try_from(v).ok().filter(|v| (1..=32).contains(v))
}

/// A raw field: its number and the TLVs after the INTEGER.
struct RawField<'a> {
    number: u8,
    values: Vec<Tlv<'a>>,
}

/// Walks the tree, collecting fields.
fn collect<'a>(
    input: &'a [u8],
    depth: usize,
    out: &mut Vec<RawField<'a>>,
) -> Result<(), CccdError> {
    if depth > 8 {
        return Err(CccdError::Dg13Malformed("nesting too deep".into()));
    }
    for t in tlv::iter(input) {
        let t = t?;
        if !t.constructed {
            continue;
        }
        if t.tag == TAG_SEQUENCE {
            let children = tlv::iter(t.value).collect::<Result<Vec<_>, _>>()?;
            if let [first, second, ..] = children.as_slice() {
                if let Some(n) = small_int(first) {
                    if second.tag != TAG_OID && second.tag != TAG_SET {
                        out.push(RawField {
                            number: n,
                            values: children[1..].to_vec(),
                        });
                        continue;
                    }
                }
            }
        }
        collect(t.value, depth + 1, out)?;
    }
    Ok(())
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for fmt in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d%m%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

fn is_no_expiry(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("không thời hạn") || l.contains("khong thoi han") || l.contains("vô thời hạn")
}

fn is_old_cmnd(s: &str) -> bool {
    s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses DG13 into a [`Citizen`].
pub fn parse_dg13(bytes: &[u8]) -> Result<Citizen, CccdError> {
    parse_dg13_detailed(bytes).map(|d| d.citizen)
}

/// Parses DG13 with all extras and warnings.
pub fn parse_dg13_detailed(bytes: &[u8]) -> Result<Dg13, CccdError> {
    let inner = lds::unwrap_tag(TAG_DG13, bytes)?;
    let mut raw = Vec::new();
    collect(inner, 0, &mut raw)?;

    let mut d = Dg13 {
        citizen: Citizen::default(),
        expiry_text: None,
        no_expiry: false,
        other_value: None,
        fields: BTreeMap::new(),
        warnings: Vec::new(),
    };
    let mut seen = std::collections::BTreeSet::new();
    for f in raw {
        let n = f.number;
        // 15 and 16 may both appear legitimately; every other number once.
        if !seen.insert(n) {
            d.warnings.push(Dg13Warning::DuplicateField(n));
            continue;
        }
        if n == 13 {
            let (father, mother) = parents(&f.values)?;
            let joined = [father.as_deref(), mother.as_deref()]
                .iter()
                .map(|x| x.unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" / ");
            d.fields.insert(n, joined);
            d.citizen.father_name = father;
            d.citizen.mother_name = mother;
            continue;
        }
        let mut text = None;
        for v in &f.values {
            if let Some((s, ok)) = first_text(v, 0)? {
                if !ok {
                    d.warnings.push(Dg13Warning::InvalidUtf8(n));
                }
                text = Some(s);
                break;
            }
        }
        let Some(text) = text else { continue };
        d.fields.insert(n, text.clone());
        let opt = |s: String| if s.is_empty() { None } else { Some(s) };
        let c = &mut d.citizen;
        match n {
            1 => c.id_number = text,
            2 => c.full_name = text,
            3 | 11 => {
                let date = parse_date(&text);
                if date.is_none() && !text.is_empty() {
                    d.warnings
                        .push(Dg13Warning::UnreadableDate { field: n, text });
                }
                if n == 3 {
                    c.date_of_birth = date;
                } else {
                    c.issue_date = date;
                }
            }
            4 => c.gender = opt(text),
            5 => c.nationality = opt(text),
            6 => c.ethnicity = opt(text),
            7 => c.religion = opt(text),
            8 => c.hometown = opt(text),
            9 => c.residence = opt(text),
            10 => c.identifying_features = opt(text),
            12 => {
                if is_no_expiry(&text) {
                    d.no_expiry = true;
                } else if let Some(date) = parse_date(&text) {
                    c.expiry_date = Some(date);
                } else if !text.is_empty() {
                    d.warnings.push(Dg13Warning::UnreadableDate {
                        field: n,
                        text: text.clone(),
                    });
                }
                d.expiry_text = opt(text);
            }
            14 => c.spouse_name = opt(text),
            15 | 16 => {
                if is_old_cmnd(&text) && c.old_id_number.is_none() {
                    c.old_id_number = Some(text);
                } else if !text.is_empty() && d.other_value.is_none() {
                    d.other_value = Some(text);
                }
            }
            _ => {}
        }
    }
    if d.citizen.id_number.is_empty() {
        return Err(CccdError::Dg13MissingId);
    }
    if d.citizen.full_name.is_empty() {
        d.warnings.push(Dg13Warning::MissingName);
    }
    Ok(d)
}

/// Field 13: `30 {father}, 30 {mother}` (each a string or a sequence holding one), or a single
/// sequence holding both strings.
fn parents(values: &[Tlv<'_>]) -> Result<(Option<String>, Option<String>), CccdError> {
    let non_empty = |s: Option<(String, bool)>| s.map(|x| x.0).filter(|x| !x.is_empty());
    match values {
        [] => Ok((None, None)),
        [only] => {
            if text_of(only).is_some() {
                return Ok((non_empty(text_of(only)), None));
            }
            let inner = tlv::iter(only.value).collect::<Result<Vec<_>, _>>()?;
            if inner.len() >= 2 {
                Ok((
                    non_empty(first_text(&inner[0], 0)?),
                    non_empty(first_text(&inner[1], 0)?),
                ))
            } else {
                Ok((non_empty(first_text(only, 0)?), None))
            }
        }
        [father, mother, ..] => Ok((
            non_empty(first_text(father, 0)?),
            non_empty(first_text(mother, 0)?),
        )),
    }
}

fn field(n: u8, value: Vec<u8>) -> Vec<u8> {
    let mut v = tlv::encode(TAG_INTEGER, &[n]);
    v.extend(value);
    tlv::encode(TAG_SEQUENCE, &v)
}

fn utf8(s: &str) -> Vec<u8> {
    tlv::encode(TAG_UTF8, s.as_bytes())
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Builds a DG13 (for the card simulator) from a [`Citizen`]. Absent optional fields are
/// omitted, except expiry: `None` is written as "Không thời hạn". Field 15 carries the old CMND.
pub fn build_dg13(c: &Citizen) -> Vec<u8> {
    let mut set = Vec::new();
    let text = |set: &mut Vec<u8>, n: u8, s: Option<&str>| {
        if let Some(s) = s {
            set.extend(field(n, utf8(s)));
        }
    };
    text(&mut set, 1, Some(&c.id_number));
    text(&mut set, 2, Some(&c.full_name));
    text(&mut set, 3, c.date_of_birth.map(fmt_date).as_deref());
    text(&mut set, 4, c.gender.as_deref());
    text(&mut set, 5, c.nationality.as_deref());
    text(&mut set, 6, c.ethnicity.as_deref());
    text(&mut set, 7, c.religion.as_deref());
    text(&mut set, 8, c.hometown.as_deref());
    text(&mut set, 9, c.residence.as_deref());
    text(&mut set, 10, c.identifying_features.as_deref());
    text(&mut set, 11, c.issue_date.map(fmt_date).as_deref());
    text(
        &mut set,
        12,
        Some(
            &c.expiry_date
                .map(fmt_date)
                .unwrap_or_else(|| NO_EXPIRY_TEXT.to_string()),
        ),
    );
    if c.father_name.is_some() || c.mother_name.is_some() {
        let one = |s: &Option<String>| {
            tlv::encode(TAG_SEQUENCE, &s.as_deref().map(utf8).unwrap_or_default())
        };
        let mut v = one(&c.father_name);
        v.extend(one(&c.mother_name));
        set.extend(field(13, v));
    }
    text(&mut set, 14, c.spouse_name.as_deref());
    text(&mut set, 15, c.old_id_number.as_deref());
    let mut header = tlv::encode(TAG_INTEGER, &[1]);
    header.extend(tlv::encode(TAG_OID, &UTF8_OID));
    header.extend(tlv::encode(TAG_SET, &set));
    tlv::encode(TAG_DG13, &tlv::encode(TAG_SEQUENCE, &header))
}
