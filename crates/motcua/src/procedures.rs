//! `motcua procedures …`: the procedure catalog, return dates and legacy-address conversion,
//! from the embedded seeds or an operator seed folder (`--seeds DIR`).

use crate::print_json;
use chrono::NaiveDateTime;
use clap::Subcommand;
use procedures::{due_at, SeedSet};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Operator seed folder (same layout as seeds/); files present there replace the embedded ones.
    #[arg(long, global = true)]
    seeds: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the procedures of the catalog (optionally filtered by a search).
    List {
        /// JSON array of procedures (code, name, working_days, …).
        #[arg(long)]
        json: bool,
        /// Search words or a code ("ket hon", "1.001193").
        #[arg(long)]
        search: Option<String>,
    },
    /// Return date/time for a file received at RECEIVED (YYYY-MM-DDTHH:MM) with N working days.
    Due { received: String, working_days: u32 },
    /// Convert a pre-1/7/2025 address to the current two-level address.
    Address {
        text: String,
        #[arg(long)]
        json: bool,
    },
}

fn fail(e: &procedures::Error) -> ExitCode {
    eprintln!("{} ({})", e.message_vi(), e.code());
    ExitCode::FAILURE
}

/// Procedures of the catalog, all or those matching `search`.
fn select<'a>(seeds: &'a SeedSet, search: Option<&str>) -> Vec<&'a procedures::Procedure> {
    match search {
        Some(q) => seeds.catalog.search(q),
        None => seeds.catalog.procedures().iter().collect(),
    }
}

pub fn run(args: Args) -> ExitCode {
    let seeds = match SeedSet::load(args.seeds.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    match args.command {
        Cmd::List { json, search } => {
            let list = select(&seeds, search.as_deref());
            if json {
                return print_json(&list);
            }
            for p in list {
                let days = if p.working_days == 0 {
                    "trong ngày".to_owned()
                } else {
                    format!("{} ngày làm việc", p.working_days)
                };
                let mark = if p.code_verified {
                    ""
                } else {
                    " (mã chưa kiểm chứng)"
                };
                println!("{}{mark}\t{}\t{days}", p.code, p.name);
            }
            ExitCode::SUCCESS
        }
        Cmd::Due {
            received,
            working_days,
        } => {
            let Ok(at) = NaiveDateTime::parse_from_str(&received, "%Y-%m-%dT%H:%M") else {
                eprintln!(
                    "Thời điểm tiếp nhận phải có dạng YYYY-MM-DDTHH:MM, ví dụ 2026-03-02T10:00."
                );
                return ExitCode::FAILURE;
            };
            match due_at(at, working_days, &seeds.calendar, &seeds.settings, &[]) {
                Ok(d) => {
                    println!("{}", d.format("%H:%M ngày %d/%m/%Y"));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Cmd::Address { text, json } => match seeds.admin_units.convert(&text) {
            Ok(c) if json => print_json(&c),
            Ok(c) => {
                if c.needs_choice() {
                    println!("Đơn vị cũ đã được chia, cần chọn một trong các địa chỉ:");
                }
                for i in 0..c.options.len() {
                    if let Some(line) = c.formatted(i) {
                        println!("{line}");
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_json_has_code_name_and_working_days() {
        let seeds = SeedSet::embedded().unwrap();
        let v = serde_json::to_value(select(&seeds, None)).unwrap();
        let arr = v.as_array().unwrap();
        assert!(arr.len() >= 12);
        for p in arr {
            assert!(p["code"].is_string() && p["name"].is_string(), "{p}");
            assert!(p["working_days"].is_u64(), "{p}");
        }
        let found = serde_json::to_value(select(&seeds, Some("ket hon"))).unwrap();
        assert_eq!(found[0]["code"], "1.000894");
    }
}
