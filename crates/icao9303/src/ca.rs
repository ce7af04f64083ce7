//! Chip Authentication version 1 with ECDH (9303-11 §6.2, TR-03110 part 3 §B.1): the
//! terminal sends an ephemeral public key under the current secure messaging, both sides
//! derive new session keys from the static-ephemeral ECDH secret and restart secure
//! messaging with SSC = 0. A cloned chip without the private key cannot continue.
//!
//! 3DES uses MSE:Set KAT (`00 22 41 A6 {91 key}`); AES uses MSE:Set AT
//! (`00 22 41 A4 {80 OID}`) then GENERAL AUTHENTICATE (`7C {80 key}`).

use crate::crypto::{Cipher, SessionKeys};
use crate::ec::{x_coordinate, Curve};
use crate::error::Error;
use crate::security_infos::{
    ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, SecurityInfos, OID_CA_ECDH_3DES,
    OID_CA_ECDH_AES128, OID_EC_PUBLIC_KEY, OID_PK_ECDH,
};
use crate::sm::{ChipChannel, SecureChannel};
use der::asn1::{Any, BitString, ObjectIdentifier};
use der::Encode;
use iso7816::{tlv, Command};
use rand_core::CryptoRng;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

/// The curve and public point of an EC SubjectPublicKeyInfo (named curve or explicit
/// parameters matched by their prime).
pub fn ec_public_key(spki: &SubjectPublicKeyInfoOwned) -> Result<(Curve, Vec<u8>), Error> {
    if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
        return Err(Error::Unsupported(format!(
            "public key algorithm {}",
            spki.algorithm.oid
        )));
    }
    let params = spki
        .algorithm
        .parameters
        .as_ref()
        .ok_or(Error::ChipAuthenticationUnavailable("no curve parameters"))?;
    let params_der = params.to_der()?;
    let (t, _) = tlv::parse(&params_der)?;
    let curve = match t.tag.0 {
        0x06 => {
            let oid =
                ObjectIdentifier::from_bytes(t.value).map_err(|e| Error::Asn1(e.to_string()))?;
            Curve::from_oid(&oid.to_string())
                .ok_or_else(|| Error::Unsupported(format!("curve {oid}")))?
        }
        0x30 => {
            // ECParameters: version, fieldID { fieldType, prime }, ...
            let mut kids = t.children();
            let _version = kids.next().ok_or(Error::Asn1("ECParameters".into()))??;
            let field_id = kids.next().ok_or(Error::Asn1("ECParameters".into()))??;
            let prime = field_id
                .children()
                .nth(1)
                .ok_or(Error::Asn1("fieldID".into()))??;
            Curve::from_prime(prime.value)
                .ok_or_else(|| Error::Unsupported("explicit curve".into()))?
        }
        _ => return Err(Error::Asn1("EC parameters".into())),
    };
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or(Error::Asn1("public key bit string".into()))?
        .to_vec();
    curve.validate(&point)?;
    Ok((curve, point))
}

/// The terminal side of CA v1.
pub struct Terminal {
    cipher: Cipher,
    protocol: ObjectIdentifier,
    curve: Curve,
    chip_key: Vec<u8>,
    key_id: Option<u32>,
    sk: Zeroizing<Vec<u8>>,
    pk: Vec<u8>,
}

impl Terminal {
    /// From DG14's content (tag `6E`): picks an ECDH ChipAuthenticationInfo and its key.
    pub fn from_dg14<R: CryptoRng + ?Sized>(dg14: &[u8], rng: &mut R) -> Result<Self, Error> {
        Self::from_infos(&SecurityInfos::parse_dg14(dg14)?, rng)
    }

