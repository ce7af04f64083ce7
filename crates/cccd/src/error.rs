/// Errors of the Vietnamese profile. Stable [`CccdError::code`] + Vietnamese
/// [`CccdError::message_vi`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CccdError {
    /// DG13 is not a well-formed TLV structure.
    #[error("DG13 malformed: {0}")]
    Dg13Malformed(String),
    /// DG13 has no ID number (field 1).
    #[error("DG13 has no ID number")]
    Dg13MissingId,
    /// The ID number is not 12 digits / has an impossible structure.
    #[error("invalid ID number: {0}")]
    InvalidIdNumber(String),
    /// A date is outside what the rules can handle (e.g. before 1900).
    #[error("invalid date: {0}")]
    InvalidDate(String),
}

impl CccdError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            CccdError::Dg13Malformed(_) => "dg13_malformed",
            CccdError::Dg13MissingId => "dg13_missing_id",
            CccdError::InvalidIdNumber(_) => "invalid_id_number",
            CccdError::InvalidDate(_) => "invalid_date",
        }
    }

    /// Vietnamese message with what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            CccdError::Dg13Malformed(_) | CccdError::Dg13MissingId => {
                "Dữ liệu thông tin công dân (DG13) trên chip không đọc được. Hãy đặt lại thẻ và đọc lại; nếu vẫn lỗi, nhập thông tin thủ công theo thẻ và ghi chú thẻ lỗi chip."
            }
            CccdError::InvalidIdNumber(_) => {
                "Số định danh cá nhân không hợp lệ (phải gồm đúng 12 chữ số). Hãy kiểm tra lại số in trên thẻ."
            }
            CccdError::InvalidDate(_) => {
                "Ngày tháng không hợp lệ. Hãy kiểm tra lại ngày sinh và ngày cấp in trên thẻ."
            }
        }
    }
}

impl From<lds::LdsError> for CccdError {
    fn from(e: lds::LdsError) -> Self {
        CccdError::Dg13Malformed(e.to_string())
    }
}
