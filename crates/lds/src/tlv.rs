//! ISO/IEC 7816-4 BER-TLV as used by the LDS wrappers (`60`, `61`, `5F1F`, `7F61`, ...).
//!
//! A thin LDS view over [`iso7816::tlv`], which owns the parsing and encoding: this module only
//! adds what data groups need (a padding byte is not a tag, trailing `00`/`FF` padding after a
//! data group is tolerated, the total size from a header prefix) and maps errors to
//! [`LdsError`]. ASN.1 content (CMS, X.509) goes through `der`.

use crate::LdsError;
use iso7816::tlv::{self as ber, TlvError};

/// One decoded TLV, borrowing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Raw tag bytes packed big-endian (`0x61`, `0x5F1F`).
    pub tag: u32,
    /// Bit 6 of the first tag byte.
    pub constructed: bool,
    /// The value bytes.
    pub value: &'a [u8],
}

impl<'a> From<ber::Tlv<'a>> for Tlv<'a> {
    fn from(t: ber::Tlv<'a>) -> Self {
        Tlv {
            tag: t.tag.0,
            constructed: t.tag.is_constructed(),
            value: t.value,
        }
    }
}

fn malformed(e: TlvError) -> LdsError {
    LdsError::MalformedTlv(match e {
        TlvError::Truncated => "truncated TLV",
        TlvError::TagTooLong => "tag too long",
        TlvError::BadLength => "unsupported length form",
        TlvError::LengthOverflow(_) => "value shorter than its length",
    })
}

/// Reads one TLV from the front of `input`; returns it and the remaining bytes.
pub fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), LdsError> {
    if matches!(input.first(), Some(0x00 | 0xFF)) {
        return Err(LdsError::MalformedTlv(
            "padding byte where a tag was expected",
        ));
    }
    let (t, rest) = ber::parse(input).map_err(malformed)?;
    Ok((t.into(), rest))
}

/// Total size (header + value) of the TLV that starts `prefix`, from its header alone, so a
/// reader can fetch a data group after reading its first bytes (4–6 are enough for LDS files).
/// `Ok(None)`: the prefix is too short to hold the whole header.
pub fn total_len(prefix: &[u8]) -> Result<Option<usize>, LdsError> {
    match ber::parse_header(prefix) {
        Ok(h) => h
            .header_len
            .checked_add(h.value_len)
            .map(Some)
            .ok_or(LdsError::MalformedTlv("length overflow")),
        Err(TlvError::Truncated) => Ok(None),
        Err(e) => Err(malformed(e)),
    }
}

/// Reads exactly one TLV that must fill `input` completely (trailing `00`/`FF` padding, as left
/// by some cards after the data group, is tolerated).
pub fn read_single(input: &[u8]) -> Result<Tlv<'_>, LdsError> {
    let (tlv, rest) = read_tlv(input)?;
    if rest.iter().any(|b| *b != 0x00 && *b != 0xFF) {
        return Err(LdsError::MalformedTlv("trailing bytes after the TLV"));
    }
    Ok(tlv)
}

/// Iterator over consecutive TLVs in a constructed value.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
}

/// Iterates over the TLVs of `input` (the value of a constructed TLV). Stops at the first error,
/// which it yields once.
pub fn iter(input: &[u8]) -> TlvIter<'_> {
    TlvIter { rest: input }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, LdsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read_tlv(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Finds the first child with `tag` among the TLVs of `input`.
pub fn find(input: &[u8], tag: u32) -> Result<Option<Tlv<'_>>, LdsError> {
    for t in iter(input) {
        let t = t?;
        if t.tag == tag {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// Appends the minimal encoding of `len` to `out`.
pub fn encode_len(len: usize, out: &mut Vec<u8>) {
    ber::encode_length(len, out);
}

/// Encodes `tag` (raw bytes packed in a `u32`), the minimal length and `value`.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    ber::encode(tag, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 300, 70_000] {
            let v = vec![0xABu8; len];
            let enc = encode(0x5F1F, &v);
            let t = read_single(&enc).unwrap();
            assert_eq!(t.tag, 0x5F1F);
            assert!(!t.constructed);
            assert_eq!(t.value.len(), len);
        }
    }

    #[test]
    fn non_minimal_long_form_is_accepted() {
        let t = read_single(&[0x61, 0x81, 0x02, 0x01, 0x02]).unwrap();
        assert_eq!(t.value, &[1, 2]);
        assert!(t.constructed);
        let t = read_single(&[0x7F, 0x61, 0x82, 0x00, 0x01, 0x09]).unwrap();
        assert_eq!(t.tag, 0x7F61);
        assert_eq!(t.value, &[9]);
    }

    #[test]
    fn total_len_from_a_prefix() {
        let dg = encode(0x75, &vec![0u8; 5000]);
        assert_eq!(total_len(&dg[..4]).unwrap(), Some(dg.len()));
        assert_eq!(total_len(&dg[..2]).unwrap(), None);
        assert_eq!(total_len(&[0x61, 0x05]).unwrap(), Some(7));
        assert_eq!(total_len(&[0x7F]).unwrap(), None);
        assert_eq!(total_len(&[]).unwrap(), None);
        assert!(total_len(&[0x61, 0x80]).is_err());
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(read_tlv(&[]).is_err());
        assert!(read_tlv(&[0x61]).is_err());
        assert!(read_tlv(&[0x61, 0x05, 1, 2]).is_err());
        assert!(read_tlv(&[0x61, 0x80, 0, 0]).is_err());
        assert!(read_tlv(&[0x61, 0x85, 0, 0, 0, 0, 1, 0]).is_err());
        assert!(read_tlv(&[0x5F, 0xFF, 0xFF, 0xFF, 0x01, 0x00]).is_err());
        assert!(read_tlv(&[0x61, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(read_single(&[0x61, 0x00, 0x02]).is_err());
        assert!(read_single(&[0x61, 0x00, 0x00, 0xFF]).is_ok());
    }
}
