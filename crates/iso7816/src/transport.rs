/// What a reader and card pair can carry, as far as the transport knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Extended-length APDUs (Lc/Le up to 65535) are carried end to end.
    pub extended_length: bool,
    /// Largest command APDU the transport accepts, header included.
    pub max_command_len: usize,
    /// Largest response APDU (data + SW1 SW2) the transport can return.
    pub max_response_len: usize,
}

impl Default for Capabilities {
    /// Short APDUs only: 5 + 255 byte commands and 256 + 2 byte responses.
    fn default() -> Self {
        Self {
            extended_length: false,
            max_command_len: 261,
            max_response_len: 258,
        }
    }
}

/// Why an exchange with the card failed below the APDU level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card left the field (pulled away, or reset) during the exchange.
    #[error("the card was removed")]
    CardRemoved,
    /// The reader disappeared (unplugged) or the PC/SC service went away.
    #[error("the reader is not available")]
    ReaderUnavailable,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Any other failure of the transport, with its description.
    #[error("transport failure: {0}")]
    Other(String),
}

impl TransportError {
    /// Stable identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CardRemoved => "card_removed",
            Self::ReaderUnavailable => "reader_unavailable",
            Self::Timeout => "card_timeout",
            Self::Other(_) => "transport_failure",
        }
    }
    /// Vietnamese message for the clerk, saying what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            Self::CardRemoved => "Thẻ đã bị nhấc khỏi đầu đọc. Hãy đặt lại thẻ và giữ yên cho đến khi đọc xong.",
            Self::ReaderUnavailable => "Không tìm thấy đầu đọc thẻ. Hãy kiểm tra dây cắm đầu đọc rồi thử lại.",
            Self::Timeout => "Thẻ không trả lời kịp. Hãy đặt lại thẻ ngay giữa đầu đọc và thử lại.",
            Self::Other(_) => "Lỗi khi trao đổi với đầu đọc thẻ. Hãy thử lại; nếu vẫn lỗi, rút và cắm lại đầu đọc.",
        }
    }
}

/// A channel that carries one command APDU to a card and returns its whole response APDU
/// (response data followed by SW1 SW2). Implementations do the I/O; callers never do.
pub trait Transport {
    /// Sends `command` (a complete command APDU) and returns the response APDU, SW1 SW2 included.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// What this reader and card pair can carry.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Transport for Echo {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            let mut r = command.to_vec();
            r.extend_from_slice(&[0x90, 0x00]);
            Ok(r)
        }
    }

    #[test]
    fn boxed_and_borrowed_transports_forward() {
        let mut echo = Echo;
        let by_ref: &mut dyn Transport = &mut echo;
        assert_eq!(by_ref.transmit(&[1, 2]).unwrap(), vec![1, 2, 0x90, 0x00]);
        let mut boxed: Box<dyn Transport> = Box::new(Echo);
        assert_eq!(boxed.transmit(&[3]).unwrap(), vec![3, 0x90, 0x00]);
        assert!(!boxed.capabilities().extended_length);
    }
}
