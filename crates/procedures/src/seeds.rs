//! Seed data: embedded defaults, optionally overridden by an operator folder with the same
//! layout as the repository's `seeds/`:
//!
//! ```text
//! catalog.toml                  procedures
//! agency.toml                   agency settings
//! calendar/YYYY.toml            one file per year (adds or replaces that year)
//! admin-units/current-units.csv current communes (both CSVs are replaced together)
//! admin-units/legacy-units.csv  legacy units with the 2025 mapping
//! ```

use crate::address::AdminUnits;
use crate::calendar::{Calendar, YearCalendar};
use crate::catalog::Catalog;
use crate::settings::AgencySettings;
use crate::Error;
use std::path::Path;

const CATALOG: &str = include_str!("../../../seeds/catalog.toml");
const AGENCY: &str = include_str!("../../../seeds/agency.toml");
const CALENDARS: &[(&str, &str)] = &[
    (
        "calendar/2025.toml",
        include_str!("../../../seeds/calendar/2025.toml"),
    ),
    (
        "calendar/2026.toml",
        include_str!("../../../seeds/calendar/2026.toml"),
    ),
    (
        "calendar/2027.toml",
        include_str!("../../../seeds/calendar/2027.toml"),
    ),
];
const CURRENT_UNITS: &str = include_str!("../../../seeds/admin-units/current-units.csv");
const LEGACY_UNITS: &str = include_str!("../../../seeds/admin-units/legacy-units.csv");

/// All seed data, loaded and validated.
#[derive(Debug, Clone)]
pub struct SeedSet {
    /// Procedure catalog.
    pub catalog: Catalog,
    /// Agency settings.
    pub settings: AgencySettings,
    /// Working-day calendar.
    pub calendar: Calendar,
    /// Administrative units.
    pub admin_units: AdminUnits,
}

/// The embedded calendar files (2025–2027) on top of the rules.
pub fn embedded_calendar() -> Result<Calendar, Error> {
    let mut cal = Calendar::rules_only();
    for (name, text) in CALENDARS {
        cal.insert_year(YearCalendar::from_toml(name, text)?);
    }
    Ok(cal)
}

/// The embedded catalog.
pub fn embedded_catalog() -> Result<Catalog, Error> {
    Catalog::from_toml("catalog.toml", CATALOG)
}

/// The embedded agency settings (example values: the operator must set the real ones).
pub fn embedded_settings() -> Result<AgencySettings, Error> {
    AgencySettings::from_toml("agency.toml", AGENCY)
}

/// The embedded admin units.
pub fn embedded_admin_units() -> Result<AdminUnits, Error> {
    AdminUnits::from_csv(CURRENT_UNITS, LEGACY_UNITS)
}

fn read(dir: &Path, rel: &str) -> Result<Option<String>, Error> {
    let path = dir.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::SeedIo {
            path: path.display().to_string(),
            detail: e.to_string(),
        }),
    }
}

impl SeedSet {
    /// The embedded defaults.
    pub fn embedded() -> Result<Self, Error> {
        Ok(SeedSet {
            catalog: embedded_catalog()?,
            settings: embedded_settings()?,
            calendar: embedded_calendar()?,
            admin_units: embedded_admin_units()?,
        })
    }

    /// Embedded defaults, overridden file by file by `dir` when given (missing files keep
    /// the embedded version).
    pub fn load(dir: Option<&Path>) -> Result<Self, Error> {
        let mut set = Self::embedded()?;
        let Some(dir) = dir else { return Ok(set) };
        if let Some(t) = read(dir, "catalog.toml")? {
            set.catalog = Catalog::from_toml("catalog.toml", &t)?;
        }
        if let Some(t) = read(dir, "agency.toml")? {
            set.settings = AgencySettings::from_toml("agency.toml", &t)?;
        }
        let cal_dir = dir.join("calendar");
        if cal_dir.is_dir() {
            let entries = std::fs::read_dir(&cal_dir).map_err(|e| Error::SeedIo {
                path: cal_dir.display().to_string(),
                detail: e.to_string(),
            })?;
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect();
            names.sort();
            for n in names {
                let rel = format!("calendar/{n}");
                if let Some(t) = read(dir, &rel)? {
                    set.calendar.insert_year(YearCalendar::from_toml(&rel, &t)?);
                }
            }
        }
        let cur = read(dir, "admin-units/current-units.csv")?;
        let leg = read(dir, "admin-units/legacy-units.csv")?;
        match (cur, leg) {
            (Some(c), Some(l)) => set.admin_units = AdminUnits::from_csv(&c, &l)?,
            (None, None) => {}
            _ => {
                return Err(Error::SeedInvalid {
                    file: "admin-units".into(),
                    detail: "current-units.csv and legacy-units.csv must be replaced together"
                        .into(),
                })
            }
        }
        Ok(set)
    }
}
