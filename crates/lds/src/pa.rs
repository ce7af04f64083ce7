//! Passive authentication (ICAO 9303-11 §5.1) as a pure function.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use der::asn1::{ObjectIdentifier, OctetString};
use der::Encode;
use serde::Serialize;
use x509_cert::Certificate;

use crate::algs::{oid, verify_signature, VerifyError};
use crate::sod::{parse_sod, time_to_chrono, Sod};
use crate::trust::TrustStore;
use crate::HashAlgorithm;

/// Overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaOutcome {
    /// SOD signature valid, DS certificate chains to a trusted CSCA, every read DG matches.
    Passed,
    /// Something is wrong (tampered data, bad signature, expired certificate, ...).
    Failed,
    /// Nothing is wrong with the data, but no CSCA in the trust store issued the DS
    /// certificate (or the SOD carries no DS certificate): authenticity is unknown, not
    /// proven false.
    NoTrustAnchor,
}

/// The SOD's own signature (signed attributes, by the DS key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    Valid,
    Invalid,
    Unsupported,
    NotChecked,
}

/// DS certificate → CSCA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    /// Signed by a trusted CSCA, validity periods fine.
    Verified,
    /// No trusted CSCA matches the DS certificate's issuer / AKI.
    NoTrustAnchor,
    /// A matching CSCA exists but the DS certificate's signature does not verify.
    Invalid,
    /// The CSCA/DS algorithms are not implemented.
    Unsupported,
    NotChecked,
}

/// One data group's hash comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DgHashStatus {
    Match,
    Mismatch,
    /// Read from the chip but the SOD has no hash for it.
    NotInSod,
    /// Listed in the SOD but not read (not an error).
    NotRead,
}

/// Stable reason codes. Serialized (and [`PaReasonCode::code`]) as snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaReasonCode {
    SodMalformed,
    SodUnsupportedAlgorithm,
    DsCertificateMissing,
    MessageDigestMismatch,
    ContentTypeMismatch,
    SodSignatureInvalid,
    SodSignatureUnsupported,
    NoTrustAnchor,
    DsCertificateSignatureInvalid,
    DsCertificateSignatureUnsupported,
    DsCertificateNotValidAtSigning,
    DsCertificateExpired,
    DsCertificateNotYetValid,
    CscaNotValidAtIssuance,
    DgHashMismatch,
    DgNotInSod,
    /// Informational: no signingTime in the SOD, DS validity checked against "now".
    SigningTimeUnknown,
}

