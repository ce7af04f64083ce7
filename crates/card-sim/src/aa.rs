//! Active Authentication on the chip side (INTERNAL AUTHENTICATE), with an ECDSA key on
//! brainpoolP256r1 (plain signature, SHA-256, announced in DG14).

use icao9303::aa::{self, PrivateKey};
use icao9303::security_infos::{
    ActiveAuthenticationInfo, SecurityInfo, OID_AA, OID_ECDSA_PLAIN_SHA256,
};
use iso7816::{Command, StatusWord};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

use crate::chip::{pace_info, CardRng, ChipSecrets, Outcome};
use crate::SimError;

fn private_key(scalar: &[u8]) -> Option<PrivateKey> {
    Some(PrivateKey::Ec { curve: pace_info().curve()?, scalar: Zeroizing::new(scalar.to_vec()) })
}

/// INTERNAL AUTHENTICATE: signs the terminal's 8-byte challenge with the DG15 key.
pub(crate) fn internal_authenticate(
    secrets: &ChipSecrets,
    rng: &mut CardRng,
    cmd: &Command,
) -> Outcome {
    let fail = |status| Outcome { data: Vec::new(), status, next_channel: None };
    let Some(key) = secrets.aa_private_key.as_ref().and_then(|k| private_key(k)) else {
        return fail(StatusWord::INS_NOT_SUPPORTED);
    };
    if cmd.data.len() != 8 {
        return fail(StatusWord::WRONG_DATA);
    }
    match aa::sign(&key, &cmd.data, &mut rng.0) {
        Ok(signature) => Outcome { data: signature, status: StatusWord::OK, next_channel: None },
        Err(e) => fail(e.chip_status()),
    }
}

/// What personalization puts on a card with Active Authentication.
pub(crate) struct AaPersonalization {
    /// DG15 content.
    pub(crate) dg15: Vec<u8>,
    /// ActiveAuthenticationInfo for DG14 (the signature algorithm of ECDSA keys).
    pub(crate) info: SecurityInfo,
    /// The private scalar.
    pub(crate) key: Zeroizing<Vec<u8>>,
}

/// DG15, the ActiveAuthenticationInfo for DG14, and the private scalar of a new AA key.
pub(crate) fn personalize(seed: u64) -> Result<AaPersonalization, SimError> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0xAA00_AA00_AA00_AA00);
    let curve = pace_info().curve().ok_or_else(|| SimError::Personalization("AA curve".into()))?;
    let scalar = curve.random_scalar(&mut rng);
    let key = private_key(&scalar).ok_or_else(|| SimError::Personalization("AA key".into()))?;
    let dg15 = key.dg15().map_err(|e| SimError::Personalization(e.to_string()))?;
    let info = SecurityInfo::ActiveAuthentication(ActiveAuthenticationInfo {
        protocol: OID_AA,
        version: 1,
        signature_algorithm: OID_ECDSA_PLAIN_SHA256,
    });
    Ok(AaPersonalization { dg15, info, key: scalar })
}
