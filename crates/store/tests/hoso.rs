//! Hồ sơ tables: allocation (midnight, concurrency across connections), trail append-only,
//! status changes guarded by the expected status.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use procedures::{AgencyCode, SequenceAllocator};
use std::collections::BTreeSet;
use std::sync::Arc;
use store::{
    Applicant, AuditRepository, ComponentForm, HoSoQuery, HoSoRepository, HoSoStatus, Method,
    NewAudit, NewComponent, NewHoSo, OutboxRepository, SqliteStore, StatusChange, StoreError,
};

fn agency() -> AgencyCode {
    AgencyCode::parse("000.00.19.H12").unwrap()
}

fn new_ho_so(day: NaiveDate, name: &str, id_number: &str) -> NewHoSo {
    let at = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());
    NewHoSo {
        agency: agency(),
        procedure_code: "2.000815".into(),
        procedure_name: "Chứng thực bản sao từ bản chính".into(),
        applicant: Applicant {
            full_name: name.into(),
            id_number: Some(id_number.into()),
            address_printed: Some("Phường Cống Vị, Quận Ba Đình, Thành phố Hà Nội".into()),
            ..Applicant::default()
        },
        identity_method: Method::Chip,
        identity_verified: true,
        form_values: serde_json::json!({"ho_ten": {"value": name, "source": "chip"}}),
        working_days: 0,
        received_at: at,
        received_date: day,
        due_at: Some(at + Duration::hours(8)),
        sets: 1,
        clerk_id: None,
        retain_until: at + Duration::days(3650),
        components: vec![NewComponent {
            name: "Bản chính giấy tờ".into(),
            form: ComponentForm::Original,
            count: 1,
            received: true,
            must_digitize: true,
        }],
        note: None,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn create_search_and_sequence_across_midnight() {
    let s = SqliteStore::open_in_memory().unwrap();
    let d1 = day(2026, 3, 2);
    let d2 = day(2026, 3, 3);
    let a = s
        .create_ho_so(
            new_ho_so(d1, "Nguyễn Văn An", "001099000001"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap();
    let b = s
        .create_ho_so(
            new_ho_so(d1, "Trần Thị Bích", "001099000002"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap();
    let c = s
        .create_ho_so(
            new_ho_so(d2, "Lê Đức Được", "001099000003"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap();
    assert_eq!(a.ma_ho_so, "000.00.19.H12-260302-0001");
    assert_eq!(b.ma_ho_so, "000.00.19.H12-260302-0002");
    assert_eq!(c.ma_ho_so, "000.00.19.H12-260303-0001");
    // The register number runs on over the year.
    assert_eq!(
        (a.register_number, b.register_number, c.register_number),
        (1, 2, 3)
    );
    assert_eq!(a.status, HoSoStatus::Received);
    assert_eq!(a.components.len(), 1);
    assert_eq!(a.form_values["ho_ten"]["source"], "chip");

    let q = |text: &str| {
        s.search_ho_so(&HoSoQuery {
            text: Some(text.into()),
            ..HoSoQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.ma_ho_so)
        .collect::<Vec<_>>()
    };
    assert_eq!(q("duoc"), vec![c.ma_ho_so.clone()]);
    assert_eq!(q("TRAN thi"), vec![b.ma_ho_so.clone()]);
    assert_eq!(q("001099000001"), vec![a.ma_ho_so.clone()]);
    assert_eq!(q("000.00.19.H12-260303"), vec![c.ma_ho_so.clone()]);
    let by_date = s
        .search_ho_so(&HoSoQuery {
            from_date: Some(d1),
            to_date: Some(d1),
            ..HoSoQuery::default()
        })
        .unwrap();
    assert_eq!(by_date.len(), 2);

    // Audit and outbox rows were written with the hồ sơ.
    assert!(s
        .recent_audit(10)
        .unwrap()
        .iter()
        .any(|r| r.detail["ma_ho_so"] == a.ma_ho_so.as_str()));
    assert_eq!(
        s.pending_outbox(10)
            .unwrap()
            .iter()
            .filter(|m| m.topic == "ho_so.received")
            .count(),
        3
    );
}

#[test]
fn status_change_is_guarded_and_trail_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open_in_dir(dir.path()).unwrap();
    let h = s
        .create_ho_so(
            new_ho_so(day(2026, 3, 2), "Phạm Ngọc Ánh", "001099000004"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap();
    let change = |from, to| StatusChange {
        ma_ho_so: h.ma_ho_so.clone(),
        from,
        to,
        at: Utc::now(),
        clerk_id: None,
        note: Some("ghi chú".into()),
        due_at: h.due_at,
        paused_since: None,
        pauses: vec![],
        result_at: None,
        returned_at: None,
    };
    let r = s
        .change_ho_so_status(
            change(HoSoStatus::Received, HoSoStatus::InProgress),
            NewAudit::new("ho_so.status", "ok"),
        )
        .unwrap();
    assert_eq!(r.status, HoSoStatus::InProgress);
    // A second window that still believes "received" loses.
    let e = s
        .change_ho_so_status(
            change(HoSoStatus::Received, HoSoStatus::Rejected),
            NewAudit::new("ho_so.status", "ok"),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let ev = s.ho_so_events(&h.ma_ho_so).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].from, None);
    assert_eq!(ev[1].from, Some(HoSoStatus::Received));
    assert_eq!(ev[1].to, HoSoStatus::InProgress);

    // The trail cannot be edited or deleted, even with raw SQL.
    let raw = rusqlite::Connection::open(dir.path().join("motcua.sqlite3")).unwrap();
    assert!(raw
        .execute("UPDATE ho_so_events SET note = 'x'", [])
        .is_err());
    assert!(raw.execute("DELETE FROM ho_so_events", []).is_err());
    assert_eq!(s.ho_so_events(&h.ma_ho_so).unwrap().len(), 2);
}

#[test]
fn exhausted_day_is_an_error_and_leaves_no_gap() {
    let s = SqliteStore::open_in_memory().unwrap();
    let d = day(2026, 3, 2);
    for _ in 0..9999 {
        s.next_number(&agency(), d).unwrap();
    }
    let e = s.next_number(&agency(), d).unwrap_err();
    assert!(matches!(e, StoreError::Sequence(_)), "{e:?}");
    let e = s
        .create_ho_so(
            new_ho_so(d, "Nguyễn Văn An", "001099000001"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Sequence(_)), "{e:?}");
    // Nothing was recorded, and the register number was not consumed.
    assert!(s.search_ho_so(&HoSoQuery::default()).unwrap().is_empty());
    let next_day = s
        .create_ho_so(
            new_ho_so(d.succ_opt().unwrap(), "Nguyễn Văn An", "001099000001"),
            NewAudit::new("ho_so.create", "ok"),
        )
        .unwrap();
    assert_eq!(next_day.register_number, 1);
    assert!(next_day.ma_ho_so.ends_with("-0001"));
}

/// Four threads, each with its own connection (its own `SqliteStore`) on one database file,
/// allocate at once: every number from 1 to N appears exactly once.
#[test]
fn concurrent_connections_get_distinct_numbers_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    // Create and migrate once; the threads then open the same file.
    drop(SqliteStore::open_in_dir(dir.path()).unwrap());
    let d = day(2026, 3, 2);
    let threads = 4;
    let per_thread = 25;
    let barrier = Arc::new(std::sync::Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let path = dir.path().to_path_buf();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let s = SqliteStore::open_in_dir(&path).unwrap();
                barrier.wait();
                let mut got = Vec::new();
                for i in 0..per_thread {
                    if i % 2 == 0 {
                        got.push(s.next_number(&agency(), d).unwrap() as u32);
                    } else {
                        let h = s
                            .create_ho_so(
                                new_ho_so(d, &format!("Người Thử {t} {i}"), "001099000009"),
                                NewAudit::new("ho_so.create", "ok"),
                            )
                            .unwrap();
                        got.push(h.ma_ho_so.rsplit('-').next().unwrap().parse().unwrap());
                    }
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.join().unwrap());
    }
    let set: BTreeSet<u32> = all.iter().copied().collect();
    assert_eq!(set.len(), all.len(), "duplicate numbers: {all:?}");
    let n = (threads * per_thread) as u32;
    assert_eq!(set, (1..=n).collect::<BTreeSet<_>>());
}

#[test]
fn two_processes_opening_a_new_database_migrate_once() {
    // Several stores racing to create and migrate the same new file.
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                SqliteStore::open_in_dir(&path).map(|s| s.schema_version().unwrap())
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), 2);
    }
}

#[test]
fn component_document_link_is_recorded_with_audit_and_outbox() {
    let s = SqliteStore::open_in_memory().unwrap();
    let d = day(2026, 3, 2);
    let h = s
        .create_ho_so(new_ho_so(d, "Phạm Thị Thử", "001099000009"), NewAudit::new("ho_so.create", "ok"))
        .unwrap();
    assert_eq!(h.components[0].document_id, None);
    let at = Utc.from_utc_datetime(&d.and_hms_opt(3, 0, 0).unwrap());
    let row = s
        .set_component_document(
            store::ComponentDocument {
                ma_ho_so: h.ma_ho_so.clone(),
                position: 1,
                document_id: Some("doc-1".into()),
                reused_from: None,
                at,
            },
            NewAudit::new("ho_so.digitize", "ok"),
        )
        .unwrap();
    assert_eq!(row.components[0].document_id.as_deref(), Some("doc-1"));
    // A later reuse record keeps the document id (None leaves a column unchanged).
    let row = s
        .set_component_document(
            store::ComponentDocument {
                ma_ho_so: h.ma_ho_so.clone(),
                position: 1,
                document_id: None,
                reused_from: Some("doc-0".into()),
                at,
            },
            NewAudit::new("ho_so.digitize", "ok"),
        )
        .unwrap();
    assert_eq!(row.components[0].document_id.as_deref(), Some("doc-1"));
    assert_eq!(row.components[0].reused_from.as_deref(), Some("doc-0"));
    let topics: Vec<String> = s.pending_outbox(50).unwrap().into_iter().map(|m| m.topic).collect();
    assert_eq!(topics.iter().filter(|t| *t == "ho_so.component_digitized").count(), 2);
    // Unknown position or hồ sơ: NotFound, nothing written.
    let bad = s.set_component_document(
        store::ComponentDocument {
            ma_ho_so: h.ma_ho_so.clone(),
            position: 7,
            document_id: Some("x".into()),
            reused_from: None,
            at,
        },
        NewAudit::new("ho_so.digitize", "ok"),
    );
    assert!(matches!(bad, Err(StoreError::NotFound)));
    assert_eq!(s.pending_outbox(50).unwrap().len(), topics.len());
}
