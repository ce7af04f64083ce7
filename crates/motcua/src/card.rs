//! `motcua card`: read and verify chip ID cards through PC/SC.
//!
//! Exit codes: 0 read and verified, 2 read but not verified, 1 error.

use card_service::{access_keys, KeyInput, ServiceError};
use chrono::NaiveDate;
use clap::{Args as ClapArgs, Subcommand};
use reader::{ReadOptions, ReadOutcome, ReadPhase};
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use transport_pcsc::PcscContext;

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Read and verify the card on the reader.
    Read(ReadArgs),
    /// Read each card as it is placed, until interrupted.
    Watch(ReadArgs),
    /// List the PC/SC readers.
    Readers {
        #[arg(long)]
        json: bool,
    },
}

#[derive(ClapArgs, Clone)]
struct ReadArgs {
    /// The 6-digit CAN printed on the card.
    #[arg(long)]
    can: Option<String>,
    /// MRZ key: DOC9,YYMMDD,YYMMDD (document number, date of birth, date of expiry).
    #[arg(long)]
    mrz: Option<String>,
    /// The 12-digit ID number (its CAN, and with --dob/--issued the MRZ key, are derived).
    #[arg(long)]
    id: Option<String>,
    /// Date of birth, YYYY-MM-DD (with --id).
    #[arg(long)]
    dob: Option<NaiveDate>,
    /// Issue date, YYYY-MM-DD (with --id).
    #[arg(long)]
    issued: Option<NaiveDate>,
    /// Reader name (or part of it); default: the first reader with a card.
    #[arg(long)]
    reader: Option<String>,
    /// Folder of CSCA certificates (PEM/DER) and ICAO master lists (.ml).
    #[arg(long, env = "MOTCUA_TRUST_DIR")]
    trust: Option<PathBuf>,
    /// Write the portrait to this file.
    #[arg(long)]
    photo: Option<PathBuf>,
    /// Print one JSON object per read.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for a card.
    #[arg(long, default_value_t = 15)]
    wait: u64,
    /// Skip the portrait (faster).
    #[arg(long)]
    no_photo: bool,
}

