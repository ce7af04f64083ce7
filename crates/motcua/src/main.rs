//! `motcua`: the operator and test CLI. Each area lives in its own module; this file only
//! dispatches. Exit codes: 0 success, 1 error, 2 "done but not verified" where an area defines it.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod card;
mod hoso;
mod procedures;
mod qr;
mod queue;
mod scan;
mod stats;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Một Cửa Desk — công cụ dòng lệnh cho bộ phận một cửa"
)]
struct Cli {
    /// Data directory (the store); overrides the platform default, as in the app.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chip ID card: read and verify through PC/SC.
    Card(card::Args),
    /// Procedure catalog, return dates, legacy-address conversion.
    Procedures(procedures::Args),
    /// ID-card QR: decode from images, parse a payload.
    Qr(qr::Args),
    /// Hồ sơ: record, list, show, change status, receipt data, intake form.
    Hoso(hoso::Args),
    /// Monthly statistics of hồ sơ (CSV).
    Stats(stats::Args),
    /// Digitize paper components: files, SANE scanner, scan-to-folder, reuse.
    Scan(scan::Args),
    /// Digitization queue: status, processing, delivery, integrity check.
    Queue(queue::Args),
}

/// Prints `v` as pretty JSON on stdout (success), or says why it could not.
pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> ExitCode {
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Lỗi xuất JSON: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = &cli.data_dir;
    match cli.command {
        Command::Card(args) => card::run(args),
        Command::Procedures(args) => procedures::run(args),
        Command::Qr(args) => qr::run(args),
        Command::Hoso(args) => hoso::run(args, cli.data_dir.as_deref()),
        Command::Stats(args) => stats::run(args, cli.data_dir.as_deref()),
        Command::Scan(args) => scan::run(args, cli.data_dir.as_deref()),
        Command::Queue(args) => queue::run(args, cli.data_dir.as_deref()),
    }
}
