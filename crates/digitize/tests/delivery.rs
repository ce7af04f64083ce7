//! Delivery through HTTP to the stand-in server, with faults on purpose.

mod common;
use chrono::Utc;
use common::*;
use digitize::deliver::{deliver_pass, HttpDelivery, Policy};
use digitize::queue::{Queue, State};
use digitize::standin::{Fault, Standin};
use std::sync::atomic::Ordering;
use std::time::Duration;

fn setup(n_items: usize) -> (tempfile::TempDir, Queue, Vec<String>) {
    queue_with_items("H9", 1, 5, n_items)
}

fn fast() -> Policy {
    Policy {
        base: Duration::from_secs(2),
        cap: Duration::from_secs(60),
        max_attempts: 4,
        require_signed: false,
    }
}

#[test]
fn retries_with_backoff_reach_delivered_without_duplicates() {
    let (d, q, ids) = setup(1);
    let s = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    s.push_faults(&[Fault::Status500, Fault::Status503 { retry_after: 7 }, Fault::Drop]);
    let http = HttpDelivery::new(&s.url(), Duration::from_secs(10));
    let p = fast();
    let mut now = Utc::now();
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.retrying.len(), 1);
    assert_eq!(r.retrying[0].1, "delivery_http_500");
    assert_eq!((r.retrying[0].2 - now).num_seconds(), 2, "first backoff = base");
    // Not due yet: nothing sent.
    let before = s.stats().requests.load(Ordering::SeqCst);
    assert!(deliver_pass(&q, &http, &p, now + chrono::Duration::seconds(1)).unwrap().retrying.is_empty());
    assert_eq!(s.stats().requests.load(Ordering::SeqCst), before);
    now += chrono::Duration::seconds(2);
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.retrying[0].1, "delivery_http_503");
    assert_eq!((r.retrying[0].2 - now).num_seconds(), 7, "Retry-After beats the 4 s backoff");
    now += chrono::Duration::seconds(7);
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.retrying[0].1, "delivery_connection_lost");
    assert_eq!((r.retrying[0].2 - now).num_seconds(), 8);
    now += chrono::Duration::seconds(8);
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.delivered, ids);
    let it = q.item(&ids[0]).unwrap();
    assert_eq!(it.state, State::Delivered);
    assert!(it.remote_receipt.unwrap().starts_with("TN-"));
    assert_eq!(it.attempts, 3);
    assert_eq!(s.stats().stored.load(Ordering::SeqCst), 1);
    let stored = std::fs::read(s.dir().join(format!("{}.pdf", ids[0]))).unwrap();
    assert_eq!(Some(digitize::sha256_hex(&stored)), it.sha256);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.dir().join(format!("{}.json", ids[0]))).unwrap()).unwrap();
    assert_eq!(meta["ma_ho_so"], "H9");
    assert_eq!(meta["page_count"], 1);
}

#[test]
fn redelivery_after_a_lost_answer_is_not_duplicated() {
    let (d, q, ids) = setup(1);
    let s = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    let http = HttpDelivery::new(&s.url(), Duration::from_secs(10));
    // As if the app died after the server stored the file, before recording it.
    let it = q.item(&ids[0]).unwrap();
    let pkg = digitize::deliver::Package {
        idempotency_key: it.id.clone(),
        file_name: "x.pdf".into(),
        pdf: std::fs::read(it.pdf.as_ref().unwrap()).unwrap(),
        metadata: digitize::deliver::metadata(&it),
    };
    use digitize::deliver::Delivery;
    assert!(matches!(http.deliver(&pkg), digitize::deliver::Outcome::Delivered { .. }));
    let r = deliver_pass(&q, &http, &fast(), Utc::now()).unwrap();
    assert_eq!(r.delivered.len(), 1);
    assert_eq!(s.stats().stored.load(Ordering::SeqCst), 1);
    assert_eq!(s.stats().duplicates.load(Ordering::SeqCst), 1);
    // Tampered content under the same key is refused.
    let mut bad = pkg.clone();
    bad.pdf.push(b'\n');
    bad.metadata["sha256"] = digitize::sha256_hex(&bad.pdf).into();
    assert!(matches!(http.deliver(&bad), digitize::deliver::Outcome::Permanent { code, .. } if code == "delivery_rejected_409"));
}

#[test]
fn permanent_refusal_fails_with_reason_and_too_many_attempts_fail() {
    let (d, q, ids) = setup(2);
    let s = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    s.push_faults(&[Fault::Reject400]);
    let http = HttpDelivery::new(&s.url(), Duration::from_secs(10));
    let p = fast();
    let r = deliver_pass(&q, &http, &p, Utc::now()).unwrap();
    assert_eq!(r.failed, vec![(ids[0].clone(), "delivery_rejected_400".to_string())]);
    assert_eq!(r.delivered, vec![ids[1].clone()]);
    let it = q.item(&ids[0]).unwrap();
    assert_eq!(it.state, State::Failed);
    assert!(it.error_message.unwrap().contains("không hợp lệ"));
    // Clerk retries it; the server fails every time: failed after max_attempts.
    assert!(q.retry_failed(&ids[0]).unwrap());
    s.push_faults(&[Fault::Status500; 4]);
    let mut now = Utc::now();
    for _ in 0..4 {
        deliver_pass(&q, &http, &p, now).unwrap();
        now += chrono::Duration::seconds(120);
    }
    let it = q.item(&ids[0]).unwrap();
    assert_eq!((it.state, it.attempts), (State::Failed, 4));
    assert_eq!(it.error_code.as_deref(), Some("delivery_http_500"));
}

#[test]
fn server_down_stays_queued_and_timeouts_count() {
    let (d, q, ids) = setup(1);
    // A port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = HttpDelivery::new(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5));
    let p = fast();
    let mut now = Utc::now();
    for _ in 0..6 {
        let r = deliver_pass(&q, &down, &p, now).unwrap();
        assert_eq!(r.retrying[0].1, "delivery_unreachable");
        now += chrono::Duration::seconds(3600);
    }
    let it = q.item(&ids[0]).unwrap();
    assert_eq!((it.state, it.attempts), (State::Processed, 0), "unreachable does not use attempts");
    // Slow server: the client's timeout counts as an attempt.
    let s = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    s.push_faults(&[Fault::Slow { ms: 2500 }]);
    let http = HttpDelivery::new(&s.url(), Duration::from_secs(1));
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.retrying[0].1, "delivery_timeout");
    assert_eq!(q.item(&ids[0]).unwrap().attempts, 1);
    now += chrono::Duration::seconds(3600);
    std::thread::sleep(Duration::from_millis(1600)); // let the slow answer finish storing
    let r = deliver_pass(&q, &http, &p, now).unwrap();
    assert_eq!(r.delivered.len(), 1);
    assert_eq!(s.stats().stored.load(Ordering::SeqCst), 1, "slow request stored once, retry was a duplicate");
}
