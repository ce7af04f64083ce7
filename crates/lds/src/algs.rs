//! Hash and signature algorithms used by EF.SOD and the CSCA/DS certificates.

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode};
use rsa::pkcs1::RsaPssParams;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use sha2::Digest;
use signature::hazmat::{PrehashSigner, PrehashVerifier};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::LdsError;

/// Object identifiers used across the crate.
pub mod oid {
    use der::asn1::ObjectIdentifier as Oid;
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    /// BSI TR-03111 ecdsa-plain-signatures (r || s instead of DER).
    pub const ECDSA_PLAIN_SHA1: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
    pub const ECDSA_PLAIN_SHA224: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
    pub const ECDSA_PLAIN_SHA256: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
    pub const ECDSA_PLAIN_SHA384: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.4");
    pub const ECDSA_PLAIN_SHA512: Oid = Oid::new_unwrap("0.4.0.127.0.7.1.1.4.1.5");
    pub const PRIME_FIELD: Oid = Oid::new_unwrap("1.2.840.10045.1.1");
    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const BRAINPOOL_P256R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    pub const BRAINPOOL_P384R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    /// id-icao-mrtd-security-ldsSecurityObject
    pub const LDS_SECURITY_OBJECT: Oid = Oid::new_unwrap("2.23.136.1.1.1");
    /// id-icao-cscaMasterList
    pub const CSCA_MASTER_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.2");
    /// id-icao-mrtd-security-extensions-documentTypeList
    pub const DOCUMENT_TYPE_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.6.2");
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
    pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
    pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
    pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    pub const AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
}

/// Hash algorithm of the LDS security object / CMS digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha1 => oid::SHA1,
            HashAlgorithm::Sha224 => oid::SHA224,
            HashAlgorithm::Sha256 => oid::SHA256,
            HashAlgorithm::Sha384 => oid::SHA384,
            HashAlgorithm::Sha512 => oid::SHA512,
        }
    }

    /// Looks an OID up.
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|h| h.oid() == *o)
    }

    /// Digest output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha224 => sha2::Sha224::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// AlgorithmIdentifier with absent parameters (as ICAO recommends).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    fn ecdsa_oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha1 => oid::ECDSA_SHA1,
            HashAlgorithm::Sha224 => oid::ECDSA_SHA224,
            HashAlgorithm::Sha256 => oid::ECDSA_SHA256,
            HashAlgorithm::Sha384 => oid::ECDSA_SHA384,
            HashAlgorithm::Sha512 => oid::ECDSA_SHA512,
        }
    }

    fn rsa_oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha1 => oid::SHA1_WITH_RSA,
            HashAlgorithm::Sha224 => oid::SHA224_WITH_RSA,
            HashAlgorithm::Sha256 => oid::SHA256_WITH_RSA,
            HashAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
            HashAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
        }
    }
}

/// A private key that signs SODs, certificates and master lists (card simulator, test PKI).
#[derive(Clone)]
pub enum SignerKey {
    EcdsaP256(p256::ecdsa::SigningKey),
    EcdsaP384(p384::ecdsa::SigningKey),
    EcdsaP521(p521::ecdsa::SigningKey),
    EcdsaBrainpoolP256r1(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
    EcdsaBrainpoolP384r1(ecdsa::SigningKey<bp384::BrainpoolP384r1>),
    /// RSA with PKCS#1 v1.5 padding.
    RsaPkcs1v15(Box<rsa::PrivateKey>),
    /// RSA-PSS with MGF1 of the same hash and salt length = hash length.
    RsaPss(Box<rsa::PrivateKey>),
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            SignerKey::EcdsaP256(_) => "EcdsaP256",
            SignerKey::EcdsaP384(_) => "EcdsaP384",
            SignerKey::EcdsaP521(_) => "EcdsaP521",
            SignerKey::EcdsaBrainpoolP256r1(_) => "EcdsaBrainpoolP256r1",
            SignerKey::EcdsaBrainpoolP384r1(_) => "EcdsaBrainpoolP384r1",
            SignerKey::RsaPkcs1v15(_) => "RsaPkcs1v15",
            SignerKey::RsaPss(_) => "RsaPss",
        };
        write!(f, "SignerKey::{kind}(..)")
    }
}

