use chrono::NaiveDate;

/// Errors of this crate. `code()` is stable (UI, logs); `message_vi()` is shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A seed file (embedded or operator-supplied) could not be parsed.
    #[error("seed file {file}: {detail}")]
    SeedParse { file: String, detail: String },
    /// A seed file parsed but breaks a rule (duplicate code, empty name, bad value…).
    #[error("seed file {file} invalid: {detail}")]
    SeedInvalid { file: String, detail: String },
    /// Reading the operator seed folder failed.
    #[error("reading {path}: {detail}")]
    SeedIo { path: String, detail: String },
    /// No procedure with this code in the catalog.
    #[error("unknown procedure {0}")]
    UnknownProcedure(String),
    /// Date outside the range the calendar handles (1900–2199).
    #[error("year {0} outside the supported calendar range")]
    YearOutOfRange(i32),
    /// The computed date ran past the supported range.
    #[error("due date beyond the supported range")]
    DueOutOfRange,
    /// A pause interval ends before it starts.
    #[error("pause interval ends before it starts")]
    InvalidPause,
    /// Mã định danh of the agency is malformed.
    #[error("invalid agency code {0:?}")]
    InvalidAgencyCode(String),
    /// Mã hồ sơ text is malformed.
    #[error("invalid file code {0:?}")]
    InvalidFileCode(String),
    /// All 9,999 numbers of the day are used.
    #[error("file numbers exhausted for {agency} on {date}")]
    SequenceExhausted { agency: String, date: NaiveDate },
    /// The address text is empty or has no administrative part.
    #[error("address has no administrative unit")]
    AddressEmpty,
    /// No legacy province matches.
    #[error("unknown province in address: {0:?}")]
    UnknownProvince(String),
    /// No legacy district of that province matches.
    #[error("unknown district in address: {0:?}")]
    UnknownDistrict(String),
    /// No legacy ward/commune of that district matches.
    #[error("unknown ward/commune in address: {0:?}")]
    UnknownWard(String),
}

impl Error {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::SeedParse { .. } => "seed_parse",
            Error::SeedInvalid { .. } => "seed_invalid",
            Error::SeedIo { .. } => "seed_io",
            Error::UnknownProcedure(_) => "unknown_procedure",
            Error::YearOutOfRange(_) => "year_out_of_range",
            Error::DueOutOfRange => "due_out_of_range",
            Error::InvalidPause => "invalid_pause",
            Error::InvalidAgencyCode(_) => "invalid_agency_code",
            Error::InvalidFileCode(_) => "invalid_file_code",
            Error::SequenceExhausted { .. } => "file_sequence_exhausted",
            Error::AddressEmpty => "address_empty",
            Error::UnknownProvince(_) => "address_unknown_province",
            Error::UnknownDistrict(_) => "address_unknown_district",
            Error::UnknownWard(_) => "address_unknown_ward",
        }
    }

    /// Message for the clerk, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Error::SeedParse { file, detail } => {
                format!("Không đọc được tệp dữ liệu {file}: {detail}")
            }
            Error::SeedInvalid { file, detail } => {
                format!("Tệp dữ liệu {file} không hợp lệ: {detail}")
            }
            Error::SeedIo { path, detail } => format!("Không đọc được {path}: {detail}"),
            Error::UnknownProcedure(c) => format!("Không có thủ tục mã {c} trong danh mục."),
            Error::YearOutOfRange(y) => {
                format!("Năm {y} nằm ngoài phạm vi lịch làm việc được hỗ trợ (1900–2199).")
            }
            Error::DueOutOfRange => {
                "Ngày hẹn trả vượt quá phạm vi lịch làm việc được hỗ trợ.".to_owned()
            }
            Error::InvalidPause => {
                "Khoảng thời gian tạm dừng (chờ bổ sung) có ngày kết thúc trước ngày bắt đầu."
                    .to_owned()
            }
            Error::InvalidAgencyCode(c) => format!("Mã định danh cơ quan \"{c}\" không hợp lệ."),
            Error::InvalidFileCode(c) => format!("Mã hồ sơ \"{c}\" không đúng định dạng."),
            Error::SequenceExhausted { agency, date } => format!(
                "Đã dùng hết 9.999 số hồ sơ của cơ quan {agency} trong ngày {}.",
                date.format("%d/%m/%Y")
            ),
            Error::AddressEmpty => "Địa chỉ không có tên xã/phường, huyện hoặc tỉnh.".to_owned(),
            Error::UnknownProvince(s) => {
                format!("Không nhận ra tỉnh/thành phố (trước 01/07/2025) trong địa chỉ: \"{s}\".")
            }
            Error::UnknownDistrict(s) => {
                format!("Không nhận ra quận/huyện (trước 01/07/2025) trong địa chỉ: \"{s}\".")
            }
            Error::UnknownWard(s) => {
                format!(
                    "Không nhận ra xã/phường/thị trấn (trước 01/07/2025) trong địa chỉ: \"{s}\"."
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_messages_vietnamese() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let all = [
            Error::SeedParse {
                file: "f".into(),
                detail: "d".into(),
            },
            Error::SeedInvalid {
                file: "f".into(),
                detail: "d".into(),
            },
            Error::SeedIo {
                path: "p".into(),
                detail: "d".into(),
            },
            Error::UnknownProcedure("x".into()),
            Error::YearOutOfRange(1800),
            Error::DueOutOfRange,
            Error::InvalidPause,
            Error::InvalidAgencyCode("x".into()),
            Error::InvalidFileCode("x".into()),
            Error::SequenceExhausted {
                agency: "a".into(),
                date: d,
            },
            Error::AddressEmpty,
            Error::UnknownProvince("x".into()),
            Error::UnknownDistrict("x".into()),
            Error::UnknownWard("x".into()),
        ];
        let mut codes = std::collections::HashSet::new();
        for e in &all {
            assert!(codes.insert(e.code()), "duplicate {}", e.code());
            assert!(e
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!e.message_vi().is_empty());
        }
        assert!(Error::SequenceExhausted {
            agency: "a".into(),
            date: d
        }
        .message_vi()
        .contains("01/01/2026"));
    }
}
