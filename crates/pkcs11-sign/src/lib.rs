//! The agency's signing key on a PKCS#11 token, as a [`pdfsign::SigningCredential`].
//!
//! Vietnamese agencies sign with USB tokens (VNPT-CA, Viettel-CA, BKAV…), all reachable through
//! the vendor's PKCS#11 module. [`open`] loads the module, finds the token (by label, or the only
//! initialised token), logs in as user with the PIN read from a file, finds the private key (by
//! label, or the only key that has a certificate with the same `CKA_ID`) and that certificate,
//! checks with one probe signature that the key really signs for the certificate, and returns a
//! credential whose signatures are made on the token:
//!
//! * RSA: `CKM_SHA256_RSA_PKCS` (the token hashes and pads; PKCS#1 v1.5 bytes come back);
//! * EC P-256: SHA-256 in software, then `CKM_ECDSA` on the digest; the token's `r‖s` is turned
//!   into a DER `Ecdsa-Sig-Value` (RustCrypto typed).
//!
//! The other certificates on the token that form the issuer chain of the signer certificate are
//! embedded in the CMS as well.
//!
//! **PIN rule.** A wrong PIN is never retried here: `CKR_PIN_INCORRECT` and `CKR_PIN_LOCKED`
//! become [`Pkcs11Error::PinIncorrect`] / [`Pkcs11Error::PinLocked`], and a token that reports
//! its last try (`CKF_USER_PIN_FINAL_TRY`) or a locked PIN is not logged into at all. Callers
//! that open the credential repeatedly (the app's background sync) must remember a PIN failure
//! until the configuration or the PIN file changes (app-core does).
//!
//! This is the only crate of the workspace that links `cryptoki`; it has no `unsafe` of its own.

#[cfg(feature = "testing")]
pub mod testing;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Decode;
use lds::algs::oid;
use lds::HashAlgorithm;
use pdfsign::{ExternalKey, ExternalKeyError, SigningCredential};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// Where the agency's key is: `signing.json`'s `"pkcs11"` object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pkcs11Config {
    /// The vendor's PKCS#11 module (`.so`/`.dll`).
    pub module: PathBuf,
    /// Token label; `None` = the only initialised token present.
    #[serde(default)]
    pub token_label: Option<String>,
    /// Private key label (`CKA_LABEL`); `None` = the only key with a certificate.
    #[serde(default)]
    pub key_label: Option<String>,
    /// File holding the user PIN (a trailing newline is ignored).
    pub pin_file: PathBuf,
}

/// Errors of the token, with stable codes and Vietnamese messages.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Pkcs11Error {
    /// The module cannot be loaded or initialised.
    #[error("PKCS#11 module {module}: {detail}")]
    Module {
        /// Module path.
        module: PathBuf,
        /// Loader or C_Initialize error.
        detail: String,
    },
    /// No token (with that label) is present.
    #[error("no token {wanted:?} (present: {present:?})")]
    TokenMissing {
        /// The label asked for.
        wanted: Option<String>,
        /// Labels of the tokens present.
        present: Vec<String>,
    },
    /// Several tokens and no label in the configuration.
    #[error("several tokens present: {0:?}")]
    TokenAmbiguous(Vec<String>),
    /// The PIN file cannot be read or is empty.
    #[error("PIN file {path}: {detail}")]
    PinFile {
        /// PIN file path.
        path: PathBuf,
        /// Error.
        detail: String,
    },
    /// The token refused the PIN (`CKR_PIN_INCORRECT`, `CKR_PIN_LEN_RANGE`, ...).
    #[error("PIN refused by the token: {0}")]
    PinIncorrect(String),
    /// The PIN is locked (`CKR_PIN_LOCKED` or the token's flag).
    #[error("PIN locked")]
    PinLocked,
    /// The token allows one more try only: not tried automatically.
    #[error("PIN final try")]
    PinFinalTry,
    /// No usable private key with a certificate on the token.
    #[error("no signing key: {0}")]
    NoKey(String),
    /// Key type other than RSA or EC P-256.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// The certificate on the token cannot be read or does not belong to the key.
    #[error("certificate on the token: {0}")]
    Certificate(String),
    /// Another token error (removed, session closed, mechanism refused, ...).
    #[error("{op}: {detail}")]
    Failed {
        /// The PKCS#11 operation.
        op: &'static str,
        /// Error.
        detail: String,
    },
}