fn ec_spki(
    curve: ObjectIdentifier,
    sec1_point: &[u8],
) -> Result<SubjectPublicKeyInfoOwned, LdsError> {
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::EC_PUBLIC_KEY,
            parameters: Some(der::Any::from(&curve)),
        },
        subject_public_key: der::asn1::BitString::from_bytes(sec1_point)?,
    })
}

fn rsa_spki(key: &rsa::PrivateKey) -> Result<SubjectPublicKeyInfoOwned, LdsError> {
    let public = key.to_public_key();
    let n = public.n_bytes();
    let e = public.e_bytes();
    let pkcs1 = rsa::pkcs1::RsaPublicKey {
        modulus: der::asn1::UintRef::new(&n)?,
        public_exponent: der::asn1::UintRef::new(&e)?,
    };
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::RSA_ENCRYPTION,
            parameters: Some(der::Any::null()),
        },
        subject_public_key: der::asn1::BitString::from_bytes(&pkcs1.to_der()?)?,
    })
}

fn pss_params(hash: HashAlgorithm) -> Result<der::Any, LdsError> {
    let h = spki::AlgorithmIdentifier::<AnyRef<'static>> {
        oid: hash.oid(),
        parameters: Some(AnyRef::NULL),
    };
    let params = RsaPssParams {
        hash: h,
        mask_gen: spki::AlgorithmIdentifier {
            oid: oid::MGF1,
            parameters: Some(h),
        },
        salt_len: hash.output_len() as u8,
        trailer_field: Default::default(),
    };
    Ok(der::Any::from_der(&params.to_der()?)?)
}

impl SignerKey {
    /// The SubjectPublicKeyInfo of the matching public key.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, LdsError> {
        match self {
            SignerKey::EcdsaP256(k) => {
                ec_spki(oid::P256, k.verifying_key().to_sec1_point(false).as_bytes())
            }
            SignerKey::EcdsaP384(k) => {
                ec_spki(oid::P384, k.verifying_key().to_sec1_point(false).as_bytes())
            }
            SignerKey::EcdsaP521(k) => {
                ec_spki(oid::P521, k.verifying_key().to_sec1_point(false).as_bytes())
            }
            SignerKey::EcdsaBrainpoolP256r1(k) => ec_spki(
                oid::BRAINPOOL_P256R1,
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            SignerKey::EcdsaBrainpoolP384r1(k) => ec_spki(
                oid::BRAINPOOL_P384R1,
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            SignerKey::RsaPkcs1v15(k) | SignerKey::RsaPss(k) => rsa_spki(k),
        }
    }

    /// The signature AlgorithmIdentifier this key produces with `hash`.
    pub fn signature_algorithm(
        &self,
        hash: HashAlgorithm,
    ) -> Result<AlgorithmIdentifierOwned, LdsError> {
        Ok(match self {
            SignerKey::RsaPkcs1v15(_) => AlgorithmIdentifierOwned {
                oid: hash.rsa_oid(),
                parameters: Some(der::Any::null()),
            },
            SignerKey::RsaPss(_) => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(pss_params(hash)?),
            },
            _ => AlgorithmIdentifierOwned {
                oid: hash.ecdsa_oid(),
                parameters: None,
            },
        })
    }

