//! The one error type of this crate, with stable codes and Vietnamese messages.

use iso7816::tlv::TlvError;
use iso7816::{ApduError, ExchangeError, StatusWord, TransportError};

/// Everything that can go wrong in access control, secure messaging and the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The transport failed (card removed, reader gone, timeout).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// An APDU could not be built or parsed.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// Malformed BER-TLV from the card or in a file.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// The card kept announcing more response data.
    #[error("the card kept announcing more response data")]
    GetResponseLoop,
    /// A secure messaging MAC or an authentication cryptogram did not verify.
    #[error("secure messaging MAC does not verify")]
    BadMac,
    /// Decrypted data lacks ISO 9797-1 method 2 padding, or data is not block-aligned.
    #[error("bad padding in encrypted data")]
    BadPadding,
    /// A mandatory data object is missing (e.g. DO'99 or DO'8E).
    #[error("secure messaging data object {0} missing")]
    MissingDo(&'static str),
    /// Input ended early or has the wrong length.
    #[error("truncated or mis-sized input: {0}")]
    Truncated(&'static str),
    /// Key bytes of the wrong length.
    #[error("invalid key")]
    InvalidKey,
    /// A command arrived without secure messaging where it is required (chip side).
    #[error("command is not protected by secure messaging")]
    NotProtected,
    /// The card answered an unexpected status word.
    #[error("card answered {0}")]
    Status(StatusWord),
    /// Access denied by the card (6982) to a file or step.
    #[error("access denied by the card ({0})")]
    AccessDenied(StatusWord),
    /// File not found (6A82).
    #[error("file not found")]
    FileNotFound,
    /// The access key (CAN or MRZ) is wrong: BAC or PACE mutual authentication failed.
    #[error("authentication failed: wrong CAN or MRZ data")]
    WrongAccessKey,
    /// The chip's own authentication token or cryptogram is wrong.
    #[error("the chip failed to authenticate")]
    ChipAuthenticationFailed,
    /// A protocol step was called out of order.
    #[error("protocol step out of order: {0}")]
    OutOfOrder(&'static str),
    /// An algorithm, OID or domain parameter this crate does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An elliptic-curve point is not on the curve, or is the identity.
    #[error("invalid elliptic-curve point")]
    InvalidPoint,
    /// DER structures that do not parse.
    #[error("malformed ASN.1: {0}")]
    Asn1(String),
    /// MRZ fields that are not valid (length, characters, date form).
    #[error("invalid MRZ data: {0}")]
    InvalidMrz(&'static str),
    /// A CAN that is not 6 digits.
    #[error("invalid CAN")]
    InvalidCan,
    /// Only a CAN was given and the card offers no PACE (BAC needs the MRZ).
    #[error("the card does not support PACE; the MRZ is needed")]
    MrzRequired,
    /// The Active Authentication signature does not verify (possible clone).
    #[error("active authentication signature invalid")]
    ActiveAuthenticationFailed,
    /// The chip authentication key data of DG14 is unusable.
    #[error("chip authentication not possible: {0}")]
    ChipAuthenticationUnavailable(&'static str),
    /// The session is closed after an earlier secure messaging failure.
    #[error("the secure channel is closed")]
    ChannelClosed,
}

impl From<ExchangeError> for Error {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Transport(t) => Error::Transport(t),
            ExchangeError::Apdu(a) => Error::Apdu(a),
            ExchangeError::TooManyGetResponse => Error::GetResponseLoop,
        }
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Asn1(e.to_string())
    }
}

impl Error {
    /// Stable snake_case identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Transport(e) => e.code(),
            Error::Apdu(e) => e.code(),
            Error::Tlv(e) => e.code(),
            Error::GetResponseLoop => "apdu_get_response_loop",
            Error::BadMac => "sm_bad_mac",
            Error::BadPadding => "sm_bad_padding",
            Error::MissingDo(_) => "sm_missing_do",
            Error::Truncated(_) => "data_truncated",
            Error::InvalidKey => "invalid_key",
            Error::NotProtected => "sm_not_protected",
            Error::Status(_) => "card_status",
            Error::AccessDenied(_) => "access_denied",
            Error::FileNotFound => "file_not_found",
            Error::WrongAccessKey => "wrong_access_key",
            Error::ChipAuthenticationFailed => "chip_not_authentic",
            Error::OutOfOrder(_) => "protocol_out_of_order",
            Error::Unsupported(_) => "unsupported_protocol",
            Error::InvalidPoint => "invalid_point",
            Error::Asn1(_) => "asn1_malformed",
            Error::InvalidMrz(_) => "invalid_mrz",
            Error::InvalidCan => "invalid_can",
            Error::MrzRequired => "mrz_required",
            Error::ActiveAuthenticationFailed => "active_auth_failed",
            Error::ChipAuthenticationUnavailable(_) => "chip_auth_unavailable",
            Error::ChannelClosed => "sm_channel_closed",
        }
    }

    /// Vietnamese message for the clerk: what happened and what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            Error::Transport(e) => e.message_vi(),
            Error::Apdu(e) => e.message_vi(),
            Error::Tlv(e) => e.message_vi(),
            Error::GetResponseLoop | Error::Status(_) | Error::OutOfOrder(_) | Error::Truncated(_) => {
                "Thẻ trả lời không đúng quy cách. Hãy đặt lại thẻ lên đầu đọc và đọc lại."
            }
            Error::BadMac | Error::BadPadding | Error::MissingDo(_) | Error::NotProtected | Error::ChannelClosed => {
                "Kênh bảo mật với thẻ bị gián đoạn (có thể do thẻ bị dịch chuyển). Hãy giữ yên thẻ trên đầu đọc và đọc lại."
            }
            Error::InvalidKey | Error::InvalidPoint | Error::Asn1(_) => {
                "Dữ liệu bảo mật của thẻ không hợp lệ. Hãy đọc lại; nếu vẫn lỗi, thẻ có thể bị hư hoặc không phải thẻ thật."
            }
            Error::AccessDenied(_) => {
                "Thẻ không cho phép đọc dữ liệu này. Đây là dữ liệu được bảo vệ; có thể bỏ qua phần này."
            }
            Error::FileNotFound => "Thẻ không có dữ liệu này. Có thể bỏ qua phần này.",
            Error::WrongAccessKey => {
                "Mã CAN hoặc thông tin MRZ không đúng. Hãy kiểm tra lại 6 số CAN in trên mặt thẻ (hoặc số thẻ, ngày sinh, ngày hết hạn) rồi thử lại."
            }
            Error::ChipAuthenticationFailed => {
                "Chip không chứng minh được là chip thật. Không nên tin dữ liệu của thẻ này; hãy báo cho cán bộ phụ trách."
            }
            Error::Unsupported(_) => {
                "Thẻ dùng giao thức bảo mật mà phần mềm chưa hỗ trợ. Hãy báo cho bộ phận kỹ thuật."
            }
            Error::InvalidMrz(_) => {
                "Thông tin MRZ không hợp lệ. Hãy nhập đúng số thẻ và ngày sinh, ngày hết hạn theo dạng YYMMDD."
            }
            Error::InvalidCan => "Mã CAN phải gồm đúng 6 chữ số in trên mặt trước của thẻ. Hãy nhập lại.",
            Error::MrzRequired => {
                "Thẻ này không hỗ trợ đọc bằng mã CAN. Hãy nhập thông tin MRZ (số thẻ, ngày sinh, ngày hết hạn) ở mặt sau thẻ."
            }
            Error::ActiveAuthenticationFailed => {
                "Chữ ký của chip không hợp lệ: thẻ có thể là thẻ sao chép. Không sử dụng dữ liệu; hãy báo cho cán bộ phụ trách."
            }
            Error::ChipAuthenticationUnavailable(_) => {
                "Không xác thực được chip do dữ liệu khóa của thẻ không dùng được. Hãy đọc lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật."
            }
        }
    }

    /// The status word a chip answers (in the clear) when this error happens while it
    /// processes a command: 6988 for secure messaging faults, 6300 for failed authentication.
    pub fn chip_status(&self) -> StatusWord {
        match self {
            Error::BadMac | Error::BadPadding => StatusWord::SM_DO_INCORRECT,
            Error::MissingDo(_) | Error::NotProtected => StatusWord::SM_DO_MISSING,
            Error::WrongAccessKey | Error::ChipAuthenticationFailed => {
                StatusWord::VERIFICATION_FAILED
            }
            Error::OutOfOrder(_) => StatusWord::CONDITIONS_NOT_SATISFIED,
            Error::Unsupported(_) => StatusWord::REFERENCED_DATA_NOT_FOUND,
            Error::Apdu(_) | Error::Truncated(_) => StatusWord::WRONG_LENGTH,
            _ => StatusWord::WRONG_DATA,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_messages_vietnamese() {
        let all = [
            Error::Transport(TransportError::CardRemoved),
            Error::Apdu(ApduError::TooShort(1)),
            Error::Tlv(TlvError::Truncated),
            Error::GetResponseLoop,
            Error::BadMac,
            Error::BadPadding,
            Error::MissingDo("8E"),
            Error::Truncated("x"),
            Error::InvalidKey,
            Error::NotProtected,
            Error::Status(StatusWord::UNKNOWN),
            Error::AccessDenied(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
            Error::FileNotFound,
            Error::WrongAccessKey,
            Error::ChipAuthenticationFailed,
            Error::OutOfOrder("x"),
            Error::Unsupported("x".into()),
            Error::InvalidPoint,
            Error::Asn1("x".into()),
            Error::InvalidMrz("x"),
            Error::InvalidCan,
            Error::MrzRequired,
            Error::ActiveAuthenticationFailed,
            Error::ChipAuthenticationUnavailable("x"),
            Error::ChannelClosed,
        ];
        for e in &all {
            let c = e.code();
            assert!(
                !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{c}"
            );
            // Vietnamese text carries diacritics and ends as a sentence.
            let m = e.message_vi();
            assert!(!m.is_ascii() && m.ends_with('.'), "{m}");
        }
        assert_eq!(Error::WrongAccessKey.code(), "wrong_access_key");
        assert_eq!(
            Error::from(iso7816::ExchangeError::TooManyGetResponse),
            Error::GetResponseLoop
        );
    }
}
