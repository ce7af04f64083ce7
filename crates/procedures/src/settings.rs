//! Agency (cơ quan tiếp nhận) settings: identity for the receipt and the conventions that turn
//! "N working days" into a return date/time. Loaded from `seeds/agency.toml`.

use crate::file_code::AgencyCode;
use crate::Error;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// How the return time of day is set for procedures of one working day or more.
/// Same-day procedures (0 working days) are always due at `office_close` of their day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReturnTime {
    /// The due instant from the office-hours clock (received Mon 10:00 + 3 days → Thu 10:00).
    #[default]
    SameTime,
    /// Office close of the due day (received Mon 10:00 + 3 days → Thu `office_close`).
    EndOfDay,
}

/// Agency settings. Times are local (UTC+7) "HH:MM".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySettings {
    /// Version of this settings file.
    pub version: String,
    /// Where the values come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Mã định danh điện tử of the agency (QCVN 102:2016/BTTTT), e.g. `000.00.19.H12`.
    pub agency_code: String,
    /// Agency name as printed on the receipt.
    pub name: String,
    /// Agency address.
    pub address: String,
    /// Where the citizen collects the result (printed on Mẫu 01).
    pub return_place: String,
    /// Tracking URL, `{code}` is replaced by the mã hồ sơ.
    pub tracking_url_template: String,
    /// Start of office hours.
    #[serde(with = "hm")]
    pub office_open: NaiveTime,
    /// End of office hours (the working clock stops here).
    #[serde(with = "hm")]
    pub office_close: NaiveTime,
    /// Same-day procedures received after this time are due the next working day (15:00).
    #[serde(with = "hm")]
    pub same_day_cutoff: NaiveTime,
    /// Return-time convention.
    #[serde(default)]
    pub return_time: ReturnTime,
}

impl AgencySettings {
    /// Parses and validates a settings TOML.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        let s: AgencySettings = toml::from_str(text).map_err(|e| Error::SeedParse {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        s.validate(file)?;
        Ok(s)
    }

    /// Checks the invariants (agency code format, open < cut-off ≤ close).
    pub fn validate(&self, file: &str) -> Result<(), Error> {
        let invalid = |detail: &str| Error::SeedInvalid {
            file: file.to_owned(),
            detail: detail.to_owned(),
        };
        AgencyCode::parse(&self.agency_code).map_err(|_| invalid("agency_code"))?;
        if self.office_open >= self.office_close {
            return Err(invalid("office_open must be before office_close"));
        }
        if self.same_day_cutoff <= self.office_open || self.same_day_cutoff > self.office_close {
            return Err(invalid("same_day_cutoff must be within office hours"));
        }
        if !self.tracking_url_template.contains("{code}") {
            return Err(invalid("tracking_url_template must contain {code}"));
        }
        Ok(())
    }

    /// Tracking URL for a file code.
    pub fn tracking_url(&self, code: &str) -> String {
        self.tracking_url_template.replace("{code}", code)
    }

    /// Office minutes in one working day.
    pub(crate) fn day_minutes(&self) -> i64 {
        (self.office_close - self.office_open).num_minutes()
    }
}

mod hm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("expected HH:MM, got {s:?}")))
    }
}
