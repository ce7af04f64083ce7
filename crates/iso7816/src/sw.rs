//! Status words (SW1 SW2) and what they mean.

use core::fmt;

/// A status word: SW1 in the high byte, SW2 in the low byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: normal processing.
    pub const OK: Self = Self(0x9000);
    /// 6282: end of file reached before reading Le bytes.
    pub const END_OF_FILE: Self = Self(0x6282);
    /// 6300: verification failed (authentication failed).
    pub const VERIFICATION_FAILED: Self = Self(0x6300);
    /// 6700: wrong length.
    pub const WRONG_LENGTH: Self = Self(0x6700);
    /// 6882: secure messaging not supported.
    pub const SM_NOT_SUPPORTED: Self = Self(0x6882);
    /// 6982: security status not satisfied.
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    /// 6983: authentication method blocked.
    pub const AUTH_METHOD_BLOCKED: Self = Self(0x6983);
    /// 6985: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    /// 6986: command not allowed (no current EF).
    pub const COMMAND_NOT_ALLOWED: Self = Self(0x6986);
    /// 6987: expected secure messaging data objects missing.
    pub const SM_DO_MISSING: Self = Self(0x6987);
    /// 6988: secure messaging data objects incorrect.
    pub const SM_DO_INCORRECT: Self = Self(0x6988);
    /// 6A80: incorrect parameters in the data field.
    pub const WRONG_DATA: Self = Self(0x6A80);
    /// 6A82: file or application not found.
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    /// 6A86: incorrect parameters P1-P2.
    pub const WRONG_P1P2: Self = Self(0x6A86);
    /// 6A88: referenced data not found.
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    /// 6B00: wrong parameters (offset outside the EF).
    pub const WRONG_PARAMETERS: Self = Self(0x6B00);
    /// 6D00: instruction code not supported.
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    /// 6F00: no precise diagnosis.
    pub const UNKNOWN: Self = Self(0x6F00);

    /// Builds a status word from its two bytes.
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self(((sw1 as u16) << 8) | sw2 as u16)
    }
    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.0 as u8
    }
    /// The two bytes, SW1 first.
    pub const fn to_bytes(self) -> [u8; 2] {
        [self.sw1(), self.sw2()]
    }
    /// 9000, or 61xx (more data available), which are successes.
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }
    /// 62xx and 63xx: processed with a warning.
    pub const fn is_warning(self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }
    /// 61xx: `Some(n)` bytes still available through GET RESPONSE (0 means 256).
    pub const fn bytes_available(self) -> Option<usize> {
        if self.sw1() == 0x61 {
            Some(if self.sw2() == 0 {
                256
            } else {
                self.sw2() as usize
            })
        } else {
            None
        }
    }
    /// 6Cxx: `Some(n)`: wrong Le, the card wants exactly n (0 means 256).
    pub const fn correct_le(self) -> Option<usize> {
        if self.sw1() == 0x6C {
            Some(if self.sw2() == 0 {
                256
            } else {
                self.sw2() as usize
            })
        } else {
            None
        }
    }
    /// 63Cx: `Some(x)` tries left for a password (ISO 7816-4 counter).
    pub const fn retries_left(self) -> Option<u8> {
        if self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }
    /// An English description after ISO/IEC 7816-4 (for logs).
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x9000 => "normal processing",
            0x6281 => "part of returned data may be corrupted",
            0x6282 => "end of file reached before reading Le bytes",
            0x6283 => "selected file deactivated",
            0x6300 => "verification failed",
            0x6581 => "memory failure",
            0x6700 => "wrong length",
            0x6881 => "logical channel not supported",
            0x6882 => "secure messaging not supported",
            0x6981 => "command incompatible with file structure",
            0x6982 => "security status not satisfied",
            0x6983 => "authentication method blocked",
            0x6984 => "reference data not usable",
            0x6985 => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current EF)",
            0x6987 => "expected secure messaging data objects missing",
            0x6988 => "incorrect secure messaging data objects",
            0x6A80 => "incorrect parameters in the data field",
            0x6A81 => "function not supported",
            0x6A82 => "file or application not found",
            0x6A83 => "record not found",
            0x6A84 => "not enough memory space in the file",
            0x6A86 => "incorrect parameters P1-P2",
            0x6A88 => "referenced data not found",
            0x6B00 => "wrong parameters P1-P2 (offset outside the EF)",
            0x6D00 => "instruction code not supported or invalid",
            0x6E00 => "class not supported",
            0x6F00 => "no precise diagnosis",
            _ => match self.sw1() {
                0x61 => "more response data available",
                0x62 => "warning, non-volatile memory unchanged",
                0x63 if self.retries_left().is_some() => {
                    "verification failed, counter shows tries left"
                }
                0x63 => "warning, non-volatile memory changed",
                0x64 => "execution error, non-volatile memory unchanged",
                0x65 => "execution error, non-volatile memory changed",
                0x67 => "wrong length",
                0x68 => "functions in CLA not supported",
                0x69 => "command not allowed",
                0x6A => "wrong parameters",
                0x6C => "wrong Le field",
                _ => "unknown status word",
            },
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.meaning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let sw = StatusWord::from_bytes(0x61, 0x10);
        assert_eq!(sw.bytes_available(), Some(16));
        assert!(sw.is_success());
        assert_eq!(StatusWord::from_bytes(0x6C, 0x00).correct_le(), Some(256));
        assert_eq!(StatusWord::from_bytes(0x63, 0xC2).retries_left(), Some(2));
        assert_eq!(StatusWord::FILE_NOT_FOUND.to_bytes(), [0x6A, 0x82]);
        assert!(!StatusWord::SECURITY_STATUS_NOT_SATISFIED.is_success());
        assert_eq!(
            StatusWord(0x6982).meaning(),
            "security status not satisfied"
        );
        assert_eq!(format!("{}", StatusWord::OK), "9000 (normal processing)");
    }
}
