//! `motcua scan …`: digitize paper components into the durable queue (`DATA/digitize`).
//!
//! - `scan ingest --hoso CODE --component ID [--procedure P] [--clerk C] [--citizen ID]
//!   [--dpi 200] [--source-dpi N] FILES...|DIR [--json]`: JPEG/PNG/TIFF/PDF files or directories,
//!   in page order → one PDF; prints `{"pdf", "pages", "dpi", "bytes", "sha256", "item_id",
//!   "state", "pages_resumed", "blank_pages", "classes"}`. Running it again with the same
//!   files after an interruption resumes; it never duplicates a page.
//! - `scan sane --hoso … --component … [--device D] [--source S] [--mode Color] [--pages N]`:
//!   scans with `scanimage` (progress per page on stderr), then ingests.
//! - `scan watch DIR --hoso … --component … [--settle-ms 2000] [--timeout-s 600]`: waits for
//!   a scan-to-folder directory to hold files that stopped growing, then ingests them.
//! - `scan reuse --citizen ID` lists earlier copies of the citizen's papers;
//!   `scan reuse --citizen ID --from ITEM --hoso … --component …` attaches one instead of
//!   rescanning (recorded as `reused_from`).
//!
//!
//! `--sign-p12 FILE --sign-pass-env VAR --agency NAME` (ingest, sane, watch): the agency signs
//! the copy (PAdES) right after processing; the JSON gains `"signed": true`, `"signed_pdf"`,
//! `"signed_sha256"`, `"signed_bytes"` (`"signed": false` without a signer).
//!
//! Errors: `{"error": {"code", "message"}}` (message in Vietnamese), exit 1.

use chrono::Utc;
use clap::Subcommand;
use digitize::ingest::{ingest, IngestRequest};
use digitize::queue::NewItem;
use digitize::DigitizeError;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args, Clone)]
struct Component {
    /// Mã hồ sơ.
    #[arg(long = "hoso")]
    hoso: String,
    /// Component id (thành phần hồ sơ).
    #[arg(long)]
    component: String,
    /// Procedure code or name.
    #[arg(long, default_value = "chưa xác định")]
    procedure: String,
    /// Receiving clerk.
    #[arg(long, env = "MOTCUA_CLERK", default_value = "cán bộ một cửa")]
    clerk: String,
    /// Số định danh of the submitter (for later reuse).
    #[arg(long)]
    citizen: Option<String>,
    /// Output resolution (≥ 200).
    #[arg(long, default_value_t = 200)]
    dpi: u32,
    /// JSON output.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    sign: SignArgs,
}

/// The agency's signature (PAdES) right after processing: a PKCS#12 file or a PKCS#11 token.
#[derive(clap::Args, Clone, Default)]
pub struct SignArgs {
    /// PKCS#12 file of the receiving agency's signing certificate.
    #[arg(long = "sign-p12", group = "sign_key", requires_all = ["sign_pass_env", "agency"])]
    pub sign_p12: Option<PathBuf>,
    /// Name of the environment variable holding the PKCS#12 password (never on the command line).
    #[arg(long = "sign-pass-env", requires = "sign_p12")]
    pub sign_pass_env: Option<String>,
    /// The agency's key on a PKCS#11 token instead: JSON
    /// `{"module": "...", "token_label": "...", "key_label": "...", "pin_file": "..."}`.
    #[arg(long = "sign-pkcs11", value_name = "CONFIG.json", group = "sign_key", requires = "agency")]
    pub sign_pkcs11: Option<PathBuf>,
    /// Agency name shown in the signature block (e.g. "UBND phường …").
    #[arg(long, env = "MOTCUA_AGENCY", requires = "sign_key")]
    pub agency: Option<String>,
}

impl SignArgs {
    /// The signer, when `--sign-p12` or `--sign-pkcs11` is given.
    pub fn signer(&self) -> Result<Option<digitize::sign::Signer>, DigitizeError> {
        if let (Some(cfg), Some(agency)) = (&self.sign_pkcs11, &self.agency) {
            let text = std::fs::read_to_string(cfg)
                .map_err(|e| DigitizeError::Invalid(format!("{}: {e}", cfg.display())))?;
            let tok: digitize::sign::Pkcs11Config = serde_json::from_str(&text).map_err(|e| {
                DigitizeError::Invalid(format!("cấu hình thiết bị ký {}: {e}", cfg.display()))
            })?;
            return Ok(Some(digitize::sign::Signer::from_pkcs11(&tok, agency)?));
        }
        match (&self.sign_p12, &self.sign_pass_env, &self.agency) {
            (Some(p12), Some(var), Some(agency)) => Ok(Some(
                digitize::sign::Signer::from_pkcs12_env(p12, var, agency)?,
            )),
            (None, _, _) if self.sign_pkcs11.is_none() => Ok(None),
            _ => Err(DigitizeError::Invalid(
                "--sign-p12 cần kèm --sign-pass-env và --agency; --sign-pkcs11 cần kèm --agency"
                    .into(),
            )),
        }
    }
}

