use iso7816::TransportError;

/// Why a PC/SC operation failed. Reaches the UI through [`PcscError::code`] and
/// [`PcscError::message_vi`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PcscError {
    /// The PC/SC service (pcscd / Windows Smart Card service) is not running or went away.
    #[error("the PC/SC service is not running")]
    NoService,
    /// The service runs but no reader is connected.
    #[error("no card reader is connected")]
    NoReaders,
    /// The named reader is not (or no longer) known to the service.
    #[error("reader not found: {0}")]
    ReaderNotFound(String),
    /// The reader is there but holds no card.
    #[error("no card in the reader")]
    NoCard,
    /// The card left the reader (or was reset) during the operation.
    #[error("the card was removed")]
    CardRemoved,
    /// The reader disappeared during the operation.
    #[error("the reader is not available")]
    ReaderUnavailable,
    /// Another program holds the card exclusively.
    #[error("the card is in use by another program")]
    SharingViolation,
    /// The card does not answer (mute, or not a smart card the reader can talk to).
    #[error("the card does not respond")]
    CardUnresponsive,
    /// The wait was cancelled through a [`crate::Canceller`].
    #[error("cancelled")]
    Cancelled,
    /// Nothing happened before the timeout.
    #[error("timed out")]
    Timeout,
    /// Any other PC/SC failure, with its description.
    #[error("PC/SC failure: {0}")]
    Other(String),
}

impl PcscError {
    /// Stable snake_case code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            PcscError::NoService => "pcsc_no_service",
            PcscError::NoReaders => "pcsc_no_readers",
            PcscError::ReaderNotFound(_) => "pcsc_reader_not_found",
            PcscError::NoCard => "pcsc_no_card",
            PcscError::CardRemoved => "pcsc_card_removed",
            PcscError::ReaderUnavailable => "pcsc_reader_unavailable",
            PcscError::SharingViolation => "pcsc_sharing_violation",
            PcscError::CardUnresponsive => "pcsc_card_unresponsive",
            PcscError::Cancelled => "pcsc_cancelled",
            PcscError::Timeout => "pcsc_timeout",
            PcscError::Other(_) => "pcsc_other",
        }
    }

    /// Vietnamese message for the clerk, with what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            PcscError::NoService => {
                "Dịch vụ đọc thẻ thông minh chưa chạy. Hãy khởi động lại dịch vụ \
                 (pcscd trên Linux, Smart Card trên Windows) hoặc khởi động lại máy, rồi thử lại."
            }
            PcscError::NoReaders => {
                "Không tìm thấy đầu đọc thẻ. Hãy cắm đầu đọc vào máy tính rồi thử lại."
            }
            PcscError::ReaderNotFound(_) => {
                "Không tìm thấy đầu đọc thẻ đã chọn. Hãy kiểm tra dây cắm hoặc chọn đầu đọc khác."
            }
            PcscError::NoCard => "Chưa có thẻ trên đầu đọc. Hãy đặt thẻ căn cước lên đầu đọc.",
            PcscError::CardRemoved => {
                "Thẻ đã bị nhấc ra khi đang đọc. Hãy đặt lại thẻ và giữ yên cho đến khi đọc xong."
            }
            PcscError::ReaderUnavailable => {
                "Mất kết nối với đầu đọc thẻ. Hãy kiểm tra dây cắm, cắm lại đầu đọc rồi thử lại."
            }
            PcscError::SharingViolation => {
                "Thẻ đang được một chương trình khác sử dụng. Hãy đóng chương trình đó rồi thử lại."
            }
            PcscError::CardUnresponsive => {
                "Thẻ không phản hồi. Hãy nhấc thẻ ra, đặt lại ngay giữa đầu đọc rồi thử lại."
            }
            PcscError::Cancelled => "Đã hủy thao tác chờ thẻ.",
            PcscError::Timeout => "Hết thời gian chờ. Hãy đặt thẻ lên đầu đọc rồi thử lại.",
            PcscError::Other(_) => {
                "Lỗi khi giao tiếp với đầu đọc thẻ. Hãy rút và cắm lại đầu đọc rồi thử lại; \
                 nếu vẫn lỗi, hãy báo cho bộ phận kỹ thuật."
            }
        }
    }

    /// True when the PC/SC context itself is dead (service restarted or stopped) and must be
    /// re-established before anything else can work.
    pub(crate) fn context_is_dead(e: pcsc::Error) -> bool {
        matches!(
            e,
            pcsc::Error::NoService
                | pcsc::Error::ServiceStopped
                | pcsc::Error::InvalidHandle
                | pcsc::Error::Shutdown
                | pcsc::Error::CommError
        )
    }
}

