//! One process (or handle) at a time works on a queue; readers are never blocked.

mod common;
use common::*;
use digitize::queue::{Queue, State};
use std::time::{Duration, Instant};

#[test]
fn second_opener_gets_queue_busy_and_readers_still_work() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("dg");
    let (q, _) = Queue::open(&root).unwrap();
    let it = q.get_or_create(&new_item("H-LOCK", "tp-1")).unwrap();

    let t = Instant::now();
    let e = Queue::open_wait(&root, Duration::from_millis(300)).unwrap_err();
    assert!(t.elapsed() >= Duration::from_millis(300), "waited before giving up");
    assert_eq!(e.code(), "digitize_queue_busy");
    assert!(e.message_vi().contains("đang được một chương trình khác"), "{}", e.message_vi());

    // Read-only: no lock needed, sees committed rows; writes are refused.
    let r = Queue::open_read_only(&root).unwrap();
    assert_eq!(r.item(&it.id).unwrap().state, State::Capturing);
    assert_eq!(r.status().unwrap().counts["capturing"], 1);
    assert!(r.get_or_create(&new_item("H-LOCK", "tp-2")).is_err());

    // Released on drop: a waiting opener gets it.
    let h = std::thread::spawn({
        let root = root.clone();
        move || Queue::open_wait(&root, Duration::from_secs(10)).map(|_| ())
    });
    std::thread::sleep(Duration::from_millis(200));
    drop(q);
    h.join().unwrap().unwrap();
    let (q, _) = Queue::open(&root).unwrap();
    assert_eq!(q.item(&it.id).unwrap().id, it.id);
    // A queue that does not exist yet cannot be opened read-only.
    assert_eq!(
        Queue::open_read_only(&d.path().join("none")).unwrap_err().code(),
        "digitize_io"
    );
}
