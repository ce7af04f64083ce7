//! Active Authentication (9303-11 §6.1): the terminal sends an 8-byte challenge with
//! INTERNAL AUTHENTICATE, the chip signs it with the private key whose public half is in
//! DG15 (a SubjectPublicKeyInfo inside tag `6F`). RSA uses ISO/IEC 9796-2 digital signature
//! scheme 1 (partial message recovery, SHA-1 or SHA-2 with trailer `34CC` etc.); ECDSA uses
//! plain signatures r‖s (BSI TR-03111) with the hash named in ActiveAuthenticationInfo.

use crate::ec::Curve;
use crate::error::Error;
use crate::security_infos::{
    ActiveAuthenticationInfo, OID_ECDSA_PLAIN_SHA1, OID_ECDSA_PLAIN_SHA224, OID_ECDSA_PLAIN_SHA256,
    OID_EC_PUBLIC_KEY, OID_RSA_ENCRYPTION,
};
use der::asn1::{Any, BitString, ObjectIdentifier, Uint};
use der::{Decode, Encode, Sequence};
use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use iso7816::{tlv, Command};
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha1::{Digest, Sha1};
use sha2::{Sha224, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

/// INTERNAL AUTHENTICATE with an 8-byte challenge.
pub fn internal_authenticate_command(challenge: &[u8; 8]) -> Command {
    Command::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge.to_vec())
        .with_le(256)
}

/// The Active Authentication public key of DG15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA.
    Rsa(RsaPublicKey),
    /// ECDSA on a supported curve (uncompressed point).
    Ec {
        /// The curve.
        curve: Curve,
        /// The point.
        point: Vec<u8>,
    },
}

#[derive(Sequence)]
struct RsaPublicKeyDer {
    n: Uint,
    e: Uint,
}

/// Parses DG15 (`6F` around a SubjectPublicKeyInfo).
pub fn parse_dg15(dg15: &[u8]) -> Result<PublicKey, Error> {
    let (t, _) = tlv::parse(dg15)?;
    if t.tag.0 != 0x6F {
        return Err(Error::Asn1("DG15 does not start with tag 6F".into()));
    }
    let spki = SubjectPublicKeyInfoOwned::from_der(t.value)?;
    if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::Asn1("RSA key bit string".into()))?;
        let k = RsaPublicKeyDer::from_der(bits)?;
        let n = BoxedUint::from_be_slice_vartime(k.n.as_bytes());
        let e = BoxedUint::from_be_slice_vartime(k.e.as_bytes());
        let key = RsaPublicKey::new(n, e).map_err(|e| Error::Asn1(format!("RSA key: {e}")))?;
        return Ok(PublicKey::Rsa(key));
    }
    if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        let (curve, point) = crate::ca::ec_public_key(&spki)?;
        return Ok(PublicKey::Ec { curve, point });
    }
    Err(Error::Unsupported(format!(
        "Active Authentication key {}",
        spki.algorithm.oid
    )))
}

fn hash_by_iso9796_id(id: u8, data: &[u8]) -> Option<Vec<u8>> {
    Some(match id {
        0x33 => Sha1::digest(data).to_vec(),
        0x34 => Sha256::digest(data).to_vec(),
        0x35 => Sha512::digest(data).to_vec(),
        0x36 => Sha384::digest(data).to_vec(),
        0x38 => Sha224::digest(data).to_vec(),
        _ => return None,
    })
}

fn ecdsa_hash(alg: Option<&ObjectIdentifier>, data: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(match alg {
        None => Sha256::digest(data).to_vec(),
        Some(o) if *o == OID_ECDSA_PLAIN_SHA1 => Sha1::digest(data).to_vec(),
        Some(o) if *o == OID_ECDSA_PLAIN_SHA224 => Sha224::digest(data).to_vec(),
        Some(o) if *o == OID_ECDSA_PLAIN_SHA256 => Sha256::digest(data).to_vec(),
        Some(o) if o.to_string() == "0.4.0.127.0.7.1.1.4.1.4" => Sha384::digest(data).to_vec(),
        Some(o) if o.to_string() == "0.4.0.127.0.7.1.1.4.1.5" => Sha512::digest(data).to_vec(),
        Some(o) => return Err(Error::Unsupported(format!("AA signature algorithm {o}"))),
    })
}

fn to_fixed(bytes: &[u8], k: usize) -> Vec<u8> {
    let skip = bytes.len().saturating_sub(k);
    let b = bytes.get(skip..).unwrap_or(&[]);
    let mut out = vec![0u8; k - b.len().min(k)];
    out.extend_from_slice(b);
    out
}

