//! Basic Access Control (9303-11 §4.3): GET CHALLENGE, EXTERNAL AUTHENTICATE, 3DES session
//! keys and the initial SSC.

use crate::crypto::{
    cbc_decrypt, cbc_encrypt, kdf, mac_eq, token_mac, Cipher, SessionKeys, KDF_ENC, KDF_MAC,
};
use crate::error::Error;
use crate::mrz;
use crate::sm::{ChipChannel, SecureChannel};
use iso7816::Command;
use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

/// GET CHALLENGE for 8 bytes.
pub fn get_challenge_command() -> Command {
    Command::new(0x00, 0x84, 0x00, 0x00).with_le(8)
}

fn keys_from_seed(seed: &[u8]) -> SessionKeys {
    let k_enc = kdf(seed, KDF_ENC, Cipher::Tdes);
    let k_mac = kdf(seed, KDF_MAC, Cipher::Tdes);
    // Lengths are right by construction.
    SessionKeys::new(Cipher::Tdes, &k_enc, &k_mac)
        .unwrap_or_else(|_| SessionKeys::derive(seed, Cipher::Tdes))
}

fn seed_from_mrz(doc: &str, dob: &str, doe: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let h = mrz::mrz_hash(doc, dob, doe)?;
    Ok(Zeroizing::new(h.get(..16).unwrap_or(&[]).to_vec()))
}

fn session(k_ifd: &[u8], k_ic: &[u8], rnd_ic: &[u8], rnd_ifd: &[u8]) -> (SessionKeys, Vec<u8>) {
    let seed: Zeroizing<Vec<u8>> =
        Zeroizing::new(k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect());
    let keys = keys_from_seed(&seed);
    let mut ssc = rnd_ic.get(4..8).unwrap_or(&[]).to_vec();
    ssc.extend_from_slice(rnd_ifd.get(4..8).unwrap_or(&[]));
    (keys, ssc)
}

/// Encrypts S and appends its MAC: the 40-byte cryptogram E ‖ M.
fn cryptogram(keys: &SessionKeys, s: &[u8]) -> Result<Vec<u8>, Error> {
    let mut e = cbc_encrypt(Cipher::Tdes, keys.k_enc(), &[0; 8], s)?;
    let m = token_mac(Cipher::Tdes, keys.k_mac(), &e)?;
    e.extend_from_slice(&m);
    Ok(e)
}

/// Checks the MAC of E ‖ M and decrypts E (32 bytes).
fn open(keys: &SessionKeys, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if data.len() != 40 {
        return Err(Error::Truncated("BAC cryptogram must be 40 bytes"));
    }
    let (e, m) = data.split_at(32);
    if !mac_eq(m, &token_mac(Cipher::Tdes, keys.k_mac(), e)?) {
        return Err(Error::WrongAccessKey);
    }
    Ok(Zeroizing::new(cbc_decrypt(
        Cipher::Tdes,
        keys.k_enc(),
        &[0; 8],
        e,
    )?))
}

/// The terminal side of BAC.
pub struct Terminal {
    keys: SessionKeys,
    rnd_ifd: [u8; 8],
    k_ifd: [u8; 16],
    rnd_ic: Option<[u8; 8]>,
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.rnd_ifd.zeroize();
        self.k_ifd.zeroize();
    }
}

impl Terminal {
    /// From K_seed (the first 16 bytes of SHA-1 of the MRZ information).
    pub fn new(key_seed: &[u8]) -> Self {
        Self {
            keys: keys_from_seed(key_seed),
            rnd_ifd: [0; 8],
            k_ifd: [0; 16],
            rnd_ic: None,
        }
    }
    /// From the MRZ fields (dates `YYMMDD`).
    pub fn from_mrz(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, Error> {
        Ok(Self::new(&seed_from_mrz(
            document_number,
            date_of_birth,
            date_of_expiry,
        )?))
    }
    /// GET CHALLENGE (step 1).
    pub fn get_challenge_command(&self) -> Command {
        get_challenge_command()
    }
    /// EXTERNAL AUTHENTICATE from the chip's 8-byte challenge (step 2).
    pub fn external_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        rnd_ic: &[u8],
        rng: &mut R,
    ) -> Result<Command, Error> {
        let mut rnd_ifd = [0u8; 8];
        let mut k_ifd = [0u8; 16];
        rng.fill_bytes(&mut rnd_ifd);
        rng.fill_bytes(&mut k_ifd);
        let r = self.external_authenticate_with(rnd_ic, &rnd_ifd, &k_ifd);
        rnd_ifd.zeroize();
        k_ifd.zeroize();
        r
    }

