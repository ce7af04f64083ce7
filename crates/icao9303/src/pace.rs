//! PACE v2 with ECDH Generic Mapping (9303-11 §4.4, TR-03110 part 2 §3.2 and part 3 §B.1):
//! MSE:Set AT, then four GENERAL AUTHENTICATE steps (encrypted nonce, mapping, key
//! agreement, mutual authentication). Terminal side [`Terminal`], chip side [`Chip`].

use crate::crypto::{
    cbc_decrypt, cbc_encrypt, kdf, mac_eq, token_mac, Cipher, SessionKeys, KDF_PI,
};
use crate::ec::{x_coordinate, Curve};
use crate::error::Error;
use crate::mrz;
use crate::security_infos::{
    cipher_of, PaceInfo, OID_PACE_ECDH_GM_3DES, OID_PACE_ECDH_GM_AES128, OID_PACE_ECDH_GM_AES192,
    OID_PACE_ECDH_GM_AES256,
};
use crate::sm::{ChipChannel, SecureChannel};
use der::asn1::ObjectIdentifier;
use der::Encode;
use iso7816::{tlv, Command};
use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

/// Which password PACE runs on (MSE:Set AT tag `83`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordKind {
    /// MRZ (reference 01).
    Mrz = 1,
    /// Card Access Number (reference 02).
    Can = 2,
}

/// A PACE password π: the CAN digits, or SHA-1 of the MRZ information. Zeroized on drop.
#[derive(Clone)]
pub struct Password {
    kind: PasswordKind,
    secret: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for Password {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Password")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Password {
    /// A CAN: exactly 6 digits (spaces around are ignored).
    pub fn can(can: &str) -> Result<Self, Error> {
        let c = can.trim();
        if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidCan);
        }
        Ok(Self {
            kind: PasswordKind::Can,
            secret: Zeroizing::new(c.as_bytes().to_vec()),
        })
    }
    /// From MRZ fields (dates `YYMMDD`).
    pub fn mrz(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<Self, Error> {
        let h = mrz::mrz_hash(document_number, date_of_birth, date_of_expiry)?;
        Ok(Self {
            kind: PasswordKind::Mrz,
            secret: Zeroizing::new(h.to_vec()),
        })
    }
    /// MRZ or CAN.
    pub fn kind(&self) -> PasswordKind {
        self.kind
    }
    /// K_π = KDF(π, 3).
    pub fn k_pi(&self, cipher: Cipher) -> Zeroizing<Vec<u8>> {
        kdf(&self.secret, KDF_PI, cipher)
    }
}

/// The protocol run: ECDH-GM with a cipher on a curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The PACE protocol OID (`id-PACE-ECDH-GM-*`).
    pub protocol: ObjectIdentifier,
    /// Its cipher.
    pub cipher: Cipher,
    /// The curve of the standardized domain parameters.
    pub curve: Curve,
}

impl Params {
    /// ECDH-GM with `cipher` on `curve`.
    pub fn new(cipher: Cipher, curve: Curve) -> Self {
        let protocol = match cipher {
            Cipher::Tdes => OID_PACE_ECDH_GM_3DES,
            Cipher::Aes128 => OID_PACE_ECDH_GM_AES128,
            Cipher::Aes192 => OID_PACE_ECDH_GM_AES192,
            Cipher::Aes256 => OID_PACE_ECDH_GM_AES256,
        };
        Self {
            protocol,
            cipher,
            curve,
        }
    }
    /// From a PACEInfo of EF.CardAccess; errors when not ECDH-GM on a supported curve.
    pub fn from_info(info: &PaceInfo) -> Result<Self, Error> {
        if !info.is_ecdh_gm() {
            return Err(Error::Unsupported(format!(
                "PACE protocol {}",
                info.protocol
            )));
        }
        let cipher = info
            .cipher()
            .ok_or_else(|| Error::Unsupported(format!("PACE protocol {}", info.protocol)))?;
        let curve = info.curve().ok_or_else(|| {
            Error::Unsupported(format!("PACE domain parameter {:?}", info.parameter_id))
        })?;
        Ok(Self {
            protocol: info.protocol,
            cipher,
            curve,
        })
    }
    /// The PACEInfo announcing these parameters (for building EF.CardAccess).
    pub fn to_info(&self) -> PaceInfo {
        PaceInfo {
            protocol: self.protocol,
            version: 2,
            parameter_id: Some(self.curve.parameter_id()),
        }
    }
}

