use iso7816::TransportError;

/// Why a card read stopped. Failed verifications are not errors (see `Verification`); these
/// are the cases where there is no citizen to show.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The card left the reader, or the reader went away, during the read. Place it again.
    #[error(transparent)]
    Transport(TransportError),
    /// The CAN or MRZ data does not open this card.
    #[error("wrong access key")]
    WrongAccessKey,
    /// A CAN was given for a card without PACE.
    #[error("the card needs its MRZ data")]
    MrzRequired,
    /// No eMRTD application, or no Vietnamese data group: not a CCCD / thẻ căn cước.
    #[error("not a Vietnamese chip ID card")]
    NotVietnameseCard,
    /// DG13 could not be read as citizen data.
    #[error("citizen data (DG13) malformed: {0}")]
    CitizenData(String),
    /// Any other protocol failure.
    #[error(transparent)]
    Protocol(icao9303::Error),
    /// The operating system gave no random numbers.
    #[error("no system randomness: {0}")]
    NoEntropy(String),
}

impl ReadError {
    pub(crate) fn from_open(e: icao9303::Error) -> Self {
        match e {
            icao9303::Error::FileNotFound => ReadError::NotVietnameseCard,
            e => Self::from_read(e),
        }
    }

    pub(crate) fn from_read(e: icao9303::Error) -> Self {
        match e {
            icao9303::Error::Transport(t) => ReadError::Transport(t),
            icao9303::Error::WrongAccessKey => ReadError::WrongAccessKey,
            icao9303::Error::MrzRequired => ReadError::MrzRequired,
            e => ReadError::Protocol(e),
        }
    }

    /// Stable identifier for the UI, logs and the audit trail.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Transport(t) => t.code(),
            ReadError::WrongAccessKey => "wrong_access_key",
            ReadError::MrzRequired => "mrz_required",
            ReadError::NotVietnameseCard => "not_an_id_card",
            ReadError::CitizenData(_) => "citizen_data_malformed",
            ReadError::Protocol(e) => e.code(),
            ReadError::NoEntropy(_) => "no_entropy",
        }
    }

    /// What happened and what to do next, for the clerk.
    pub fn message_vi(&self) -> &'static str {
        match self {
            ReadError::Transport(t) => t.message_vi(),
            ReadError::WrongAccessKey => icao9303::Error::WrongAccessKey.message_vi(),
            ReadError::MrzRequired => icao9303::Error::MrzRequired.message_vi(),
            ReadError::NotVietnameseCard => {
                "Thẻ này không phải thẻ Căn cước công dân / thẻ căn cước gắn chip của Việt Nam. Hãy đặt đúng thẻ của công dân lên đầu đọc."
            }
            ReadError::CitizenData(_) => {
                "Dữ liệu công dân trong chip không đọc được. Hãy đọc lại; nếu vẫn lỗi, dùng mã QR trên thẻ hoặc nhập tay và đối chiếu thẻ."
            }
            ReadError::Protocol(e) => e.message_vi(),
            ReadError::NoEntropy(_) => {
                "Hệ điều hành không cấp được số ngẫu nhiên để mở kênh bảo mật. Hãy khởi động lại máy; nếu vẫn lỗi, báo bộ phận kỹ thuật."
            }
        }
    }

    /// True when placing the card again (or again with another key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ReadError::Transport(_) | ReadError::Protocol(_))
    }
}
