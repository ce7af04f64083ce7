//! `motcua stats --month YYYY-MM --csv`: monthly statistics of hồ sơ (per procedure, total,
//! per day) as CSV on stdout, or `--json`; `--xlsx FILE` also writes the per-procedure table
//! with a chart as an Excel workbook.

use hoso::{month_range, HoSoError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Month, YYYY-MM (local receipt days).
    #[arg(long)]
    month: String,
    /// CSV on stdout (the default).
    #[arg(long)]
    csv: bool,
    /// JSON instead of CSV.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Also write the per-procedure rows with a chart to this XLSX file.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Decide "overdue" as of this local time "YYYY-MM-DD HH:MM" (default: now).
    #[arg(long)]
    as_of: Option<String>,
    /// Operator seed folder.
    #[arg(long)]
    seeds: Option<PathBuf>,
}

fn stats(args: &Args, data_dir: Option<&Path>) -> Result<String, HoSoError> {
    let svc = crate::hoso::open_service(data_dir, args.seeds.as_deref())?;
    let (from, to) = month_range(&args.month)?;
    let now = match &args.as_of {
        Some(s) => hoso::local_to_utc(hoso::parse_local(s)?),
        None => chrono::Utc::now(),
    };
    let st = svc.stats(from, to, now)?;
    if let Some(path) = &args.xlsx {
        write_xlsx(&st, &args.month, path)?;
    }
    if args.json {
        serde_json::to_string_pretty(&st).map_err(|e| HoSoError::InvalidInput {
            field: "json".into(),
            detail: e.to_string(),
        })
    } else {
        Ok(st.to_csv())
    }
}

/// The per-procedure rows as the export's rows (dated on the first day of the period).
fn export_rows(st: &hoso::Stats) -> Vec<hoso_docs::export::StatRow> {
    let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    st.by_procedure
        .iter()
        .map(|r| hoso_docs::export::StatRow {
            date: st.from,
            procedure_code: r.procedure_code.clone(),
            procedure_name: r.procedure_name.clone(),
            received: n(r.received),
            on_time: n(r.on_time),
            late: n(r.late),
            overdue_open: n(r.overdue_open),
            chip_verified: n(r.chip_verified),
            digitized_components: n(r.components_digitized),
        })
        .collect()
}

fn write_xlsx(st: &hoso::Stats, month: &str, path: &Path) -> Result<(), HoSoError> {
    let io = |detail: String| HoSoError::InvalidInput {
        field: "xlsx".into(),
        detail,
    };
    let bytes = hoso_docs::export::xlsx(&export_rows(st), &format!("Thống kê hồ sơ tháng {month}"))
        .map_err(|e| io(format!("{} ({})", e.message_vi(), e.code())))?;
    std::fs::write(path, bytes).map_err(|e| io(format!("{}: {e}", path.display())))
}

pub fn run(args: Args, data_dir: Option<&Path>) -> ExitCode {
    match stats(&args, data_dir) {
        Ok(out) => {
            print!("{out}");
            if args.json {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{} ({})", e.message_vi(), e.code());
            ExitCode::FAILURE
        }
    }
}
