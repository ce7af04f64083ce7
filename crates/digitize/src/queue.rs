//! The durable queue: one SQLite file (`DATA/digitize/queue.sqlite3`, WAL, `synchronous =
//! FULL`) plus one directory per item (`DATA/digitize/items/<id>/`: `src/` for the captured
//! source files, `copy.pdf` for the digitized copy, `copy.signed.pdf` for the agency-signed
//! copy) plus `queue.lock`, held by the one process working on the queue.
//!
//! The schema is shaped so it can later move into the main store: UUIDv7 text ids, RFC 3339
//! UTC timestamps with milliseconds (they sort as text), states as checked text.

use crate::fsio;
use crate::DigitizeError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, DigitizeError>;

const SCHEMA_VERSION: i64 = 2;
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS digitize_items (
    id              TEXT PRIMARY KEY,             -- UUIDv7
    ma_ho_so        TEXT NOT NULL,
    component_id    TEXT NOT NULL,
    procedure       TEXT NOT NULL,
    clerk           TEXT NOT NULL,
    citizen_id      TEXT,                         -- số định danh of the submitter, for reuse
    received_at     TEXT NOT NULL,
    target_dpi      INTEGER NOT NULL CHECK (target_dpi >= 200),
    state           TEXT NOT NULL CHECK (state IN
                      ('capturing','captured','processed','signed','delivered','failed')),
    page_count      INTEGER,
    pdf_file        TEXT,                         -- relative to the item directory
    pdf_sha256      TEXT,
    pdf_bytes       INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    error_code      TEXT,
    error_message   TEXT,
    remote_receipt  TEXT,
    reused_from     TEXT REFERENCES digitize_items(id),
    valid_until     TEXT,                         -- validity of the paper, when known
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (ma_ho_so, component_id)
);
CREATE INDEX IF NOT EXISTS digitize_items_state ON digitize_items(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS digitize_items_citizen ON digitize_items(citizen_id);
CREATE TABLE IF NOT EXISTS digitize_pages (
    id          TEXT PRIMARY KEY,                 -- UUIDv7
    item_id     TEXT NOT NULL REFERENCES digitize_items(id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),-- page number in the component
    source_key  TEXT NOT NULL,                    -- sha256 of the source file ':' page index
    file        TEXT NOT NULL,                    -- relative to the item directory
    page_index  INTEGER NOT NULL,                 -- page inside that file
    file_sha256 TEXT NOT NULL,
    file_bytes  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (item_id, seq)
);
CREATE TABLE IF NOT EXISTS digitize_events (
    id         INTEGER PRIMARY KEY,
    item_id    TEXT NOT NULL REFERENCES digitize_items(id),
    at         TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    detail     TEXT
);
"#;

/// Version 2: the agency's signed copy (`copy.signed.pdf`), committed with the `signed` state.
const MIGRATE_2: &str = r#"
ALTER TABLE digitize_items ADD COLUMN signed_file TEXT;      -- relative to the item directory
ALTER TABLE digitize_items ADD COLUMN signed_sha256 TEXT;
ALTER TABLE digitize_items ADD COLUMN signed_bytes INTEGER;
ALTER TABLE digitize_items ADD COLUMN signed_at TEXT;
"#;

/// Name of the digitized copy inside an item directory.
pub const PDF_NAME: &str = "copy.pdf";

/// Name of the agency-signed copy (PAdES incremental update of [`PDF_NAME`]).
pub const SIGNED_NAME: &str = "copy.signed.pdf";

/// State of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Pages are being stored.
    Capturing,
    /// All pages stored; PDF not yet made.
    Captured,
    /// PDF made; waiting for signature or delivery.
    Processed,
    /// Signed by the agency; waiting for delivery.
    Signed,
    /// The provincial system has it.
    Delivered,
    /// Given up (permanent refusal or too many attempts); see the error.
    Failed,
}

impl State {
    /// All states, in order.
    pub const ALL: [State; 6] = [
        Self::Capturing,
        Self::Captured,
        Self::Processed,
        Self::Signed,
        Self::Delivered,
        Self::Failed,
    ];
    /// Database text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capturing => "capturing",
            Self::Captured => "captured",
            Self::Processed => "processed",
            Self::Signed => "signed",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DigitizeError::Db(format!("unknown state {s}")))
    }
}

/// Timestamp text: RFC 3339 UTC with milliseconds (sorts as text).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| DigitizeError::Db(format!("bad timestamp {s}: {e}")))
}

