//! `motcua card read` end to end: the software card plugged into the real pcscd through vpcd,
//! the CLI binary reading it through the `pcsc` crate. Checks the JSON contract, the exit codes
//! and every fault switch.

use card_sim::testing::{ensure_pcscd, lock_pcscd, pcscd_disabled, VPCD_READER};
use card_sim::{spawn_vpcd, CardFaults, CardProfile, SimPki, VpcdOptions};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn motcua(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .expect("motcua runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!("{stdout}\n{stderr}"),
    )
}

fn with_card<F: FnOnce(&CardProfile, &Path)>(seed: u64, faults: CardFaults, f: F) {
    let pki = SimPki::generate("cli-tests");
    let trust = tempfile::tempdir().expect("tempdir");
    pki.csca
        .write_pem(&trust.path().join("csca.pem"))
        .expect("write CSCA");
    let profile = CardProfile::generate(seed);
    let card = profile.build_with(&pki, faults).expect("card builds");
    let handle = spawn_vpcd(card, VpcdOptions::default());
    assert!(
        handle.wait_connected(Duration::from_secs(10)),
        "simulator connected to vpcd"
    );
    f(&profile, trust.path());
    handle.stop();
    // Let pcscd notice the removal before the next card or the next test.
    let _ = transport_pcsc::Monitor::new()
        .wait_for_removal(Some(VPCD_READER), Some(Duration::from_secs(5)));
}

fn guard() -> Option<card_sim::testing::PcscdLock> {
    if pcscd_disabled() {
        eprintln!("SKIPPED: MOTCUA_NO_PCSCD=1");
        return None;
    }
    let lock = lock_pcscd(Duration::from_secs(300)).expect("pcscd lock");
    ensure_pcscd().expect("pcscd runs");
    Some(lock)
}

#[test]
fn card_read_through_pcscd() {
    let Some(_lock) = guard() else { return };

    // A good card, read with its CAN: exit 0, every field, verified.
    with_card(101, CardFaults::default(), |p, trust| {
        let photo = trust.join("face.jpg");
        let (code, j, all) = motcua(&[
            "card",
            "read",
            "--can",
            &p.can,
            "--trust",
            trust.to_str().unwrap(),
            "--reader",
            VPCD_READER,
            "--photo",
            photo.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code, 0, "{all}");
        assert_eq!(j["access"], "PACE-CAN");
        let c = &j["citizen"];
        assert_eq!(c["id_number"], p.citizen.id_number.as_str());
        assert_eq!(c["full_name"], p.citizen.full_name.as_str());
        let dob = p
            .citizen
            .date_of_birth
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        assert_eq!(c["date_of_birth"], dob.as_str());
        assert_eq!(c["residence"], p.citizen.residence.as_deref().unwrap());
        match p.citizen.expiry_date {
            Some(d) => assert_eq!(c["expiry_date"], d.format("%Y-%m-%d").to_string().as_str()),
            None => assert!(c["expiry_date"].is_null()),
        }
        for key in [
            "gender",
            "nationality",
            "ethnicity",
            "religion",
            "hometown",
            "identifying_features",
            "issue_date",
            "father_name",
            "mother_name",
            "spouse_name",
            "old_id_number",
        ] {
            assert!(c.get(key).is_some(), "citizen.{key} present (null allowed)");
        }
        assert_eq!(j["mrz"].as_array().map(Vec::len), Some(3));
        assert_eq!(j["photo"]["format"], "jpeg");
        let bytes = std::fs::read(&photo).expect("photo written");
        assert_eq!(j["photo"]["bytes"].as_u64(), Some(bytes.len() as u64));
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        let v = &j["verification"];
        assert_eq!(v["passive"], "ok");
        assert_eq!(v["chip_auth"], "ok");
        assert_eq!(v["active_auth"], "ok");
        assert!(j["apdus"].as_u64().unwrap() > 5);
        assert!(j["ms"].as_u64().is_some());

        // The MRZ key, and the key derived from ID + dates.
        let mrz = format!(
            "{},{},{}",
            p.document_number, p.mrz_date_of_birth, p.mrz_date_of_expiry
        );
        let (code, j, all) = motcua(&[
            "card",
            "read",
            "--mrz",
            &mrz,
            "--trust",
            trust.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code, 0, "{all}");
        assert_eq!(j["access"], "PACE-MRZ");
        let dob = p
            .citizen
            .date_of_birth
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let issued = p.citizen.issue_date.unwrap().format("%Y-%m-%d").to_string();
        let (code, j, all) = motcua(&[
            "card",
            "read",
            "--id",
            &p.citizen.id_number,
            "--dob",
            &dob,
            "--issued",
            &issued,
            "--trust",
            trust.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code, 0, "{all}");
        assert_eq!(j["citizen"]["id_number"], p.citizen.id_number.as_str());

        // No trust anchor: read, but not verified (exit 2).
        let (code, j, all) = motcua(&["card", "read", "--can", &p.can, "--json"]);
        assert_eq!(code, 2, "{all}");
        assert_eq!(j["verification"]["passive"], "no_trust_anchor");

        // Wrong CAN: error, exit 1, with a stable code and a Vietnamese message.
        let wrong = if p.can == "000000" {
            "111111"
        } else {
            "000000"
        };
        let (code, j, all) = motcua(&["card", "read", "--can", wrong, "--json"]);
        assert_eq!(code, 1, "{all}");
        assert_eq!(j["error"]["code"], "wrong_access_key");
        assert!(j["error"]["message"].as_str().unwrap().contains("CAN"));
    });

    // Each fault: read, not verified, with the failing check named.
    let cases: [(CardFaults, &str, &str); 3] = [
        (
            CardFaults {
                tampered_dg: Some(13),
                ..CardFaults::default()
            },
            "passive",
            "failed",
        ),
        (
            CardFaults {
                bad_sod_signature: true,
                ..CardFaults::default()
            },
            "passive",
            "failed",
        ),
        (
            CardFaults {
                cloned_chip_key: true,
                ..CardFaults::default()
            },
            "chip_auth",
            "failed",
        ),
    ];
    for (i, (faults, check, expected)) in cases.into_iter().enumerate() {
        with_card(200 + i as u64, faults, |p, trust| {
            let (code, j, all) = motcua(&[
                "card",
                "read",
                "--can",
                &p.can,
                "--trust",
                trust.to_str().unwrap(),
                "--json",
            ]);
            assert_eq!(code, 2, "{faults:?}: {all}");
            assert_eq!(j["verification"][check], expected, "{faults:?}: {all}");
            assert!(!j["verification"]["reasons"].as_array().unwrap().is_empty());
        });
    }

    // A short-APDU-only card still reads and verifies.
    with_card(
        300,
        CardFaults {
            short_apdu_only: true,
            ..CardFaults::default()
        },
        |p, trust| {
            let (code, j, all) = motcua(&[
                "card",
                "read",
                "--can",
                &p.can,
                "--trust",
                trust.to_str().unwrap(),
                "--json",
            ]);
            assert_eq!(code, 0, "{all}");
            assert_eq!(j["verification"]["passive"], "ok");
        },
    );

    // No card at all: a clear error after the wait.
    let (code, j, all) = motcua(&["card", "read", "--can", "123456", "--wait", "1", "--json"]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(j["error"]["code"], "pcsc_no_card", "{all}");
}