/// Public key data object `7F49 { 06 OID, 86 point }` over which the tokens are computed.
pub fn public_key_data_object(protocol: &ObjectIdentifier, point: &[u8]) -> Result<Vec<u8>, Error> {
    let oid = protocol.to_der()?;
    let mut inner = oid;
    tlv::encode_into(0x86, point, &mut inner);
    Ok(tlv::encode(0x7F49, &inner))
}

/// Authentication token `T = MAC(K_mac, PKDO(other party's ephemeral key))`.
pub fn auth_token(
    cipher: Cipher,
    k_mac: &[u8],
    protocol: &ObjectIdentifier,
    point: &[u8],
) -> Result<[u8; 8], Error> {
    token_mac(cipher, k_mac, &public_key_data_object(protocol, point)?)
}

/// MSE:Set AT for PACE: `00 22 C1 A4 {80 OID} {83 password ref}`.
pub fn mse_set_at_command(params: &Params, kind: PasswordKind) -> Result<Command, Error> {
    let oid = params.protocol.to_der()?;
    let mut data = Vec::new();
    tlv::encode_into(0x80, oid.get(2..).unwrap_or(&[]), &mut data);
    tlv::encode_into(0x83, &[kind as u8], &mut data);
    Ok(Command::new(0x00, 0x22, 0xC1, 0xA4).with_data(data))
}

fn general_authenticate(last: bool, tag: u32, value: &[u8]) -> Command {
    let inner = if tag == 0 {
        Vec::new()
    } else {
        tlv::encode(tag, value)
    };
    Command::new(if last { 0x00 } else { 0x10 }, 0x86, 0x00, 0x00)
        .with_data(tlv::encode(0x7C, &inner))
        .with_le(256)
}

/// The value of `tag` inside a dynamic authentication data object `7C`.
pub(crate) fn dynamic_auth_data(data: &[u8], tag: u32) -> Result<Vec<u8>, Error> {
    let (t, _) = tlv::parse(data)?;
    if t.tag.0 != 0x7C {
        return Err(Error::MissingDo("7C"));
    }
    let v = t.child(tag)?.ok_or(Error::MissingDo("in 7C"))?;
    Ok(v.value.to_vec())
}

enum TerminalState {
    Start,
    NonceAsked,
    Mapping {
        s: Zeroizing<Vec<u8>>,
        sk_map: Zeroizing<Vec<u8>>,
    },
    KeyAgreement {
        sk: Zeroizing<Vec<u8>>,
        pk: Vec<u8>,
    },
    Tokens {
        keys: SessionKeys,
        pk_pcd: Vec<u8>,
    },
    Done,
}

/// The terminal side of PACE. Call, in order: [`Terminal::mse_set_at`],
/// [`Terminal::step1`], [`Terminal::step2`], [`Terminal::step3`], [`Terminal::step4`] and
/// [`Terminal::finish`], each with the data of the card's previous answer.
pub struct Terminal {
    params: Params,
    password: Password,
    state: TerminalState,
}