    pub(crate) fn external_authenticate_with(
        &mut self,
        rnd_ic: &[u8],
        rnd_ifd: &[u8; 8],
        k_ifd: &[u8; 16],
    ) -> Result<Command, Error> {
        let rnd_ic: [u8; 8] = rnd_ic
            .try_into()
            .map_err(|_| Error::Truncated("challenge must be 8 bytes"))?;
        self.rnd_ic = Some(rnd_ic);
        self.rnd_ifd = *rnd_ifd;
        self.k_ifd = *k_ifd;
        let mut s = Zeroizing::new(Vec::with_capacity(32));
        s.extend_from_slice(&self.rnd_ifd);
        s.extend_from_slice(&rnd_ic);
        s.extend_from_slice(&self.k_ifd);
        Ok(Command::new(0x00, 0x82, 0x00, 0x00)
            .with_data(cryptogram(&self.keys, &s)?)
            .with_le(40))
    }

    /// Checks the chip's answer to EXTERNAL AUTHENTICATE and opens secure messaging.
    pub fn finish(&mut self, response_data: &[u8]) -> Result<SecureChannel, Error> {
        let rnd_ic = self
            .rnd_ic
            .ok_or(Error::OutOfOrder("BAC finish before external authenticate"))?;
        let r = open(&self.keys, response_data).map_err(|e| match e {
            Error::WrongAccessKey => Error::ChipAuthenticationFailed,
            e => e,
        })?;
        let (r_ic, rest) = r.split_at(8);
        let (r_ifd, k_ic) = rest.split_at(8);
        if !mac_eq(r_ic, &rnd_ic) || !mac_eq(r_ifd, &self.rnd_ifd) {
            return Err(Error::ChipAuthenticationFailed);
        }
        let (keys, ssc) = session(&self.k_ifd, k_ic, &rnd_ic, &self.rnd_ifd);
        Ok(SecureChannel::new(keys, &ssc))
    }
}

/// The chip side of BAC.
pub struct Chip {
    keys: SessionKeys,
    rnd_ic: Option<[u8; 8]>,
}

