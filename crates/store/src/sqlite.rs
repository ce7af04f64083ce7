//! SQLite backend: one connection behind a mutex, WAL journal, foreign keys on.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use crate::{
    migrations, new_id, parse_time, rfc3339, text, AuditRepository, AuditRow, CitizenRepository,
    CitizenRow, Clerk, ClerkRepository, FieldCipher, HistoryQuery, IdentificationRecord,
    IdentificationRepository, LockoutPolicy, Method, NewAudit, NewClerk, NewIdentification,
    OutboxMessage, OutboxRepository, PlainText, Result, Role, StoreError,
};

const CITIZEN_DATA: &str = "citizens.citizen_data";

pub struct SqliteStore {
    conn: Mutex<Connection>,
    cipher: Arc<dyn FieldCipher>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("cipher", &self.cipher.id())
            .finish_non_exhaustive()
    }
}

/// Switches to WAL. On a new database two processes starting together (two counters, or the
/// app and the CLI) both ask for it; SQLite answers the loser "database is locked" at once,
/// without its busy handler, so the switch is retried for up to 10 s.
fn enable_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        // journal_mode returns a row; in-memory databases answer "memory".
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `dir/motcua.sqlite3` and migrates it.
    pub fn open_in_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::DataDir(format!("{}: {e}", dir.display())))?;
        Self::open(&dir.join("motcua.sqlite3"), Arc::new(PlainText))
    }

    pub fn open(path: &Path, cipher: Arc<dyn FieldCipher>) -> Result<Self> {
        let conn = Connection::open(path)?;
        Self::init(conn, cipher)
    }

    /// A private in-memory database (tests, demos).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, Arc::new(PlainText))
    }

    fn init(mut conn: Connection, cipher: Arc<dyn FieldCipher>) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        enable_wal(&conn)?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        migrations::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            cipher,
        })
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction (rusqlite rolls back on
        // drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version now in force.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn()
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?)
    }

    fn seal(&self, v: &serde_json::Value) -> Result<Vec<u8>> {
        self.seal_column(CITIZEN_DATA, v)
    }

    fn open_data(&self, cipher_id: &str, sealed: &[u8]) -> Result<serde_json::Value> {
        self.open_column(CITIZEN_DATA, cipher_id, sealed)
    }

    pub(crate) fn cipher_id(&self) -> String {
        self.cipher.id().to_owned()
    }

    pub(crate) fn seal_column(&self, column: &str, v: &serde_json::Value) -> Result<Vec<u8>> {
        let plain = serde_json::to_vec(v)?;
        self.cipher.seal(column, &plain).map_err(StoreError::Cipher)
    }

    pub(crate) fn open_column(
        &self,
        column: &str,
        cipher_id: &str,
        sealed: &[u8],
    ) -> Result<serde_json::Value> {
        if cipher_id != self.cipher.id() {
            return Err(StoreError::Cipher(format!(
                "row sealed with {cipher_id:?}, store uses {:?}",
                self.cipher.id()
            )));
        }
        let plain = self
            .cipher
            .open(column, sealed)
            .map_err(StoreError::Cipher)?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

pub(crate) fn insert_audit(tx: &Transaction<'_>, a: &NewAudit) -> Result<AuditRow> {
    let row = AuditRow {
        id: new_id(),
        at: a.at,
        clerk_id: a.clerk_id.clone(),
        action: a.action.clone(),
        subject: a.subject.clone(),
        purpose: a.purpose.clone(),
        result: a.result.clone(),
        detail: a.detail.clone(),
    };
    tx.execute(
        "INSERT INTO audit_log (id, at, clerk_id, action, subject, purpose, result, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.id,
            rfc3339(row.at),
            row.clerk_id,
            row.action,
            row.subject,
            row.purpose,
            row.result,
            serde_json::to_string(&row.detail)?
        ],
    )?;
    Ok(row)
}

const CLERK_COLS: &str = "id, username, display_name, role, password_hash, active, failed_logins, \
                          locked_until, created_at, updated_at";

struct RawClerk {
    id: String,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    active: bool,
    failed_logins: u32,
    locked_until: Option<String>,
    created_at: String,
    updated_at: String,
}

