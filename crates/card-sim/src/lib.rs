//! A software Vietnamese chip ID card for tests and demos.
//!
//! - [`Card`]: a pure APDU processor (`process`, `atr`, `reset`) with the file system and
//!   access rules of a CCCD / thẻ căn cước chip.
//! - [`CardProfile`]: a generated test identity ([`CardProfile::generate`]) and its
//!   personalization into a card.
//! - [`vpcd`]: a bridge that plugs any [`SmartCard`] into vsmartcard's `vpcd` reader, so it is
//!   reached through pcscd like a real card ([`spawn_vpcd`]).
//! - [`testing`]: helpers for tests through pcscd (machine-wide lock, starting pcscd).

mod card;
mod aa;
mod build;
mod chip;
mod error;
mod face;
mod fs;
mod identity;
mod profile;
pub mod testing;
pub mod vpcd;

pub use card::{contactless_atr, ApduFaults, Card, DEFAULT_HISTORICAL, EMRTD_AID};
pub use build::{CardFaults, SimPki};
pub use chip::{AccessMethod, ChipSecrets};
pub use error::SimError;
pub use face::{generate_face_jpeg, FACE_SIZE};
pub use fs::{fid, Files};
pub use identity::mrz_name_chars;
pub use profile::{CardKind, CardProfile};
pub use vpcd::{spawn_vpcd, SmartCard, VpcdHandle, VpcdOptions};
