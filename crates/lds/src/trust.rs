//! CSCA trust store: certificates loaded from PEM/DER files and ICAO CSCA master lists.

use std::path::{Path, PathBuf};

use der::{Any, Decode, Encode, Reader, Sequence, SliceReader, Tagged};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
use x509_cert::Certificate;

use crate::algs::oid;
use crate::sod::econtent_bytes;
use crate::LdsError;

/// `CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate }`.
/// The SET OF is kept as [`Any`] and decoded element by element, so an unsorted or duplicated
/// list (seen in the wild) still loads.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CscaMasterList {
    pub version: u8,
    pub cert_list: Any,
}

/// A file that [`TrustStore::load_dir`] skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    pub path: PathBuf,
    pub reason: String,
}

/// The set of trusted CSCA certificates (trust anchors for passive authentication).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    certs: Vec<Certificate>,
}

/// The subjectKeyIdentifier extension value, if any.
pub fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let ext = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == oid::SUBJECT_KEY_IDENTIFIER)?;
    let ski = SubjectKeyIdentifier::from_der(ext.extn_value.as_bytes()).ok()?;
    Some(ski.0.as_bytes().to_vec())
}

/// The authorityKeyIdentifier keyIdentifier, if any.
pub fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let ext = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == oid::AUTHORITY_KEY_IDENTIFIER)?;
    let aki = AuthorityKeyIdentifier::from_der(ext.extn_value.as_bytes()).ok()?;
    aki.key_identifier.map(|k| k.as_bytes().to_vec())
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct certificates.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// No certificate at all.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// All certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// Adds one certificate (duplicates ignored). Returns whether it was new.
    pub fn add_certificate(&mut self, cert: Certificate) -> bool {
        if self.certs.contains(&cert) {
            return false;
        }
        self.certs.push(cert);
        true
    }

    /// Adds a DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<bool, LdsError> {
        Ok(self.add_certificate(Certificate::from_der(der)?))
    }

    /// Adds every certificate of a PEM text. Returns how many were new.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, LdsError> {
        let certs = Certificate::load_pem_chain(pem)?;
        if certs.is_empty() {
            return Err(LdsError::Missing("certificate in PEM"));
        }
        Ok(certs
            .into_iter()
            .filter(|c| self.add_certificate(c.clone()))
            .count())
    }

    /// Adds the certificates of an ICAO CSCA master list (CMS SignedData DER, eContent
    /// CscaMasterList). The master list signature is NOT verified. Returns how many were new.
    pub fn add_master_list(&mut self, bytes: &[u8]) -> Result<usize, LdsError> {
        let certs = master_list_certificates(bytes)?;
        Ok(certs
            .into_iter()
            .filter(|c| self.add_certificate(c.clone()))
            .count())
    }

    /// Adds whatever `bytes` is: PEM certificate(s), a DER certificate or a DER master list.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<usize, LdsError> {
        let trimmed = bytes.trim_ascii_start();
        if trimmed.starts_with(b"-----BEGIN") {
            return self.add_pem(trimmed);
        }
        match Certificate::from_der(bytes) {
            Ok(c) => Ok(usize::from(self.add_certificate(c))),
            Err(cert_err) => match self.add_master_list(bytes) {
                Ok(n) => Ok(n),
                Err(ml_err) => Err(LdsError::Asn1(format!(
                    "neither a certificate ({cert_err}) nor a CSCA master list ({ml_err})"
                ))),
            },
        }
    }

    /// Loads every regular file of `dir` (not recursive): PEM / DER certificates and CSCA
    /// master lists. Unreadable or unparsable files are skipped and reported as warnings; only
    /// an unreadable folder is an error.
    pub fn load_dir(dir: &Path) -> Result<(TrustStore, Vec<LoadWarning>), LdsError> {
        let mut store = TrustStore::new();
        let mut warnings = Vec::new();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| LdsError::TrustStoreUnreadable(format!("{}: {e}", dir.display())))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if !path.is_file() {
                continue;
            }
            let result = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| store.add_bytes(&b).map_err(|e| e.to_string()));
            if let Err(reason) = result {
                warnings.push(LoadWarning { path, reason });
            }
        }
        Ok((store, warnings))
    }

    /// Trusted certificates that may have issued `cert`: same issuer name as the subject (or
    /// matching key identifier), and when both AKI and SKI are present they must match.
    pub fn candidate_issuers(&self, cert: &Certificate) -> Vec<&Certificate> {
        let issuer = cert.tbs_certificate().issuer();
        let aki = authority_key_id(cert);
        self.certs
            .iter()
            .filter(|ca| {
                let ski = subject_key_id(ca);
                let key_match = match (&aki, &ski) {
                    (Some(a), Some(s)) => Some(a == s),
                    _ => None,
                };
                match key_match {
                    Some(false) => false,
                    Some(true) => true,
                    None => ca.tbs_certificate().subject() == issuer,
                }
            })
            .collect()
    }
}

