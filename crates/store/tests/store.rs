//! Store behaviour through the public traits. Invented people only.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;
use store::{
    AuditRepository, CitizenRepository, CitizenSnapshot, ClerkRepository, HistoryQuery,
    IdentificationRepository, LockoutPolicy, Method, NewAudit, NewClerk, NewIdentification,
    OutboxRepository, Role, SqliteStore, StoreError,
};

fn clerk(store: &SqliteStore, username: &str) -> store::Clerk {
    store
        .create_clerk(
            NewClerk {
                username: username.into(),
                display_name: format!("Cán bộ {username}"),
                role: Role::Clerk,
                password_hash: "$argon2id$placeholder".into(),
            },
            NewAudit::new("create_clerk", "ok"),
        )
        .unwrap()
}

fn ident(clerk_id: &str, id_number: &str, name: &str, at: chrono::DateTime<Utc>) -> NewIdentification {
    NewIdentification {
        clerk_id: clerk_id.into(),
        citizen: CitizenSnapshot {
            id_number: id_number.into(),
            full_name: name.into(),
            date_of_birth: NaiveDate::from_ymd_opt(1990, 5, 12),
            data: json!({ "id_number": id_number, "full_name": name }),
        },
        method: Method::Chip,
        access: Some("PACE-CAN".into()),
        verified: true,
        verification: json!({ "verified": true, "reasons": [] }),
        purpose: "Thử nghiệm".into(),
        at,
        retain_for: Duration::days(30),
    }
}

#[test]
fn migrates_a_file_database_in_wal_mode_and_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open_in_dir(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), 2);
    clerk(&s, "an");
    drop(s);
    let s = SqliteStore::open_in_dir(dir.path()).unwrap();
    assert_eq!(s.count_clerks().unwrap(), 1);
    let conn = rusqlite::Connection::open(dir.path().join("motcua.sqlite3")).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn refuses_a_database_from_a_newer_app() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open_in_dir(dir.path()).unwrap());
    let conn = rusqlite::Connection::open(dir.path().join("motcua.sqlite3")).unwrap();
    conn.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')",
        [],
    )
    .unwrap();
    drop(conn);
    match SqliteStore::open_in_dir(dir.path()) {
        Err(StoreError::SchemaTooNew { found: 99, known: 2 }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn usernames_are_unique_case_insensitively_and_creation_is_audited() {
    let s = SqliteStore::open_in_memory().unwrap();
    let c = clerk(&s, "binh");
    assert!(uuid_v7(&c.id));
    let err = s
        .create_clerk(
            NewClerk {
                username: "BINH".into(),
                display_name: "x".into(),
                role: Role::Admin,
                password_hash: "h".into(),
            },
            NewAudit::new("create_clerk", "ok"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::UsernameTaken));
    let audit = s.recent_audit(10).unwrap();
    assert_eq!(audit.len(), 1, "the failed insert rolled back its audit row");
    assert_eq!(audit[0].subject.as_deref(), Some("binh"));
}

fn uuid_v7(s: &str) -> bool {
    s.len() == 36 && s.as_bytes()[14] == b'7'
}

#[test]
fn lockout_after_max_failures_and_reset_on_success() {
    let s = SqliteStore::open_in_memory().unwrap();
    let c = clerk(&s, "cuc");
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_for: Duration::minutes(15),
    };
    for i in 1..=2 {
        let after = s
            .record_login_failure(&c.id, policy, NewAudit::new("sign_in", "wrong_password"))
            .unwrap();
        assert_eq!(after.failed_logins, i);
        assert!(after.locked_until.is_none());
    }
    let after = s
        .record_login_failure(&c.id, policy, NewAudit::new("sign_in", "wrong_password"))
        .unwrap();
    assert!(after.locked_until.is_some());
    let after = s
        .record_login_success(&c.id, NewAudit::new("sign_in", "ok"))
        .unwrap();
    assert_eq!(after.failed_logins, 0);
    assert!(after.locked_until.is_none());
    assert_eq!(s.recent_audit(100).unwrap().len(), 1 + 3 + 1);
}

#[test]
fn audit_log_is_append_only() {
    let s = SqliteStore::open_in_memory().unwrap();
    s.append_audit(NewAudit::new("x", "ok")).unwrap();
    // Reach past the API: the triggers must stop even raw SQL.
    let dir = tempfile::tempdir().unwrap();
    let file = SqliteStore::open_in_dir(dir.path()).unwrap();
    file.append_audit(NewAudit::new("x", "ok")).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("motcua.sqlite3")).unwrap();
    let upd = conn.execute("UPDATE audit_log SET result = 'forged'", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = conn.execute("DELETE FROM audit_log", []);
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert_eq!(file.recent_audit(10).unwrap()[0].result, "ok");
}

#[test]
fn identification_upserts_citizen_and_writes_audit_and_outbox_together() {
    let s = SqliteStore::open_in_memory().unwrap();
    let c = clerk(&s, "dung");
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    let r1 = s
        .record_identification(
            ident(&c.id, "099190000001", "Nguyễn Văn An", t0),
            NewAudit::new("card_read", "verified").subject(Some("099190000001")),
        )
        .unwrap();
    let r2 = s
        .record_identification(
            ident(&c.id, "099190000001", "Nguyễn Văn An", t0 + Duration::hours(1)),
            NewAudit::new("card_read", "verified"),
        )
        .unwrap();
    assert_eq!(r1.citizen_id, r2.citizen_id, "one citizen row per ID number");
    assert_eq!(r1.clerk_name, "Cán bộ dung");
    let row = s.citizen_by_id_number("099190000001").unwrap().unwrap();
    assert_eq!(row.data["full_name"], "Nguyễn Văn An");
    assert_eq!(row.last_seen_at, t0 + Duration::hours(1));
    assert_eq!(row.retain_until, t0 + Duration::hours(1) + Duration::days(30));
    let outbox = s.pending_outbox(10).unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0].topic, "identification.recorded");
    assert_eq!(outbox[0].payload["identification_id"], r1.id.as_str());
    s.mark_delivered(&outbox[0].id, t0).unwrap();
    assert_eq!(s.pending_outbox(10).unwrap().len(), 1);
    let audit = s.recent_audit(10).unwrap();
    assert_eq!(audit[0].detail["identification_id"], r2.id.as_str());
}

