//! BER-TLV (ISO/IEC 7816-4 §5.2, X.690 subset): tags of 1 to 4 bytes, definite lengths of
//! up to 4 length bytes. Parsing never reads past its input and never panics.

use core::fmt;

/// Why bytes are not well-formed BER-TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ends inside a tag, a length or a value.
    #[error("TLV truncated")]
    Truncated,
    /// A tag longer than 4 bytes.
    #[error("TLV tag too long")]
    TagTooLong,
    /// Indefinite length (0x80) or more than 4 length bytes.
    #[error("unsupported TLV length form")]
    BadLength,
    /// A value whose length is larger than the remaining input.
    #[error("TLV length {0} exceeds the input")]
    LengthOverflow(usize),
}

impl TlvError {
    /// Stable identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Truncated => "tlv_truncated",
            Self::TagTooLong => "tlv_tag_too_long",
            Self::BadLength => "tlv_bad_length",
            Self::LengthOverflow(_) => "tlv_length_overflow",
        }
    }
    /// Vietnamese message for the clerk.
    pub fn message_vi(&self) -> &'static str {
        "Dữ liệu đọc từ thẻ bị hỏng hoặc không đúng định dạng. Hãy đọc lại thẻ; nếu vẫn lỗi, thẻ có thể bị hư."
    }
}

/// A BER tag, its bytes big-endian in a `u32` (e.g. `0x5F1F`, `0x7F49`, `0x61`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// The tag's first byte.
    pub fn first_byte(self) -> u8 {
        let bytes = self.0.to_be_bytes();
        bytes.iter().copied().find(|b| *b != 0).unwrap_or(0)
    }
    /// Constructed (bit 6 of the first byte set).
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }
    /// The tag's encoding (1 to 4 bytes).
    pub fn to_bytes(self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        bytes.get(skip..).unwrap_or(&[]).to_vec()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02X})", self.0)
    }
}

impl From<u32> for Tag {
    fn from(v: u32) -> Self {
        Self(v)
    }
}

/// A tag and length header, as read from the start of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// Bytes taken by tag and length.
    pub header_len: usize,
    /// Length of the value.
    pub value_len: usize,
}

impl Header {
    /// Header plus value: the whole TLV's size.
    pub fn total_len(&self) -> usize {
        self.header_len.saturating_add(self.value_len)
    }
}

/// One parsed TLV borrowing its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: &'a [u8],
}

impl fmt::Debug for Tlv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tlv({:02X}, {} bytes)", self.tag.0, self.value.len())
    }
}

impl<'a> Tlv<'a> {
    /// Iterates the TLVs inside this value (meaningful for constructed tags).
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter { rest: self.value }
    }
    /// The first child with `tag`, if any (errors if the value is malformed before it).
    pub fn child(&self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        find(self.value, tag)
    }
    /// Encodes this TLV again.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(self.tag.0, self.value)
    }
}

/// Reads a tag and length at the start of `input`; the value itself need not be present.
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let mut pos = 0usize;
    let first = *input.first().ok_or(TlvError::Truncated)?;
    let mut tag = u32::from(first);
    pos += 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated)?;
            pos += 1;
            if pos > 4 {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *input.get(pos).ok_or(TlvError::Truncated)?;
    pos += 1;
    let value_len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7F);
        if n == 0 || n > 4 {
            return Err(TlvError::BadLength);
        }
        let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated)?;
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    Ok(Header {
        tag: Tag(tag),
        header_len: pos,
        value_len,
    })
}

/// Parses one TLV at the start of `input`; returns it and the bytes after it.
pub fn parse(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let h = parse_header(input)?;
    let rest = input.get(h.header_len..).ok_or(TlvError::Truncated)?;
    if h.value_len > rest.len() {
        return Err(TlvError::LengthOverflow(h.value_len));
    }
    let (value, rest) = rest.split_at(h.value_len);
    Ok((Tlv { tag: h.tag, value }, rest))
}

/// Parses exactly one TLV spanning all of `input`.
pub fn parse_exact(input: &[u8]) -> Result<Tlv<'_>, TlvError> {
    let (tlv, rest) = parse(input)?;
    if rest.is_empty() {
        Ok(tlv)
    } else {
        Err(TlvError::LengthOverflow(rest.len()))
    }
}

/// Iterates consecutive TLVs; stops after the first error.
pub fn iter(input: &[u8]) -> TlvIter<'_> {
    TlvIter { rest: input }
}

