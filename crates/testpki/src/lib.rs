//! TEST-ONLY public key infrastructure for ICAO 9303 passive authentication tests and the card
//! simulator: a CSCA (self-signed), Document Signer certificates and CSCA master lists.
//!
//! Everything is deterministic: the same seed string gives the same keys and certificates.
//! Names say `TEST ONLY`; these keys are public knowledge and must never be trusted in
//! production trust stores.

use std::path::Path;

use chrono::NaiveDate;
use der::asn1::{BitString, GeneralizedTime, OctetString, PrintableString, SetOfVec, UtcTime};
use der::{Decode, Encode, EncodePem, Sequence};
use lds::algs::oid;
use lds::{HashAlgorithm, SignerKey};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

/// Subject of the default test CSCA.
pub const CSCA_SUBJECT: &str = "CN=CSCA TEST VIETNAM,O=TEST ONLY,C=VN";
/// Subject of the default test Document Signer.
pub const DS_SUBJECT: &str = "CN=DS TEST VIETNAM 01,O=TEST ONLY,C=VN";

/// Errors of the test PKI (only on bad arguments).
#[derive(Debug, thiserror::Error)]
pub enum TestPkiError {
    #[error("ASN.1: {0}")]
    Asn1(#[from] der::Error),
    #[error("LDS: {0}")]
    Lds(#[from] lds::LdsError),
    #[error("bad argument: {0}")]
    BadArgument(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// Key type of a generated certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlg {
    P256,
    P384,
    P521,
    BrainpoolP256r1,
    BrainpoolP384r1,
    /// RSA-2048, PKCS#1 v1.5 signatures.
    Rsa2048,
    /// RSA-2048, RSASSA-PSS signatures.
    Rsa2048Pss,
}

/// A certificate with its private key.
#[derive(Debug, Clone)]
pub struct TestCert {
    pub cert: Certificate,
    pub der: Vec<u8>,
    pub key: SignerKey,
}

impl TestCert {
    /// PEM text of the certificate.
    pub fn pem(&self) -> String {
        self.cert
            .to_pem(der::pem::LineEnding::LF)
            .unwrap_or_default()
    }

    /// Writes the certificate as PEM.
    pub fn write_pem(&self, path: &Path) -> Result<(), TestPkiError> {
        Ok(std::fs::write(path, self.pem())?)
    }

    /// Writes the certificate as DER.
    pub fn write_der(&self, path: &Path) -> Result<(), TestPkiError> {
        Ok(std::fs::write(path, &self.der)?)
    }

    /// The subjectKeyIdentifier.
    pub fn key_id(&self) -> Vec<u8> {
        lds::trust::subject_key_id(&self.cert).unwrap_or_default()
    }
}

fn seeded(seed: &str, label: &str, counter: u32) -> [u8; 64] {
    let mut h = sha2::Sha512::new();
    h.update(b"motcua-testpki\0");
    h.update(seed.as_bytes());
    h.update([0]);
    h.update(label.as_bytes());
    h.update(counter.to_be_bytes());
    let out = h.finalize();
    let mut a = [0u8; 64];
    a.copy_from_slice(&out);
    a
}

/// A deterministic private key from a seed string.
pub fn key_from_seed(alg: KeyAlg, seed: &str) -> SignerKey {
    macro_rules! ec {
        ($ty:ty, $len:expr, $variant:ident, $label:expr) => {{
            let mut counter = 0u32;
            loop {
                let bytes = seeded(seed, $label, counter);
                // P-521 needs 66 bytes: top byte 0x01 at most.
                let mut buf = vec![0u8; $len];
                let n = $len.min(64);
                buf[$len - n..].copy_from_slice(&bytes[..n]);
                if let Ok(k) = <$ty>::from_slice(&buf) {
                    break SignerKey::$variant(k);
                }
                counter += 1;
            }
        }};
    }
    match alg {
        KeyAlg::P256 => ec!(p256::ecdsa::SigningKey, 32usize, EcdsaP256, "p256"),
        KeyAlg::P384 => ec!(p384::ecdsa::SigningKey, 48usize, EcdsaP384, "p384"),
        KeyAlg::P521 => ec!(p521::ecdsa::SigningKey, 66usize, EcdsaP521, "p521"),
        KeyAlg::BrainpoolP256r1 => {
            ec!(
                ecdsa::SigningKey<bp256::BrainpoolP256r1>,
                32usize,
                EcdsaBrainpoolP256r1,
                "bp256"
            )
        }
        KeyAlg::BrainpoolP384r1 => {
            ec!(
                ecdsa::SigningKey<bp384::BrainpoolP384r1>,
                48usize,
                EcdsaBrainpoolP384r1,
                "bp384"
            )
        }
        KeyAlg::Rsa2048 | KeyAlg::Rsa2048Pss => {
            use chacha20::rand_core::SeedableRng;
            let mut s = [0u8; 32];
            s.copy_from_slice(&seeded(seed, "rsa2048", 0)[..32]);
            let mut rng = chacha20::ChaCha20Rng::from_seed(s);
            // Generation only fails on an RNG failure, which ChaCha cannot have.
            let key =
                rsa::PrivateKey::new(&mut rng, 2048).expect("RSA key generation with a ChaCha RNG");
            if alg == KeyAlg::Rsa2048 {
                SignerKey::RsaPkcs1v15(Box::new(key))
            } else {
                SignerKey::RsaPss(Box::new(key))
            }
        }
    }
}

/// `version [0] EXPLICIT`, ..., `extensions [3] EXPLICIT` of a v3 TBSCertificate, mirrored so we
/// can build one (x509-cert keeps its fields private).
#[derive(Clone, Debug, Sequence)]
struct TbsCertificateV3 {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Clone, Debug, Sequence)]
struct CertificateV3 {
    tbs_certificate: TbsCertificateV3,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// `DocumentTypeListSyntax ::= SEQUENCE { version INTEGER, docTypeList SET OF PrintableString }`
#[derive(Clone, Debug, Sequence)]
struct DocumentTypeListSyntax {
    version: u8,
    doc_type_list: SetOfVec<PrintableString>,
}

fn time(d: NaiveDate, end_of_day: bool) -> Result<Time, TestPkiError> {
    let dt = if end_of_day {
        d.and_hms_opt(23, 59, 59)
    } else {
        d.and_hms_opt(0, 0, 0)
    }
    .ok_or_else(|| TestPkiError::BadArgument("date".into()))?;
    let secs = u64::try_from(dt.and_utc().timestamp())
        .map_err(|_| TestPkiError::BadArgument("date before 1970".into()))?;
    let ddt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))?;
    Ok(if ddt.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(ddt)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(ddt))
    })
}