fn raw_clerk(r: &Row<'_>) -> rusqlite::Result<RawClerk> {
    Ok(RawClerk {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        password_hash: r.get(4)?,
        active: r.get(5)?,
        failed_logins: r.get(6)?,
        locked_until: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

impl RawClerk {
    fn into_clerk(self) -> Result<Clerk> {
        Ok(Clerk {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role: Role::parse(&self.role)?,
            password_hash: self.password_hash,
            active: self.active,
            failed_logins: self.failed_logins,
            locked_until: self.locked_until.as_deref().map(parse_time).transpose()?,
            created_at: parse_time(&self.created_at)?,
            updated_at: parse_time(&self.updated_at)?,
        })
    }
}

fn clerk_where(conn: &Connection, cond: &str, arg: &str) -> Result<Option<Clerk>> {
    conn.query_row(
        &format!("SELECT {CLERK_COLS} FROM clerks WHERE {cond}"),
        [arg],
        raw_clerk,
    )
    .optional()?
    .map(RawClerk::into_clerk)
    .transpose()
}

impl ClerkRepository for SqliteStore {
    fn count_clerks(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM clerks", [], |r| r.get(0))?)
    }

    fn create_clerk(&self, new: NewClerk, audit: NewAudit) -> Result<Clerk> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = rfc3339(audit.at);
        let id = new_id();
        let res = tx.execute(
            "INSERT INTO clerks (id, username, display_name, role, password_hash, active,
                                 failed_logins, locked_until, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, 0, NULL, ?6, ?6)",
            params![
                id,
                new.username,
                new.display_name,
                new.role.as_str(),
                new.password_hash,
                now
            ],
        );
        match res {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::UsernameTaken)
            }
            other => {
                other?;
            }
        }
        let mut audit = audit;
        audit.subject = audit.subject.or(Some(new.username.clone()));
        insert_audit(&tx, &audit)?;
        let clerk = clerk_where(&tx, "id = ?1", &id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(clerk)
    }

    fn clerk_by_username(&self, username: &str) -> Result<Option<Clerk>> {
        clerk_where(&self.conn(), "username = ?1", username)
    }

    fn clerk_by_id(&self, id: &str) -> Result<Option<Clerk>> {
        clerk_where(&self.conn(), "id = ?1", id)
    }

    fn list_clerks(&self) -> Result<Vec<Clerk>> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {CLERK_COLS} FROM clerks ORDER BY username COLLATE NOCASE"
        ))?;
        let raws = st
            .query_map([], raw_clerk)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(RawClerk::into_clerk).collect()
    }

    fn set_clerk_active(&self, id: &str, active: bool, audit: NewAudit) -> Result<Clerk> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE clerks SET active = ?2, failed_logins = 0, locked_until = NULL, updated_at = ?3
             WHERE id = ?1",
            params![id, active, rfc3339(audit.at)],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&tx, &audit)?;
        let clerk = clerk_where(&tx, "id = ?1", id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(clerk)
    }

    fn record_login_failure(
        &self,
        id: &str,
        policy: LockoutPolicy,
        audit: NewAudit,
    ) -> Result<Clerk> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let failures: u32 = tx
            .query_row(
                "SELECT failed_logins FROM clerks WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound)?;
        let failures = failures.saturating_add(1);
        let (failures, locked_until) = if failures >= policy.max_failures.max(1) {
            (0, Some(rfc3339(audit.at + policy.lock_for)))
        } else {
            (failures, None)
        };
        tx.execute(
            "UPDATE clerks SET failed_logins = ?2,
                               locked_until = COALESCE(?3, locked_until),
                               updated_at = ?4
             WHERE id = ?1",
            params![id, failures, locked_until, rfc3339(audit.at)],
        )?;
        let mut audit = audit;
        if let Some(until) = &locked_until {
            if let serde_json::Value::Object(m) = &mut audit.detail {
                m.insert("locked_until".into(), until.clone().into());
            }
        }
        insert_audit(&tx, &audit)?;
        let clerk = clerk_where(&tx, "id = ?1", id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(clerk)
    }

    fn record_login_success(&self, id: &str, audit: NewAudit) -> Result<Clerk> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE clerks SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
            [id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&tx, &audit)?;
        let clerk = clerk_where(&tx, "id = ?1", id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(clerk)
    }
}

pub(crate) fn parse_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
    })
    .transpose()
}