/// The first TLV with `tag` among consecutive TLVs in `input`.
pub fn find(input: &[u8], tag: u32) -> Result<Option<Tlv<'_>>, TlvError> {
    for t in iter(input) {
        let t = t?;
        if t.tag.0 == tag {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// Iterator over consecutive TLVs (see [`iter`]).
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match parse(self.rest) {
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

/// Appends the encoding of a length (short form below 128, else long form).
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Encodes tag, length and value.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    encode_into(tag, value, &mut out);
    out
}

/// Appends tag, length and value to `out`.
pub fn encode_into(tag: u32, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&Tag(tag).to_bytes());
    encode_length(value.len(), out);
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_byte_tags_and_long_lengths() {
        let value = vec![0xAB; 300];
        let enc = encode(0x5F1F, &value);
        assert_eq!(&enc[..5], &[0x5F, 0x1F, 0x82, 0x01, 0x2C]);
        let (t, rest) = parse(&enc).unwrap();
        assert_eq!(t.tag, Tag(0x5F1F));
        assert_eq!(t.value.len(), 300);
        assert!(rest.is_empty());
        let h = parse_header(&enc[..5]).unwrap();
        assert_eq!(
            h,
            Header {
                tag: Tag(0x5F1F),
                header_len: 5,
                value_len: 300
            }
        );
        assert_eq!(encode(0x7F49, &[]), [0x7F, 0x49, 0x00]);
        assert_eq!(encode(0x9F8101, &[1]), [0x9F, 0x81, 0x01, 0x01, 0x01]);
        assert_eq!(
            parse(&[0x9F, 0x81, 0x01, 0x01, 0x01]).unwrap().0.tag,
            Tag(0x9F8101)
        );
    }

    #[test]
    fn constructed_iteration() {
        let inner = [encode(0x80, &[1]), encode(0x81, &[2, 3])].concat();
        let outer = encode(0x7C, &inner);
        let t = parse_exact(&outer).unwrap();
        assert!(t.tag.is_constructed());
        let kids: Vec<_> = t.children().collect::<Result<_, _>>().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1].value, &[2, 3]);
        assert_eq!(t.child(0x81).unwrap().unwrap().value, &[2, 3]);
        assert_eq!(t.child(0x82).unwrap(), None);
    }

    #[test]
    fn strict_bounds() {
        assert_eq!(parse(&[]).unwrap_err(), TlvError::Truncated);
        assert_eq!(parse(&[0x5F]).unwrap_err(), TlvError::Truncated);
        assert_eq!(
            parse(&[0x80, 0x03, 1, 2]).unwrap_err(),
            TlvError::LengthOverflow(3)
        );
        assert_eq!(parse(&[0x80, 0x80]).unwrap_err(), TlvError::BadLength);
        assert_eq!(
            parse(&[0x80, 0x85, 0, 0, 0, 0, 1]).unwrap_err(),
            TlvError::BadLength
        );
        assert_eq!(parse(&[0x80, 0x82, 0x01]).unwrap_err(), TlvError::Truncated);
        assert_eq!(
            parse(&[0x1F, 0x81, 0x81, 0x81, 0x01, 0x00]).unwrap_err(),
            TlvError::TagTooLong
        );
        assert!(parse_exact(&[0x80, 0x00, 0x00]).is_err());
        let mut it = iter(&[0x80, 0x01, 0x00, 0x81]);
        assert!(it.next().unwrap().is_ok());
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65_535, 65_536, 1 << 24] {
            let mut out = Vec::new();
            encode_length(len, &mut out);
            let mut tlv = vec![0x04];
            tlv.extend_from_slice(&out);
            let h = parse_header(&tlv).unwrap();
            assert_eq!(h.value_len, len, "length {len}");
            assert_eq!(h.header_len, 1 + out.len());
        }
    }

    /// Deterministic pseudo-random inputs (xorshift): parsing never panics and anything
    /// parsed re-encodes to a prefix of the input when the input used minimal lengths.
    #[test]
    fn random_inputs_never_panic_and_round_trip() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            for t in iter(&bytes).flatten() {
                let again = t.to_bytes();
                let back = parse_exact(&again).unwrap();
                assert_eq!(back, t);
            }
        }
        for _ in 0..2_000 {
            let tag = [0x04u32, 0x30, 0x5F01, 0x7F4E, 0x9F8101][(next() % 5) as usize];
            let len = (next() % 400) as usize;
            let value: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let enc = encode(tag, &value);
            let t = parse_exact(&enc).unwrap();
            assert_eq!((t.tag.0, t.value), (tag, value.as_slice()));
        }
    }
}
