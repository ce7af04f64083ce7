//! Typed errors of the hồ sơ service: stable `code()`, Vietnamese `message_vi()`.

use crate::forms::FieldError;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HoSoError {
    /// Seeds, calendar, catalog, mã hồ sơ rules.
    #[error(transparent)]
    Procedures(#[from] procedures::Error),
    /// The database.
    #[error("store: {0}")]
    Store(StoreError),
    /// Another window changed the hồ sơ first.
    #[error("hồ sơ changed meanwhile: {0}")]
    Conflict(String),
    #[error("no hồ sơ {0}")]
    NotFound(String),
    #[error("status change {from} → {to} not allowed")]
    InvalidTransition { from: String, to: String },
    #[error("unknown status {0:?}")]
    UnknownStatus(String),
    #[error("no intake form template {0:?}")]
    FormMissing(String),
    #[error("form template {file}: {detail}")]
    FormTemplate { file: String, detail: String },
    #[error("form has {} invalid field(s)", .0.len())]
    FormInvalid(Vec<FieldError>),
    #[error("citizen data: {0}")]
    CitizenInput(String),
    #[error("invalid {field}: {detail}")]
    InvalidInput { field: String, detail: String },
}

impl From<StoreError> for HoSoError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sequence(p) => HoSoError::Procedures(p),
            StoreError::Conflict(m) => HoSoError::Conflict(m),
            other => HoSoError::Store(other),
        }
    }
}

impl HoSoError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            HoSoError::Procedures(e) => e.code(),
            HoSoError::Store(StoreError::SchemaTooNew { .. }) => "database_too_new",
            HoSoError::Store(_) => "storage",
            HoSoError::Conflict(_) => "ho_so_conflict",
            HoSoError::NotFound(_) => "ho_so_not_found",
            HoSoError::InvalidTransition { .. } => "ho_so_invalid_transition",
            HoSoError::UnknownStatus(_) => "ho_so_unknown_status",
            HoSoError::FormMissing(_) => "form_template_missing",
            HoSoError::FormTemplate { .. } => "form_template_invalid",
            HoSoError::FormInvalid(_) => "form_invalid",
            HoSoError::CitizenInput(_) => "citizen_input_invalid",
            HoSoError::InvalidInput { .. } => "invalid_input",
        }
    }

    /// Message for the clerk, in Vietnamese, saying what to do next.
    pub fn message_vi(&self) -> String {
        match self {
            HoSoError::Procedures(e) => e.message_vi(),
            HoSoError::Store(StoreError::SchemaTooNew { .. }) => {
                "Cơ sở dữ liệu do phiên bản mới hơn của ứng dụng tạo ra; hãy cập nhật ứng dụng."
                    .into()
            }
            HoSoError::Store(e) => {
                format!("Lỗi lưu trữ dữ liệu ({e}). Thử lại; nếu vẫn lỗi, báo quản trị viên.")
            }
            HoSoError::Conflict(_) => {
                "Hồ sơ vừa được cập nhật ở nơi khác. Mở lại hồ sơ rồi thao tác lại.".into()
            }
            HoSoError::NotFound(m) => {
                format!("Không tìm thấy hồ sơ {m}. Kiểm tra lại mã hồ sơ.")
            }
            HoSoError::InvalidTransition { from, to } => format!(
                "Không thể chuyển hồ sơ từ trạng thái \"{}\" sang \"{}\".",
                crate::status::label_vi_str(from),
                crate::status::label_vi_str(to)
            ),
            HoSoError::UnknownStatus(s) => format!(
                "Trạng thái \"{s}\" không hợp lệ. Dùng một trong: {}.",
                crate::status::all_names().join(", ")
            ),
            HoSoError::FormMissing(t) => format!(
                "Chưa có mẫu tờ khai \"{t}\". Bổ sung tệp seeds/forms/{t}.toml hoặc báo quản trị viên."
            ),
            HoSoError::FormTemplate { file, detail } => {
                format!("Mẫu tờ khai {file} không hợp lệ: {detail}")
            }
            HoSoError::FormInvalid(errs) => {
                let list: Vec<String> = errs
                    .iter()
                    .map(|e| format!("{}: {}", e.label_vi, e.message_vi))
                    .collect();
                format!("Tờ khai còn thông tin chưa hợp lệ — {}", list.join("; "))
            }
            HoSoError::CitizenInput(d) => format!(
                "Không đọc được thông tin công dân ({d}). Dùng kết quả của \"motcua card read --json\" hoặc đối tượng citizen của nó."
            ),
            HoSoError::InvalidInput { field, detail } => {
                format!("Giá trị \"{field}\" không hợp lệ: {detail}")
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, HoSoError>;
