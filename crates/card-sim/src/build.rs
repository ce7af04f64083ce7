//! Personalization: a [`CardProfile`] becomes the files and secrets of a [`Card`].

use std::collections::BTreeMap;

use icao9303::security_infos::{SecurityInfo, SecurityInfos};
use lds::HashAlgorithm;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use testpki::TestCert;

use crate::card::{ApduFaults, Card};
use crate::chip::{self, ChipSecrets};
use crate::error::SimError;
use crate::face::generate_face_jpeg;
use crate::fs::{fid, Files};
use crate::profile::CardProfile;

/// The test PKI a card is signed under: a CSCA and a Document Signer it issued.
#[derive(Debug, Clone)]
pub struct SimPki {
    pub csca: TestCert,
    pub ds: TestCert,
}

impl SimPki {
    /// A deterministic TEST-ONLY CSCA and DS (testpki) from `seed`.
    pub fn generate(seed: &str) -> Self {
        let csca = testpki::csca(seed);
        let ds = testpki::document_signer(&csca, seed);
        Self { csca, ds }
    }
}

/// Misbehaviours that a reader must detect. Everything off by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFaults {
    /// This data group (1, 2, 13, 14 or 15) is changed after the SOD was signed.
    pub tampered_dg: Option<u8>,
    /// The SOD's signature does not verify.
    pub bad_sod_signature: bool,
    /// A clone: DG14 announces a Chip Authentication key the chip does not hold.
    pub cloned_chip_key: bool,
    /// Extended Lc/Le rejected with 6700.
    pub short_apdu_only: bool,
}

impl CardFaults {
    /// Whether any fault is switched on.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

fn lds_err(e: lds::LdsError) -> SimError {
    SimError::Personalization(e.to_string())
}

fn icao_err(e: icao9303::Error) -> SimError {
    SimError::Personalization(e.to_string())
}

impl CardProfile {
    /// The card for this profile, signed by `pki.ds`.
    pub fn build(&self, pki: &SimPki) -> Result<Card, SimError> {
        self.build_with(pki, CardFaults::default())
    }

    /// The card for this profile with faults switched on.
    pub fn build_with(&self, pki: &SimPki, faults: CardFaults) -> Result<Card, SimError> {
        let mut rng = ChaCha20Rng::seed_from_u64(self.seed ^ 0xC0FF_EE00_D15C_0123);
        let mut dgs: BTreeMap<u8, Vec<u8>> = BTreeMap::new();

        let lines: Vec<&str> = self.mrz.iter().map(String::as_str).collect();
        dgs.insert(1, lds::build_dg1(&lines).map_err(lds_err)?);
        dgs.insert(2, lds::build_dg2(&generate_face_jpeg(self.seed)).map_err(lds_err)?);
        dgs.insert(13, cccd::build_dg13(&self.citizen));

        let pace = chip::pace_info();
        let mut secrets = ChipSecrets {
            can: self.can.clone(),
            mrz_document_number: self.document_number.clone(),
            mrz_date_of_birth: self.mrz_date_of_birth.clone(),
            mrz_date_of_expiry: self.mrz_date_of_expiry.clone(),
            bac: self.bac,
            pace: self.pace,
            ca_private_key: None,
            aa_private_key: None,
        };
        let mut dg14_infos =
            if self.pace { vec![SecurityInfo::Pace(pace.clone())] } else { Vec::new() };
        if self.chip_authentication {
            let key = chip::generate_ca_key(&mut rng)
                .ok_or_else(|| SimError::Personalization("CA key".into()))?;
            let ca = chip::ca_chip(&key)
                .ok_or_else(|| SimError::Personalization("CA key".into()))?;
            dg14_infos.push(SecurityInfo::ChipAuthentication(ca.info()));
            dg14_infos.push(SecurityInfo::ChipAuthenticationPublicKey(
                ca.public_key_info().map_err(icao_err)?,
            ));
            secrets.ca_private_key = Some(if faults.cloned_chip_key {
                // The clone copied DG14 but could not extract the private key.
                chip::generate_ca_key(&mut rng)
                    .ok_or_else(|| SimError::Personalization("CA key".into()))?
            } else {
                key
            });
        }
        if self.active_authentication {
            let aa = crate::aa::personalize(self.seed)?;
            dgs.insert(15, aa.dg15);
            dg14_infos.push(aa.info);
            secrets.aa_private_key = Some(aa.key);
        }
        dgs.insert(14, SecurityInfos(dg14_infos).to_dg14().map_err(icao_err)?);

        let hash = HashAlgorithm::Sha256;
        let hashes = lds::hash_data_groups(hash, &dgs);
        let mut sod = lds::build_sod(hash, &hashes, &pki.ds.key, &pki.ds.der).map_err(lds_err)?;
        if faults.bad_sod_signature {
            // The signature is the last field of the SignerInfo, itself the last element of
            // the SOD: flipping the last byte keeps the structure and breaks the signature.
            if let Some(b) = sod.last_mut() {
                *b ^= 0x5A;
            }
        }
        if let Some(n) = faults.tampered_dg {
            tamper(self, n, &mut dgs)?;
        }

        let mut files = Files::default();
        if self.pace {
            files.set_mf(
                fid::CARD_ACCESS,
                SecurityInfos(vec![SecurityInfo::Pace(pace)]).to_der().map_err(icao_err)?,
            );
        }
        let numbers: Vec<u8> = dgs.keys().copied().collect();
        files.set(fid::COM, lds::build_com(&numbers).map_err(lds_err)?);
        files.set(fid::SOD, sod);
        for (n, content) in dgs {
            files.set(fid::dg(n), content);
        }
        // Fingerprints: present, behind Terminal Authentication, which this card never grants.
        files.deny(fid::dg(3));

        let mut card = Card::new(files, secrets, self.seed);
        card.set_faults(ApduFaults { short_apdu_only: faults.short_apdu_only });
        Ok(card)
    }
}

/// Changes DG `n` so that it still parses but no longer matches the SOD.
fn tamper(profile: &CardProfile, n: u8, dgs: &mut BTreeMap<u8, Vec<u8>>) -> Result<(), SimError> {
    let Some(content) = dgs.get_mut(&n) else {
        return Err(SimError::InvalidFault(format!("no DG{n} on this card to tamper with")));
    };
    match n {
        1 => {
            // Another holder name in the MRZ.
            let mut lines = profile.mrz.clone();
            if let Some(l3) = lines.get_mut(2) {
                *l3 = format!("{:<<30}", "TRAN<<THI<GIA<MAO").chars().take(30).collect();
            }
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            *content = lds::build_dg1(&refs).map_err(lds_err)?;
        }
        2 => *content = lds::build_dg2(&generate_face_jpeg(profile.seed ^ 0xFACE)).map_err(lds_err)?,
        13 => {
            let mut citizen = profile.citizen.clone();
            citizen.full_name = format!("{} Giả", citizen.full_name);
            *content = cccd::build_dg13(&citizen);
        }
        _ => {
            if let Some(b) = content.last_mut() {
                *b ^= 0x01;
            }
        }
    }
    Ok(())
}
