//! DG15: the Active Authentication public key (SubjectPublicKeyInfo).

use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;

use crate::{dg_content, tlv, LdsError};

/// Parses DG15 (`6F { SubjectPublicKeyInfo }`); returns the SPKI DER (checked to decode).
pub fn parse_dg15(bytes: &[u8]) -> Result<Vec<u8>, LdsError> {
    let inner = dg_content(15, bytes)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(inner)?;
    Ok(spki.to_der()?)
}

/// Builds DG15 from a SubjectPublicKeyInfo DER (checked to decode).
pub fn build_dg15(spki_der: &[u8]) -> Result<Vec<u8>, LdsError> {
    SubjectPublicKeyInfoOwned::from_der(spki_der)?;
    Ok(tlv::encode(0x6F, spki_der))
}
