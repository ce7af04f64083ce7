//! SecurityInfos (9303-11 §9.2, TR-03110 part 3 appendix A.1): the content of EF.CardAccess
//! and of DG14 (inside tag `6E`). Each SecurityInfo is `SEQUENCE { protocol OBJECT IDENTIFIER,
//! requiredData ANY, optionalData ANY OPTIONAL }`; known protocols decode into typed structs,
//! anything else (or anything that does not decode) is kept as raw DER.

use crate::crypto::Cipher;
use crate::ec::Curve;
use crate::error::Error;
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use iso7816::tlv;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// bsi-de 0.4.0.127.0.7.
pub const OID_BSI_DE: &str = "0.4.0.127.0.7";
/// id-PK (chip authentication public keys).
pub const OID_PK: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1");
/// id-PK-ECDH.
pub const OID_PK_ECDH: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.1.2");
/// id-TA.
pub const OID_TA: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.2");
/// id-CA.
pub const OID_CA: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3");
/// id-CA-ECDH-3DES-CBC-CBC.
pub const OID_CA_ECDH_3DES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.1");
/// id-CA-ECDH-AES-CBC-CMAC-128.
pub const OID_CA_ECDH_AES128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.2");
/// id-PACE.
pub const OID_PACE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4");
/// id-PACE-ECDH-GM-3DES-CBC-CBC.
pub const OID_PACE_ECDH_GM_3DES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.1");
/// id-PACE-ECDH-GM-AES-CBC-CMAC-128.
pub const OID_PACE_ECDH_GM_AES128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2");
/// id-PACE-ECDH-GM-AES-CBC-CMAC-192.
pub const OID_PACE_ECDH_GM_AES192: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.3");
/// id-PACE-ECDH-GM-AES-CBC-CMAC-256.
pub const OID_PACE_ECDH_GM_AES256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.4");
/// id-AA (ICAO).
pub const OID_AA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.5");
/// ecdsa-plain-SHA1 (BSI TR-03111).
pub const OID_ECDSA_PLAIN_SHA1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
/// ecdsa-plain-SHA224.
pub const OID_ECDSA_PLAIN_SHA224: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
/// ecdsa-plain-SHA256.
pub const OID_ECDSA_PLAIN_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
/// id-ecPublicKey.
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// rsaEncryption.
pub const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Cipher selected by the last arc of a PACE or CA protocol OID (1 = 3DES, 2/3/4 = AES).
pub fn cipher_of(protocol: &ObjectIdentifier) -> Option<Cipher> {
    match protocol.arcs().last()? {
        1 => Some(Cipher::Tdes),
        2 => Some(Cipher::Aes128),
        3 => Some(Cipher::Aes192),
        4 => Some(Cipher::Aes256),
        _ => None,
    }
}

fn is_child_of(oid: &ObjectIdentifier, parent: &ObjectIdentifier, depth: usize) -> bool {
    oid.len() == parent.len() + depth && oid.as_bytes().starts_with(parent.as_bytes())
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RawSecurityInfo {
    protocol: ObjectIdentifier,
    required: Any,
    optional: Option<Any>,
}

/// PACEInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PaceInfo {
    /// e.g. id-PACE-ECDH-GM-AES-CBC-CMAC-128.
    pub protocol: ObjectIdentifier,
    /// 2 for PACE v2.
    pub version: u32,
    /// Standardized domain parameter identifier (13 = brainpoolP256r1, 12 = P-256).
    pub parameter_id: Option<u32>,
}

impl PaceInfo {
    /// Generic Mapping over ECDH (`id-PACE-ECDH-GM-*`).
    pub fn is_ecdh_gm(&self) -> bool {
        self.protocol.arcs().nth(9) == Some(2) && is_child_of(&self.protocol, &OID_PACE, 2)
    }
    /// The cipher of the protocol.
    pub fn cipher(&self) -> Option<Cipher> {
        cipher_of(&self.protocol)
    }
    /// The curve of a standardized domain parameter this crate supports.
    pub fn curve(&self) -> Option<Curve> {
        self.parameter_id.and_then(Curve::from_parameter_id)
    }
    /// ECDH-GM with a supported cipher and curve.
    pub fn is_supported(&self) -> bool {
        self.is_ecdh_gm() && self.cipher().is_some() && self.curve().is_some()
    }
}

