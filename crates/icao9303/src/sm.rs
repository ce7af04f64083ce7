//! Secure messaging (9303-11 §9.8) for 3DES and AES, terminal side ([`SecureChannel`]) and
//! chip side ([`ChipChannel`]).
//!
//! Commands carry DO'87 (or DO'85 for odd INS) with the encrypted data, DO'97 with Le and
//! DO'8E with the MAC; responses carry DO'87/85, DO'99 (status) and DO'8E. The send sequence
//! counter (SSC) is incremented before every command and every response; it is 8 bytes for
//! 3DES and 16 bytes for AES. AES encrypts with IV = E(K_enc, SSC); 3DES with a zero IV.

use crate::crypto::{
    cbc_decrypt, cbc_encrypt, encrypt_block, mac_eq, pad, sm_mac, unpad, Cipher, SessionKeys,
};
use crate::error::Error;
use iso7816::tlv;
use iso7816::{Command, Response, StatusWord};
use zeroize::Zeroize;

/// Keys and counter shared by both sides.
#[derive(Clone)]
struct SmState {
    keys: SessionKeys,
    ssc: u128,
}

impl Drop for SmState {
    fn drop(&mut self) {
        self.ssc.zeroize();
    }
}

impl SmState {
    fn bs(&self) -> usize {
        self.keys.cipher().block_size()
    }
    fn ssc_bytes(&self) -> Vec<u8> {
        let all = self.ssc.to_be_bytes();
        all.get(16 - self.bs()..).unwrap_or(&[]).to_vec()
    }
    fn increment(&mut self) {
        let modulus_bits = 8 * self.bs() as u32;
        self.ssc = self.ssc.wrapping_add(1);
        if modulus_bits < 128 {
            self.ssc &= (1u128 << modulus_bits) - 1;
        }
    }
    fn iv(&self) -> Result<Vec<u8>, Error> {
        match self.keys.cipher() {
            Cipher::Tdes => Ok(vec![0; 8]),
            c => encrypt_block(c, self.keys.k_enc(), &self.ssc_bytes()),
        }
    }
    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, Error> {
        let c = self.keys.cipher();
        cbc_encrypt(c, self.keys.k_enc(), &self.iv()?, &pad(plain, self.bs()))
    }
    fn decrypt(&self, cryptogram: &[u8]) -> Result<Vec<u8>, Error> {
        let c = self.keys.cipher();
        let mut plain = cbc_decrypt(c, self.keys.k_enc(), &self.iv()?, cryptogram)?;
        let out = unpad(&plain)?.to_vec();
        plain.zeroize();
        Ok(out)
    }
    /// MAC over pad(SSC ‖ m).
    fn mac(&self, m: &[u8]) -> Result<[u8; 8], Error> {
        let mut n = self.ssc_bytes();
        n.extend_from_slice(m);
        sm_mac(self.keys.cipher(), self.keys.k_mac(), &pad(&n, self.bs()))
    }
    /// A state from session keys and the initial SSC bytes.
    fn start(keys: SessionKeys, ssc: &[u8]) -> Self {
        let ssc = ssc.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        Self { keys, ssc }
    }
    /// Appends the cryptogram DO for `plain` (nothing when empty): DO'85 after an odd INS,
    /// else DO'87 with the padding-content indicator `01`. Both directions use this.
    fn push_cryptogram(&self, plain: &[u8], odd_ins: bool, dos: &mut Vec<u8>) -> Result<(), Error> {
        if plain.is_empty() {
            return Ok(());
        }
        let enc = self.encrypt(plain)?;
        if odd_ins {
            tlv::encode_into(0x85, &enc, dos);
        } else {
            let mut v = Vec::with_capacity(enc.len() + 1);
            v.push(0x01);
            v.extend_from_slice(&enc);
            tlv::encode_into(0x87, &v, dos);
        }
        Ok(())
    }
    /// Checks DO'8E against the MAC of `mac_input` (constant time) and decrypts the cryptogram
    /// DO, if any. Both directions use this.
    fn open(&self, dos: &Dos<'_>, mac_input: &[u8]) -> Result<Vec<u8>, Error> {
        let mac = dos.mac.ok_or(Error::MissingDo("8E"))?;
        if !mac_eq(mac, &self.mac(mac_input)?) {
            return Err(Error::BadMac);
        }
        match dos.cryptogram {
            Some(c) => self.decrypt(c),
            None => Ok(Vec::new()),
        }
    }
}

