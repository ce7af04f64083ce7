//! Vietnamese lunar calendar (âm lịch), after Hồ Ngọc Đức's public astronomical algorithm
//! ("Thuật toán tính âm lịch"): new moons from Meeus' series, sun longitude for the major solar
//! terms, month 11 contains the winter solstice, leap month = first month without a major term.
//! Computed for UTC+7 (Vietnam since 1975). Valid range here: years 1900–2199.

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

/// Time zone of the Vietnamese calendar, hours east of UTC.
const TZ: f64 = 7.0;
/// JDN of 1900-01-01 minus one, the epoch of the new-moon series.
const EPOCH: f64 = 2_415_021.076_998_695;
const SYNODIC: f64 = 29.530_588_853;
/// Inclusive year range this crate accepts.
pub const MIN_YEAR: i32 = 1900;
/// Inclusive year range this crate accepts.
pub const MAX_YEAR: i32 = 2199;

/// A date of the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    /// 1..=30
    pub day: u32,
    /// 1..=12
    pub month: u32,
    /// Lunar year; month 1 day 1 of year Y falls in January/February of solar year Y.
    pub year: i32,
    /// True for the intercalary (nhuận) month.
    pub leap: bool,
}

fn jd(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn from_jd(jd: i64) -> Option<NaiveDate> {
    i32::try_from(jd - 1_721_425)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Julian day (fractional) of the k-th new moon after 1900-01-01.
fn new_moon(k: f64) -> f64 {
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - deltat
}

/// Local day (JDN) of the k-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k as f64) + 0.5 + TZ / 24.0).floor() as i64
}

/// Sun longitude in radians [0, 2π) at Julian day `jdn` (TT ≈ UT here).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Major-term sector (0..12, 30° each) of the sun at the start of local day `day`.
fn sun_sector(day: i64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - TZ / 24.0) / PI * 6.0).floor() as i64
}

/// JDN of the first day of lunar month 11 (the one containing the winter solstice) of solar year `yy`.
fn lunar_month_11(yy: i32) -> Option<i64> {
    let off = jd(NaiveDate::from_ymd_opt(yy, 12, 31)?) as f64 - 2_415_021.0;
    let k = (off / SYNODIC).floor() as i64;
    let nm = new_moon_day(k);
    if sun_sector(nm) >= 9 {
        Some(new_moon_day(k - 1))
    } else {
        Some(nm)
    }
}

/// Offset (in months after month 11 starting at `a11`) of the leap month.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - EPOCH) / SYNODIC + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

fn in_range(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

/// Solar → lunar. `None` outside 1900–2199.
pub fn to_lunar(date: NaiveDate) -> Option<LunarDate> {
    if !in_range(date.year()) {
        return None;
    }
    let day_number = jd(date);
    let k = ((day_number as f64 - EPOCH) / SYNODIC).floor() as i64;
    let mut month_start = new_moon_day(k + 1);
    if month_start > day_number {
        month_start = new_moon_day(k);
    }
    let mut a11 = lunar_month_11(date.year())?;
    let b11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = date.year();
        b11 = a11;
        a11 = lunar_month_11(date.year() - 1)?;
    } else {
        lunar_year = date.year() + 1;
        b11 = lunar_month_11(date.year() + 1)?;
    }
    let day = day_number - month_start + 1;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Some(LunarDate {
        day: u32::try_from(day).ok()?,
        month: u32::try_from(month).ok()?,
        year: lunar_year,
        leap,
    })
}

/// Lunar → solar. `None` for an impossible date (e.g. a leap flag on a month that is not the
/// leap month, day 30 of a 29-day month) or outside 1900–2199.
pub fn to_solar(lunar: LunarDate) -> Option<NaiveDate> {
    let LunarDate {
        day,
        month,
        year,
        leap,
    } = lunar;
    if !in_range(year) || !(1..=12).contains(&month) || !(1..=30).contains(&day) {
        return None;
    }
    let month = i64::from(month);
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1)?, lunar_month_11(year)?)
    } else {
        (lunar_month_11(year)?, lunar_month_11(year + 1)?)
    };
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if leap && month != leap_month {
            return None;
        } else if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return None;
    }
    let k = (0.5 + (a11 as f64 - EPOCH) / SYNODIC).floor() as i64;
    let month_start = new_moon_day(k + off);
    let result = from_jd(month_start + i64::from(day) - 1)?;
    // Reject day 30 of a 29-day month: the round trip must land on the same lunar date.
    (to_lunar(result)? == lunar).then_some(result)
}

/// Solar date of Tết Nguyên đán (1 tháng Giêng) of lunar year `year`.
pub fn tet(year: i32) -> Option<NaiveDate> {
    to_solar(LunarDate {
        day: 1,
        month: 1,
        year,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn known_tet_dates() {
        assert_eq!(tet(2024), Some(d(2024, 2, 10)));
        assert_eq!(tet(2025), Some(d(2025, 1, 29)));
        assert_eq!(tet(2026), Some(d(2026, 2, 17)));
        assert_eq!(tet(2027), Some(d(2027, 2, 6)));
        // Tết Canh Thìn 2000, Tết Quý Mão 2023.
        assert_eq!(tet(2000), Some(d(2000, 2, 5)));
        assert_eq!(tet(2023), Some(d(2023, 1, 22)));
    }

    #[test]
    fn gio_to_and_leap_months() {
        // Giỗ Tổ Hùng Vương 10/3 âm lịch.
        let gio_to = |y| {
            to_solar(LunarDate {
                day: 10,
                month: 3,
                year: y,
                leap: false,
            })
        };
        assert_eq!(gio_to(2024), Some(d(2024, 4, 18)));
        assert_eq!(gio_to(2025), Some(d(2025, 4, 7)));
        assert_eq!(gio_to(2026), Some(d(2026, 4, 26)));
        // 2023 had a leap month 2 (tháng 2 nhuận starts 2023-03-22).
        assert_eq!(
            to_lunar(d(2023, 3, 22)),
            Some(LunarDate {
                day: 1,
                month: 2,
                year: 2023,
                leap: true
            })
        );
        // 2025 had a leap month 6 (starts 2025-07-25).
        assert_eq!(
            to_lunar(d(2025, 7, 25)),
            Some(LunarDate {
                day: 1,
                month: 6,
                year: 2025,
                leap: true
            })
        );
        assert_eq!(
            to_solar(LunarDate {
                day: 1,
                month: 5,
                year: 2025,
                leap: true
            }),
            None
        );
    }

    #[test]
    fn round_trip_and_range() {
        let mut date = d(2020, 1, 1);
        while date < d(2030, 1, 1) {
            let l = to_lunar(date).unwrap();
            assert_eq!(to_solar(l), Some(date), "{date} → {l:?}");
            date = date.succ_opt().unwrap();
        }
        assert_eq!(to_lunar(d(1800, 1, 1)), None);
        assert_eq!(tet(2500), None);
    }
}
