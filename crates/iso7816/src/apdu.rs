//! Command and response APDUs (ISO/IEC 7816-4 §5.1), short and extended length.

use crate::sw::StatusWord;

/// Largest Le a short APDU can ask for (encoded as `00`).
pub const SHORT_LE_MAX: usize = 256;
/// Largest Le an extended APDU can ask for (encoded as `00 00`).
pub const EXTENDED_LE_MAX: usize = 65_536;
/// Largest command data field of a short APDU.
pub const SHORT_LC_MAX: usize = 255;
/// Largest command data field of an extended APDU.
pub const EXTENDED_LC_MAX: usize = 65_535;

/// Why bytes are not a valid APDU, or a command cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    /// Fewer than 4 header bytes (command) or 2 status bytes (response).
    #[error("APDU too short: {0} bytes")]
    TooShort(usize),
    /// The Lc/Le fields do not match the APDU length.
    #[error("APDU length fields do not match its {0} bytes")]
    BadLength(usize),
    /// The data field is longer than an extended APDU can carry.
    #[error("command data too long: {0} bytes")]
    DataTooLong(usize),
    /// Le is 0 or above 65536.
    #[error("Le out of range: {0}")]
    LeOutOfRange(usize),
}

impl ApduError {
    /// Stable identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort(_) => "apdu_too_short",
            Self::BadLength(_) => "apdu_bad_length",
            Self::DataTooLong(_) => "apdu_data_too_long",
            Self::LeOutOfRange(_) => "apdu_le_out_of_range",
        }
    }
    /// Vietnamese message for the clerk.
    pub fn message_vi(&self) -> &'static str {
        "Dữ liệu trao đổi với thẻ không hợp lệ. Hãy đặt lại thẻ lên đầu đọc và thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật."
    }
}

/// A command APDU. `le` is the number of response bytes expected: `None` for none,
/// `Some(n)` with `1 <= n <= 65536` (`256` and `65536` encode as zero bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data field (Lc is its length).
    pub data: Vec<u8>,
    /// Expected response length.
    pub le: Option<usize>,
}

impl Command {
    /// A command without data nor Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }
    /// Sets the data field.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }
    /// Sets Le.
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }
    /// The four header bytes.
    pub fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }
    /// Whether [`Command::to_bytes`] will use extended length fields.
    pub fn is_extended(&self) -> bool {
        self.data.len() > SHORT_LC_MAX || self.le.is_some_and(|le| le > SHORT_LE_MAX)
    }
    /// Encodes the APDU, choosing short length fields when both Lc and Le fit.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        self.encode(self.is_extended())
    }
    /// Encodes the APDU with extended length fields even when short ones would do
    /// (a case 1 command has no length field and is unchanged).
    pub fn to_bytes_extended(&self) -> Result<Vec<u8>, ApduError> {
        self.encode(true)
    }

    fn encode(&self, extended: bool) -> Result<Vec<u8>, ApduError> {
        let lc = self.data.len();
        if lc > EXTENDED_LC_MAX {
            return Err(ApduError::DataTooLong(lc));
        }
        if let Some(le) = self.le {
            if le == 0 || le > EXTENDED_LE_MAX {
                return Err(ApduError::LeOutOfRange(le));
            }
        }
        let mut out = Vec::with_capacity(4 + 3 + lc + 3);
        out.extend_from_slice(&self.header());
        if extended {
            if lc > 0 {
                out.push(0);
                out.extend_from_slice(&(lc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if lc == 0 {
                    out.push(0);
                }
                // 65536 encodes as 00 00.
                out.extend_from_slice(&((le % EXTENDED_LE_MAX) as u16).to_be_bytes());
            }
        } else {
            if lc > 0 {
                out.push(lc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                // 256 encodes as 00.
                out.push((le % SHORT_LE_MAX) as u8);
            }
        }
        Ok(out)
    }

    /// Parses a command APDU (chip side), cases 1 to 4, short or extended.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let n = bytes.len();
        let (header, body) = match bytes.split_first_chunk::<4>() {
            Some(split) => split,
            None => return Err(ApduError::TooShort(n)),
        };
        let mut cmd = Command::new(header[0], header[1], header[2], header[3]);
        match body {
            [] => {}
            [le] => cmd.le = Some(short_le(*le)),
            [0, rest @ ..] if !rest.is_empty() => {
                // Extended.
                match rest {
                    [a, b] => cmd.le = Some(extended_le(*a, *b)),
                    [a, b, tail @ ..] => {
                        let lc = usize::from(u16::from_be_bytes([*a, *b]));
                        if lc == 0 {
                            return Err(ApduError::BadLength(n));
                        }
                        if tail.len() == lc {
                            cmd.data = tail.to_vec();
                        } else if tail.len() == lc + 2 {
                            let (data, le) = tail.split_at(lc);
                            cmd.data = data.to_vec();
                            if let [x, y] = le {
                                cmd.le = Some(extended_le(*x, *y));
                            }
                        } else {
                            return Err(ApduError::BadLength(n));
                        }
                    }
                    _ => return Err(ApduError::BadLength(n)),
                }
            }
            [lc, tail @ ..] => {
                let lc = usize::from(*lc);
                if tail.len() == lc {
                    cmd.data = tail.to_vec();
                } else if tail.len() == lc + 1 {
                    let (data, le) = tail.split_at(lc);
                    cmd.data = data.to_vec();
                    if let [x] = le {
                        cmd.le = Some(short_le(*x));
                    }
                } else {
                    return Err(ApduError::BadLength(n));
                }
            }
        }
        Ok(cmd)
    }
}

fn short_le(b: u8) -> usize {
    if b == 0 {
        SHORT_LE_MAX
    } else {
        usize::from(b)
    }
}

fn extended_le(a: u8, b: u8) -> usize {
    match u16::from_be_bytes([a, b]) {
        0 => EXTENDED_LE_MAX,
        v => usize::from(v),
    }
}

/// A response APDU: data field and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// SW1 SW2.
    pub sw: StatusWord,
}