    /// Signs `message` (hashing it with `hash`). ECDSA signatures are DER `Ecdsa-Sig-Value`,
    /// deterministic (RFC 6979); RSA-PSS uses a salt derived deterministically from the message.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, LdsError> {
        let digest = hash.digest(message);
        let err = |e: &dyn std::fmt::Display| LdsError::Signing(e.to_string());
        Ok(match self {
            SignerKey::EcdsaP256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&digest).map_err(|e| err(&e))?;
                s.to_der().as_bytes().to_vec()
            }
            SignerKey::EcdsaP384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&digest).map_err(|e| err(&e))?;
                s.to_der().as_bytes().to_vec()
            }
            SignerKey::EcdsaP521(k) => {
                let s: p521::ecdsa::Signature = k.sign_prehash(&digest).map_err(|e| err(&e))?;
                s.to_der().as_bytes().to_vec()
            }
            SignerKey::EcdsaBrainpoolP256r1(k) => {
                let s: ecdsa::Signature<bp256::BrainpoolP256r1> =
                    k.sign_prehash(&digest).map_err(|e| err(&e))?;
                s.to_der().as_bytes().to_vec()
            }
            SignerKey::EcdsaBrainpoolP384r1(k) => {
                let s: ecdsa::Signature<bp384::BrainpoolP384r1> =
                    k.sign_prehash(&digest).map_err(|e| err(&e))?;
                s.to_der().as_bytes().to_vec()
            }
            SignerKey::RsaPkcs1v15(k) => k
                .sign(pkcs1v15_scheme(hash), &digest)
                .map_err(|e| err(&e))?,
            SignerKey::RsaPss(k) => {
                use chacha20::rand_core::SeedableRng;
                let mut seed = [0u8; 32];
                let s = sha2::Sha256::digest([&digest[..], b"pss-salt"].concat());
                seed.copy_from_slice(&s);
                let mut rng = chacha20::ChaCha20Rng::from_seed(seed);
                let salt = hash.output_len();
                match hash {
                    HashAlgorithm::Sha1 => k.sign_with_rng(
                        &mut rng,
                        rsa::pss::Pss::<sha1::Sha1>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha224 => k.sign_with_rng(
                        &mut rng,
                        rsa::pss::Pss::<sha2::Sha224>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha256 => k.sign_with_rng(
                        &mut rng,
                        rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha384 => k.sign_with_rng(
                        &mut rng,
                        rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha512 => k.sign_with_rng(
                        &mut rng,
                        rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt),
                        &digest,
                    ),
                }
                .map_err(|e| err(&e))?
            }
        })
    }
}

fn pkcs1v15_scheme(hash: HashAlgorithm) -> rsa::Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
        HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The algorithm / curve / parameters are not implemented.
    Unsupported(String),
    /// The key or signature could not be decoded.
    Malformed(String),
    /// Cryptographically wrong.
    Invalid,
}