/// Data objects found in a protected command or response.
struct Dos<'a> {
    /// DO'87 value without its 01 indicator, or DO'85 value.
    cryptogram: Option<&'a [u8]>,
    le: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
    mac: Option<&'a [u8]>,
    /// The bytes of all DOs before DO'8E (the MACed part).
    maced: &'a [u8],
}

fn parse_dos(data: &[u8]) -> Result<Dos<'_>, Error> {
    let mut dos = Dos {
        cryptogram: None,
        le: None,
        status: None,
        mac: None,
        maced: &[],
    };
    let mut rest = data;
    while !rest.is_empty() {
        let consumed_before = data.len() - rest.len();
        let (t, after) = tlv::parse(rest)?;
        match t.tag.0 {
            0x87 => match t.value.split_first() {
                Some((0x01, c)) => dos.cryptogram = Some(c),
                _ => return Err(Error::BadPadding),
            },
            0x85 => dos.cryptogram = Some(t.value),
            0x97 => dos.le = Some(t.value),
            0x99 => dos.status = Some(t.value),
            0x8E => {
                dos.mac = Some(t.value);
                dos.maced = data.get(..consumed_before).unwrap_or(&[]);
                if !after.is_empty() {
                    return Err(Error::Truncated("data after DO'8E"));
                }
            }
            _ => {}
        }
        rest = after;
    }
    Ok(dos)
}

/// The terminal end of a secure channel: wraps commands, unwraps responses.
#[derive(Clone)]
pub struct SecureChannel {
    state: SmState,
    closed: bool,
}

impl core::fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureChannel")
            .field("cipher", &self.cipher())
            .field("closed", &self.closed)
            .finish()
    }
}

impl SecureChannel {
    /// A channel with session keys and initial SSC (BAC: from the nonces; PACE/CA: zero).
    pub fn new(keys: SessionKeys, ssc: &[u8]) -> Self {
        Self {
            state: SmState::start(keys, ssc),
            closed: false,
        }
    }
    /// The cipher in use.
    pub fn cipher(&self) -> Cipher {
        self.state.keys.cipher()
    }
    /// The current SSC bytes (8 for 3DES, 16 for AES).
    pub fn ssc(&self) -> Vec<u8> {
        self.state.ssc_bytes()
    }
    /// Whether an earlier failure closed the channel.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Protects a plain command: increments the SSC, encrypts the data into DO'87 (DO'85
    /// for odd INS), puts Le into DO'97 (two bytes above 256), appends DO'8E. The protected
    /// command asks for Le = 256 (`00`) or, when extended, 65536 (`00 00`).
    pub fn wrap_command(&mut self, cmd: &Command) -> Result<Command, Error> {
        if self.closed {
            return Err(Error::ChannelClosed);
        }
        self.state.increment();
        let cla = cmd.cla | 0x0C;
        let header = [cla, cmd.ins, cmd.p1, cmd.p2];
        let mut dos = Vec::new();
        self.state
            .push_cryptogram(&cmd.data, cmd.ins & 1 == 1, &mut dos)?;
        let mut extended = false;
        if let Some(le) = cmd.le {
            if le == 0 || le > iso7816::apdu::EXTENDED_LE_MAX {
                return Err(Error::Apdu(iso7816::ApduError::LeOutOfRange(le)));
            }
            if le <= 256 {
                tlv::encode_into(0x97, &[(le % 256) as u8], &mut dos);
            } else {
                extended = true;
                tlv::encode_into(0x97, &((le % 65_536) as u16).to_be_bytes(), &mut dos);
            }
        }
        let mut m = pad(&header, self.state.bs());
        m.extend_from_slice(&dos);
        let mac = self.state.mac(&m)?;
        tlv::encode_into(0x8E, &mac, &mut dos);
        if dos.len() > iso7816::apdu::SHORT_LC_MAX {
            extended = true;
        }
        Ok(Command {
            cla,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data: dos,
            le: Some(if extended { 65_536 } else { 256 }),
        })
    }

    /// Verifies and decrypts a protected response. A response without data and with a
    /// status other than 9000 is a plain error from the chip (which then ends secure
    /// messaging): it is returned as is and the channel is marked closed.
    pub fn unwrap_response(&mut self, resp: &Response) -> Result<Response, Error> {
        if self.closed {
            return Err(Error::ChannelClosed);
        }
        self.state.increment();
        if resp.data.is_empty() {
            if resp.sw == StatusWord::OK {
                self.closed = true;
                return Err(Error::MissingDo("99"));
            }
            self.closed = true;
            return Ok(Response::status(resp.sw));
        }
        let result = self.unwrap_inner(resp);
        if result.is_err() {
            self.closed = true;
        }
        result
    }

