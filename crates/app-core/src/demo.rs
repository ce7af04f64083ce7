//! Fictitious demo cards for the `--demo-fake` mode and for tests. Every person here is invented:
//! the ID numbers use province code 099, which is not assigned to any province.

use chrono::NaiveDate;
use reader::{
    AccessMethod, ActiveAuthStatus, ChipAuthStatus, PassiveStatus, Photo, ReadOutcome,
    Verification,
};

use crate::card::FakeCard;

const PORTRAITS: [&[u8]; 3] = [
    include_bytes!("demo/portrait-1.jpg"),
    include_bytes!("demo/portrait-2.jpg"),
    include_bytes!("demo/portrait-3.jpg"),
];

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

fn photo(i: usize) -> Option<Photo> {
    PORTRAITS.get(i).map(|b| Photo {
        format: "jpeg".into(),
        bytes: b.len(),
        data: b.to_vec(),
    })
}

/// `(label, card)`; index 0 reads with a derived key, 1 needs the CAN `123456`, 2 fails passive
/// authentication, 3 needs its CAN (the last 6 digits of its ID): scan its QR first
/// (`qr::payload_2021`) and it reads without typing.
pub fn demo_cards() -> Vec<(String, FakeCard)> {
    let an = cccd::Citizen {
        id_number: "099190000001".into(),
        full_name: "Nguyễn Văn An".into(),
        date_of_birth: d(1990, 5, 12),
        gender: Some("Nam".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        religion: Some("Không".into()),
        hometown: Some("Xã Mẫu Sơn, Huyện Thử Nghiệm, Tỉnh Mô Phỏng".into()),
        residence: Some("Số 1 Đường Mẫu, Phường Thử, Quận Demo, Thành phố Mô Phỏng".into()),
        identifying_features: Some("Nốt ruồi C:2cm trên sau cánh mũi trái".into()),
        issue_date: d(2021, 7, 1),
        expiry_date: d(2030, 5, 12),
        father_name: Some("Nguyễn Văn Bình".into()),
        mother_name: Some("Trần Thị Cúc".into()),
        spouse_name: None,
        old_id_number: Some("099000001".into()),
    };
    let dao = cccd::Citizen {
        id_number: "099301000002".into(),
        full_name: "Đặng Thị Đào".into(),
        date_of_birth: d(2001, 11, 3),
        gender: Some("Nữ".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Tày".into()),
        religion: Some("Không".into()),
        hometown: Some("Tỉnh Mô Phỏng".into()),
        residence: Some("Thôn Thử, Xã Mẫu, Huyện Demo, Tỉnh Mô Phỏng".into()),
        identifying_features: None,
        issue_date: d(2024, 8, 15),
        expiry_date: d(2041, 11, 3),
        father_name: Some("Đặng Văn Đức".into()),
        mother_name: Some("Lê Thị Én".into()),
        spouse_name: None,
        old_id_number: None,
    };
    let quan = cccd::Citizen {
        id_number: "099085000003".into(),
        full_name: "Trần Minh Quân".into(),
        date_of_birth: d(1985, 1, 20),
        gender: Some("Nam".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        religion: Some("Phật giáo".into()),
        hometown: Some("Tỉnh Thử Nghiệm".into()),
        residence: Some("Tổ 3, Phường Mẫu, Thành phố Demo".into()),
        identifying_features: Some("Sẹo chấm C:1cm dưới trước tai phải".into()),
        issue_date: d(2021, 3, 9),
        expiry_date: d(2045, 1, 20),
        father_name: Some("Trần Văn Quý".into()),
        mother_name: Some("Phạm Thị Quế".into()),
        spouse_name: Some("Hoàng Thị Mai".into()),
        old_id_number: None,
    };
    let mau = cccd::Citizen {
        id_number: "001195424242".into(),
        full_name: "Lê Thị Mẫu".into(),
        date_of_birth: d(1995, 8, 20),
        gender: Some("Nữ".into()),
        nationality: Some("Việt Nam".into()),
        ethnicity: Some("Kinh".into()),
        religion: Some("Không".into()),
        hometown: Some("Xã Thử, Huyện Mẫu, Tỉnh Mô Phỏng".into()),
        residence: Some("Số 9 Phố Thử, Phường Mẫu, Quận Demo, Thành phố Mô Phỏng".into()),
        identifying_features: None,
        issue_date: d(2022, 4, 10),
        expiry_date: d(2035, 8, 20),
        father_name: Some("Lê Văn Thử".into()),
        mother_name: Some("Phạm Thị Mẫu".into()),
        spouse_name: None,
        old_id_number: None,
    };
    let ok = Verification {
        passive: PassiveStatus::Ok,
        chip_auth: ChipAuthStatus::Ok,
        active_auth: ActiveAuthStatus::NotSupported,
        reasons: vec![],
    };
    let bad = Verification {
        passive: PassiveStatus::Failed,
        chip_auth: ChipAuthStatus::Failed,
        active_auth: ActiveAuthStatus::NotSupported,
        reasons: vec![
            "Dữ liệu nhân thân trên chip không khớp chữ ký số của cơ quan cấp thẻ (có thể đã bị sửa)."
                .into(),
            "Chip không chứng minh được khoá bí mật của nó: thẻ có thể là bản sao.".into(),
        ],
    };
    let out = |citizen: cccd::Citizen, i: usize, access, verification: Verification| ReadOutcome {
        access,
        citizen,
        mrz: vec![],
        photo: photo(i),
        verification,
        apdus: 42,
        ms: 1800,
        stats: Default::default(),
        passive_report: None,
    };
    vec![
        (
            "Thẻ mẫu 1 — CCCD 2021, hợp lệ".into(),
            FakeCard {
                outcome: out(an, 0, AccessMethod::PaceCan, ok.clone()),
                can: None,
            },
        ),
        (
            "Thẻ mẫu 2 — thẻ căn cước 2024, cần CAN 123456".into(),
            FakeCard {
                outcome: out(dao, 1, AccessMethod::PaceCan, ok.clone()),
                can: Some("123456".into()),
            },
        ),
        (
            "Thẻ mẫu 3 — chữ ký không hợp lệ".into(),
            FakeCard {
                outcome: out(quan, 2, AccessMethod::Bac, bad),
                can: None,
            },
        ),
        (
            "Thẻ mẫu 4 — quét mã QR trước, không cần nhập CAN".into(),
            FakeCard {
                outcome: out(mau, 0, AccessMethod::PaceCan, ok),
                can: Some("424242".into()),
            },
        ),
    ]
}