/// PACEDomainParameterInfo (explicit domain parameters; not used for standardized ones).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PaceDomainParameterInfo {
    /// e.g. id-PACE-ECDH-GM.
    pub protocol: ObjectIdentifier,
    /// The domain parameters.
    pub domain_parameter: AlgorithmIdentifierOwned,
    /// Identifier when several are offered.
    pub parameter_id: Option<u32>,
}

/// ChipAuthenticationInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ChipAuthenticationInfo {
    /// e.g. id-CA-ECDH-AES-CBC-CMAC-128.
    pub protocol: ObjectIdentifier,
    /// 1 for CA v1.
    pub version: u32,
    /// Key identifier when several keys exist.
    pub key_id: Option<u32>,
}

impl ChipAuthenticationInfo {
    /// The cipher of the protocol.
    pub fn cipher(&self) -> Option<Cipher> {
        cipher_of(&self.protocol)
    }
    /// ECDH-based CA (`id-CA-ECDH-*`).
    pub fn is_ecdh(&self) -> bool {
        self.protocol.arcs().nth(9) == Some(2) && is_child_of(&self.protocol, &OID_CA, 2)
    }
}

/// ChipAuthenticationPublicKeyInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ChipAuthenticationPublicKeyInfo {
    /// id-PK-ECDH or id-PK-DH.
    pub protocol: ObjectIdentifier,
    /// The chip's static public key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Key identifier when several keys exist.
    pub key_id: Option<u32>,
}

/// FileID of TerminalAuthenticationInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct FileId {
    /// File identifier (2 bytes).
    pub fid: OctetString,
    /// Short file identifier (1 byte).
    pub sfid: Option<OctetString>,
}

/// TerminalAuthenticationInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TerminalAuthenticationInfo {
    /// id-TA.
    pub protocol: ObjectIdentifier,
    /// 1 for TA v1.
    pub version: u32,
    /// EF.CVCA (version 1 only).
    pub ef_cvca: Option<FileId>,
}

/// ActiveAuthenticationInfo (9303-11 §9.2.7).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ActiveAuthenticationInfo {
    /// id-AA.
    pub protocol: ObjectIdentifier,
    /// 1.
    pub version: u32,
    /// For ECDSA: e.g. ecdsa-plain-SHA256.
    pub signature_algorithm: ObjectIdentifier,
}

/// One SecurityInfo.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum SecurityInfo {
    /// PACEInfo.
    Pace(PaceInfo),
    /// PACEDomainParameterInfo.
    PaceDomainParameter(PaceDomainParameterInfo),
    /// ChipAuthenticationInfo.
    ChipAuthentication(ChipAuthenticationInfo),
    /// ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    /// TerminalAuthenticationInfo.
    TerminalAuthentication(TerminalAuthenticationInfo),
    /// ActiveAuthenticationInfo.
    ActiveAuthentication(ActiveAuthenticationInfo),
    /// Anything else, as its DER encoding.
    Unknown(Vec<u8>),
}

