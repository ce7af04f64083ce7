//! Errors of page loading and processing: a stable `code()` for logs and the UI, and a
//! Vietnamese `message_vi()` that tells the clerk what to do next.

/// Everything that can go wrong while loading or processing a scanned page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The file is empty.
    #[error("empty image file")]
    Empty,
    /// The bytes are not JPEG, PNG or TIFF.
    #[error("unsupported image format")]
    UnsupportedFormat,
    /// The file claims a known format but cannot be decoded (truncated, damaged).
    #[error("corrupt {format} image: {detail}")]
    Corrupt {
        /// "JPEG", "PNG" or "TIFF".
        format: &'static str,
        /// Decoder message (English, for logs).
        detail: String,
    },
    /// A TIFF sample layout we do not decode (CMYK, palette, 32-bit float...).
    #[error("unsupported TIFF layout: {0}")]
    UnsupportedLayout(String),
    /// The image is larger than [`crate::MAX_PIXELS`] or has a zero side.
    #[error("image size {width}x{height} out of range")]
    BadSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The file records no resolution and the caller gave none.
    #[error("image has no resolution (dpi) information")]
    NoDpi,
    /// The scan resolution is below what the output needs (no upsampling: it would fake detail).
    #[error("source resolution {source_dpi} dpi below required {required_dpi} dpi")]
    DpiTooLow {
        /// Resolution of the scan.
        source_dpi: f32,
        /// Resolution asked for.
        required_dpi: f32,
    },
    /// The configured output resolution is below the legal minimum of 200 dpi.
    #[error("configured output resolution {0} dpi is below 200 dpi")]
    TargetDpiBelowMinimum(f32),
    /// The font used to draw synthetic test pages could not be read.
    #[error("font for test pages unavailable: {0}")]
    FontUnavailable(String),
    /// Thumbnail encoding failed.
    #[error("thumbnail encoding failed: {0}")]
    Thumbnail(String),
}

impl PageError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "page_empty_file",
            Self::UnsupportedFormat => "page_unsupported_format",
            Self::Corrupt { .. } => "page_corrupt_image",
            Self::UnsupportedLayout(_) => "page_unsupported_layout",
            Self::BadSize { .. } => "page_bad_size",
            Self::NoDpi => "page_no_dpi",
            Self::DpiTooLow { .. } => "page_dpi_too_low",
            Self::TargetDpiBelowMinimum(_) => "page_target_dpi_below_minimum",
            Self::FontUnavailable(_) => "page_font_unavailable",
            Self::Thumbnail(_) => "page_thumbnail_failed",
        }
    }

    /// Vietnamese message for the clerk, with the next step.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Empty => "Tệp ảnh trống. Hãy quét lại trang này.".into(),
            Self::UnsupportedFormat => {
                "Định dạng ảnh không được hỗ trợ. Hãy đặt máy quét lưu ảnh JPEG, PNG hoặc TIFF rồi quét lại."
                    .into()
            }
            Self::Corrupt { format, .. } => format!(
                "Tệp ảnh {format} bị hỏng hoặc chưa ghi xong. Hãy quét lại trang này; nếu lỗi lặp lại, kiểm tra cáp và máy quét."
            ),
            Self::UnsupportedLayout(what) => format!(
                "Ảnh TIFF có kiểu màu không hỗ trợ ({what}). Hãy đặt máy quét ở chế độ Màu (RGB), Xám hoặc Đen trắng rồi quét lại."
            ),
            Self::BadSize { width, height } => format!(
                "Kích thước ảnh {width}×{height} điểm ảnh không hợp lệ hoặc quá lớn. Hãy quét lại với khổ giấy thật của tài liệu."
            ),
            Self::NoDpi => {
                "Ảnh không ghi độ phân giải (dpi). Hãy chọn độ phân giải trong cấu hình máy quét rồi quét lại."
                    .into()
            }
            Self::DpiTooLow { source_dpi, required_dpi } => format!(
                "Ảnh quét chỉ đạt {source_dpi:.0} dpi, thấp hơn mức yêu cầu {required_dpi:.0} dpi. Hãy đặt máy quét từ {required_dpi:.0} dpi trở lên và quét lại."
            ),
            Self::TargetDpiBelowMinimum(dpi) => format!(
                "Cấu hình độ phân giải bản số hóa ({dpi:.0} dpi) thấp hơn mức tối thiểu 200 dpi theo quy định. Hãy sửa cấu hình thành 200 dpi trở lên."
            ),
            Self::FontUnavailable(_) => {
                "Không đọc được phông chữ để tạo trang thử. Hãy cài gói phông DejaVu (fonts-dejavu-core).".into()
            }
            Self::Thumbnail(_) => {
                "Không tạo được ảnh thu nhỏ của trang. Trang vẫn được giữ; hãy báo bộ phận kỹ thuật nếu lỗi lặp lại."
                    .into()
            }
        }
    }
}
