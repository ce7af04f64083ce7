//! The agency's PAdES signature in the queue: processed → signed, checked by poppler's
//! `pdfsig` and `pdftotext`; crash points between the signed file and its commit; delivery
//! of the signed copy and the "signed only" policy. Test certificates are generated
//! (`testpki`), never real ones.

mod common;
use chrono::{TimeZone, Utc};
use common::*;
use digitize::deliver::{deliver_pass, HttpDelivery, Policy};
use digitize::queue::{Queue, State, SIGNED_NAME};
use digitize::sign::{sign_item, sign_pending, Signer, DEFAULT_COPY_TYPE};
use digitize::standin::Standin;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const AGENCY: &str = "Ủy ban nhân dân xã Thử Nghiệm";
const PASS: &str = "mật-khẩu-thử";

/// PKCS#12 (generated test CA + agency key, ECDSA P-256) and the CA certificate (DER).
fn test_p12() -> (Vec<u8>, Vec<u8>) {
    use p256::pkcs8::EncodePrivateKey as _;
    let ca = testpki::csca("digitize-sign-test-ca");
    let signer = testpki::document_signer(&ca, "digitize-sign-test-agency");
    let key = match &signer.key {
        lds::SignerKey::EcdsaP256(k) => k.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        other => panic!("test key {other:?}"),
    };
    let chain = p12_keystore::PrivateKeyChain::new(
        key,
        [7u8; 20],
        [
            p12_keystore::Certificate::from_der(&signer.der).unwrap(),
            p12_keystore::Certificate::from_der(&ca.der).unwrap(),
        ],
    );
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry("agency", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    (ks.writer(PASS).write().unwrap(), ca.der.clone())
}

fn signer() -> Signer {
    Signer::from_pkcs12(&test_p12().0, PASS, AGENCY).unwrap()
}

fn setup(n: usize) -> (tempfile::TempDir, Queue, Vec<String>) {
    queue_with_items("H-SIGN", 2, 11, n)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 3, 4, 5).unwrap()
}

fn poppler(pdf: &Path) -> (String, String) {
    let sig = Command::new("pdfsig").arg(pdf).output().expect("pdfsig (poppler-utils)");
    let txt = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    (
        String::from_utf8_lossy(&sig.stdout).into_owned(),
        String::from_utf8_lossy(&txt.stdout).into_owned(),
    )
}

#[test]
fn signed_via_queue_poppler_accepts_and_verify_checks_it() {
    let (_d, q, ids) = setup(2);
    let s = signer();
    let done = sign_pending(&q, &s, now()).unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|x| x.newly_signed));
    let it = q.item(&ids[0]).unwrap();
    assert_eq!(it.state, State::Signed);
    let sc = it.signed.clone().unwrap();
    assert_eq!(sc.file, q.item_dir(&ids[0]).join(SIGNED_NAME));
    let bytes = std::fs::read(&sc.file).unwrap();
    assert_eq!(digitize::sha256_hex(&bytes), sc.sha256);
    let orig = std::fs::read(it.pdf.as_ref().unwrap()).unwrap();
    assert!(bytes.starts_with(&orig), "incremental update of copy.pdf");
    assert!(pdfsign::verify(&bytes, &[test_p12().1]).unwrap().trusted);

    let (sig, txt) = poppler(&sc.file);
    assert!(sig.contains("Signature is Valid"), "pdfsig:\n{sig}");
    assert!(sig.contains("ETSI.CAdES.detached"), "pdfsig:\n{sig}");
    assert!(sig.contains("Total document signed"), "pdfsig:\n{sig}");
    assert!(txt.contains(DEFAULT_COPY_TYPE), "pdftotext:\n{txt}");
    assert!(txt.contains(AGENCY), "pdftotext:\n{txt}");
    assert!(txt.contains("2026-11-28T10:04:05+07:00"), "pdftotext:\n{txt}");

    // Idempotent: signing again changes nothing.
    let again = sign_item(&q, &ids[0], &s, now() + chrono::Duration::hours(1)).unwrap();
    assert!(!again.newly_signed);
    assert_eq!(again.signed_sha256, sc.sha256);
    assert!(sign_pending(&q, &s, now()).unwrap().is_empty());
    assert!(q.verify().unwrap().problems.is_empty());

    // A changed signed copy is reported by verify (and by a reopen as intact size-wise).
    let mut bad = bytes.clone();
    let at = bad.len() - 100;
    bad[at] ^= 1;
    std::fs::write(&sc.file, &bad).unwrap();
    let v = q.verify().unwrap();
    assert!(
        v.problems.iter().any(|p| p.contains("signed PDF")),
        "{:?}",
        v.problems
    );
}

