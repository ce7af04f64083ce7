//! PC/SC transport for Một Cửa Desk: the only crate in the workspace that links `libpcsclite`
//! (through the `pcsc` crate).
//!
//! - [`PcscContext`] lists readers and connects to a card; it re-establishes its PC/SC context
//!   when the service restarted (`NoService`, `InvalidHandle`, ...), so a reader that was
//!   unplugged and plugged back, or a restarted `pcscd`, keeps working.
//! - [`PcscCard`] is a connected card (shared mode, T=1 or any). It implements
//!   [`iso7816::Transport`]; [`PcscCard::transaction`] gives an exclusive
//!   [`CardTransaction`] that implements it too.
//! - [`Monitor`] waits for reader and card events (`SCardGetStatusChange`, including the
//!   `\\?PnP?\Notification` pseudo-reader for hot-plug) as a blocking iterator, or on a
//!   background thread with a callback ([`Monitor::spawn`]); both can be cancelled from another
//!   thread with a [`Canceller`].
//! - [`atr`] reads what an ATR says about extended-length APDUs.

pub mod atr;
mod card;
mod context;
mod error;
mod monitor;

pub use card::{CardTransaction, PcscCard};
pub use context::PcscContext;
pub use error::PcscError;
pub use monitor::{Canceller, Monitor, MonitorHandle, ReaderEvent};
