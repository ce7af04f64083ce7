//! `signing.json` with a PKCS#11 token (SoftHSM2): the background sync signs with the token, and
//! a wrong PIN is tried ONCE: later calls answer the same error from memory, without touching
//! the token, until signing.json or the PIN file changes (real tokens lock after 3–5 tries).
//! One test function: SoftHSM2 reads `SOFTHSM2_CONF` once per process. Skips with a message
//! when SoftHSM2 is missing, fails when `CI` is set.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use app_core::store::SqliteStore;
use app_core::{App, Config, ManualClock};
use chrono::{TimeZone, Utc};
use pkcs11_sign::login_attempts;
use pkcs11_sign::testing::{create_token, pin_flags, use_softhsm, TestKey};

fn set_mtime(p: &std::path::Path, t: SystemTime) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn wrong_token_pin_is_not_retried_until_the_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let Some(module) = use_softhsm(&dir.path().join("hsm")) else {
        return;
    };
    create_token(
        &module,
        "CQ-APP",
        "135790",
        TestKey::EcP256,
        "ky-so",
        "UBND TEST APP",
    );

    let store = Arc::new(
        SqliteStore::open(
            &dir.path().join("app.sqlite3"),
            Arc::new(app_core::store::PlainText),
        )
        .unwrap(),
    );
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap(),
    ));
    let app = Arc::new(App::new(store.clone(), clock, Config::default()));
    app.attach_hoso(store.clone(), None, dir.path()).unwrap();
    app.attach_digitize(store, dir.path()).unwrap();

    let pin = dir.path().join("token.pin");
    std::fs::write(&pin, "000000\n").unwrap();
    let t0 = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&pin, t0);
    let cfg = dir.path().join("digitize/signing.json");
    std::fs::write(
        &cfg,
        serde_json::json!({
            "agency": "Ủy ban nhân dân xã Thử Nghiệm",
            "pkcs11": {
                "module": module,
                "token_label": "CQ-APP",
                "pin_file": pin,
            }
        })
        .to_string(),
    )
    .unwrap();

    let before = login_attempts();
    let e1 = app.digitize_sync().unwrap_err();
    assert_eq!(e1.code(), "signing_token_pin", "{e1:?}");
    assert!(e1.message_vi().contains("PIN"), "{}", e1.message_vi());
    assert_eq!(login_attempts(), before + 1);
    // The 60 s sync and the scan panel call again: same answer, the token is not touched.
    for _ in 0..3 {
        let e = app.digitize_sync().unwrap_err();
        assert_eq!(e, e1);
    }
    assert_eq!(
        login_attempts(),
        before + 1,
        "a wrong PIN is never retried automatically"
    );
    let (count_low, final_try, locked) = pin_flags(&module, "CQ-APP").unwrap();
    eprintln!("token flags after the failure: count_low={count_low} final_try={final_try} locked={locked}");
    assert!(!locked);

    // The clerk fixes the PIN file: one new attempt, which succeeds.
    std::fs::write(&pin, "135790\n").unwrap();
    set_mtime(&pin, t0 + Duration::from_secs(60));
    let r = app.digitize_sync().unwrap();
    assert!(!r.busy, "{r:?}");
    assert_eq!(login_attempts(), before + 2);

    // A wrong PIN again, then the configuration file changes: tried once more, not before.
    std::fs::write(&pin, "111111\n").unwrap();
    set_mtime(&pin, t0 + Duration::from_secs(120));
    assert_eq!(app.digitize_sync().unwrap_err().code(), "signing_token_pin");
    assert_eq!(app.digitize_sync().unwrap_err().code(), "signing_token_pin");
    assert_eq!(login_attempts(), before + 3);
    set_mtime(&cfg, t0 + Duration::from_secs(180));
    assert_eq!(app.digitize_sync().unwrap_err().code(), "signing_token_pin");
    assert_eq!(login_attempts(), before + 4);

    // Neither form, or both: a clear configuration error.
    std::fs::write(&cfg, r#"{"agency": "X", "p12": "/k.p12"}"#).unwrap();
    assert_eq!(
        app.digitize_sync().unwrap_err().code(),
        "signing_config_invalid"
    );
    std::fs::write(
        &cfg,
        serde_json::json!({"agency": "X", "p12": "/k.p12", "password_file": "/p",
            "pkcs11": {"module": module, "pin_file": pin}})
        .to_string(),
    )
    .unwrap();
    assert_eq!(
        app.digitize_sync().unwrap_err().code(),
        "signing_config_invalid"
    );
    // A missing module is its own code.
    std::fs::write(
        &cfg,
        serde_json::json!({"agency": "X", "pkcs11": {"module": dir.path().join("khongco.so"), "pin_file": pin}})
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        app.digitize_sync().unwrap_err().code(),
        "signing_token_module"
    );
    assert_eq!(login_attempts(), before + 4);
}