/// UUIDv7 text id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What the counter knows about a component when it starts digitizing it.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Mã hồ sơ.
    pub ma_ho_so: String,
    /// Component id (thành phần hồ sơ).
    pub component_id: String,
    /// Procedure (code or name).
    pub procedure: String,
    /// Receiving clerk.
    pub clerk: String,
    /// Số định danh cá nhân of the submitter, when identified.
    pub citizen_id: Option<String>,
    /// Received time.
    pub received_at: DateTime<Utc>,
    /// Output resolution (≥ 200).
    pub target_dpi: u32,
}

/// One queue item (one component's digitized copy).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// UUIDv7.
    pub id: String,
    /// Mã hồ sơ.
    pub ma_ho_so: String,
    /// Component id.
    pub component_id: String,
    /// Procedure.
    pub procedure: String,
    /// Clerk.
    pub clerk: String,
    /// Citizen id number.
    pub citizen_id: Option<String>,
    /// Received time.
    pub received_at: DateTime<Utc>,
    /// Output resolution.
    pub target_dpi: u32,
    /// State.
    pub state: State,
    /// Pages in the copy (set once captured).
    pub page_count: Option<u32>,
    /// Absolute path of the PDF, once processed.
    pub pdf: Option<PathBuf>,
    /// SHA-256 of the PDF as delivered.
    pub sha256: Option<String>,
    /// Size of the PDF.
    pub bytes: Option<u64>,
    /// Delivery attempts that counted against the maximum.
    pub attempts: u32,
    /// Earliest next delivery attempt.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Last error code.
    pub error_code: Option<String>,
    /// Last error text.
    pub error_message: Option<String>,
    /// Receipt of the provincial system.
    pub remote_receipt: Option<String>,
    /// Item whose copy was reused for this component.
    pub reused_from: Option<String>,
    /// Validity of the paper, when known (RFC 3339 date).
    pub valid_until: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The agency-signed copy, once signed.
    pub signed: Option<SignedCopy>,
}

/// The agency-signed copy of an item.
#[derive(Debug, Clone, Serialize)]
pub struct SignedCopy {
    /// Absolute path.
    pub file: PathBuf,
    /// SHA-256.
    pub sha256: String,
    /// Size.
    pub bytes: u64,
    /// Signing time.
    pub signed_at: DateTime<Utc>,
}

impl Item {
    /// The file to deliver and its recorded hash: the signed copy when there is one, else the
    /// digitized copy.
    pub fn delivery_copy(&self) -> Option<(&Path, Option<&str>, Option<u64>)> {
        match &self.signed {
            Some(s) => Some((s.file.as_path(), Some(s.sha256.as_str()), Some(s.bytes))),
            None => self
                .pdf
                .as_deref()
                .map(|p| (p, self.sha256.as_deref(), self.bytes)),
        }
    }
}

/// One committed page.
#[derive(Debug, Clone, Serialize)]
pub struct PageRow {
    /// Page number (1-based).
    pub seq: u32,
    /// `sha256:index` of the source.
    pub source_key: String,
    /// File relative to the item directory.
    pub file: String,
    /// Page inside that file.
    pub page_index: u32,
    /// SHA-256 of the file.
    pub file_sha256: String,
}

/// What [`Queue::recover`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recovery {
    /// Temporary files removed.
    pub temp_files_removed: usize,
    /// Files no committed row refers to, removed.
    pub uncommitted_files_removed: usize,
    /// Item directories without a row, moved to `orphans/`.
    pub orphan_dirs_moved: usize,
    /// Items moved back a step because their committed PDF is missing.
    pub items_rewound: Vec<String>,
    /// Items left in `capturing` (resume by ingesting the same files again).
    pub capturing: Vec<String>,
}

/// Counts per state and the items.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Count per state (every state present).
    pub counts: BTreeMap<&'static str, u64>,
    /// Items, newest first.
    pub items: Vec<Item>,
}

/// Result of [`Queue::verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verify {
    /// `PRAGMA integrity_check` answer.
    pub integrity: String,
    /// Problems found (empty = consistent).
    pub problems: Vec<String>,
    /// Pages checked.
    pub pages: u64,
}

/// The queue.
pub struct Queue {
    conn: Connection,
    root: PathBuf,
    /// Exclusive advisory lock on `root/queue.lock` (None: opened read-only).
    _lock: Option<std::fs::File>,
}

/// Lock file of a queue (held by the one process working on it).
pub const LOCK_NAME: &str = "queue.lock";