/// Verifies `signature` over `message` with the public key `spki` and the signature algorithm
/// `sig_alg`. `fallback_hash` is used when `sig_alg` names only the key type (`rsaEncryption`,
/// `id-ecPublicKey`), as some SODs do.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    fallback_hash: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let o = sig_alg.oid;
    let need_fallback = || {
        fallback_hash.ok_or_else(|| {
            VerifyError::Unsupported(format!(
                "signature algorithm {o} without a digest algorithm"
            ))
        })
    };
    let ecdsa_hash = match o {
        x if x == oid::ECDSA_SHA1 || x == oid::ECDSA_PLAIN_SHA1 => Some(HashAlgorithm::Sha1),
        x if x == oid::ECDSA_SHA224 || x == oid::ECDSA_PLAIN_SHA224 => Some(HashAlgorithm::Sha224),
        x if x == oid::ECDSA_SHA256 || x == oid::ECDSA_PLAIN_SHA256 => Some(HashAlgorithm::Sha256),
        x if x == oid::ECDSA_SHA384 || x == oid::ECDSA_PLAIN_SHA384 => Some(HashAlgorithm::Sha384),
        x if x == oid::ECDSA_SHA512 || x == oid::ECDSA_PLAIN_SHA512 => Some(HashAlgorithm::Sha512),
        x if x == oid::EC_PUBLIC_KEY => Some(need_fallback()?),
        _ => None,
    };
    if let Some(hash) = ecdsa_hash {
        return verify_ecdsa(spki, hash, message, signature);
    }
    let rsa_hash = match o {
        x if x == oid::SHA1_WITH_RSA => Some(HashAlgorithm::Sha1),
        x if x == oid::SHA224_WITH_RSA => Some(HashAlgorithm::Sha224),
        x if x == oid::SHA256_WITH_RSA => Some(HashAlgorithm::Sha256),
        x if x == oid::SHA384_WITH_RSA => Some(HashAlgorithm::Sha384),
        x if x == oid::SHA512_WITH_RSA => Some(HashAlgorithm::Sha512),
        x if x == oid::RSA_ENCRYPTION => Some(need_fallback()?),
        _ => None,
    };
    if let Some(hash) = rsa_hash {
        let key = rsa_public(spki)?;
        let digest = hash.digest(message);
        return key
            .verify(pkcs1v15_scheme(hash), &digest, signature)
            .map_err(|_| VerifyError::Invalid);
    }
    if o == oid::RSASSA_PSS {
        let key = rsa_public(spki)?;
        let params_der = match &sig_alg.parameters {
            None => None,
            Some(p) => Some(
                p.to_der()
                    .map_err(|e| VerifyError::Malformed(e.to_string()))?,
            ),
        };
        let (hash, salt) = match &params_der {
            None => (HashAlgorithm::Sha1, 20usize),
            Some(der) => {
                let params = RsaPssParams::<der::Any>::from_der(der)
                    .map_err(|e| VerifyError::Malformed(e.to_string()))?;
                let h = HashAlgorithm::from_oid(&params.hash.oid).ok_or_else(|| {
                    VerifyError::Unsupported(format!("PSS hash {}", params.hash.oid))
                })?;
                if params.mask_gen.oid != oid::MGF1 {
                    return Err(VerifyError::Unsupported(format!(
                        "PSS mask generation {}",
                        params.mask_gen.oid
                    )));
                }
                if let Some(mgf_hash) = params.mask_gen.parameters {
                    if mgf_hash.oid != params.hash.oid {
                        return Err(VerifyError::Unsupported(
                            "PSS with an MGF1 hash different from the message hash".into(),
                        ));
                    }
                }
                (h, usize::from(params.salt_len))
            }
        };
        let digest = hash.digest(message);
        let r = match hash {
            HashAlgorithm::Sha1 => key.verify(
                rsa::pss::Pss::<sha1::Sha1>::new_with_salt(salt),
                &digest,
                signature,
            ),
            HashAlgorithm::Sha224 => key.verify(
                rsa::pss::Pss::<sha2::Sha224>::new_with_salt(salt),
                &digest,
                signature,
            ),
            HashAlgorithm::Sha256 => key.verify(
                rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt),
                &digest,
                signature,
            ),
            HashAlgorithm::Sha384 => key.verify(
                rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt),
                &digest,
                signature,
            ),
            HashAlgorithm::Sha512 => key.verify(
                rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt),
                &digest,
                signature,
            ),
        };
        return r.map_err(|_| VerifyError::Invalid);
    }
    Err(VerifyError::Unsupported(format!("signature algorithm {o}")))
}

fn rsa_public(spki: &SubjectPublicKeyInfoOwned) -> Result<rsa::PublicKey, VerifyError> {
    if spki.algorithm.oid != oid::RSA_ENCRYPTION && spki.algorithm.oid != oid::RSASSA_PSS {
        return Err(VerifyError::Malformed(format!(
            "RSA signature with a {} key",
            spki.algorithm.oid
        )));
    }
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| VerifyError::Malformed("public key bit string not octet aligned".into()))?;
    let pk = rsa::pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bytes)
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    rsa::PublicKey::try_from(pk).map_err(|e| VerifyError::Malformed(e.to_string()))
}

fn verify_ecdsa(
    spki: &SubjectPublicKeyInfoOwned,
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
        return Err(VerifyError::Malformed(format!(
            "ECDSA signature with a {} key",
            spki.algorithm.oid
        )));
    }
    let curve = ec_curve_of(spki)?;
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| VerifyError::Malformed("public key bit string not octet aligned".into()))?;
    let digest = hash.digest(message);
    macro_rules! ver {
        ($curve:ty) => {{
            let vk = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes(point)
                .map_err(|e| VerifyError::Malformed(e.to_string()))?;
            // DER Ecdsa-Sig-Value, or plain r || s (BSI TR-03111).
            let sig = ecdsa::Signature::<$curve>::from_der(signature)
                .or_else(|_| ecdsa::Signature::<$curve>::from_slice(signature))
                .map_err(|_| VerifyError::Invalid)?;
            vk.verify_prehash(&digest, &sig)
                .map_err(|_| VerifyError::Invalid)
        }};
    }
    match curve {
        c if c == oid::P256 => ver!(p256::NistP256),
        c if c == oid::P384 => ver!(p384::NistP384),
        c if c == oid::P521 => ver!(p521::NistP521),
        c if c == oid::BRAINPOOL_P256R1 => ver!(bp256::BrainpoolP256r1),
        c if c == oid::BRAINPOOL_P384R1 => ver!(bp384::BrainpoolP384r1),
        c => Err(VerifyError::Unsupported(format!("curve {c}"))),
    }
}

