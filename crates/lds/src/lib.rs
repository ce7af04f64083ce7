//! ICAO 9303 Logical Data Structure (LDS): parsing and building EF.COM, DG1 (MRZ), DG2 (face),
//! DG15 (Active Authentication public key) and EF.SOD, plus passive authentication against a
//! CSCA [`TrustStore`].
//!
//! Everything here is pure code (bytes in, typed values out) except [`TrustStore::load_dir`],
//! which reads a folder of certificates / master lists. ASN.1 and CMS go through the typed
//! RustCrypto structs (`der`, `cms`, `x509-cert`); the ISO 7816 BER-TLV wrappers of the data
//! groups go through the small reader in [`tlv`].

pub mod algs;
pub mod com;
pub mod dg;
pub mod dg1;
pub mod dg15;
pub mod dg2;
mod error;
pub mod pa;
pub mod sod;
pub mod tlv;
pub mod trust;

/// Re-exported so callers can name dates without their own chrono dependency.
pub use chrono;

pub use algs::{HashAlgorithm, SignerKey};
pub use com::{build_com, parse_com, Com};
pub use dg::{dg_content, dg_number_for_tag, dg_tag, unwrap_tag};
pub use dg1::{build_dg1, mrz_check_digit, parse_dg1, parse_mrz, Mrz, MrzChecks, MrzFormat};
pub use dg15::{build_dg15, parse_dg15};
pub use dg2::{build_dg2, build_dg2_image, parse_dg2, FaceImage, ImageFormat};
pub use error::LdsError;
pub use pa::{
    passive_auth, CertSummary, ChainStatus, DgHashStatus, PaOutcome, PaReason, PaReasonCode,
    PassiveAuthReport, SignatureStatus,
};
pub use sod::{build_sod, build_sod_with, hash_data_groups, parse_sod, Sod, SodOptions};
pub use trust::{LoadWarning, TrustStore};