/// Verifies the chip's answer to INTERNAL AUTHENTICATE over `challenge`.
/// `info` is DG14's ActiveAuthenticationInfo (needed for ECDSA; SHA-256 when absent).
pub fn verify(
    key: &PublicKey,
    info: Option<&ActiveAuthenticationInfo>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    match key {
        PublicKey::Rsa(pk) => verify_rsa(pk, challenge, signature),
        PublicKey::Ec { curve, point } => {
            let h = ecdsa_hash(info.map(|i| &i.signature_algorithm), challenge)?;
            let ok = match curve {
                Curve::NistP256 => verify_ec::<p256::NistP256>(point, &h, signature),
                Curve::BrainpoolP256r1 => verify_ec::<bp256::BrainpoolP256r1>(point, &h, signature),
            };
            if ok {
                Ok(())
            } else {
                Err(Error::ActiveAuthenticationFailed)
            }
        }
    }
}

fn verify_ec<C>(point: &[u8], prehash: &[u8], signature: &[u8]) -> bool
where
    C: ecdsa::EcdsaCurve + elliptic_curve::CurveArithmetic,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
    elliptic_curve::AffinePoint<C>:
        elliptic_curve::sec1::FromSec1Point<C> + elliptic_curve::sec1::ToSec1Point<C>,
    ecdsa::SignatureSize<C>: elliptic_curve::array::ArraySize,
{
    let Ok(vk) = ecdsa::VerifyingKey::<C>::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(sig) = ecdsa::Signature::<C>::from_slice(signature) else {
        return false;
    };
    vk.verify_prehash(prehash, &sig).is_ok()
}

fn verify_rsa(pk: &RsaPublicKey, challenge: &[u8], signature: &[u8]) -> Result<(), Error> {
    let k = pk.size();
    if signature.len() != k {
        return Err(Error::ActiveAuthenticationFailed);
    }
    let s = BoxedUint::from_be_slice_vartime(signature);
    let n = BoxedUint::from_be_slice_vartime(&pk.n_bytes());
    if s >= n {
        return Err(Error::ActiveAuthenticationFailed);
    }
    let s = BoxedUint::from_be_slice(signature, pk.n().as_ref().bits_precision())
        .map_err(|_| Error::ActiveAuthenticationFailed)?;
    let m = rsa::hazmat::rsa_encrypt(pk, &s).map_err(|_| Error::ActiveAuthenticationFailed)?;
    check_message_representative(&to_fixed(&m.to_be_bytes(), k), challenge)
}

/// ISO/IEC 9796-2 scheme 1 message representative with SHA-1:
/// `6A ‖ M1 ‖ SHA-1(M1 ‖ challenge) ‖ BC`.
fn message_representative(m1: &[u8], challenge: &[u8]) -> Vec<u8> {
    let mut msg = m1.to_vec();
    msg.extend_from_slice(challenge);
    let mut f = Vec::with_capacity(m1.len() + 22);
    f.push(0x6A);
    f.extend_from_slice(m1);
    f.extend_from_slice(&Sha1::digest(&msg));
    f.push(0xBC);
    f
}

/// Checks a recovered representative F: header 6A (partial recovery), trailer BC (SHA-1) or
/// `xx CC` (hash named by xx), and the hash of M1 ‖ challenge.
fn check_message_representative(f: &[u8], challenge: &[u8]) -> Result<(), Error> {
    let (&last, body) = f.split_last().ok_or(Error::ActiveAuthenticationFailed)?;
    let (hash_id, body) = match last {
        0xBC => (0x33, body),
        0xCC => {
            let (&id, body) = body.split_last().ok_or(Error::ActiveAuthenticationFailed)?;
            (id, body)
        }
        _ => return Err(Error::ActiveAuthenticationFailed),
    };
    let hash_len = hash_by_iso9796_id(hash_id, &[])
        .ok_or(Error::ActiveAuthenticationFailed)?
        .len();
    let (&header, rest) = body
        .split_first()
        .ok_or(Error::ActiveAuthenticationFailed)?;
    if header != 0x6A || rest.len() < hash_len {
        return Err(Error::ActiveAuthenticationFailed);
    }
    let (m1, digest) = rest.split_at(rest.len() - hash_len);
    let mut msg = m1.to_vec();
    msg.extend_from_slice(challenge);
    let expected = hash_by_iso9796_id(hash_id, &msg).ok_or(Error::ActiveAuthenticationFailed)?;
    if crate::crypto::mac_eq(digest, &expected) {
        Ok(())
    } else {
        Err(Error::ActiveAuthenticationFailed)
    }
}

