//! Mã hồ sơ: `{mã định danh cơ quan}-{yymmdd}-{nnnn}`, e.g. `000.00.19.H12-220107-0001`
//! (structure of Thông tư 01/2018/TT-VPCP, Điều 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`).
//! The number counts files received by one agency in one day, from 0001, and resets each day.
//!
//! The date is the local (UTC+7) receipt date. Numbers are allocated through
//! [`SequenceAllocator`]; the store crate implements it with one SQLite row per (agency, day):
//!
//! ```sql
//! INSERT INTO file_seq(agency, day, last) VALUES (?1, ?2, 1)
//! ON CONFLICT(agency, day) DO UPDATE SET last = last + 1
//! RETURNING last;
//! ```
//!
//! (one statement, atomic under SQLite's write lock; reject `last > 9999`).

use crate::Error;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

/// Highest number within a day (four digits).
pub const MAX_NUMBER: u16 = 9999;

/// Mã định danh điện tử of an agency (QCVN 102:2016/BTTTT family), `V1V2V3.Z1Z2.Y1Y2.MX1X2`:
/// four dot-separated groups of 3, 2, 2, 3 upper-case letters/digits, lowest level first, the
/// last a letter and two digits (`Hxx` = province, `Gxx` = ministry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Validates an agency code.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::InvalidAgencyCode(s.to_owned());
        let groups: Vec<&str> = s.split('.').collect();
        // V1V2V3.Z1Z2.Y1Y2.MX1X2 (Thông tư 01/2018/TT-VPCP, Điều 19; QCVN 102:2016/BTTTT).
        if groups.len() != 4 || groups.iter().zip([3, 2, 2, 3]).any(|(g, n)| g.len() != n) {
            return Err(bad());
        }
        let upper_alnum = |g: &&str| {
            g.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        if !groups.iter().all(upper_alnum) {
            return Err(bad());
        }
        let last = groups[3].as_bytes();
        if !last[0].is_ascii_uppercase() || !last[1..].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(AgencyCode(s.to_owned()))
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        AgencyCode::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> String {
        c.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mã hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileCode {
    /// Receiving agency.
    pub agency: AgencyCode,
    /// Receipt date (local).
    pub date: NaiveDate,
    /// 1..=9999 within (agency, date).
    pub number: u16,
}

impl FileCode {
    /// Builds a code, checking the number range and the 2000–2099 date range of `yymmdd`.
    pub fn new(agency: AgencyCode, date: NaiveDate, number: u16) -> Result<Self, Error> {
        if number == 0 || number > MAX_NUMBER || !(2000..=2099).contains(&date.year()) {
            return Err(Error::InvalidFileCode(format!(
                "{agency}-{}-{number:04}",
                date.format("%y%m%d")
            )));
        }
        Ok(FileCode {
            agency,
            date,
            number,
        })
    }

    /// Parses `{agency}-{yymmdd}-{nnnn}` (years 2000–2099).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::InvalidFileCode(s.to_owned());
        let mut parts = s.trim().rsplitn(3, '-');
        let (num, day, agency) = match (parts.next(), parts.next(), parts.next()) {
            (Some(n), Some(d), Some(a)) => (n, d, a),
            _ => return Err(bad()),
        };
        if num.len() != 4 || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if day.len() != 6 || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number: u16 = num.parse().map_err(|_| bad())?;
        let date = NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").map_err(|_| bad())?;
        let agency = AgencyCode::parse(agency).map_err(|_| bad())?;
        FileCode::new(agency, date, number).map_err(|_| bad())
    }
}

impl fmt::Display for FileCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.agency,
            self.date.format("%y%m%d"),
            self.number
        )
    }
}

impl TryFrom<String> for FileCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        FileCode::parse(&s)
    }
}

impl From<FileCode> for String {
    fn from(c: FileCode) -> String {
        c.to_string()
    }
}

/// The code that follows `last` (the latest code issued by this agency, if any) for a file
/// received on `date`: same agency and day → number + 1; otherwise 0001.
pub fn next_code(
    last: Option<&FileCode>,
    agency: &AgencyCode,
    date: NaiveDate,
) -> Result<FileCode, Error> {
    let number = match last {
        Some(l) if &l.agency == agency && l.date == date => {
            if l.number >= MAX_NUMBER {
                return Err(Error::SequenceExhausted {
                    agency: agency.to_string(),
                    date,
                });
            }
            l.number + 1
        }
        _ => 1,
    };
    FileCode::new(agency.clone(), date, number)
}

/// Hands out the next number of a day. Implementations must be atomic: two concurrent calls for
/// the same (agency, date) never return the same number.
pub trait SequenceAllocator {
    /// Error of the backing store; must carry this crate's errors (exhaustion).
    type Error: From<Error>;

    /// Next number (1..=9999) for `agency` on `date`.
    fn next_number(&self, agency: &AgencyCode, date: NaiveDate) -> Result<u16, Self::Error>;

