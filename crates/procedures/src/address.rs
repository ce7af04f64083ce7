//! Conversion of a pre-1/7/2025 three-level address (xã/phường – huyện/quận – tỉnh, 63 provinces)
//! to the current two-level address (xã/phường/đặc khu – tỉnh/thành phố, 34 provinces).
//!
//! Input is free text with comma-separated parts, from the most specific to the province:
//! "Số 12, ngõ 5, phường Kim Mã, quận Ba Đình, thành phố Hà Nội", "X. Tân Lập, H. Đan Phượng,
//! TP. Hà Nội", diacritics optional. The district part may be omitted ("P. Kim Mã, Hà Nội").
//! Everything before the ward part is the street part and is kept verbatim.
//! A legacy ward that was split returns every new unit, so the clerk must choose.

use crate::text;
use crate::Error;
use serde::Serialize;
use std::collections::HashMap;

/// A current (since 1/7/2025) commune-level unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUnit {
    /// Province code (2 digits).
    pub province_code: String,
    /// Full province name, e.g. "Thành phố Hà Nội".
    pub province: String,
    /// Commune code (5 digits).
    pub ward_code: String,
    /// Full commune name, e.g. "Phường Giảng Võ".
    pub ward: String,
}

/// A legacy (before 1/7/2025) unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegacyUnit {
    /// Province code.
    pub province_code: String,
    /// Full province name.
    pub province: String,
    /// District code.
    pub district_code: String,
    /// Full district name.
    pub district: String,
    /// Ward code; empty for island districts without communes.
    pub ward_code: String,
    /// Full ward name; empty for island districts without communes.
    pub ward: String,
}

#[derive(Debug, Clone)]
struct LegacyRow {
    unit: LegacyUnit,
    /// (index into `current`, is the package's default for a split ward)
    new: Vec<(usize, bool)>,
    district_key: String,
    district_type: UnitType,
    ward_key: String,
    ward_type: UnitType,
}

/// One possible result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversionOption {
    /// The legacy unit recognised.
    pub legacy: LegacyUnit,
    /// The current unit.
    pub new: NewUnit,
    /// For a split ward: the new unit the source data marks as default (the clerk still chooses).
    pub default_of_split: bool,
}

/// Result of a conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// Street part (house number, lane, hamlet…), verbatim; `None` if absent.
    pub street: Option<String>,
    /// Candidates; more than one when the legacy ward was split (or the text was ambiguous).
    pub options: Vec<ConversionOption>,
}

impl Conversion {
    /// Whether the clerk must choose among several options.
    pub fn needs_choice(&self) -> bool {
        self.options.len() > 1
    }

