//! EF.SOD: `77 { ContentInfo(SignedData(LDSSecurityObject)) }` — parse and build.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, PrintableString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::time::Time;
use x509_cert::Certificate;

use crate::algs::oid;
use crate::dg::{unwrap_tag, TAG_SOD};
use crate::{tlv, HashAlgorithm, LdsError, SignerKey};

/// `DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DataGroupHash {
    pub data_group_number: u8,
    pub data_group_hash_value: OctetString,
}

/// `LDSVersionInfo ::= SEQUENCE { ldsVersion, unicodeVersion }` (LDS 1.8, SOD v1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct LdsVersionInfo {
    pub lds_version: PrintableString,
    pub unicode_version: PrintableString,
}

/// `LDSSecurityObject` (ICAO 9303-10 §4.6.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct LdsSecurityObject {
    pub version: u8,
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub data_group_hash_values: Vec<DataGroupHash>,
    #[asn1(optional = "true")]
    pub lds_version_info: Option<LdsVersionInfo>,
}

/// A parsed EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    pub hash_algorithm: HashAlgorithm,
    /// DG number → hash as stored in the LDS security object.
    pub data_group_hashes: BTreeMap<u8, Vec<u8>>,
    /// `(ldsVersion, unicodeVersion)` when the SOD is version 1.
    pub lds_version: Option<(String, String)>,
    /// The eContent bytes (DER of the LDSSecurityObject) the message digest covers.
    pub econtent: Vec<u8>,
    /// The CMS SignedData (signer infos, embedded certificates).
    pub signed_data: SignedData,
    /// Certificates embedded in the SignedData (normally exactly the DS certificate).
    pub certificates: Vec<Certificate>,
    /// The first SignerInfo's signed attributes exactly as stored (re-tagged as a SET), when
    /// the SOD is DER. The signature is checked over these bytes first, so a SOD whose
    /// attributes are not in DER order still verifies.
    pub signed_attrs_raw: Option<Vec<u8>>,
}

impl Sod {
    /// The first (normally only) SignerInfo.
    pub fn signer_info(&self) -> Option<&SignerInfo> {
        self.signed_data.signer_infos.0.iter().next()
    }

    /// The signingTime signed attribute, if present and readable.
    pub fn signing_time(&self) -> Option<DateTime<Utc>> {
        let attrs = self.signer_info()?.signed_attrs.as_ref()?;
        let a = attrs.iter().find(|a| a.oid == oid::SIGNING_TIME)?;
        let v = a.values.iter().next()?;
        let t = v.decode_as::<Time>().ok()?;
        time_to_chrono(&t)
    }

    /// The Document Signer certificate that the SignerInfo points at (falls back to the first
    /// embedded certificate).
    pub fn ds_certificate(&self) -> Option<&Certificate> {
        let si = self.signer_info()?;
        let by_sid = self.certificates.iter().find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                c.tbs_certificate().issuer() == &isn.issuer
                    && c.tbs_certificate().serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                crate::trust::subject_key_id(c).is_some_and(|k| k == ski.0.as_bytes())
            }
        });
        by_sid.or_else(|| self.certificates.first())
    }
}

/// Converts an X.509 time to chrono.
pub fn time_to_chrono(t: &Time) -> Option<DateTime<Utc>> {
    let d = t.to_unix_duration();
    DateTime::from_timestamp(i64::try_from(d.as_secs()).ok()?, 0)
}

/// Parses EF.SOD. Fails on structure errors and on an unknown LDS hash algorithm; does not
/// verify anything (see [`crate::passive_auth`]).
pub fn parse_sod(bytes: &[u8]) -> Result<Sod, LdsError> {
    // `77 80 ... 00 00`: indefinite outer length, seen on BER-encoded SODs; the trailing
    // end-of-contents octets are left after the ContentInfo and tolerated below.
    let inner = if bytes.starts_with(&[0x77, 0x80]) {
        &bytes[2..]
    } else {
        unwrap_tag(TAG_SOD, bytes)?
    };
    let (sd, _rules) = decode_signed_data(inner)?;
    let signed_attrs_raw = raw_signed_attrs(inner);
    if sd.encap_content_info.econtent_type != oid::LDS_SECURITY_OBJECT {
        return Err(LdsError::Asn1(format!(
            "SOD eContentType {} is not the LDS security object",
            sd.encap_content_info.econtent_type
        )));
    }
    let econtent = econtent_bytes(&sd.encap_content_info)?;
    let lso = LdsSecurityObject::from_der(&econtent)
        .or_else(|e| LdsSecurityObject::from_ber(&econtent).map_err(|_| e))?;
    let hash_algorithm = HashAlgorithm::from_oid(&lso.hash_algorithm.oid).ok_or_else(|| {
        LdsError::UnsupportedAlgorithm(format!("LDS hash algorithm {}", lso.hash_algorithm.oid))
    })?;
    let mut data_group_hashes = BTreeMap::new();
    for h in &lso.data_group_hash_values {
        data_group_hashes.insert(
            h.data_group_number,
            h.data_group_hash_value.as_bytes().to_vec(),
        );
    }
    let certificates = sd
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Sod {
        hash_algorithm,
        data_group_hashes,
        lds_version: lso
            .lds_version_info
            .map(|v| (v.lds_version.to_string(), v.unicode_version.to_string())),
        econtent,
        signed_data: sd,
        certificates,
        signed_attrs_raw,
    })
}

