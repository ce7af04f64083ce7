//! Hồ sơ at the one-stop counter: intake forms, recording files, their status trail and the
//! statistics of the monthly reports. Tauri-free: the app and the `motcua` CLI call
//! [`HoSoService`] the same way.
//!
//! * [`forms`] — intake-form templates (`seeds/forms/**`), auto-fill with per-field sources
//!   (chip / QR / converted address / typed), validation.
//! * [`identity`] — the citizen record from a chip read (`motcua card read --json`), a QR or typed.
//! * [`service`] — create (mã hồ sơ, register number, due date), get, list/search, status
//!   changes with the Phiếu kiểm soát trail and the bổ sung pause, the receipt's data.
//! * [`status`] — the allowed status graph.
//! * [`stats`] — per day / month / procedure statistics, CSV.

mod error;
pub mod forms;
pub mod identity;
pub mod service;
pub mod stats;
pub mod status;

pub use error::{HoSoError, Result};
pub use forms::{FilledField, FilledForm, FormSet, FormTemplate, Source};
pub use identity::{Identity, IdentitySource};
pub use service::{
    fmt_local, local_to_utc, parse_local, utc_to_local, ComponentInput, HoSoService, HoSoView,
    NewHoSoRequest, ReceiptComponent, ReceiptView,
};
pub use stats::{month_range, Stats, StatsRow};
pub use store::{HoSoQuery, HoSoStatus};