    /// The two-level address text for option `i`: "street, ward, province".
    pub fn formatted(&self, i: usize) -> Option<String> {
        let o = self.options.get(i)?;
        let mut parts: Vec<&str> = Vec::new();
        if let Some(s) = &self.street {
            parts.push(s);
        }
        parts.push(&o.new.ward);
        parts.push(&o.new.province);
        Some(parts.join(", "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitType {
    Province, // tỉnh
    City,     // thành phố (province- or district-level)
    Urban,    // quận
    Rural,    // huyện
    Town,     // thị xã
    Ward,     // phường
    Commune,  // xã
    Township, // thị trấn
    None,
}

fn unit_type(full_name: &str) -> UnitType {
    let f = text::fold(full_name);
    for (prefix, t) in [
        ("thanh pho ", UnitType::City),
        ("tinh ", UnitType::Province),
        ("quan ", UnitType::Urban),
        ("huyen ", UnitType::Rural),
        ("thi xa ", UnitType::Town),
        ("phuong ", UnitType::Ward),
        ("xa ", UnitType::Commune),
        ("thi tran ", UnitType::Township),
    ] {
        if f.starts_with(prefix) {
            return t;
        }
    }
    UnitType::None
}

/// Splits a part into (type given by its prefix, name key). Numbers lose leading zeros, so
/// "Phường 05" and "P.5" both give "5".
fn split_part(part: &str, level: Level) -> (UnitType, String) {
    let words = text::words(part);
    let prefixes: &[(&[&str], UnitType)] = match level {
        Level::Province => &[
            (&["thanh", "pho"], UnitType::City),
            (&["tp"], UnitType::City),
            (&["tinh"], UnitType::Province),
            (&["t"], UnitType::Province),
        ],
        Level::District => &[
            (&["quan"], UnitType::Urban),
            (&["q"], UnitType::Urban),
            (&["huyen"], UnitType::Rural),
            (&["h"], UnitType::Rural),
            (&["thi", "xa"], UnitType::Town),
            (&["tx"], UnitType::Town),
            (&["thanh", "pho"], UnitType::City),
            (&["tp"], UnitType::City),
        ],
        Level::Ward => &[
            (&["phuong"], UnitType::Ward),
            (&["p"], UnitType::Ward),
            (&["xa"], UnitType::Commune),
            (&["x"], UnitType::Commune),
            (&["thi", "tran"], UnitType::Township),
            (&["tt"], UnitType::Township),
        ],
    };
    let mut t = UnitType::None;
    let mut rest: &[String] = &words;
    for (p, ty) in prefixes {
        if rest.len() > p.len() && rest.iter().zip(p.iter()).all(|(w, p)| w == p) {
            t = *ty;
            rest = &rest[p.len()..];
            break;
        }
    }
    let key = rest
        .iter()
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                let s = w.trim_start_matches('0');
                if s.is_empty() {
                    "0".to_owned()
                } else {
                    s.to_owned()
                }
            } else {
                w.clone()
            }
        })
        .collect::<String>();
    (t, key)
}

#[derive(Clone, Copy)]
enum Level {
    Province,
    District,
    Ward,
}

/// Name key of a full unit name (type prefix removed).
fn name_key(full: &str, level: Level) -> String {
    split_part(full, level).1
}

fn type_matches(given: UnitType, actual: UnitType) -> bool {
    given == UnitType::None || given == actual
}

/// Colloquial province names → legacy province code.
const PROVINCE_ALIASES: &[(&str, &str)] = &[
    ("hn", "01"),
    ("hcm", "79"),
    ("tphcm", "79"),
    ("saigon", "79"),
    ("hue", "46"),
    ("brvt", "77"),
    ("vungtau", "77"),
];

/// Legacy and current administrative units with the 2025 mapping.
#[derive(Debug, Clone)]
pub struct AdminUnits {
    /// Version of the data (from the seed files' `# version:` line).
    pub version: String,
    current: Vec<NewUnit>,
    legacy: Vec<LegacyRow>,
    /// province name key → province code (legacy)
    provinces: HashMap<String, String>,
    /// legacy province code → indices into `legacy`
    by_province: HashMap<String, Vec<usize>>,
}

fn parse_csv(file: &str, text: &str, cols: usize) -> Result<(String, Vec<Vec<String>>), Error> {
    let mut version = String::new();
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (n, line) in text.lines().enumerate() {
        if let Some(c) = line.strip_prefix('#') {
            if let Some(v) = c.trim().strip_prefix("version:") {
                version = v.trim().to_owned();
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        if line.contains('"') {
            return Err(Error::SeedParse {
                file: file.to_owned(),
                detail: format!("line {}: quotes not supported", n + 1),
            });
        }
        let f: Vec<String> = line.split(',').map(|s| s.trim().to_owned()).collect();
        if f.len() != cols {
            return Err(Error::SeedParse {
                file: file.to_owned(),
                detail: format!("line {}: {} columns, expected {cols}", n + 1, f.len()),
            });
        }
        rows.push(f);
    }
    if version.is_empty() {
        return Err(Error::SeedInvalid {
            file: file.to_owned(),
            detail: "missing '# version:' line".into(),
        });
    }
    Ok((version, rows))
}

impl AdminUnits {
    /// Loads `current-units.csv` and `legacy-units.csv` (see `seeds/admin-units/`).
    pub fn from_csv(current_csv: &str, legacy_csv: &str) -> Result<Self, Error> {
        let (version, cur_rows) = parse_csv("admin-units/current-units.csv", current_csv, 4)?;
        let (legacy_version, leg_rows) = parse_csv("admin-units/legacy-units.csv", legacy_csv, 7)?;
        let invalid = |detail: String| Error::SeedInvalid {
            file: "admin-units/legacy-units.csv".into(),
            detail,
        };
        if legacy_version != version {
            return Err(invalid(format!(
                "version {legacy_version} differs from current-units.csv {version}"
            )));
        }
        let mut current = Vec::with_capacity(cur_rows.len());
        let mut by_code = HashMap::new();
        for r in cur_rows {
            let mut it = r.into_iter();
            let (Some(province_code), Some(province), Some(ward_code), Some(ward)) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                continue;
            };
            by_code.insert(ward_code.clone(), current.len());
            current.push(NewUnit {
                province_code,
                province,
                ward_code,
                ward,
            });
        }
        let mut legacy = Vec::with_capacity(leg_rows.len());
        let mut provinces = HashMap::new();
        for r in leg_rows {
            let mut new = Vec::new();
            for c in r[6].split('|') {
                let (code, default) = match c.strip_suffix('*') {
                    Some(code) => (code, true),
                    None => (c, false),
                };
                let idx = *by_code
                    .get(code)
                    .ok_or_else(|| invalid(format!("unknown new ward code {code}")))?;
                new.push((idx, default));
            }
            if new.is_empty() {
                return Err(invalid(format!("ward {} has no new unit", r[4])));
            }
            let unit = LegacyUnit {
                province_code: r[0].clone(),
                province: r[1].clone(),
                district_code: r[2].clone(),
                district: r[3].clone(),
                ward_code: r[4].clone(),
                ward: r[5].clone(),
            };
            let province_key = name_key(&unit.province, Level::Province);
            provinces
                .entry(province_key.clone())
                .or_insert_with(|| unit.province_code.clone());
            legacy.push(LegacyRow {
                district_key: name_key(&unit.district, Level::District),
                district_type: unit_type(&unit.district),
                ward_key: name_key(&unit.ward, Level::Ward),
                ward_type: unit_type(&unit.ward),
                new,
                unit,
            });
        }
        for (alias, code) in PROVINCE_ALIASES {
            provinces
                .entry((*alias).to_owned())
                .or_insert_with(|| (*code).to_owned());
        }
        let mut by_province: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in legacy.iter().enumerate() {
            by_province
                .entry(r.unit.province_code.clone())
                .or_default()
                .push(i);
        }
        Ok(AdminUnits {
            version,
            current,
            legacy,
            provinces,
            by_province,
        })
    }

    /// Number of (legacy, current) units.
    pub fn counts(&self) -> (usize, usize) {
        (self.legacy.len(), self.current.len())
    }

    /// Legacy units (63 provinces, 10,040 communes or wardless island districts).
    pub fn legacy(&self) -> impl Iterator<Item = &LegacyUnit> {
        self.legacy.iter().map(|r| &r.unit)
    }

    /// Current units (34 provinces, 3,321 communes).
    pub fn current(&self) -> &[NewUnit] {
        &self.current
    }

    /// Converts a legacy free-text address. See the module doc.
    pub fn convert(&self, address: &str) -> Result<Conversion, Error> {
        let mut parts: Vec<&str> = address
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        // Drop a trailing country.
        if parts
            .last()
            .is_some_and(|p| matches!(text::key(p).as_str(), "vietnam" | "vn"))
        {
            parts.pop();
        }
        let Some(province_part) = parts.pop() else {
            return Err(Error::AddressEmpty);
        };
        let (_, pkey) = split_part(province_part, Level::Province);
        if pkey.is_empty() {
            return Err(Error::AddressEmpty);
        }
        let province_code = self
            .provinces
            .get(&pkey)
            .ok_or_else(|| Error::UnknownProvince(province_part.to_owned()))?
            .clone();
        let in_province: Vec<&LegacyRow> = self
            .by_province
            .get(&province_code)
            .map(|v| v.iter().filter_map(|&i| self.legacy.get(i)).collect())
            .unwrap_or_default();

        // District part, if the next part names a district of the province.
        let mut district_rows: Option<Vec<&LegacyRow>> = None;
        if let Some(dpart) = parts.last() {
            let (dtype, dkey) = split_part(dpart, Level::District);
            let (wtype, _) = split_part(dpart, Level::Ward);
            if wtype == UnitType::None || dtype != UnitType::None {
                let rows: Vec<&LegacyRow> = in_province
                    .iter()
                    .copied()
                    .filter(|r| r.district_key == dkey && type_matches(dtype, r.district_type))
                    .collect();
                if !rows.is_empty() {
                    parts.pop();
                    district_rows = Some(rows);
                } else if dtype != UnitType::None {
                    return Err(Error::UnknownDistrict((*dpart).to_owned()));
                }
            }
        }

        let search_rows = district_rows.clone().unwrap_or_else(|| in_province.clone());
        let mut matched: Vec<&LegacyRow> = Vec::new();
        if let Some(wpart) = parts.last() {
            let (wtype, wkey) = split_part(wpart, Level::Ward);
            matched = search_rows
                .iter()
                .copied()
                .filter(|r| {
                    !r.ward_key.is_empty() && r.ward_key == wkey && type_matches(wtype, r.ward_type)
                })
                .collect();
            if !matched.is_empty() {
                parts.pop();
            } else if wtype != UnitType::None || district_rows.is_none() {
                return Err(Error::UnknownWard((*wpart).to_owned()));
            }
        }
        if matched.is_empty() {
            // Island districts have no communes: the district row itself.
            match &district_rows {
                Some(rows) if rows.len() == 1 && rows[0].ward_key.is_empty() => {
                    matched.push(rows[0])
                }
                Some(_) => {
                    return Err(Error::UnknownWard(
                        parts
                            .last()
                            .map_or_else(|| address.trim().to_owned(), |p| (*p).to_owned()),
                    ))
                }
                None => return Err(Error::AddressEmpty),
            }
        }

        let street = if parts.is_empty() {
            None
        } else {
            Some(parts.join(", "))
        };
        let mut options = Vec::new();
        for row in matched {
            let split = row.new.len() > 1;
            for (idx, default) in &row.new {
                if let Some(new) = self.current.get(*idx) {
                    options.push(ConversionOption {
                        legacy: row.unit.clone(),
                        new: new.clone(),
                        default_of_split: split && *default,
                    });
                }
            }
        }
        Ok(Conversion { street, options })
    }
}