/// The certificates of a CSCA master list (signature not verified).
pub fn master_list_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, LdsError> {
    let (sd, _) = crate::sod::decode_signed_data(bytes)?;
    if sd.encap_content_info.econtent_type != oid::CSCA_MASTER_LIST {
        return Err(LdsError::Asn1(format!(
            "eContentType {} is not a CSCA master list",
            sd.encap_content_info.econtent_type
        )));
    }
    let ml = CscaMasterList::from_der(&econtent_bytes(&sd.encap_content_info)?)?;
    if ml.cert_list.tag() != der::Tag::Set {
        return Err(LdsError::Asn1("master list certList is not a SET".into()));
    }
    let mut reader = SliceReader::new(ml.cert_list.value())?;
    let mut certs = Vec::new();
    while !reader.is_finished() {
        certs.push(Certificate::decode(&mut reader)?);
    }
    Ok(certs)
}

/// Outcome of checking a master list's own signature ([`verify_master_list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterListSignature {
    /// CMS signature valid and the signer certificate was issued by a CSCA of the store.
    Verified {
        /// Subject of the master list signer certificate.
        signer: String,
    },
    /// The CMS signature (or its signed attributes) is wrong, or the signer certificate's
    /// signature does not verify under its matching CSCA.
    Invalid(String),
    /// The CMS signature is fine but no CSCA of the store issued the signer certificate.
    SignerNotTrusted(String),
}

/// Verifies the signature of a CSCA master list: the CMS SignerInfo with the embedded signer
/// certificate, and that certificate against `trust` (e.g. the CSCA of the issuing state loaded
/// from a separate, trusted source). Loading a folder does not call this; it is for tools that
/// import master lists.
pub fn verify_master_list(
    bytes: &[u8],
    trust: &TrustStore,
) -> Result<MasterListSignature, LdsError> {
    use crate::pa::{find_issuer, verify_signer_info, ChainStatus, SignatureStatus};
    use cms::cert::CertificateChoices;
    use cms::signed_data::SignerIdentifier;

    let (sd, _) = crate::sod::decode_signed_data(bytes)?;
    let econtent = econtent_bytes(&sd.encap_content_info)?;
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or(LdsError::Missing("master list SignerInfo"))?;
    let certs: Vec<&Certificate> = sd
        .certificates
        .as_ref()
        .map(|c| {
            c.0.iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let signer = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                c.tbs_certificate().issuer() == &isn.issuer
                    && c.tbs_certificate().serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                subject_key_id(c).is_some_and(|k| k == ski.0.as_bytes())
            }
        })
        .copied()
        .ok_or(LdsError::Missing("master list signer certificate"))?;
    let (status, problems) = verify_signer_info(si, &econtent, oid::CSCA_MASTER_LIST, signer, None);
    if status != SignatureStatus::Valid || !problems.is_empty() {
        let detail = problems
            .iter()
            .map(|(c, d)| format!("{}: {d}", c.code()))
            .collect::<Vec<_>>()
            .join("; ");
        return Ok(MasterListSignature::Invalid(detail));
    }
    Ok(match find_issuer(signer, trust) {
        Ok(_) => MasterListSignature::Verified {
            signer: signer.tbs_certificate().subject().to_string(),
        },
        Err((ChainStatus::NoTrustAnchor, d)) => MasterListSignature::SignerNotTrusted(d),
        Err((_, d)) => MasterListSignature::Invalid(d),
    })
}

/// Builds the CscaMasterList DER (eContent of a master list) from certificates.
pub fn encode_master_list_content(certs: &[Certificate]) -> Result<Vec<u8>, LdsError> {
    let set: der::asn1::SetOfVec<Certificate> = der::asn1::SetOfVec::try_from(certs.to_vec())?;
    let ml = CscaMasterList {
        version: 0,
        cert_list: Any::encode_from(&set)?,
    };
    Ok(ml.to_der()?)
}
