//! Digitization at reception (số hóa hồ sơ tại bộ phận một cửa): paper components become one
//! compliant PDF each, kept in a durable queue until the provincial system has them.
//!
//! ```text
//! sources (files: JPEG/PNG/TIFF/PDF, directories, scan-to-folder, SANE `scanimage`)
//!   ─► capture: every source file stored atomically under DATA/digitize/items/<id>/src,
//!      then its pages committed as rows (state `capturing` → `captured`)
//!   ─► process: pages::process (crop, deskew, orientation, class, dpi) ─► pdfdoc::write_pdf
//!      (PDF/A-2b, metadata) written atomically, then committed (`processed`)
//!   ─► sign: PAdES by the receiving agency ([`sign`]): `copy.signed.pdf` written atomically,
//!      then committed (`signed`); with a signer configured only signed copies are delivered
//!   ─► deliver: pluggable [`deliver::Delivery`] (HTTP multipart + idempotency key), retries
//!      with exponential backoff, `delivered` or `failed` with a reason
//! ```
//!
//! Crash-safety invariants (checked by the kill -9 test in `crates/motcua/tests`):
//! 1. A file is committed only after it is complete on disk: written to a temporary name in
//!    the same directory, fsynced, renamed, and the directory fsynced ([`fsio`]); its database
//!    row is inserted afterwards, in one transaction (SQLite WAL, `synchronous = FULL`).
//! 2. A page exists when its row exists. Page numbers are unique per item (`UNIQUE(item_id,
//!    seq)`), and a resumed ingest skips pages whose `seq` and source hash are already
//!    committed: a page is never lost nor duplicated.
//! 3. Every step is idempotent: re-processing writes the same PDF bytes (the PDF's dates are
//!    the received time); re-delivering sends the same idempotency key (the item id), which the
//!    receiver must de-duplicate.
//! 4. On open, [`queue::Queue::recover`] removes temporary files and files no row refers to,
//!    and moves items whose committed file is missing back one step.
//! 5. One process works on a queue at a time: [`queue::Queue::open`] holds an exclusive
//!    advisory lock on `queue.lock` (`digitize_queue_busy` after a wait); readers use
//!    [`queue::Queue::open_read_only`]. A full disk (ENOSPC, EDQUOT, EFBIG) is the typed
//!    [`DigitizeError::DiskFull`]; what was committed stays, and a rerun resumes.

#![warn(missing_docs)]

pub mod deliver;
mod error;
pub mod fsio;
pub mod ingest;
pub mod queue;
pub mod sane;
pub mod session;
pub mod sign;
pub mod standin;
pub mod watch;

pub use error::DigitizeError;

/// Directory of this crate's data below the app's data directory.
pub fn digitize_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("digitize")
}

/// Lower-case hex.
pub fn hex(d: &[u8]) -> String {
    pdfdoc::hex(d)
}

/// SHA-256 of bytes, as lower-case hex.
pub fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(b))
}

/// The app's default data directory (same as `store::default_data_dir`, which this crate does
/// not depend on so that the queue can be built and tested on its own).
pub fn default_data_dir() -> Result<std::path::PathBuf, DigitizeError> {
    directories::ProjectDirs::from("vn", "motcua", "motcua-desk")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| DigitizeError::Invalid("no home directory for the data directory".into()))
}

/// Opens the queue of a data directory (`None`: the default one).
pub fn open_queue(
    data_dir: Option<&std::path::Path>,
) -> Result<(queue::Queue, queue::Recovery), DigitizeError> {
    let d = match data_dir {
        Some(d) => d.to_path_buf(),
        None => default_data_dir()?,
    };
    queue::Queue::open(&digitize_dir(&d))
}

/// Opens the queue of a data directory for reading only (no lock; see
/// [`queue::Queue::open_read_only`]).
pub fn open_queue_read_only(
    data_dir: Option<&std::path::Path>,
) -> Result<queue::Queue, DigitizeError> {
    let d = match data_dir {
        Some(d) => d.to_path_buf(),
        None => default_data_dir()?,
    };
    queue::Queue::open_read_only(&digitize_dir(&d))
}