impl Terminal {
    /// A run with these parameters and password.
    pub fn new(params: Params, password: Password) -> Self {
        Self {
            params,
            password,
            state: TerminalState::Start,
        }
    }
    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// MSE:Set AT.
    pub fn mse_set_at(&self) -> Result<Command, Error> {
        mse_set_at_command(&self.params, self.password.kind())
    }
    /// MSE:Set AT that also names the domain parameters (`84` = standardized parameter
    /// id), for chips that insist on it.
    pub fn mse_set_at_with_parameter_id(&self) -> Result<Command, Error> {
        let mut cmd = mse_set_at_command(&self.params, self.password.kind())?;
        let id = self.params.curve.parameter_id();
        tlv::encode_into(0x84, &[id as u8], &mut cmd.data);
        Ok(cmd)
    }
    /// GENERAL AUTHENTICATE 1: ask for the encrypted nonce.
    pub fn step1(&mut self) -> Command {
        self.state = TerminalState::NonceAsked;
        general_authenticate(false, 0, &[])
    }
    /// GENERAL AUTHENTICATE 2: decrypt the nonce, send the mapping public key.
    pub fn step2<R: CryptoRng + ?Sized>(
        &mut self,
        response_data: &[u8],
        rng: &mut R,
    ) -> Result<Command, Error> {
        let sk = self.params.curve.random_scalar(rng);
        self.step2_with(response_data, sk)
    }
    pub(crate) fn step2_with(
        &mut self,
        response_data: &[u8],
        sk_map: Zeroizing<Vec<u8>>,
    ) -> Result<Command, Error> {
        if !matches!(self.state, TerminalState::NonceAsked) {
            return Err(Error::OutOfOrder("PACE step 2"));
        }
        let z = dynamic_auth_data(response_data, 0x80)?;
        let c = self.params.cipher;
        if z.is_empty() || z.len() % c.block_size() != 0 {
            return Err(Error::Truncated("PACE encrypted nonce"));
        }
        let s = Zeroizing::new(cbc_decrypt(
            c,
            &self.password.k_pi(c),
            &vec![0; c.block_size()],
            &z,
        )?);
        let pk = self.params.curve.mul(None, &sk_map)?;
        self.state = TerminalState::Mapping { s, sk_map };
        Ok(general_authenticate(false, 0x81, &pk))
    }
    /// GENERAL AUTHENTICATE 3: map the generator, send the ephemeral public key.
    pub fn step3<R: CryptoRng + ?Sized>(
        &mut self,
        response_data: &[u8],
        rng: &mut R,
    ) -> Result<Command, Error> {
        let sk = self.params.curve.random_scalar(rng);
        self.step3_with(response_data, sk)
    }
    pub(crate) fn step3_with(
        &mut self,
        response_data: &[u8],
        sk: Zeroizing<Vec<u8>>,
    ) -> Result<Command, Error> {
        let TerminalState::Mapping { s, sk_map } = &self.state else {
            return Err(Error::OutOfOrder("PACE step 3"));
        };
        let pk_map_chip = dynamic_auth_data(response_data, 0x82)?;
        let curve = self.params.curve;
        let h = curve.mul(Some(&pk_map_chip), sk_map)?;
        let g = curve.map_generic(s, &h)?;
        let pk = curve.mul(Some(&g), &sk)?;
        let cmd = general_authenticate(false, 0x83, &pk);
        self.state = TerminalState::KeyAgreement { sk, pk };
        Ok(cmd)
    }
    /// GENERAL AUTHENTICATE 4: agree on K, derive session keys, send the terminal's token.
    pub fn step4(&mut self, response_data: &[u8]) -> Result<Command, Error> {
        let TerminalState::KeyAgreement { sk, pk } = &self.state else {
            return Err(Error::OutOfOrder("PACE step 4"));
        };
        let pk_chip = dynamic_auth_data(response_data, 0x84)?;
        if pk_chip == *pk {
            return Err(Error::ChipAuthenticationFailed);
        }
        let shared = Zeroizing::new(self.params.curve.mul(Some(&pk_chip), sk)?);
        let keys = SessionKeys::derive(x_coordinate(&shared)?, self.params.cipher);
        let token = auth_token(
            self.params.cipher,
            keys.k_mac(),
            &self.params.protocol,
            &pk_chip,
        )?;
        let pk_pcd = pk.clone();
        self.state = TerminalState::Tokens { keys, pk_pcd };
        Ok(general_authenticate(true, 0x85, &token))
    }
    /// Checks the chip's token and opens secure messaging (SSC = 0).
    pub fn finish(&mut self, response_data: &[u8]) -> Result<SecureChannel, Error> {
        let TerminalState::Tokens { keys, pk_pcd } = &self.state else {
            return Err(Error::OutOfOrder("PACE finish"));
        };
        let token = dynamic_auth_data(response_data, 0x86)?;
        let expected = auth_token(
            self.params.cipher,
            keys.k_mac(),
            &self.params.protocol,
            pk_pcd,
        )?;
        if !mac_eq(&token, &expected) {
            return Err(Error::ChipAuthenticationFailed);
        }
        let channel = SecureChannel::new(keys.clone(), &vec![0; self.params.cipher.block_size()]);
        self.state = TerminalState::Done;
        Ok(channel)
    }
}

/// What the chip answers to one GENERAL AUTHENTICATE.
#[derive(Debug)]
pub struct GaStep {
    /// Response data (a `7C` object) to send with 9000.
    pub response_data: Vec<u8>,
    /// After the last step: the chip's secure channel, to use from the next command on.
    pub channel: Option<ChipChannel>,
}

