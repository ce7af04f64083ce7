//! Input types of the documents: plain serde structs, filled by the caller (the lead maps hồ sơ
//! data into them). Each has a `sample()` with generated, obviously fake data for tests and
//! previews (names like "NGUYỄN VĂN MẪU", numbers starting with 0010999…).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The header block shared by every form (left column: agency; right: national motto and date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyHeader {
    /// Governing body, upper case on print, e.g. "UBND TỈNH …" (may be empty).
    pub parent: String,
    /// The unit issuing the form, e.g. "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ".
    pub name: String,
    /// Place for the date line ("Hà Nội, ngày … tháng … năm …").
    pub place: String,
    /// Document number suffix after "Số: ", e.g. "125/TNHS" (empty prints dots).
    pub number: String,
}

/// One component of the file (thành phần hồ sơ) as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentLine {
    pub name: String,
    /// "Bản chính", "Bản sao", "Bản sao chứng thực", "Bản điện tử"…
    pub form: String,
    pub count: u32,
}

/// Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptDoc {
    pub header: AgencyHeader,
    pub ma_ho_so: String,
    /// Procedure name (Nội dung yêu cầu giải quyết).
    pub request: String,
    pub applicant_name: String,
    /// Số định danh cá nhân (12 digits).
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// Authorised representative ("Người được ủy quyền"), if any.
    pub representative: Option<String>,
    pub components: Vec<ComponentLine>,
    pub sets: u32,
    /// Time allowed by law, already worded, e.g. "03 ngày làm việc" or "Trong ngày".
    pub time_allowed: String,
    pub received_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    /// Where the result is collected.
    pub collect_at: String,
    /// Sổ theo dõi hồ sơ: book (quyển số) and entry number.
    pub register_book: String,
    pub register_entry: String,
    pub clerk_name: String,
    /// Tracking URL encoded in the QR (from the settings' URL template); None = no QR.
    pub tracking_url: Option<String>,
}

/// Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplementRequestDoc {
    pub header: AgencyHeader,
    pub ma_ho_so: String,
    pub request: String,
    pub applicant_name: String,
    pub received_at: NaiveDateTime,
    /// What must be supplied or corrected, one item each.
    pub items: Vec<String>,
    pub reason: String,
    /// Contact for questions ("… số điện thoại …").
    pub contact: String,
    pub clerk_name: String,
    pub issued_at: NaiveDateTime,
    pub tracking_url: Option<String>,
}

/// Mẫu 03 — Phiếu từ chối tiếp nhận, giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectionDoc {
    pub header: AgencyHeader,
    pub ma_ho_so: String,
    pub request: String,
    pub applicant_name: String,
    pub received_at: NaiveDateTime,
    pub reasons: Vec<String>,
    pub clerk_name: String,
    pub issued_at: NaiveDateTime,
    pub tracking_url: Option<String>,
}

/// One handover / status event of the control sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlRow {
    /// "Giao: Bộ phận TN&TKQ / Nhận: Phòng Tư pháp" or a status change.
    pub step: String,
    pub at: NaiveDateTime,
    /// "Trước hạn" / "Đúng hạn" / "Quá hạn" / "".
    pub result: String,
    pub note: String,
}

/// Phiếu kiểm soát quá trình giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlSheetDoc {
    pub header: AgencyHeader,
    pub ma_ho_so: String,
    pub applicant_name: String,
    pub request: String,
    /// Lead agency and co-operating agencies.
    pub lead_agency: String,
    pub cooperating: String,
    pub received_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub rows: Vec<ControlRow>,
    pub tracking_url: Option<String>,
}

/// One line of the sổ theo dõi hồ sơ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub ma_ho_so: String,
    pub procedure: String,
    pub sets: u32,
    pub applicant: String,
    pub address_phone: String,
    pub lead_agency: String,
    pub received: NaiveDateTime,
    pub due: NaiveDateTime,
    pub returned: Option<NaiveDateTime>,
    pub note: String,
}