impl Pkcs11Error {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Module { .. } => "signing_token_module",
            Self::TokenMissing { .. } => "signing_token_missing",
            Self::TokenAmbiguous(_) => "signing_token_ambiguous",
            Self::PinFile { .. } => "signing_token_pin_file",
            Self::PinIncorrect(_) => "signing_token_pin",
            Self::PinLocked => "signing_token_pin_locked",
            Self::PinFinalTry => "signing_token_pin_final_try",
            Self::NoKey(_) => "signing_token_no_key",
            Self::UnsupportedKey(_) => "signing_token_unsupported_key",
            Self::Certificate(_) => "signing_token_certificate",
            Self::Failed { .. } => "signing_token_failed",
        }
    }

    /// True for the errors that must not lead to another login attempt until the PIN file or
    /// the configuration changes.
    pub fn is_pin_failure(&self) -> bool {
        matches!(
            self,
            Self::PinIncorrect(_) | Self::PinLocked | Self::PinFinalTry
        )
    }

    /// Vietnamese message with the next step.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Module { module, .. } => format!(
                "Không nạp được thư viện PKCS#11 của thiết bị ký số ({}). Hãy cài phần mềm của nhà cung cấp chữ ký số (VNPT-CA, Viettel-CA, BKAV…) và kiểm tra đường dẫn \"module\" trong cấu hình ký số.",
                module.display()
            ),
            Self::TokenMissing { wanted: Some(l), .. } => format!(
                "Không thấy thiết bị ký số «{l}». Hãy cắm USB token của cơ quan vào máy rồi thử lại."
            ),
            Self::TokenMissing { wanted: None, .. } => {
                "Không thấy thiết bị ký số nào. Hãy cắm USB token của cơ quan vào máy rồi thử lại.".into()
            }
            Self::TokenAmbiguous(labels) => format!(
                "Có nhiều thiết bị ký số đang cắm ({}). Hãy rút bớt hoặc ghi \"token_label\" trong cấu hình ký số.",
                labels.join(", ")
            ),
            Self::PinFile { path, .. } => format!(
                "Không đọc được tệp mã PIN của thiết bị ký số ({}). Hãy báo quản trị viên.",
                path.display()
            ),
            Self::PinIncorrect(_) => "Mã PIN của thiết bị ký số không đúng. Phần mềm sẽ không tự thử lại để tránh khóa thiết bị: hãy sửa tệp mã PIN rồi thử lại.".into(),
            Self::PinLocked => "Mã PIN của thiết bị ký số đã bị khóa do nhập sai nhiều lần. Hãy liên hệ nhà cung cấp chữ ký số để mở khóa.".into(),
            Self::PinFinalTry => "Thiết bị ký số chỉ còn một lần nhập mã PIN; phần mềm không tự thử để tránh khóa thiết bị. Hãy kiểm tra mã PIN bằng phần mềm của nhà cung cấp rồi thử lại.".into(),
            Self::NoKey(_) => "Không tìm thấy khóa ký kèm chứng thư số trên thiết bị (hoặc có nhiều khóa). Hãy kiểm tra thiết bị hoặc ghi \"key_label\" trong cấu hình ký số.".into(),
            Self::UnsupportedKey(_) => "Loại khóa trên thiết bị ký số chưa được hỗ trợ (chỉ hỗ trợ RSA và ECDSA P-256). Hãy dùng chứng thư số khác.".into(),
            Self::Certificate(_) => "Chứng thư số trên thiết bị không hợp lệ hoặc không khớp với khóa ký. Hãy liên hệ nhà cung cấp chữ ký số.".into(),
            Self::Failed { .. } => "Thiết bị ký số báo lỗi (có thể đã bị rút ra). Hãy cắm lại USB token rồi thử lại; nếu lỗi lặp lại, báo bộ phận kỹ thuật.".into(),
        }
    }
}

