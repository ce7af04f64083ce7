//! Working-day calendar of state agencies.
//!
//! * Weekly rest: Saturday and Sunday.
//! * Holidays, Bộ luật Lao động 2019 Điều 112 khoản 1: 1/1; Tết Âm lịch 5 days; 10/3 âm lịch;
//!   30/4; 1/5; 2/9 and one adjacent day (1/9 or 3/9).
//! * Khoản 3: a holiday on a weekly rest day gives a compensatory day off on the next working day.
//! * The government fixes each year the exact Tết days, the 2/9 adjacent day and day swaps
//!   (a weekday off, worked back on a Saturday). Those come from yearly seed files
//!   (`seeds/calendar/YYYY.toml`); a year with a file is taken from the file only.
//! * A year without a file is computed from the rules with these defaults (documented guesses,
//!   not law): Tết = the last day of the lunar year + mùng 1–4; the 2/9 companion is 3/9 when
//!   2/9 is a Monday, Thursday or Sunday, else 1/9; no swaps.

use crate::lunar::{self, LunarDate};
use crate::Error;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where a year's calendar comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarStatus {
    /// Yearly file built from the government's decisions.
    Official,
    /// Yearly file, some entries not confirmed by an official text.
    Partial,
    /// Yearly file or in-memory computation from the rules alone.
    Computed,
}

/// One year of days off and worked weekend days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    /// Solar year.
    pub year: i32,
    /// File version, or `rules` for a computed year.
    pub version: String,
    /// How reliable the year is.
    pub status: CalendarStatus,
    /// Sources (official texts, press reports of them).
    pub sources: Vec<String>,
    /// Weekdays (and, for information, weekend holidays) off, with the reason.
    pub days_off: BTreeMap<NaiveDate, String>,
    /// Saturdays/Sundays that are working days (làm bù).
    pub working_weekend_days: BTreeMap<NaiveDate, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    version: String,
    year: i32,
    status: CalendarStatus,
    sources: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    notes: Option<String>,
    #[serde(default)]
    days_off: Vec<DayEntry>,
    #[serde(default)]
    working_days: Vec<DayEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayEntry {
    date: String,
    reason: String,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, Error> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Error::YearOutOfRange(y))
}

