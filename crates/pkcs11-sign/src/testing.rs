//! TEST-ONLY helpers: a SoftHSM2 configuration in a temporary directory, tokens initialised
//! through cryptoki, key pairs generated ON the token (RSA-2048, EC P-256) and certificates for
//! them issued by a CA generated at test time (`O=TEST ONLY`; never trust it).
//!
//! SoftHSM2 reads its configuration (`SOFTHSM2_CONF`) once, at `C_Initialize`, and this crate
//! initialises a module once per process. [`use_softhsm`] therefore sets the variable for the
//! whole process and must be called once, before any token is used, from a test binary that
//! runs a single test function (environment variables are process-wide).

use crate::{context, find_token, Pkcs11Error};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use der::{Decode, Encode};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Where Debian/Ubuntu/Fedora put the SoftHSM2 module.
pub const SOFTHSM_MODULES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// Security officer PIN of the test tokens.
pub const SO_PIN: &str = "so-pin-0000-test";

/// The SoftHSM2 module, or `None` (with a message) when it is not installed. Panics with a clear
/// message when `CI` is set: CI installs `softhsm2` (scripts/setup.sh).
pub fn softhsm_module() -> Option<PathBuf> {
    if let Some(p) = SOFTHSM_MODULES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    {
        return Some(p);
    }
    let msg = format!(
        "SoftHSM2 is not installed (none of {SOFTHSM_MODULES:?}): apt-get install softhsm2"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg} (required when CI is set)");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// Writes `<dir>/softhsm2.conf` (tokens in `<dir>/tokens`), points `SOFTHSM2_CONF` at it for
/// this process and returns the module path; `None` when SoftHSM2 is missing (see
/// [`softhsm_module`]). Call once per process (see the module documentation).
pub fn use_softhsm(dir: &Path) -> Option<PathBuf> {
    static USED: OnceLock<PathBuf> = OnceLock::new();
    let module = softhsm_module()?;
    let first = USED.get_or_init(|| {
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).expect("create the token directory");
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .expect("write softhsm2.conf");
        std::env::set_var("SOFTHSM2_CONF", &conf);
        dir.to_path_buf()
    });
    assert_eq!(
        first, dir,
        "use_softhsm: SoftHSM2 is configured once per process"
    );
    Some(module)
}

/// Key pair generated on a test token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    /// RSA-2048, signed with CKM_SHA256_RSA_PKCS.
    Rsa2048,
    /// EC P-256, signed with CKM_ECDSA.
    EcP256,
}

/// A token made by [`create_token`].
#[derive(Debug, Clone)]
pub struct TestToken {
    /// Token label.
    pub label: String,
    /// The generated test CA (DER), also stored on the token.
    pub ca_der: Vec<u8>,
    /// The signer certificate (DER), stored with the key's `CKA_ID`.
    pub cert_der: Vec<u8>,
}

/// A public key read from the token, for rcgen.
struct TokenPublicKey {
    der: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
}

impl rcgen::PublicKeyData for TokenPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

/// PKCS#1 `RSAPublicKey`.
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: der::asn1::UintRef<'a>,
    public_exponent: der::asn1::UintRef<'a>,
}

fn attr(
    session: &cryptoki::session::Session,
    h: cryptoki::object::ObjectHandle,
    t: AttributeType,
) -> Vec<u8> {
    session
        .get_attributes(h, &[t])
        .expect("C_GetAttributeValue")
        .into_iter()
        .find_map(|a| match a {
            Attribute::Modulus(v) | Attribute::PublicExponent(v) | Attribute::EcPoint(v) => Some(v),
            _ => None,
        })
        .expect("public key attribute")
}