/// Sổ theo dõi hồ sơ (register export), printed landscape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterDoc {
    pub header: AgencyHeader,
    /// e.g. "Tháng 01 năm 2026".
    pub period: String,
    pub rows: Vec<RegisterRow>,
}

fn dt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .zip(NaiveTime::from_hms_opt(h, min, 0))
        .map(|(d, t)| d.and_time(t))
        .unwrap_or_default()
}

impl AgencyHeader {
    pub fn sample() -> Self {
        AgencyHeader {
            parent: "UBND PHƯỜNG MẪU THỬ".into(),
            name: "BỘ PHẬN MỘT CỬA".into(),
            place: "Phường Mẫu Thử".into(),
            number: "125/TNHS".into(),
        }
    }
}

impl ReceiptDoc {
    pub fn sample() -> Self {
        ReceiptDoc {
            header: AgencyHeader::sample(),
            ma_ho_so: "000.00.19.H99-260107-0001".into(),
            request: "Đăng ký khai sinh (thử nghiệm, dữ liệu giả)".into(),
            applicant_name: "NGUYỄN THỊ MẪU THỬ".into(),
            id_number: "001099000123".into(),
            address: "Số 1 đường Thử Nghiệm, tổ dân phố Ví Dụ, phường Mẫu Thử, tỉnh Giả Định".into(),
            phone: "0900000001".into(),
            email: "mau.thu@example.invalid".into(),
            representative: Some("TRẦN VĂN ỦY QUYỀN".into()),
            components: vec![
                ComponentLine { name: "Tờ khai đăng ký khai sinh theo mẫu".into(), form: "Bản chính".into(), count: 1 },
                ComponentLine { name: "Giấy chứng sinh do cơ sở y tế cấp (mẫu giả lập để kiểm thử)".into(), form: "Bản chính".into(), count: 1 },
                ComponentLine { name: "Văn bản ủy quyền có chứng thực".into(), form: "Bản sao chứng thực".into(), count: 1 },
            ],
            sets: 1,
            time_allowed: "01 ngày làm việc".into(),
            received_at: dt(2026, 1, 7, 9, 5),
            due_at: dt(2026, 1, 8, 9, 5),
            collect_at: "Bộ phận Một cửa, quầy số 3".into(),
            register_book: "01".into(),
            register_entry: "0001".into(),
            clerk_name: "Lê Thị Cán Bộ".into(),
            tracking_url: Some("https://dichvucong.example.invalid/tra-cuu?ma=000.00.19.H99-260107-0001".into()),
        }
    }

    /// The sample with `n` components (page-break tests).
    pub fn sample_with_components(n: usize) -> Self {
        let mut d = Self::sample();
        d.components = (1..=n)
            .map(|i| ComponentLine {
                name: format!("Giấy tờ thử nghiệm số {i} kèm theo hồ sơ, có tên dài để kiểm tra việc xuống dòng tự động"),
                form: if i % 2 == 0 { "Bản sao".into() } else { "Bản chính".into() },
                count: (i % 3 + 1) as u32,
            })
            .collect();
        d
    }
}

impl SupplementRequestDoc {
    pub fn sample() -> Self {
        SupplementRequestDoc {
            header: AgencyHeader::sample(),
            ma_ho_so: "000.00.19.H99-260107-0002".into(),
            request: "Đăng ký thường trú (thử nghiệm)".into(),
            applicant_name: "PHẠM VĂN GIẢ ĐỊNH".into(),
            received_at: dt(2026, 1, 7, 14, 30),
            items: vec![
                "Bổ sung giấy tờ chứng minh chỗ ở hợp pháp".into(),
                "Hoàn thiện mục “Quan hệ với chủ hộ” trong tờ khai CT01".into(),
            ],
            reason: "Hồ sơ chưa đủ thành phần theo quy định.".into(),
            contact: "Lê Thị Cán Bộ, số điện thoại 0900000009".into(),
            clerk_name: "Lê Thị Cán Bộ".into(),
            issued_at: dt(2026, 1, 7, 14, 45),
            tracking_url: Some("https://dichvucong.example.invalid/tra-cuu?ma=000.00.19.H99-260107-0002".into()),
        }
    }
}