impl CitizenRepository for SqliteStore {
    fn citizen_by_id_number(&self, id_number: &str) -> Result<Option<CitizenRow>> {
        type Raw = (
            String,
            String,
            String,
            Option<String>,
            Vec<u8>,
            String,
            String,
            String,
            String,
        );
        let raw: Option<Raw> = self
            .conn()
            .query_row(
                "SELECT id, id_number, full_name, dob, citizen_data, cipher, first_seen_at,
                        last_seen_at, retain_until
                 FROM citizens WHERE id_number = ?1",
                [id_number],
                |r| TryFrom::try_from(r),
            )
            .optional()?;
        let Some((id, id_number, full_name, dob, data, cipher, first, last, retain)) = raw else {
            return Ok(None);
        };
        Ok(Some(CitizenRow {
            id,
            id_number,
            full_name,
            date_of_birth: parse_date(dob)?,
            data: self.open_data(&cipher, &data)?,
            first_seen_at: parse_time(&first)?,
            last_seen_at: parse_time(&last)?,
            retain_until: parse_time(&retain)?,
        }))
    }

    fn purge_expired(&self, now: DateTime<Utc>, audit: NewAudit) -> Result<u64> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM citizens WHERE retain_until < ?1",
            [rfc3339(now)],
        )?;
        let mut audit = audit;
        audit.detail = serde_json::json!({ "deleted": n });
        insert_audit(&tx, &audit)?;
        tx.commit()?;
        Ok(n as u64)
    }
}

const HISTORY_SELECT: &str = "SELECT i.id, i.at, i.clerk_id, k.display_name, c.id, c.id_number,
        c.full_name, c.dob, i.method, i.access, i.verified, i.verification, i.purpose
    FROM identifications i
    JOIN citizens c ON c.id = i.citizen_id
    JOIN clerks k ON k.id = i.clerk_id";

type RawHistory = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    bool,
    String,
    String,
);

fn raw_history(r: &Row<'_>) -> rusqlite::Result<RawHistory> {
    TryFrom::try_from(r)
}

fn history_record(raw: RawHistory) -> Result<IdentificationRecord> {
    let (
        id,
        at,
        clerk_id,
        clerk_name,
        citizen_id,
        id_number,
        full_name,
        dob,
        method,
        access,
        verified,
        verification,
        purpose,
    ) = raw;
    Ok(IdentificationRecord {
        id,
        at: parse_time(&at)?,
        clerk_id,
        clerk_name,
        citizen_id,
        id_number,
        full_name,
        date_of_birth: parse_date(dob)?,
        method: Method::parse(&method)?,
        access,
        verified,
        verification: serde_json::from_str(&verification)?,
        purpose,
    })
}

