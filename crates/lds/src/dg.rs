//! Data group numbers, their LDS tags, and the generic "bytes → tag check → content" step.

use crate::{tlv, LdsError};

/// Tag of EF.COM.
pub const TAG_COM: u32 = 0x60;
/// Tag of EF.SOD.
pub const TAG_SOD: u32 = 0x77;

const DG_TAGS: [u8; 16] = [
    0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70,
];

/// The LDS tag of data group `n` (1..=16): DG1 → `0x61`, DG2 → `0x75`, DG13 → `0x6D`, ...
pub fn dg_tag(n: u8) -> Option<u8> {
    DG_TAGS.get(usize::from(n).checked_sub(1)?).copied()
}

/// The data group number of an LDS tag (`0x61` → 1).
pub fn dg_number_for_tag(tag: u8) -> Option<u8> {
    DG_TAGS.iter().position(|t| *t == tag).map(|i| i as u8 + 1)
}

/// Checks that `bytes` is one TLV with `expected` tag and returns its value.
pub fn unwrap_tag(expected: u32, bytes: &[u8]) -> Result<&[u8], LdsError> {
    let t = tlv::read_single(bytes)?;
    if t.tag != expected {
        return Err(LdsError::UnexpectedTag {
            expected,
            found: t.tag,
        });
    }
    Ok(t.value)
}

/// The inner content of data group `dg` (1..=16): checks its tag and returns the value.
pub fn dg_content(dg: u8, bytes: &[u8]) -> Result<&[u8], LdsError> {
    let tag = dg_tag(dg).ok_or_else(|| LdsError::InvalidInput(format!("no data group {dg}")))?;
    unwrap_tag(u32::from(tag), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_both_ways() {
        assert_eq!(dg_tag(1), Some(0x61));
        assert_eq!(dg_tag(2), Some(0x75));
        assert_eq!(dg_tag(13), Some(0x6D));
        assert_eq!(dg_tag(14), Some(0x6E));
        assert_eq!(dg_tag(15), Some(0x6F));
        assert_eq!(dg_tag(0), None);
        assert_eq!(dg_tag(17), None);
        for n in 1..=16 {
            assert_eq!(dg_number_for_tag(dg_tag(n).unwrap()), Some(n));
        }
    }

    #[test]
    fn content_checks_the_tag() {
        assert_eq!(dg_content(13, &[0x6D, 0x01, 0xAA]).unwrap(), &[0xAA]);
        assert!(matches!(
            dg_content(13, &[0x6E, 0x01, 0xAA]),
            Err(LdsError::UnexpectedTag {
                expected: 0x6D,
                found: 0x6E
            })
        ));
    }
}