impl RejectionDoc {
    pub fn sample() -> Self {
        RejectionDoc {
            header: AgencyHeader::sample(),
            ma_ho_so: "000.00.19.H99-260107-0003".into(),
            request: "Cấp bản sao trích lục hộ tịch (thử nghiệm)".into(),
            applicant_name: "ĐỖ THỊ VÍ DỤ".into(),
            received_at: dt(2026, 1, 7, 15, 10),
            reasons: vec!["Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan; đề nghị liên hệ cơ quan đã đăng ký hộ tịch.".into()],
            clerk_name: "Lê Thị Cán Bộ".into(),
            issued_at: dt(2026, 1, 7, 15, 20),
            tracking_url: None,
        }
    }
}

impl ControlSheetDoc {
    pub fn sample() -> Self {
        ControlSheetDoc {
            header: AgencyHeader::sample(),
            ma_ho_so: "000.00.19.H99-260107-0001".into(),
            applicant_name: "NGUYỄN THỊ MẪU THỬ".into(),
            request: "Đăng ký khai sinh (thử nghiệm, dữ liệu giả)".into(),
            lead_agency: "Công chức Tư pháp - Hộ tịch".into(),
            cooperating: "Không".into(),
            received_at: dt(2026, 1, 7, 9, 5),
            due_at: dt(2026, 1, 8, 9, 5),
            rows: vec![
                ControlRow { step: "Giao: Bộ phận Một cửa / Nhận: Công chức Tư pháp - Hộ tịch".into(), at: dt(2026, 1, 7, 9, 30), result: "".into(), note: "".into() },
                ControlRow { step: "Giao: Công chức Tư pháp - Hộ tịch / Nhận: Lãnh đạo UBND".into(), at: dt(2026, 1, 7, 16, 0), result: "Trước hạn".into(), note: "Trình ký".into() },
                ControlRow { step: "Giao: Lãnh đạo UBND / Nhận: Bộ phận Một cửa".into(), at: dt(2026, 1, 8, 8, 15), result: "Đúng hạn".into(), note: "Có kết quả".into() },
            ],
            tracking_url: Some("https://dichvucong.example.invalid/tra-cuu?ma=000.00.19.H99-260107-0001".into()),
        }
    }
}

impl RegisterDoc {
    pub fn sample() -> Self {
        let names = ["NGUYỄN THỊ MẪU THỬ", "PHẠM VĂN GIẢ ĐỊNH", "ĐỖ THỊ VÍ DỤ", "HOÀNG VĂN KIỂM THỬ"];
        let procs = ["Đăng ký khai sinh", "Đăng ký thường trú", "Cấp bản sao trích lục hộ tịch", "Chứng thực bản sao từ bản chính"];
        let rows = (0..12u32)
            .map(|i| {
                let k = i as usize % 4;
                RegisterRow {
                    ma_ho_so: format!("000.00.19.H99-2601{:02}-{:04}", 5 + i / 4, i % 4 + 1),
                    procedure: procs[k].into(),
                    sets: 1,
                    applicant: names[k].into(),
                    address_phone: format!("Số {} đường Thử Nghiệm; 09000000{:02}", i + 1, i),
                    lead_agency: "Tư pháp - Hộ tịch".into(),
                    received: dt(2026, 1, 5 + i / 4, 8 + i % 4, 0),
                    due: dt(2026, 1, 6 + i / 4, 8 + i % 4, 0),
                    returned: if i % 3 == 0 { None } else { Some(dt(2026, 1, 6 + i / 4, 10, 0)) },
                    note: String::new(),
                }
            })
            .collect();
        RegisterDoc { header: AgencyHeader::sample(), period: "Tháng 01 năm 2026".into(), rows }
    }
}
