//! Agency credential (PKCS#12 or a key outside the process, e.g. a PKCS#11 token) and the
//! detached CMS SignedData (CAdES signed attributes).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use lds::algs::oid;
use lds::{HashAlgorithm, SignerKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::{ExternalKeyError, SignError, SignOptions};

/// id-data (RFC 5652).
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-aa-signingCertificateV2 (RFC 5035).
const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// ESS `SigningCertificateV2` (RFC 5035).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// First entry: the signer certificate.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (not written).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// ESS `ESSCertIDv2`. `hash_algorithm` absent means SHA-256 (DEFAULT).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm; `None` = id-sha256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the DER certificate.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ESS `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// Issuer as GeneralNames.
    pub issuer: Vec<GeneralName>,
    /// Serial number.
    pub serial_number: SerialNumber,
}

/// A private key that signs outside this process (a PKCS#11 token, an HSM, ...).
///
/// Signatures use SHA-256 and come back in their CMS encoding: RSA PKCS#1 v1.5 signature
/// bytes, ECDSA as a DER `Ecdsa-Sig-Value`.
pub trait ExternalKey: Send + Sync {
    /// The SubjectPublicKeyInfo of the key (checked against the certificate).
    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, ExternalKeyError>;
    /// The signature AlgorithmIdentifier of [`ExternalKey::sign_sha256`] (e.g.
    /// sha256WithRSAEncryption with NULL parameters, ecdsa-with-SHA256 without).
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// Signs `data` hashed with SHA-256.
    fn sign_sha256(&self, data: &[u8]) -> Result<Vec<u8>, ExternalKeyError>;
    /// Short description for logs (no secrets), e.g. `"PKCS#11 RSA (token X)"`.
    fn describe(&self) -> String;
}

/// The signing key: in memory (RustCrypto, zeroized on drop) or outside the process.
enum CredentialKey {
    Software(Box<SignerKey>),
    External(Box<dyn ExternalKey>),
}

impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Software(k) => k.fmt(f),
            Self::External(k) => write!(f, "ExternalKey({})", k.describe()),
        }
    }
}

impl CredentialKey {
    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, SignError> {
        match self {
            Self::Software(k) => k
                .public_key_info()
                .map_err(|e| SignError::Certificate(e.to_string())),
            Self::External(k) => Ok(k.public_key_info()?),
        }
    }

    fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, SignError> {
        match self {
            Self::Software(k) => k
                .signature_algorithm(HashAlgorithm::Sha256)
                .map_err(cms_err),
            Self::External(k) => Ok(k.signature_algorithm()),
        }
    }

    fn sign_sha256(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Self::Software(k) => k.sign(HashAlgorithm::Sha256, data).map_err(cms_err),
            Self::External(k) => Ok(k.sign_sha256(data)?),
        }
    }
}

/// The agency's signing key and certificate chain.
pub struct SigningCredential {
    key: CredentialKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    chain: Vec<Certificate>,
}

impl std::fmt::Debug for SigningCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCredential")
            .field("key", &self.key)
            .field("subject", &self.subject())
            .finish()
    }
}

fn cms_err(e: impl std::fmt::Display) -> SignError {
    SignError::Cms(e.to_string())
}

impl SigningCredential {
    /// Opens a PKCS#12 file: the first private key with its chain (leaf first). ECDSA P-256
    /// keys sign with ECDSA-SHA256, RSA keys with PKCS#1 v1.5 SHA-256.
    pub fn from_pkcs12(p12: &[u8], password: &str) -> Result<Self, SignError> {
        let ks = p12_keystore::KeyStore::from_pkcs12(p12, password)
            .map_err(|e| SignError::Pkcs12(e.to_string()))?;
        let (_, chain) = ks.private_key_chain().ok_or(SignError::NoKey)?;
        let certs = chain.chain();
        let leaf = certs.first().ok_or(SignError::NoKey)?;
        let pkcs8 = Zeroizing::new(chain.key().to_vec());
        let key = key_from_pkcs8(&pkcs8)?;
        let rest: Vec<Vec<u8>> = certs[1..].iter().map(|c| c.as_der().to_vec()).collect();
        Self::from_parts(key, leaf.as_der(), &rest)
    }

    /// From an in-memory key and DER certificates (leaf, then the rest of the chain).
    pub fn from_parts(
        key: SignerKey,
        cert_der: &[u8],
        chain_der: &[Vec<u8>],
    ) -> Result<Self, SignError> {
        Self::with_key(CredentialKey::Software(Box::new(key)), cert_der, chain_der)
    }

