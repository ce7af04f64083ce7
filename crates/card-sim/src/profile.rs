//! Test identities and their personalization into a [`Card`].

use chrono::{Datelike, Months, NaiveDate};

use serde::{Deserialize, Serialize};

use crate::identity::{self, mrz_name_chars, Gen};

/// Which generation of card is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// Căn cước công dân gắn chip (2021).
    Cccd2021,
    /// Thẻ căn cước (2024).
    CanCuoc2024,
}

/// A made-up card holder and the card's access data. Serializes to the JSON that
/// `motcua-sim` prints and reads back with `--profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardProfile {
    /// Seed the profile (and the card's keys and randomness) came from.
    pub seed: u64,
    pub kind: CardKind,
    /// DG13 contents.
    pub citizen: cccd::Citizen,
    /// Card Access Number printed on the card (6 digits).
    pub can: String,
    /// MRZ document number: the last 9 digits of the personal number.
    pub document_number: String,
    /// `YYMMDD`.
    pub mrz_date_of_birth: String,
    /// `YYMMDD`; `991231` for cards without expiry.
    pub mrz_date_of_expiry: String,
    /// The three TD1 lines (30 characters each).
    pub mrz: Vec<String>,
    /// The chip offers PACE (EF.CardAccess present).
    #[serde(default = "yes")]
    pub pace: bool,
    /// The chip offers BAC (besides PACE).
    #[serde(default = "yes")]
    pub bac: bool,
    /// The chip has a DG14 Chip Authentication key.
    #[serde(default = "yes")]
    pub chip_authentication: bool,
    /// The chip has a DG15 Active Authentication key.
    #[serde(default = "yes")]
    pub active_authentication: bool,
}

fn yes() -> bool {
    true
}

fn yymmdd(d: NaiveDate) -> String {
    format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day())
}

fn check_digit(s: &str) -> char {
    lds::mrz_check_digit(s)
}

impl CardProfile {
    /// A deterministic test identity for `seed`. About one profile in four gets a long
    /// residence address, one in five has no expiry date.
    pub fn generate(seed: u64) -> Self {
        let mut g = Gen::new(seed);
        let female = g.chance(50);
        let kind = if g.chance(50) { CardKind::Cccd2021 } else { CardKind::CanCuoc2024 };
        let old_holder = g.chance(20);
        let dob = if old_holder { g.date(1940, 1962) } else { g.date(1963, 2008) };
        let issue = match kind {
            CardKind::Cccd2021 => g.date(2021, 2023),
            CardKind::CanCuoc2024 => g.date(2024, 2025),
        };
        let issue = issue.max(dob.checked_add_months(Months::new(14 * 12)).unwrap_or(issue));
        let expiry = match cccd::keys::card_expiry(dob, issue) {
            Ok(cccd::keys::CardExpiry::Date(d)) => Some(d),
            _ => None,
        };
        let (code, province) = identity::province(&mut g);
        let id = identity::personal_number(&mut g, code, dob, female);
        let long_address = g.chance(25);
        let residence = identity::address(&mut g, province, long_address);
        let hometown_province = identity::province(&mut g).1;
        let hometown = identity::address(&mut g, hometown_province, false);
        let full_name = identity::full_name(&mut g, female);
        let father_name = identity::full_name(&mut g, false);
        let mother_name = identity::full_name(&mut g, true);
        let spouse_name = g.chance(40).then(|| identity::full_name(&mut g, !female));
        let old_id_number = (kind == CardKind::Cccd2021 && g.chance(50)).then(|| g.digits(9));
        let citizen = cccd::Citizen {
            id_number: id.clone(),
            full_name,
            date_of_birth: Some(dob),
            gender: Some(if female { "Nữ" } else { "Nam" }.to_owned()),
            nationality: Some("Việt Nam".to_owned()),
            ethnicity: Some(identity::ethnicity(&mut g).to_owned()),
            religion: Some(identity::religion(&mut g).to_owned()),
            hometown: Some(hometown),
            residence: Some(residence),
            identifying_features: Some(identity::features(&mut g).to_owned()),
            issue_date: Some(issue),
            expiry_date: expiry,
            father_name: Some(father_name),
            mother_name: Some(mother_name),
            spouse_name,
            old_id_number,
        };
        // On Vietnamese cards the CAN is the last 6 digits of the personal number.
        let can = id[6..].to_owned();
        Self::from_citizen(seed, kind, citizen, can)
    }

