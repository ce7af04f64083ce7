//! Composition of the pure protocol crates into one card read, driven over an
//! [`iso7816::Transport`]. The outcome types here are the contract of `motcua card read --json`
//! and of the app's identity screen. No I/O of its own: the transport does it.

mod error;
mod outcome;
mod read;

pub use error::ReadError;
pub use icao9303::AccessKey;
pub use outcome::{
    AccessMethod, ActiveAuthStatus, ChipAuthStatus, PassiveStatus, Photo, ReadOutcome, ReadPhase,
    ReadStats, Verification,
};
pub use read::{read_card, ReadOptions};

/// A cryptographic random generator for one read, seeded from the operating system.
pub fn system_rng() -> Result<rand_chacha::ChaCha20Rng, ReadError> {
    use rand_chacha::rand_core::SeedableRng;
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| ReadError::NoEntropy(e.to_string()))?;
    Ok(rand_chacha::ChaCha20Rng::from_seed(*seed))
}