    /// From a key outside the process (PKCS#11 token, ...) and DER certificates. The key must
    /// match the certificate, as for [`SigningCredential::from_parts`].
    pub fn from_external(
        key: Box<dyn ExternalKey>,
        cert_der: &[u8],
        chain_der: &[Vec<u8>],
    ) -> Result<Self, SignError> {
        Self::with_key(CredentialKey::External(key), cert_der, chain_der)
    }

    fn with_key(
        key: CredentialKey,
        cert_der: &[u8],
        chain_der: &[Vec<u8>],
    ) -> Result<Self, SignError> {
        let cert =
            Certificate::from_der(cert_der).map_err(|e| SignError::Certificate(e.to_string()))?;
        let spki = key.public_key_info()?;
        let cert_spki = &cert.tbs_certificate().subject_public_key_info();
        if spki.subject_public_key != cert_spki.subject_public_key
            || spki.algorithm.oid != cert_spki.algorithm.oid
        {
            return Err(SignError::Certificate(
                "key does not match certificate".into(),
            ));
        }
        let chain = chain_der
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SignError::Certificate(e.to_string()))?;
        Ok(Self {
            key,
            cert,
            cert_der: cert_der.to_vec(),
            chain,
        })
    }

    /// Signer certificate subject.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// Signer certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }
}

fn key_from_pkcs8(der: &[u8]) -> Result<SignerKey, SignError> {
    use p256::pkcs8::DecodePrivateKey as _;
    if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(SignerKey::EcdsaP256(k));
    }
    if let Ok(k) = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(der) {
        return Ok(SignerKey::RsaPkcs1v15(Box::new(k)));
    }
    Err(SignError::UnsupportedKey("not ECDSA P-256 or RSA".into()))
}

fn attribute(o: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid: o,
        values: SetOfVec::try_from(vec![value]).map_err(cms_err)?,
    })
}

fn signing_certificate_v2(
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<SigningCertificateV2, SignError> {
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(cert_der).to_vec()).map_err(cms_err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate().issuer().clone(),
                )],
                serial_number: cert.tbs_certificate().serial_number().clone(),
            }),
        }],
        policies: None,
    })
}

/// Builds the DER `ContentInfo(SignedData)`, detached, over content whose SHA-256 is `digest`.
pub fn build_cms(
    digest: &[u8; 32],
    cred: &SigningCredential,
    opts: &SignOptions,
) -> Result<Vec<u8>, SignError> {
    let hash = HashAlgorithm::Sha256;
    let mut attrs = vec![
        attribute(
            oid::CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(cms_err)?,
        )?,
        attribute(
            oid::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(cms_err)?)
                .map_err(cms_err)?,
        )?,
        attribute(
            ID_AA_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate_v2(&cred.cert, &cred.cert_der)?)
                .map_err(cms_err)?,
        )?,
    ];
    if opts.cms_signing_time {
        let secs = u64::try_from(opts.signing_time.timestamp())
            .map_err(|_| SignError::InvalidOption("signing_time"))?;
        let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
            .map_err(cms_err)?;
        let time = if dt.year() < 2050 {
            Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).map_err(cms_err)?)
        } else {
            Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
        };
        attrs.push(attribute(
            oid::SIGNING_TIME,
            Any::encode_from(&time).map_err(cms_err)?,
        )?);
    }
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).map_err(cms_err)?;
    let signature = cred
        .key
        .sign_sha256(&signed_attrs.to_der().map_err(cms_err)?)?;
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cred.cert.tbs_certificate().issuer().clone(),
            serial_number: cred.cert.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: hash.algorithm_identifier(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: cred.key.signature_algorithm()?,
        signature: OctetString::new(signature).map_err(cms_err)?,
        unsigned_attrs: None,
    };
    let mut certs = vec![CertificateChoices::Certificate(cred.cert.clone())];
    certs.extend(
        cred.chain
            .iter()
            .cloned()
            .map(CertificateChoices::Certificate),
    );
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![hash.algorithm_identifier()])
            .map_err(cms_err)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(cms_err)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(cms_err)?),
    };
    ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(cms_err)?,
    }
    .to_der()
    .map_err(cms_err)
}