impl PaReasonCode {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            PaReasonCode::SodMalformed => "sod_malformed",
            PaReasonCode::SodUnsupportedAlgorithm => "sod_unsupported_algorithm",
            PaReasonCode::DsCertificateMissing => "ds_certificate_missing",
            PaReasonCode::MessageDigestMismatch => "message_digest_mismatch",
            PaReasonCode::ContentTypeMismatch => "content_type_mismatch",
            PaReasonCode::SodSignatureInvalid => "sod_signature_invalid",
            PaReasonCode::SodSignatureUnsupported => "sod_signature_unsupported",
            PaReasonCode::NoTrustAnchor => "no_trust_anchor",
            PaReasonCode::DsCertificateSignatureInvalid => "ds_certificate_signature_invalid",
            PaReasonCode::DsCertificateSignatureUnsupported => {
                "ds_certificate_signature_unsupported"
            }
            PaReasonCode::DsCertificateNotValidAtSigning => "ds_certificate_not_valid_at_signing",
            PaReasonCode::DsCertificateExpired => "ds_certificate_expired",
            PaReasonCode::DsCertificateNotYetValid => "ds_certificate_not_yet_valid",
            PaReasonCode::CscaNotValidAtIssuance => "csca_not_valid_at_issuance",
            PaReasonCode::DgHashMismatch => "dg_hash_mismatch",
            PaReasonCode::DgNotInSod => "dg_not_in_sod",
            PaReasonCode::SigningTimeUnknown => "signing_time_unknown",
        }
    }

    /// Whether this reason makes the outcome [`PaOutcome::Failed`].
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            PaReasonCode::NoTrustAnchor
                | PaReasonCode::SigningTimeUnknown
                | PaReasonCode::DsCertificateMissing
        )
    }

    /// Vietnamese explanation for the clerk.
    pub fn message_vi(self) -> &'static str {
        match self {
            PaReasonCode::SodMalformed => "Tệp chữ ký số của thẻ (EF.SOD) không đúng cấu trúc: không xác thực được dữ liệu. Hãy đọc lại thẻ; nếu vẫn lỗi, không dùng dữ liệu chip và kiểm tra giấy tờ bản cứng.",
            PaReasonCode::SodUnsupportedAlgorithm | PaReasonCode::SodSignatureUnsupported | PaReasonCode::DsCertificateSignatureUnsupported => "Thẻ dùng thuật toán chữ ký số phần mềm chưa hỗ trợ: chưa xác thực được dữ liệu. Hãy báo bộ phận kỹ thuật và đối chiếu giấy tờ bản cứng.",
            PaReasonCode::DsCertificateMissing => "Thẻ không kèm chứng thư của cơ quan ký (Document Signer): chưa xác thực được nguồn gốc dữ liệu. Hãy đối chiếu giấy tờ bản cứng.",
            PaReasonCode::MessageDigestMismatch | PaReasonCode::ContentTypeMismatch | PaReasonCode::SodSignatureInvalid => "Chữ ký số trên dữ liệu thẻ KHÔNG hợp lệ: dữ liệu có thể đã bị sửa đổi. Không dùng dữ liệu chip; đề nghị kiểm tra thẻ và báo cán bộ phụ trách.",
            PaReasonCode::NoTrustAnchor => "Không tìm thấy chứng thư gốc (CSCA) tương ứng trong kho tin cậy: chưa khẳng định được thẻ do cơ quan có thẩm quyền cấp. Hãy cập nhật kho chứng thư CSCA (Cài đặt) rồi đọc lại.",
            PaReasonCode::DsCertificateSignatureInvalid => "Chứng thư của cơ quan ký không do CSCA tin cậy ký hợp lệ: thẻ có thể bị làm giả. Không dùng dữ liệu chip; báo cán bộ phụ trách.",
            PaReasonCode::DsCertificateNotValidAtSigning => "Chứng thư của cơ quan ký không còn hiệu lực vào thời điểm ký dữ liệu thẻ. Đối chiếu giấy tờ bản cứng và báo cán bộ phụ trách.",
            PaReasonCode::DsCertificateExpired => "Chứng thư của cơ quan ký đã hết hiệu lực. Đối chiếu giấy tờ bản cứng; nếu cần, đề nghị công dân làm thủ tục cấp lại thẻ.",
            PaReasonCode::DsCertificateNotYetValid => "Chứng thư của cơ quan ký chưa đến ngày hiệu lực. Hãy kiểm tra ngày giờ của máy tính rồi đọc lại.",
            PaReasonCode::CscaNotValidAtIssuance => "Chứng thư gốc CSCA không còn hiệu lực khi cấp chứng thư cơ quan ký. Báo cán bộ phụ trách.",
            PaReasonCode::DgHashMismatch => "Dữ liệu đọc từ chip không khớp với chữ ký số: dữ liệu có thể đã bị sửa đổi hoặc đọc lỗi. Hãy đọc lại thẻ; nếu vẫn lỗi, không dùng dữ liệu chip.",
            PaReasonCode::DgNotInSod => "Thẻ có nhóm dữ liệu không được chữ ký số bảo vệ. Không dùng nhóm dữ liệu đó.",
            PaReasonCode::SigningTimeUnknown => "Thẻ không ghi thời điểm ký; hiệu lực chứng thư được kiểm tra theo ngày hiện tại.",
        }
    }
}

/// One reason with technical detail (English, for logs) and the data group it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaReason {
    pub code: PaReasonCode,
    pub detail: String,
    pub data_group: Option<u8>,
}

/// Human-readable facts about a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    /// RFC 4514 string.
    pub subject: String,
    pub issuer: String,
    /// Serial number, uppercase hex.
    pub serial_hex: String,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
}

impl CertSummary {
    /// Summarizes `cert`.
    pub fn of(cert: &Certificate) -> Self {
        let tbs = cert.tbs_certificate();
        CertSummary {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial_hex: tbs
                .serial_number()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect(),
            not_before: time_to_chrono(&tbs.validity().not_before),
            not_after: time_to_chrono(&tbs.validity().not_after),
        }
    }
}