impl Response {
    /// A response with data and status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        Self {
            data: data.into(),
            sw,
        }
    }
    /// A bare status word.
    pub fn status(sw: StatusWord) -> Self {
        Self {
            data: Vec::new(),
            sw,
        }
    }
    /// Splits a response APDU into data and SW1 SW2.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        match bytes.split_last_chunk::<2>() {
            Some((data, [sw1, sw2])) => Ok(Self {
                data: data.to_vec(),
                sw: StatusWord::from_bytes(*sw1, *sw2),
            }),
            None => Err(ApduError::TooShort(bytes.len())),
        }
    }
    /// Data followed by SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
    /// Whether the status word is 9000.
    pub fn is_ok(&self) -> bool {
        self.sw == StatusWord::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_cases_short() {
        let c1 = Command::new(0x00, 0x84, 0, 0);
        assert_eq!(c1.to_bytes().unwrap(), [0, 0x84, 0, 0]);
        let c2 = Command::new(0x00, 0x84, 0, 0).with_le(8);
        assert_eq!(c2.to_bytes().unwrap(), [0, 0x84, 0, 0, 8]);
        let c3 = Command::new(0x00, 0xA4, 2, 0x0C).with_data([1, 0x1E]);
        assert_eq!(c3.to_bytes().unwrap(), [0, 0xA4, 2, 0x0C, 2, 1, 0x1E]);
        let c4 = Command::new(0x00, 0x82, 0, 0)
            .with_data([9; 3])
            .with_le(256);
        assert_eq!(c4.to_bytes().unwrap(), [0, 0x82, 0, 0, 3, 9, 9, 9, 0]);
        for c in [c1, c2, c3, c4] {
            assert_eq!(Command::parse(&c.to_bytes().unwrap()).unwrap(), c);
        }
    }

    #[test]
    fn four_cases_extended() {
        let c2 = Command::new(0x00, 0xB0, 0, 0).with_le(65_536);
        assert_eq!(c2.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0, 0, 0]);
        let c2b = Command::new(0x00, 0xB0, 0, 0).with_le(1000);
        assert_eq!(c2b.to_bytes().unwrap(), [0, 0xB0, 0, 0, 0, 0x03, 0xE8]);
        let c3 = Command::new(0x00, 0xD6, 0, 0).with_data(vec![7; 300]);
        let b3 = c3.to_bytes().unwrap();
        assert_eq!(&b3[4..7], &[0, 0x01, 0x2C]);
        assert_eq!(b3.len(), 307);
        let c4 = Command::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![1; 2])
            .with_le(512);
        let b4 = c4.to_bytes().unwrap();
        assert_eq!(b4, [0x0C, 0xB0, 0, 0, 0, 0, 2, 1, 1, 2, 0]);
        for c in [c2, c2b, c3, c4] {
            assert_eq!(Command::parse(&c.to_bytes().unwrap()).unwrap(), c);
        }
        let forced = Command::new(0, 0xB0, 0, 0)
            .with_le(256)
            .to_bytes_extended()
            .unwrap();
        assert_eq!(forced, [0, 0xB0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn bad_commands() {
        assert_eq!(Command::parse(&[0, 1, 2]), Err(ApduError::TooShort(3)));
        assert!(Command::parse(&[0, 1, 2, 3, 4, 1]).is_err());
        assert!(Command::parse(&[0, 1, 2, 3, 0, 0]).is_err());
        assert!(Command::parse(&[0, 1, 2, 3, 0, 0, 2, 1]).is_err());
        assert_eq!(
            Command::new(0, 0, 0, 0).with_le(0).to_bytes(),
            Err(ApduError::LeOutOfRange(0))
        );
        assert_eq!(
            Command::new(0, 0, 0, 0)
                .with_data(vec![0; 70_000])
                .to_bytes(),
            Err(ApduError::DataTooLong(70_000))
        );
    }

    /// Property: any valid command survives encode → parse, short or extended.
    #[test]
    fn random_commands_round_trip() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let len = match next() % 4 {
                0 => 0,
                1 => (next() % 256) as usize,
                2 => 250 + (next() % 20) as usize,
                _ => (next() % 1_000) as usize,
            };
            let le = match next() % 4 {
                0 => None,
                1 => Some(1 + (next() % 256) as usize),
                2 => Some(1 + (next() % 65_536) as usize),
                _ => Some(256 + (next() % 3) as usize),
            };
            let cmd = Command {
                cla: next() as u8,
                ins: next() as u8,
                p1: next() as u8,
                p2: next() as u8,
                data: (0..len).map(|_| next() as u8).collect(),
                le,
            };
            let bytes = cmd.to_bytes().unwrap();
            assert_eq!(Command::parse(&bytes).unwrap(), cmd, "{cmd:?}");
            assert_eq!(
                cmd.is_extended(),
                bytes.len() > 4 + 1 + len + 1 || (len == 0 && bytes.len() == 7)
            );
        }
    }

    #[test]
    fn responses() {
        let r = Response::parse(&[1, 2, 0x90, 0]).unwrap();
        assert_eq!(r.data, [1, 2]);
        assert!(r.is_ok());
        assert_eq!(r.to_bytes(), [1, 2, 0x90, 0]);
        assert_eq!(Response::parse(&[0x90]), Err(ApduError::TooShort(1)));
    }
}
