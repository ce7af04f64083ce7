//! `motcua qr …`: decode the QR of ID cards from image files, and parse a QR payload.
//!
//! `qr scan [--json] FILE...`: one line per file; with `--json`,
//! `{"file": "<path as given>", "payload": "<text>" | null, "decode_ms": <float>}` where decode_ms
//! is decoding alone (after loading and grey conversion). An unreadable file gives
//! `"payload": null` and an `"error": {"code", "message"}` key; the other files go on (exit 1 at
//! the end). `qr parse '<payload>' [--json]`: the typed record, or `{"errors": [{code, message}]}`
//! and exit 1.

use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Find and decode the QR code in image files (PNG, JPEG).
    Scan {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Parse and check a CCCD 2021 / thẻ căn cước 2024 QR payload.
    Parse {
        payload: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::Scan { json, files } => scan(json, &files),
        Cmd::Parse { payload, json } => parse(&payload, json),
    }
}

fn scan(json: bool, files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for f in files {
        let shown = f.to_string_lossy().into_owned();
        match qr_decode::load_gray(f) {
            Ok(g) => {
                let t = Instant::now();
                let d = qr_decode::decode_luma(g.width(), g.height(), g.as_raw());
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                if json {
                    println!(
                        "{}",
                        json!({"file": shown, "payload": d.as_ref().map(|d| &d.text), "decode_ms": ms})
                    );
                } else {
                    match d {
                        Some(d) => println!("{shown}: {}", d.text),
                        None => println!("{shown}: (không tìm thấy mã QR đọc được)"),
                    }
                }
            }
            Err(e) => {
                failed = true;
                if json {
                    println!(
                        "{}",
                        json!({"file": shown, "payload": null, "decode_ms": 0.0,
                               "error": {"code": e.code(), "message": e.message_vi()}})
                    );
                } else {
                    eprintln!("{shown}: {}", e.message_vi());
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse(payload: &str, json: bool) -> ExitCode {
    match qr_payload::parse(payload) {
        Ok(r) => {
            if json {
                match serde_json::to_string(&r) {
                    Ok(s) => println!("{s}"),
                    Err(_) => return ExitCode::FAILURE,
                }
            } else {
                println!("Mẫu thẻ:        {:?}", r.design);
                println!("Số định danh:   {} (CAN {})", r.id_number, r.can());
                if let Some(o) = &r.old_id_number {
                    println!("Số CMND cũ:     {o}");
                }
                println!("Họ và tên:      {}", r.full_name);
                println!("Ngày sinh:      {}", r.date_of_birth.format("%d/%m/%Y"));
                println!("Giới tính:      {}", r.gender.as_vi());
                println!("Nơi cư trú:     {}", r.residence);
                println!("Ngày cấp:       {}", r.issue_date.format("%d/%m/%Y"));
                if let Some(f) = &r.father_name {
                    println!("Họ tên cha:     {f}");
                }
                if let Some(m) = &r.mother_name {
                    println!("Họ tên mẹ:      {m}");
                }
                println!("(Mã QR không có chữ ký số: đây là dữ liệu, không phải bằng chứng. Đọc chip để xác thực.)");
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            if json {
                let list: Vec<_> = errors
                    .iter()
                    .map(|e| json!({"code": e.code(), "message": e.message_vi()}))
                    .collect();
                println!("{}", json!({ "errors": list }));
            } else {
                for e in errors.iter() {
                    eprintln!("[{}] {}", e.code(), e.message_vi());
                }
            }
            ExitCode::FAILURE
        }
    }
}
