//! `motcua queue …`: the digitization queue (`DATA/digitize/queue.sqlite3`).
//!
//! - `queue status [--json]`: `{"counts": {state: n}, "items": [...], "recovery": {...}}`.
//! - `queue process [--json]`: makes the PDF of every `captured` item (after a crash).
//! - `queue deliver [--endpoint URL] [--timeout-s 30] [--json]`: one delivery pass
//!   (`MOTCUA_DELIVERY_ENDPOINT` when no `--endpoint`): `{"delivered", "retrying", "failed"}`.
//! - `queue retry ITEM`: puts a failed item back in the queue.
//! - `queue check [--json]`: `PRAGMA integrity_check` and every file against its hash; exit 1
//!   when anything is wrong.

use chrono::Utc;
use clap::Subcommand;
use digitize::deliver::{deliver_pass, HttpDelivery, Policy};
use digitize::DigitizeError;
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
    /// JSON output.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Counts per state and the items.
    Status,
    /// Make the PDFs of captured items.
    Process,
    /// One delivery pass to the provincial system.
    Deliver {
        #[arg(long, env = "MOTCUA_DELIVERY_ENDPOINT")]
        endpoint: Option<String>,
        #[arg(long, default_value_t = 30)]
        timeout_s: u64,
        /// First retry wait (doubles each time, capped at 1 h).
        #[arg(long, default_value_t = 30)]
        backoff_s: u64,
        #[arg(long, default_value_t = 8)]
        max_attempts: u32,
    },
    /// Put a failed item back in the queue.
    Retry { item: String },
    /// Integrity check of the database and every stored file.
    Check,
}

pub fn run(args: Args, data_dir: Option<&Path>) -> ExitCode {
    let json = args.json;
    match run_inner(args, data_dir) {
        Ok((v, ok)) => {
            if json {
                println!("{v}");
            } else {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => crate::scan::fail(json, &e),
    }
}

fn run_inner(
    args: Args,
    data_dir: Option<&Path>,
) -> Result<(serde_json::Value, bool), DigitizeError> {
    let (q, rec) = digitize::open_queue(data_dir)?;
    match args.command {
        Cmd::Status => {
            let s = q.status()?;
            Ok((
                json!({"counts": s.counts, "items": s.items, "recovery": rec}),
                true,
            ))
        }
        Cmd::Process => {
            let done = digitize::ingest::process_pending(&q, 2)?;
            Ok((json!({"processed": done}), true))
        }
        Cmd::Deliver {
            endpoint,
            timeout_s,
            backoff_s,
            max_attempts,
        } => {
            let endpoint = endpoint.ok_or_else(|| {
                DigitizeError::Invalid(
                    "chưa cấu hình địa chỉ nhận (--endpoint hoặc MOTCUA_DELIVERY_ENDPOINT)".into(),
                )
            })?;
            let d = HttpDelivery::new(&endpoint, Duration::from_secs(timeout_s.max(1)));
            let p = Policy {
                base: Duration::from_secs(backoff_s),
                max_attempts: max_attempts.max(1),
                ..Policy::default()
            };
            let r = deliver_pass(&q, &d, &p, Utc::now())?;
            Ok((serde_json::to_value(&r).unwrap_or_default(), true))
        }
        Cmd::Retry { item } => {
            let moved = q.retry_failed(&item)?;
            Ok((json!({"item_id": item, "requeued": moved}), moved))
        }
        Cmd::Check => {
            let v = q.verify()?;
            let ok = v.integrity == "ok" && v.problems.is_empty();
            Ok((
                json!({"integrity": v.integrity, "problems": v.problems, "pages": v.pages, "recovery": rec}),
                ok,
            ))
        }
    }
}
