//! Errors of digitization: stable `code()` and Vietnamese `message_vi()`.

use std::path::PathBuf;

/// Everything that can go wrong while capturing, processing, queueing or delivering.
#[derive(Debug, thiserror::Error)]
pub enum DigitizeError {
    /// A file or directory operation failed.
    #[error("I/O error on {path}: {detail}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// OS message.
        detail: String,
    },
    /// The queue database failed.
    #[error("queue database error: {0}")]
    Db(String),
    /// `PRAGMA integrity_check` did not answer "ok".
    #[error("queue database damaged: {0}")]
    Integrity(String),
    /// A page could not be loaded or processed.
    #[error("page {page} of {file}: {source}")]
    Page {
        /// Source file.
        file: String,
        /// 1-based page in the component.
        page: usize,
        /// Cause.
        #[source]
        source: pages::PageError,
    },
    /// The PDF could not be written.
    #[error("PDF: {0}")]
    Pdf(#[from] pdfdoc::PdfError),
    /// No input file was given or a directory held no image.
    #[error("no input pages")]
    NoInput,
    /// A file of an unsupported type.
    #[error("unsupported file {0}")]
    Unsupported(PathBuf),
    /// Rasterizing a PDF with pdftoppm failed.
    #[error("cannot rasterize PDF {file}: {detail}")]
    PdfRaster {
        /// Source file.
        file: PathBuf,
        /// Cause.
        detail: String,
    },
    /// The component already has other pages (another ingest, different files).
    #[error("component {component} of {ma_ho_so} already has different pages")]
    Conflict {
        /// Mã hồ sơ.
        ma_ho_so: String,
        /// Component.
        component: String,
    },
    /// No item with this id.
    #[error("no queue item {0}")]
    NotFound(String),
    /// A committed file is missing or its hash differs.
    #[error("stored file {0} missing or altered")]
    FileAltered(PathBuf),
    /// An argument is invalid (empty code, dpi below 200, ...).
    #[error("invalid argument {0}")]
    Invalid(String),
    /// Scanner (SANE) error.
    #[error("scanner: {0}")]
    Scanner(#[from] crate::sane::ScanError),
    /// Signing the copy (PAdES, agency certificate) failed.
    #[error("signing: {0}")]
    Sign(#[from] pdfsign::SignError),
    /// Another process (the app or the CLI) is working on the queue.
    #[error("queue {path} is locked by another process")]
    QueueBusy {
        /// The lock file.
        path: PathBuf,
    },
    /// A write failed because the disk (or quota, or file size limit) is full.
    #[error("disk full writing {path}")]
    DiskFull {
        /// The file being written.
        path: PathBuf,
    },
    /// No scan session with this id.
    #[error("no scan session {0}")]
    SessionNotFound(String),
    /// No page with this id in the scan sessions.
    #[error("no scanned page {0}")]
    PageNotFound(String),
    /// The scan session was already committed or discarded.
    #[error("scan session {id} is {state}")]
    SessionClosed {
        /// Session id.
        id: String,
        /// `committed` or `discarded`.
        state: String,
    },
    /// Pages of the session are not assigned to a component.
    #[error("{0} pages not assigned to a component")]
    UnassignedPages(usize),
}

impl DigitizeError {
    pub(crate) fn io(path: impl Into<PathBuf>, e: std::io::Error) -> Self {
        if is_disk_full(&e) {
            return Self::DiskFull { path: path.into() };
        }
        Self::Io {
            path: path.into(),
            detail: e.to_string(),
        }
    }

    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "digitize_io",
            Self::Db(_) => "digitize_db",
            Self::Integrity(_) => "digitize_db_damaged",
            Self::Page { source, .. } => source.code(),
            Self::Pdf(e) => e.code(),
            Self::NoInput => "digitize_no_input",
            Self::Unsupported(_) => "digitize_unsupported_file",
            Self::PdfRaster { .. } => "digitize_pdf_raster_failed",
            Self::Conflict { .. } => "digitize_component_conflict",
            Self::NotFound(_) => "digitize_not_found",
            Self::FileAltered(_) => "digitize_file_altered",
            Self::Invalid(_) => "digitize_invalid_argument",
            Self::Scanner(e) => e.code(),
            Self::Sign(e) => e.code(),
            Self::QueueBusy { .. } => "digitize_queue_busy",
            Self::DiskFull { .. } => "digitize_disk_full",
            Self::SessionNotFound(_) => "digitize_session_not_found",
            Self::PageNotFound(_) => "digitize_page_not_found",
            Self::SessionClosed { .. } => "digitize_session_closed",
            Self::UnassignedPages(_) => "digitize_unassigned_pages",
        }
    }

    /// Vietnamese message with the next step.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Io { path, .. } => format!(
                "Không đọc/ghi được {}. Hãy kiểm tra ổ đĩa còn trống và quyền truy cập, rồi thử lại.",
                path.display()
            ),
            Self::Db(_) => "Không ghi được hàng đợi số hóa. Hãy thử lại; nếu lỗi lặp lại, báo bộ phận kỹ thuật.".into(),
            Self::Integrity(_) => "Cơ sở dữ liệu hàng đợi số hóa bị hỏng. Hãy dừng quét và báo ngay bộ phận kỹ thuật.".into(),
            Self::Page { file, page, source } => {
                format!("Trang {page} ({file}): {}", source.message_vi())
            }
            Self::Pdf(e) => e.message_vi(),
            Self::NoInput => "Không có trang nào để số hóa. Hãy chọn tệp ảnh/PDF hoặc thư mục chứa ảnh quét.".into(),
            Self::Unsupported(p) => format!(
                "Tệp {} không phải ảnh JPEG, PNG, TIFF hay PDF. Hãy chọn đúng tệp quét.",
                p.display()
            ),
            Self::PdfRaster { file, .. } => format!(
                "Không đọc được các trang của tệp PDF {}. Hãy kiểm tra tệp (có bị hỏng, có mật khẩu?) hoặc quét lại giấy tờ.",
                file.display()
            ),
            Self::Conflict { ma_ho_so, component } => format!(
                "Thành phần {component} của hồ sơ {ma_ho_so} đã có bản số hóa với các trang khác. Hãy xóa bản cũ trước khi quét lại."
            ),
            Self::NotFound(id) => format!("Không tìm thấy bản số hóa {id} trong hàng đợi."),
            Self::FileAltered(p) => format!(
                "Tệp đã lưu {} bị mất hoặc bị thay đổi. Hãy quét lại thành phần này và báo bộ phận kỹ thuật.",
                p.display()
            ),
            Self::Invalid(what) => format!("Thông tin chưa hợp lệ: {what}. Hãy kiểm tra lại."),
            Self::Scanner(e) => e.message_vi(),
            Self::Sign(e) => e.message_vi(),
            Self::QueueBusy { .. } => "Hàng đợi số hóa đang được một chương trình khác sử dụng (ứng dụng Một Cửa Desk hoặc lệnh motcua). Hãy đợi chương trình đó xong rồi thử lại.".into(),
            Self::DiskFull { path } => format!(
                "Ổ đĩa đã đầy, không ghi được {}. Các trang đã lưu vẫn được giữ; hãy giải phóng dung lượng rồi chạy lại để tiếp tục.",
                path.display()
            ),
            Self::SessionNotFound(_) => "Không tìm thấy phiên quét này (có thể đã bị hủy). Hãy mở lại màn hình quét.".into(),
            Self::PageNotFound(_) => "Không tìm thấy trang quét này (có thể đã bị xóa). Hãy tải lại danh sách trang.".into(),
            Self::SessionClosed { state, .. } => {
                if state == "committed" {
                    "Phiên quét đã được lưu thành bản số hóa, không sửa được nữa. Hãy mở phiên quét mới nếu cần quét lại.".into()
                } else {
                    "Phiên quét đã bị hủy. Hãy mở phiên quét mới.".into()
                }
            }
            Self::UnassignedPages(n) => format!(
                "Còn {n} trang chưa gán vào thành phần hồ sơ nào. Hãy gán hoặc xóa các trang đó rồi lưu lại."
            ),
        }
    }
}

/// ENOSPC, EDQUOT, EFBIG (file size limit): the data cannot be written until space is freed.
pub(crate) fn is_disk_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(e.kind(), K::StorageFull | K::QuotaExceeded | K::FileTooLarge)
}

impl From<rusqlite::Error> for DigitizeError {
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return Self::DiskFull {
                path: PathBuf::from("queue.sqlite3"),
            };
        }
        Self::Db(e.to_string())
    }
}
