use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The citizen as the chip's DG13 states it. Field names are the JSON contract of
/// `motcua card read --json` (`citizen` object); dates serialize as `YYYY-MM-DD`, absent values as
/// `null`. `expiry_date` is `None` for cards without expiry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    /// Số định danh cá nhân: 12 digits.
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// As printed: "Nam" or "Nữ".
    pub gender: Option<String>,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    /// Quê quán (2021 cards); nơi đăng ký khai sinh on 2024 cards.
    pub hometown: Option<String>,
    /// Nơi thường trú / nơi cư trú, in the card's (pre-2025, three-level) wording.
    pub residence: Option<String>,
    pub identifying_features: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub expiry_date: Option<NaiveDate>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
    /// The old 9-digit CMND number, if the card carries one.
    pub old_id_number: Option<String>,
}