/// How long [`Queue::open`] waits for another process to release the queue.
pub const OPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the exclusive lock of a queue, waiting up to `wait`.
fn lock_queue(root: &Path, wait: std::time::Duration) -> Result<std::fs::File> {
    use fs4::fs_std::FileExt as _;
    let path = root.join(LOCK_NAME);
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| DigitizeError::io(&path, e))?;
    let t0 = std::time::Instant::now();
    loop {
        match f.try_lock_exclusive() {
            Ok(true) => return Ok(f),
            Ok(false) => {}
            Err(e) => return Err(DigitizeError::io(&path, e)),
        }
        if t0.elapsed() >= wait {
            return Err(DigitizeError::QueueBusy { path });
        }
        std::thread::sleep(std::time::Duration::from_millis(50).min(wait));
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("root", &self.root).finish()
    }
}

const ITEM_COLS: &str = "id, ma_ho_so, component_id, procedure, clerk, citizen_id, received_at, \
    target_dpi, state, page_count, pdf_file, pdf_sha256, pdf_bytes, attempts, next_attempt_at, \
    error_code, error_message, remote_receipt, reused_from, valid_until, created_at, updated_at, \
    delivered_at, signed_file, signed_sha256, signed_bytes, signed_at";

impl Queue {
    /// Opens (creating) the queue in `root` (normally `DATA/digitize`), migrates it and runs
    /// [`Queue::recover`]. Only one process may work on a queue at a time: the handle holds an
    /// exclusive advisory lock on `root/queue.lock` (released when dropped, or by the OS when
    /// the process dies); another process waits up to [`OPEN_WAIT`], then gets
    /// [`DigitizeError::QueueBusy`]. Two handles in one process exclude each other too.
    pub fn open(root: &Path) -> Result<(Self, Recovery)> {
        Self::open_wait(root, OPEN_WAIT)
    }

