//! Sending one command over a [`Transport`] and collecting the whole response:
//! `61xx` is followed by GET RESPONSE until the card has no more, `6Cxx` is answered by
//! sending the same command again with the Le the card asked for.

use crate::apdu::{ApduError, Command, Response};
use crate::sw::StatusWord;
use crate::transport::{Transport, TransportError};

/// At most this many GET RESPONSE rounds for one command (a looping card stops here).
pub const MAX_GET_RESPONSE: usize = 64;

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The command could not be encoded, or the card's answer is not an APDU.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// The card kept answering 61xx.
    #[error("the card kept announcing more response data")]
    TooManyGetResponse,
}

impl ExchangeError {
    /// Stable identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Transport(e) => e.code(),
            Self::Apdu(e) => e.code(),
            Self::TooManyGetResponse => "apdu_get_response_loop",
        }
    }
    /// Vietnamese message for the clerk.
    pub fn message_vi(&self) -> &'static str {
        match self {
            Self::Transport(e) => e.message_vi(),
            Self::Apdu(e) => e.message_vi(),
            Self::TooManyGetResponse => {
                "Thẻ trả lời không đúng quy cách. Hãy đặt lại thẻ lên đầu đọc và thử lại."
            }
        }
    }
}

/// Sends `command`, then handles `61xx` and `6Cxx` as described in the module docs.
pub fn transmit<T: Transport + ?Sized>(
    transport: &mut T,
    command: &Command,
) -> Result<Response, ExchangeError> {
    let bytes = command.to_bytes()?;
    let mut response = Response::parse(&transport.transmit(&bytes)?)?;
    if let Some(le) = response.sw.correct_le() {
        let mut again = command.clone();
        again.le = Some(le);
        response = Response::parse(&transport.transmit(&again.to_bytes()?)?)?;
    }
    collect_get_response(transport, response, command.cla & 0x03)
}

/// Sends an already-encoded command APDU (for instance one wrapped by secure messaging) and
/// follows `61xx` with GET RESPONSE. `6Cxx` is returned as is: a raw command cannot be
/// re-encoded here.
pub fn transmit_raw<T: Transport + ?Sized>(
    transport: &mut T,
    command: &[u8],
) -> Result<Response, ExchangeError> {
    let response = Response::parse(&transport.transmit(command)?)?;
    let cla = command.first().copied().unwrap_or(0) & 0x03;
    collect_get_response(transport, response, cla)
}

fn collect_get_response<T: Transport + ?Sized>(
    transport: &mut T,
    mut response: Response,
    cla: u8,
) -> Result<Response, ExchangeError> {
    let mut rounds = 0;
    while let Some(available) = response.sw.bytes_available() {
        rounds += 1;
        if rounds > MAX_GET_RESPONSE {
            return Err(ExchangeError::TooManyGetResponse);
        }
        let get = Command::new(cla, 0xC0, 0, 0).with_le(available);
        let next = Response::parse(&transport.transmit(&get.to_bytes()?)?)?;
        response.data.extend_from_slice(&next.data);
        response.sw = next.sw;
    }
    if response.sw.sw1() == 0x61 {
        response.sw = StatusWord::OK;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card that answers 61xx in 3-byte slices and demands Le = 5 first.
    struct Chatty {
        pending: Vec<u8>,
        sent: Vec<Vec<u8>>,
    }

    impl Transport for Chatty {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(command.to_vec());
            let cmd = Command::parse(command).map_err(|e| TransportError::Other(e.to_string()))?;
            if cmd.ins == 0xC0 {
                let n = self.pending.len().min(3);
                let mut out: Vec<u8> = self.pending.drain(..n).collect();
                if self.pending.is_empty() {
                    out.extend_from_slice(&[0x90, 0x00]);
                } else {
                    out.extend_from_slice(&[0x61, self.pending.len() as u8]);
                }
                return Ok(out);
            }
            if cmd.le != Some(5) {
                return Ok(vec![0x6C, 0x05]);
            }
            self.pending = vec![1, 2, 3, 4, 5];
            Ok(vec![0x61, 0x05])
        }
    }

    #[test]
    fn follows_6c_and_61() {
        let mut card = Chatty {
            pending: Vec::new(),
            sent: Vec::new(),
        };
        let r = transmit(&mut card, &Command::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
        assert_eq!(r.data, [1, 2, 3, 4, 5]);
        assert!(r.is_ok());
        assert_eq!(card.sent.len(), 4);
        assert_eq!(card.sent[1], [0, 0xB0, 0, 0, 5]);
        assert_eq!(card.sent[2], [0, 0xC0, 0, 0, 5]);
    }

    struct Looping;
    impl Transport for Looping {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(vec![0x61, 0x01])
        }
    }

    #[test]
    fn stops_a_looping_card() {
        let err = transmit_raw(&mut Looping, &[0, 0xB0, 0, 0, 0]).unwrap_err();
        assert_eq!(err, ExchangeError::TooManyGetResponse);
        assert_eq!(err.code(), "apdu_get_response_loop");
    }
}