/// The chip's Active Authentication private key.
#[derive(Clone)]
pub enum PrivateKey {
    /// RSA (signs with ISO/IEC 9796-2 scheme 1 and SHA-1, trailer BC).
    Rsa(Box<RsaPrivateKey>),
    /// ECDSA (plain signature, SHA-256: announce ecdsa-plain-SHA256 in DG14).
    Ec {
        /// The curve.
        curve: Curve,
        /// The private scalar, big-endian.
        scalar: Zeroizing<Vec<u8>>,
    },
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PrivateKey::Rsa(k) => write!(f, "aa::PrivateKey::Rsa({} bits)", k.size() * 8),
            PrivateKey::Ec { curve, .. } => write!(f, "aa::PrivateKey::Ec({curve:?})"),
        }
    }
}

impl PrivateKey {
    /// A fresh RSA key of `bits` bits (public exponent 65537).
    pub fn generate_rsa<R: CryptoRng + ?Sized>(bits: usize, rng: &mut R) -> Result<Self, Error> {
        let k = RsaPrivateKey::new(rng, bits).map_err(|_| Error::InvalidKey)?;
        Ok(PrivateKey::Rsa(Box::new(k)))
    }
    /// A fresh ECDSA key on `curve`.
    pub fn generate_ec<R: CryptoRng + ?Sized>(curve: Curve, rng: &mut R) -> Self {
        PrivateKey::Ec {
            curve,
            scalar: curve.random_scalar(rng),
        }
    }
    /// An ECDSA key from its big-endian private scalar.
    pub fn ec_from_bytes(curve: Curve, scalar: &[u8]) -> Result<Self, Error> {
        curve.mul(None, scalar)?;
        Ok(PrivateKey::Ec {
            curve,
            scalar: Zeroizing::new(scalar.to_vec()),
        })
    }
    /// The ActiveAuthenticationInfo to put in DG14 for this key (ECDSA only; RSA keys need
    /// none).
    pub fn info(&self) -> Option<ActiveAuthenticationInfo> {
        match self {
            PrivateKey::Rsa(_) => None,
            PrivateKey::Ec { .. } => Some(ActiveAuthenticationInfo {
                protocol: crate::security_infos::OID_AA,
                version: 1,
                signature_algorithm: OID_ECDSA_PLAIN_SHA256,
            }),
        }
    }
    /// DG15 content: `6F` around the SubjectPublicKeyInfo.
    pub fn dg15(&self) -> Result<Vec<u8>, Error> {
        let spki = match self {
            PrivateKey::Rsa(k) => {
                let der = RsaPublicKeyDer {
                    n: Uint::new(&k.n_bytes())?,
                    e: Uint::new(&k.e_bytes())?,
                }
                .to_der()?;
                SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: OID_RSA_ENCRYPTION,
                        parameters: Some(Any::from(der::asn1::Null)),
                    },
                    subject_public_key: BitString::from_bytes(&der)?,
                }
            }
            PrivateKey::Ec { curve, scalar } => {
                let oid =
                    ObjectIdentifier::new(curve.oid()).map_err(|e| Error::Asn1(e.to_string()))?;
                SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: OID_EC_PUBLIC_KEY,
                        parameters: Some(Any::from(oid)),
                    },
                    subject_public_key: BitString::from_bytes(&curve.mul(None, scalar)?)?,
                }
            }
        };
        Ok(tlv::encode(0x6F, &spki.to_der()?))
    }
}