impl ReadArgs {
    fn key_input(&self) -> KeyInput {
        KeyInput {
            can: self.can.clone(),
            mrz: self.mrz.clone(),
            id_number: self.id.clone(),
            date_of_birth: self.dob,
            issue_date: self.issued,
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::Read(a) => read_once(&a),
        Cmd::Watch(a) => watch(&a),
        Cmd::Readers { json } => readers(json),
    }
}

fn fail(json: bool, e: &ServiceError) -> ExitCode {
    if json {
        println!(
            "{}",
            json!({"error": {"code": e.code(), "message": e.message_vi(), "detail": e.to_string()}})
        );
    } else {
        eprintln!("Lỗi [{}]: {}\n  ({e})", e.code(), e.message_vi());
    }
    ExitCode::from(1)
}

fn readers(json: bool) -> ExitCode {
    let names = PcscContext::establish().and_then(|mut c| c.readers());
    match names {
        Ok(names) if json => {
            println!("{}", json!(names));
            ExitCode::SUCCESS
        }
        Ok(names) => {
            if names.is_empty() {
                eprintln!("Không có đầu đọc thẻ nào được kết nối.");
            }
            for n in names {
                println!("{n}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(json, &e.into()),
    }
}

fn phase_vi(p: ReadPhase) -> &'static str {
    match p {
        ReadPhase::Connect => "kết nối thẻ",
        ReadPhase::Access => "mở kênh bảo mật",
        ReadPhase::ReadData => "đọc dữ liệu",
        ReadPhase::ReadPhoto => "đọc ảnh chân dung",
        ReadPhase::ChipAuth => "xác thực chip",
        ReadPhase::Verify => "kiểm tra chữ ký số",
        ReadPhase::Done => "xong",
    }
}

/// One read on `reader`: the outcome printed, the exit code returned.
fn read_on(
    ctx: &mut PcscContext,
    reader: &str,
    a: &ReadArgs,
    keys: &[reader::AccessKey],
    trust: &lds::TrustStore,
) -> ExitCode {
    let mut opts = ReadOptions::full(trust, card_service::today());
    opts.read_photo = !a.no_photo || a.photo.is_some();
    let quiet = a.json;
    let mut on_phase = |p: ReadPhase| {
        if !quiet {
            eprintln!("… {}", phase_vi(p));
        }
    };
    match card_service::read_in_reader(ctx, reader, keys, &opts, &mut on_phase) {
        Ok(out) => {
            if let (Some(path), Some(photo)) = (&a.photo, &out.photo) {
                if let Err(e) = std::fs::write(path, &photo.data) {
                    eprintln!("Không ghi được ảnh vào {}: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
            print_outcome(&out, reader, a.json);
            if out.verification.is_verified() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Err(e) => fail(a.json, &e),
    }
}

fn read_once(a: &ReadArgs) -> ExitCode {
    let keys = match access_keys(&a.key_input()) {
        Ok(k) => k,
        Err(e) => return fail(a.json, &e.into()),
    };
    let (trust, warnings) = card_service::load_trust(a.trust.as_deref());
    for w in warnings {
        eprintln!("Bỏ qua tệp trong kho chứng thư: {w}");
    }
    let mut ctx = match PcscContext::establish() {
        Ok(c) => c,
        Err(e) => return fail(a.json, &e.into()),
    };
    if !a.json {
        eprintln!("Đặt thẻ CCCD lên đầu đọc…");
    }
    let reader = match card_service::wait_for_card(a.reader.as_deref(), Duration::from_secs(a.wait))
    {
        Ok(r) => r,
        Err(e) => return fail(a.json, &e),
    };
    read_on(&mut ctx, &reader, a, &keys, &trust)
}

fn watch(a: &ReadArgs) -> ExitCode {
    let given = access_keys(&a.key_input()).ok();
    let (trust, warnings) = card_service::load_trust(a.trust.as_deref());
    for w in warnings {
        eprintln!("Bỏ qua tệp trong kho chứng thư: {w}");
    }
    let mut ctx = match PcscContext::establish() {
        Ok(c) => c,
        Err(e) => return fail(a.json, &e.into()),
    };
    let stdin = std::io::stdin();
    loop {
        eprintln!("Đặt thẻ CCCD lên đầu đọc… (Ctrl+C để thoát)");
        let reader = match card_service::wait_for_card(
            a.reader.as_deref(),
            Duration::from_secs(24 * 3600),
        ) {
            Ok(r) => r,
            Err(ServiceError::Pcsc(transport_pcsc::PcscError::NoCard)) => continue,
            Err(e) => return fail(a.json, &e),
        };
        let keys = match &given {
            Some(k) => k.clone(),
            None => {
                eprint!("Nhập 6 số CAN in trên mặt trước thẻ: ");
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
                    return ExitCode::SUCCESS;
                }
                match access_keys(&KeyInput {
                    can: Some(line.trim().to_owned()),
                    ..KeyInput::default()
                }) {
                    Ok(k) => k,
                    Err(e) => {
                        let _ = fail(a.json, &e.into());
                        continue;
                    }
                }
            }
        };
        let _ = read_on(&mut ctx, &reader, a, &keys, &trust);
        let _ = std::io::stdout().flush();
        eprintln!("Nhấc thẻ ra để đọc thẻ tiếp theo.");
        if let Err(e) = card_service::wait_for_removal(&reader, None) {
            return fail(a.json, &e);
        }
    }
}

fn print_outcome(out: &ReadOutcome, reader: &str, json: bool) {
    if json {
        let mut v = serde_json::to_value(out).unwrap_or_else(|_| json!({}));
        if let Some(o) = v.as_object_mut() {
            o.insert("reader".into(), json!(reader));
        }
        println!("{v}");
        return;
    }
    let c = &out.citizen;
    let show =
        |label: &str, v: Option<String>| println!("{label:<22}{}", v.unwrap_or_else(|| "—".into()));
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
    println!("Đầu đọc:              {reader}");
    show("Số định danh:", Some(c.id_number.clone()));
    show("Họ và tên:", Some(c.full_name.clone()));
    show("Ngày sinh:", date(c.date_of_birth));
    show("Giới tính:", c.gender.clone());
    show("Quốc tịch:", c.nationality.clone());
    show("Dân tộc:", c.ethnicity.clone());
    show("Tôn giáo:", c.religion.clone());
    show("Quê quán:", c.hometown.clone());
    show("Nơi thường trú:", c.residence.clone());
    show("Đặc điểm nhận dạng:", c.identifying_features.clone());
    show("Ngày cấp:", date(c.issue_date));
    show(
        "Có giá trị đến:",
        date(c.expiry_date).or_else(|| Some("Không thời hạn".into())),
    );
    show("Họ tên cha:", c.father_name.clone());
    show("Họ tên mẹ:", c.mother_name.clone());
    show("Vợ/chồng:", c.spouse_name.clone());
    show("Số CMND cũ:", c.old_id_number.clone());
    let v = &out.verification;
    println!(
        "Xác thực:              dữ liệu {:?}, chip {:?}, chủ động {:?}",
        v.passive, v.chip_auth, v.active_auth
    );
    for r in &v.reasons {
        println!("  - {r}");
    }
    println!(
        "{}",
        if v.is_verified() {
            "ĐÃ XÁC THỰC: dữ liệu do chip thật cung cấp và chữ ký số hợp lệ."
        } else {
            "CHƯA XÁC THỰC: xem lý do ở trên."
        }
    );
    println!("({} APDU, {} ms)", out.apdus, out.ms);
}
