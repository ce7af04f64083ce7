//! Symmetric primitives of ICAO 9303-11 §9.7–9.8: key derivation, CBC encryption, padding,
//! retail MAC (ISO/IEC 9797-1 MAC algorithm 3) and AES-CMAC truncated to 8 bytes.

use crate::error::Error;
use aes::{Aes128, Aes192, Aes256};
use cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, BlockSizeUser, KeyInit};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// KDF counter for the encryption key.
pub const KDF_ENC: u32 = 1;
/// KDF counter for the MAC key.
pub const KDF_MAC: u32 = 2;
/// KDF counter for the PACE password key K_π.
pub const KDF_PI: u32 = 3;

/// The block cipher of a protocol, which fixes key length, block size, MAC and SSC size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cipher {
    /// Two-key 3DES (CBC, retail MAC), 16-byte keys, 8-byte blocks.
    Tdes,
    /// AES-128 (CBC, CMAC).
    Aes128,
    /// AES-192 (CBC, CMAC).
    Aes192,
    /// AES-256 (CBC, CMAC).
    Aes256,
}

impl Cipher {
    /// Block size in bytes (also the SSC size).
    pub fn block_size(self) -> usize {
        match self {
            Cipher::Tdes => 8,
            _ => 16,
        }
    }
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Tdes | Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
        }
    }
}

/// KDF(K, c) of 9303-11 §9.7.1: SHA-1 for 3DES (parity-adjusted) and AES-128, SHA-256 for
/// AES-192/256, truncated to the key length.
pub fn kdf(shared_secret: &[u8], counter: u32, cipher: Cipher) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(32));
    match cipher {
        Cipher::Tdes | Cipher::Aes128 => {
            let mut h = Sha1::new();
            h.update(shared_secret);
            h.update(counter.to_be_bytes());
            let mut d = h.finalize();
            out.extend_from_slice(d.get(..16).unwrap_or(&[]));
            d.as_mut_slice().zeroize();
        }
        Cipher::Aes192 | Cipher::Aes256 => {
            let mut h = Sha256::new();
            h.update(shared_secret);
            h.update(counter.to_be_bytes());
            let mut d = h.finalize();
            out.extend_from_slice(d.get(..cipher.key_len()).unwrap_or(&[]));
            d.as_mut_slice().zeroize();
        }
    }
    if cipher == Cipher::Tdes {
        adjust_parity(&mut out);
    }
    out
}

/// Sets the DES odd-parity bit (the low bit) of every byte.
pub fn adjust_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// A pair of session (or password-derived) keys for one cipher. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    #[zeroize(skip)]
    cipher: Cipher,
    k_enc: Vec<u8>,
    k_mac: Vec<u8>,
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// Keys from explicit bytes (lengths must match the cipher).
    pub fn new(cipher: Cipher, k_enc: &[u8], k_mac: &[u8]) -> Result<Self, Error> {
        if k_enc.len() != cipher.key_len() || k_mac.len() != cipher.key_len() {
            return Err(Error::InvalidKey);
        }
        Ok(Self {
            cipher,
            k_enc: k_enc.to_vec(),
            k_mac: k_mac.to_vec(),
        })
    }
    /// K_enc = KDF(K, 1) and K_mac = KDF(K, 2).
    pub fn derive(shared_secret: &[u8], cipher: Cipher) -> Self {
        let k_enc = kdf(shared_secret, KDF_ENC, cipher);
        let k_mac = kdf(shared_secret, KDF_MAC, cipher);
        Self {
            cipher,
            k_enc: k_enc.to_vec(),
            k_mac: k_mac.to_vec(),
        }
    }
    /// The cipher.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }
    /// The encryption key.
    pub fn k_enc(&self) -> &[u8] {
        &self.k_enc
    }
    /// The MAC key.
    pub fn k_mac(&self) -> &[u8] {
        &self.k_mac
    }
}

/// ISO/IEC 9797-1 padding method 2: 0x80 then zeros up to a multiple of `block`.
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block != 0 {
        out.push(0);
    }
    out
}

/// Removes padding method 2; errors when it is absent.
pub fn unpad(data: &[u8]) -> Result<&[u8], Error> {
    let end = data
        .iter()
        .rposition(|b| *b != 0)
        .ok_or(Error::BadPadding)?;
    match data.get(end) {
        Some(0x80) => Ok(data.get(..end).unwrap_or(&[])),
        _ => Err(Error::BadPadding),
    }
}

