//! The one error type of the app. It reaches the UI as `{ code, message }`: `code` is stable
//! snake_case for programs and tests, `message` is Vietnamese and says what to do next.

use serde::ser::SerializeStruct;

use crate::card::CardError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("no clerk is signed in")]
    NotSignedIn,
    #[error("the session is locked")]
    SessionLocked,
    #[error("administrator role required")]
    Forbidden,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("account locked until {until}")]
    AccountLocked { until: String },
    #[error("account deactivated")]
    AccountInactive,
    #[error("the first administrator already exists")]
    AlreadySetUp,
    #[error("no administrator yet")]
    NotSetUp,
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("username taken")]
    UsernameTaken,
    #[error("cannot deactivate own account")]
    CannotDeactivateSelf,
    #[error("clerk not found")]
    ClerkNotFound,
    #[error("card: {0}")]
    Card(#[from] CardError),
    #[error("not in demo mode")]
    NotDemo,
    #[error("database newer than the app")]
    DatabaseTooNew,
    #[error("storage: {0}")]
    Storage(String),
    #[error("internal: {0}")]
    Internal(String),
    /// An error of a domain crate (hồ sơ, documents, printing) with its own stable code and
    /// Vietnamese message.
    #[error("{code}: {detail}")]
    Domain {
        code: &'static str,
        message: String,
        detail: String,
    },
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "not_signed_in",
            AppError::SessionLocked => "session_locked",
            AppError::Forbidden => "forbidden",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::AccountLocked { .. } => "account_locked",
            AppError::AccountInactive => "account_inactive",
            AppError::AlreadySetUp => "already_set_up",
            AppError::NotSetUp => "not_set_up",
            AppError::InvalidInput { .. } => "invalid_input",
            AppError::UsernameTaken => "username_taken",
            AppError::CannotDeactivateSelf => "cannot_deactivate_self",
            AppError::ClerkNotFound => "clerk_not_found",
            AppError::Card(e) => e.code(),
            AppError::NotDemo => "not_demo",
            AppError::DatabaseTooNew => "database_too_new",
            AppError::Storage(_) => "storage",
            AppError::Internal(_) => "internal",
            AppError::Domain { code, .. } => code,
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            AppError::NotSignedIn => "Chưa đăng nhập. Hãy đăng nhập để tiếp tục.".into(),
            AppError::SessionLocked => {
                "Phiên làm việc đang khoá. Nhập mật khẩu để mở khoá.".into()
            }
            AppError::Forbidden => {
                "Chỉ quản trị viên được làm việc này. Hãy nhờ quản trị viên.".into()
            }
            AppError::InvalidCredentials => {
                "Sai tên đăng nhập hoặc mật khẩu. Kiểm tra lại (chú ý phím Caps Lock) rồi thử lại."
                    .into()
            }
            AppError::AccountLocked { until } => format!(
                "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần. Thử lại sau {until} hoặc nhờ quản trị viên mở khoá."
            ),
            AppError::AccountInactive => {
                "Tài khoản đã bị vô hiệu hoá. Liên hệ quản trị viên.".into()
            }
            AppError::AlreadySetUp => {
                "Đã có tài khoản quản trị. Hãy đăng nhập bằng tài khoản đó.".into()
            }
            AppError::NotSetUp => {
                "Chưa có tài khoản quản trị. Hãy tạo tài khoản quản trị đầu tiên.".into()
            }
            AppError::InvalidInput { field, reason } => format!("{field}: {reason}"),
            AppError::UsernameTaken => {
                "Tên đăng nhập đã có người dùng. Hãy chọn tên khác.".into()
            }
            AppError::CannotDeactivateSelf => {
                "Không thể tự vô hiệu hoá tài khoản đang đăng nhập.".into()
            }
            AppError::ClerkNotFound => "Không tìm thấy cán bộ này. Tải lại danh sách.".into(),
            AppError::Card(e) => e.message_vi(),
            AppError::NotDemo => "Chức năng này chỉ có ở chế độ mô phỏng.".into(),
            AppError::DatabaseTooNew => {
                "Dữ liệu được tạo bởi phiên bản mới hơn. Hãy cập nhật ứng dụng.".into()
            }
            AppError::Storage(_) => {
                "Lỗi lưu dữ liệu. Thử lại; nếu vẫn lỗi, báo bộ phận kỹ thuật.".into()
            }
            AppError::Internal(_) => {
                "Lỗi không mong muốn. Thử lại; nếu vẫn lỗi, báo bộ phận kỹ thuật.".into()
            }
            AppError::Domain { message, .. } => message.clone(),
        }
    }

    pub(crate) fn invalid(field: &str, reason: &str) -> Self {
        AppError::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::UsernameTaken => AppError::UsernameTaken,
            store::StoreError::SchemaTooNew { .. } => AppError::DatabaseTooNew,
            other => AppError::Storage(other.to_string()),
        }
    }
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("AppError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.message_vi())?;
        st.end()
    }
}

/// The wire form of [`AppError`], for the TypeScript bindings.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UiError {
    pub code: String,
    pub message: String,
}

impl From<&AppError> for UiError {
    fn from(e: &AppError) -> Self {
        UiError {
            code: e.code().into(),
            message: e.message_vi(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_code_and_vietnamese_message() {
        let v = serde_json::to_value(AppError::InvalidCredentials).unwrap();
        assert_eq!(v["code"], "invalid_credentials");
        assert!(v["message"].as_str().unwrap().contains("mật khẩu"));
        let v = serde_json::to_value(AppError::Card(CardError::CanRequired)).unwrap();
        assert_eq!(v["code"], "can_required");
    }
}