/// `SpecifiedECDomain` / explicit `ECParameters` (RFC 3279 §2.3.5).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
pub struct EcParameters {
    pub version: u8,
    pub field_id: FieldId,
    pub curve: CurveCoefficients,
    pub base: der::asn1::OctetString,
    pub order: der::asn1::Uint,
    #[asn1(optional = "true")]
    pub cofactor: Option<der::asn1::Uint>,
}

/// `FieldID ::= SEQUENCE { fieldType, parameters }` (prime field: INTEGER p).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
pub struct FieldId {
    pub field_type: ObjectIdentifier,
    pub parameters: der::Any,
}

/// `Curve ::= SEQUENCE { a, b, seed OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
pub struct CurveCoefficients {
    pub a: der::asn1::OctetString,
    pub b: der::asn1::OctetString,
    #[asn1(optional = "true")]
    pub seed: Option<der::asn1::BitString>,
}

struct CurveConstants {
    p: Vec<u8>,
    a: Vec<u8>,
    b: Vec<u8>,
    g_uncompressed: Vec<u8>,
    g_compressed: Vec<u8>,
    n: Vec<u8>,
}

/// Big-endian `x + 1` (x = modulus - 1 as produced by `-1` in the field).
fn plus_one(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    for b in v.iter_mut().rev() {
        let (r, carry) = b.overflowing_add(1);
        *b = r;
        if !carry {
            return v;
        }
    }
    v.insert(0, 1);
    v
}

fn strip(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[i..]
}

macro_rules! constants {
    ($c:ty) => {{
        use elliptic_curve::ff::PrimeField as _;
        use elliptic_curve::group::Group as _;
        use elliptic_curve::sec1::ToSec1Point as _;
        type Fe = <$c as elliptic_curve::hazmat::FieldArithmetic>::FieldElement;
        type Sc = elliptic_curve::Scalar<$c>;
        let minus_one_p: Fe = Fe::ZERO - Fe::ONE;
        let minus_one_n: Sc = Sc::ZERO - Sc::ONE;
        let a: Fe = <$c as primeorder::PrimeCurveParams>::EQUATION_A;
        let b: Fe = <$c as primeorder::PrimeCurveParams>::EQUATION_B;
        let g: elliptic_curve::AffinePoint<$c> =
            elliptic_curve::ProjectivePoint::<$c>::generator().to_affine();
        CurveConstants {
            p: plus_one(&minus_one_p.to_repr()),
            a: a.to_repr().to_vec(),
            b: b.to_repr().to_vec(),
            g_uncompressed: g.to_sec1_point(false).as_bytes().to_vec(),
            g_compressed: g.to_sec1_point(true).as_bytes().to_vec(),
            n: plus_one(&minus_one_n.to_repr()),
        }
    }};
}

fn curve_constants(curve: &ObjectIdentifier) -> Option<CurveConstants> {
    Some(match *curve {
        c if c == oid::P256 => constants!(p256::NistP256),
        c if c == oid::P384 => constants!(p384::NistP384),
        c if c == oid::P521 => constants!(p521::NistP521),
        c if c == oid::BRAINPOOL_P256R1 => constants!(bp256::BrainpoolP256r1),
        c if c == oid::BRAINPOOL_P384R1 => constants!(bp384::BrainpoolP384r1),
        _ => return None,
    })
}

const SUPPORTED_CURVES: [ObjectIdentifier; 5] = [
    oid::P256,
    oid::P384,
    oid::P521,
    oid::BRAINPOOL_P256R1,
    oid::BRAINPOOL_P384R1,
];

