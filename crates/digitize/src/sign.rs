//! The agency's signature on digitized copies: `processed` → `signed`.
//!
//! The receiving agency signs each digitized copy (PAdES, [`pdfsign`]): a visible text block at
//! the top right of page 1 (copy type, agency, ISO-8601 time; no image), appended to
//! `copy.pdf` as an incremental update and stored as `copy.signed.pdf` next to it.
//!
//! Crash safety: the signed file is written atomically ([`fsio::write_atomic`]) *before* the
//! one transaction that moves the item to `signed` with the file's hash, size and time
//! ([`Queue::commit_signed`]). A crash in between leaves a `processed` item with an
//! uncommitted `copy.signed.pdf`; recovery keeps it and the next [`sign_item`] replaces it by a
//! fresh signature (nothing refers to the old one: it was never delivered). A crash after the
//! commit leaves a `signed` item, which [`sign_item`] reports as already signed.

use crate::queue::{Item, Queue, State, SIGNED_NAME};
use crate::{fsio, DigitizeError};
use chrono::{DateTime, FixedOffset, Utc};
use pdfsign::{SignOptions, SigningCredential};
/// Where a token key is (`signing.json`'s `"pkcs11"` object), and the token crate itself.
pub use pkcs11_sign::{self, Pkcs11Config};
use serde::Serialize;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Copy type shown on the first line of the visible block.
pub const DEFAULT_COPY_TYPE: &str = "Bản sao điện tử từ bản chính";

/// The receiving agency's signer: name, key and certificate chain (from PKCS#12 or a PKCS#11
/// token).
///
/// The private key lives in [`SigningCredential`] (RustCrypto keys, zeroized on drop); the
/// PKCS#12 bytes and the password are held in [`Zeroizing`] buffers only while opening.
pub struct Signer {
    agency: String,
    copy_type: String,
    location: Option<String>,
    offset: FixedOffset,
    cred: SigningCredential,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("agency", &self.agency)
            .field("subject", &self.cred.subject())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// From a credential (PKCS#12 or, later, a token) and the agency name.
    pub fn new(cred: SigningCredential, agency: &str) -> Result<Self, DigitizeError> {
        if agency.trim().is_empty() || agency.chars().any(char::is_control) {
            return Err(DigitizeError::Invalid("tên cơ quan ký".into()));
        }
        Ok(Self {
            agency: agency.trim().to_string(),
            copy_type: DEFAULT_COPY_TYPE.into(),
            location: None,
            // Giờ Việt Nam (UTC+7) on the visible block.
            offset: FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset"),
            cred,
        })
    }

    /// From PKCS#12 bytes and their password.
    pub fn from_pkcs12(p12: &[u8], password: &str, agency: &str) -> Result<Self, DigitizeError> {
        Self::new(SigningCredential::from_pkcs12(p12, password)?, agency)
    }

    /// From a PKCS#12 file and its password.
    pub fn from_pkcs12_file(
        path: &Path,
        password: &str,
        agency: &str,
    ) -> Result<Self, DigitizeError> {
        let p12 = Zeroizing::new(std::fs::read(path).map_err(|e| DigitizeError::io(path, e))?);
        Self::from_pkcs12(&p12, password, agency)
    }

    /// From the agency's key on a PKCS#11 token (USB token of VNPT-CA, Viettel-CA, BKAV…):
    /// signatures are made on the token. Token errors keep their stable codes
    /// (`signing_token_pin`, `signing_token_missing`, ...) through [`DigitizeError::Sign`].
    /// A wrong PIN is tried once only; callers that open the signer repeatedly must remember
    /// the failure (see [`pkcs11_sign`]).
    pub fn from_pkcs11(
        cfg: &pkcs11_sign::Pkcs11Config,
        agency: &str,
    ) -> Result<Self, DigitizeError> {
        let cred = pkcs11_sign::open(cfg).map_err(pdfsign::SignError::from)?;
        Self::new(cred, agency)
    }