impl YearCalendar {
    /// Parses and validates a yearly TOML file.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        let f: YearFile = toml::from_str(text).map_err(|e| Error::SeedParse {
            file: file.to_owned(),
            detail: e.to_string(),
        })?;
        let invalid = |detail: String| Error::SeedInvalid {
            file: file.to_owned(),
            detail,
        };
        if !(lunar::MIN_YEAR..=lunar::MAX_YEAR).contains(&f.year) {
            return Err(invalid(format!("year {} out of range", f.year)));
        }
        if f.sources.is_empty() {
            return Err(invalid("sources must not be empty".into()));
        }
        let parse = |e: &DayEntry| -> Result<NaiveDate, Error> {
            let d = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d")
                .map_err(|_| invalid(format!("bad date {:?}", e.date)))?;
            if d.year() != f.year {
                return Err(invalid(format!("{d} is not in {}", f.year)));
            }
            Ok(d)
        };
        let mut days_off = BTreeMap::new();
        for e in &f.days_off {
            if days_off.insert(parse(e)?, e.reason.clone()).is_some() {
                return Err(invalid(format!("duplicate day off {}", e.date)));
            }
        }
        let mut working = BTreeMap::new();
        for e in &f.working_days {
            let d = parse(e)?;
            if !is_weekend(d) {
                return Err(invalid(format!(
                    "working day {d} is not a Saturday or Sunday"
                )));
            }
            if days_off.contains_key(&d) || working.insert(d, e.reason.clone()).is_some() {
                return Err(invalid(format!("{d} listed twice")));
            }
        }
        Ok(YearCalendar {
            year: f.year,
            version: f.version,
            status: f.status,
            sources: f.sources,
            days_off,
            working_weekend_days: working,
        })
    }

    /// Computes a year from the rules (see the module doc).
    pub fn from_rules(year: i32) -> Result<Self, Error> {
        if !(lunar::MIN_YEAR..=lunar::MAX_YEAR).contains(&year) {
            return Err(Error::YearOutOfRange(year));
        }
        let mut holidays: BTreeMap<NaiveDate, String> = BTreeMap::new();
        holidays.insert(ymd(year, 1, 1)?, "Tết Dương lịch".into());
        let tet = lunar::tet(year).ok_or(Error::YearOutOfRange(year))?;
        holidays.insert(
            tet - Duration::days(1),
            "Tết Âm lịch (ngày cuối năm âm lịch)".into(),
        );
        for i in 0..4 {
            holidays.insert(
                tet + Duration::days(i),
                format!("Tết Âm lịch (mùng {})", i + 1),
            );
        }
        let gio_to = lunar::to_solar(LunarDate {
            day: 10,
            month: 3,
            year,
            leap: false,
        })
        .ok_or(Error::YearOutOfRange(year))?;
        holidays.insert(gio_to, "Giỗ Tổ Hùng Vương (10/3 âm lịch)".into());
        holidays.insert(ymd(year, 4, 30)?, "Ngày Chiến thắng (30/4)".into());
        holidays.insert(ymd(year, 5, 1)?, "Ngày Quốc tế lao động (1/5)".into());
        let national = ymd(year, 9, 2)?;
        holidays.insert(national, "Quốc khánh (2/9)".into());
        let companion = match national.weekday() {
            Weekday::Mon | Weekday::Thu | Weekday::Sun => ymd(year, 9, 3)?,
            _ => ymd(year, 9, 1)?,
        };
        holidays.insert(companion, "Quốc khánh (ngày liền kề 2/9)".into());

        // Compensatory days, in date order, each on the next day that is neither a weekend,
        // a holiday nor an already granted compensatory day.
        let mut days_off = holidays.clone();
        for (d, reason) in &holidays {
            if is_weekend(*d) {
                let mut c = *d + Duration::days(1);
                while is_weekend(c) || days_off.contains_key(&c) {
                    c += Duration::days(1);
                }
                days_off.insert(c, format!("Nghỉ bù: {reason}"));
            }
        }
        Ok(YearCalendar {
            year,
            version: "rules".into(),
            status: CalendarStatus::Computed,
            sources: vec![
                "Bộ luật Lao động 2019, Điều 112".into(),
                "Âm lịch: thuật toán Hồ Ngọc Đức, UTC+7".into(),
            ],
            days_off,
            working_weekend_days: BTreeMap::new(),
        })
    }

    /// Whether `d` (a date of this year) is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_weekend_days.contains_key(&d) {
            return true;
        }
        !is_weekend(d) && !self.days_off.contains_key(&d)
    }
}

/// The calendar: yearly files, rules for the other years.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// A calendar without yearly files: every year from the rules.
    pub fn rules_only() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a year from a file.
    pub fn insert_year(&mut self, y: YearCalendar) {
        self.years.insert(y.year, y);
    }

    /// Years that come from files.
    pub fn file_years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// The calendar of one year: the file if any, else computed.
    pub fn year(&self, year: i32) -> Result<Cow<'_, YearCalendar>, Error> {
        match self.years.get(&year) {
            Some(y) => Ok(Cow::Borrowed(y)),
            None => YearCalendar::from_rules(year).map(Cow::Owned),
        }
    }

    /// Whether `d` is a working day. For many look-ups use [`DayOracle`].
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, Error> {
        Ok(self.year(d.year())?.is_working_day(d))
    }

    /// Why `d` is a day off (holiday reason, "Thứ Bảy", "Chủ nhật"), or `None` if it is a working day.
    pub fn day_off_reason(&self, d: NaiveDate) -> Result<Option<String>, Error> {
        let y = self.year(d.year())?;
        if y.is_working_day(d) {
            return Ok(None);
        }
        Ok(Some(match y.days_off.get(&d) {
            Some(r) => r.clone(),
            None if d.weekday() == Weekday::Sat => "Thứ Bảy".into(),
            None => "Chủ nhật".into(),
        }))
    }

    /// A caching view for many look-ups.
    pub fn oracle(&self) -> DayOracle<'_> {
        DayOracle {
            calendar: self,
            cache: BTreeMap::new(),
        }
    }
}