enum BlockKey {
    Tdes(TdesEde2),
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

impl BlockKey {
    fn new(cipher: Cipher, key: &[u8]) -> Result<Self, Error> {
        Ok(match cipher {
            Cipher::Tdes => {
                BlockKey::Tdes(TdesEde2::new_from_slice(key).map_err(|_| Error::InvalidKey)?)
            }
            Cipher::Aes128 => {
                BlockKey::Aes128(Aes128::new_from_slice(key).map_err(|_| Error::InvalidKey)?)
            }
            Cipher::Aes192 => {
                BlockKey::Aes192(Aes192::new_from_slice(key).map_err(|_| Error::InvalidKey)?)
            }
            Cipher::Aes256 => {
                BlockKey::Aes256(Aes256::new_from_slice(key).map_err(|_| Error::InvalidKey)?)
            }
        })
    }
    fn encrypt(&self, block: &mut [u8]) {
        match self {
            BlockKey::Tdes(c) => enc_block(c, block),
            BlockKey::Aes128(c) => enc_block(c, block),
            BlockKey::Aes192(c) => enc_block(c, block),
            BlockKey::Aes256(c) => enc_block(c, block),
        }
    }
    fn decrypt(&self, block: &mut [u8]) {
        match self {
            BlockKey::Tdes(c) => dec_block(c, block),
            BlockKey::Aes128(c) => dec_block(c, block),
            BlockKey::Aes192(c) => dec_block(c, block),
            BlockKey::Aes256(c) => dec_block(c, block),
        }
    }
}

fn enc_block<C: BlockCipherEncrypt>(c: &C, block: &mut [u8]) {
    if let Ok(b) = <&mut Block<C>>::try_from(block) {
        c.encrypt_block(b);
    }
}

fn dec_block<C: BlockCipherDecrypt + BlockSizeUser>(c: &C, block: &mut [u8]) {
    if let Ok(b) = <&mut Block<C>>::try_from(block) {
        c.decrypt_block(b);
    }
}

/// Encrypts one block in ECB mode (used for the AES SM IV = E(K_enc, SSC)).
pub fn encrypt_block(cipher: Cipher, key: &[u8], block: &[u8]) -> Result<Vec<u8>, Error> {
    if block.len() != cipher.block_size() {
        return Err(Error::BadPadding);
    }
    let k = BlockKey::new(cipher, key)?;
    let mut out = block.to_vec();
    k.encrypt(&mut out);
    Ok(out)
}

/// CBC encryption without padding; `data` must be a multiple of the block size.
pub fn cbc_encrypt(cipher: Cipher, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    let bs = cipher.block_size();
    if !data.len().is_multiple_of(bs) || iv.len() != bs {
        return Err(Error::BadPadding);
    }
    let k = BlockKey::new(cipher, key)?;
    let mut out = data.to_vec();
    let mut prev = iv.to_vec();
    for chunk in out.chunks_exact_mut(bs) {
        chunk.iter_mut().zip(prev.iter()).for_each(|(a, b)| *a ^= b);
        k.encrypt(chunk);
        prev.copy_from_slice(chunk);
    }
    Ok(out)
}

/// CBC decryption without unpadding; `data` must be a multiple of the block size.
pub fn cbc_decrypt(cipher: Cipher, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    let bs = cipher.block_size();
    if !data.len().is_multiple_of(bs) || iv.len() != bs {
        return Err(Error::BadPadding);
    }
    let k = BlockKey::new(cipher, key)?;
    let mut out = data.to_vec();
    let mut prev = iv.to_vec();
    for chunk in out.chunks_exact_mut(bs) {
        let this = chunk.to_vec();
        k.decrypt(chunk);
        chunk.iter_mut().zip(prev.iter()).for_each(|(a, b)| *a ^= b);
        prev = this;
    }
    Ok(out)
}

/// ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES over `data`, which must already be
/// padded to 8 bytes. `key` is the 16-byte 3DES key Ka‖Kb.
pub fn retail_mac(key: &[u8], data: &[u8]) -> Result<[u8; 8], Error> {
    if !data.len().is_multiple_of(8) || data.is_empty() {
        return Err(Error::BadPadding);
    }
    let (ka, kb) = match (key.get(..8), key.get(8..16)) {
        (Some(a), Some(b)) if key.len() == 16 => (a, b),
        _ => return Err(Error::InvalidKey),
    };
    let des_a = Des::new_from_slice(ka).map_err(|_| Error::InvalidKey)?;
    let des_b = Des::new_from_slice(kb).map_err(|_| Error::InvalidKey)?;
    let mut h = [0u8; 8];
    for chunk in data.chunks_exact(8) {
        h.iter_mut().zip(chunk).for_each(|(a, b)| *a ^= b);
        enc_block(&des_a, &mut h);
    }
    dec_block(&des_b, &mut h);
    enc_block(&des_a, &mut h);
    Ok(h)
}

/// AES-CMAC truncated to 8 bytes.
pub fn cmac8(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; 8], Error> {
    fn run<C>(key: &[u8], data: &[u8]) -> Result<[u8; 8], Error>
    where
        Cmac<C>: KeyInit + Mac,
        C: cmac::block_api::CmacCipher,
    {
        let mut m = <Cmac<C> as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidKey)?;
        m.update(data);
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 8];
        out.copy_from_slice(full.get(..8).ok_or(Error::InvalidKey)?);
        Ok(out)
    }
    match cipher {
        Cipher::Aes128 => run::<Aes128>(key, data),
        Cipher::Aes192 => run::<Aes192>(key, data),
        Cipher::Aes256 => run::<Aes256>(key, data),
        Cipher::Tdes => Err(Error::InvalidKey),
    }
}

