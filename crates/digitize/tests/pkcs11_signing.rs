//! The agency's signature from a PKCS#11 token (SoftHSM2): keys generated ON the token
//! (RSA-2048 and EC P-256), certificates from a CA generated here; the queue signs through
//! `Signer::from_pkcs11`, our verifier and poppler's `pdfsig` accept the result; token errors
//! keep their stable codes. One test function: SoftHSM2 reads `SOFTHSM2_CONF` once per
//! process. Skips with a message when SoftHSM2 is missing, fails when `CI` is set.

mod common;
use chrono::{TimeZone, Utc};
use common::*;
use digitize::ingest::{ingest, IngestRequest};
use digitize::queue::{Queue, State};
use digitize::sign::{sign_pending, Signer};
use pkcs11_sign::testing::{create_token, use_softhsm, TestKey};
use pkcs11_sign::{login_attempts, Pkcs11Config};
use std::path::Path;
use std::process::Command;

const AGENCY: &str = "Ủy ban nhân dân xã Thử Nghiệm";

fn queue_with_item(root: &Path, tag: &str) -> (Queue, String) {
    let src = root.join(format!("in-{tag}"));
    write_pages(&src, 1, 17);
    let (q, _) = Queue::open(&root.join(format!("dg-{tag}"))).unwrap();
    let id = ingest(
        &q,
        &IngestRequest {
            item: new_item("H-TOKEN", tag),
            inputs: vec![src],
            fallback_dpi: None,
            threads: 1,
        },
    )
    .unwrap()
    .item_id;
    (q, id)
}

fn signer_code(cfg: &Pkcs11Config) -> &'static str {
    match Signer::from_pkcs11(cfg, AGENCY) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => {
            assert!(!e.message_vi().is_empty());
            e.code()
        }
    }
}

#[test]
fn token_signs_the_queue_and_errors_keep_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(module) = use_softhsm(&dir.path().join("hsm")) else {
        return;
    };
    let pin = dir.path().join("pin");
    std::fs::write(&pin, "112233\n").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 3, 4, 5).unwrap();
    for (label, key) in [("CQ-RSA", TestKey::Rsa2048), ("CQ-EC", TestKey::EcP256)] {
        let tok = create_token(&module, label, "112233", key, "ky-so", "UBND XA THU NGHIEM");
        let cfg = Pkcs11Config {
            module: module.clone(),
            token_label: Some(label.into()),
            key_label: Some("ky-so".into()),
            pin_file: pin.clone(),
        };
        let signer = Signer::from_pkcs11(&cfg, AGENCY).unwrap();
        assert!(signer.subject().contains("UBND XA THU NGHIEM"));
        let (q, id) = queue_with_item(dir.path(), label);
        let done = sign_pending(&q, &signer, now).unwrap();
        assert_eq!(done.len(), 1);
        let it = q.item(&id).unwrap();
        assert_eq!(it.state, State::Signed);
        let file = it.signed.unwrap().file;
        let bytes = std::fs::read(&file).unwrap();
        let v = pdfsign::verify(&bytes, std::slice::from_ref(&tok.ca_der)).unwrap();
        assert!(v.trusted && v.covers_whole_file, "{label}: {v:?}");
        let out = Command::new("pdfsig")
            .arg(&file)
            .output()
            .expect("pdfsig (poppler-utils)");
        let sig = String::from_utf8_lossy(&out.stdout);
        assert!(sig.contains("Signature is Valid"), "{label} pdfsig:\n{sig}");
        assert!(
            sig.contains("ETSI.CAdES.detached"),
            "{label} pdfsig:\n{sig}"
        );
    }

    // Wrong PIN: one login attempt, a typed error.
    create_token(
        &module,
        "CQ-PIN",
        "998877",
        TestKey::EcP256,
        "ky-so",
        "UBND PIN",
    );
    let base = Pkcs11Config {
        module: module.clone(),
        token_label: Some("CQ-PIN".into()),
        key_label: None,
        pin_file: pin.clone(),
    };
    let before = login_attempts();
    assert_eq!(signer_code(&base), "signing_token_pin");
    assert_eq!(login_attempts(), before + 1);
    let missing_module = Pkcs11Config {
        module: dir.path().join("libkhongco.so"),
        ..base.clone()
    };
    assert_eq!(signer_code(&missing_module), "signing_token_module");
    let missing_token = Pkcs11Config {
        token_label: Some("CQ-KHONG-CO".into()),
        ..base.clone()
    };
    assert_eq!(signer_code(&missing_token), "signing_token_missing");
    assert_eq!(
        login_attempts(),
        before + 1,
        "no login for a missing module or token"
    );
}
