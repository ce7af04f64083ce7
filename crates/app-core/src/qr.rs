//! Identification by the card's QR code, from any source (webcam, keyboard-wedge scanner, serial
//! scanner): parse and validate with `qr-payload`, derive the chip's access keys at once (CAN =
//! last 6 digits of the ID, MRZ keys from ID + dates), and when the chip read follows, compare the
//! QR's fields with the chip's and list every mismatch. The QR is not signed: it is data, never
//! proof, so a QR identification is always "not verified".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::card::{KeyHint, MrzKeyHint};
use crate::dto::CitizenView;

/// Where a QR payload came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum QrSource {
    /// The app's webcam panel (decoded by `qr-decode`).
    Camera,
    /// A handheld scanner typing the payload as keystrokes.
    Wedge,
    /// A handheld scanner on a serial port (USB CDC / virtual COM).
    Serial,
    /// Pasted or typed by the clerk.
    Manual,
}

impl QrSource {
    pub fn as_str(self) -> &'static str {
        match self {
            QrSource::Camera => "camera",
            QrSource::Wedge => "wedge",
            QrSource::Serial => "serial",
            QrSource::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SubmitQrArgs {
    /// The decoded text, as received.
    pub payload: String,
    pub source: QrSource,
}

/// One problem or warning about a QR payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct QrIssueView {
    /// Stable snake_case code (`telex_residue`, `id_gender_mismatch`, `mojibake_repaired`, ...).
    pub code: String,
    /// The card field concerned (label as printed), if any.
    pub field: Option<String>,
    /// Vietnamese, says what to do next.
    pub message: String,
}

/// A scanned QR as the counter screen shows it: "Từ mã QR — chưa xác thực".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct QrCitizenView {
    pub source: QrSource,
    /// The payload passed every check (otherwise `issues` says why; only the ID may be known).
    pub accepted: bool,
    /// `cccd2021` | `can_cuoc2024` | `unknown`; empty when rejected.
    pub design: String,
    /// Fields read from the QR; empty strings / nulls for what the QR does not carry.
    pub citizen: CitizenView,
    /// Validation errors (when rejected) and warnings (when accepted).
    pub issues: Vec<QrIssueView>,
    /// A chip access key was derived and handed to the card reader.
    pub key_ready: bool,
    /// The stored identification (accepted payloads only).
    pub identification_id: Option<String>,
    pub at: String,
}

/// One field where the QR and the chip disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FieldMismatch {
    /// `id_number`, `full_name`, `date_of_birth`, `gender`, `old_id_number`, `residence`,
    /// `issue_date`.
    pub field: String,
    /// Vietnamese label of the field.
    pub label: String,
    pub qr: String,
    pub chip: String,
}

/// The QR scanned before a chip read, compared with what the chip says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct QrCheckView {
    pub source: QrSource,
    /// The QR carries the same ID number as the chip.
    pub same_id: bool,
    /// Every field that differs; empty: the QR matches the chip.
    pub mismatches: Vec<FieldMismatch>,
}

/// A QR found in a camera frame (the UI then submits `payload` with source `camera`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FrameDecode {
    pub payload: String,
    /// Corner / finder points in frame pixels, for the detection overlay.
    pub points: Vec<(f32, f32)>,
    /// Decoding time alone, ms.
    pub decode_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SerialStartArgs {
    /// `/dev/ttyACM0`, `/dev/serial/by-id/...`.
    pub path: String,
    /// Usually 9600 or 115200.
    pub baud: u32,
}

/// The serial scanner option: which port is open, and the ports seen now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SerialStatus {
    pub path: Option<String>,
    pub baud: u32,
    pub ports: Vec<String>,
}

/// The outcome of parsing one payload (before storing).
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    pub accepted: bool,
    pub design: String,
    pub citizen: CitizenView,
    pub issues: Vec<QrIssueView>,
    pub hint: Option<KeyHint>,
    /// The parsed record (accepted payloads).
    pub identity: Option<qr_payload::QrIdentity>,
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn issue_of(e: &qr_payload::PayloadError) -> QrIssueView {
    QrIssueView {
        code: e.code().into(),
        field: e.field().map(|f| f.label_vi().to_owned()),
        message: e.message_vi(),
    }
}