    fn unwrap_inner(&self, resp: &Response) -> Result<Response, Error> {
        let dos = parse_dos(&resp.data)?;
        dos.mac.ok_or(Error::MissingDo("8E"))?;
        let status = dos.status.ok_or(Error::MissingDo("99"))?;
        let data = self.state.open(&dos, dos.maced)?;
        let sw = match status {
            [a, b] => StatusWord::from_bytes(*a, *b),
            _ => return Err(Error::Truncated("DO'99")),
        };
        Ok(Response { data, sw })
    }
}

/// The chip end of a secure channel: unwraps commands, wraps responses.
///
/// When [`ChipChannel::unwrap_command`] fails, a chip answers the plain status
/// [`Error::chip_status`] (6987/6988) and drops the channel (the simulator should forget it).
#[derive(Clone)]
pub struct ChipChannel {
    state: SmState,
    odd_ins: bool,
}

impl core::fmt::Debug for ChipChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipChannel")
            .field("cipher", &self.state.keys.cipher())
            .finish()
    }
}

impl ChipChannel {
    /// A channel with session keys and initial SSC (BAC: from the nonces; PACE/CA: zero).
    pub fn new(keys: SessionKeys, ssc: &[u8]) -> Self {
        Self {
            state: SmState::start(keys, ssc),
            odd_ins: false,
        }
    }
    /// The cipher in use.
    pub fn cipher(&self) -> Cipher {
        self.state.keys.cipher()
    }
    /// The current SSC bytes.
    pub fn ssc(&self) -> Vec<u8> {
        self.state.ssc_bytes()
    }

    /// Verifies and decrypts a protected command (CLA with bits `0C`), returning the plain
    /// command (CLA without SM bits, Le from DO'97 or `None`).
    pub fn unwrap_command(&mut self, cmd: &Command) -> Result<Command, Error> {
        if cmd.cla & 0x0C != 0x0C {
            return Err(Error::NotProtected);
        }
        self.state.increment();
        let dos = parse_dos(&cmd.data)?;
        let mut m = pad(&cmd.header(), self.state.bs());
        m.extend_from_slice(dos.maced);
        let data = self.state.open(&dos, &m)?;
        let le = match dos.le {
            None => None,
            Some([0]) => Some(256),
            Some([b]) => Some(usize::from(*b)),
            Some([0, 0]) => Some(65_536),
            Some([a, b]) => Some(usize::from(u16::from_be_bytes([*a, *b]))),
            Some(_) => return Err(Error::Truncated("DO'97")),
        };
        self.odd_ins = cmd.ins & 1 == 1;
        Ok(Command {
            cla: cmd.cla & !0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            le,
        })
    }

    /// Protects a plain response: DO'87 (DO'85 after an odd INS) when there is data, DO'99
    /// with the status, DO'8E. The outer status word repeats the plain one.
    pub fn wrap_response(&mut self, resp: &Response) -> Result<Response, Error> {
        self.state.increment();
        let mut dos = Vec::new();
        self.state
            .push_cryptogram(&resp.data, self.odd_ins, &mut dos)?;
        tlv::encode_into(0x99, &resp.sw.to_bytes(), &mut dos);
        let mac = self.state.mac(&dos)?;
        tlv::encode_into(0x8E, &mac, &mut dos);
        Ok(Response {
            data: dos,
            sw: resp.sw,
        })
    }
}