    /// From parsed SecurityInfos.
    pub fn from_infos<R: CryptoRng + ?Sized>(
        infos: &SecurityInfos,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let keys: Vec<&ChipAuthenticationPublicKeyInfo> = infos
            .chip_authentication_public_keys()
            .filter(|k| k.protocol == OID_PK_ECDH)
            .collect();
        let key = keys
            .first()
            .copied()
            .ok_or(Error::ChipAuthenticationUnavailable(
                "DG14 has no ECDH public key",
            ))?;
        // The ChipAuthenticationInfo with the same key id, else the first ECDH one; CA v1
        // without any ChipAuthenticationInfo implies 3DES.
        let info = infos
            .chip_authentication_infos()
            .filter(|i| i.is_ecdh())
            .find(|i| i.key_id == key.key_id || key.key_id.is_none())
            .cloned();
        let (protocol, cipher) = match info {
            Some(i) => (
                i.protocol,
                i.cipher()
                    .ok_or(Error::ChipAuthenticationUnavailable("cipher"))?,
            ),
            None => (OID_CA_ECDH_3DES, Cipher::Tdes),
        };
        let (curve, chip_key) = ec_public_key(&key.public_key)?;
        let sk = curve.random_scalar(rng);
        let pk = curve.mul(None, &sk)?;
        Ok(Self {
            cipher,
            protocol,
            curve,
            chip_key,
            key_id: key.key_id,
            sk,
            pk,
        })
    }

    /// The cipher of the new secure messaging.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// The commands to send, in order, under the current secure messaging.
    pub fn commands(&self) -> Result<Vec<Command>, Error> {
        let mut key_ref = Vec::new();
        if let Some(id) = self.key_id {
            let b = id.to_be_bytes();
            let skip = b.iter().take(3).take_while(|x| **x == 0).count();
            tlv::encode_into(0x84, b.get(skip..).unwrap_or(&[]), &mut key_ref);
        }
        if self.cipher == Cipher::Tdes {
            let mut data = tlv::encode(0x91, &self.pk);
            data.extend_from_slice(&key_ref);
            return Ok(vec![Command::new(0x00, 0x22, 0x41, 0xA6).with_data(data)]);
        }
        let oid = self.protocol.to_der()?;
        let mut data = tlv::encode(0x80, oid.get(2..).unwrap_or(&[]));
        data.extend_from_slice(&key_ref);
        Ok(vec![
            Command::new(0x00, 0x22, 0x41, 0xA4).with_data(data),
            Command::new(0x00, 0x86, 0x00, 0x00)
                .with_data(tlv::encode(0x7C, &tlv::encode(0x80, &self.pk)))
                .with_le(256),
        ])
    }

    /// The secure channel to use once the chip accepted the last command (SSC = 0).
    pub fn new_channel(&self) -> Result<SecureChannel, Error> {
        let shared = Zeroizing::new(self.curve.mul(Some(&self.chip_key), &self.sk)?);
        let keys = SessionKeys::derive(x_coordinate(&shared)?, self.cipher);
        Ok(SecureChannel::new(keys, &vec![0; self.cipher.block_size()]))
    }
}

/// The chip side of CA v1: holds the static private key.
pub struct Chip {
    curve: Curve,
    private_key: Zeroizing<Vec<u8>>,
    cipher: Cipher,
    selected: bool,
}