/// Keys for the chip from an ID number (and dates when known): CAN first, then MRZ candidates.
pub fn key_hint(id: &str, dob: Option<NaiveDate>, issued: Option<NaiveDate>) -> Option<KeyHint> {
    let can = cccd::can_from_id(id).ok()?;
    let mrz = match (dob, issued) {
        (Some(b), Some(i)) => cccd::mrz_key_candidates(id, b, i)
            .map(|v| {
                v.into_iter()
                    .map(|k| MrzKeyHint {
                        document_number: k.document_number,
                        date_of_birth: k.date_of_birth,
                        date_of_expiry: k.date_of_expiry,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Some(KeyHint { can, mrz })
}

/// The ID number of a payload that failed validation: the first `|`-separated field of exactly
/// 12 digits. Enough to derive the CAN (the chip read then verifies everything).
fn salvage_id(payload: &str) -> Option<String> {
    payload
        .split('|')
        .map(str::trim)
        .find(|f| f.len() == 12 && f.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// Parses a payload (dates checked against `today`). Pure.
pub(crate) fn scan(payload: &str, today: NaiveDate) -> Scan {
    match qr_payload::parse_at(payload, today) {
        Ok(q) => {
            let mut issues = Vec::new();
            if q.mojibake_repaired {
                issues.push(QrIssueView {
                    code: "mojibake_repaired".into(),
                    field: None,
                    message: "Chữ có dấu bị máy quét làm sai bảng mã và đã được sửa lại. Đối chiếu họ tên, địa chỉ với thẻ; nên chuyển máy quét sang chế độ USB-serial.".into(),
                });
            }
            if q.design == qr_payload::Design::Unknown {
                issues.push(QrIssueView {
                    code: "unknown_layout".into(),
                    field: None,
                    message: "Thứ tự các trường trong mã QR khác mẫu thẻ thường gặp. Đối chiếu từng trường với thẻ.".into(),
                });
            }
            let design = match q.design {
                qr_payload::Design::Cccd2021 => "cccd2021",
                qr_payload::Design::CanCuoc2024 => "can_cuoc2024",
                qr_payload::Design::Unknown => "unknown",
            };
            let citizen = CitizenView {
                id_number: q.id_number.clone(),
                full_name: q.full_name.clone(),
                date_of_birth: Some(ymd(q.date_of_birth)),
                gender: Some(q.gender.as_vi().into()),
                residence: Some(q.residence.clone()),
                issue_date: Some(ymd(q.issue_date)),
                father_name: q.father_name.clone(),
                mother_name: q.mother_name.clone(),
                old_id_number: q.old_id_number.clone(),
                ..CitizenView::default()
            };
            let hint = key_hint(&q.id_number, Some(q.date_of_birth), Some(q.issue_date));
            Scan {
                accepted: true,
                design: design.into(),
                citizen,
                issues,
                hint,
                identity: Some(q),
            }
        }
        Err(errs) => {
            let id = salvage_id(payload);
            let hint = id.as_deref().and_then(|i| key_hint(i, None, None));
            Scan {
                accepted: false,
                design: String::new(),
                citizen: CitizenView {
                    id_number: id.unwrap_or_default(),
                    ..CitizenView::default()
                },
                issues: errs.iter().map(issue_of).collect(),
                hint,
                identity: None,
            }
        }
    }
}

/// NFC, lower case, runs of whitespace collapsed.
fn norm_text(s: &str) -> String {
    let s: String = s.nfc().collect::<String>().to_lowercase();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Addresses compared loosely: NFC, lower case, letters and digits only; one may be a shortened
/// form of the other (the QR prints the address as on the card, the chip may carry more).
fn norm_address(s: &str) -> String {
    norm_text(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// QR fields against the chip's, every difference listed.
pub fn compare(qr: &qr_payload::QrIdentity, chip: &cccd::Citizen, source: QrSource) -> QrCheckView {
    let mut m = Vec::new();
    let mut push = |field: &str, label: &str, qr: String, chip: String| {
        m.push(FieldMismatch {
            field: field.into(),
            label: label.into(),
            qr,
            chip,
        });
    };
    let same_id = qr.id_number == chip.id_number.trim();
    if !same_id {
        push("id_number", "Số định danh cá nhân", qr.id_number.clone(), chip.id_number.clone());
    }
    if norm_text(&qr.full_name) != norm_text(&chip.full_name) {
        push("full_name", "Họ và tên", qr.full_name.clone(), chip.full_name.clone());
    }
    if let Some(d) = chip.date_of_birth {
        if d != qr.date_of_birth {
            push("date_of_birth", "Ngày sinh", ymd(qr.date_of_birth), ymd(d));
        }
    }
    if let Some(g) = chip.gender.as_deref() {
        if norm_text(g) != norm_text(qr.gender.as_vi()) {
            push("gender", "Giới tính", qr.gender.as_vi().into(), g.into());
        }
    }
    let chip_old = chip.old_id_number.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (qr.old_id_number.as_deref(), chip_old) {
        (Some(a), Some(b)) if a != b => push("old_id_number", "Số CMND cũ", a.into(), b.into()),
        (Some(a), None) => push("old_id_number", "Số CMND cũ", a.into(), String::new()),
        // The 2021 design always has the field: empty means "none".
        (None, Some(b)) if qr.design == qr_payload::Design::Cccd2021 => {
            push("old_id_number", "Số CMND cũ", String::new(), b.into())
        }
        _ => {}
    }
    if let Some(r) = chip.residence.as_deref() {
        let (a, b) = (norm_address(&qr.residence), norm_address(r));
        if !(a == b || (!a.is_empty() && b.contains(&a)) || (!b.is_empty() && a.contains(&b))) {
            push("residence", "Nơi thường trú / nơi cư trú", qr.residence.clone(), r.into());
        }
    }
    if let Some(d) = chip.issue_date {
        if d != qr.issue_date {
            push("issue_date", "Ngày cấp", ymd(qr.issue_date), ymd(d));
        }
    }
    QrCheckView {
        source,
        same_id,
        mismatches: m,
    }
}

/// A QR payload in the 2021 design for a citizen (demo cards, tests).
pub fn payload_2021(c: &cccd::Citizen) -> String {
    let d = |d: Option<NaiveDate>| d.map(|d| d.format("%d%m%Y").to_string()).unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        c.id_number,
        c.old_id_number.clone().unwrap_or_default(),
        c.full_name,
        d(c.date_of_birth),
        c.gender.clone().unwrap_or_default(),
        c.residence.clone().unwrap_or_default(),
        d(c.issue_date)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn citizen() -> cccd::Citizen {
        cccd::Citizen {
            id_number: "001090123456".into(),
            full_name: "Nguyễn Văn Thử".into(),
            date_of_birth: Some(day(1990, 3, 15)),
            gender: Some("Nam".into()),
            residence: Some("Số 5 Ngõ Mẫu, Phường Thử, Quận Demo, Hà Nội".into()),
            issue_date: Some(day(2021, 6, 1)),
            old_id_number: Some("012345678".into()),
            ..Default::default()
        }
    }

    #[test]
    fn accepted_payload_gives_citizen_and_keys() {
        let s = scan(&payload_2021(&citizen()), day(2026, 11, 28));
        assert!(s.accepted, "{:?}", s.issues);
        assert_eq!(s.design, "cccd2021");
        assert_eq!(s.citizen.full_name, "Nguyễn Văn Thử");
        assert_eq!(s.citizen.date_of_birth.as_deref(), Some("1990-03-15"));
        let h = s.hint.unwrap();
        assert_eq!(h.can, "123456");
        assert!(h.mrz.iter().any(|k| k.document_number == "090123456" && k.date_of_birth == "900315"));
    }

    #[test]
    fn rejected_payload_still_gives_the_can() {
        // Telex-mangled name from a wedge scanner behind Unikey.
        let mut c = citizen();
        c.full_name = "Nguyeenx Vawn Thuwr".into();
        let s = scan(&payload_2021(&c), day(2026, 11, 28));
        assert!(!s.accepted);
        assert!(s.issues.iter().any(|i| i.code == "telex_residue"), "{:?}", s.issues);
        assert_eq!(s.citizen.id_number, "001090123456");
        assert_eq!(s.hint.unwrap().can, "123456");
        let s = scan("hello world", day(2026, 11, 28));
        assert!(!s.accepted && s.hint.is_none());
        assert!(!s.issues.is_empty());
    }

    #[test]
    fn comparison_flags_every_difference_and_tolerates_form() {
        let c = citizen();
        let q = qr_payload::parse_at(&payload_2021(&c), day(2026, 11, 28)).unwrap();
        let mut chip = c.clone();
        chip.full_name = "NGUYỄN  VĂN THỬ".into();
        chip.residence = Some("số 5 ngõ mẫu phường thử quận demo hà nội".into());
        let r = compare(&q, &chip, QrSource::Wedge);
        assert!(r.same_id && r.mismatches.is_empty(), "{:?}", r.mismatches);
        chip.full_name = "Nguyễn Văn Thụ".into();
        chip.date_of_birth = Some(day(1990, 3, 16));
        chip.gender = Some("Nữ".into());
        chip.old_id_number = None;
        chip.residence = Some("Tỉnh Khác".into());
        chip.issue_date = Some(day(2021, 6, 2));
        chip.id_number = "001090123457".into();
        let r = compare(&q, &chip, QrSource::Camera);
        let fields: Vec<&str> = r.mismatches.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(
            fields,
            ["id_number", "full_name", "date_of_birth", "gender", "old_id_number", "residence", "issue_date"]
        );
        assert!(!r.same_id);
    }
}