enum ChipState {
    Idle,
    Selected {
        params: Params,
        k_pi: Zeroizing<Vec<u8>>,
    },
    NonceSent {
        params: Params,
        s: Zeroizing<Vec<u8>>,
    },
    Mapped {
        params: Params,
        g: Vec<u8>,
    },
    Agreed {
        params: Params,
        keys: SessionKeys,
        pk_chip: Vec<u8>,
        pk_pcd: Vec<u8>,
    },
}

/// The chip side of PACE.
pub struct Chip {
    supported: Vec<Params>,
    passwords: Vec<Password>,
    state: ChipState,
}

impl Chip {
    /// A chip offering `supported` protocols and knowing `passwords` (its CAN and/or MRZ).
    pub fn new(supported: Vec<Params>, passwords: Vec<Password>) -> Self {
        Self {
            supported,
            passwords,
            state: ChipState::Idle,
        }
    }

    /// Handles MSE:Set AT data (`80` OID, `83` password reference, optional `84`).
    /// Unknown protocol or password gives [`Error::Unsupported`] (answer 6A88 via
    /// [`Error::chip_status`]).
    pub fn mse_set_at(&mut self, data: &[u8]) -> Result<(), Error> {
        self.state = ChipState::Idle;
        let oid_value = tlv::find(data, 0x80)?.ok_or(Error::MissingDo("80"))?;
        let reference = tlv::find(data, 0x83)?.ok_or(Error::MissingDo("83"))?;
        let param_id = tlv::find(data, 0x84)?
            .map(|t| t.value.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)));
        let oid = ObjectIdentifier::from_bytes(oid_value.value)
            .map_err(|e| Error::Asn1(e.to_string()))?;
        let params = self
            .supported
            .iter()
            .find(|p| p.protocol == oid && param_id.is_none_or(|id| id == p.curve.parameter_id()))
            .cloned()
            .ok_or_else(|| Error::Unsupported(format!("PACE protocol {oid}")))?;
        let kind = match reference.value {
            [1] => PasswordKind::Mrz,
            [2] => PasswordKind::Can,
            _ => return Err(Error::Unsupported("PACE password reference".into())),
        };
        let password = self
            .passwords
            .iter()
            .find(|p| p.kind() == kind)
            .ok_or_else(|| Error::Unsupported("PACE password not set".into()))?;
        let k_pi = password.k_pi(params.cipher);
        self.state = ChipState::Selected { params, k_pi };
        Ok(())
    }

    /// Handles one GENERAL AUTHENTICATE (its command data). A wrong terminal token gives
    /// [`Error::WrongAccessKey`] (answer 6300); the run then starts over at MSE:Set AT.
    pub fn general_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<GaStep, Error> {
        let state = core::mem::replace(&mut self.state, ChipState::Idle);
        match state {
            ChipState::Idle => Err(Error::OutOfOrder("GENERAL AUTHENTICATE without MSE:Set AT")),
            ChipState::Selected { params, k_pi } => {
                let (t, _) = tlv::parse(data)?;
                if t.tag.0 != 0x7C {
                    return Err(Error::MissingDo("7C"));
                }
                let c = params.cipher;
                let mut s = Zeroizing::new(vec![0u8; 16]);
                rng.fill_bytes(&mut s);
                let z = cbc_encrypt(c, &k_pi, &vec![0; c.block_size()], &s)?;
                self.state = ChipState::NonceSent { params, s };
                Ok(GaStep {
                    response_data: tlv::encode(0x7C, &tlv::encode(0x80, &z)),
                    channel: None,
                })
            }
            ChipState::NonceSent { params, s } => {
                let pk_map_pcd = dynamic_auth_data(data, 0x81)?;
                let sk = params.curve.random_scalar(rng);
                let pk = params.curve.mul(None, &sk)?;
                let h = params.curve.mul(Some(&pk_map_pcd), &sk)?;
                let g = params.curve.map_generic(&s, &h)?;
                self.state = ChipState::Mapped { params, g };
                Ok(GaStep {
                    response_data: tlv::encode(0x7C, &tlv::encode(0x82, &pk)),
                    channel: None,
                })
            }
            ChipState::Mapped { params, g } => {
                let pk_pcd = dynamic_auth_data(data, 0x83)?;
                let sk = params.curve.random_scalar(rng);
                let pk_chip = params.curve.mul(Some(&g), &sk)?;
                if pk_chip == pk_pcd {
                    return Err(Error::WrongAccessKey);
                }
                let shared = Zeroizing::new(params.curve.mul(Some(&pk_pcd), &sk)?);
                let keys = SessionKeys::derive(x_coordinate(&shared)?, params.cipher);
                let response_data = tlv::encode(0x7C, &tlv::encode(0x84, &pk_chip));
                self.state = ChipState::Agreed {
                    params,
                    keys,
                    pk_chip,
                    pk_pcd,
                };
                Ok(GaStep {
                    response_data,
                    channel: None,
                })
            }
            ChipState::Agreed {
                params,
                keys,
                pk_chip,
                pk_pcd,
            } => {
                let token = dynamic_auth_data(data, 0x85)?;
                let expected = auth_token(params.cipher, keys.k_mac(), &params.protocol, &pk_chip)?;
                if !mac_eq(&token, &expected) {
                    return Err(Error::WrongAccessKey);
                }
                let mine = auth_token(params.cipher, keys.k_mac(), &params.protocol, &pk_pcd)?;
                let channel = ChipChannel::new(keys, &vec![0; params.cipher.block_size()]);
                Ok(GaStep {
                    response_data: tlv::encode(0x7C, &tlv::encode(0x86, &mine)),
                    channel: Some(channel),
                })
            }
        }
    }
}