impl From<Pkcs11Error> for ExternalKeyError {
    fn from(e: Pkcs11Error) -> Self {
        ExternalKeyError {
            code: e.code(),
            message_vi: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

impl From<Pkcs11Error> for pdfsign::SignError {
    fn from(e: Pkcs11Error) -> Self {
        pdfsign::SignError::External(e.into())
    }
}

fn failed(op: &'static str) -> impl Fn(CkError) -> Pkcs11Error {
    move |e| Pkcs11Error::Failed {
        op,
        detail: e.to_string(),
    }
}

static LOGIN_ATTEMPTS: AtomicU64 = AtomicU64::new(0);

/// How many times this process called `C_Login` as user (diagnostics and tests: the PIN rule).
pub fn login_attempts() -> u64 {
    LOGIN_ATTEMPTS.load(Ordering::SeqCst)
}

/// The process-wide context of a module: `C_Initialize` once per module and process (a second
/// call would fail, and the login state is per process anyway).
pub(crate) fn context(module: &Path) -> Result<Pkcs11, Pkcs11Error> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let merr = |detail: String| Pkcs11Error::Module {
        module: module.to_path_buf(),
        detail,
    };
    if !module.is_file() {
        return Err(merr("no such file".into()));
    }
    let key = module.canonicalize().map_err(|e| merr(e.to_string()))?;
    let mut map = CONTEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(ctx) = map.get(&key) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(&key).map_err(|e| merr(e.to_string()))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(merr(e.to_string())),
    }
    map.insert(key, ctx.clone());
    Ok(ctx)
}

/// Label of the token in `slot` (trimmed).
fn token_label(ctx: &Pkcs11, slot: Slot) -> Result<String, Pkcs11Error> {
    Ok(ctx
        .get_token_info(slot)
        .map_err(failed("C_GetTokenInfo"))?
        .label()
        .trim()
        .to_string())
}

/// The slot of the token: by label, or the only initialised token.
pub(crate) fn find_token(ctx: &Pkcs11, wanted: Option<&str>) -> Result<Slot, Pkcs11Error> {
    let slots = ctx
        .get_slots_with_initialized_token()
        .map_err(failed("C_GetSlotList"))?;
    let mut found = Vec::new();
    for s in slots {
        found.push((s, token_label(ctx, s)?));
    }
    let present: Vec<String> = found.iter().map(|(_, l)| l.clone()).collect();
    match wanted {
        Some(w) => found
            .into_iter()
            .find(|(_, l)| l == w.trim())
            .map(|(s, _)| s)
            .ok_or(Pkcs11Error::TokenMissing {
                wanted: Some(w.to_string()),
                present,
            }),
        None => match found.as_slice() {
            [(s, _)] => Ok(*s),
            [] => Err(Pkcs11Error::TokenMissing {
                wanted: None,
                present,
            }),
            _ => Err(Pkcs11Error::TokenAmbiguous(present)),
        },
    }
}

fn read_pin(path: &Path) -> Result<AuthPin, Pkcs11Error> {
    let perr = |detail: String| Pkcs11Error::PinFile {
        path: path.to_path_buf(),
        detail,
    };
    let raw = Zeroizing::new(std::fs::read(path).map_err(|e| perr(e.to_string()))?);
    let text = std::str::from_utf8(&raw).map_err(|_| perr("not UTF-8".into()))?;
    let pin = text.trim_end_matches(['\r', '\n']);
    if pin.is_empty() {
        return Err(perr("empty".into()));
    }
    // `to_owned` allocates exactly `len` bytes, so the boxing inside does not reallocate; the
    // secret box zeroizes it on drop.
    Ok(AuthPin::from(pin.to_owned()))
}

/// Logs in as user, once. Wrong or locked PINs are typed errors, never retried.
fn login(ctx: &Pkcs11, slot: Slot, session: &Session, pin_file: &Path) -> Result<(), Pkcs11Error> {
    let info = ctx.get_token_info(slot).map_err(failed("C_GetTokenInfo"))?;
    if info.user_pin_locked() {
        return Err(Pkcs11Error::PinLocked);
    }
    if info.user_pin_final_try() {
        return Err(Pkcs11Error::PinFinalTry);
    }
    let pin = read_pin(pin_file)?;
    LOGIN_ATTEMPTS.fetch_add(1, Ordering::SeqCst);
    match session.login(UserType::User, Some(&pin)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Pkcs11Error::PinLocked),
        Err(CkError::Pkcs11(
            rv @ (RvError::PinIncorrect
            | RvError::PinLenRange
            | RvError::PinInvalid
            | RvError::PinExpired),
            _,
        )) => Err(Pkcs11Error::PinIncorrect(format!("{rv:?}"))),
        Err(e) => Err(failed("C_Login")(e)),
    }
}

