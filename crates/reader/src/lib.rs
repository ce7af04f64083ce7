//! Composition of the pure protocol crates into one card read, driven over an
//! [`iso7816::Transport`]. The outcome types here are the contract of `motcua card read --json`
//! and of the app's identity screen.

mod outcome;

pub use outcome::{
    AccessMethod, ActiveAuthStatus, ChipAuthStatus, PassiveStatus, Photo, ReadOutcome, ReadPhase,
    Verification,
};