    /// Allocates and formats a full code.
    fn allocate(&self, agency: &AgencyCode, date: NaiveDate) -> Result<FileCode, Self::Error> {
        let n = self.next_number(agency, date)?;
        Ok(FileCode::new(agency.clone(), date, n)?)
    }
}

/// Allocator kept in memory (tests, demo mode).
#[derive(Debug, Default)]
pub struct InMemoryAllocator {
    last: Mutex<HashMap<(AgencyCode, NaiveDate), u16>>,
}

impl InMemoryAllocator {
    /// Empty allocator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SequenceAllocator for InMemoryAllocator {
    type Error = Error;

    fn next_number(&self, agency: &AgencyCode, date: NaiveDate) -> Result<u16, Error> {
        let mut map = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let slot = map.entry((agency.clone(), date)).or_insert(0);
        if *slot >= MAX_NUMBER {
            return Err(Error::SequenceExhausted {
                agency: agency.to_string(),
                date,
            });
        }
        *slot += 1;
        Ok(*slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency() -> AgencyCode {
        AgencyCode::parse("000.00.19.H12").unwrap()
    }

    #[test]
    fn format_and_parse_round_trip() {
        let c = FileCode::new(agency(), NaiveDate::from_ymd_opt(2022, 1, 7).unwrap(), 1).unwrap();
        assert_eq!(c.to_string(), "000.00.19.H12-220107-0001");
        assert_eq!(FileCode::parse("000.00.19.H12-220107-0001").unwrap(), c);
        let json = serde_json_like(&c);
        assert_eq!(json, "000.00.19.H12-220107-0001");
    }

    fn serde_json_like(c: &FileCode) -> String {
        String::from(c.clone())
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "000.00.19.H12-220107-1",
            "000.00.19.H12-220107-0000",
            "000.00.19.H12-221307-0001",
            "000.00.19.H12-220230-0001",
            "000.00.19.h12-220107-0001",
            "000.00.19-220107-0001",
            "220107-0001",
            "000.00.19.H12-220107-00a1",
            "000.00.19.H12-2201070-001",
        ] {
            assert_eq!(
                FileCode::parse(s).map_err(|e| e.code()),
                Err("invalid_file_code"),
                "{s}"
            );
        }
        assert!(AgencyCode::parse("000.00.19.H1").is_err());
        assert!(AgencyCode::parse("H12").is_err());
        assert!(AgencyCode::parse("000..H12").is_err());
        assert!(AgencyCode::parse("00.00.19.H12").is_err());
        assert!(AgencyCode::parse("000.00.19.H12.1").is_err());
        assert!(AgencyCode::parse("000.00.19.123").is_err());
        assert!(AgencyCode::parse("G12.42.01.H56").is_ok());
    }

    #[test]
    fn sequence_across_midnight() {
        let a = agency();
        let day1 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let day2 = day1.succ_opt().unwrap();
        let alloc = InMemoryAllocator::new();
        assert_eq!(
            alloc.allocate(&a, day1).unwrap().to_string(),
            "000.00.19.H12-260302-0001"
        );
        assert_eq!(
            alloc.allocate(&a, day1).unwrap().to_string(),
            "000.00.19.H12-260302-0002"
        );
        // 23:59 → 00:00: the receipt date changes, the number restarts.
        assert_eq!(
            alloc.allocate(&a, day2).unwrap().to_string(),
            "000.00.19.H12-260303-0001"
        );
        // Another agency has its own counter.
        let b = AgencyCode::parse("000.00.20.H12").unwrap();
        assert_eq!(alloc.allocate(&b, day2).unwrap().number, 1);
        assert_eq!(alloc.allocate(&a, day2).unwrap().number, 2);

        // Pure helper agrees.
        let last = FileCode::parse("000.00.19.H12-260302-0002").unwrap();
        assert_eq!(next_code(Some(&last), &a, day1).unwrap().number, 3);
        assert_eq!(
            next_code(Some(&last), &a, day2).unwrap().to_string(),
            "000.00.19.H12-260303-0001"
        );
        assert_eq!(next_code(Some(&last), &b, day1).unwrap().number, 1);
        assert_eq!(next_code(None, &a, day1).unwrap().number, 1);
    }

    #[test]
    fn exhaustion_is_an_error() {
        let a = agency();
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let last = FileCode::new(a.clone(), d, 9999).unwrap();
        assert_eq!(
            next_code(Some(&last), &a, d).unwrap_err().code(),
            "file_sequence_exhausted"
        );
        let alloc = InMemoryAllocator::new();
        for _ in 0..9999 {
            alloc.next_number(&a, d).unwrap();
        }
        assert_eq!(
            alloc.next_number(&a, d).unwrap_err().code(),
            "file_sequence_exhausted"
        );
    }
}
