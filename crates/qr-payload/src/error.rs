use serde::Serialize;

/// Which part of the card a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    IdNumber,
    OldIdNumber,
    FullName,
    DateOfBirth,
    Gender,
    Residence,
    IssueDate,
    FatherName,
    MotherName,
    Payload,
}

impl Field {
    /// The field's name as printed on the card.
    pub fn label_vi(self) -> &'static str {
        match self {
            Field::IdNumber => "Số định danh cá nhân",
            Field::OldIdNumber => "Số CMND cũ",
            Field::FullName => "Họ và tên",
            Field::DateOfBirth => "Ngày sinh",
            Field::Gender => "Giới tính",
            Field::Residence => "Nơi thường trú / nơi cư trú",
            Field::IssueDate => "Ngày cấp",
            Field::FatherName => "Họ tên cha",
            Field::MotherName => "Họ tên mẹ",
            Field::Payload => "Nội dung mã QR",
        }
    }
}

const SERIAL_HINT: &str = "Hãy chuyển máy quét sang chế độ USB-serial (COM ảo) hoặc quét bằng camera của ứng dụng, rồi quét lại.";

/// One problem found in a QR payload. A payload can have several; [`crate::parse`] reports all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload is empty")]
    Empty,
    #[error("the payload is not UTF-8 text")]
    NotUtf8,
    #[error("the payload contains control characters")]
    ControlCharacters,
    #[error("not an ID-card QR: {fields} '|'-separated fields")]
    NotIdentityQr { fields: usize },
    #[error("missing field {0:?}")]
    MissingField(Field),
    #[error("unrecognised field {value:?}")]
    UnrecognizedField { value: String },
    #[error("ID number {value:?} is not 12 digits")]
    IdNumberFormat { value: String },
    #[error("unknown province code {code} in the ID number")]
    ProvinceCode { code: String },
    #[error("ID number says birth year {id_year}, date of birth says {dob_year}")]
    IdBirthYearMismatch { id_year: String, dob_year: i32 },
    #[error("ID number's gender digit does not match the gender field")]
    IdGenderMismatch,
    #[error("old CMND number {value:?} is not 9 or 12 digits")]
    OldIdFormat { value: String },
    #[error("{field:?}: {value:?} is not a valid date ddMMyyyy")]
    DateInvalid { field: Field, value: String },
    #[error("{field:?} is in the future")]
    DateInFuture { field: Field },
    #[error("{field:?} is before 1900")]
    DateTooOld { field: Field },
    #[error("issue date is before the date of birth")]
    IssueBeforeBirth,
    #[error("{field:?}: {value:?} is not a name")]
    NameInvalid { field: Field, value: String },
    #[error("gender {value:?} is neither Nam nor Nữ")]
    GenderInvalid { value: String },
    #[error("{field:?}: Vietnamese letters were replaced by '?'")]
    DiacriticsLost { field: Field },
    #[error("{field:?}: Telex input-method residue in {word:?}")]
    TelexResidue { field: Field, word: String },
    #[error("{field:?}: garbled text (mojibake) that could not be repaired")]
    Mojibake { field: Field },
    #[error("two different values for {field:?}")]
    DuplicateField { field: Field },
}

