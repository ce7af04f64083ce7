//! Access control and secure messaging on the chip side: BAC, PACE, Chip Authentication,
//! Active Authentication. The cryptography lives in `icao9303` (its chip-side APIs); this
//! module routes APDUs to it and keeps the card's session state.

use icao9303::security_infos::{PaceInfo, OID_PACE_ECDH_GM_AES128};
use icao9303::sm::ChipChannel;
use icao9303::{bac, ca, pace, Cipher};
use iso7816::{Command, StatusWord};
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

/// Standardized domain parameters of brainpoolP256r1 (TR-03110 id 13).
pub(crate) const BRAINPOOL_P256R1_ID: u32 = 13;

/// The card's random number generator (seeded, so a run can be replayed).
pub(crate) struct CardRng(pub(crate) ChaCha20Rng);

impl CardRng {
    pub(crate) fn from_seed(seed: u64) -> Self {
        Self(ChaCha20Rng::seed_from_u64(seed ^ 0x5EED_CA2D))
    }
}

/// How the current secure-messaging session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMethod {
    Bac,
    PaceCan,
    PaceMrz,
}

pub(crate) struct Secure {
    pub(crate) channel: ChipChannel,
    pub(crate) method: AccessMethod,
    /// Chip Authentication in progress (after MSE:Set AT, AES variant).
    ca: Option<ca::Chip>,
    /// Chip Authentication done: the channel now uses the CA keys.
    pub(crate) chip_authenticated: bool,
}

/// Where the card is in its access-control protocols.
#[derive(Default)]
pub(crate) enum Auth {
    #[default]
    None,
    /// GET CHALLENGE answered; EXTERNAL AUTHENTICATE expected.
    Bac(bac::Chip),
    /// MSE:Set AT accepted; GENERAL AUTHENTICATE steps running.
    Pace(pace::Chip, AccessMethod),
    Secure(Box<Secure>),
}

/// The secrets personalized into the chip. Never printed by `Debug`.
#[derive(Clone, Default)]
pub struct ChipSecrets {
    /// Card Access Number (6 digits, printed on the card). Empty: no PACE-CAN.
    pub can: String,
    /// MRZ document number (9 characters), for BAC / PACE-MRZ. Empty: no BAC, no PACE-MRZ.
    pub mrz_document_number: String,
    /// `YYMMDD`.
    pub mrz_date_of_birth: String,
    /// `YYMMDD`.
    pub mrz_date_of_expiry: String,
    /// The chip answers BAC.
    pub bac: bool,
    /// The chip answers PACE (CAN and MRZ).
    pub pace: bool,
    /// Chip Authentication private key (brainpoolP256r1 scalar), if the chip does CA.
    pub ca_private_key: Option<Zeroizing<Vec<u8>>>,
    /// Active Authentication private key (PKCS#8 DER), if the chip does AA.
    pub aa_private_key: Option<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for ChipSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipSecrets")
            .field("bac", &self.bac)
            .field("ca", &self.ca_private_key.is_some())
            .field("aa", &self.aa_private_key.is_some())
            .finish_non_exhaustive()
    }
}

/// PACE parameters the card offers: ECDH-GM, AES-128, brainpoolP256r1.
pub(crate) fn pace_info() -> PaceInfo {
    PaceInfo {
        protocol: OID_PACE_ECDH_GM_AES128,
        version: 2,
        parameter_id: Some(BRAINPOOL_P256R1_ID),
    }
}

/// The CA chip for a private key (brainpoolP256r1, AES-128).
pub(crate) fn ca_chip(private_key: &[u8]) -> Option<ca::Chip> {
    let curve = pace_info().curve()?;
    ca::Chip::new(curve, private_key, Cipher::Aes128).ok()
}

/// A fresh CA private key from `rng`.
pub(crate) fn generate_ca_key(rng: &mut ChaCha20Rng) -> Option<Zeroizing<Vec<u8>>> {
    let curve = pace_info().curve()?;
    Some(curve.random_scalar(rng))
}

fn pace_chip(secrets: &ChipSecrets) -> Option<pace::Chip> {
    if !secrets.pace {
        return None;
    }
    let params = pace::Params::from_info(&pace_info()).ok()?;
    let mut passwords = Vec::new();
    if let Ok(p) = pace::Password::can(&secrets.can) {
        passwords.push(p);
    }
    if let Ok(p) = pace::Password::mrz(
        &secrets.mrz_document_number,
        &secrets.mrz_date_of_birth,
        &secrets.mrz_date_of_expiry,
    ) {
        passwords.push(p);
    }
    Some(pace::Chip::new(vec![params], passwords))
}

/// What an authentication command produced.
pub(crate) struct Outcome {
    pub(crate) data: Vec<u8>,
    pub(crate) status: StatusWord,
    /// Switch to this channel after wrapping the response with the current one (CA).
    pub(crate) next_channel: Option<ChipChannel>,
}

fn answer(data: Vec<u8>, status: StatusWord) -> Outcome {
    Outcome { data, status, next_channel: None }
}

fn fail(status: StatusWord) -> Outcome {
    answer(Vec::new(), status)
}