impl SecurityInfo {
    /// Decodes one SecurityInfo from its DER (falls back to [`SecurityInfo::Unknown`]).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let raw = RawSecurityInfo::from_der(der)?;
        let p = &raw.protocol;
        let typed = if is_child_of(p, &OID_PACE, 2) {
            PaceInfo::from_der(der).ok().map(SecurityInfo::Pace)
        } else if is_child_of(p, &OID_PACE, 1) {
            PaceDomainParameterInfo::from_der(der)
                .ok()
                .map(SecurityInfo::PaceDomainParameter)
        } else if is_child_of(p, &OID_CA, 2) {
            ChipAuthenticationInfo::from_der(der)
                .ok()
                .map(SecurityInfo::ChipAuthentication)
        } else if is_child_of(p, &OID_PK, 1) {
            ChipAuthenticationPublicKeyInfo::from_der(der)
                .ok()
                .map(SecurityInfo::ChipAuthenticationPublicKey)
        } else if *p == OID_TA {
            TerminalAuthenticationInfo::from_der(der)
                .ok()
                .map(SecurityInfo::TerminalAuthentication)
        } else if *p == OID_AA {
            ActiveAuthenticationInfo::from_der(der)
                .ok()
                .map(SecurityInfo::ActiveAuthentication)
        } else {
            None
        };
        Ok(typed.unwrap_or_else(|| SecurityInfo::Unknown(der.to_vec())))
    }

    /// DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        Ok(match self {
            SecurityInfo::Pace(i) => i.to_der()?,
            SecurityInfo::PaceDomainParameter(i) => i.to_der()?,
            SecurityInfo::ChipAuthentication(i) => i.to_der()?,
            SecurityInfo::ChipAuthenticationPublicKey(i) => i.to_der()?,
            SecurityInfo::TerminalAuthentication(i) => i.to_der()?,
            SecurityInfo::ActiveAuthentication(i) => i.to_der()?,
            SecurityInfo::Unknown(raw) => raw.clone(),
        })
    }
}

/// The SecurityInfos of a file, with lookups.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct SecurityInfos(pub Vec<SecurityInfo>);

