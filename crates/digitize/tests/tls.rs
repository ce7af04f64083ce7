//! HTTPS delivery to the stand-in server over TLS, with a private CA generated at test time:
//! accepted with the CA given (`HttpDelivery::with_ca_pem`), refused with the typed code
//! `delivery_tls` without it (public roots only) or with another CA; never delivered unverified.

mod common;
use chrono::Utc;
use common::*;
use digitize::deliver::{deliver_pass, HttpDelivery, Policy};
use digitize::ingest::{ingest, IngestRequest};
use digitize::queue::{Queue, State};
use digitize::standin::Standin;
use std::sync::atomic::Ordering;
use std::time::Duration;

struct Pki {
    ca_pem: String,
    chain: Vec<Vec<u8>>,
    key: Vec<u8>,
}

/// A "TEST ONLY" CA and a server certificate for 127.0.0.1 / localhost.
fn pki(name: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{name} TEST ONLY CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    p.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    p.distinguished_name
        .push(DnType::CommonName, "standin TEST ONLY");
    let cert = p.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        chain: vec![cert.der().to_vec()],
        key: key.serialize_der(),
    }
}

#[test]
fn https_delivery_needs_the_private_ca_and_never_skips_verification() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write_pages(&src, 1, 21);
    let (q, _) = Queue::open(&d.path().join("dg")).unwrap();
    let id = ingest(
        &q,
        &IngestRequest {
            item: new_item("H-TLS", "tp-1"),
            inputs: vec![src],
            fallback_dpi: None,
            threads: 1,
        },
    )
    .unwrap()
    .item_id;
    let p = pki("provincial");
    let srv = Standin::start_tls(
        "127.0.0.1:0",
        &d.path().join("recv"),
        Standin::tls_config(p.chain.clone(), p.key.clone()).unwrap(),
    )
    .unwrap();
    let url = srv.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let policy = Policy::default();
    let t = Duration::from_secs(10);

    // Public roots only: the private CA is unknown.
    let r = deliver_pass(&q, &HttpDelivery::new(&url, t), &policy, Utc::now()).unwrap();
    assert_eq!(r.retrying.len(), 1, "{r:?}");
    assert_eq!(r.retrying[0].1, "delivery_tls");
    let it = q.item(&id).unwrap();
    assert_eq!(it.state, State::Processed);
    assert_eq!(it.attempts, 0, "a TLS configuration problem does not use up attempts");
    assert_eq!(it.error_code.as_deref(), Some("delivery_tls"));
    assert!(it.error_message.unwrap().contains("--ca-file"));
    assert!(
        digitize::deliver::outcome_message_vi("delivery_tls").contains("HTTPS"),
        "Vietnamese message"
    );
    // Another private CA: refused too.
    let other = pki("other");
    let http = HttpDelivery::with_ca_pem(&url, t, other.ca_pem.as_bytes()).unwrap();
    let r = deliver_pass(&q, &http, &policy, Utc::now() + chrono::Duration::hours(1)).unwrap();
    assert_eq!(r.retrying[0].1, "delivery_tls");
    assert_eq!(srv.stats().stored.load(Ordering::SeqCst), 0);

    // With the provincial CA: delivered.
    let ca_file = d.path().join("ca.pem");
    std::fs::write(&ca_file, &p.ca_pem).unwrap();
    let http = HttpDelivery::with_ca_file(&url, t, &ca_file).unwrap();
    let r = deliver_pass(&q, &http, &policy, Utc::now() + chrono::Duration::hours(2)).unwrap();
    assert_eq!(r.delivered, vec![id.clone()], "{r:?}");
    assert_eq!(q.item(&id).unwrap().state, State::Delivered);
    let got = std::fs::read(srv.dir().join(format!("{id}.pdf"))).unwrap();
    assert_eq!(Some(digitize::sha256_hex(&got)), q.item(&id).unwrap().sha256);

    // A CA file that holds no certificate is a typed error, not "trust nothing/everything".
    let e = HttpDelivery::with_ca_pem(&url, t, b"not a pem").unwrap_err();
    assert_eq!(e.code(), "digitize_invalid_argument");
    assert!(e.message_vi().contains("CA"));
}