/// The typed result of [`passive_auth`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassiveAuthReport {
    pub outcome: PaOutcome,
    pub sod_signature: SignatureStatus,
    pub chain: ChainStatus,
    pub hash_algorithm: Option<HashAlgorithm>,
    pub signing_time: Option<DateTime<Utc>>,
    pub ds_certificate: Option<CertSummary>,
    /// The trusted CSCA that issued the DS certificate.
    pub csca: Option<CertSummary>,
    /// Per data group (read ones and those only listed in the SOD).
    pub data_groups: BTreeMap<u8, DgHashStatus>,
    /// Every problem found (and informational notes), in check order.
    pub reasons: Vec<PaReason>,
}

impl PassiveAuthReport {
    fn new() -> Self {
        PassiveAuthReport {
            outcome: PaOutcome::Failed,
            sod_signature: SignatureStatus::NotChecked,
            chain: ChainStatus::NotChecked,
            hash_algorithm: None,
            signing_time: None,
            ds_certificate: None,
            csca: None,
            data_groups: BTreeMap::new(),
            reasons: Vec::new(),
        }
    }

    fn push(&mut self, code: PaReasonCode, detail: impl Into<String>, data_group: Option<u8>) {
        self.reasons.push(PaReason {
            code,
            detail: detail.into(),
            data_group,
        });
    }

    /// True when a reason with `code` is present.
    pub fn has(&self, code: PaReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }

    fn finish(mut self) -> Self {
        self.outcome = if self.reasons.iter().any(|r| r.code.is_failure()) {
            PaOutcome::Failed
        } else if self.chain == ChainStatus::NoTrustAnchor {
            PaOutcome::NoTrustAnchor
        } else if self.sod_signature == SignatureStatus::Valid
            && self.chain == ChainStatus::Verified
        {
            PaOutcome::Passed
        } else {
            PaOutcome::Failed
        };
        self
    }
}

fn date_of(t: &x509_cert::time::Time) -> Option<NaiveDate> {
    time_to_chrono(t).map(|d| d.date_naive())
}

/// Passive authentication.
///
/// * `sod`: EF.SOD bytes as read (`77 ...`).
/// * `dgs`: DG number → the raw bytes of each data group actually read (whole TLV).
/// * `trust`: CSCA trust anchors.
/// * `today`: the current date (injected for testability).
///
/// Checks: SOD signature (messageDigest over eContent, contentType, signature over the signed
/// attributes by the embedded DS certificate's key), DS certificate issued by a trusted CSCA
/// (name/AKI match + signature), DS validity at the signing time (or `today` when the SOD has no
/// signingTime), CSCA validity at DS issuance, and each read DG's hash.
pub fn passive_auth(
    sod: &[u8],
    dgs: &BTreeMap<u8, Vec<u8>>,
    trust: &TrustStore,
    today: NaiveDate,
) -> PassiveAuthReport {
    let mut r = PassiveAuthReport::new();
    let sod = match parse_sod(sod) {
        Ok(s) => s,
        Err(e) => {
            let code = if matches!(e, crate::LdsError::UnsupportedAlgorithm(_)) {
                PaReasonCode::SodUnsupportedAlgorithm
            } else {
                PaReasonCode::SodMalformed
            };
            r.push(code, e.to_string(), None);
            return r.finish();
        }
    };
    r.hash_algorithm = Some(sod.hash_algorithm);
    r.signing_time = sod.signing_time();

    check_data_groups(&mut r, &sod, dgs);

    let Some(ds) = sod.ds_certificate() else {
        // Without the DS certificate nothing can be proven either way: like a missing anchor.
        r.chain = ChainStatus::NoTrustAnchor;
        r.push(
            PaReasonCode::DsCertificateMissing,
            "no certificate in the SOD",
            None,
        );
        return r.finish();
    };
    r.ds_certificate = Some(CertSummary::of(ds));
    check_sod_signature(&mut r, &sod, ds);
    check_chain(&mut r, ds, trust, today);
    r.finish()
}