/// Initialises a new SoftHSM2 token `label` with `user_pin`, generates a `key` pair on it
/// (label `key_label`, `CKA_ID` = 0x01), issues its certificate from a fresh TEST-ONLY CA
/// (subject `CN=<agency_cn>`) and stores both certificates on the token (the CA with
/// `CKA_ID` = 0xCA). Panics on any failure (test helper).
pub fn create_token(
    module: &Path,
    label: &str,
    user_pin: &str,
    key: TestKey,
    key_label: &str,
    agency_cn: &str,
) -> TestToken {
    static INIT: Mutex<()> = Mutex::new(());
    let _g = INIT.lock().unwrap_or_else(|p| p.into_inner());
    let ctx = context(module).expect("load SoftHSM2");
    let so = AuthPin::from(SO_PIN.to_owned());
    let user = AuthPin::from(user_pin.to_owned());
    let free = ctx
        .get_slots_with_token()
        .expect("C_GetSlotList")
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .map(|i| !i.token_initialized())
                .unwrap_or(false)
        })
        .expect("a free SoftHSM2 slot");
    ctx.init_token(free, &so, label).expect("C_InitToken");
    let slot = find_token(&ctx, Some(label)).expect("the new token");
    let session = ctx.open_rw_session(slot).expect("C_OpenSession");
    session.login(UserType::So, Some(&so)).expect("SO login");
    session.init_pin(&user).expect("C_InitPIN");
    session.logout().expect("C_Logout");
    session
        .login(UserType::User, Some(&user))
        .expect("user login");

    let id = vec![0x01];
    let common = |private: bool| {
        let mut v = vec![
            Attribute::Token(true),
            Attribute::Id(id.clone()),
            Attribute::Label(key_label.as_bytes().to_vec()),
        ];
        if private {
            v.extend([
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Sign(true),
            ]);
        } else {
            v.push(Attribute::Verify(true));
        }
        v
    };
    let (pub_key, alg) = match key {
        TestKey::Rsa2048 => {
            let mut pt = common(false);
            pt.extend([
                Attribute::ModulusBits(2048u64.into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ]);
            let (pubh, _) = session
                .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &pt, &common(true))
                .expect("RSA key pair on the token");
            let n = attr(&session, pubh, AttributeType::Modulus);
            let e = attr(&session, pubh, AttributeType::PublicExponent);
            let der = RsaPublicKey {
                modulus: der::asn1::UintRef::new(&n).expect("modulus"),
                public_exponent: der::asn1::UintRef::new(&e).expect("exponent"),
            }
            .to_der()
            .expect("RSAPublicKey");
            (der, &rcgen::PKCS_RSA_SHA256)
        }
        TestKey::EcP256 => {
            let mut pt = common(false);
            pt.push(Attribute::EcParams(
                lds::algs::oid::P256.to_der().expect("P-256 OID"),
            ));
            let (pubh, _) = session
                .generate_key_pair(&Mechanism::EccKeyPairGen, &pt, &common(true))
                .expect("EC key pair on the token");
            let raw = attr(&session, pubh, AttributeType::EcPoint);
            // CKA_EC_POINT is a DER OCTET STRING (PKCS#11 2.40); some modules give the raw point.
            let point = der::asn1::OctetString::from_der(&raw)
                .map(|o| o.as_bytes().to_vec())
                .unwrap_or(raw);
            (point, &rcgen::PKCS_ECDSA_P256_SHA256)
        }
    };

    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("CA key");
    let mut ca_params = rcgen::CertificateParams::default();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "CA KY SO TEST ONLY");
    dn.push(rcgen::DnType::OrganizationName, "TEST ONLY");
    dn.push(rcgen::DnType::CountryName, "VN");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let mut leaf = rcgen::CertificateParams::default();
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, agency_cn);
    dn.push(rcgen::DnType::OrganizationName, "TEST ONLY");
    dn.push(rcgen::DnType::CountryName, "VN");
    leaf.distinguished_name = dn;
    leaf.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::ContentCommitment,
    ];
    let issuer = rcgen::Issuer::new(ca_params, &ca_key);
    let cert = leaf
        .signed_by(&TokenPublicKey { der: pub_key, alg }, &issuer)
        .expect("signer certificate");
    let cert_der = cert.der().to_vec();
    let ca_der = ca.der().to_vec();

    for (der_bytes, cka_id, lbl) in [
        (&cert_der, id.clone(), key_label),
        (&ca_der, vec![0xCA], "CA"),
    ] {
        let parsed = x509_cert::Certificate::from_der(der_bytes).expect("parse certificate");
        session
            .create_object(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Id(cka_id),
                Attribute::Label(lbl.as_bytes().to_vec()),
                Attribute::Subject(
                    parsed
                        .tbs_certificate()
                        .subject()
                        .to_der()
                        .expect("subject"),
                ),
                Attribute::Value(der_bytes.clone()),
            ])
            .expect("store the certificate");
    }
    // Closing the only session logs the user out: `open` must log in by itself.
    drop(session);
    TestToken {
        label: label.to_string(),
        ca_der,
        cert_der,
    }
}

/// The token's PIN flags: (count low, final try, locked).
pub fn pin_flags(module: &Path, label: &str) -> Result<(bool, bool, bool), Pkcs11Error> {
    let ctx = context(module)?;
    let slot = find_token(&ctx, Some(label))?;
    let i = ctx
        .get_token_info(slot)
        .map_err(crate::failed("C_GetTokenInfo"))?;
    Ok((
        i.user_pin_count_low(),
        i.user_pin_final_try(),
        i.user_pin_locked(),
    ))
}