/// The DER CMS at the start of a zero-padded `/Contents` value.
pub fn cms_der(contents: &[u8]) -> Result<&[u8], SignError> {
    let mut r = der::SliceReader::new(contents).map_err(|e| SignError::Verify(e.to_string()))?;
    let header = der::Header::decode(&mut r).map_err(|e| SignError::Verify(e.to_string()))?;
    let hl = usize::try_from(
        header
            .encoded_len()
            .map_err(|e| SignError::Verify(e.to_string()))?,
    )
    .map_err(|e| SignError::Verify(e.to_string()))?;
    let bl = usize::try_from(header.length()).map_err(|e| SignError::Verify(e.to_string()))?;
    contents
        .get(..hl + bl)
        .ok_or_else(|| SignError::Verify("truncated CMS".into()))
}

fn verr(e: impl std::fmt::Display) -> SignError {
    SignError::Verify(e.to_string())
}

/// Verifies a detached CMS over content with SHA-256 `digest`; returns the signer subject and
/// whether a trust anchor issued the signer certificate.
pub(crate) fn verify_cms(
    contents: &[u8],
    digest: &[u8; 32],
    anchors: &[Vec<u8>],
) -> Result<(String, bool), SignError> {
    let ci = ContentInfo::from_der(cms_der(contents)?).map_err(verr)?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(verr("not SignedData"));
    }
    let sd: SignedData = ci.content.decode_as().map_err(verr)?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(verr("not detached"));
    }
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| verr("no signer"))?;
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(verr("signer not identified by issuer and serial"));
    };
    let cert = sd
        .certificates
        .iter()
        .flat_map(|cs| cs.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .find(|c| {
            c.tbs_certificate().issuer() == &ias.issuer
                && c.tbs_certificate().serial_number() == &ias.serial_number
        })
        .ok_or_else(|| verr("signer certificate not embedded"))?;
    let hash =
        HashAlgorithm::from_oid(&si.digest_alg.oid).ok_or_else(|| verr("digest algorithm"))?;
    if hash != HashAlgorithm::Sha256 {
        return Err(verr("digest algorithm other than SHA-256"));
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| verr("no signed attributes"))?;
    let find = |o: ObjectIdentifier| -> Result<&Any, SignError> {
        let mut it = attrs.iter().filter(|a| a.oid == o);
        let a = it
            .next()
            .ok_or_else(|| verr(format!("attribute {o} missing")))?;
        if it.next().is_some() || a.values.len() != 1 {
            return Err(verr(format!("attribute {o} repeated")));
        }
        a.values
            .iter()
            .next()
            .ok_or_else(|| verr("empty attribute"))
    };
    let ct: ObjectIdentifier = find(oid::CONTENT_TYPE)?.decode_as().map_err(verr)?;
    if ct != ID_DATA {
        return Err(verr("contentType is not id-data"));
    }
    let md: OctetString = find(oid::MESSAGE_DIGEST)?.decode_as().map_err(verr)?;
    if md.as_bytes() != digest {
        return Err(verr("messageDigest does not match the signed byte ranges"));
    }
    let scv2: SigningCertificateV2 = find(ID_AA_SIGNING_CERTIFICATE_V2)?
        .decode_as()
        .map_err(verr)?;
    let first = scv2
        .certs
        .first()
        .ok_or_else(|| verr("empty signingCertificateV2"))?;
    if first
        .hash_algorithm
        .as_ref()
        .is_some_and(|a| a.oid != oid::SHA256)
    {
        return Err(verr("signingCertificateV2 hash other than SHA-256"));
    }
    let cert_der = cert.to_der().map_err(verr)?;
    if first.cert_hash.as_bytes() != Sha256::digest(&cert_der).as_slice() {
        return Err(verr(
            "signingCertificateV2 does not match the signer certificate",
        ));
    }
    let spki = cert.tbs_certificate().subject_public_key_info().clone();
    lds::algs::verify_signature(
        &spki,
        &si.signature_algorithm,
        Some(hash),
        &attrs.to_der().map_err(verr)?,
        si.signature.as_bytes(),
    )
    .map_err(|e| verr(format!("signature: {e:?}")))?;

    let mut trusted = false;
    for a in anchors {
        let ca = Certificate::from_der(a).map_err(verr)?;
        if ca.tbs_certificate().subject() != cert.tbs_certificate().issuer() {
            continue;
        }
        let tbs = cert.tbs_certificate().to_der().map_err(verr)?;
        let ok = lds::algs::verify_signature(
            ca.tbs_certificate().subject_public_key_info(),
            cert.signature_algorithm(),
            None,
            &tbs,
            cert.signature().raw_bytes(),
        );
        if ok.is_ok() {
            trusted = true;
            break;
        }
    }
    Ok((cert.tbs_certificate().subject().to_string(), trusted))
}