impl PayloadError {
    /// Stable snake_case code for the UI and the JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::Empty => "empty",
            PayloadError::NotUtf8 => "not_utf8",
            PayloadError::ControlCharacters => "control_characters",
            PayloadError::NotIdentityQr { .. } => "not_identity_qr",
            PayloadError::MissingField(_) => "missing_field",
            PayloadError::UnrecognizedField { .. } => "unrecognized_field",
            PayloadError::IdNumberFormat { .. } => "id_number_format",
            PayloadError::ProvinceCode { .. } => "province_code",
            PayloadError::IdBirthYearMismatch { .. } => "id_birth_year_mismatch",
            PayloadError::IdGenderMismatch => "id_gender_mismatch",
            PayloadError::OldIdFormat { .. } => "old_id_format",
            PayloadError::DateInvalid { .. } => "date_invalid",
            PayloadError::DateInFuture { .. } => "date_in_future",
            PayloadError::DateTooOld { .. } => "date_too_old",
            PayloadError::IssueBeforeBirth => "issue_before_birth",
            PayloadError::NameInvalid { .. } => "name_invalid",
            PayloadError::GenderInvalid { .. } => "gender_invalid",
            PayloadError::DiacriticsLost { .. } => "diacritics_lost",
            PayloadError::TelexResidue { .. } => "telex_residue",
            PayloadError::Mojibake { .. } => "mojibake",
            PayloadError::DuplicateField { .. } => "duplicate_field",
        }
    }

    /// The field concerned, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            PayloadError::MissingField(f)
            | PayloadError::DateInvalid { field: f, .. }
            | PayloadError::DateInFuture { field: f }
            | PayloadError::DateTooOld { field: f }
            | PayloadError::NameInvalid { field: f, .. }
            | PayloadError::DiacriticsLost { field: f }
            | PayloadError::TelexResidue { field: f, .. }
            | PayloadError::Mojibake { field: f }
            | PayloadError::DuplicateField { field: f } => Some(*f),
            PayloadError::IdNumberFormat { .. }
            | PayloadError::ProvinceCode { .. }
            | PayloadError::IdBirthYearMismatch { .. }
            | PayloadError::IdGenderMismatch => Some(Field::IdNumber),
            PayloadError::OldIdFormat { .. } => Some(Field::OldIdNumber),
            PayloadError::IssueBeforeBirth => Some(Field::IssueDate),
            PayloadError::GenderInvalid { .. } => Some(Field::Gender),
            _ => None,
        }
    }

    /// Clear Vietnamese message, saying what to do next.
    pub fn message_vi(&self) -> String {
        match self {
            PayloadError::Empty => "Mã QR không có nội dung. Hãy quét lại mã QR trên thẻ.".into(),
            PayloadError::NotUtf8 => format!(
                "Nội dung mã QR không phải văn bản UTF-8 (dữ liệu nhị phân hoặc sai bảng mã). {SERIAL_HINT}"
            ),
            PayloadError::ControlCharacters => {
                "Nội dung mã QR chứa ký tự điều khiển lạ, không phải mã QR của thẻ căn cước. Hãy quét lại đúng mã QR trên thẻ.".into()
            }
            PayloadError::NotIdentityQr { fields } => format!(
                "Đây không phải mã QR của thẻ căn cước công dân / thẻ căn cước (có {fields} trường phân cách bằng '|'). Hãy quét mã QR in trên thẻ."
            ),
            PayloadError::MissingField(f) => format!(
                "Mã QR thiếu trường \"{}\". Hãy quét lại; nếu vẫn thiếu, nhập tay và đối chiếu với thẻ.",
                f.label_vi()
            ),
            PayloadError::UnrecognizedField { value } => format!(
                "Không nhận ra trường \"{value}\" trong mã QR. Hãy quét lại và kiểm tra thẻ bằng mắt."
            ),
            PayloadError::IdNumberFormat { value } => format!(
                "Số định danh \"{value}\" phải gồm đúng 12 chữ số. Hãy quét lại hoặc đọc thẻ bằng đầu đọc chip."
            ),
            PayloadError::ProvinceCode { code } => format!(
                "Mã tỉnh \"{code}\" ở 3 chữ số đầu của số định danh không tồn tại. Mã QR có thể bị sửa; hãy đọc thẻ bằng đầu đọc chip."
            ),
            PayloadError::IdBirthYearMismatch { id_year, dob_year } => format!(
                "Số định danh ghi năm sinh {id_year} nhưng ngày sinh là năm {dob_year}. Mã QR có thể bị sửa; hãy đọc thẻ bằng đầu đọc chip."
            ),
            PayloadError::IdGenderMismatch => {
                "Chữ số giới tính trong số định danh không khớp với giới tính ghi trong mã QR. Hãy đọc thẻ bằng đầu đọc chip để xác minh.".into()
            }
            PayloadError::OldIdFormat { value } => format!(
                "Số CMND cũ \"{value}\" phải gồm 9 hoặc 12 chữ số. Hãy quét lại và đối chiếu với thẻ."
            ),
            PayloadError::DateInvalid { field, value } => format!(
                "{} \"{value}\" không phải ngày hợp lệ (dạng ngày-tháng-năm ddMMyyyy). Hãy quét lại và đối chiếu với thẻ.",
                field.label_vi()
            ),
            PayloadError::DateInFuture { field } => format!(
                "{} nằm trong tương lai. Hãy kiểm tra đồng hồ máy tính và đối chiếu với thẻ.",
                field.label_vi()
            ),
            PayloadError::DateTooOld { field } => format!(
                "{} trước năm 1900, không hợp lệ. Hãy đối chiếu với thẻ.",
                field.label_vi()
            ),
            PayloadError::IssueBeforeBirth => {
                "Ngày cấp thẻ trước ngày sinh. Mã QR có thể bị sửa; hãy đọc thẻ bằng đầu đọc chip.".into()
            }
            PayloadError::NameInvalid { field, value } => format!(
                "{} \"{value}\" chứa ký tự không phải chữ cái. Hãy quét lại và đối chiếu với thẻ.",
                field.label_vi()
            ),
            PayloadError::GenderInvalid { value } => format!(
                "Giới tính \"{value}\" phải là \"Nam\" hoặc \"Nữ\". Nếu dấu tiếng Việt bị mất: {SERIAL_HINT}"
            ),
            PayloadError::DiacriticsLost { field } => format!(
                "{}: chữ có dấu tiếng Việt bị thay bằng dấu '?' (máy quét đang giả lập bàn phím). {SERIAL_HINT}",
                field.label_vi()
            ),
            PayloadError::TelexResidue { field, word } => format!(
                "{}: chữ \"{word}\" bị bộ gõ tiếng Việt (Telex/Unikey) biến đổi khi máy quét giả lập bàn phím. Tắt bộ gõ tiếng Việt, hoặc tốt hơn: {SERIAL_HINT}",
                field.label_vi()
            ),
            PayloadError::Mojibake { field } => format!(
                "{}: chữ tiếng Việt bị lỗi bảng mã và không khôi phục được. {SERIAL_HINT}",
                field.label_vi()
            ),
            PayloadError::DuplicateField { field } => format!(
                "Mã QR có hai giá trị khác nhau cho \"{}\". Hãy quét lại và đối chiếu với thẻ.",
                field.label_vi()
            ),
        }
    }
}

/// Every problem found in a payload, in field order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the ID-card QR payload: {}", .0.len(), codes(.0))]
pub struct PayloadErrors(pub Vec<PayloadError>);

fn codes(errors: &[PayloadError]) -> String {
    errors
        .iter()
        .map(PayloadError::code)
        .collect::<Vec<_>>()
        .join(", ")
}

impl PayloadErrors {
    pub fn iter(&self) -> impl Iterator<Item = &PayloadError> {
        self.0.iter()
    }
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(PayloadError::code).collect()
    }
    pub fn has(&self, code: &str) -> bool {
        self.0.iter().any(|e| e.code() == code)
    }
}