/// Decodes a CMS ContentInfo(SignedData): strict DER first, then BER (indefinite lengths,
/// constructed OCTET STRINGs), as some issuers produce. Returns the rules that worked.
pub fn decode_signed_data(bytes: &[u8]) -> Result<(SignedData, der::EncodingRules), LdsError> {
    let (ci, rules) = match ContentInfo::from_der(bytes) {
        Ok(ci) => (ci, der::EncodingRules::Der),
        Err(e) => (
            decode_ber_prefix(bytes).map_err(|_| e)?,
            der::EncodingRules::Ber,
        ),
    };
    if ci.content_type != oid::SIGNED_DATA {
        return Err(LdsError::Asn1(format!(
            "content type {} is not signedData",
            ci.content_type
        )));
    }
    let sd = match ci.content.decode_as::<SignedData>() {
        Ok(sd) => sd,
        Err(e) => ci
            .content
            .decode_as_encoding::<SignedData>(der::EncodingRules::Ber)
            .map_err(|_| e)?,
    };
    Ok((sd, rules))
}

/// The signed attributes of the first SignerInfo as stored, re-tagged from `[0]` to SET
/// (what the signature covers), navigating the DER structure with `der`'s reader.
fn raw_signed_attrs(content_info: &[u8]) -> Option<Vec<u8>> {
    use der::asn1::AnyRef;
    use der::{Reader, SliceReader, Tag, Tagged};
    let ci = AnyRef::from_der(content_info).ok()?;
    let mut r = SliceReader::new(ci.value()).ok()?;
    let _content_type = AnyRef::decode(&mut r).ok()?;
    let explicit = AnyRef::decode(&mut r).ok()?;
    let sd = AnyRef::from_der(explicit.value()).ok()?;
    let mut r = SliceReader::new(sd.value()).ok()?;
    let mut signer_infos = None;
    while !r.is_finished() {
        let t = AnyRef::decode(&mut r).ok()?;
        if t.tag() == Tag::Set {
            signer_infos = Some(t); // the last SET: digestAlgorithms comes first
        }
    }
    let mut r = SliceReader::new(signer_infos?.value()).ok()?;
    let si = AnyRef::decode(&mut r).ok()?;
    let mut r = SliceReader::new(si.value()).ok()?;
    for _ in 0..3 {
        // version, sid, digestAlgorithm
        AnyRef::decode(&mut r).ok()?;
    }
    let attrs = AnyRef::decode(&mut r).ok()?;
    let tag = attrs.tag();
    if !(tag.is_context_specific() && tag.is_constructed() && tag.number().value() == 0) {
        return None;
    }
    AnyRef::new(Tag::Set, attrs.value()).ok()?.to_der().ok()
}

/// A BER ContentInfo at the start of `bytes`; what follows may only be end-of-contents /
/// padding octets (`00`, `FF`).
fn decode_ber_prefix(bytes: &[u8]) -> Result<ContentInfo, der::Error> {
    use der::Reader;
    let mut reader = der::SliceReader::new_with_encoding_rules(bytes, der::EncodingRules::Ber)?;
    let ci = ContentInfo::decode(&mut reader)?;
    let rest = reader.read_slice(reader.remaining_len())?;
    if rest.iter().any(|b| *b != 0x00 && *b != 0xFF) {
        return Err(der::ErrorKind::TrailingData {
            decoded: reader.position(),
            remaining: der::Length::ZERO,
        }
        .into());
    }
    Ok(ci)
}

/// The eContent OCTET STRING's bytes (a BER constructed OCTET STRING is accepted too).
pub fn econtent_bytes(eci: &EncapsulatedContentInfo) -> Result<Vec<u8>, LdsError> {
    let any = eci
        .econtent
        .as_ref()
        .ok_or(LdsError::Missing("SignedData eContent"))?;
    let os: OctetString = match any.decode_as::<OctetString>() {
        Ok(os) => os,
        Err(e) => any
            .decode_as_encoding::<OctetString>(der::EncodingRules::Ber)
            .map_err(|_| e)?,
    };
    Ok(os.into_bytes().into_vec())
}

/// Hashes each data group's raw bytes (the whole TLV, as read from the chip).
pub fn hash_data_groups(alg: HashAlgorithm, dgs: &BTreeMap<u8, Vec<u8>>) -> BTreeMap<u8, Vec<u8>> {
    dgs.iter().map(|(n, b)| (*n, alg.digest(b))).collect()
}

