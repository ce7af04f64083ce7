//! Return date/time ("ngày hẹn trả") for a procedure of N working days.
//!
//! Definition (the "office clock"):
//! 1. The clock runs only during office hours (`office_open`..`office_close`) of working days.
//!    One working day = one full span of office hours.
//! 2. Start: the receipt instant if it falls within office hours of a working day; before
//!    opening → that day's opening; after closing or on a day off → opening of the next working
//!    day. Same-day procedures (N = 0) received at or after `same_day_cutoff` (15:00) or on a day
//!    off start at the opening of the next working day.
//! 3. Paused intervals (chờ bổ sung) stop the clock: office time inside a pause does not count;
//!    after the pause the clock resumes at its end (moved onto office hours as in rule 2).
//! 4. Due instant = start + N × (office minutes of a day) on the office clock, pauses skipped.
//!    Landing exactly on a day boundary gives the close of the earlier day, not the next opening.
//! 5. N = 0: due at `office_close` of the start day; a pause beginning before that close moves
//!    the due day to the day the supplement arrives (the cut-off applies again).
//!    N ≥ 1: `ReturnTime::SameTime` → the due instant (Mon 10:00 + 3 → Thu 10:00);
//!    `ReturnTime::EndOfDay` → `office_close` of the due instant's day (Thu 17:00).
//!
//! So received Mon 10:00 with 3 working days → Thu 10:00 (same time) or Thu 17:00 (end of
//! day); received Mon 18:00 with 1 working day → Tue 17:00.

use crate::calendar::{Calendar, DayOracle};
use crate::settings::{AgencySettings, ReturnTime};
use crate::Error;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// An interval during which the file waited for the citizen (bổ sung): `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// Phiếu yêu cầu bổ sung issued.
    pub from: NaiveDateTime,
    /// Supplement received.
    pub to: NaiveDateTime,
}

/// Bound on day-walking loops (≈ 270 years of days), so bad input ends in an error.
const MAX_STEPS: usize = 100_000;

struct Clock<'a> {
    oracle: DayOracle<'a>,
    s: &'a AgencySettings,
}

impl Clock<'_> {
    fn open(&self, d: NaiveDate) -> NaiveDateTime {
        d.and_time(self.s.office_open)
    }
    fn close(&self, d: NaiveDate) -> NaiveDateTime {
        d.and_time(self.s.office_close)
    }

    /// The instant `t` moved onto the office clock (see rule 2), with `limit` as the end of the
    /// day's acceptance window (close, or the same-day cut-off).
    fn start(
        &mut self,
        t: NaiveDateTime,
        limit: chrono::NaiveTime,
    ) -> Result<NaiveDateTime, Error> {
        let d = t.date();
        if self.oracle.is_working_day(d)? && t.time() <= limit {
            return Ok(t.max(self.open(d)));
        }
        let next = self.oracle.next_working_day(d)?;
        Ok(self.open(next))
    }

    /// Moves `minutes` of office time forward from `t` (which is on the clock).
    fn advance(&mut self, t: NaiveDateTime, minutes: i64) -> Result<NaiveDateTime, Error> {
        let mut cur = t;
        let mut remaining = minutes;
        for _ in 0..MAX_STEPS {
            let avail = (self.close(cur.date()) - cur).num_minutes().max(0);
            if remaining <= avail {
                return Ok(cur + Duration::minutes(remaining));
            }
            remaining -= avail;
            let next = self.oracle.next_working_day(cur.date())?;
            cur = self.open(next);
        }
        Err(Error::DueOutOfRange)
    }

    /// Office minutes within `[a, b)`.
    fn office_minutes(&mut self, a: NaiveDateTime, b: NaiveDateTime) -> Result<i64, Error> {
        let mut total = 0;
        let mut d = a.date();
        for _ in 0..MAX_STEPS {
            if d > b.date() {
                return Ok(total);
            }
            if self.oracle.is_working_day(d)? {
                let lo = a.max(self.open(d));
                let hi = b.min(self.close(d));
                if hi > lo {
                    total += (hi - lo).num_minutes();
                }
            }
            d = d.succ_opt().ok_or(Error::DueOutOfRange)?;
        }
        Err(Error::DueOutOfRange)
    }
}

/// Sorted, merged pauses; error if one ends before it starts.
fn merge(paused: &[Pause]) -> Result<Vec<Pause>, Error> {
    if paused.iter().any(|p| p.to < p.from) {
        return Err(Error::InvalidPause);
    }
    // Empty pauses stop nothing (and would not advance the walk).
    let mut v: Vec<Pause> = paused.iter().copied().filter(|p| p.to > p.from).collect();
    v.sort_by_key(|p| p.from);
    let mut out: Vec<Pause> = Vec::with_capacity(v.len());
    for p in v {
        match out.last_mut() {
            Some(last) if p.from <= last.to => last.to = last.to.max(p.to),
            _ => out.push(p),
        }
    }
    Ok(out)
}

/// Return date/time for a file received at `received_at` (local time) with `working_days`
/// working days (0 = same day), given the pauses for bổ sung. See the module doc.
pub fn due_at(
    received_at: NaiveDateTime,
    working_days: u32,
    calendar: &Calendar,
    settings: &AgencySettings,
    paused: &[Pause],
) -> Result<NaiveDateTime, Error> {
    let pauses = merge(paused)?;
    let mut clock = Clock {
        oracle: calendar.oracle(),
        s: settings,
    };

    if working_days == 0 {
        // Same day: done by the close of the day the clock starts on; a pause that begins
        // before that close moves the day to when the supplement arrives (cut-off again).
        let mut cur = clock.start(received_at, settings.same_day_cutoff)?;
        for p in &pauses {
            if p.to > cur && p.from < clock.close(cur.date()) {
                cur = clock.start(p.to.max(cur), settings.same_day_cutoff)?;
            }
        }
        return Ok(clock.close(cur.date()));
    }

    let mut cur = clock.start(received_at, settings.office_close)?;
    let mut remaining = i64::from(working_days) * settings.day_minutes();
    let mut due = None;
    for _ in 0..MAX_STEPS {
        // Inside a pause: jump to its end, back on the clock.
        if let Some(p) = pauses.iter().find(|p| p.from <= cur && cur < p.to) {
            cur = clock.start(p.to, settings.office_close)?;
            continue;
        }
        let candidate = clock.advance(cur, remaining)?;
        match pauses.iter().find(|p| p.from >= cur && p.from < candidate) {
            None => {
                due = Some(candidate);
                break;
            }
            Some(p) => {
                remaining -= clock.office_minutes(cur, p.from)?;
                cur = clock.start(p.to, settings.office_close)?;
            }
        }
    }
    let due = due.ok_or(Error::DueOutOfRange)?;

    Ok(match settings.return_time {
        ReturnTime::EndOfDay => clock.close(due.date()),
        ReturnTime::SameTime => due,
    })
}
