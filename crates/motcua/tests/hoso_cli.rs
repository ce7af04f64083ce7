//! `motcua hoso …` and `motcua stats` through the binary, with a temporary data directory:
//! the JSON contract, status changes, CSV statistics, and two processes allocating mã hồ sơ
//! at once on one database (no duplicates, no gaps).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn motcua(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run motcua")
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    let out = motcua(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A generated citizen, as `motcua card read --json` prints it.
fn card_json(dir: &Path, name: &str, whole: bool) -> std::path::PathBuf {
    let citizen = serde_json::json!({
        "id_number": "001190012345",
        "full_name": name,
        "date_of_birth": "1990-05-17",
        "gender": "Nữ",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "hometown": "Xã Mẫu Sơn, Huyện Thử, Tỉnh Ví Dụ",
        "residence": "Số 5 ngõ 1, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội",
        "identifying_features": null,
        "issue_date": "2021-02-01",
        "expiry_date": "2030-05-17",
        "father_name": null,
        "mother_name": null,
        "spouse_name": null,
        "old_id_number": null
    });
    let v = if whole {
        serde_json::json!({
            "access": "PACE-CAN",
            "citizen": citizen,
            "mrz": [],
            "photo": null,
            "verification": {"passive": "ok", "chip_auth": "ok", "active_auth": "not_supported", "reasons": []},
            "apdus": 40,
            "ms": 900
        })
    } else {
        citizen
    };
    let path = dir.join(if whole { "card.json" } else { "citizen.json" });
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    path
}

#[test]
fn new_list_show_status_and_stats() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let card = card_json(tmp.path(), "Nguyễn Thị Thử", true);
    let bare = card_json(tmp.path(), "Nguyễn Thị Thử", false);
    let card = card.to_str().unwrap();

    // Same-day procedure after 15:00 → next working day.
    let a = ok_json(
        &data,
        &[
            "hoso",
            "new",
            "--procedure",
            "2.000815",
            "--citizen",
            card,
            "--received",
            "2026-03-02 15:30",
            "--phone",
            "0912345678",
            "--json",
        ],
    );
    assert_eq!(a["ma_ho_so"], "000.00.19.H12-260302-0001");
    assert_eq!(a["received_at"], "2026-03-02 15:30");
    assert_eq!(a["due_at"], "2026-03-03 17:00");
    assert_eq!(a["status"], "received");
    assert_eq!(a["identity_verified"], true);
    assert_eq!(a["applicant"]["phone"], "0912345678");
    assert_eq!(a["form_values"]["nyc_ho_ten"]["source"], "chip");
    assert_eq!(
        a["form_values"]["nyc_noi_cu_tru"]["source"],
        "converted_address"
    );

    // The bare citizen object works too (not counted as verified).
    let b = ok_json(
        &data,
        &[
            "hoso",
            "new",
            "--procedure",
            "1.004873",
            "--citizen",
            bare.to_str().unwrap(),
            "--received",
            "2026-03-02 16:00",
            "--json",
        ],
    );
    assert_eq!(b["ma_ho_so"], "000.00.19.H12-260302-0002");
    assert_eq!(b["due_at"], "2026-03-05 16:00");
    assert_eq!(b["identity_verified"], false);

    let list = ok_json(&data, &["hoso", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let found = ok_json(
        &data,
        &["hoso", "list", "--search", "nguyen thi thu", "--json"],
    );
    assert_eq!(found.as_array().unwrap().len(), 2);

    let ma = b["ma_ho_so"].as_str().unwrap();
    let s = ok_json(
        &data,
        &[
            "hoso",
            "status",
            ma,
            "--to",
            "needs_supplement",
            "--note",
            "Thiếu giấy tờ",
            "--at",
            "2026-03-03 08:00",
            "--json",
        ],
    );
    assert_eq!(s["status"], "needs_supplement");
    assert_eq!(s["paused"], true);
    let s = ok_json(
        &data,
        &[
            "hoso",
            "status",
            ma,
            "--to",
            "received",
            "--at",
            "2026-03-04 08:00",
            "--json",
        ],
    );
    // Tue 08:00 → Wed 08:00 is one full office day (07:30–17:00): due Thu 16:00 → Fri 16:00.
    assert_eq!(s["due_at"], "2026-03-06 16:00");
    let shown = ok_json(&data, &["hoso", "show", ma, "--json"]);
    assert_eq!(shown["events"].as_array().unwrap().len(), 3);
    assert_eq!(shown["events"][1]["note"], "Thiếu giấy tờ");

    // A forbidden change: typed JSON error, exit 1.
    let out = motcua(&data, &["hoso", "status", ma, "--to", "returned", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["code"], "ho_so_invalid_transition");
    let out = motcua(
        &data,
        &["hoso", "show", "000.00.19.H12-260302-0099", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["code"], "ho_so_not_found");

    let receipt = ok_json(&data, &["hoso", "receipt-data", ma]);
    assert_eq!(receipt["ma_ho_so"], ma);
    assert_eq!(receipt["so"], "0002/2026");

    // The receipt as PDF (Mẫu 01), read back with pdftotext when poppler-utils is present.
    let pdf = tmp.path().join("receipt.pdf");
    let out = motcua(
        &data,
        &[
            "hoso",
            "receipt",
            ma,
            "--pdf",
            pdf.to_str().unwrap(),
            "--paper",
            "a5",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    if let Ok(t) = Command::new("pdftotext").arg(&pdf).arg("-").output() {
        if t.status.success() {
            let text = String::from_utf8_lossy(&t.stdout);
            assert!(text.contains(ma), "{text}");
        }
    }

    let out = motcua(
        &data,
        &[
            "stats",
            "--month",
            "2026-03",
            "--csv",
            "--as-of",
            "2026-03-31 12:00",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("period,procedure_code,"), "{csv}");
    // Total: 2 received, 0 finished, 2 overdue by 31/3, 1 verified by chip.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2026-03,,,2,0,0,2,0,0,1,")),
        "{csv}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("2026-03-02,,,2,")),
        "{csv}"
    );

    // The same month as an Excel workbook (a zip whose sheet names the procedure).
    let xlsx = tmp.path().join("stats.xlsx");
    let out = motcua(
        &data,
        &[
            "stats",
            "--month",
            "2026-03",
            "--xlsx",
            xlsx.to_str().unwrap(),
            "--as-of",
            "2026-03-31 12:00",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(bytes.starts_with(b"PK"), "not a zip/xlsx");
}

#[test]
fn bad_input_gives_typed_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"id_number\": \"12\"}").unwrap();
    let code_of = |args: &[&str]| -> String {
        let out = motcua(&data, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["error"]["code"].as_str().unwrap().to_owned()
    };
    let b = bad.to_str().unwrap();
    assert_eq!(
        code_of(&[
            "hoso",
            "new",
            "--procedure",
            "2.000815",
            "--citizen",
            b,
            "--json"
        ]),
        "citizen_input_invalid"
    );
    let card = card_json(tmp.path(), "Nguyễn Văn Thử", true);
    let c = card.to_str().unwrap();
    assert_eq!(
        code_of(&[
            "hoso",
            "new",
            "--procedure",
            "9.999999",
            "--citizen",
            c,
            "--json"
        ]),
        "unknown_procedure"
    );
    assert_eq!(
        code_of(&[
            "hoso",
            "new",
            "--procedure",
            "2.000815",
            "--citizen",
            c,
            "--received",
            "02/03/2026",
            "--json"
        ]),
        "invalid_input"
    );
    assert_eq!(
        code_of(&["hoso", "list", "--status", "done", "--json"]),
        "ho_so_unknown_status"
    );
    let out = motcua(&data, &["stats", "--month", "2026-3x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_input"));
}

/// Two processes, each recording files in a loop on the same new database: every number of
/// the day from 1 to N is handed out exactly once.
#[test]
fn two_processes_allocate_without_duplicates_or_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let card = card_json(tmp.path(), "Trần Văn Song Song", true);
    let per_process = 6;
    let script = |n: usize| {
        // Each child runs `motcua hoso new` n times in a row, as a counter would.
        let mut cmds = Vec::new();
        for _ in 0..n {
            cmds.push(format!(
                "'{BIN}' --data-dir '{}' hoso new --procedure 2.000815 --citizen '{}' --received '2026-03-02 09:00' --json",
                data.display(),
                card.display()
            ));
        }
        cmds.join(" && ")
    };
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new("sh")
                .arg("-c")
                .arg(script(per_process))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut numbers = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let de = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        for v in de {
            let v = v.unwrap();
            let ma = v["ma_ho_so"].as_str().unwrap().to_owned();
            assert!(ma.starts_with("000.00.19.H12-260302-"), "{ma}");
            numbers.push(ma.rsplit('-').next().unwrap().parse::<u32>().unwrap());
        }
    }
    assert_eq!(numbers.len(), 2 * per_process);
    let set: BTreeSet<u32> = numbers.iter().copied().collect();
    assert_eq!(set.len(), numbers.len(), "duplicates: {numbers:?}");
    assert_eq!(set, (1..=(2 * per_process) as u32).collect::<BTreeSet<_>>());
}