/// Options of [`build_sod_with`].
#[derive(Debug, Clone, Default)]
pub struct SodOptions {
    /// Adds a signingTime signed attribute.
    pub signing_time: Option<DateTime<Utc>>,
    /// Writes an LDS 1.8 (version 1) security object with this `(ldsVersion, unicodeVersion)`.
    pub lds_version: Option<(String, String)>,
    /// Leaves the DS certificate out of the SignedData (some states do; tests).
    pub omit_certificate: bool,
}

/// Builds EF.SOD: LDS security object with `dg_hashes` (DG number → hash made with `hash`),
/// signed by `key` whose certificate `ds_cert_der` is embedded. Signed attributes:
/// contentType and messageDigest. The signature uses `hash` too.
pub fn build_sod(
    hash: HashAlgorithm,
    dg_hashes: &BTreeMap<u8, Vec<u8>>,
    key: &SignerKey,
    ds_cert_der: &[u8],
) -> Result<Vec<u8>, LdsError> {
    build_sod_with(hash, dg_hashes, key, ds_cert_der, &SodOptions::default())
}

/// [`build_sod`] with options (signing time, LDS version info).
pub fn build_sod_with(
    hash: HashAlgorithm,
    dg_hashes: &BTreeMap<u8, Vec<u8>>,
    key: &SignerKey,
    ds_cert_der: &[u8],
    options: &SodOptions,
) -> Result<Vec<u8>, LdsError> {
    let mut values = Vec::with_capacity(dg_hashes.len());
    for (n, h) in dg_hashes {
        if !(1..=16).contains(n) {
            return Err(LdsError::InvalidInput(format!("no data group {n}")));
        }
        values.push(DataGroupHash {
            data_group_number: *n,
            data_group_hash_value: OctetString::new(h.clone())?,
        });
    }
    let lds_version_info = match &options.lds_version {
        None => None,
        Some((l, u)) => Some(LdsVersionInfo {
            lds_version: PrintableString::new(l)?,
            unicode_version: PrintableString::new(u)?,
        }),
    };
    let lso = LdsSecurityObject {
        version: u8::from(lds_version_info.is_some()),
        hash_algorithm: hash.algorithm_identifier(),
        data_group_hash_values: values,
        lds_version_info,
    };
    let ci = build_signed_data(
        oid::LDS_SECURITY_OBJECT,
        &lso.to_der()?,
        hash,
        key,
        ds_cert_der,
        options.signing_time,
        !options.omit_certificate,
    )?;
    Ok(tlv::encode(TAG_SOD, &ci))
}

fn attribute(o: ObjectIdentifier, value: Any) -> Result<Attribute, LdsError> {
    Ok(Attribute {
        oid: o,
        values: SetOfVec::try_from(vec![value])?,
    })
}

/// Builds a CMS ContentInfo(SignedData) DER with one signer (IssuerAndSerialNumber of
/// `signer_cert_der`, which is embedded), signed attributes contentType + messageDigest
/// (+ signingTime). Used for EF.SOD and for CSCA master lists. `embed_certificate` puts the
/// signer certificate into `certificates`.
pub fn build_signed_data(
    econtent_type: ObjectIdentifier,
    econtent: &[u8],
    hash: HashAlgorithm,
    key: &SignerKey,
    signer_cert_der: &[u8],
    signing_time: Option<DateTime<Utc>>,
    embed_certificate: bool,
) -> Result<Vec<u8>, LdsError> {
    let cert = Certificate::from_der(signer_cert_der)?;
    let mut attrs = vec![
        attribute(oid::CONTENT_TYPE, Any::encode_from(&econtent_type)?)?,
        attribute(
            oid::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(hash.digest(econtent))?)?,
        )?,
    ];
    if let Some(t) = signing_time {
        let secs = u64::try_from(t.timestamp())
            .map_err(|_| LdsError::InvalidInput("signing time before 1970".into()))?;
        let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))?;
        let time = if dt.year() < 2050 {
            Time::UtcTime(der::asn1::UtcTime::from_date_time(dt)?)
        } else {
            Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
        };
        attrs.push(attribute(oid::SIGNING_TIME, Any::encode_from(&time)?)?);
    }
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs)?;
    let signature = key.sign(hash, &signed_attrs.to_der()?)?;
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate().issuer().clone(),
            serial_number: cert.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: hash.algorithm_identifier(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: key.signature_algorithm(hash)?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![hash.algorithm_identifier()])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type,
            econtent: Some(Any::encode_from(&OctetString::new(econtent.to_vec())?)?),
        },
        certificates: if embed_certificate {
            Some(CertificateSet(SetOfVec::try_from(vec![
                CertificateChoices::Certificate(cert),
            ])?))
        } else {
            None
        },
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer])?),
    };
    let ci = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::encode_from(&sd)?,
    };
    Ok(ci.to_der()?)
}
