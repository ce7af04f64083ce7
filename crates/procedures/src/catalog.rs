//! The TTHC catalog: procedures with their national codes, components and time limits.

use crate::text;
use crate::Error;
use serde::{Deserialize, Serialize};

/// Level of the competent agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// UBND cấp xã (commune/ward), incl. Công an cấp xã.
    Commune,
    /// Cấp tỉnh (sở, ngành, Công an tỉnh).
    Province,
    /// Several agencies through one intake (liên thông).
    Linked,
}

/// What form a component is submitted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocForm {
    /// Bản chính.
    Original,
    /// Bản sao (any copy; the original may be shown for comparison).
    Copy,
    /// Bản sao có chứng thực.
    CertifiedCopy,
    /// Xuất trình: shown, not kept.
    Present,
    /// Bản chính hoặc bản sao.
    OriginalOrCopy,
}

/// A thành phần hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Name as in the published procedure.
    pub name: String,
    /// Original / copy / shown.
    pub form: DocForm,
    /// Number of copies.
    pub count: u8,
    /// Must be scanned into the electronic file at intake (số hóa).
    pub must_digitize: bool,
    /// Can be replaced by an already digitized result (kết quả đã số hóa / reused data).
    pub reusable_result: bool,
    /// Only in some cases (e.g. "nếu có").
    #[serde(default)]
    pub optional: bool,
}

/// A procedure (thủ tục hành chính).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// National code in Cơ sở dữ liệu quốc gia về TTHC, e.g. `1.001193`.
    pub code: String,
    /// False when the code was not checked against the national database.
    pub code_verified: bool,
    /// Name.
    pub name: String,
    /// Lĩnh vực.
    pub field: String,
    /// Competent agency level.
    pub level: Level,
    /// Agency that decides.
    pub agency: String,
    /// Time allowed in working days; 0 = same day (15:00 cut-off).
    pub working_days: u32,
    /// Time limit as worded in the source, when the number simplifies it.
    #[serde(default)]
    pub time_note: String,
    /// Fee/charge in VND for the common case (0 = free).
    pub fee_vnd: u64,
    /// Fee wording (exemptions, variants).
    #[serde(default)]
    pub fee_note: String,
    /// Id of the intake form template.
    pub form_template: String,
    /// Legal basis.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// For liên thông groups: codes of the procedures bundled.
    #[serde(default)]
    pub linked: Vec<String>,
    /// Extra search words (colloquial names).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Thành phần hồ sơ.
    pub components: Vec<Component>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: String,
    sources: Vec<String>,
    procedures: Vec<Procedure>,
}

/// The loaded catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// File version.
    pub version: String,
    /// Sources.
    pub sources: Vec<String>,
    procedures: Vec<Procedure>,
    /// Folded search text per procedure (name words, keywords words, code).
    index: Vec<(Vec<String>, Vec<String>)>,
}

fn valid_code(c: &str) -> bool {
    let b = c.as_bytes();
    b.len() == 8 && b[0].is_ascii_digit() && b[1] == b'.' && b[2..].iter().all(u8::is_ascii_digit)
}

impl Catalog {
    /// Parses and validates a catalog TOML.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        let f: CatalogFile = toml::from_str(text).map_err(|e| Error::SeedParse {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        let invalid = |detail: String| Error::SeedInvalid {
            file: file.to_owned(),
            detail,
        };
        if f.sources.is_empty() {
            return Err(invalid("sources must not be empty".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for p in &f.procedures {
            if !valid_code(&p.code) {
                return Err(invalid(format!("bad code {:?}", p.code)));
            }
            if !seen.insert(p.code.as_str()) {
                return Err(invalid(format!("duplicate code {}", p.code)));
            }
            if p.name.trim().is_empty() || p.agency.trim().is_empty() {
                return Err(invalid(format!("{}: empty name or agency", p.code)));
            }
            if p.working_days > 365 {
                return Err(invalid(format!("{}: working_days > 365", p.code)));
            }
            if p.form_template.is_empty()
                || !p
                    .form_template
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
            {
                return Err(invalid(format!("{}: bad form_template", p.code)));
            }
            if p.components.is_empty() {
                return Err(invalid(format!("{}: no components", p.code)));
            }
            if let Some(c) = p
                .components
                .iter()
                .find(|c| c.count == 0 || c.name.trim().is_empty())
            {
                return Err(invalid(format!(
                    "{}: component {:?} has no name or count 0",
                    p.code, c.name
                )));
            }
            // Thông tư 03/2025/TT-VPCP Điều 5: a paper only shown at the counter (xuất trình) is
            // checked, not digitized.
            if let Some(c) = p
                .components
                .iter()
                .find(|c| c.form == DocForm::Present && c.must_digitize)
            {
                return Err(invalid(format!(
                    "{}: component {:?} is only shown (present) and cannot be must_digitize",
                    p.code, c.name
                )));
            }
        }
        for p in &f.procedures {
            if let Some(l) = p.linked.iter().find(|l| !seen.contains(l.as_str())) {
                return Err(invalid(format!(
                    "{}: linked procedure {l} not in catalog",
                    p.code
                )));
            }
        }
        let index = f
            .procedures
            .iter()
            .map(|p| {
                let mut kw = Vec::new();
                for k in &p.keywords {
                    kw.extend(text::words(k));
                }
                kw.extend(text::words(&p.field));
                (text::words(&p.name), kw)
            })
            .collect();
        Ok(Catalog {
            version: f.version,
            sources: f.sources,
            procedures: f.procedures,
            index,
        })
    }

    /// All procedures, in file order.
    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    /// Procedure by national code.
    pub fn get(&self, code: &str) -> Result<&Procedure, Error> {
        self.procedures
            .iter()
            .find(|p| p.code == code.trim())
            .ok_or_else(|| Error::UnknownProcedure(code.trim().to_owned()))
    }

    /// Diacritic-insensitive search by code (whole or prefix, e.g. `1.0011`) or name words.
    /// Every query word must start a word of the name or keywords; results ranked by: words
    /// found in the name as a contiguous phrase, words in the name, then shorter names.
    pub fn search(&self, query: &str) -> Vec<&Procedure> {
        let q = query.trim();
        if q.is_empty() {
            return Vec::new();
        }
        if q.bytes().all(|b| b.is_ascii_digit() || b == b'.') && q.contains('.') {
            return self
                .procedures
                .iter()
                .filter(|p| p.code.starts_with(q))
                .collect();
        }
        let qw = text::words(q);
        if qw.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(i64, usize)> = Vec::new();
        for (i, (name, kw)) in self.index.iter().enumerate() {
            let mut in_name = 0i64;
            let mut all = true;
            for w in &qw {
                if name.iter().any(|n| n.starts_with(w.as_str())) {
                    in_name += 1;
                } else if !kw.iter().any(|k| k.starts_with(w.as_str())) {
                    all = false;
                    break;
                }
            }
            if !all {
                continue;
            }
            let phrase = name
                .windows(qw.len())
                .any(|win| win.iter().zip(&qw).all(|(n, w)| n.starts_with(w.as_str())));
            let score = i64::from(phrase) * 1000 + in_name * 100 - name.len() as i64;
            hits.push((score, i));
        }
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.into_iter().map(|(_, i)| &self.procedures[i]).collect()
    }
}