/// Largest plain Le whose protected response still fits in `max_response_data` bytes
/// (256 for short APDUs): DO'87 header and padding, DO'99 and DO'8E included.
pub fn max_plain_le(cipher: Cipher, max_response_data: usize) -> usize {
    let bs = cipher.block_size();
    let overhead = |n: usize| {
        let padded = (n / bs + 1) * bs + 1;
        let len_len = if padded < 0x80 {
            1
        } else if padded < 0x100 {
            2
        } else if padded < 0x10000 {
            3
        } else {
            4
        };
        1 + len_len + padded + 4 + 10
    };
    // Largest n with overhead(n) <= max; search down from an upper bound.
    let mut n = max_response_data.min(65_536);
    while n > 0 && overhead(n) > max_response_data {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;

    fn appendix_d_channel() -> SecureChannel {
        let keys = SessionKeys::new(
            Cipher::Tdes,
            &hex("979EC13B1CBFE9DCD01AB0FED307EAE5"),
            &hex("F1CB1F1FB5ADF208806B89DC579DC1F8"),
        )
        .unwrap();
        SecureChannel::new(keys, &hex("887022120C06C226"))
    }

    /// ICAO 9303-11 Appendix D.4: SELECT EF.COM and two READ BINARY under BAC secure messaging.
    #[test]
    fn appendix_d_secure_messaging() {
        let mut ch = appendix_d_channel();
        let select = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(hex("011E"));
        let p = ch.wrap_command(&select).unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            hex("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
        );
        let r = ch
            .unwrap_response(&Response::parse(&hex("990290008E08FA855A5D4C50A8ED9000")).unwrap())
            .unwrap();
        assert!(r.is_ok() && r.data.is_empty());

        let read = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
        let p = ch.wrap_command(&read).unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            hex("0CB000000D9701048E08ED6705417E96BA5500")
        );
        let r = ch
            .unwrap_response(
                &Response::parse(&hex(
                    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
                ))
                .unwrap(),
            )
            .unwrap();
        assert_eq!(r.data, hex("60145F01"));

        let read = Command::new(0x00, 0xB0, 0x00, 0x04).with_le(0x12);
        let p = ch.wrap_command(&read).unwrap();
        assert_eq!(
            p.to_bytes().unwrap(),
            hex("0CB000040D9701128E082EA28A70F3C7B53500")
        );
        let r = ch
            .unwrap_response(
                &Response::parse(&hex(
                    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
                ))
                .unwrap(),
            )
            .unwrap();
        assert_eq!(r.data, hex("04303130365F36063034303030305C026175"));
        assert_eq!(ch.ssc(), hex("887022120C06C22C"));
    }

    fn pair(cipher: Cipher) -> (SecureChannel, ChipChannel) {
        let keys = SessionKeys::derive(b"shared secret for tests", cipher);
        let ssc = vec![0u8; cipher.block_size()];
        (
            SecureChannel::new(keys.clone(), &ssc),
            ChipChannel::new(keys, &ssc),
        )
    }

    #[test]
    fn terminal_chip_round_trip_all_ciphers() {
        for cipher in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
            let (mut t, mut c) = pair(cipher);
            for (i, cmd) in [
                Command::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x1E]),
                Command::new(0, 0xB0, 0x81, 0).with_le(256),
                Command::new(0, 0xB0, 0, 0x10).with_le(1000),
                Command::new(0, 0xB1, 0, 0)
                    .with_data(vec![0x54, 2, 0x80, 0])
                    .with_le(65_536),
                Command::new(0, 0x84, 0, 0),
                Command::new(0, 0xD6, 0, 0).with_data(vec![0xAA; 300]),
            ]
            .into_iter()
            .enumerate()
            {
                let wire = t.wrap_command(&cmd).unwrap();
                let wire = Command::parse(&wire.to_bytes().unwrap()).unwrap();
                let plain = c.unwrap_command(&wire).unwrap();
                assert_eq!(plain, cmd, "{cipher:?} command {i}");
                let answer = Response::new(vec![i as u8; 20 * i], StatusWord::OK);
                let wire = c.wrap_response(&answer).unwrap();
                let wire = Response::parse(&wire.to_bytes()).unwrap();
                assert_eq!(t.unwrap_response(&wire).unwrap(), answer);
            }
            assert_eq!(t.ssc(), c.ssc());
        }
    }

    /// Property: random commands and responses survive wrap → unwrap, and any single
    /// flipped byte of a protected response is detected.
    #[test]
    fn random_round_trips_and_bit_flips() {
        let mut state = 0x1234_5678_9ABC_DEF1u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let ciphers = [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256];
        for round in 0..200 {
            let (mut t, mut c) = pair(ciphers[round % 4]);
            let len = (next() % 300) as usize;
            let le = if next() % 3 == 0 {
                None
            } else {
                Some(1 + (next() % 65_536) as usize)
            };
            let cmd = Command {
                cla: 0,
                ins: 0xB0 | (next() % 2) as u8,
                p1: next() as u8,
                p2: next() as u8,
                data: (0..len).map(|_| next() as u8).collect(),
                le,
            };
            let wire = t.wrap_command(&cmd).unwrap();
            assert_eq!(
                c.unwrap_command(&Command::parse(&wire.to_bytes().unwrap()).unwrap())
                    .unwrap(),
                cmd
            );
            let answer = Response::new(
                (0..(next() % 500))
                    .map(|_| next() as u8)
                    .collect::<Vec<u8>>(),
                StatusWord::OK,
            );
            let mut wire = c.wrap_response(&answer).unwrap();
            if round % 2 == 0 {
                assert_eq!(t.unwrap_response(&wire).unwrap(), answer);
            } else {
                let i = (next() as usize) % wire.data.len();
                wire.data[i] ^= 1 << (next() % 8);
                assert!(t.unwrap_response(&wire).is_err(), "flip at {i} undetected");
            }
        }
    }

    #[test]
    fn tampered_mac_and_data_are_rejected() {
        let (mut t, mut c) = pair(Cipher::Aes128);
        let wire = t
            .wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(8))
            .unwrap();
        let mut bad = wire.clone();
        if let Some(last) = bad.data.last_mut() {
            *last ^= 1;
        }
        assert_eq!(c.unwrap_command(&bad), Err(Error::BadMac));
        assert_eq!(Error::BadMac.chip_status(), StatusWord::SM_DO_INCORRECT);

        let (mut t, mut c) = pair(Cipher::Tdes);
        let wire = t
            .wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(8))
            .unwrap();
        c.unwrap_command(&wire).unwrap();
        let mut resp = c
            .wrap_response(&Response::new(vec![1; 8], StatusWord::OK))
            .unwrap();
        if let Some(b) = resp.data.get_mut(4) {
            *b ^= 0x40;
        }
        assert_eq!(t.unwrap_response(&resp), Err(Error::BadMac));
        assert!(t.is_closed());
        assert_eq!(
            t.wrap_command(&Command::new(0, 0xB0, 0, 0)),
            Err(Error::ChannelClosed)
        );
    }

    #[test]
    fn missing_dos_and_truncation() {
        let (mut t, _) = pair(Cipher::Aes128);
        let r = Response::new(tlv::encode(0x99, &[0x90, 0]), StatusWord::OK);
        assert_eq!(t.unwrap_response(&r), Err(Error::MissingDo("8E")));
        let (mut t, _) = pair(Cipher::Aes128);
        assert_eq!(
            t.unwrap_response(&Response::status(StatusWord::OK)),
            Err(Error::MissingDo("99"))
        );
        let (mut t, _) = pair(Cipher::Aes128);
        let r = Response::new(vec![0x87, 0x10, 0x01], StatusWord::OK);
        assert!(matches!(t.unwrap_response(&r), Err(Error::Tlv(_))));
        let (_, mut c) = pair(Cipher::Aes128);
        assert_eq!(
            c.unwrap_command(&Command::new(0, 0xB0, 0, 0)),
            Err(Error::NotProtected)
        );
        let (_, mut c) = pair(Cipher::Aes128);
        assert_eq!(
            c.unwrap_command(&Command::new(0x0C, 0xB0, 0, 0)),
            Err(Error::MissingDo("8E"))
        );
        // A plain error status ends the channel but is reported.
        let (mut t, _) = pair(Cipher::Aes128);
        let r = t
            .unwrap_response(&Response::status(StatusWord::SM_DO_INCORRECT))
            .unwrap();
        assert_eq!(r.sw, StatusWord::SM_DO_INCORRECT);
        assert!(t.is_closed());
    }

    #[test]
    fn wrong_key_fails() {
        let keys_a = SessionKeys::derive(b"a", Cipher::Aes128);
        let keys_b = SessionKeys::derive(b"b", Cipher::Aes128);
        let mut t = SecureChannel::new(keys_a, &[0; 16]);
        let mut c = ChipChannel::new(keys_b, &[0; 16]);
        let wire = t
            .wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(4))
            .unwrap();
        assert_eq!(c.unwrap_command(&wire), Err(Error::BadMac));
    }

    #[test]
    fn short_le_limits() {
        assert_eq!(max_plain_le(Cipher::Tdes, 256), 0xE7);
        assert_eq!(max_plain_le(Cipher::Aes128, 256), 0xDF);
        let n = max_plain_le(Cipher::Aes128, 65_536);
        assert!(n > 65_000 && n < 65_536);
        // The bound is tight: one more byte no longer fits.
        let (mut t, mut c) = pair(Cipher::Tdes);
        t.wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(1))
            .unwrap();
        c.unwrap_command(
            &Command::parse(&[
                0x0C, 0xB0, 0, 0, 0x0D, 0x97, 1, 1, 0x8E, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ])
            .unwrap(),
        )
        .ok();
        let r = c
            .wrap_response(&Response::new(vec![0; 0xE7], StatusWord::OK))
            .unwrap();
        assert!(r.data.len() <= 256);
        let r = c
            .wrap_response(&Response::new(vec![0; 0xE8], StatusWord::OK))
            .unwrap();
        assert!(r.data.len() > 256);
    }
}