impl Component {
    fn new_item(&self) -> NewItem {
        NewItem {
            ma_ho_so: self.hoso.clone(),
            component_id: self.component.clone(),
            procedure: self.procedure.clone(),
            clerk: self.clerk.clone(),
            citizen_id: self.citizen.clone(),
            received_at: Utc::now(),
            target_dpi: self.dpi,
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Digitize files (JPEG, PNG, TIFF, PDF) or directories into one PDF for a component.
    Ingest {
        #[command(flatten)]
        c: Component,
        /// Resolution of images that record none.
        #[arg(long)]
        source_dpi: Option<f32>,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Scan with a SANE scanner (scanimage), then digitize.
    Sane {
        #[command(flatten)]
        c: Component,
        /// SANE device name (`scanimage -L`); default scanner when absent.
        #[arg(long, default_value = "")]
        device: String,
        /// Source, e.g. "Flatbed", "Automatic Document Feeder", "ADF Duplex".
        #[arg(long)]
        source: Option<String>,
        /// Color, Gray or Lineart.
        #[arg(long, default_value = "Color")]
        mode: String,
        /// Scan resolution.
        #[arg(long, default_value_t = 300)]
        resolution: u32,
        /// Pages at most.
        #[arg(long)]
        pages: Option<u32>,
        /// Extra scanimage arguments (after --).
        #[arg(last = true)]
        extra: Vec<String>,
    },
    /// Wait for a scan-to-folder directory to settle, then digitize its files.
    Watch {
        #[command(flatten)]
        c: Component,
        dir: PathBuf,
        /// Quiet time before files are taken.
        #[arg(long, default_value_t = 2000)]
        settle_ms: u64,
        /// Give up after this long.
        #[arg(long, default_value_t = 600)]
        timeout_s: u64,
    },
    /// List earlier copies of a citizen's papers, or attach one to a new component.
    Reuse {
        #[arg(long)]
        citizen: String,
        /// Item to reuse.
        #[arg(long, requires_all = ["hoso", "component"])]
        from: Option<String>,
        #[arg(long = "hoso")]
        hoso: Option<String>,
        #[arg(long)]
        component: Option<String>,
        #[arg(long, default_value = "chưa xác định")]
        procedure: String,
        #[arg(long, env = "MOTCUA_CLERK", default_value = "cán bộ một cửa")]
        clerk: String,
        #[arg(long)]
        json: bool,
    },
}

/// Opens the queue for work (exclusive lock), waiting `MOTCUA_QUEUE_WAIT_MS` (default 5000)
/// for another process (the app) to release it; then `digitize_queue_busy`.
pub fn open_queue(
    data_dir: Option<&Path>,
) -> Result<(digitize::queue::Queue, digitize::queue::Recovery), DigitizeError> {
    let d = match data_dir {
        Some(d) => d.to_path_buf(),
        None => digitize::default_data_dir()?,
    };
    let wait = std::env::var("MOTCUA_QUEUE_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(digitize::queue::OPEN_WAIT, Duration::from_millis);
    digitize::queue::Queue::open_wait(&digitize::digitize_dir(&d), wait)
}

pub fn fail(json: bool, e: &DigitizeError) -> ExitCode {
    if json {
        println!(
            "{}",
            json!({"error": {"code": e.code(), "message": e.message_vi()}})
        );
    } else {
        eprintln!("Lỗi [{}]: {}", e.code(), e.message_vi());
    }
    ExitCode::FAILURE
}

pub fn run(args: Args, data_dir: Option<&Path>) -> ExitCode {
    let json = match &args.command {
        Cmd::Ingest { c, .. } | Cmd::Sane { c, .. } | Cmd::Watch { c, .. } => c.json,
        Cmd::Reuse { json, .. } => *json,
    };
    match run_inner(args, data_dir) {
        Ok(v) => {
            if json {
                println!("{v}");
            } else {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(json, &e),
    }
}

fn do_ingest(
    data_dir: Option<&Path>,
    c: &Component,
    inputs: Vec<PathBuf>,
    source_dpi: Option<f32>,
) -> Result<serde_json::Value, DigitizeError> {
    // Opened first: a wrong password fails before any page is taken.
    let signer = c.sign.signer()?;
    let (q, _) = open_queue(data_dir)?;
    let r = ingest(
        &q,
        &IngestRequest {
            item: c.new_item(),
            inputs,
            fallback_dpi: source_dpi,
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(4),
        },
    )?;
    let mut v = serde_json::to_value(&r).unwrap_or_default();
    if let Some(s) = signer {
        let signed = digitize::sign::sign_item(&q, &r.item_id, &s, Utc::now())?;
        v["state"] = json!("signed");
        v["signed_pdf"] = json!(signed.signed_pdf);
        v["signed_sha256"] = json!(signed.signed_sha256);
        v["signed_bytes"] = json!(signed.signed_bytes);
    }
    v["signed"] = json!(v.get("signed_pdf").is_some());
    Ok(v)
}

fn run_inner(args: Args, data_dir: Option<&Path>) -> Result<serde_json::Value, DigitizeError> {
    match args.command {
        Cmd::Ingest {
            c,
            source_dpi,
            inputs,
        } => do_ingest(data_dir, &c, inputs, source_dpi),
        Cmd::Sane {
            c,
            device,
            source,
            mode,
            resolution,
            pages,
            extra,
        } => {
            let (q, _) = open_queue(data_dir)?;
            let out = q.root().join("scans").join(digitize::queue::new_id());
            drop(q);
            let opts = digitize::sane::ScanOptions {
                device,
                source,
                mode,
                resolution,
                max_pages: pages,
                extra,
            };
            let mut progress = |p: digitize::sane::Progress| match p {
                digitize::sane::Progress::PageStarted(n) => eprintln!("Đang quét trang {n}…"),
                digitize::sane::Progress::PageDone(n) => eprintln!("Đã quét xong trang {n}."),
                digitize::sane::Progress::Percent(_) => {}
            };
            let files = match digitize::sane::scan(&opts, &out, &mut progress) {
                Ok(f) => f,
                Err((e, kept)) => {
                    if !kept.is_empty() {
                        eprintln!(
                            "Đã giữ {} trang quét trước khi lỗi trong {}.",
                            kept.len(),
                            out.display()
                        );
                    }
                    return Err(e.into());
                }
            };
            let v = do_ingest(data_dir, &c, files, None)?;
            let _ = std::fs::remove_dir_all(&out);
            Ok(v)
        }
        Cmd::Watch {
            c,
            dir,
            settle_ms,
            timeout_s,
        } => {
            eprintln!("Đang chờ tệp quét trong {}…", dir.display());
            let files = digitize::watch::wait_stable(
                &dir,
                Duration::from_millis(settle_ms),
                Duration::from_millis(250),
                Duration::from_secs(timeout_s),
            )?
            .ok_or(DigitizeError::NoInput)?;
            do_ingest(data_dir, &c, files, None)
        }
        Cmd::Reuse {
            citizen,
            from,
            hoso,
            component,
            procedure,
            clerk,
            ..
        } => {
            let (q, _) = open_queue(data_dir)?;
            match (from, hoso, component) {
                (Some(from), Some(hoso), Some(component)) => {
                    let it = q.reuse(
                        &from,
                        &NewItem {
                            ma_ho_so: hoso,
                            component_id: component,
                            procedure,
                            clerk,
                            citizen_id: Some(citizen),
                            received_at: Utc::now(),
                            target_dpi: 200,
                        },
                    )?;
                    Ok(serde_json::to_value(&it).unwrap_or_default())
                }
                _ => {
                    let items: Vec<_> = q
                        .for_citizen(&citizen)?
                        .into_iter()
                        .map(|it| {
                            json!({"item_id": it.id, "component_id": it.component_id,
                                "ma_ho_so": it.ma_ho_so, "procedure": it.procedure,
                                "received_at": it.received_at, "pages": it.page_count,
                                "valid_until": it.valid_until, "state": it.state,
                                "sha256": it.sha256})
                        })
                        .collect();
                    Ok(json!({"citizen": citizen, "documents": items}))
                }
            }
        }
    }
}