/// Explicit domain parameters (as ICAO 9303-12 asks CSCA/DS certificates to carry) of a named
/// curve, as the `parameters` of an `id-ecPublicKey` AlgorithmIdentifier.
pub fn explicit_ec_parameters(curve: &ObjectIdentifier) -> Result<der::Any, LdsError> {
    let k = curve_constants(curve)
        .ok_or_else(|| LdsError::UnsupportedAlgorithm(format!("curve {curve}")))?;
    let params = EcParameters {
        version: 1,
        field_id: FieldId {
            field_type: oid::PRIME_FIELD,
            parameters: der::Any::encode_from(&der::asn1::Uint::new(&k.p)?)?,
        },
        curve: CurveCoefficients {
            a: der::asn1::OctetString::new(k.a)?,
            b: der::asn1::OctetString::new(k.b)?,
            seed: None,
        },
        base: der::asn1::OctetString::new(k.g_uncompressed)?,
        order: der::asn1::Uint::new(&k.n)?,
        cofactor: Some(der::asn1::Uint::new(&[1])?),
    };
    Ok(der::Any::encode_from(&params)?)
}

/// Which supported named curve explicit parameters describe (all of p, a, b, G, n must match).
pub fn identify_explicit_curve(params: &EcParameters) -> Option<ObjectIdentifier> {
    if params.field_id.field_type != oid::PRIME_FIELD {
        return None;
    }
    let p = params
        .field_id
        .parameters
        .decode_as::<der::asn1::Uint>()
        .ok()?;
    SUPPORTED_CURVES.into_iter().find(|c| {
        curve_constants(c).is_some_and(|k| {
            strip(p.as_bytes()) == strip(&k.p)
                && strip(params.curve.a.as_bytes()) == strip(&k.a)
                && strip(params.curve.b.as_bytes()) == strip(&k.b)
                && (params.base.as_bytes() == k.g_uncompressed.as_slice()
                    || params.base.as_bytes() == k.g_compressed.as_slice())
                && strip(params.order.as_bytes()) == strip(&k.n)
        })
    })
}

/// The named curve of an EC public key: its OID parameter, or explicit parameters recognized
/// as one of the supported curves.
fn ec_curve_of(spki: &SubjectPublicKeyInfoOwned) -> Result<ObjectIdentifier, VerifyError> {
    let params = spki.algorithm.parameters.as_ref().ok_or_else(|| {
        VerifyError::Unsupported("EC key without domain parameters (implicitlyCA)".into())
    })?;
    if let Ok(o) = params.decode_as::<ObjectIdentifier>() {
        return Ok(o);
    }
    let explicit = params
        .decode_as::<EcParameters>()
        .map_err(|e| VerifyError::Malformed(format!("EC domain parameters: {e}")))?;
    identify_explicit_curve(&explicit).ok_or_else(|| {
        VerifyError::Unsupported("EC key with explicit parameters of an unsupported curve".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_parameters_round_trip_for_every_curve() {
        for c in SUPPORTED_CURVES {
            let any = explicit_ec_parameters(&c).unwrap();
            let params = any.decode_as::<EcParameters>().unwrap();
            assert_eq!(identify_explicit_curve(&params), Some(c), "{c}");
        }
        // P-256's well-known prime.
        let k = curve_constants(&oid::P256).unwrap();
        assert_eq!(k.p[..4], [0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(k.p[4..8], [0x00, 0x00, 0x00, 0x01]);
        assert_eq!(k.p.len(), 32);
        // Tampered order: not recognized.
        let mut params = explicit_ec_parameters(&oid::P256)
            .unwrap()
            .decode_as::<EcParameters>()
            .unwrap();
        params.order = der::asn1::Uint::new(&[0x01, 0x02]).unwrap();
        assert_eq!(identify_explicit_curve(&params), None);
    }

    #[test]
    fn plus_one_carries() {
        assert_eq!(plus_one(&[0x00, 0xFF]), vec![0x01, 0x00]);
        assert_eq!(plus_one(&[0xFF]), vec![0x01, 0x00]);
    }
}