fn ext<T: Encode>(
    id: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, TestPkiError> {
    Ok(Extension {
        extn_id: id,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// What to put in a certificate.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// RFC 4514 subject, e.g. `"CN=DS TEST VIETNAM 01,O=TEST ONLY,C=VN"`.
    pub subject: String,
    pub not_before: NaiveDate,
    pub not_after: NaiveDate,
    pub serial: u64,
    pub key_alg: KeyAlg,
    /// Hash for the issuer's signature over the certificate.
    pub signature_hash: HashAlgorithm,
    /// DS only: ICAO document type list extension (e.g. `["ID"]`).
    pub document_types: Option<Vec<String>>,
    /// EC keys: write explicit domain parameters instead of the named-curve OID (as ICAO
    /// 9303-12 recommends and many real CSCAs do).
    pub explicit_ec_params: bool,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl CertSpec {
    /// Default CSCA: P-256, 2020-01-01 .. 2039-12-31.
    pub fn csca() -> Self {
        CertSpec {
            subject: CSCA_SUBJECT.into(),
            not_before: date(2020, 1, 1),
            not_after: date(2039, 12, 31),
            serial: 1,
            key_alg: KeyAlg::P256,
            signature_hash: HashAlgorithm::Sha256,
            document_types: None,
            explicit_ec_params: false,
        }
    }

    /// Default DS: P-256, 2021-01-01 .. 2036-12-31, document type "ID".
    pub fn ds() -> Self {
        CertSpec {
            subject: DS_SUBJECT.into(),
            not_before: date(2021, 1, 1),
            not_after: date(2036, 12, 31),
            serial: 0x1001,
            key_alg: KeyAlg::P256,
            signature_hash: HashAlgorithm::Sha256,
            document_types: Some(vec!["ID".into()]),
            explicit_ec_params: false,
        }
    }
}

fn build_cert(
    spec: &CertSpec,
    subject_key: &SignerKey,
    issuer: Option<&TestCert>,
) -> Result<Certificate, TestPkiError> {
    let subject: Name = spec
        .subject
        .parse()
        .map_err(|e| TestPkiError::BadArgument(format!("subject: {e}")))?;
    let mut spki = subject_key.public_key_info()?;
    if spec.explicit_ec_params && spki.algorithm.oid == oid::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
            .ok_or_else(|| TestPkiError::BadArgument("EC key without a named curve".into()))?;
        spki.algorithm.parameters = Some(lds::algs::explicit_ec_parameters(&curve)?);
    }
    let ski = key_id(&spki);
    let (issuer_name, signer, aki) = match issuer {
        None => (subject.clone(), subject_key, ski.clone()),
        Some(ca) => (
            ca.cert.tbs_certificate().subject().clone(),
            &ca.key,
            ca.key_id(),
        ),
    };
    let mut extensions = vec![ext(
        oid::AUTHORITY_KEY_IDENTIFIER,
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(aki)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )?];
    extensions.push(ext(
        oid::SUBJECT_KEY_IDENTIFIER,
        false,
        &SubjectKeyIdentifier(OctetString::new(ski)?),
    )?);
    if issuer.is_none() {
        extensions.push(ext(
            oid::KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        )?);
        extensions.push(ext(
            oid::BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            },
        )?);
    } else {
        extensions.push(ext(
            oid::KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature.into()),
        )?);
        if let Some(types) = &spec.document_types {
            let list = types
                .iter()
                .map(PrintableString::new)
                .collect::<Result<Vec<_>, _>>()?;
            extensions.push(ext(
                oid::DOCUMENT_TYPE_LIST,
                false,
                &DocumentTypeListSyntax {
                    version: 0,
                    doc_type_list: SetOfVec::try_from(list)?,
                },
            )?);
        }
    }
    let sig_alg = signer.signature_algorithm(spec.signature_hash)?;
    let tbs = TbsCertificateV3 {
        version: 2,
        serial_number: SerialNumber::from(spec.serial),
        signature: sig_alg.clone(),
        issuer: issuer_name,
        validity: Validity::new(time(spec.not_before, false)?, time(spec.not_after, true)?),
        subject,
        subject_public_key_info: spki,
        extensions: Some(extensions),
    };
    let signature = signer.sign(spec.signature_hash, &tbs.to_der()?)?;
    let cert = CertificateV3 {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(Certificate::from_der(&cert.to_der()?)?)
}

fn finish(cert: Certificate, key: SignerKey) -> Result<TestCert, TestPkiError> {
    Ok(TestCert {
        der: cert.to_der()?,
        cert,
        key,
    })
}

/// A self-signed CSCA from `spec`, key derived from `seed`.
pub fn csca_with(spec: &CertSpec, seed: &str) -> Result<TestCert, TestPkiError> {
    let key = key_from_seed(spec.key_alg, seed);
    let cert = build_cert(spec, &key, None)?;
    finish(cert, key)
}

/// The default test CSCA (P-256, `CN=CSCA TEST VIETNAM,O=TEST ONLY,C=VN`).
pub fn csca(seed: &str) -> TestCert {
    // The default spec is valid by construction.
    csca_with(&CertSpec::csca(), seed).expect("default CSCA spec is valid")
}

/// An RSA-2048 (PKCS#1 v1.5) CSCA, subject `CN=CSCA TEST VIETNAM RSA,O=TEST ONLY,C=VN`.
pub fn csca_rsa2048(seed: &str) -> TestCert {
    let spec = CertSpec {
        subject: "CN=CSCA TEST VIETNAM RSA,O=TEST ONLY,C=VN".into(),
        key_alg: KeyAlg::Rsa2048,
        ..CertSpec::csca()
    };
    csca_with(&spec, seed).expect("RSA CSCA spec is valid")
}

/// A Document Signer issued by `csca` from `spec`, key derived from `seed`.
pub fn document_signer_with(
    csca: &TestCert,
    spec: &CertSpec,
    seed: &str,
) -> Result<TestCert, TestPkiError> {
    let key = key_from_seed(spec.key_alg, seed);
    let cert = build_cert(spec, &key, Some(csca))?;
    finish(cert, key)
}

/// The default test Document Signer (P-256) issued by `csca`.
pub fn document_signer(csca: &TestCert, seed: &str) -> TestCert {
    document_signer_with(csca, &CertSpec::ds(), seed).expect("default DS spec is valid")
}

/// A CSCA master list (CMS SignedData DER, eContent CscaMasterList) holding `certs`, signed by
/// `signer` (normally a master list signer issued by a CSCA; any TestCert works for tests).
pub fn master_list(signer: &TestCert, certs: &[&TestCert]) -> Result<Vec<u8>, TestPkiError> {
    let list: Vec<Certificate> = certs.iter().map(|c| c.cert.clone()).collect();
    let content = lds::trust::encode_master_list_content(&list)?;
    Ok(lds::sod::build_signed_data(
        oid::CSCA_MASTER_LIST,
        &content,
        HashAlgorithm::Sha256,
        &signer.key,
        &signer.der,
        None,
        true,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_distinct() {
        let a = csca("seed-a");
        let b = csca("seed-a");
        let c = csca("seed-b");
        assert_eq!(a.der, b.der);
        assert_ne!(a.der, c.der);
    }

    #[test]
    fn ds_points_at_csca() {
        let ca = csca("x");
        let ds = document_signer(&ca, "x-ds");
        assert_eq!(lds::trust::authority_key_id(&ds.cert), Some(ca.key_id()));
        assert_eq!(
            ds.cert.tbs_certificate().issuer(),
            ca.cert.tbs_certificate().subject()
        );
        assert!(ds
            .cert
            .tbs_certificate()
            .subject()
            .to_string()
            .contains("TEST ONLY"));
        let mut store = lds::TrustStore::new();
        store.add_der(&ca.der).unwrap();
        assert_eq!(store.candidate_issuers(&ds.cert).len(), 1);
        assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn every_ec_curve_makes_a_key() {
        for alg in [
            KeyAlg::P256,
            KeyAlg::P384,
            KeyAlg::P521,
            KeyAlg::BrainpoolP256r1,
            KeyAlg::BrainpoolP384r1,
        ] {
            let spec = CertSpec {
                key_alg: alg,
                ..CertSpec::csca()
            };
            let ca = csca_with(&spec, "curves").unwrap();
            assert!(!ca.der.is_empty(), "{alg:?}");
        }
    }

    #[test]
    fn master_list_round_trip() {
        let ca1 = csca("ml-1");
        let ca2 = csca_with(
            &CertSpec {
                subject: "CN=CSCA TEST VIETNAM 2,O=TEST ONLY,C=VN".into(),
                ..CertSpec::csca()
            },
            "ml-2",
        )
        .unwrap();
        let ml = master_list(&ca1, &[&ca1, &ca2]).unwrap();
        let certs = lds::trust::master_list_certificates(&ml).unwrap();
        assert_eq!(certs.len(), 2);
        let mut store = lds::TrustStore::new();
        assert_eq!(store.add_bytes(&ml).unwrap(), 2);

        // Signed by ca1 itself (self-signed signer): verifies against a store holding ca1.
        assert!(matches!(
            lds::trust::verify_master_list(&ml, &store).unwrap(),
            lds::trust::MasterListSignature::Verified { .. }
        ));
        let ca3 = csca_with(
            &CertSpec {
                subject: "CN=CSCA TEST VIETNAM 3,O=TEST ONLY,C=VN".into(),
                ..CertSpec::csca()
            },
            "ml-3",
        )
        .unwrap();
        let mut other = lds::TrustStore::new();
        other.add_der(&ca3.der).unwrap();
        assert!(matches!(
            lds::trust::verify_master_list(&ml, &other).unwrap(),
            lds::trust::MasterListSignature::SignerNotTrusted(_)
        ));
        // Tampered signature (last byte of the CMS structure).
        let mut bad = ml.clone();
        let n = bad.len() - 1;
        bad[n] ^= 0x01;
        assert!(matches!(
            lds::trust::verify_master_list(&bad, &store).unwrap(),
            lds::trust::MasterListSignature::Invalid(_)
        ));
    }
}
