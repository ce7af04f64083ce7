/// Why a simulated card could not be made or served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// A builder (LDS, DG13, security infos, keys) refused the profile's data.
    #[error("personalization failed: {0}")]
    Personalization(String),
    /// The profile file is not valid JSON for a profile.
    #[error("invalid profile: {0}")]
    InvalidProfile(String),
    /// A fault switch that cannot apply to this card.
    #[error("invalid fault: {0}")]
    InvalidFault(String),
}

impl SimError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SimError::Personalization(_) => "sim_personalization_failed",
            SimError::InvalidProfile(_) => "sim_invalid_profile",
            SimError::InvalidFault(_) => "sim_invalid_fault",
        }
    }

    /// Vietnamese message with what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            SimError::Personalization(_) => {
                "Không tạo được thẻ mô phỏng từ hồ sơ này. Hãy kiểm tra dữ liệu hồ sơ (số định danh \
                 12 chữ số, ngày tháng hợp lệ) hoặc dùng hồ sơ sinh tự động."
            }
            SimError::InvalidProfile(_) => {
                "Tệp hồ sơ thẻ mô phỏng không đúng định dạng JSON. Hãy tạo lại tệp từ kết quả in ra \
                 của motcua-sim."
            }
            SimError::InvalidFault(_) => {
                "Lỗi giả lập được chọn không áp dụng được cho thẻ này. Hãy chọn nhóm dữ liệu có trên \
                 thẻ (1, 2, 13, 14 hoặc 15)."
            }
        }
    }
}
