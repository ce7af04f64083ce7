//! Who files: the citizen record from a chip read, a QR code or typed by the clerk.

use cccd::Citizen;
use qr_payload::QrIdentity;
use serde::{Deserialize, Serialize};

use crate::error::{HoSoError, Result};

/// Where the citizen data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    Chip,
    Qr,
    Manual,
}

/// The citizen data at hand when the file is received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub source: IdentitySource,
    /// Chip read and verified (passive authentication passed, no authentication failed).
    pub verified: bool,
    pub citizen: Citizen,
}

fn check(c: &Citizen) -> Result<()> {
    if c.id_number.len() != 12 || !c.id_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HoSoError::CitizenInput(format!(
            "id_number {:?} is not 12 digits",
            c.id_number
        )));
    }
    if c.full_name.trim().is_empty() {
        return Err(HoSoError::CitizenInput("full_name is empty".into()));
    }
    Ok(())
}

impl Identity {
    /// From the JSON output of `motcua card read --json` (an object with `citizen` and
    /// `verification`), or from its `citizen` object alone (then not counted as verified).
    pub fn from_card_json(v: &serde_json::Value) -> Result<Self> {
        let obj = v
            .as_object()
            .ok_or_else(|| HoSoError::CitizenInput("expected a JSON object".into()))?;
        let (citizen_value, verified) = match obj.get("citizen") {
            Some(c) => {
                let ver = obj.get("verification");
                let s = |k: &str| ver.and_then(|v| v.get(k)).and_then(|x| x.as_str());
                let verified = s("passive") == Some("ok")
                    && s("chip_auth").is_some_and(|x| x != "failed")
                    && s("active_auth").is_some_and(|x| x != "failed");
                (c.clone(), verified)
            }
            None => (v.clone(), false),
        };
        let citizen: Citizen = serde_json::from_value(citizen_value)
            .map_err(|e| HoSoError::CitizenInput(e.to_string()))?;
        check(&citizen)?;
        Ok(Identity {
            source: IdentitySource::Chip,
            verified,
            citizen,
        })
    }

    /// From a card's QR code: name, dates, sex, residence and (2024 design) parents; no
    /// ethnicity, religion, nationality or quê quán.
    pub fn from_qr(q: &QrIdentity) -> Self {
        Identity {
            source: IdentitySource::Qr,
            verified: false,
            citizen: Citizen {
                id_number: q.id_number.clone(),
                full_name: q.full_name.clone(),
                date_of_birth: Some(q.date_of_birth),
                gender: Some(q.gender.as_vi().to_owned()),
                residence: Some(q.residence.clone()).filter(|r| !r.trim().is_empty()),
                issue_date: Some(q.issue_date),
                father_name: q.father_name.clone(),
                mother_name: q.mother_name.clone(),
                old_id_number: q.old_id_number.clone(),
                ..Citizen::default()
            },
        }
    }

    /// Typed by the clerk (no card).
    pub fn manual(citizen: Citizen) -> Result<Self> {
        check(&citizen)?;
        Ok(Identity {
            source: IdentitySource::Manual,
            verified: false,
            citizen,
        })
    }

    pub(crate) fn method(&self) -> store::Method {
        match self.source {
            IdentitySource::Chip => store::Method::Chip,
            IdentitySource::Qr => store::Method::Qr,
            IdentitySource::Manual => store::Method::Manual,
        }
    }
}