impl Drop for Chip {
    fn drop(&mut self) {
        if let ChipState::NonceSent { s, .. } = &mut self.state {
            s.zeroize();
        }
    }
}

/// The cipher announced by a PACE protocol OID.
pub fn cipher_of_protocol(protocol: &ObjectIdentifier) -> Option<Cipher> {
    cipher_of(protocol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;
    use iso7816::{Response, StatusWord};
    use rand_core::SeedableRng;

    fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(seed)
    }

    /// ICAO 9303-11 Appendix G.1: the terminal side replayed against the chip's recorded
    /// answers, with the example's private keys.
    #[test]
    fn appendix_g_terminal() {
        let params = Params::new(Cipher::Aes128, Curve::BrainpoolP256r1);
        let password = Password::mrz("T22000129", "640812", "101031").unwrap();
        assert_eq!(
            *password.k_pi(Cipher::Aes128),
            hex("89DED1B26624EC1E634C1989302849DD")
        );
        let mut t = Terminal::new(params, password);
        let mse = t.mse_set_at().unwrap();
        assert_eq!(
            mse.to_bytes().unwrap(),
            hex("0022C1A40F800A04007F00070202040202830101")
        );
        assert_eq!(t.step1().to_bytes().unwrap(), hex("10860000027C0000"));
        let cmd = t
            .step2_with(
                &hex("7C12801095A3A016522EE98D01E76CB6B98B42C3"),
                Zeroizing::new(hex(
                    "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
                )),
            )
            .unwrap();
        assert_eq!(cmd.data, hex("7C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"));
        let cmd = t
            .step3_with(
                &hex("7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"),
                Zeroizing::new(hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")),
            )
            .unwrap();
        assert_eq!(cmd.data, hex("7C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"));
        let cmd = t
            .step4(&hex("7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"))
            .unwrap();
        assert_eq!(
            cmd.to_bytes().unwrap(),
            hex("008600000C7C0A8508C2B0BD78D94BA86600")
        );
        let channel = t.finish(&hex("7C0A86083ABB9674BCE93C08")).unwrap();
        assert_eq!(channel.ssc(), vec![0; 16]);
        // A wrong chip token is refused.
        let mut t2 = Terminal::new(
            Params::new(Cipher::Aes128, Curve::BrainpoolP256r1),
            Password::can("123456").unwrap(),
        );
        assert!(matches!(
            t2.finish(&hex("7C0A86083ABB9674BCE93C08")),
            Err(Error::OutOfOrder(_))
        ));
    }

    fn run(
        params: Params,
        terminal_pw: Password,
        chip_pw: Password,
        seed: u64,
    ) -> Result<(SecureChannel, ChipChannel), Error> {
        let mut r = rng(seed);
        let mut chip = Chip::new(vec![params.clone()], vec![chip_pw]);
        let mut t = Terminal::new(params, terminal_pw);
        chip.mse_set_at(&t.mse_set_at()?.data)?;
        let a = chip.general_authenticate(&t.step1().data, &mut r)?;
        let cmd = t.step2(&a.response_data, &mut r)?;
        let a = chip.general_authenticate(&cmd.data, &mut r)?;
        let cmd = t.step3(&a.response_data, &mut r)?;
        let a = chip.general_authenticate(&cmd.data, &mut r)?;
        let cmd = t.step4(&a.response_data)?;
        let a = chip.general_authenticate(&cmd.data, &mut r)?;
        let tc = t.finish(&a.response_data)?;
        Ok((tc, a.channel.ok_or(Error::OutOfOrder("no channel"))?))
    }

    #[test]
    fn round_trips_all_ciphers_both_curves() {
        for (i, cipher) in [Cipher::Aes128, Cipher::Tdes, Cipher::Aes256, Cipher::Aes192]
            .into_iter()
            .enumerate()
        {
            for curve in [Curve::BrainpoolP256r1, Curve::NistP256] {
                let params = Params::new(cipher, curve);
                let (mut tc, mut cc) = run(
                    params,
                    Password::can("123456").unwrap(),
                    Password::can("123456").unwrap(),
                    i as u64,
                )
                .unwrap();
                let w = tc
                    .wrap_command(&Command::new(0, 0xB0, 0x9E, 0).with_le(4))
                    .unwrap();
                assert_eq!(cc.unwrap_command(&w).unwrap().p1, 0x9E);
                let r = cc
                    .wrap_response(&Response::new(vec![9; 4], StatusWord::OK))
                    .unwrap();
                assert_eq!(
                    tc.unwrap_response(&r).unwrap().data,
                    [9; 4],
                    "{cipher:?} {curve:?}"
                );
            }
        }
        let mrz = || Password::mrz("C01234567", "900101", "300101").unwrap();
        run(
            Params::new(Cipher::Aes128, Curve::BrainpoolP256r1),
            mrz(),
            mrz(),
            9,
        )
        .unwrap();
    }

    #[test]
    fn wrong_can_fails_at_the_token() {
        let err = run(
            Params::new(Cipher::Aes128, Curve::BrainpoolP256r1),
            Password::can("123457").unwrap(),
            Password::can("123456").unwrap(),
            3,
        )
        .unwrap_err();
        assert_eq!(err, Error::WrongAccessKey);
        assert_eq!(err.chip_status(), StatusWord::VERIFICATION_FAILED);
    }

    #[test]
    fn chip_refuses_unknown_protocol_and_password() {
        let mut chip = Chip::new(
            vec![Params::new(Cipher::Aes128, Curve::BrainpoolP256r1)],
            vec![Password::can("123456").unwrap()],
        );
        let mrz_cmd = mse_set_at_command(
            &Params::new(Cipher::Aes128, Curve::BrainpoolP256r1),
            PasswordKind::Mrz,
        )
        .unwrap();
        assert!(matches!(
            chip.mse_set_at(&mrz_cmd.data),
            Err(Error::Unsupported(_))
        ));
        let other = mse_set_at_command(
            &Params::new(Cipher::Aes256, Curve::BrainpoolP256r1),
            PasswordKind::Can,
        )
        .unwrap();
        assert!(matches!(
            chip.mse_set_at(&other.data),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            chip.general_authenticate(&[0x7C, 0], &mut rng(1)),
            Err(Error::OutOfOrder(_))
        ));
        assert!(Password::can("12345").is_err());
        assert!(Password::can("12345a").is_err());
    }

    #[test]
    fn terminal_rejects_garbage() {
        let mut t = Terminal::new(
            Params::new(Cipher::Aes128, Curve::BrainpoolP256r1),
            Password::can("123456").unwrap(),
        );
        t.step1();
        assert!(t
            .step2(&[0x7C, 0x03, 0x80, 0x01, 0x00], &mut rng(1))
            .is_err());
        assert!(t.step2(&[0x7C, 0x10], &mut rng(1)).is_err());
        assert!(t.step2(&[], &mut rng(1)).is_err());
        let z = tlv::encode(0x7C, &tlv::encode(0x80, &[0; 16]));
        t.step2(&z, &mut rng(1)).unwrap();
        let bad_point = tlv::encode(0x7C, &tlv::encode(0x82, &[4; 65]));
        assert_eq!(
            t.step3(&bad_point, &mut rng(1)).unwrap_err(),
            Error::InvalidPoint
        );
    }
}