/// Caches computed years while walking over many days.
pub struct DayOracle<'a> {
    calendar: &'a Calendar,
    cache: BTreeMap<i32, Cow<'a, YearCalendar>>,
}

impl DayOracle<'_> {
    /// Whether `d` is a working day.
    pub fn is_working_day(&mut self, d: NaiveDate) -> Result<bool, Error> {
        let y = d.year();
        if !self.cache.contains_key(&y) {
            let yc = self.calendar.year(y)?;
            self.cache.insert(y, yc);
        }
        Ok(self.cache.get(&y).is_some_and(|yc| yc.is_working_day(d)))
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&mut self, d: NaiveDate) -> Result<NaiveDate, Error> {
        let mut c = d;
        // 60 consecutive days off cannot happen; bound the walk anyway.
        for _ in 0..60 {
            c = c.succ_opt().ok_or(Error::DueOutOfRange)?;
            if self.is_working_day(c)? {
                return Ok(c);
            }
        }
        Err(Error::DueOutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rules_2027() {
        let cal = Calendar::rules_only();
        // Tết Đinh Mùi: 2027-02-06 (Sat). Days: 5/2 (Fri) .. 9/2 (Tue); 6/2, 7/2 on the weekend
        // → compensatory 10/2 (Wed), 11/2 (Thu).
        for day in [5, 8, 9, 10, 11] {
            assert!(
                !cal.is_working_day(d(2027, 2, day)).unwrap(),
                "2027-02-{day}"
            );
        }
        assert!(cal.is_working_day(d(2027, 2, 4)).unwrap());
        assert!(cal.is_working_day(d(2027, 2, 12)).unwrap());
        // 1/5/2027 is a Saturday → compensatory Monday 3/5.
        assert!(!cal.is_working_day(d(2027, 5, 3)).unwrap());
        assert!(cal
            .day_off_reason(d(2027, 5, 3))
            .unwrap()
            .unwrap()
            .starts_with("Nghỉ bù"));
        // 2/9/2027 is a Thursday → 3/9 Friday.
        assert!(!cal.is_working_day(d(2027, 9, 3)).unwrap());
        assert!(cal.is_working_day(d(2027, 9, 1)).unwrap());
    }

    #[test]
    fn sunday_holiday_gets_next_monday() {
        // 2/9/2029 is a Sunday: companion 3/9 (Mon), compensatory for 2/9 → Tue 4/9.
        let y = YearCalendar::from_rules(2029).unwrap();
        assert_eq!(d(2029, 9, 2).weekday(), Weekday::Sun);
        assert!(!y.is_working_day(d(2029, 9, 3)));
        assert!(!y.is_working_day(d(2029, 9, 4)));
        assert!(y.is_working_day(d(2029, 9, 5)));
    }

    #[test]
    fn file_validation() {
        let bad = r#"
version = "x"
year = 2026
status = "official"
sources = ["s"]
working_days = [{ date = "2026-01-12", reason = "not a weekend" }]
"#;
        assert_eq!(
            YearCalendar::from_toml("t", bad).unwrap_err().code(),
            "seed_invalid"
        );
        let wrong_year = r#"
version = "x"
year = 2026
status = "official"
sources = ["s"]
days_off = [{ date = "2027-01-01", reason = "r" }]
"#;
        assert_eq!(
            YearCalendar::from_toml("t", wrong_year).unwrap_err().code(),
            "seed_invalid"
        );
        assert_eq!(
            YearCalendar::from_toml("t", "year = ").unwrap_err().code(),
            "seed_parse"
        );
        assert_eq!(
            Calendar::rules_only()
                .is_working_day(d(2300, 1, 2))
                .unwrap_err()
                .code(),
            "year_out_of_range"
        );
    }
}