/// Plain (unprotected) GET CHALLENGE, EXTERNAL AUTHENTICATE, MSE:Set AT, GENERAL AUTHENTICATE.
pub(crate) fn authenticate_plain(
    auth: &mut Auth,
    secrets: &ChipSecrets,
    rng: &mut CardRng,
    cmd: &Command,
) -> Outcome {
    match cmd.ins {
        // GET CHALLENGE: starts BAC.
        0x84 => {
            if cmd.le != Some(8) {
                return fail(StatusWord::WRONG_LENGTH);
            }
            let chip = if secrets.bac {
                bac::Chip::from_mrz(
                    &secrets.mrz_document_number,
                    &secrets.mrz_date_of_birth,
                    &secrets.mrz_date_of_expiry,
                )
                .ok()
            } else {
                None
            };
            let Some(mut chip) = chip else {
                // No BAC: still a challenge, but nothing can use it.
                let mut c = [0u8; 8];
                rng.0.fill_bytes(&mut c);
                *auth = Auth::None;
                return answer(c.to_vec(), StatusWord::OK);
            };
            let challenge = chip.get_challenge(&mut rng.0);
            *auth = Auth::Bac(chip);
            answer(challenge.to_vec(), StatusWord::OK)
        }
        // EXTERNAL AUTHENTICATE: ends BAC.
        0x82 => match std::mem::take(auth) {
            Auth::Bac(mut chip) => match chip.external_authenticate(&cmd.data, &mut rng.0) {
                Ok((data, channel)) => {
                    *auth = Auth::Secure(Box::new(Secure {
                        channel,
                        method: AccessMethod::Bac,
                        ca: None,
                        chip_authenticated: false,
                    }));
                    answer(data, StatusWord::OK)
                }
                Err(e) => fail(e.chip_status()),
            },
            _ => fail(StatusWord::CONDITIONS_NOT_SATISFIED),
        },
        // MSE:Set AT for PACE.
        0x22 if cmd.p1 == 0xC1 && cmd.p2 == 0xA4 => {
            let Some(mut chip) = pace_chip(secrets) else {
                return fail(StatusWord::REFERENCED_DATA_NOT_FOUND);
            };
            match chip.mse_set_at(&cmd.data) {
                Ok(()) => {
                    let method = if iso7816::tlv::find(&cmd.data, 0x83)
                        .ok()
                        .flatten()
                        .is_some_and(|t| t.value == [2])
                    {
                        AccessMethod::PaceCan
                    } else {
                        AccessMethod::PaceMrz
                    };
                    *auth = Auth::Pace(chip, method);
                    fail(StatusWord::OK)
                }
                Err(e) => {
                    *auth = Auth::None;
                    fail(e.chip_status())
                }
            }
        }
        0x22 => fail(StatusWord::WRONG_P1P2),
        // GENERAL AUTHENTICATE (PACE steps; CLA 10 = chained).
        0x86 => match std::mem::take(auth) {
            Auth::Pace(mut chip, method) => match chip.general_authenticate(&cmd.data, &mut rng.0)
            {
                Ok(step) => {
                    *auth = match step.channel {
                        Some(channel) => Auth::Secure(Box::new(Secure {
                            channel,
                            method,
                            ca: None,
                            chip_authenticated: false,
                        })),
                        None => Auth::Pace(chip, method),
                    };
                    answer(step.response_data, StatusWord::OK)
                }
                Err(e) => fail(e.chip_status()),
            },
            _ => fail(StatusWord::CONDITIONS_NOT_SATISFIED),
        },
        // INTERNAL AUTHENTICATE needs secure messaging on this card.
        0x88 => fail(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
        _ => fail(StatusWord::INS_NOT_SUPPORTED),
    }
}

/// Protected authentication commands: Chip Authentication (MSE:Set KAT / MSE:Set AT +
/// GENERAL AUTHENTICATE), Active Authentication (INTERNAL AUTHENTICATE), GET CHALLENGE.
pub(crate) fn authenticate_secure(
    secure: &mut Secure,
    secrets: &ChipSecrets,
    rng: &mut CardRng,
    cmd: &Command,
) -> Outcome {
    match (cmd.ins, cmd.p1, cmd.p2) {
        (0x84, _, _) => {
            let mut c = vec![0u8; cmd.le.unwrap_or(8).min(8)];
            rng.0.fill_bytes(&mut c);
            answer(c, StatusWord::OK)
        }
        // MSE:Set KAT (CA with 3DES): this card only offers AES CA.
        (0x22, 0x41, 0xA6) => fail(StatusWord::REFERENCED_DATA_NOT_FOUND),
        (0x22, 0x41, 0xA4) => {
            let Some(mut chip) = secrets.ca_private_key.as_ref().and_then(|k| ca_chip(k)) else {
                return fail(StatusWord::REFERENCED_DATA_NOT_FOUND);
            };
            match chip.mse_set_at(&cmd.data) {
                Ok(()) => {
                    secure.ca = Some(chip);
                    fail(StatusWord::OK)
                }
                Err(e) => fail(e.chip_status()),
            }
        }
        (0x22, _, _) => fail(StatusWord::WRONG_P1P2),
        (0x86, _, _) => {
            let Some(mut chip) = secure.ca.take() else {
                return fail(StatusWord::CONDITIONS_NOT_SATISFIED);
            };
            match chip.general_authenticate(&cmd.data) {
                Ok((data, channel)) => {
                    secure.chip_authenticated = true;
                    Outcome { data, status: StatusWord::OK, next_channel: Some(channel) }
                }
                Err(e) => fail(e.chip_status()),
            }
        }
        (0x88, _, _) => crate::aa::internal_authenticate(secrets, rng, cmd),
        (0x82, _, _) => fail(StatusWord::CONDITIONS_NOT_SATISFIED),
        _ => fail(StatusWord::INS_NOT_SUPPORTED),
    }
}