fn check_data_groups(r: &mut PassiveAuthReport, sod: &Sod, dgs: &BTreeMap<u8, Vec<u8>>) {
    for (n, bytes) in dgs {
        let status = match sod.data_group_hashes.get(n) {
            None => {
                r.push(
                    PaReasonCode::DgNotInSod,
                    format!("DG{n} has no hash in the SOD"),
                    Some(*n),
                );
                DgHashStatus::NotInSod
            }
            Some(expected) if *expected == sod.hash_algorithm.digest(bytes) => DgHashStatus::Match,
            Some(_) => {
                r.push(
                    PaReasonCode::DgHashMismatch,
                    format!("DG{n} hash differs from the SOD"),
                    Some(*n),
                );
                DgHashStatus::Mismatch
            }
        };
        r.data_groups.insert(*n, status);
    }
    for n in sod.data_group_hashes.keys() {
        r.data_groups.entry(*n).or_insert(DgHashStatus::NotRead);
    }
}

fn check_sod_signature(r: &mut PassiveAuthReport, sod: &Sod, ds: &Certificate) {
    let Some(si) = sod.signer_info() else {
        r.push(PaReasonCode::SodMalformed, "no SignerInfo", None);
        return;
    };
    let (status, problems) = verify_signer_info(
        si,
        &sod.econtent,
        oid::LDS_SECURITY_OBJECT,
        ds,
        sod.signed_attrs_raw.as_deref(),
    );
    r.sod_signature = status;
    for (code, detail) in problems {
        r.push(code, detail, None);
    }
}

/// Verifies one CMS SignerInfo over `econtent` with `cert`'s key: messageDigest and
/// contentType signed attributes, then the signature. Returns the status and the problems.
pub(crate) fn verify_signer_info(
    si: &cms::signed_data::SignerInfo,
    econtent: &[u8],
    expected_type: ObjectIdentifier,
    cert: &Certificate,
    raw_signed_attrs: Option<&[u8]>,
) -> (SignatureStatus, Vec<(PaReasonCode, String)>) {
    let mut problems = Vec::new();
    let Some(digest_alg) = HashAlgorithm::from_oid(&si.digest_alg.oid) else {
        problems.push((
            PaReasonCode::SodUnsupportedAlgorithm,
            format!("digest algorithm {}", si.digest_alg.oid),
        ));
        return (SignatureStatus::Unsupported, problems);
    };
    let message = match &si.signed_attrs {
        None => econtent.to_vec(),
        Some(attrs) => {
            let value_of = |o: ObjectIdentifier| {
                attrs
                    .iter()
                    .find(|a| a.oid == o)
                    .and_then(|a| a.values.iter().next())
            };
            match value_of(oid::MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok()) {
                None => {
                    problems.push((
                        PaReasonCode::MessageDigestMismatch,
                        "no messageDigest signed attribute".into(),
                    ));
                    return (SignatureStatus::Invalid, problems);
                }
                Some(md) if md.as_bytes() != digest_alg.digest(econtent).as_slice() => {
                    problems.push((
                        PaReasonCode::MessageDigestMismatch,
                        "messageDigest does not match the signed content".into(),
                    ));
                    return (SignatureStatus::Invalid, problems);
                }
                Some(_) => {}
            }
            match value_of(oid::CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok()) {
                Some(ct) if ct == expected_type => {}
                // Reported, but the signature is still checked.
                other => problems.push((
                    PaReasonCode::ContentTypeMismatch,
                    format!("contentType attribute {other:?}"),
                )),
            }
            match attrs.to_der() {
                Ok(d) => d,
                Err(e) => {
                    problems.push((PaReasonCode::SodMalformed, e.to_string()));
                    return (SignatureStatus::Invalid, problems);
                }
            }
        }
    };
    let spki = cert.tbs_certificate().subject_public_key_info();
    let verify = |m: &[u8]| {
        verify_signature(
            spki,
            &si.signature_algorithm,
            Some(digest_alg),
            m,
            si.signature.as_bytes(),
        )
    };
    // The attributes as stored first (they are what was signed), then the re-encoding.
    let result = match raw_signed_attrs.filter(|_| si.signed_attrs.is_some()) {
        Some(raw) => match verify(raw) {
            Err(VerifyError::Invalid) if raw != message.as_slice() => verify(&message),
            other => other,
        },
        None => verify(&message),
    };
    let status = match result {
        Ok(()) => SignatureStatus::Valid,
        Err(VerifyError::Invalid) => {
            problems.push((
                PaReasonCode::SodSignatureInvalid,
                "signature does not verify with the signer's key".into(),
            ));
            SignatureStatus::Invalid
        }
        Err(VerifyError::Unsupported(d)) => {
            problems.push((PaReasonCode::SodSignatureUnsupported, d));
            SignatureStatus::Unsupported
        }
        Err(VerifyError::Malformed(d)) => {
            problems.push((PaReasonCode::SodSignatureInvalid, d));
            SignatureStatus::Invalid
        }
    };
    (status, problems)
}