impl Chip {
    /// A chip with a static key pair on `curve` doing CA with `cipher`.
    pub fn new(curve: Curve, private_key: &[u8], cipher: Cipher) -> Result<Self, Error> {
        curve.mul(None, private_key)?;
        Ok(Self {
            curve,
            private_key: Zeroizing::new(private_key.to_vec()),
            cipher,
            selected: false,
        })
    }
    /// A fresh random key pair.
    pub fn generate<R: CryptoRng + ?Sized>(curve: Curve, cipher: Cipher, rng: &mut R) -> Self {
        Self {
            curve,
            private_key: curve.random_scalar(rng),
            cipher,
            selected: false,
        }
    }
    /// The static public key (uncompressed point).
    pub fn public_key(&self) -> Result<Vec<u8>, Error> {
        self.curve.mul(None, &self.private_key)
    }
    /// The protocol OID announced in DG14.
    pub fn protocol(&self) -> ObjectIdentifier {
        match self.cipher {
            Cipher::Tdes => OID_CA_ECDH_3DES,
            Cipher::Aes128 => OID_CA_ECDH_AES128,
            Cipher::Aes192 => ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.3"),
            Cipher::Aes256 => ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.3.2.4"),
        }
    }
    /// ChipAuthenticationInfo for DG14 (and EF.CardAccess).
    pub fn info(&self) -> ChipAuthenticationInfo {
        ChipAuthenticationInfo {
            protocol: self.protocol(),
            version: 1,
            key_id: None,
        }
    }
    /// ChipAuthenticationPublicKeyInfo for DG14 (named-curve parameters).
    pub fn public_key_info(&self) -> Result<ChipAuthenticationPublicKeyInfo, Error> {
        let curve_oid =
            ObjectIdentifier::new(self.curve.oid()).map_err(|e| Error::Asn1(e.to_string()))?;
        Ok(ChipAuthenticationPublicKeyInfo {
            protocol: OID_PK_ECDH,
            public_key: SubjectPublicKeyInfoOwned {
                algorithm: AlgorithmIdentifierOwned {
                    oid: OID_EC_PUBLIC_KEY,
                    parameters: Some(Any::from(curve_oid)),
                },
                subject_public_key: BitString::from_bytes(&self.public_key()?)?,
            },
            key_id: None,
        })
    }

    fn agree(&self, pk: &[u8]) -> Result<ChipChannel, Error> {
        let shared = Zeroizing::new(self.curve.mul(Some(pk), &self.private_key)?);
        let keys = SessionKeys::derive(x_coordinate(&shared)?, self.cipher);
        Ok(ChipChannel::new(keys, &vec![0; self.cipher.block_size()]))
    }