fn attr_bytes(
    session: &Session,
    h: ObjectHandle,
    t: AttributeType,
) -> Result<Option<Vec<u8>>, Pkcs11Error> {
    let attrs = session
        .get_attributes(h, &[t])
        .map_err(failed("C_GetAttributeValue"))?;
    Ok(attrs.into_iter().find_map(|a| match a {
        Attribute::Id(v) | Attribute::Label(v) | Attribute::Value(v) => Some(v),
        _ => None,
    }))
}

fn key_type(session: &Session, h: ObjectHandle) -> Result<Option<KeyType>, Pkcs11Error> {
    let attrs = session
        .get_attributes(h, &[AttributeType::KeyType])
        .map_err(failed("C_GetAttributeValue"))?;
    Ok(attrs.into_iter().find_map(|a| match a {
        Attribute::KeyType(k) => Some(k),
        _ => None,
    }))
}

/// X.509 certificates (DER) on the token with `CKA_ID` = `id` (any id when `None`).
fn certificates(session: &Session, id: Option<&[u8]>) -> Result<Vec<Vec<u8>>, Pkcs11Error> {
    let mut template = vec![
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ];
    if let Some(id) = id {
        template.push(Attribute::Id(id.to_vec()));
    }
    let mut out = Vec::new();
    for h in session
        .find_objects(&template)
        .map_err(failed("C_FindObjects"))?
    {
        if let Some(v) = attr_bytes(session, h, AttributeType::Value)? {
            out.push(v);
        }
    }
    Ok(out)
}

/// The private key and its certificate (DER).
fn find_key(
    session: &Session,
    key_label: Option<&str>,
) -> Result<(ObjectHandle, Vec<u8>, String), Pkcs11Error> {
    let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    if let Some(l) = key_label {
        template.push(Attribute::Label(l.as_bytes().to_vec()));
    }
    let keys = session
        .find_objects(&template)
        .map_err(failed("C_FindObjects"))?;
    let mut candidates = Vec::new();
    for h in keys {
        let id = attr_bytes(session, h, AttributeType::Id)?.unwrap_or_default();
        let label = String::from_utf8_lossy(
            &attr_bytes(session, h, AttributeType::Label)?.unwrap_or_default(),
        )
        .into_owned();
        let certs = if id.is_empty() {
            Vec::new()
        } else {
            certificates(session, Some(&id))?
        };
        if let Some(der) = certs.into_iter().next() {
            candidates.push((h, der, label));
        }
    }
    match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(Pkcs11Error::NoKey(match key_label {
            Some(l) => {
                format!("no private key labelled {l:?} with a certificate of the same CKA_ID")
            }
            None => "no private key with a certificate of the same CKA_ID".into(),
        })),
        _ => Err(Pkcs11Error::NoKey(format!(
            "several keys with certificates: {:?}; set key_label",
            candidates.iter().map(|c| c.2.clone()).collect::<Vec<_>>()
        ))),
    }
}

/// The issuer chain of `leaf` among the token's other certificates (nearest issuer first).
fn chain_from(leaf: &Certificate, others: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let parsed: Vec<(Certificate, &Vec<u8>)> = others
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok().map(|c| (c, d)))
        .collect();
    let mut chain = Vec::new();
    let mut cur = leaf.clone();
    for _ in 0..8 {
        let issuer = cur.tbs_certificate().issuer();
        if issuer == cur.tbs_certificate().subject() {
            break;
        }
        let Some((c, d)) = parsed
            .iter()
            .find(|(c, d)| c.tbs_certificate().subject() == issuer && !chain.contains(*d))
        else {
            break;
        };
        chain.push((*d).clone());
        cur = c.clone();
    }
    chain
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rsa,
    EcP256,
}

