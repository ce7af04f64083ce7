//! The Vietnamese profile of the ICAO 9303 chip: CCCD (2021) and thẻ căn cước (2024).

mod citizen;

pub use citizen::Citizen;
