//! The agency's key on a PKCS#11 token, with SoftHSM2: tokens initialised through cryptoki,
//! keys generated ON the token (RSA-2048, EC P-256), certificates from a CA generated here.
//! One test function: SoftHSM2 reads `SOFTHSM2_CONF` once per process (see
//! `pkcs11_sign::testing`). Skips with a message when SoftHSM2 is missing, fails if `CI` is set.

use pkcs11_sign::testing::{create_token, pin_flags, use_softhsm, TestKey};
use pkcs11_sign::{login_attempts, open, Pkcs11Config, Pkcs11Error};
use std::path::{Path, PathBuf};

/// A one-page PDF (A5, empty page), offsets computed here.
fn tiny_pdf() -> Vec<u8> {
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Resources << >> >>",
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offs.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).bytes());
    for o in offs {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .bytes(),
    );
    out
}

fn sign_and_verify(cfg: &Pkcs11Config, ca_der: &[u8], cn: &str) {
    let cred = open(cfg).unwrap_or_else(|e| panic!("open {cfg:?}: {e} ({})", e.code()));
    assert!(cred.subject().contains(cn), "{}", cred.subject());
    let so = pdfsign::SignOptions {
        copy_type: "Bản sao điện tử từ bản chính".into(),
        agency: "Ủy ban nhân dân xã Thử Nghiệm".into(),
        signing_time: chrono::FixedOffset::east_opt(7 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 28, 9, 0, 0)
            .unwrap(),
        reason: None,
        location: None,
        cms_signing_time: false,
    };
    let signed = pdfsign::sign_pdf(&tiny_pdf(), &cred, &so).unwrap();
    let v = pdfsign::verify(&signed.bytes, &[ca_der.to_vec()]).unwrap();
    assert!(v.trusted, "the token's certificate chains to the test CA");
    assert!(v.covers_whole_file);
    // The CA on the token is embedded after the signer certificate.
    let again = pdfsign::sign_pdf(&signed.bytes, &cred, &so).unwrap();
    assert!(pdfsign::verify(&again.bytes, &[ca_der.to_vec()]).is_ok());
    // A different CA does not make it trusted.
    let v = pdfsign::verify(&signed.bytes, &[]).unwrap();
    assert!(!v.trusted);
}

use chrono::TimeZone;

fn cfg(module: &Path, token: Option<&str>, key: Option<&str>, pin: PathBuf) -> Pkcs11Config {
    Pkcs11Config {
        module: module.to_path_buf(),
        token_label: token.map(str::to_string),
        key_label: key.map(str::to_string),
        pin_file: pin,
    }
}

fn code(r: Result<pdfsign::SigningCredential, Pkcs11Error>) -> &'static str {
    match r {
        Ok(c) => panic!("expected an error, opened {}", c.subject()),
        Err(e) => {
            assert!(!e.message_vi().is_empty());
            e.code()
        }
    }
}

#[test]
fn softhsm_tokens_sign_and_fail_with_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let Some(module) = use_softhsm(dir.path()) else {
        return;
    };
    let pin = dir.path().join("pin");
    std::fs::write(&pin, "123456\n").unwrap();

    // Only token present: no label needed.
    let rsa = create_token(
        &module,
        "CQ-RSA",
        "123456",
        TestKey::Rsa2048,
        "agency-rsa",
        "UBND TEST RSA",
    );
    sign_and_verify(
        &cfg(&module, None, None, pin.clone()),
        &rsa.ca_der,
        "UBND TEST RSA",
    );

    let ec = create_token(
        &module,
        "CQ-EC",
        "123456",
        TestKey::EcP256,
        "agency-ec",
        "UBND TEST EC",
    );
    // Two tokens: the label is required.
    assert_eq!(
        code(open(&cfg(&module, None, None, pin.clone()))),
        "signing_token_ambiguous"
    );
    sign_and_verify(
        &cfg(&module, Some("CQ-EC"), Some("agency-ec"), pin.clone()),
        &ec.ca_der,
        "UBND TEST EC",
    );
    sign_and_verify(
        &cfg(&module, Some("CQ-RSA"), None, pin.clone()),
        &rsa.ca_der,
        "UBND TEST RSA",
    );

    // Configuration errors touch no PIN.
    let before = login_attempts();
    let missing_module = cfg(
        Path::new("/nonexistent/libvendor-pkcs11.so"),
        None,
        None,
        pin.clone(),
    );
    assert_eq!(code(open(&missing_module)), "signing_token_module");
    let not_a_module = cfg(&pin, None, None, pin.clone());
    assert_eq!(code(open(&not_a_module)), "signing_token_module");
    assert_eq!(
        code(open(&cfg(&module, Some("CQ-KHAC"), None, pin.clone()))),
        "signing_token_missing"
    );
    assert_eq!(
        code(open(&cfg(
            &module,
            Some("CQ-EC"),
            None,
            dir.path().join("no-pin")
        ))),
        "signing_token_pin_file"
    );
    assert_eq!(
        login_attempts(),
        before,
        "no C_Login for configuration errors"
    );
    // A key label that is not on the token.
    assert_eq!(
        code(open(&cfg(
            &module,
            Some("CQ-EC"),
            Some("khong-co"),
            pin.clone()
        ))),
        "signing_token_no_key"
    );

    // Wrong PIN: one C_Login, a typed error, no retry.
    let locked = create_token(
        &module,
        "CQ-PIN",
        "246810",
        TestKey::EcP256,
        "agency-pin",
        "UBND TEST PIN",
    );
    let before = login_attempts();
    let e = open(&cfg(&module, Some(&locked.label), None, pin.clone())).unwrap_err();
    assert_eq!(e.code(), "signing_token_pin", "{e}");
    assert!(e.is_pin_failure());
    assert_eq!(login_attempts(), before + 1, "exactly one login attempt");
    let flags = pin_flags(&module, &locked.label).unwrap();
    eprintln!("SoftHSM2 PIN flags after one wrong PIN (count low, final try, locked): {flags:?}");
    assert!(!flags.2, "one wrong PIN does not lock the token");
    // The right PIN still opens it.
    let good = dir.path().join("pin-good");
    std::fs::write(&good, "246810").unwrap();
    sign_and_verify(
        &cfg(&module, Some("CQ-PIN"), None, good),
        &locked.ca_der,
        "UBND TEST PIN",
    );

    // signing.json's "pkcs11" object.
    let json = format!(
        r#"{{"module": "{}", "token_label": "CQ-EC", "key_label": "agency-ec", "pin_file": "{}"}}"#,
        module.display(),
        pin.display()
    );
    let parsed: Pkcs11Config = serde_json::from_str(&json).unwrap();
    assert_eq!(
        parsed,
        cfg(&module, Some("CQ-EC"), Some("agency-ec"), pin.clone())
    );
    let minimal: Pkcs11Config =
        serde_json::from_str(r#"{"module": "/m.so", "pin_file": "/p"}"#).unwrap();
    assert_eq!(minimal.token_label, None);
    assert!(serde_json::from_str::<Pkcs11Config>(r#"{"module": "/m.so", "pin": "1234"}"#).is_err());
}