/// Verifies that `cert` was signed by one of `trust`'s certificates that may have issued it.
/// Returns the issuer, or the chain status explaining why not.
pub(crate) fn find_issuer<'a>(
    cert: &Certificate,
    trust: &'a TrustStore,
) -> Result<&'a Certificate, (ChainStatus, String)> {
    let candidates = trust.candidate_issuers(cert);
    if candidates.is_empty() {
        return Err((
            ChainStatus::NoTrustAnchor,
            format!(
                "no trusted CSCA for issuer {}",
                cert.tbs_certificate().issuer()
            ),
        ));
    }
    let tbs_der = cert
        .tbs_certificate()
        .to_der()
        .map_err(|e| (ChainStatus::Invalid, e.to_string()))?;
    let mut unsupported = None;
    for ca in candidates {
        match verify_signature(
            ca.tbs_certificate().subject_public_key_info(),
            cert.signature_algorithm(),
            None,
            &tbs_der,
            cert.signature().raw_bytes(),
        ) {
            Ok(()) => return Ok(ca),
            Err(VerifyError::Unsupported(d)) => unsupported = Some(d),
            Err(_) => {}
        }
    }
    Err(match unsupported {
        Some(d) => (ChainStatus::Unsupported, d),
        None => (
            ChainStatus::Invalid,
            "no matching trusted CSCA verifies the certificate signature".into(),
        ),
    })
}

fn check_chain(r: &mut PassiveAuthReport, ds: &Certificate, trust: &TrustStore, today: NaiveDate) {
    let ds_tbs = ds.tbs_certificate();
    let ds_from = date_of(&ds_tbs.validity().not_before);
    let ds_to = date_of(&ds_tbs.validity().not_after);

    // DS validity: at signing when known, else today.
    match r.signing_time.map(|t| t.date_naive()) {
        Some(signed) => {
            if ds_from.is_some_and(|f| signed < f) || ds_to.is_some_and(|t| signed > t) {
                r.push(
                    PaReasonCode::DsCertificateNotValidAtSigning,
                    format!("signed {signed}, DS valid {ds_from:?}..{ds_to:?}"),
                    None,
                );
            }
        }
        None => {
            r.push(
                PaReasonCode::SigningTimeUnknown,
                "SOD has no signingTime",
                None,
            );
            if ds_to.is_some_and(|t| today > t) {
                r.push(
                    PaReasonCode::DsCertificateExpired,
                    format!("DS valid until {ds_to:?}, today {today}"),
                    None,
                );
            }
        }
    }
    if ds_from.is_some_and(|f| today < f) {
        r.push(
            PaReasonCode::DsCertificateNotYetValid,
            format!("DS valid from {ds_from:?}, today {today}"),
            None,
        );
    }

    match find_issuer(ds, trust) {
        Ok(ca) => {
            r.chain = ChainStatus::Verified;
            r.csca = Some(CertSummary::of(ca));
            let v = ca.tbs_certificate().validity();
            if let Some(issued) = ds_from {
                if date_of(&v.not_before).is_some_and(|f| issued < f)
                    || date_of(&v.not_after).is_some_and(|t| issued > t)
                {
                    r.push(
                        PaReasonCode::CscaNotValidAtIssuance,
                        format!("DS issued {issued}, outside the CSCA validity"),
                        None,
                    );
                }
            }
        }
        Err((status, detail)) => {
            r.chain = status;
            let code = match status {
                ChainStatus::NoTrustAnchor => PaReasonCode::NoTrustAnchor,
                ChainStatus::Unsupported => PaReasonCode::DsCertificateSignatureUnsupported,
                _ => PaReasonCode::DsCertificateSignatureInvalid,
            };
            r.push(code, detail, None);
        }
    }
}