#[test]
fn a_failed_identification_leaves_nothing_behind() {
    let s = SqliteStore::open_in_memory().unwrap();
    let t0 = Utc::now();
    // Unknown clerk: the foreign key fails after the citizen upsert, so everything rolls back.
    let err = s.record_identification(
        ident("no-such-clerk", "099190000009", "Lê Văn Lỗi", t0),
        NewAudit::new("card_read", "verified"),
    );
    assert!(err.is_err());
    assert!(s.citizen_by_id_number("099190000009").unwrap().is_none());
    assert!(s.recent_audit(10).unwrap().is_empty());
    assert!(s.pending_outbox(10).unwrap().is_empty());
}

#[test]
fn history_filters_by_range_id_prefix_and_folded_name() {
    let s = SqliteStore::open_in_memory().unwrap();
    let c = clerk(&s, "em");
    let day = Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap();
    for (i, (id, name)) in [
        ("099190000001", "Nguyễn Văn An"),
        ("099301000002", "Đặng Thị Đào"),
        ("099085000003", "Trần Minh Quân"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = day + Duration::hours(i as i64);
        s.record_identification(ident(&c.id, id, name, at), NewAudit::new("card_read", "ok"))
            .unwrap();
    }
    s.record_identification(
        ident(&c.id, "099190000001", "Nguyễn Văn An", day - Duration::days(3)),
        NewAudit::new("card_read", "ok"),
    )
    .unwrap();

    let q = |text: Option<&str>, from, to| HistoryQuery {
        from,
        to,
        text: text.map(str::to_owned),
        limit: 0,
    };
    let all = s.history(&q(None, None, None)).unwrap();
    assert_eq!(all.len(), 4);
    assert!(all[0].at > all[1].at, "newest first");

    let today = s.history(&q(None, Some(day), Some(day + Duration::days(1)))).unwrap();
    assert_eq!(today.len(), 3);

    let names = |v: Vec<store::IdentificationRecord>| {
        v.into_iter().map(|r| r.full_name).collect::<Vec<_>>()
    };
    assert_eq!(names(s.history(&q(Some("nguyen van an"), None, None)).unwrap()).len(), 2);
    assert_eq!(names(s.history(&q(Some("dang thi dao"), None, None)).unwrap()), vec!["Đặng Thị Đào"]);
    assert_eq!(names(s.history(&q(Some("ĐÀO"), None, None)).unwrap()), vec!["Đặng Thị Đào"]);
    assert_eq!(names(s.history(&q(Some("0993"), None, None)).unwrap()), vec!["Đặng Thị Đào"]);
    assert!(s.history(&q(Some("%"), None, None)).unwrap().is_empty(), "LIKE wildcards are literal");
    assert!(s.history(&q(Some("an quan"), None, None)).unwrap().is_empty(), "words match word starts");
    assert_eq!(names(s.history(&q(Some("qua tra"), None, None)).unwrap()), vec!["Trần Minh Quân"]);
}

#[test]
fn purge_removes_expired_citizens_but_keeps_the_audit_log() {
    let s = SqliteStore::open_in_memory().unwrap();
    let c = clerk(&s, "giang");
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    s.record_identification(ident(&c.id, "099190000001", "Nguyễn Văn An", t0), NewAudit::new("card_read", "ok"))
        .unwrap();
    let n = s
        .purge_expired(t0 + Duration::days(31), NewAudit::new("purge", "ok"))
        .unwrap();
    assert_eq!(n, 1);
    assert!(s.citizen_by_id_number("099190000001").unwrap().is_none());
    assert!(s.history(&HistoryQuery::default()).unwrap().is_empty());
    assert_eq!(s.recent_audit(10).unwrap().len(), 3, "create + read + purge");
}
