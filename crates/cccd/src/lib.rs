//! The Vietnamese profile of the ICAO 9303 chip: CCCD (2021) and thẻ căn cước (2024).
//!
//! * [`dg13`]: the citizen data group (DG13) → [`Citizen`], and a builder for the simulator.
//! * [`keys`]: access keys (CAN, MRZ key from DG1 or from ID number + dates), the card expiry
//!   rule, and the ID number structure.

mod citizen;
pub mod dg13;
mod error;
pub mod keys;

pub use citizen::Citizen;
pub use dg13::{build_dg13, parse_dg13, parse_dg13_detailed, Dg13, Dg13Warning};
pub use error::CccdError;
pub use keys::{
    can_from_id, card_expiry, card_expiry_candidates, check_id_number, id_number_from_mrz,
    mrz_key_candidates, mrz_key_from_id, parse_id_number, CardExpiry, IdNumberInfo, IdProblem,
    MrzKeyInfo,
};
