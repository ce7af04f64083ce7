//! Tauri-free command bodies of the counter app. `src-tauri` only adapts these to IPC; every
//! rule (who may do what, what is audited, when the session locks) lives and is tested here.

mod app;
pub mod card;
mod controller;
pub mod demo;
pub mod digitize;
pub mod dto;
mod error;
pub mod hoso;
pub mod password;
pub mod qr;

pub use app::{access_str, App, Clock, Config, ManualClock, SystemClock};
pub use controller::CardController;
pub use error::{AppError, UiError};
pub use store;