#[test]
fn crash_between_signed_file_and_commit_is_resumed() {
    let (_d, q, ids) = setup(1);
    let root = q.root().to_path_buf();
    let s = signer();
    let id = &ids[0];
    // Crash after the atomic write, before the commit: a stale signed file exists.
    let it = q.item(id).unwrap();
    let pdf = std::fs::read(it.pdf.as_ref().unwrap()).unwrap();
    let stale = s.sign_pdf(&pdf, now() - chrono::Duration::minutes(5)).unwrap();
    std::fs::write(q.item_dir(id).join(SIGNED_NAME), &stale).unwrap();
    // And a temporary file of a second, interrupted write.
    std::fs::write(q.item_dir(id).join(".copy.signed.pdf.tmp-999"), b"partial").unwrap();
    drop(q);
    let (q, rec) = Queue::open(&root).unwrap();
    assert_eq!(rec.temp_files_removed, 1);
    assert!(rec.items_rewound.is_empty());
    assert!(q.item_dir(id).join(SIGNED_NAME).exists(), "recovery keeps it");
    assert_eq!(q.item(id).unwrap().state, State::Processed);
    assert!(q.verify().unwrap().problems.is_empty());
    let r = sign_item(&q, id, &s, now()).unwrap();
    assert!(r.newly_signed);
    let it = q.item(id).unwrap();
    assert_eq!(it.state, State::Signed);
    let b = std::fs::read(&it.signed.as_ref().unwrap().file).unwrap();
    assert_eq!(digitize::sha256_hex(&b), r.signed_sha256);
    assert!(pdfsign::verify(&b, &[]).is_ok());

    // The committed signed copy disappears: recovery moves the item back to processed, and
    // signing again restores it.
    std::fs::remove_file(q.item_dir(id).join(SIGNED_NAME)).unwrap();
    drop(q);
    let (q, rec) = Queue::open(&root).unwrap();
    assert_eq!(rec.items_rewound, vec![id.clone()]);
    let it = q.item(id).unwrap();
    assert_eq!(it.state, State::Processed);
    assert!(it.signed.is_none());
    assert!(q.verify().unwrap().problems.is_empty());
    sign_pending(&q, &s, now()).unwrap();
    assert_eq!(q.item(id).unwrap().state, State::Signed);

    // The digitized copy disappears: back to captured, the signed copy goes too.
    std::fs::remove_file(q.item_dir(id).join("copy.pdf")).unwrap();
    drop(q);
    let (q, rec) = Queue::open(&root).unwrap();
    assert_eq!(rec.items_rewound, vec![id.clone()]);
    assert_eq!(q.item(id).unwrap().state, State::Captured);
    assert!(!q.item_dir(id).join(SIGNED_NAME).exists());
    assert!(q.verify().unwrap().problems.is_empty());
}

#[test]
fn delivery_sends_the_signed_copy_and_can_require_it() {
    let (d, q, ids) = setup(2);
    let srv = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    let http = HttpDelivery::new(&srv.url(), Duration::from_secs(10));
    let p = Policy {
        require_signed: true,
        ..Policy::default()
    };
    // Nothing signed: nothing leaves.
    let r = deliver_pass(&q, &http, &p, Utc::now()).unwrap();
    assert!(r.delivered.is_empty() && r.retrying.is_empty() && r.failed.is_empty());
    sign_item(&q, &ids[1], &signer(), now()).unwrap();
    let r = deliver_pass(&q, &http, &p, Utc::now()).unwrap();
    assert_eq!(r.delivered, vec![ids[1].clone()]);
    let it = q.item(&ids[1]).unwrap();
    assert_eq!(it.state, State::Delivered);
    let got = std::fs::read(srv.dir().join(format!("{}.pdf", ids[1]))).unwrap();
    assert_eq!(digitize::sha256_hex(&got), it.signed.as_ref().unwrap().sha256);
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(srv.dir().join(format!("{}.json", ids[1]))).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["signed"], true);
    assert_eq!(meta["unsigned_sha256"].as_str(), it.sha256.as_deref());
    assert_eq!(q.item(&ids[0]).unwrap().state, State::Processed);
    // Without the policy the unsigned copy goes as before.
    let r = deliver_pass(&q, &http, &Policy::default(), Utc::now()).unwrap();
    assert_eq!(r.delivered, vec![ids[0].clone()]);
    let got = std::fs::read(srv.dir().join(format!("{}.pdf", ids[0]))).unwrap();
    assert_eq!(Some(digitize::sha256_hex(&got)), q.item(&ids[0]).unwrap().sha256);
    assert!(q.verify().unwrap().problems.is_empty());
}

#[test]
fn wrong_password_and_altered_copy_are_typed_errors() {
    let (p12, _) = test_p12();
    let e = Signer::from_pkcs12(&p12, "sai", AGENCY).unwrap_err();
    assert_eq!(e.code(), "sign_pkcs12_unreadable");
    assert!(e.message_vi().contains("mật khẩu"));
    assert_eq!(
        Signer::from_pkcs12(&p12, PASS, " ").unwrap_err().code(),
        "digitize_invalid_argument"
    );
    let (_d, q, ids) = setup(1);
    let pdf = q.item(&ids[0]).unwrap().pdf.unwrap();
    let mut b = std::fs::read(&pdf).unwrap();
    b[200] ^= 1;
    std::fs::write(&pdf, &b).unwrap();
    let e = sign_item(&q, &ids[0], &signer(), now()).unwrap_err();
    assert_eq!(e.code(), "digitize_file_altered");
    assert_eq!(q.item(&ids[0]).unwrap().state, State::Processed);
    assert!(!q.item_dir(&ids[0]).join(SIGNED_NAME).exists());
}
