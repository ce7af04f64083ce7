//! ICAO Doc 9303 (parts 10 and 11) and BSI TR-03110 access control and secure messaging for
//! eMRTD chips such as the Vietnamese CCCD (2021) and thẻ căn cước (2024). Pure code: no I/O,
//! randomness injected as `&mut impl rand_core::CryptoRng` (rand_core 0.10).
//!
//! Modules, each with a terminal side and a chip side:
//! * [`crypto`]: KDF, CBC, padding, retail MAC, CMAC; [`crypto::SessionKeys`].
//! * [`mrz`]: check digits, MRZ information and its SHA-1 (BAC seed, PACE password).
//! * [`sm`]: secure messaging, [`sm::SecureChannel`] (terminal) and [`sm::ChipChannel`] (chip).
//! * [`bac`]: Basic Access Control, [`bac::Terminal`] and [`bac::Chip`].
//! * [`pace`]: PACE v2 ECDH Generic Mapping on brainpoolP256r1 (13) and NIST P-256 (12),
//!   AES-128/192/256 or 3DES, [`pace::Terminal`] and [`pace::Chip`].
//! * [`security_infos`]: typed SecurityInfos (EF.CardAccess, DG14), parse and encode.
//! * [`ca`]: Chip Authentication v1 (ECDH), [`ca::Terminal`] and [`ca::Chip`].
//! * [`aa`]: Active Authentication: [`aa::verify`] (terminal) and [`aa::sign`] (chip).
//! * [`ec`]: [`Curve`] (brainpoolP256r1, NIST P-256) with byte-level point operations.
//! * [`session`]: [`Session`], the terminal-side driver over [`iso7816::Transport`].
//!
//! # How the chip side is used (card simulator)
//!
//! ```
//! use icao9303::{bac, pace, sm::ChipChannel, Error};
//! use iso7816::{Command, Response, StatusWord};
//!
//! /// What the simulator keeps between APDUs.
//! enum Access { None, Bac(bac::Chip), Pace(pace::Chip), Secure(ChipChannel) }
//!
//! fn process<R: rand_core::CryptoRng>(
//!     access: &mut Access,
//!     apdu: &[u8],
//!     rng: &mut R,
//! ) -> Result<Response, Error> {
//!     let cmd = Command::parse(apdu)?;
//!     if let Access::Secure(ch) = access {
//!         let plain = match ch.unwrap_command(&cmd) {
//!             Ok(plain) => plain,
//!             // Bad MAC or missing DOs: answer in the clear and drop secure messaging.
//!             Err(e) => { let sw = e.chip_status(); *access = Access::None; return Ok(Response::status(sw)); }
//!         };
//!         let answer = Response::new(plain.data.clone(), StatusWord::OK); // serve files here
//!         return ch.wrap_response(&answer);
//!     }
//!     match (cmd.ins, &mut *access) {
//!         (0x84, Access::Bac(chip)) => Ok(Response::new(chip.get_challenge(rng).to_vec(), StatusWord::OK)),
//!         (0x82, Access::Bac(chip)) => match chip.external_authenticate(&cmd.data, rng) {
//!             Ok((data, channel)) => { *access = Access::Secure(channel); Ok(Response::new(data, StatusWord::OK)) }
//!             Err(e) => Ok(Response::status(e.chip_status())),
//!         },
//!         (0x22, Access::Pace(chip)) => match chip.mse_set_at(&cmd.data) {
//!             Ok(()) => Ok(Response::status(StatusWord::OK)),
//!             Err(e) => Ok(Response::status(e.chip_status())),
//!         },
//!         (0x86, Access::Pace(chip)) => match chip.general_authenticate(&cmd.data, rng) {
//!             Ok(step) => {
//!                 let resp = Response::new(step.response_data, StatusWord::OK);
//!                 if let Some(channel) = step.channel { *access = Access::Secure(channel); }
//!                 Ok(resp)
//!             }
//!             Err(e) => Ok(Response::status(e.chip_status())),
//!         },
//!         _ => Ok(Response::status(StatusWord::INS_NOT_SUPPORTED)),
//!     }
//! }
//! ```
//!
//! Under secure messaging, Chip Authentication is [`ca::Chip`] (`ca::Chip::new(curve,
//! private_key, cipher)` or `ca::Chip::generate`): `mse_set_kat(data)` (3DES) or
//! `mse_set_at(data)` + `general_authenticate(data)` (AES) return the new
//! [`sm::ChipChannel`]; the simulator wraps that command's response with the *old* channel,
//! then switches to the new one (the new SSC is 0). Active Authentication is
//! [`aa::sign`]`(&key, challenge, rng)` on INTERNAL AUTHENTICATE data, with
//! [`aa::PrivateKey`] (`generate_rsa`, `generate_ec`, `ec_from_bytes`; `dg15()` gives the
//! DG15 content, `info()` the ActiveAuthenticationInfo for DG14). EF.CardAccess is
//! `SecurityInfos(vec![SecurityInfo::Pace(params.to_info())]).to_der()`, DG14 is
//! `SecurityInfos(..).to_dg14()` with `ca_chip.info()` and `ca_chip.public_key_info()`.

pub mod aa;
pub mod bac;
pub mod ca;
pub mod crypto;
pub mod ec;
pub mod error;
pub mod mrz;
pub mod pace;
pub mod security_infos;
pub mod session;
pub mod sm;

pub use crypto::{Cipher, SessionKeys};
pub use ec::Curve;
pub use error::Error;
pub use session::{AccessKey, AccessProtocol, Progress, Session};
