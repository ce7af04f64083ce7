//! ISO/IEC 7816-4 building blocks shared by the protocol crates and the one transport crate.
//!
//! This crate performs no I/O. The [`Transport`] trait is the only seam between protocol code and
//! a real reader: `transport-pcsc` implements it on PC/SC, tests implement it on transcripts or on
//! the in-process software card.

mod transport;

pub use transport::{Capabilities, Transport, TransportError};