/// Escapes `%`, `_` and the escape character itself for `LIKE ... ESCAPE '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl IdentificationRepository for SqliteStore {
    fn record_identification(
        &self,
        new: NewIdentification,
        audit: NewAudit,
    ) -> Result<IdentificationRecord> {
        let sealed = self.seal(&new.citizen.data)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = rfc3339(new.at);
        let retain_until = rfc3339(new.at + new.retain_for);
        let dob = new
            .citizen
            .date_of_birth
            .map(|d| d.format("%Y-%m-%d").to_string());
        let citizen_id: String = tx.query_row(
            "INSERT INTO citizens (id, id_number, full_name, search_name, dob, citizen_data, cipher,
                                   first_seen_at, last_seen_at, retain_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
             ON CONFLICT (id_number) DO UPDATE SET
                 full_name = excluded.full_name, search_name = excluded.search_name,
                 dob = excluded.dob, citizen_data = excluded.citizen_data, cipher = excluded.cipher,
                 last_seen_at = excluded.last_seen_at,
                 retain_until = MAX(citizens.retain_until, excluded.retain_until)
             RETURNING id",
            params![
                new_id(),
                new.citizen.id_number,
                new.citizen.full_name,
                text::fold(&new.citizen.full_name),
                dob,
                sealed,
                self.cipher.id(),
                at,
                retain_until
            ],
            |r| r.get(0),
        )?;
        let id = new_id();
        tx.execute(
            "INSERT INTO identifications (id, citizen_id, clerk_id, method, access, verified,
                                          verification, purpose, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                citizen_id,
                new.clerk_id,
                new.method.as_str(),
                new.access,
                new.verified,
                serde_json::to_string(&new.verification)?,
                new.purpose,
                at
            ],
        )?;
        let mut audit = audit;
        if let serde_json::Value::Object(m) = &mut audit.detail {
            m.insert("identification_id".into(), id.clone().into());
        }
        insert_audit(&tx, &audit)?;
        let payload = serde_json::json!({
            "identification_id": id,
            "id_number": new.citizen.id_number,
            "method": new.method.as_str(),
            "verified": new.verified,
            "clerk_id": new.clerk_id,
            "at": at,
        });
        tx.execute(
            "INSERT INTO outbox (id, topic, payload, created_at, delivered_at, attempts)
             VALUES (?1, 'identification.recorded', ?2, ?3, NULL, 0)",
            params![new_id(), serde_json::to_string(&payload)?, at],
        )?;
        let rec = tx.query_row(
            &format!("{HISTORY_SELECT} WHERE i.id = ?1"),
            [&id],
            raw_history,
        )?;
        tx.commit()?;
        history_record(rec)
    }

    fn history(&self, q: &HistoryQuery) -> Result<Vec<IdentificationRecord>> {
        let mut sql = format!("{HISTORY_SELECT} WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(from) = q.from {
            args.push(rfc3339(from));
            sql.push_str(&format!(" AND i.at >= ?{}", args.len()));
        }
        if let Some(to) = q.to {
            args.push(rfc3339(to));
            sql.push_str(&format!(" AND i.at < ?{}", args.len()));
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if t.chars().all(|c| c.is_ascii_digit()) {
                args.push(format!("{}%", like_escape(t)));
                sql.push_str(&format!(
                    " AND c.id_number LIKE ?{} ESCAPE '\\'",
                    args.len()
                ));
            } else {
                // Every typed word must start a word of the name: "van an" finds
                // "Nguyễn Văn An", "an" does not find "Trần".
                for word in text::fold(t).split(' ').filter(|w| !w.is_empty()) {
                    args.push(format!("% {}%", like_escape(word)));
                    sql.push_str(&format!(
                        " AND (' ' || c.search_name) LIKE ?{} ESCAPE '\\'",
                        args.len()
                    ));
                }
            }
        }
        let limit = if q.limit == 0 { 200 } else { q.limit.min(5000) };
        sql.push_str(&format!(" ORDER BY i.at DESC, i.id DESC LIMIT {limit}"));
        let conn = self.conn();
        let mut st = conn.prepare(&sql)?;
        let raws = st
            .query_map(rusqlite::params_from_iter(args.iter()), raw_history)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(history_record).collect()
    }
}

impl AuditRepository for SqliteStore {
    fn append_audit(&self, audit: NewAudit) -> Result<AuditRow> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row = insert_audit(&tx, &audit)?;
        tx.commit()?;
        Ok(row)
    }

    fn recent_audit(&self, limit: u32) -> Result<Vec<AuditRow>> {
        type Raw = (
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
        );
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, at, clerk_id, action, subject, purpose, result, detail FROM audit_log
             ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let raws = st
            .query_map([limit], |r| TryFrom::try_from(r))?
            .collect::<rusqlite::Result<Vec<Raw>>>()?;
        raws.into_iter()
            .map(
                |(id, at, clerk_id, action, subject, purpose, result, detail)| {
                    Ok(AuditRow {
                        id,
                        at: parse_time(&at)?,
                        clerk_id,
                        action,
                        subject,
                        purpose,
                        result,
                        detail: serde_json::from_str(&detail)?,
                    })
                },
            )
            .collect()
    }
}

impl OutboxRepository for SqliteStore {
    fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, topic, payload, created_at, delivered_at, attempts FROM outbox
             WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT ?1",
        )?;
        let raws = st
            .query_map([limit], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, u32>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter()
            .map(|(id, topic, payload, created, delivered, attempts)| {
                Ok(OutboxMessage {
                    id,
                    topic,
                    payload: serde_json::from_str(&payload)?,
                    created_at: parse_time(&created)?,
                    delivered_at: delivered.as_deref().map(parse_time).transpose()?,
                    attempts,
                })
            })
            .collect()
    }

    fn mark_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1 WHERE id = ?1",
            params![id, rfc3339(at)],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn mark_attempt_failed(&self, id: &str) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?1",
            [id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