    /// [`Queue::open`] waiting up to `wait` for the lock.
    pub fn open_wait(root: &Path, wait: std::time::Duration) -> Result<(Self, Recovery)> {
        fsio::create_dir_durable(&root.join("items"))?;
        let lock = lock_queue(root, wait)?;
        let conn = Connection::open(root.join("queue.sqlite3"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v > SCHEMA_VERSION {
            return Err(DigitizeError::Db(format!("schema version {v} is newer")));
        }
        if v < SCHEMA_VERSION {
            let v1 = if v < 1 { SCHEMA } else { "" };
            conn.execute_batch(&format!(
                "BEGIN; {v1} {MIGRATE_2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))?;
        }
        let q = Queue {
            conn,
            root: root.to_path_buf(),
            _lock: Some(lock),
        };
        let rec = q.recover()?;
        Ok((q, rec))
    }

    /// Opens an existing queue for reading only, without the lock (works while another
    /// process holds it: status, listing, checks). No migration, no recovery; writes fail.
    pub fn open_read_only(root: &Path) -> Result<Self> {
        use rusqlite::OpenFlags;
        let db = root.join("queue.sqlite3");
        if !db.is_file() {
            return Err(DigitizeError::io(
                &db,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let conn = Connection::open_with_flags(
            &db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v != SCHEMA_VERSION {
            return Err(DigitizeError::Db(format!(
                "schema version {v}, expected {SCHEMA_VERSION}: open the queue read-write once"
            )));
        }
        Ok(Queue {
            conn,
            root: root.to_path_buf(),
            _lock: None,
        })
    }

    /// The queue's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Directory of an item.
    pub fn item_dir(&self, id: &str) -> PathBuf {
        self.root.join("items").join(id)
    }

    /// `PRAGMA integrity_check`; `Ok("ok")` when sound.
    pub fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(rows.join("; "))
    }

    /// Brings files and rows back in agreement after a crash (see the crate docs).
    pub fn recover(&self) -> Result<Recovery> {
        let mut rec = Recovery::default();
        let items_dir = self.root.join("items");
        rec.temp_files_removed = fsio::remove_temp_files(&items_dir)?;
        // Scratch space of interrupted PDF rasterizations.
        let _ = std::fs::remove_dir_all(self.root.join("work"));
        let ids: HashSet<String> = self
            .conn
            .prepare("SELECT id FROM digitize_items")?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        if let Ok(rd) = std::fs::read_dir(&items_dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !ids.contains(&name) {
                    // Never delete what might be someone's scan: set it aside.
                    let dest = self.root.join("orphans");
                    fsio::create_dir_durable(&dest)?;
                    let to = dest.join(&name);
                    std::fs::rename(e.path(), &to).map_err(|er| DigitizeError::io(&to, er))?;
                    fsio::sync_dir(&items_dir)?;
                    rec.orphan_dirs_moved += 1;
                }
            }
        }
        for id in &ids {
            let item = self.item(id)?;
            let dir = self.item_dir(id);
            let src = dir.join("src");
            let committed: HashSet<String> = self
                .pages(id)?
                .into_iter()
                .map(|p| p.file)
                .collect();
            if let Ok(rd) = std::fs::read_dir(&src) {
                let mut removed = false;
                for e in rd.flatten() {
                    let rel = format!("src/{}", e.file_name().to_string_lossy());
                    if !committed.contains(&rel) {
                        std::fs::remove_file(e.path())
                            .map_err(|er| DigitizeError::io(e.path(), er))?;
                        rec.uncommitted_files_removed += 1;
                        removed = true;
                    }
                }
                if removed {
                    fsio::sync_dir(&src)?;
                }
            }
            match item.state {
                State::Capturing => rec.capturing.push(id.clone()),
                State::Captured => {
                    let pdf = dir.join(PDF_NAME);
                    if pdf.exists() && item.reused_from.is_none() {
                        std::fs::remove_file(&pdf).map_err(|e| DigitizeError::io(&pdf, e))?;
                        fsio::sync_dir(&dir)?;
                        rec.uncommitted_files_removed += 1;
                    }
                    rec.uncommitted_files_removed += self.remove_signed_file(id)?;
                }
                State::Processed | State::Signed => {
                    let size_ok = |p: Option<&Path>, len: Option<u64>| {
                        p.and_then(|p| std::fs::metadata(p).ok())
                            .is_some_and(|m| Some(m.len()) == len)
                    };
                    let mut state = item.state;
                    if let Some(s) = item.signed.as_ref().filter(|_| state == State::Signed) {
                        if !size_ok(Some(&s.file), Some(s.bytes)) {
                            // Signed copy lost: sign again from the digitized copy.
                            self.unsign(id, "signed_pdf_missing")?;
                            rec.items_rewound.push(id.clone());
                            state = State::Processed;
                        }
                    }
                    // A `processed` item may have a `copy.signed.pdf` that was written but not
                    // committed (crash while signing): it is kept; signing adopts or replaces it.
                    let ok = size_ok(item.pdf.as_deref(), item.bytes);
                    if !ok && item.reused_from.is_none() && item.page_count.is_some() {
                        if state == State::Signed {
                            self.unsign(id, "pdf_missing")?;
                        }
                        self.transition(id, State::Processed, State::Captured, "pdf_missing")?;
                        self.remove_signed_file(id)?;
                        if !rec.items_rewound.contains(id) {
                            rec.items_rewound.push(id.clone());
                        }
                    }
                }
                State::Delivered | State::Failed => {}
            }
        }
        Ok(rec)
    }

    /// Removes an item's signed copy if present (not referenced by its row); returns 0 or 1.
    fn remove_signed_file(&self, id: &str) -> Result<usize> {
        let dir = self.item_dir(id);
        let f = dir.join(SIGNED_NAME);
        if !f.exists() {
            return Ok(0);
        }
        std::fs::remove_file(&f).map_err(|e| DigitizeError::io(&f, e))?;
        fsio::sync_dir(&dir)?;
        Ok(1)
    }

    /// `signed` → `processed`, forgetting the signed copy (its file is missing or stale).
    fn unsign(&self, id: &str, detail: &str) -> Result<bool> {
        self.transition_with(
            id,
            State::Signed,
            State::Processed,
            Some(detail),
            ", signed_file = NULL, signed_sha256 = NULL, signed_bytes = NULL, signed_at = NULL",
            &[],
        )
    }

    /// Commits an agency-signed copy already written atomically as [`SIGNED_NAME`] in the item
    /// directory: `processed` → `signed` with its hash, size and time, in one transaction.
    /// Returns false (nothing changed) when the item is not `processed`.
    pub fn commit_signed(
        &self,
        id: &str,
        sha256_hex: &str,
        bytes: u64,
        signed_at: DateTime<Utc>,
        detail: &str,
    ) -> Result<bool> {
        self.transition_with(
            id,
            State::Processed,
            State::Signed,
            Some(detail),
            ", signed_file = ?5, signed_sha256 = ?6, signed_bytes = ?7, signed_at = ?8",
            &[&SIGNED_NAME, &sha256_hex, &(bytes as i64), &ts(signed_at)],
        )
    }

    fn row_item(&self, r: &Row<'_>) -> rusqlite::Result<Item> {
        let id: String = r.get(0)?;
        let conv = |e: DigitizeError| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        };
        let t = |s: String| parse_ts(&s).map_err(conv);
        let ot = |s: Option<String>| s.map(|s| parse_ts(&s)).transpose().map_err(conv);
        let pdf_file: Option<String> = r.get(10)?;
        let signed_file: Option<String> = r.get(23)?;
        let signed = match (signed_file, r.get::<_, Option<String>>(24)?) {
            (Some(f), Some(sha256)) => Some(SignedCopy {
                file: self.item_dir(&id).join(f),
                sha256,
                bytes: r.get::<_, Option<u64>>(25)?.unwrap_or_default(),
                signed_at: ot(r.get(26)?)?.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Item {
            ma_ho_so: r.get(1)?,
            component_id: r.get(2)?,
            procedure: r.get(3)?,
            clerk: r.get(4)?,
            citizen_id: r.get(5)?,
            received_at: t(r.get(6)?)?,
            target_dpi: r.get(7)?,
            state: State::parse(&r.get::<_, String>(8)?).map_err(conv)?,
            page_count: r.get(9)?,
            pdf: pdf_file.map(|f| self.item_dir(&id).join(f)),
            sha256: r.get(11)?,
            bytes: r.get(12)?,
            attempts: r.get(13)?,
            next_attempt_at: ot(r.get(14)?)?,
            error_code: r.get(15)?,
            error_message: r.get(16)?,
            remote_receipt: r.get(17)?,
            reused_from: r.get(18)?,
            valid_until: r.get(19)?,
            created_at: t(r.get(20)?)?,
            updated_at: t(r.get(21)?)?,
            delivered_at: ot(r.get(22)?)?,
            signed,
            id,
        })
    }

    /// One item.
    pub fn item(&self, id: &str) -> Result<Item> {
        self.conn
            .query_row(
                &format!("SELECT {ITEM_COLS} FROM digitize_items WHERE id = ?1"),
                [id],
                |r| self.row_item(r),
            )
            .optional()?
            .ok_or_else(|| DigitizeError::NotFound(id.into()))
    }

    /// The item of a component, if any.
    pub fn find(&self, ma_ho_so: &str, component_id: &str) -> Result<Option<Item>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {ITEM_COLS} FROM digitize_items WHERE ma_ho_so = ?1 AND component_id = ?2"
                ),
                [ma_ho_so, component_id],
                |r| self.row_item(r),
            )
            .optional()?)
    }

    fn items_where(&self, cond: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<Item>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {ITEM_COLS} FROM digitize_items {cond}"
        ))?;
        let v = st
            .query_map(p, |r| self.row_item(r))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(v)
    }

    /// Committed pages of an item, in order.
    pub fn pages(&self, id: &str) -> Result<Vec<PageRow>> {
        let mut st = self.conn.prepare(
            "SELECT seq, source_key, file, page_index, file_sha256 FROM digitize_pages \
             WHERE item_id = ?1 ORDER BY seq",
        )?;
        let v = st
            .query_map([id], |r| {
                Ok(PageRow {
                    seq: r.get(0)?,
                    source_key: r.get(1)?,
                    file: r.get(2)?,
                    page_index: r.get(3)?,
                    file_sha256: r.get(4)?,
                })
            })?
            .collect::<std::result::Result<_, _>>()?;
        Ok(v)
    }

    /// The component's item, created in `capturing` state when new.
    pub fn get_or_create(&self, n: &NewItem) -> Result<Item> {
        for (v, name) in [
            (&n.ma_ho_so, "mã hồ sơ"),
            (&n.component_id, "thành phần"),
            (&n.procedure, "thủ tục"),
            (&n.clerk, "cán bộ"),
        ] {
            if v.trim().is_empty() || v.chars().any(char::is_control) {
                return Err(DigitizeError::Invalid(name.into()));
            }
        }
        if n.target_dpi < 200 {
            return Err(DigitizeError::Invalid(format!("dpi {} < 200", n.target_dpi)));
        }
        if let Some(it) = self.find(&n.ma_ho_so, &n.component_id)? {
            return Ok(it);
        }
        let id = new_id();
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO digitize_items (id, ma_ho_so, component_id, procedure, clerk, citizen_id, \
             received_at, target_dpi, state, created_at, updated_at) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'capturing',?9,?9)",
            params![
                id,
                n.ma_ho_so,
                n.component_id,
                n.procedure,
                n.clerk,
                n.citizen_id,
                ts(n.received_at),
                n.target_dpi,
                now
            ],
        )?;
        tx.execute(
            "INSERT INTO digitize_events (item_id, at, to_state) VALUES (?1, ?2, 'capturing')",
            params![id, now],
        )?;
        tx.commit()?;
        fsio::create_dir_durable(&self.item_dir(&id).join("src"))?;
        self.item(&id)
    }

    /// Stores one source file holding `page_count` pages as pages `first_seq..`: the file
    /// is written atomically first, then the rows are committed in one transaction.
    pub fn add_source(
        &self,
        item_id: &str,
        first_seq: u32,
        bytes: &[u8],
        ext: &str,
        page_count: u32,
    ) -> Result<()> {
        let sha = crate::sha256_hex(bytes);
        let rel = format!("src/{first_seq:04}-{}.{ext}", &sha[..16]);
        let dir = self.item_dir(item_id);
        fsio::create_dir_durable(&dir.join("src"))?;
        fsio::write_atomic(&dir.join(&rel), bytes)?;
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        for i in 0..page_count {
            tx.execute(
                "INSERT INTO digitize_pages (id, item_id, seq, source_key, file, page_index, \
                 file_sha256, file_bytes, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                params![
                    new_id(),
                    item_id,
                    first_seq + i,
                    format!("{sha}:{i}"),
                    rel,
                    i,
                    sha,
                    bytes.len() as i64,
                    now
                ],
            )?;
        }
        tx.execute(
            "UPDATE digitize_items SET updated_at = ?2 WHERE id = ?1",
            params![item_id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves an item from `from` to `to` (no-op when it is not in `from`); returns whether it moved.
    pub fn transition(&self, id: &str, from: State, to: State, detail: &str) -> Result<bool> {
        self.transition_with(id, from, to, Some(detail), "", &[])
    }

    /// The one guarded state change of the queue: `from` → `to` and the columns of `set`
    /// (`", col = ?5, …"`, its parameters `extra` numbered from ?5) in one transaction, with
    /// its event row. Returns false (nothing changed) when the item is not in `from`.
    fn transition_with(
        &self,
        id: &str,
        from: State,
        to: State,
        detail: Option<&str>,
        set: &str,
        extra: &[&dyn rusqlite::ToSql],
    ) -> Result<bool> {
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        let (from_s, to_s) = (from.as_str(), to.as_str());
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&id, &from_s, &to_s, &now];
        args.extend_from_slice(extra);
        let n = tx.execute(
            &format!(
                "UPDATE digitize_items SET state = ?3, updated_at = ?4{set} WHERE id = ?1 AND state = ?2"
            ),
            args.as_slice(),
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO digitize_events (item_id, at, from_state, to_state, detail) \
                 VALUES (?1,?2,?3,?4,?5)",
                params![id, now, from_s, to_s, detail],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// `capturing` → `captured` with the page count (checks pages are 1..=n without gaps).
    pub fn mark_captured(&self, id: &str) -> Result<u32> {
        let pages = self.pages(id)?;
        for (i, p) in pages.iter().enumerate() {
            if p.seq as usize != i + 1 {
                return Err(DigitizeError::Db(format!("page gap at {}", i + 1)));
            }
        }
        if pages.is_empty() {
            return Err(DigitizeError::NoInput);
        }
        let n = pages.len() as u32;
        self.conn.execute(
            "UPDATE digitize_items SET page_count = ?2 WHERE id = ?1 AND state = 'capturing'",
            params![id, n],
        )?;
        self.transition(id, State::Capturing, State::Captured, "")?;
        Ok(n)
    }

    /// Writes the PDF atomically, then `captured` → `processed` with its hash and size.
    pub fn commit_pdf(&self, id: &str, pdf: &[u8], sha256_hex: &str) -> Result<()> {
        let path = self.item_dir(id).join(PDF_NAME);
        fsio::write_atomic(&path, pdf)?;
        self.transition_with(
            id,
            State::Captured,
            State::Processed,
            None,
            ", pdf_file = ?5, pdf_sha256 = ?6, pdf_bytes = ?7",
            &[&PDF_NAME, &sha256_hex, &(pdf.len() as i64)],
        )?;
        Ok(())
    }

    /// Items ready for delivery at `now` (processed or signed, due).
    pub fn due(&self, now: DateTime<Utc>) -> Result<Vec<Item>> {
        self.due_filtered(now, false)
    }

    /// Items ready for delivery at `now`; only `signed` ones when `signed_only`.
    pub fn due_filtered(&self, now: DateTime<Utc>, signed_only: bool) -> Result<Vec<Item>> {
        let states = if signed_only {
            "('signed')"
        } else {
            "('processed','signed')"
        };
        self.items_where(
            &format!("WHERE state IN {states} AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) ORDER BY id"),
            &[&ts(now)],
        )
    }

    /// Items in a state.
    pub fn in_state(&self, s: State) -> Result<Vec<Item>> {
        self.items_where("WHERE state = ?1 ORDER BY id", &[&s.as_str()])
    }

    /// Records a successful delivery.
    pub fn mark_delivered(&self, id: &str, receipt: &str) -> Result<()> {
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        let from: Option<String> = tx
            .query_row("SELECT state FROM digitize_items WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        let n = tx.execute(
            "UPDATE digitize_items SET state = 'delivered', remote_receipt = ?2, delivered_at = ?3, \
             updated_at = ?3, error_code = NULL, error_message = NULL, next_attempt_at = NULL \
             WHERE id = ?1 AND state IN ('processed','signed')",
            params![id, receipt, now],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO digitize_events (item_id, at, from_state, to_state, detail) \
                 VALUES (?1,?2,?3,'delivered',?4)",
                params![id, now, from, receipt],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt: `counted` attempts add to the total; the item stays queued
    /// until `next`, or becomes `failed` when `permanent`.
    pub fn mark_attempt_failed(
        &self,
        id: &str,
        code: &str,
        message: &str,
        counted: bool,
        next: Option<DateTime<Utc>>,
        permanent: bool,
    ) -> Result<()> {
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        let from: Option<String> = tx
            .query_row("SELECT state FROM digitize_items WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        tx.execute(
            "UPDATE digitize_items SET attempts = attempts + ?2, error_code = ?3, error_message = ?4, \
             next_attempt_at = ?5, updated_at = ?6 WHERE id = ?1 AND state IN ('processed','signed')",
            params![id, counted as i64, code, message, next.map(ts), now],
        )?;
        if permanent {
            let n = tx.execute(
                "UPDATE digitize_items SET state = 'failed', next_attempt_at = NULL \
                 WHERE id = ?1 AND state IN ('processed','signed')",
                [id],
            )?;
            if n == 1 {
                tx.execute(
                    "INSERT INTO digitize_events (item_id, at, from_state, to_state, detail) \
                     VALUES (?1,?2,?3,'failed',?4)",
                    params![id, now, from, format!("{code}: {message}")],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the pages of an item that has no PDF yet (`capturing` or `captured`, not a
    /// reuse), so that the component can be captured again: the clerk rescanned pages after
    /// processing failed (dpi too low, a damaged file). One transaction; the source files are
    /// removed afterwards (a crash in between leaves orphans that [`Queue::recover`] removes).
    /// Returns false when the item is past capture and nothing was changed.
    pub fn reset_capture(&self, id: &str) -> Result<bool> {
        let it = self.item(id)?;
        if !matches!(it.state, State::Capturing | State::Captured) || it.reused_from.is_some() {
            return Ok(false);
        }
        let files: Vec<String> = self.pages(id)?.into_iter().map(|p| p.file).collect();
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM digitize_pages WHERE item_id = ?1", [id])?;
        tx.execute(
            "UPDATE digitize_items SET state = 'capturing', page_count = NULL, updated_at = ?2 \
             WHERE id = ?1",
            params![id, now],
        )?;
        tx.execute(
            "INSERT INTO digitize_events (item_id, at, from_state, to_state, detail) \
             VALUES (?1, ?2, ?3, 'capturing', 'recapture')",
            params![id, now, it.state.as_str()],
        )?;
        tx.commit()?;
        let dir = self.item_dir(id);
        for f in files {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let _ = std::fs::remove_file(dir.join("page-options.json"));
        Ok(true)
    }

    /// Puts a failed item back in the queue (clerk's "gửi lại").
    pub fn retry_failed(&self, id: &str) -> Result<bool> {
        let item = self.item(id)?;
        if item.state != State::Failed || item.pdf.is_none() {
            return Ok(false);
        }
        self.conn.execute(
            "UPDATE digitize_items SET attempts = 0, next_attempt_at = NULL WHERE id = ?1",
            [id],
        )?;
        let to = if item.signed.is_some() {
            State::Signed
        } else {
            State::Processed
        };
        self.transition(id, State::Failed, to, "retry")
    }

    /// Counts per state and all items, newest first.
    pub fn status(&self) -> Result<Status> {
        let mut counts: BTreeMap<&'static str, u64> =
            State::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let items = self.items_where("ORDER BY id DESC", &[])?;
        for it in &items {
            *counts.entry(it.state.as_str()).or_default() += 1;
        }
        Ok(Status { counts, items })
    }

    /// Checks every committed file against its recorded hash and the page numbering, plus
    /// `PRAGMA integrity_check`. Reads every file: for tests and the `queue check` command.
    pub fn verify(&self) -> Result<Verify> {
        let mut v = Verify {
            integrity: self.integrity_check()?,
            ..Default::default()
        };
        for it in self.items_where("", &[])? {
            let pages = self.pages(&it.id)?;
            for (i, p) in pages.iter().enumerate() {
                v.pages += 1;
                if p.seq as usize != i + 1 {
                    v.problems.push(format!("{}: page {} out of sequence", it.id, p.seq));
                }
                // Pages of one source file are consecutive, in file order.
                let prev = i.checked_sub(1).and_then(|j| pages.get(j));
                let expect = match prev {
                    Some(q) if q.file == p.file => q.page_index + 1,
                    _ => 0,
                };
                if p.page_index != expect || !p.source_key.ends_with(&format!(":{}", p.page_index)) {
                    v.problems.push(format!("{}: page {} duplicated or out of file order", it.id, p.seq));
                }
                let f = self.item_dir(&it.id).join(&p.file);
                match std::fs::read(&f) {
                    Ok(b) if crate::sha256_hex(&b) == p.file_sha256 => {}
                    _ => v.problems.push(format!("{}: page {} file {} bad", it.id, p.seq, p.file)),
                }
            }
            if it.state > State::Capturing
                && it.state != State::Failed
                && it.reused_from.is_none()
                && it.page_count != Some(pages.len() as u32)
            {
                v.problems.push(format!("{}: page_count mismatch", it.id));
            }
            if matches!(it.state, State::Processed | State::Signed | State::Delivered) {
                match it.pdf.as_ref().map(std::fs::read) {
                    Some(Ok(b)) if Some(crate::sha256_hex(&b)) == it.sha256 => {}
                    _ => v.problems.push(format!("{}: PDF missing or altered", it.id)),
                }
            }
            if it.state == State::Signed && it.signed.is_none() {
                v.problems.push(format!("{}: signed without a signed copy", it.id));
            }
            if let Some(s) = &it.signed {
                // The signed copy is an incremental update: it starts with the digitized copy.
                let orig = it.pdf.as_ref().and_then(|p| std::fs::read(p).ok());
                match std::fs::read(&s.file) {
                    Ok(b) if crate::sha256_hex(&b) == s.sha256
                        && b.len() as u64 == s.bytes
                        && orig.as_ref().is_some_and(|o| b.starts_with(o)) => {}
                    _ => v.problems.push(format!("{}: signed PDF missing or altered", it.id)),
                }
            }
        }
        Ok(v)
    }

    /// Earlier digitized copies of a citizen's papers (for reuse), newest first.
    pub fn for_citizen(&self, citizen_id: &str) -> Result<Vec<Item>> {
        self.items_where(
            "WHERE citizen_id = ?1 AND state IN ('processed','signed','delivered') ORDER BY id DESC",
            &[&citizen_id],
        )
    }

    /// Attaches the copy of item `from` to a new component instead of rescanning: the new item
    /// gets its own copy of the PDF (same bytes and hash), `reused_from` set, state `processed`.
    pub fn reuse(&self, from: &str, n: &NewItem) -> Result<Item> {
        let src = self.item(from)?;
        let pdf = src.pdf.clone().ok_or_else(|| DigitizeError::NotFound(from.into()))?;
        let bytes = std::fs::read(&pdf).map_err(|e| DigitizeError::io(&pdf, e))?;
        if Some(crate::sha256_hex(&bytes)) != src.sha256 {
            return Err(DigitizeError::FileAltered(pdf));
        }
        let it = self.get_or_create(n)?;
        if it.state != State::Capturing || !self.pages(&it.id)?.is_empty() {
            if it.reused_from.as_deref() == Some(from) {
                return Ok(it);
            }
            return Err(DigitizeError::Conflict {
                ma_ho_so: n.ma_ho_so.clone(),
                component: n.component_id.clone(),
            });
        }
        self.conn.execute(
            "UPDATE digitize_items SET reused_from = ?2, page_count = ?3, valid_until = ?4 WHERE id = ?1",
            params![it.id, from, src.page_count, src.valid_until],
        )?;
        self.transition(&it.id, State::Capturing, State::Captured, &format!("reused_from {from}"))?;
        self.commit_pdf(&it.id, &bytes, src.sha256.as_deref().unwrap_or_default())?;
        self.item(&it.id)
    }
}