impl SecurityInfos {
    /// Parses `SET OF SecurityInfo` (EF.CardAccess). Bytes after the SET (padding seen on
    /// some cards) are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (set, _) = tlv::parse(bytes)?;
        if set.tag.0 != 0x31 {
            return Err(Error::Asn1("SecurityInfos is not a SET".into()));
        }
        let mut out = Vec::new();
        let mut rest = set.value;
        while !rest.is_empty() {
            let h = tlv::parse_header(rest)?;
            let (one, after) = rest.split_at(h.total_len().min(rest.len()));
            out.push(SecurityInfo::from_der(one)?);
            rest = after;
        }
        Ok(Self(out))
    }

    /// Parses DG14: SecurityInfos inside tag `6E`.
    pub fn parse_dg14(bytes: &[u8]) -> Result<Self, Error> {
        let (t, _) = tlv::parse(bytes)?;
        if t.tag.0 != 0x6E {
            return Err(Error::Asn1("DG14 does not start with tag 6E".into()));
        }
        Self::parse(t.value)
    }

    /// DER `SET OF` (elements sorted as DER requires).
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let mut elements = self
            .0
            .iter()
            .map(SecurityInfo::to_der)
            .collect::<Result<Vec<_>, _>>()?;
        elements.sort();
        Ok(tlv::encode(0x31, &elements.concat()))
    }

    /// DG14 file content: the SET inside tag `6E`.
    pub fn to_dg14(&self) -> Result<Vec<u8>, Error> {
        Ok(tlv::encode(0x6E, &self.to_der()?))
    }

    /// PACEInfos.
    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }
    /// The first PACEInfo this crate can run (ECDH-GM, supported cipher and curve),
    /// preferring AES.
    pub fn best_pace(&self) -> Option<&PaceInfo> {
        let mut supported: Vec<&PaceInfo> =
            self.pace_infos().filter(|p| p.is_supported()).collect();
        supported.sort_by_key(|p| p.cipher() == Some(Cipher::Tdes));
        supported.first().copied()
    }
    /// ChipAuthenticationInfos.
    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(p) => Some(p),
            _ => None,
        })
    }
    /// ChipAuthenticationPublicKeyInfos.
    pub fn chip_authentication_public_keys(
        &self,
    ) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(p) => Some(p),
            _ => None,
        })
    }
    /// The ActiveAuthenticationInfo, if any.
    pub fn active_authentication(&self) -> Option<&ActiveAuthenticationInfo> {
        self.0.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication(p) => Some(p),
            _ => None,
        })
    }
    /// The TerminalAuthenticationInfo, if any.
    pub fn terminal_authentication(&self) -> Option<&TerminalAuthenticationInfo> {
        self.0.iter().find_map(|i| match i {
            SecurityInfo::TerminalAuthentication(p) => Some(p),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;

    #[test]
    fn card_access_pace_aes128_brainpool() {
        // One PACEInfo: id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameter 13.
        let bytes = hex("3114301206 0A 04007F0007020204020202010202010D");
        let infos = SecurityInfos::parse(&bytes).unwrap();
        assert_eq!(infos.0.len(), 1);
        let p = infos.best_pace().unwrap();
        assert_eq!(p.protocol, OID_PACE_ECDH_GM_AES128);
        assert_eq!((p.version, p.parameter_id), (2, Some(13)));
        assert_eq!(p.curve(), Some(Curve::BrainpoolP256r1));
        assert_eq!(p.cipher(), Some(Cipher::Aes128));
        assert_eq!(infos.to_der().unwrap(), bytes);
    }

    #[test]
    fn all_kinds_round_trip_and_unknown_kept() {
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: OID_EC_PUBLIC_KEY,
                parameters: Some(Any::from(ObjectIdentifier::new_unwrap(
                    crate::ec::OID_BRAINPOOL_P256R1,
                ))),
            },
            subject_public_key: der::asn1::BitString::from_bytes(&[4; 65]).unwrap(),
        };
        let unknown = RawSecurityInfo {
            protocol: ObjectIdentifier::new_unwrap("1.2.3.4"),
            required: Any::from(der::asn1::Null),
            optional: None,
        }
        .to_der()
        .unwrap();
        let infos = SecurityInfos(vec![
            SecurityInfo::Pace(PaceInfo {
                protocol: OID_PACE_ECDH_GM_AES128,
                version: 2,
                parameter_id: Some(13),
            }),
            SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                protocol: OID_CA_ECDH_AES128,
                version: 1,
                key_id: None,
            }),
            SecurityInfo::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                protocol: OID_PK_ECDH,
                public_key: spki,
                key_id: Some(1),
            }),
            SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
                protocol: OID_TA,
                version: 1,
                ef_cvca: None,
            }),
            SecurityInfo::ActiveAuthentication(ActiveAuthenticationInfo {
                protocol: OID_AA,
                version: 1,
                signature_algorithm: OID_ECDSA_PLAIN_SHA256,
            }),
            SecurityInfo::Unknown(unknown),
        ]);
        let dg14 = infos.to_dg14().unwrap();
        assert_eq!(dg14.first(), Some(&0x6E));
        let back = SecurityInfos::parse_dg14(&dg14).unwrap();
        assert_eq!(back.0.len(), 6);
        for i in &infos.0 {
            assert!(back.0.contains(i), "{i:?} lost");
        }
        assert_eq!(back.chip_authentication_infos().count(), 1);
        assert!(back
            .chip_authentication_infos()
            .all(|c| c.is_ecdh() && c.cipher() == Some(Cipher::Aes128)));
        assert_eq!(
            back.active_authentication().unwrap().signature_algorithm,
            OID_ECDSA_PLAIN_SHA256
        );
    }

    #[test]
    fn malformed_inputs() {
        assert!(SecurityInfos::parse(&[]).is_err());
        assert!(SecurityInfos::parse(&[0x30, 0x00]).is_err());
        assert!(SecurityInfos::parse(&[0x31, 0x03, 0x30, 0x01, 0x06]).is_err());
        assert!(SecurityInfos::parse_dg14(&hex("3100")).is_err());
        assert_eq!(SecurityInfos::parse(&hex("3100")).unwrap().0.len(), 0);
    }
}