/// A private key on a token, signing through a logged-in session.
struct TokenKey {
    session: Mutex<Session>,
    key: ObjectHandle,
    kind: Kind,
    spki: SubjectPublicKeyInfoOwned,
    token: String,
}

impl TokenKey {
    fn sign_raw(&self, data: &[u8]) -> Result<Vec<u8>, Pkcs11Error> {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        match self.kind {
            Kind::Rsa => session
                .sign(&Mechanism::Sha256RsaPkcs, self.key, data)
                .map_err(failed("C_Sign")),
            Kind::EcP256 => {
                let digest = Sha256::digest(data);
                let rs = session
                    .sign(&Mechanism::Ecdsa, self.key, &digest)
                    .map_err(failed("C_Sign"))?;
                let sig =
                    p256::ecdsa::Signature::from_slice(&rs).map_err(|e| Pkcs11Error::Failed {
                        op: "C_Sign",
                        detail: format!("ECDSA signature of {} bytes: {e}", rs.len()),
                    })?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

impl ExternalKey for TokenKey {
    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, ExternalKeyError> {
        Ok(self.spki.clone())
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self.kind {
            Kind::Rsa => AlgorithmIdentifierOwned {
                oid: oid::SHA256_WITH_RSA,
                parameters: Some(der::Any::null()),
            },
            Kind::EcP256 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_SHA256,
                parameters: None,
            },
        }
    }

    fn sign_sha256(&self, data: &[u8]) -> Result<Vec<u8>, ExternalKeyError> {
        Ok(self.sign_raw(data)?)
    }

    fn describe(&self) -> String {
        format!("PKCS#11 {:?} on token {:?}", self.kind, self.token)
    }
}

/// Opens the agency's key on the token described by `cfg` (see the crate documentation).
pub fn open(cfg: &Pkcs11Config) -> Result<SigningCredential, Pkcs11Error> {
    let ctx = context(&cfg.module)?;
    let slot = find_token(&ctx, cfg.token_label.as_deref())?;
    let token = token_label(&ctx, slot)?;
    let session = ctx.open_ro_session(slot).map_err(failed("C_OpenSession"))?;
    login(&ctx, slot, &session, &cfg.pin_file)?;
    let (key, cert_der, _) = find_key(&session, cfg.key_label.as_deref())?;
    let cert =
        Certificate::from_der(&cert_der).map_err(|e| Pkcs11Error::Certificate(e.to_string()))?;
    let spki = cert.tbs_certificate().subject_public_key_info().clone();
    let kind = match key_type(&session, key)? {
        Some(k) if k == KeyType::RSA && spki.algorithm.oid == oid::RSA_ENCRYPTION => Kind::Rsa,
        Some(k) if k == KeyType::EC && spki.algorithm.oid == oid::EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
            if curve != Some(oid::P256) {
                return Err(Pkcs11Error::UnsupportedKey(format!("EC curve {curve:?}")));
            }
            Kind::EcP256
        }
        other => {
            return Err(Pkcs11Error::UnsupportedKey(format!(
                "key type {other:?}, certificate key {}",
                spki.algorithm.oid
            )))
        }
    };
    let others: Vec<Vec<u8>> = certificates(&session, None)?
        .into_iter()
        .filter(|d| *d != cert_der)
        .collect();
    let chain = chain_from(&cert, &others);
    let tk = TokenKey {
        session: Mutex::new(session),
        key,
        kind,
        spki: spki.clone(),
        token,
    };
    // The key must sign for the certificate's public key: one probe signature, checked here
    // (the token's public key attributes vary between vendors; a signature does not).
    let probe = b"motcua pkcs11-sign: key and certificate check";
    let sig = tk.sign_raw(probe)?;
    let alg = tk.signature_algorithm();
    lds::algs::verify_signature(&spki, &alg, Some(HashAlgorithm::Sha256), probe, &sig).map_err(
        |e| Pkcs11Error::Certificate(format!("the key does not sign for the certificate: {e:?}")),
    )?;
    SigningCredential::from_external(Box::new(tk), &cert_der, &chain)
        .map_err(|e| Pkcs11Error::Certificate(e.to_string()))
}