    /// MSE:Set KAT (3DES): key agreement at once. Answer 9000 under the *old* channel,
    /// then switch to the returned one.
    pub fn mse_set_kat(&mut self, data: &[u8]) -> Result<ChipChannel, Error> {
        let pk = tlv::find(data, 0x91)?.ok_or(Error::MissingDo("91"))?;
        self.agree(pk.value)
    }
    /// MSE:Set AT (AES): selects the protocol.
    pub fn mse_set_at(&mut self, data: &[u8]) -> Result<(), Error> {
        let oid = tlv::find(data, 0x80)?.ok_or(Error::MissingDo("80"))?;
        let expected = self.protocol().to_der()?;
        if expected.get(2..) != Some(oid.value) {
            return Err(Error::Unsupported("CA protocol".into()));
        }
        self.selected = true;
        Ok(())
    }
    /// GENERAL AUTHENTICATE (AES): returns the response data (`7C 00`) to send under the
    /// *old* channel, and the new channel to switch to afterwards.
    pub fn general_authenticate(&mut self, data: &[u8]) -> Result<(Vec<u8>, ChipChannel), Error> {
        if !self.selected {
            return Err(Error::OutOfOrder(
                "CA GENERAL AUTHENTICATE without MSE:Set AT",
            ));
        }
        self.selected = false;
        let pk = crate::pace::dynamic_auth_data(data, 0x80)?;
        Ok((tlv::encode(0x7C, &[]), self.agree(&pk)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_infos::SecurityInfo;
    use iso7816::{Response, StatusWord};
    use rand_core::SeedableRng;

    fn dg14(chip: &Chip) -> Vec<u8> {
        SecurityInfos(vec![
            SecurityInfo::ChipAuthentication(chip.info()),
            SecurityInfo::ChipAuthenticationPublicKey(chip.public_key_info().unwrap()),
        ])
        .to_dg14()
        .unwrap()
    }

    #[test]
    fn round_trip_aes_and_3des() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        for (cipher, curve) in [
            (Cipher::Aes128, Curve::BrainpoolP256r1),
            (Cipher::Tdes, Curve::NistP256),
        ] {
            let mut chip = Chip::generate(curve, cipher, &mut rng);
            let t = Terminal::from_dg14(&dg14(&chip), &mut rng).unwrap();
            assert_eq!(t.cipher(), cipher);
            let cmds = t.commands().unwrap();
            let mut chip_channel = None;
            for c in &cmds {
                match (c.ins, c.p2) {
                    (0x22, 0xA6) => chip_channel = Some(chip.mse_set_kat(&c.data).unwrap()),
                    (0x22, 0xA4) => chip.mse_set_at(&c.data).unwrap(),
                    (0x86, _) => chip_channel = Some(chip.general_authenticate(&c.data).unwrap().1),
                    _ => panic!("unexpected command"),
                }
            }
            let mut cc = chip_channel.unwrap();
            let mut tc = t.new_channel().unwrap();
            let w = tc
                .wrap_command(&Command::new(0, 0xB0, 0, 0).with_le(3))
                .unwrap();
            cc.unwrap_command(&w).unwrap();
            let r = cc
                .wrap_response(&Response::new(vec![5, 6, 7], StatusWord::OK))
                .unwrap();
            assert_eq!(tc.unwrap_response(&r).unwrap().data, [5, 6, 7]);
        }
    }

    #[test]
    fn clone_without_private_key_fails() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let genuine = Chip::generate(Curve::BrainpoolP256r1, Cipher::Aes128, &mut rng);
        // A clone copies DG14 (the public key) but has another private key.
        let mut clone = Chip::generate(Curve::BrainpoolP256r1, Cipher::Aes128, &mut rng);
        let t = Terminal::from_dg14(&dg14(&genuine), &mut rng).unwrap();
        let cmds = t.commands().unwrap();
        clone.mse_set_at(&cmds[0].data).unwrap();
        let (_, mut cc) = clone.general_authenticate(&cmds[1].data).unwrap();
        let mut tc = t.new_channel().unwrap();
        let r = cc
            .wrap_response(&Response::new(vec![1], StatusWord::OK))
            .unwrap();
        assert_eq!(tc.unwrap_response(&r), Err(Error::BadMac));
    }

    /// Real DG14s often carry explicit ECParameters instead of a named curve.
    #[test]
    fn explicit_domain_parameters_are_recognised() {
        use crate::crypto::hex;
        use der::Decode;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(14);
        let chip = Chip::generate(Curve::BrainpoolP256r1, Cipher::Aes128, &mut rng);
        let int = |b: &[u8]| tlv::encode(0x02, &[&[0u8][..], b].concat());
        let p = hex("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377");
        let field = tlv::encode(
            0x30,
            &[tlv::encode(0x06, &hex("2A8648CE3D0101")), int(&p)].concat(),
        );
        let curve = tlv::encode(
            0x30,
            &[
                tlv::encode(
                    0x04,
                    &hex("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
                ),
                tlv::encode(
                    0x04,
                    &hex("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
                ),
            ]
            .concat(),
        );
        let g = tlv::encode(0x04, &hex("048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997"));
        let n = int(&hex(
            "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7",
        ));
        let params = tlv::encode(
            0x30,
            &[
                tlv::encode(0x02, &[1]),
                field,
                curve,
                g,
                n,
                tlv::encode(0x02, &[1]),
            ]
            .concat(),
        );
        let mut info = chip.public_key_info().unwrap();
        info.public_key.algorithm.parameters = Some(Any::from_der(&params).unwrap());
        let (c, point) = ec_public_key(&info.public_key).unwrap();
        assert_eq!(c, Curve::BrainpoolP256r1);
        assert_eq!(point, chip.public_key().unwrap());
        // An unknown prime is refused.
        let mut other = params.clone();
        let pos = other
            .windows(4)
            .position(|w| w == [0xA9, 0xFB, 0x57, 0xDB])
            .unwrap();
        other[pos] = 0xAA;
        info.public_key.algorithm.parameters = Some(Any::from_der(&other).unwrap());
        assert!(matches!(
            ec_public_key(&info.public_key),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn dg14_without_key() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        let empty = SecurityInfos(vec![]).to_dg14().unwrap();
        assert!(matches!(
            Terminal::from_dg14(&empty, &mut rng),
            Err(Error::ChipAuthenticationUnavailable(_))
        ));
        assert!(Terminal::from_dg14(&[0x6E, 0x01], &mut rng).is_err());
    }
}
