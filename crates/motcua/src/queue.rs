//! `motcua queue …`: the digitization queue (`DATA/digitize/queue.sqlite3`).
//!
//! - `queue status [--json]`: `{"counts": {state: n}, "items": [...], "recovery": {...}}`.
//! - `queue process [--json]`: makes the PDF of every `captured` item (after a crash).
//! - `queue deliver [--endpoint URL] [--ca-file PEM] [--timeout-s 30] [--json]`: one delivery pass
//!   (`MOTCUA_DELIVERY_ENDPOINT` when no `--endpoint`): `{"delivered", "retrying", "failed"}`.
//!   With `--sign-p12 FILE --sign-pass-env VAR --agency NAME` it first signs the processed
//!   copies, then delivers only signed ones (`--require-signed` alone: only signed ones).
//! - `queue sign --sign-p12 FILE --sign-pass-env VAR --agency NAME [--json]`: the agency signs
//!   every processed copy: `{"signed": [{"item_id", "signed_pdf", "signed_sha256", …}]}`.
//! - `queue retry ITEM`: puts a failed item back in the queue.
//! - `queue check [--json]`: `PRAGMA integrity_check` and every file against its hash; exit 1
//!   when anything is wrong.
//!
//! `status` and `check` open the queue read-only (no lock, no recovery: `"recovery": null`), so
//! they work while the app or another command holds it; the other commands take the queue's
//! exclusive lock, waiting up to `MOTCUA_QUEUE_WAIT_MS` (5000), else `digitize_queue_busy`.

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
        /// PEM file of the CA that issued the provincial endpoint's HTTPS certificate (trusted
        /// in addition to the public roots; verification is never turned off).
        #[arg(long, env = "MOTCUA_DELIVERY_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
        /// First retry wait (doubles each time, capped at 1 h).
        #[arg(long, default_value_t = 30)]
        backoff_s: u64,
        #[arg(long, default_value_t = 8)]
        max_attempts: u32,
        /// Deliver only copies signed by the agency (implied by --sign-p12, which signs the
        /// pending copies first).
        #[arg(long)]
        require_signed: bool,
        #[command(flatten)]
        sign: crate::scan::SignArgs,
    },
    /// Sign every processed copy with the agency's certificate (PAdES).
    Sign {
        #[command(flatten)]
        sign: crate::scan::SignArgs,
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
    // Reading commands work while another process holds the queue.
    if matches!(args.command, Cmd::Status | Cmd::Check) {
        if let Ok(q) = digitize::open_queue_read_only(data_dir) {
            return read_only(&args.command, &q, serde_json::Value::Null);
        }
    }
    let (q, rec) = crate::scan::open_queue(data_dir)?;
    let rec = serde_json::to_value(&rec).unwrap_or_default();
    match args.command {
        Cmd::Status | Cmd::Check => read_only(&args.command, &q, rec),
        Cmd::Process => {
            let done = digitize::ingest::process_pending(&q, 2)?;
            Ok((json!({"processed": done}), true))
        }
        Cmd::Deliver {
            endpoint,
            timeout_s,
            ca_file,
            backoff_s,
            max_attempts,
            require_signed,
            sign,
        } => {
            let endpoint = endpoint.ok_or_else(|| {
                DigitizeError::Invalid(
                    "chưa cấu hình địa chỉ nhận (--endpoint hoặc MOTCUA_DELIVERY_ENDPOINT)".into(),
                )
            })?;
            let t = Duration::from_secs(timeout_s.max(1));
            let d = match &ca_file {
                Some(f) => HttpDelivery::with_ca_file(&endpoint, t, f)?,
                None => HttpDelivery::new(&endpoint, t),
            };
            let signer = sign.signer()?;
            let signed = match &signer {
                Some(s) => digitize::sign::sign_pending(&q, s, Utc::now())?.len(),
                None => 0,
            };
            let p = Policy {
                base: Duration::from_secs(backoff_s),
                max_attempts: max_attempts.max(1),
                require_signed: require_signed || signer.is_some(),
                ..Policy::default()
            };
            let r = deliver_pass(&q, &d, &p, Utc::now())?;
            let mut v = serde_json::to_value(&r).unwrap_or_default();
            v["signed"] = json!(signed);
            Ok((v, true))
        }
        Cmd::Sign { sign } => {
            let s = sign.signer()?.ok_or_else(|| {
                DigitizeError::Invalid("cần --sign-p12, --sign-pass-env và --agency".into())
            })?;
            let done = digitize::sign::sign_pending(&q, &s, Utc::now())?;
            Ok((json!({"signed": done}), true))
        }
        Cmd::Retry { item } => {
            let moved = q.retry_failed(&item)?;
            Ok((json!({"item_id": item, "requeued": moved}), moved))
        }
    }
}

fn read_only(
    cmd: &Cmd,
    q: &digitize::queue::Queue,
    rec: serde_json::Value,
) -> Result<(serde_json::Value, bool), DigitizeError> {
    if matches!(cmd, Cmd::Status) {
        let s = q.status()?;
        return Ok((
            json!({"counts": s.counts, "items": s.items, "recovery": rec}),
            true,
        ));
    }
    let v = q.verify()?;
    let ok = v.integrity == "ok" && v.problems.is_empty();
    Ok((
        json!({"integrity": v.integrity, "problems": v.problems, "pages": v.pages, "recovery": rec}),
        ok,
    ))
}