    /// Reads the password from the environment variable `var` (never from the command line).
    pub fn from_pkcs12_env(path: &Path, var: &str, agency: &str) -> Result<Self, DigitizeError> {
        let pass = Zeroizing::new(std::env::var(var).map_err(|_| {
            DigitizeError::Invalid(format!("biến môi trường {var} chứa mật khẩu chứng thư số"))
        })?);
        Self::from_pkcs12_file(path, &pass, agency)
    }

    /// Other copy type than [`DEFAULT_COPY_TYPE`].
    pub fn with_copy_type(mut self, copy_type: &str) -> Self {
        self.copy_type = copy_type.to_string();
        self
    }

    /// `/Location` of the signature.
    pub fn with_location(mut self, location: &str) -> Self {
        self.location = Some(location.to_string());
        self
    }

    /// Time zone of the visible time (default UTC+7).
    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    /// Agency name.
    pub fn agency(&self) -> &str {
        &self.agency
    }

    /// Signer certificate subject.
    pub fn subject(&self) -> String {
        self.cred.subject()
    }

    /// Signs PDF bytes at `now`.
    pub fn sign_pdf(&self, pdf: &[u8], now: DateTime<Utc>) -> Result<Vec<u8>, DigitizeError> {
        let opts = SignOptions {
            copy_type: self.copy_type.clone(),
            agency: self.agency.clone(),
            signing_time: now.with_timezone(&self.offset),
            reason: Some("Số hóa hồ sơ tại bộ phận một cửa".into()),
            location: self.location.clone(),
            // PAdES B-B: the claimed time is /M only.
            cms_signing_time: false,
        };
        Ok(pdfsign::sign_pdf(pdf, &self.cred, &opts)?.bytes)
    }
}

/// What [`sign_item`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    /// Item id.
    pub item_id: String,
    /// The signed copy.
    pub signed_pdf: PathBuf,
    /// Its SHA-256.
    pub signed_sha256: String,
    /// Its size.
    pub signed_bytes: u64,
    /// False when the item was already signed (nothing done).
    pub newly_signed: bool,
}

fn report(it: &Item, newly_signed: bool) -> Option<Signed> {
    it.signed.as_ref().map(|s| Signed {
        item_id: it.id.clone(),
        signed_pdf: s.file.clone(),
        signed_sha256: s.sha256.clone(),
        signed_bytes: s.bytes,
        newly_signed,
    })
}

/// Signs one `processed` item (idempotent: an item already `signed`, `delivered` with a
/// signed copy, or `failed` after signing is reported as it is).
pub fn sign_item(
    q: &Queue,
    id: &str,
    signer: &Signer,
    now: DateTime<Utc>,
) -> Result<Signed, DigitizeError> {
    let it = q.item(id)?;
    if it.state != State::Processed {
        return report(&it, false).ok_or_else(|| {
            DigitizeError::Invalid(format!(
                "bản số hóa {id} đang ở trạng thái {} nên chưa ký được",
                it.state.as_str()
            ))
        });
    }
    let path = it.pdf.clone().ok_or_else(|| DigitizeError::NotFound(id.into()))?;
    let pdf = std::fs::read(&path).map_err(|e| DigitizeError::io(&path, e))?;
    if Some(crate::sha256_hex(&pdf)) != it.sha256 {
        return Err(DigitizeError::FileAltered(path));
    }
    let signed = signer.sign_pdf(&pdf, now)?;
    let sha = crate::sha256_hex(&signed);
    fsio::write_atomic(&q.item_dir(id).join(SIGNED_NAME), &signed)?;
    let detail = format!("{} ({})", signer.agency(), signer.subject());
    let moved = q.commit_signed(id, &sha, signed.len() as u64, now, &detail)?;
    let it = q.item(id)?;
    report(&it, moved).ok_or_else(|| DigitizeError::Db(format!("item {id} not signed")))
}

/// Signs every `processed` item, in id order.
pub fn sign_pending(
    q: &Queue,
    signer: &Signer,
    now: DateTime<Utc>,
) -> Result<Vec<Signed>, DigitizeError> {
    q.in_state(State::Processed)?
        .iter()
        .map(|it| sign_item(q, &it.id, signer, now))
        .collect()
}
