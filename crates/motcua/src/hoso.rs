//! `motcua hoso …`: record hồ sơ, list/search them, show one with its trail, change its status,
//! and print the data of its receipt. `--data-dir` selects the store as in the app; `--seeds`
//! an operator seed folder. With `--json`, errors are printed as `{"error": {code, message}}`.

use crate::print_json;
use clap::Subcommand;
use hoso::{
    parse_local, ComponentInput, HoSoError, HoSoQuery, HoSoService, HoSoStatus, Identity,
    NewHoSoRequest,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Operator seed folder (same layout as seeds/, including forms/).
    #[arg(long, global = true)]
    seeds: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Record a new hồ sơ for a citizen (from `motcua card read --json` or its `citizen` object).
    New {
        /// Procedure code (e.g. 1.004873).
        #[arg(long)]
        procedure: String,
        /// JSON file: the output of `motcua card read --json`, or just its `citizen` object.
        #[arg(long)]
        citizen: PathBuf,
        /// Local receipt time "YYYY-MM-DD HH:MM" (default: now).
        #[arg(long)]
        received: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Authorised representative (người được ủy quyền).
        #[arg(long)]
        representative: Option<String>,
        /// The chosen current address when the old ward was split.
        #[arg(long)]
        address: Option<String>,
        /// Number of sets (bộ hồ sơ).
        #[arg(long, default_value_t = 1)]
        sets: u32,
        /// A form value typed by the clerk: FIELD=VALUE (repeatable).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Components received, as JSON array of {name, form, count, received} (default: the
        /// catalog's checklist).
        #[arg(long)]
        components: Option<PathBuf>,
        /// Clerk id (as in the store).
        #[arg(long)]
        clerk: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Refuse while the intake form has invalid fields.
        #[arg(long)]
        strict: bool,
        #[arg(long)]
        json: bool,
    },
    /// List / search hồ sơ (newest first).
    List {
        /// Mã hồ sơ, digits of the số định danh, or words of the name (no diacritics needed).
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        procedure: Option<String>,
        /// First local receipt day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Last local receipt day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One hồ sơ with its Phiếu kiểm soát trail.
    Show {
        ma_ho_so: String,
        #[arg(long)]
        json: bool,
    },
    /// Change the status (received, needs_supplement, rejected, in_progress, result_ready,
    /// returned, cancelled).
    Status {
        ma_ho_so: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        note: Option<String>,
        /// Local time "YYYY-MM-DD HH:MM" (default: now).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        clerk: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The data printed on the receipt (Mẫu 01), as JSON.
    ReceiptData { ma_ho_so: String },
    /// Write the receipt (Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả) as PDF.
    Receipt {
        ma_ho_so: String,
        /// Output PDF file.
        #[arg(long)]
        pdf: PathBuf,
        /// a4 or a5.
        #[arg(long, default_value = "a4")]
        paper: String,
        /// Name of the receiving clerk printed under the signature.
        #[arg(long, default_value = "")]
        clerk_name: String,
    },
    /// The intake form of a procedure, auto-filled from a citizen JSON file.
    Form {
        #[arg(long)]
        procedure: String,
        #[arg(long)]
        citizen: Option<PathBuf>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

fn fail(json: bool, e: &HoSoError) -> ExitCode {
    if json {
        println!(
            "{}",
            json!({"error": {"code": e.code(), "message": e.message_vi(), "detail": e.to_string()}})
        );
    } else {
        eprintln!("{} ({})", e.message_vi(), e.code());
    }
    ExitCode::FAILURE
}

/// The service over the store of `data_dir` (or the platform default, as the app does).
pub fn open_service(
    data_dir: Option<&Path>,
    seeds: Option<&Path>,
) -> Result<HoSoService, HoSoError> {
    let dir = match data_dir {
        Some(d) => d.to_path_buf(),
        None => store::default_data_dir()?,
    };
    let store = store::SqliteStore::open_in_dir(&dir)?;
    let seed_set = procedures::SeedSet::load(seeds)?;
    let forms = hoso::FormSet::load(seeds)?;
    Ok(HoSoService::new(Arc::new(store), seed_set, forms))
}

fn read_json(path: &Path, what: &str) -> Result<serde_json::Value, HoSoError> {
    let text = std::fs::read_to_string(path).map_err(|e| HoSoError::InvalidInput {
        field: what.into(),
        detail: format!("{}: {e}", path.display()),
    })?;
    serde_json::from_str(&text).map_err(|e| HoSoError::InvalidInput {
        field: what.into(),
        detail: format!("{}: {e}", path.display()),
    })
}

fn read_identity(path: &Path) -> Result<Identity, HoSoError> {
    let v = read_json(path, "--citizen")?;
    Identity::from_card_json(&v)
}

fn parse_status(s: &str) -> Result<HoSoStatus, HoSoError> {
    HoSoStatus::parse(s.trim()).ok_or_else(|| HoSoError::UnknownStatus(s.to_owned()))
}

fn parse_day(s: &str, flag: &str) -> Result<chrono::NaiveDate, HoSoError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| HoSoError::InvalidInput {
        field: flag.into(),
        detail: format!("\"{s}\" — dùng dạng YYYY-MM-DD"),
    })
}

pub fn run(args: Args, data_dir: Option<&Path>) -> ExitCode {
    let json = match &args.command {
        Cmd::New { json, .. }
        | Cmd::List { json, .. }
        | Cmd::Show { json, .. }
        | Cmd::Status { json, .. } => *json,
        Cmd::ReceiptData { .. } | Cmd::Form { .. } => true,
        Cmd::Receipt { .. } => false,
    };
    let svc = match open_service(data_dir, args.seeds.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(json, &e),
    };
    match execute(&svc, args.command) {
        Ok(code) => code,
        Err(e) => fail(json, &e),
    }
}

fn execute(svc: &HoSoService, cmd: Cmd) -> Result<ExitCode, HoSoError> {
    match cmd {
        Cmd::New {
            procedure,
            citizen,
            received,
            phone,
            email,
            representative,
            address,
            sets,
            set,
            components,
            clerk,
            note,
            strict,
            json,
        } => {
            let identity = read_identity(&citizen)?;
            let mut req = NewHoSoRequest::new(&procedure, identity);
            req.received_at = received.as_deref().map(parse_local).transpose()?;
            req.phone = phone;
            req.email = email;
            req.representative = representative;
            req.address_converted = address;
            req.sets = sets;
            req.clerk_id = clerk;
            req.note = note;
            req.strict_form = strict;
            for kv in set {
                let (k, v) = kv.split_once('=').ok_or_else(|| HoSoError::InvalidInput {
                    field: "--set".into(),
                    detail: format!("\"{kv}\" — dùng dạng TRƯỜNG=GIÁ_TRỊ"),
                })?;
                req.form_values.insert(k.trim().to_owned(), v.to_owned());
            }
            if let Some(path) = components {
                let v = read_json(&path, "--components")?;
                let list: Vec<ComponentInput> =
                    serde_json::from_value(v).map_err(|e| HoSoError::InvalidInput {
                        field: "--components".into(),
                        detail: e.to_string(),
                    })?;
                req.components = Some(list);
            }
            let view = svc.create(req)?;
            if json {
                return Ok(print_json(&view));
            }
            println!(
                "{}  tiếp nhận {}  hẹn trả {}  — {}",
                view.ma_ho_so,
                view.received_at,
                view.due_at.as_deref().unwrap_or("-"),
                view.procedure_name
            );
            for issue in &view.form_issues {
                println!("  ! {}: {}", issue.label_vi, issue.message_vi);
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::List {
            search,
            status,
            procedure,
            from,
            to,
            limit,
            json,
        } => {
            let q = HoSoQuery {
                text: search,
                status: status.as_deref().map(parse_status).transpose()?,
                procedure_code: procedure,
                from_date: from
                    .as_deref()
                    .map(|d| parse_day(d, "--from"))
                    .transpose()?,
                to_date: to.as_deref().map(|d| parse_day(d, "--to")).transpose()?,
                limit,
            };
            let list = svc.list(&q)?;
            if json {
                return Ok(print_json(&list));
            }
            for v in &list {
                println!(
                    "{}  {:<16}  {}  hẹn {}  {}",
                    v.ma_ho_so,
                    v.status.as_str(),
                    v.received_at,
                    v.due_at.as_deref().unwrap_or("-"),
                    v.applicant.full_name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Show { ma_ho_so, json } => {
            let v = svc.get(&ma_ho_so)?;
            if json {
                return Ok(print_json(&v));
            }
            println!("{} — {}", v.ma_ho_so, v.procedure_name);
            println!("  Người nộp: {}", v.applicant.full_name);
            println!("  Trạng thái: {}", v.status_label_vi);
            println!(
                "  Tiếp nhận: {}  Hẹn trả: {}",
                v.received_at,
                v.due_at.as_deref().unwrap_or("-")
            );
            for e in &v.events {
                println!(
                    "  {}  {} → {}  {}",
                    e.at,
                    e.from.map_or("", |s| s.as_str()),
                    e.to.as_str(),
                    e.note.as_deref().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Status {
            ma_ho_so,
            to,
            note,
            at,
            clerk,
            json,
        } => {
            let to = parse_status(&to)?;
            let at = at.as_deref().map(parse_local).transpose()?;
            let v = svc.change_status(&ma_ho_so, to, at, clerk.as_deref(), note.as_deref())?;
            if json {
                return Ok(print_json(&v));
            }
            println!(
                "{}: {}  hẹn trả {}",
                v.ma_ho_so,
                v.status_label_vi,
                v.due_at.as_deref().unwrap_or("-")
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::ReceiptData { ma_ho_so } => Ok(print_json(&svc.receipt_view(&ma_ho_so)?)),
        Cmd::Receipt {
            ma_ho_so,
            pdf,
            paper,
            clerk_name,
        } => {
            let paper = match paper.to_ascii_lowercase().as_str() {
                "a4" => hoso_docs::Paper::A4,
                "a5" => hoso_docs::Paper::A5,
                other => {
                    return Err(HoSoError::InvalidInput {
                        field: "--paper".into(),
                        detail: format!("\"{other}\" — a4 hoặc a5"),
                    })
                }
            };
            let view = svc.receipt_view(&ma_ho_so)?;
            let doc_err = |detail: String| HoSoError::InvalidInput {
                field: "biên nhận".into(),
                detail,
            };
            let doc = app_core::hoso::receipt_doc(&view, &clerk_name)
                .map_err(|e| doc_err(e.message_vi()))?;
            let bytes = hoso_docs::render_pdf(&hoso_docs::Document::Receipt(doc), paper)
                .map_err(|e| doc_err(format!("{} ({})", e.message_vi(), e.code())))?;
            std::fs::write(&pdf, bytes).map_err(|e| doc_err(format!("{}: {e}", pdf.display())))?;
            println!("{}", pdf.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Form {
            procedure,
            citizen,
            phone,
            email,
        } => {
            let identity = citizen.as_deref().map(read_identity).transpose()?;
            let today = hoso::utc_to_local(chrono::Utc::now()).date();
            let form = svc.prefill(
                &procedure,
                identity.as_ref(),
                phone.as_deref(),
                email.as_deref(),
                today,
            )?;
            Ok(print_json(&form))
        }
    }
}