impl Chip {
    /// From K_seed.
    pub fn new(key_seed: &[u8]) -> Self {
        Self {
            keys: keys_from_seed(key_seed),
            rnd_ic: None,
        }
    }
    /// From the MRZ fields printed on the card (dates `YYMMDD`).
    pub fn from_mrz(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, Error> {
        Ok(Self::new(&seed_from_mrz(
            document_number,
            date_of_birth,
            date_of_expiry,
        )?))
    }
    /// Answers GET CHALLENGE: a fresh RND.IC.
    pub fn get_challenge<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> [u8; 8] {
        let mut c = [0u8; 8];
        rng.fill_bytes(&mut c);
        self.rnd_ic = Some(c);
        c
    }
    /// Answers EXTERNAL AUTHENTICATE: returns the response data (E_IC ‖ M_IC) and the
    /// chip's secure channel. A wrong MRZ gives [`Error::WrongAccessKey`] (answer 6300).
    pub fn external_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<(Vec<u8>, ChipChannel), Error> {
        let mut k_ic = [0u8; 16];
        rng.fill_bytes(&mut k_ic);
        let r = self.external_authenticate_with(data, &k_ic);
        k_ic.zeroize();
        r
    }

    pub(crate) fn external_authenticate_with(
        &mut self,
        data: &[u8],
        k_ic: &[u8; 16],
    ) -> Result<(Vec<u8>, ChipChannel), Error> {
        // A challenge is used once.
        let rnd_ic = self.rnd_ic.take().ok_or(Error::OutOfOrder(
            "EXTERNAL AUTHENTICATE without GET CHALLENGE",
        ))?;
        let s = open(&self.keys, data)?;
        let (rnd_ifd, rest) = s.split_at(8);
        let (r_ic, k_ifd) = rest.split_at(8);
        if !mac_eq(r_ic, &rnd_ic) {
            return Err(Error::WrongAccessKey);
        }
        let mut r = Zeroizing::new(Vec::with_capacity(32));
        r.extend_from_slice(&rnd_ic);
        r.extend_from_slice(rnd_ifd);
        r.extend_from_slice(k_ic);
        let answer = cryptogram(&self.keys, &r)?;
        let (keys, ssc) = session(k_ifd, k_ic, &rnd_ic, rnd_ifd);
        Ok((answer, ChipChannel::new(keys, &ssc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;
    use iso7816::{Response, StatusWord};
    use rand_core::SeedableRng;

    /// ICAO 9303-11 Appendix D.3 (specimen MRZ L898902C / 690806 / 940623).
    #[test]
    fn appendix_d_mutual_authentication() {
        let mut t = Terminal::from_mrz("L898902C", "690806", "940623").unwrap();
        let rnd_ic = hex("4608F91988702212");
        let rnd_ifd: [u8; 8] = hex("781723860C06C226").try_into().unwrap();
        let k_ifd: [u8; 16] = hex("0B795240CB7049B01C19B33E32804F0B").try_into().unwrap();
        let cmd = t
            .external_authenticate_with(&rnd_ic, &rnd_ifd, &k_ifd)
            .unwrap();
        assert_eq!(
            cmd.data,
            hex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
        );

        let mut chip = Chip::from_mrz("L898902C", "690806", "940623").unwrap();
        chip.rnd_ic = Some(rnd_ic.clone().try_into().unwrap());
        let k_ic: [u8; 16] = hex("0B4F80323EB3191CB04970CB4052790B").try_into().unwrap();
        let (answer, chip_channel) = chip.external_authenticate_with(&cmd.data, &k_ic).unwrap();
        assert_eq!(
            answer,
            hex("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
        );
        let channel = t.finish(&answer).unwrap();
        assert_eq!(channel.ssc(), hex("887022120C06C226"));
        assert_eq!(chip_channel.ssc(), hex("887022120C06C226"));
    }

    #[test]
    fn round_trip_and_wrong_mrz() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut chip = Chip::from_mrz("C01234567", "900101", "300101").unwrap();
        let mut t = Terminal::from_mrz("C01234567", "900101", "300101").unwrap();
        let challenge = chip.get_challenge(&mut rng);
        let cmd = t.external_authenticate(&challenge, &mut rng).unwrap();
        let (answer, mut cc) = chip.external_authenticate(&cmd.data, &mut rng).unwrap();
        let mut tc = t.finish(&answer).unwrap();
        let w = tc
            .wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(4))
            .unwrap();
        assert_eq!(cc.unwrap_command(&w).unwrap().le, Some(4));
        let r = cc
            .wrap_response(&Response::new(vec![1, 2, 3, 4], StatusWord::OK))
            .unwrap();
        assert_eq!(tc.unwrap_response(&r).unwrap().data, [1, 2, 3, 4]);

        // Wrong date of birth: the chip rejects the terminal's cryptogram.
        let mut bad = Terminal::from_mrz("C01234567", "900102", "300101").unwrap();
        let challenge = chip.get_challenge(&mut rng);
        let cmd = bad.external_authenticate(&challenge, &mut rng).unwrap();
        let err = chip.external_authenticate(&cmd.data, &mut rng).unwrap_err();
        assert_eq!(err, Error::WrongAccessKey);
        assert_eq!(err.chip_status(), StatusWord::VERIFICATION_FAILED);

        // Replayed cryptogram: the challenge was consumed.
        assert!(matches!(
            chip.external_authenticate(&cmd.data, &mut rng),
            Err(Error::OutOfOrder(_))
        ));
        // Truncated answer.
        assert!(matches!(t.finish(&answer[..39]), Err(Error::Truncated(_))));
    }
}