    /// A profile for a given citizen (MRZ and document number derived from it).
    pub fn from_citizen(seed: u64, kind: CardKind, citizen: cccd::Citizen, can: String) -> Self {
        let id = citizen.id_number.clone();
        let document_number = id[id.len().saturating_sub(9)..].to_owned();
        let dob = citizen.date_of_birth.map_or_else(|| "<<<<<<".to_owned(), yymmdd);
        let doe = citizen.expiry_date.map_or_else(|| "991231".to_owned(), yymmdd);
        let sex = match citizen.gender.as_deref() {
            Some("Nữ") => 'F',
            Some("Nam") => 'M',
            _ => '<',
        };
        let mrz = td1(&document_number, &id, &dob, sex, &doe, &citizen.full_name);
        Self {
            seed,
            kind,
            citizen,
            can,
            document_number,
            mrz_date_of_birth: dob,
            mrz_date_of_expiry: doe,
            mrz,
            pace: true,
            bac: true,
            chip_authentication: true,
            active_authentication: true,
        }
    }

    /// The profile as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a profile from JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

fn pad(s: &str, len: usize) -> String {
    let mut out: String = s.chars().take(len).collect();
    while out.chars().count() < len {
        out.push('<');
    }
    out
}

/// TD1 MRZ of a Vietnamese ID card: document number = last 9 digits of the personal number,
/// full personal number in the optional data of line 1.
fn td1(doc: &str, id: &str, dob: &str, sex: char, doe: &str, name: &str) -> Vec<String> {
    let doc9 = pad(doc, 9);
    let line1 = format!("IDVNM{doc9}{}{}", check_digit(&doc9), pad(id, 15));
    let line2_head = format!("{dob}{}{sex}{doe}{}VNM", check_digit(dob), check_digit(doe));
    let line2_body = pad(&line2_head, 29);
    let composite_input =
        format!("{}{}{}{}", &line1[5..30], &line2_body[0..7], &line2_body[8..15], &line2_body[18..29]);
    let line2 = format!("{line2_body}{}", check_digit(&composite_input));
    let mut parts = mrz_name_chars(name).split('<').map(str::to_owned).collect::<Vec<_>>();
    parts.retain(|p| !p.is_empty());
    let surname = parts.first().cloned().unwrap_or_default();
    let given = parts.get(1..).map(|g| g.join("<")).unwrap_or_default();
    let line3 = pad(&format!("{surname}<<{given}"), 30);
    vec![line1, line2, line3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_profiles_are_deterministic_and_well_formed() {
        let mut long_addresses = 0;
        let mut without_expiry = 0;
        for seed in 0..200 {
            let p = CardProfile::generate(seed);
            assert_eq!(p, CardProfile::generate(seed));
            assert_eq!(p.citizen.id_number.len(), 12);
            assert!(p.citizen.id_number.ends_with(&p.document_number));
            assert_eq!(p.can, cccd::keys::can_from_id(&p.citizen.id_number).expect("CAN"));
            assert!(p.mrz.iter().all(|l| l.len() == 30), "{:?}", p.mrz);
            let parsed = lds::parse_mrz(&p.mrz.join("\n")).expect("MRZ parses");
            assert!(parsed.checks.all_ok(), "seed {seed}: {:?}", p.mrz);
            assert_eq!(parsed.date_of_expiry, p.mrz_date_of_expiry);
            if p.citizen.expiry_date.is_none() {
                without_expiry += 1;
                assert_eq!(p.mrz_date_of_expiry, "991231");
            }
            if p.citizen.residence.as_ref().is_some_and(|r| r.chars().count() > 100) {
                long_addresses += 1;
            }
            assert_eq!(CardProfile::from_json(&p.to_json()).expect("json"), p);
        }
        assert!(long_addresses > 10, "{long_addresses}");
        assert!(without_expiry > 5, "{without_expiry}");
        assert_ne!(CardProfile::generate(1).citizen, CardProfile::generate(2).citizen);
    }
}