/// The 8-byte MAC of secure messaging over `padded` (already padded to the block size):
/// retail MAC for 3DES, CMAC for AES.
pub fn sm_mac(cipher: Cipher, key: &[u8], padded: &[u8]) -> Result<[u8; 8], Error> {
    match cipher {
        Cipher::Tdes => retail_mac(key, padded),
        _ => cmac8(cipher, key, padded),
    }
}

/// The MAC used for PACE authentication tokens and BAC cryptograms over unpadded `data`:
/// 3DES pads (method 2) then retail-MACs; AES CMACs the data as is.
pub fn token_mac(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; 8], Error> {
    match cipher {
        Cipher::Tdes => retail_mac(key, &pad(data, 8)),
        _ => cmac8(cipher, key, data),
    }
}

/// Constant-time equality of two MACs.
pub fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let clean: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
    clean
        .chunks(2)
        .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_bac_appendix_d() {
        // ICAO 9303-11 Appendix D.2: Kseed → Kenc, Kmac.
        let seed = hex("239AB9CB282DAF66231DC5A4DF6BFBAE");
        assert_eq!(
            *kdf(&seed, KDF_ENC, Cipher::Tdes),
            hex("AB94FDECF2674FDFB9B391F85D7F76F2")
        );
        assert_eq!(
            *kdf(&seed, KDF_MAC, Cipher::Tdes),
            hex("7962D9ECE03D1ACD4C76089DCE131543")
        );
    }

    #[test]
    fn kdf_pace_appendix_g() {
        // K = shared secret of the PACE GM worked example.
        let k = hex("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
        assert_eq!(
            *kdf(&k, KDF_ENC, Cipher::Aes128),
            hex("F5F0E35C0D7161EE6724EE513A0D9A7F")
        );
        assert_eq!(
            *kdf(&k, KDF_MAC, Cipher::Aes128),
            hex("FE251C7858B356B24514B3BD5F4297D1")
        );
        assert_eq!(kdf(&k, KDF_ENC, Cipher::Aes256).len(), 32);
        assert_eq!(kdf(&k, KDF_ENC, Cipher::Aes192).len(), 24);
        assert_ne!(
            *kdf(&k, KDF_ENC, Cipher::Aes256),
            *kdf(&k, KDF_MAC, Cipher::Aes256)
        );
    }

    #[test]
    fn padding() {
        assert_eq!(pad(&[1, 2], 8), [1, 2, 0x80, 0, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(unpad(&[1, 2, 0x80, 0, 0]).unwrap(), &[1, 2]);
        assert_eq!(unpad(&[1, 2, 0, 0]), Err(Error::BadPadding));
        assert_eq!(unpad(&[]), Err(Error::BadPadding));
    }

    #[test]
    fn cbc_round_trip_and_retail_mac_vector() {
        // 9303-11 Appendix D.3: E_IFD and M_IFD.
        let kenc = hex("AB94FDECF2674FDFB9B391F85D7F76F2");
        let kmac = hex("7962D9ECE03D1ACD4C76089DCE131543");
        let s = hex("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
        let e = cbc_encrypt(Cipher::Tdes, &kenc, &[0; 8], &s).unwrap();
        assert_eq!(
            e,
            hex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
        );
        assert_eq!(cbc_decrypt(Cipher::Tdes, &kenc, &[0; 8], &e).unwrap(), s);
        assert_eq!(
            token_mac(Cipher::Tdes, &kmac, &e).unwrap().to_vec(),
            hex("5F1448EEA8AD90A7")
        );
    }

    #[test]
    fn aes_nonce_decryption_vector() {
        // 9303-11 Appendix G: z decrypted with K_π gives s.
        let kpi = hex("89DED1B26624EC1E634C1989302849DD");
        let z = hex("95A3A016522EE98D01E76CB6B98B42C3");
        let s = cbc_decrypt(Cipher::Aes128, &kpi, &[0; 16], &z).unwrap();
        assert_eq!(s, hex("3F00C4D39D153F2B2A214A078D899B22"));
    }

    #[test]
    fn parity() {
        let mut k = [0x00, 0x01, 0xFE, 0xFF];
        adjust_parity(&mut k);
        assert_eq!(k, [0x01, 0x01, 0xFE, 0xFE]);
    }
}
