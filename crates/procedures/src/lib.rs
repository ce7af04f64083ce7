//! Procedure catalog, working-day calendar, mã hồ sơ and address conversion for Một Cửa Desk.
//!
//! Pure logic: no I/O except [`seeds::SeedSet::load`], which reads an optional operator folder.
//! Default seed data (catalog, agency settings, yearly holiday calendars, admin units) is embedded
//! with `include_str!`, so the binary works without the `seeds/` folder.
//!
//! * [`catalog`] — typed TTHC catalog, validation, diacritic-insensitive search.
//! * [`calendar`] + [`lunar`] — working days (weekends, Điều 112 BLLĐ 2019 holidays, compensatory
//!   days, government swaps from yearly files; computed from rules for years without a file).
//! * [`due`] — `due_at`: return date/time for "N working days".
//! * [`file_code`] — mã hồ sơ `{agency}-{yymmdd}-{nnnn}` and the number allocator trait.
//! * [`address`] — pre-2025 three-level address → current two-level address.

pub mod address;
pub mod calendar;
pub mod catalog;
pub mod due;
mod error;
pub mod file_code;
pub mod lunar;
pub mod seeds;
pub mod settings;
pub mod text;

pub use address::{AdminUnits, Conversion, NewUnit};
pub use calendar::{Calendar, YearCalendar};
pub use catalog::{Catalog, Procedure};
pub use due::{due_at, Pause};
pub use error::Error;
pub use file_code::{next_code, AgencyCode, FileCode, InMemoryAllocator, SequenceAllocator};
pub use seeds::SeedSet;
pub use settings::{AgencySettings, ReturnTime};
