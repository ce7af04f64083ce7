//! EF.COM: LDS version, Unicode version and the list of present data groups.

use crate::dg::{dg_number_for_tag, dg_tag, unwrap_tag, TAG_COM};
use crate::{tlv, LdsError};

/// Parsed EF.COM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    /// `aabb` as stored, e.g. `"0107"` for LDS 1.7.
    pub lds_version: String,
    /// `aabbcc` as stored, e.g. `"040000"`.
    pub unicode_version: String,
    /// Data group numbers listed in tag `5C`, in file order (unknown tags dropped).
    pub data_groups: Vec<u8>,
}

/// Parses EF.COM (`60 { 5F01, 5F36, 5C }`).
pub fn parse_com(bytes: &[u8]) -> Result<Com, LdsError> {
    let inner = unwrap_tag(TAG_COM, bytes)?;
    let mut com = Com {
        lds_version: String::new(),
        unicode_version: String::new(),
        data_groups: Vec::new(),
    };
    let mut have_list = false;
    for t in tlv::iter(inner) {
        let t = t?;
        match t.tag {
            0x5F01 => com.lds_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5F36 => com.unicode_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5C => {
                have_list = true;
                com.data_groups = t
                    .value
                    .iter()
                    .filter_map(|b| dg_number_for_tag(*b))
                    .collect();
            }
            _ => {}
        }
    }
    if !have_list {
        return Err(LdsError::Missing("EF.COM tag list (5C)"));
    }
    Ok(com)
}

/// Builds EF.COM with LDS 1.7 / Unicode 4.0.0 listing `data_groups` (numbers 1..=16).
pub fn build_com(data_groups: &[u8]) -> Result<Vec<u8>, LdsError> {
    let tags = data_groups
        .iter()
        .map(|n| dg_tag(*n).ok_or_else(|| LdsError::InvalidInput(format!("no data group {n}"))))
        .collect::<Result<Vec<u8>, _>>()?;
    let mut inner = tlv::encode(0x5F01, b"0107");
    inner.extend(tlv::encode(0x5F36, b"040000"));
    inner.extend(tlv::encode(0x5C, &tags));
    Ok(tlv::encode(TAG_COM, &inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let b = build_com(&[1, 2, 13, 14, 15]).unwrap();
        assert_eq!(b[0], 0x60);
        let c = parse_com(&b).unwrap();
        assert_eq!(c.lds_version, "0107");
        assert_eq!(c.unicode_version, "040000");
        assert_eq!(c.data_groups, vec![1, 2, 13, 14, 15]);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(build_com(&[0]).is_err());
        assert!(parse_com(&[0x61, 0x00]).is_err());
        assert_eq!(
            parse_com(&[0x60, 0x00]).unwrap_err().code(),
            "lds_missing_element"
        );
    }
}
