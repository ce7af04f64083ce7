/// Errors of LDS parsing and building. Every variant has a stable [`LdsError::code`] and a
/// Vietnamese message ([`LdsError::message_vi`]) for the counter clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    /// The BER-TLV structure is broken (truncated, bad length, trailing garbage).
    #[error("malformed TLV: {0}")]
    MalformedTlv(&'static str),
    /// The outer tag is not the one this file must start with.
    #[error("unexpected tag {found:#X}, expected {expected:#X}")]
    UnexpectedTag { expected: u32, found: u32 },
    /// A mandatory element is missing.
    #[error("missing element: {0}")]
    Missing(&'static str),
    /// The MRZ text is not a TD1/TD2/TD3 MRZ.
    #[error("invalid MRZ: {0}")]
    InvalidMrz(String),
    /// ASN.1 / CMS / X.509 decoding or encoding failed.
    #[error("ASN.1 error: {0}")]
    Asn1(String),
    /// An algorithm we do not implement (hash, signature, curve).
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// Signing failed (builders only).
    #[error("signing failed: {0}")]
    Signing(String),
    /// The trust store folder cannot be read.
    #[error("trust store folder unreadable: {0}")]
    TrustStoreUnreadable(String),
    /// A builder argument is out of range.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl LdsError {
    /// Stable snake_case code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            LdsError::MalformedTlv(_) => "lds_malformed_tlv",
            LdsError::UnexpectedTag { .. } => "lds_unexpected_tag",
            LdsError::Missing(_) => "lds_missing_element",
            LdsError::InvalidMrz(_) => "lds_invalid_mrz",
            LdsError::Asn1(_) => "lds_asn1",
            LdsError::UnsupportedAlgorithm(_) => "lds_unsupported_algorithm",
            LdsError::Signing(_) => "lds_signing_failed",
            LdsError::InvalidInput(_) => "lds_invalid_input",
            LdsError::TrustStoreUnreadable(_) => "trust_store_unreadable",
        }
    }

    /// Vietnamese message: what happened and what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            LdsError::MalformedTlv(_) | LdsError::UnexpectedTag { .. } | LdsError::Missing(_) | LdsError::Asn1(_) => {
                "Dữ liệu đọc từ chip không đúng cấu trúc. Hãy đặt lại thẻ lên đầu đọc và đọc lại; nếu vẫn lỗi, thẻ có thể bị hỏng, đề nghị công dân liên hệ cơ quan Công an để kiểm tra."
            }
            LdsError::InvalidMrz(_) => {
                "Dòng MRZ không hợp lệ. Hãy kiểm tra lại dòng MRZ ở mặt sau thẻ (nhập đúng từng ký tự) hoặc dùng số CAN 6 chữ số."
            }
            LdsError::UnsupportedAlgorithm(_) => {
                "Thẻ dùng thuật toán mật mã mà phần mềm chưa hỗ trợ. Hãy ghi lại số thẻ và báo cho bộ phận kỹ thuật."
            }
            LdsError::TrustStoreUnreadable(_) => {
                "Không đọc được thư mục chứng thư gốc (CSCA). Hãy kiểm tra đường dẫn trong phần Cài đặt và quyền đọc thư mục."
            }
            LdsError::Signing(_) | LdsError::InvalidInput(_) => {
                "Lỗi nội bộ khi tạo dữ liệu thử nghiệm. Hãy báo cho bộ phận kỹ thuật."
            }
        }
    }
}

impl From<der::Error> for LdsError {
    fn from(e: der::Error) -> Self {
        LdsError::Asn1(e.to_string())
    }
}