impl From<pcsc::Error> for PcscError {
    fn from(e: pcsc::Error) -> Self {
        use pcsc::Error as E;
        match e {
            E::NoService | E::ServiceStopped | E::Shutdown | E::InvalidHandle => {
                PcscError::NoService
            }
            E::NoReadersAvailable => PcscError::NoReaders,
            E::UnknownReader | E::ReaderUnavailable | E::ReaderUnsupported => {
                PcscError::ReaderUnavailable
            }
            E::NoSmartcard => PcscError::NoCard,
            E::RemovedCard | E::ResetCard | E::UnpoweredCard => PcscError::CardRemoved,
            E::UnresponsiveCard | E::UnsupportedCard | E::CardUnsupported => {
                PcscError::CardUnresponsive
            }
            E::SharingViolation => PcscError::SharingViolation,
            E::Cancelled | E::SystemCancelled | E::CancelledByUser => PcscError::Cancelled,
            E::Timeout => PcscError::Timeout,
            other => PcscError::Other(other.to_string()),
        }
    }
}

/// Maps a PC/SC error seen while exchanging APDUs to the protocol layer's view.
pub(crate) fn transport_error(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        // The card left the field, was reset by someone else, or went mute mid-command (a
        // contactless card sliding away). Re-insert and connect again.
        // NotTransacted: the transaction vanished with the card that held it.
        E::RemovedCard | E::ResetCard | E::NoSmartcard | E::UnpoweredCard
        | E::UnresponsiveCard | E::NotTransacted => TransportError::CardRemoved,
        // The reader or the whole service went away.
        E::ReaderUnavailable | E::UnknownReader | E::NoService | E::ServiceStopped
        | E::InvalidHandle | E::Shutdown | E::NoReadersAvailable => {
            TransportError::ReaderUnavailable
        }
        E::Timeout => TransportError::Timeout,
        other => TransportError::Other(other.to_string()),
    }
}

impl From<PcscError> for TransportError {
    fn from(e: PcscError) -> Self {
        match e {
            PcscError::CardRemoved | PcscError::NoCard => TransportError::CardRemoved,
            PcscError::NoService
            | PcscError::NoReaders
            | PcscError::ReaderNotFound(_)
            | PcscError::ReaderUnavailable => TransportError::ReaderUnavailable,
            PcscError::Timeout => TransportError::Timeout,
            other => TransportError::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_and_service_loss_map_to_retryable_transport_errors() {
        assert_eq!(transport_error(pcsc::Error::RemovedCard), TransportError::CardRemoved);
        assert_eq!(transport_error(pcsc::Error::ResetCard), TransportError::CardRemoved);
        assert_eq!(transport_error(pcsc::Error::NoService), TransportError::ReaderUnavailable);
        assert_eq!(
            transport_error(pcsc::Error::ReaderUnavailable),
            TransportError::ReaderUnavailable
        );
        assert_eq!(transport_error(pcsc::Error::InvalidHandle), TransportError::ReaderUnavailable);
        assert!(matches!(transport_error(pcsc::Error::InvalidParameter), TransportError::Other(_)));
    }

    #[test]
    fn codes_are_unique_snake_case_and_messages_vietnamese() {
        let all = [
            PcscError::NoService,
            PcscError::NoReaders,
            PcscError::ReaderNotFound("x".into()),
            PcscError::NoCard,
            PcscError::CardRemoved,
            PcscError::ReaderUnavailable,
            PcscError::SharingViolation,
            PcscError::CardUnresponsive,
            PcscError::Cancelled,
            PcscError::Timeout,
            PcscError::Other("x".into()),
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            assert!(e.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!e.message_vi().is_ascii(), "{} message should be Vietnamese", e.code());
        }
    }
}