/// Chip side: signs the INTERNAL AUTHENTICATE challenge.
pub fn sign<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    challenge: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    match key {
        PrivateKey::Rsa(k) => {
            let size = k.size();
            let m1_len = size.checked_sub(1 + 20 + 1).ok_or(Error::InvalidKey)?;
            let mut m1 = vec![0u8; m1_len];
            rng.fill_bytes(&mut m1);
            let f = message_representative(&m1, challenge);
            let m = BoxedUint::from_be_slice(&f, k.n().as_ref().bits_precision())
                .map_err(|_| Error::InvalidKey)?;
            let s = rsa::hazmat::rsa_decrypt_and_check(k.as_ref(), Some(rng), &m)
                .map_err(|_| Error::InvalidKey)?;
            Ok(to_fixed(&s.to_be_bytes(), size))
        }
        PrivateKey::Ec { curve, scalar } => {
            let h = Sha256::digest(challenge);
            match curve {
                Curve::NistP256 => {
                    let sk = ecdsa::SigningKey::<p256::NistP256>::from_slice(scalar)
                        .map_err(|_| Error::InvalidKey)?;
                    let sig: ecdsa::Signature<p256::NistP256> =
                        sk.sign_prehash(&h).map_err(|_| Error::InvalidKey)?;
                    Ok(sig.to_bytes().to_vec())
                }
                Curve::BrainpoolP256r1 => {
                    let sk = ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(scalar)
                        .map_err(|_| Error::InvalidKey)?;
                    let sig: ecdsa::Signature<bp256::BrainpoolP256r1> =
                        sk.sign_prehash(&h).map_err(|_| Error::InvalidKey)?;
                    Ok(sig.to_bytes().to_vec())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_infos::OID_AA;
    use rand_core::SeedableRng;

    fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(seed)
    }

    /// ICAO 9303-11 Appendix F: the message representative F for M1 and RND.IFD.
    #[test]
    fn appendix_f_message_representative() {
        use crate::crypto::hex;
        let m1 = hex("9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8");
        let rnd_ifd = hex("F173589974BF40C6");
        let f = message_representative(&m1, &rnd_ifd);
        assert_eq!(f, hex("6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"));
        check_message_representative(&f, &rnd_ifd).unwrap();
        assert_eq!(
            check_message_representative(&f, &[0; 8]),
            Err(Error::ActiveAuthenticationFailed)
        );
        let mut bad_header = f.clone();
        bad_header[0] = 0x4B;
        assert_eq!(
            check_message_representative(&bad_header, &rnd_ifd),
            Err(Error::ActiveAuthenticationFailed)
        );
        // SHA-256 with trailer 34CC.
        let mut msg = m1.clone();
        msg.extend_from_slice(&rnd_ifd);
        let f256 = [&[0x6A][..], &m1, &Sha256::digest(&msg), &[0x34, 0xCC]].concat();
        check_message_representative(&f256, &rnd_ifd).unwrap();
    }

    #[test]
    fn rsa_round_trip_and_tamper() {
        let mut r = rng(21);
        let key = PrivateKey::generate_rsa(1024, &mut r).unwrap();
        assert!(key.info().is_none());
        let dg15 = key.dg15().unwrap();
        let pk = parse_dg15(&dg15).unwrap();
        assert!(matches!(pk, PublicKey::Rsa(_)));
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        let sig = sign(&key, &challenge, &mut r).unwrap();
        assert_eq!(sig.len(), 128);
        verify(&pk, None, &challenge, &sig).unwrap();
        assert_eq!(
            verify(&pk, None, &[0; 8], &sig),
            Err(Error::ActiveAuthenticationFailed)
        );
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert_eq!(
            verify(&pk, None, &challenge, &bad),
            Err(Error::ActiveAuthenticationFailed)
        );
        assert_eq!(
            verify(&pk, None, &challenge, &sig[1..]),
            Err(Error::ActiveAuthenticationFailed)
        );
    }

    #[test]
    fn ecdsa_round_trip_both_curves() {
        let mut r = rng(22);
        let info = ActiveAuthenticationInfo {
            protocol: OID_AA,
            version: 1,
            signature_algorithm: OID_ECDSA_PLAIN_SHA256,
        };
        for curve in [Curve::BrainpoolP256r1, Curve::NistP256] {
            let key = PrivateKey::Ec {
                curve,
                scalar: curve.random_scalar(&mut r),
            };
            let pk = parse_dg15(&key.dg15().unwrap()).unwrap();
            let challenge = [9u8; 8];
            let sig = sign(&key, &challenge, &mut r).unwrap();
            assert_eq!(sig.len(), 64);
            verify(&pk, Some(&info), &challenge, &sig).unwrap();
            assert_eq!(
                verify(&pk, Some(&info), &[8u8; 8], &sig),
                Err(Error::ActiveAuthenticationFailed)
            );
            let sha1 = ActiveAuthenticationInfo {
                signature_algorithm: OID_ECDSA_PLAIN_SHA1,
                ..info.clone()
            };
            assert_eq!(
                verify(&pk, Some(&sha1), &challenge, &sig),
                Err(Error::ActiveAuthenticationFailed)
            );
        }
    }

    #[test]
    fn bad_dg15() {
        assert!(parse_dg15(&[]).is_err());
        assert!(parse_dg15(&[0x6E, 0x00]).is_err());
        assert!(parse_dg15(&[0x6F, 0x02, 0x30, 0x00]).is_err());
    }
}
