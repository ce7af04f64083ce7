//! ISO/IEC 7816-4 building blocks shared by the protocol crates and the one transport crate.
//!
//! This crate performs no I/O. The [`Transport`] trait is the only seam between protocol code and
//! a real reader: `transport-pcsc` implements it on PC/SC, tests implement it on transcripts or on
//! the in-process software card.
//!
//! * [`apdu`]: [`Command`] (cases 1–4, short and extended Lc/Le, encode and parse) and
//!   [`Response`].
//! * [`sw`]: [`StatusWord`] with constants, helpers and meanings.
//! * [`tlv`]: strict BER-TLV parsing and encoding.
//! * [`exchange`]: [`transmit`] drives a [`Transport`], following `61xx` and `6Cxx`.

pub mod apdu;
pub mod exchange;
pub mod sw;
pub mod tlv;
mod transport;

pub use apdu::{ApduError, Command, Response};
pub use exchange::{transmit, transmit_raw, ExchangeError};
pub use sw::StatusWord;
pub use transport::{Capabilities, Transport, TransportError};
