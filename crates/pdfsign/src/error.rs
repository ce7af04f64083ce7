//! Typed errors with stable codes and Vietnamese messages.

/// An error of a key outside the process ([`crate::ExternalKey`]), with the stable code and
/// Vietnamese message of the layer that knows the device (e.g. `signing_token_failed`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ExternalKeyError {
    /// Stable snake_case code.
    pub code: &'static str,
    /// Vietnamese message with the next step.
    pub message_vi: String,
    /// Technical detail (no secrets).
    pub detail: String,
}

/// Errors of signing and verification.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The PKCS#12 file could not be opened (wrong password or damaged file).
    #[error("PKCS#12: {0}")]
    Pkcs12(String),
    /// The PKCS#12 holds no private key with a certificate.
    #[error("PKCS#12 holds no key with a certificate")]
    NoKey,
    /// Key type other than ECDSA P-256 or RSA.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// The certificate does not match the key, or cannot be parsed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// The PDF cannot be read.
    #[error("PDF parse: {0}")]
    PdfParse(String),
    /// The incremental update could not be written.
    #[error("PDF write: {0}")]
    PdfWrite(String),
    /// The font lacks a glyph for a character of the visible block.
    #[error("no glyph for {0:?}")]
    MissingGlyph(char),
    /// The font could not be subset.
    #[error("font: {0}")]
    Font(String),
    /// An option is empty or has control characters.
    #[error("invalid option {0}")]
    InvalidOption(&'static str),
    /// CMS encoding or signing failed.
    #[error("CMS: {0}")]
    Cms(String),
    /// The CMS does not fit in the /Contents placeholder.
    #[error("CMS of {len} bytes exceeds {capacity}")]
    SignatureTooLarge {
        /// CMS length.
        len: usize,
        /// Placeholder capacity.
        capacity: usize,
    },
    /// The PDF has no signature.
    #[error("not signed")]
    NotSigned,
    /// Verification failed.
    #[error("verification failed: {0}")]
    Verify(String),
    /// The key outside the process (PKCS#11 token, ...) failed.
    #[error("external key: {0}")]
    External(#[from] ExternalKeyError),
}

impl SignError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pkcs12(_) => "sign_pkcs12_unreadable",
            Self::NoKey => "sign_pkcs12_no_key",
            Self::UnsupportedKey(_) => "sign_unsupported_key",
            Self::Certificate(_) => "sign_bad_certificate",
            Self::PdfParse(_) => "sign_pdf_unreadable",
            Self::PdfWrite(_) => "sign_pdf_write_failed",
            Self::MissingGlyph(_) => "sign_font_missing_glyph",
            Self::Font(_) => "sign_font_failed",
            Self::InvalidOption(_) => "sign_invalid_option",
            Self::Cms(_) => "sign_cms_failed",
            Self::SignatureTooLarge { .. } => "sign_signature_too_large",
            Self::NotSigned => "sign_not_signed",
            Self::Verify(_) => "sign_verify_failed",
            Self::External(e) => e.code,
        }
    }

    /// Vietnamese message with the next step.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Pkcs12(_) => "Không mở được tệp chứng thư số (PKCS#12): sai mật khẩu hoặc tệp bị hỏng. Hãy nhập lại mật khẩu hoặc chọn đúng tệp của cơ quan.".into(),
            Self::NoKey => "Tệp chứng thư số không chứa khóa ký kèm chứng thư. Hãy xuất lại tệp PKCS#12 có cả khóa bí mật.".into(),
            Self::UnsupportedKey(_) => "Loại khóa ký chưa được hỗ trợ (chỉ hỗ trợ RSA và ECDSA P-256). Hãy dùng chứng thư số khác.".into(),
            Self::Certificate(_) => "Chứng thư số không hợp lệ hoặc không khớp với khóa ký. Hãy kiểm tra lại tệp chứng thư số của cơ quan.".into(),
            Self::PdfParse(_) => "Không đọc được tệp PDF bản số hóa. Hãy tạo lại bản số hóa rồi ký lại.".into(),
            Self::PdfWrite(_) => "Không ghi được chữ ký vào tệp PDF. Hãy thử lại; nếu lỗi lặp lại, báo bộ phận kỹ thuật.".into(),
            Self::MissingGlyph(c) => format!("Phông chữ không có ký tự «{c}» để hiển thị trên chữ ký. Hãy sửa tên cơ quan hoặc loại bản sao."),
            Self::Font(_) => "Không nhúng được phông chữ vào chữ ký. Hãy báo bộ phận kỹ thuật.".into(),
            Self::InvalidOption(f) => format!("Thông tin chữ ký chưa hợp lệ (trường {f} trống hoặc có ký tự điều khiển). Hãy kiểm tra cấu hình cơ quan."),
            Self::Cms(_) => "Không tạo được chữ ký số. Hãy thử lại; nếu lỗi lặp lại, kiểm tra chứng thư số.".into(),
            Self::SignatureTooLarge { .. } => "Chữ ký số quá lớn so với chỗ dành sẵn trong tệp PDF (chuỗi chứng thư quá dài). Hãy báo bộ phận kỹ thuật.".into(),
            Self::NotSigned => "Tệp PDF chưa có chữ ký số.".into(),
            Self::Verify(_) => "Chữ ký số không hợp lệ: tệp đã bị sửa sau khi ký hoặc chữ ký không đúng. Không dùng bản này; hãy lấy lại bản gốc.".into(),
            Self::External(e) => e.message_vi.clone(),
        }
    }
}
