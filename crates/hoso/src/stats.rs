//! Statistics for the monthly reports: per day and per procedure, files received, finished on
//! time / late, still open past the due date, identity verified by chip, components digitized.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{HoSoRow, HoSoStatus, Method};

use crate::error::{HoSoError, Result};
use crate::service::HoSoService;

/// One line of statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRow {
    /// `YYYY-MM` (month), `YYYY-MM-DD` (day) or `from..to`.
    pub period: String,
    /// Empty for "all procedures".
    pub procedure_code: String,
    pub procedure_name: String,
    pub received: u64,
    /// Result ready (or returned) no later than the due date.
    pub on_time: u64,
    /// Result ready after the due date.
    pub late: u64,
    /// Not finished and past the due date at the time of the report (paused files excluded).
    pub overdue_open: u64,
    /// Not finished, within time (or paused for bổ sung).
    pub open: u64,
    pub rejected_or_cancelled: u64,
    /// Identity read from the chip and verified.
    pub chip_verified: u64,
    pub components: u64,
    /// Components with a digitized document (or a reused digitized result).
    pub components_digitized: u64,
}

/// Statistics of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Computed at this instant (decides "overdue").
    pub as_of: String,
    pub total: StatsRow,
    pub by_procedure: Vec<StatsRow>,
    pub by_day: Vec<StatsRow>,
}

const HEADER: &str = "period,procedure_code,procedure_name,received,on_time,late,overdue_open,open,rejected_or_cancelled,chip_verified,components,components_digitized";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl StatsRow {
    fn add(&mut self, r: &HoSoRow, now: DateTime<Utc>) {
        self.received += 1;
        let finished = r.result_at.or(r.returned_at);
        match (r.status, finished) {
            (HoSoStatus::Rejected | HoSoStatus::Cancelled, _) => self.rejected_or_cancelled += 1,
            (_, Some(f)) => match r.due_at {
                Some(d) if f > d => self.late += 1,
                _ => self.on_time += 1,
            },
            (HoSoStatus::NeedsSupplement, None) => self.open += 1,
            (_, None) => match r.due_at {
                Some(d) if now > d => self.overdue_open += 1,
                _ => self.open += 1,
            },
        }
        if r.identity_method == Method::Chip && r.identity_verified {
            self.chip_verified += 1;
        }
        self.components += r.components.len() as u64;
        self.components_digitized += r
            .components
            .iter()
            .filter(|c| c.document_id.is_some() || c.reused_from.is_some())
            .count() as u64;
    }

    fn csv_line(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&self.period),
            csv_field(&self.procedure_code),
            csv_field(&self.procedure_name),
            self.received,
            self.on_time,
            self.late,
            self.overdue_open,
            self.open,
            self.rejected_or_cancelled,
            self.chip_verified,
            self.components,
            self.components_digitized
        )
    }
}

impl Stats {
    /// CSV (UTF-8, comma, header line): per-procedure rows, the total, then per-day totals.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(HEADER);
        out.push('\n');
        for r in self
            .by_procedure
            .iter()
            .chain(std::iter::once(&self.total))
            .chain(&self.by_day)
        {
            out.push_str(&r.csv_line());
            out.push('\n');
        }
        out
    }
}

/// First and last day of `YYYY-MM`.
pub fn month_range(month: &str) -> Result<(NaiveDate, NaiveDate)> {
    let bad = || HoSoError::InvalidInput {
        field: "tháng".into(),
        detail: format!("\"{month}\" — dùng dạng YYYY-MM"),
    };
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| bad())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).ok_or_else(bad)?;
    Ok((first, last))
}

impl HoSoService {
    /// Statistics of files received between two local days (inclusive), as of `now`.
    pub fn stats(&self, from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> Result<Stats> {
        let rows = self.rows_between(from, to)?;
        let whole_month = from.day() == 1
            && to.succ_opt().is_some_and(|n| n.day() == 1)
            && from.month() == to.month()
            && from.year() == to.year();
        let period = if whole_month {
            from.format("%Y-%m").to_string()
        } else {
            format!("{from}..{to}")
        };
        let mut total = StatsRow {
            period: period.clone(),
            ..StatsRow::default()
        };
        let mut by_proc: BTreeMap<String, StatsRow> = BTreeMap::new();
        let mut by_day: BTreeMap<NaiveDate, StatsRow> = BTreeMap::new();
        for r in &rows {
            total.add(r, now);
            by_proc
                .entry(r.procedure_code.clone())
                .or_insert_with(|| StatsRow {
                    period: period.clone(),
                    procedure_code: r.procedure_code.clone(),
                    procedure_name: r.procedure_name.clone(),
                    ..StatsRow::default()
                })
                .add(r, now);
            by_day
                .entry(r.received_date)
                .or_insert_with(|| StatsRow {
                    period: r.received_date.to_string(),
                    ..StatsRow::default()
                })
                .add(r, now);
        }
        Ok(Stats {
            from,
            to,
            as_of: crate::service::fmt_local(now),
            total,
            by_procedure: by_proc.into_values().collect(),
            by_day: by_day.into_values().collect(),
        })
    }
}
