//! What an Answer To Reset says, as far as this transport needs it: the historical bytes and the
//! ISO 7816-4 "card capabilities" (extended Lc/Le support).
//!
//! Contactless cards reach PC/SC with an ATR the reader builds from the ATS (PC/SC part 3):
//! `3B 8n 80 01 <n historical bytes> TCK`.

/// The parts of an ATR this crate uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtrInfo {
    /// Historical bytes (for a contactless card: the ATS historical bytes).
    pub historical: Vec<u8>,
    /// The card declares extended Lc/Le support in its card-capabilities data object, if it has
    /// one (`None` when the ATR does not say).
    pub extended_length: Option<bool>,
    /// The ATR announces T=1.
    pub t1: bool,
    /// The ATR carries a TCK and it is correct (`None` when there is no TCK).
    pub tck_ok: Option<bool>,
}

/// Parses an ATR. Returns `None` when it is too short or its structure is inconsistent.
pub fn parse(atr: &[u8]) -> Option<AtrInfo> {
    let (&ts, rest) = atr.split_first()?;
    if ts != 0x3B && ts != 0x3F {
        return None;
    }
    let (&t0, mut rest) = rest.split_first()?;
    let hist_len = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut t1 = false;
    let mut needs_tck = false;
    let mut first_td = true;
    loop {
        for bit in [0x1u8, 0x2, 0x4] {
            if y & bit != 0 {
                rest = rest.get(1..)?;
            }
        }
        if y & 0x8 == 0 {
            break;
        }
        let (&td, r) = rest.split_first()?;
        rest = r;
        let protocol = td & 0x0F;
        if protocol == 1 {
            t1 = true;
        }
        if protocol != 0 || !first_td {
            // TCK is present unless only T=0 is indicated.
            needs_tck |= protocol != 0;
        }
        first_td = false;
        y = td >> 4;
    }
    let historical = rest.get(..hist_len)?.to_vec();
    rest = &rest[hist_len..];
    let tck_ok = if needs_tck {
        if rest.len() != 1 {
            return None;
        }
        Some(atr[1..].iter().fold(0u8, |a, b| a ^ b) == 0)
    } else {
        None
    };
    let extended_length = card_capabilities(&historical).map(|caps| caps & 0x40 != 0);
    Some(AtrInfo { historical, extended_length, t1, tck_ok })
}

/// Third software-function byte of the "card capabilities" compact-TLV object (tag 7) in the
/// historical bytes, if present.
fn card_capabilities(historical: &[u8]) -> Option<u8> {
    let (&category, mut objects) = historical.split_first()?;
    match category {
        0x80 => {}
        // Status indicator in the last three bytes, compact-TLV before it.
        0x00 => objects = objects.get(..objects.len().checked_sub(3)?)?,
        _ => return None,
    }
    while let Some((&tl, rest)) = objects.split_first() {
        let len = usize::from(tl & 0x0F);
        let value = rest.get(..len)?;
        if tl >> 4 == 0x7 {
            return value.get(2).copied();
        }
        objects = &rest[len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_tck(mut atr: Vec<u8>) -> Vec<u8> {
        let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
        atr.push(tck);
        atr
    }

    #[test]
    fn contactless_atr_with_extended_capabilities() {
        // 3B 8n 80 01 | 80 73 C0 21 C0 | TCK : compact TLV, card capabilities, 3rd byte has 0x40.
        let atr = with_tck(vec![0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xC0, 0x21, 0xC0]);
        let info = parse(&atr).unwrap();
        assert_eq!(info.historical, vec![0x80, 0x73, 0xC0, 0x21, 0xC0]);
        assert_eq!(info.extended_length, Some(true));
        assert!(info.t1);
        assert_eq!(info.tck_ok, Some(true));
    }

    #[test]
    fn capabilities_without_extended_bit_and_unknown_category() {
        let atr = with_tck(vec![0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0xC0, 0x21, 0x80]);
        assert_eq!(parse(&atr).unwrap().extended_length, Some(false));
        let atr = with_tck(vec![0x3B, 0x84, 0x80, 0x01, 0x11, 0x22, 0x33, 0x44]);
        assert_eq!(parse(&atr).unwrap().extended_length, None);
    }

    #[test]
    fn bad_tck_and_truncation_are_reported() {
        let mut atr = with_tck(vec![0x3B, 0x82, 0x80, 0x01, 0x80, 0x00]);
        *atr.last_mut().unwrap() ^= 0xFF;
        assert_eq!(parse(&atr).unwrap().tck_ok, Some(false));
        assert!(parse(&[0x3B, 0x88, 0x80]).is_none());
        assert!(parse(&[]).is_none());
        assert!(parse(&[0x12, 0x00]).is_none());
    }

    #[test]
    fn t0_only_atr_has_no_tck() {
        let info = parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert_eq!(info.historical, vec![0x14, 0x50]);
        assert_eq!(info.tck_ok, None);
        assert!(!info.t1);
    }
}
