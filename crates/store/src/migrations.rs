//! Versioned schema migrations, embedded in the binary. Each entry runs once, in order, inside one
//! transaction together with its `schema_version` row. Never edit a released migration: append.

use rusqlite::{Connection, OptionalExtension};

use crate::{now_rfc3339, StoreError};

/// `(version, name, sql)`; versions are 1, 2, 3, ... without gaps.
pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "initial",
        r#"
CREATE TABLE clerks (
    id            TEXT PRIMARY KEY NOT NULL,             -- UUIDv7
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'clerk')),
    password_hash TEXT NOT NULL,                         -- Argon2id PHC string
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,                                  -- RFC 3339 UTC
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE citizens (
    id            TEXT PRIMARY KEY NOT NULL,             -- UUIDv7
    id_number     TEXT NOT NULL UNIQUE,                  -- số định danh cá nhân (12 digits)
    full_name     TEXT NOT NULL,
    search_name   TEXT NOT NULL,                         -- lower case, no diacritics, đ -> d
    dob           TEXT,                                  -- YYYY-MM-DD
    citizen_data  BLOB NOT NULL,                         -- the citizen JSON, through the FieldCipher
    cipher        TEXT NOT NULL,                         -- FieldCipher::id() that sealed citizen_data
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    retain_until  TEXT NOT NULL                          -- purge after this instant
);
CREATE INDEX citizens_search_name ON citizens (search_name);
CREATE INDEX citizens_retain_until ON citizens (retain_until);

CREATE TABLE identifications (
    id           TEXT PRIMARY KEY NOT NULL,              -- UUIDv7
    citizen_id   TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    clerk_id     TEXT NOT NULL REFERENCES clerks (id),
    method       TEXT NOT NULL CHECK (method IN ('chip', 'qr', 'manual')),
    access       TEXT,                                   -- PACE-CAN, PACE-MRZ, BAC; NULL unless chip
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    verification TEXT NOT NULL,                          -- JSON: statuses and reasons
    purpose      TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX identifications_at ON identifications (at);
CREATE INDEX identifications_citizen ON identifications (citizen_id);

CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY NOT NULL,                -- UUIDv7
    at         TEXT NOT NULL,
    clerk_id   TEXT,                                     -- NULL when nobody is signed in
    action     TEXT NOT NULL,
    subject    TEXT,                                     -- the card's id_number, when there is one
    purpose    TEXT,
    result     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'                -- JSON
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE outbox (
    id           TEXT PRIMARY KEY NOT NULL,              -- UUIDv7
    topic        TEXT NOT NULL,
    payload      TEXT NOT NULL,                          -- JSON
    created_at   TEXT NOT NULL,
    delivered_at TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (delivered_at, created_at);
"#,
    ),
    (
        2,
        "ho_so",
        r#"
-- Hồ sơ (files received at the one-stop counter). Times RFC 3339 UTC; received_date is the
-- local (UTC+7) receipt day that the mã hồ sơ carries. Portable SQL (also valid PostgreSQL).
CREATE TABLE ho_so (
    id                  TEXT PRIMARY KEY NOT NULL,       -- UUIDv7
    ma_ho_so            TEXT NOT NULL UNIQUE,            -- {agency}-{yymmdd}-{nnnn}
    agency_code         TEXT NOT NULL,
    procedure_code      TEXT NOT NULL,
    procedure_name      TEXT NOT NULL,
    citizen_id          TEXT REFERENCES citizens (id) ON DELETE SET NULL,
    applicant_name      TEXT NOT NULL,
    search_name         TEXT NOT NULL,                   -- folded name, as citizens.search_name
    applicant_id_number TEXT,                            -- số định danh cá nhân
    address_printed     TEXT,                            -- as on the card / QR (pre-2025 units)
    address_converted   TEXT,                            -- two-level address (2025 units)
    phone               TEXT,
    email               TEXT,
    representative      TEXT,                            -- người được ủy quyền, if any
    identity_method     TEXT NOT NULL CHECK (identity_method IN ('chip', 'qr', 'manual')),
    identity_verified   INTEGER NOT NULL CHECK (identity_verified IN (0, 1)),
    form_values         BLOB NOT NULL,                   -- JSON {field: {value, source}}, sealed
    cipher              TEXT NOT NULL,                   -- FieldCipher::id() of form_values
    status              TEXT NOT NULL CHECK (status IN ('received', 'needs_supplement',
                            'rejected', 'in_progress', 'result_ready', 'returned', 'cancelled')),
    working_days        INTEGER NOT NULL,
    received_at         TEXT NOT NULL,
    received_date       TEXT NOT NULL,                   -- YYYY-MM-DD local
    due_at              TEXT,
    paused_since        TEXT,                            -- set while waiting for bổ sung
    pauses              TEXT NOT NULL DEFAULT '[]',      -- JSON [{from, to}] of closed pauses
    result_at           TEXT,
    returned_at         TEXT,
    register_year       INTEGER NOT NULL,
    register_number     INTEGER NOT NULL,                -- số theo dõi, per agency per year
    sets                INTEGER NOT NULL DEFAULT 1,
    clerk_id            TEXT REFERENCES clerks (id),
    retain_until        TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (agency_code, register_year, register_number)
);
CREATE INDEX ho_so_received_date ON ho_so (received_date);
CREATE INDEX ho_so_search_name ON ho_so (search_name);
CREATE INDEX ho_so_id_number ON ho_so (applicant_id_number);
CREATE INDEX ho_so_status ON ho_so (status);

CREATE TABLE ho_so_components (
    id            TEXT PRIMARY KEY NOT NULL,             -- UUIDv7
    ho_so_id      TEXT NOT NULL REFERENCES ho_so (id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,                         -- as in the catalog
    form          TEXT NOT NULL CHECK (form IN ('original', 'copy', 'present')),
    count         INTEGER NOT NULL,
    received      INTEGER NOT NULL CHECK (received IN (0, 1)),
    must_digitize INTEGER NOT NULL CHECK (must_digitize IN (0, 1)),
    document_id   TEXT,                                  -- digitized document, later
    reused_from   TEXT,                                  -- reused digitized result, later
    UNIQUE (ho_so_id, position)
);

-- The Phiếu kiểm soát quá trình giải quyết: append-only, like audit_log.
CREATE TABLE ho_so_events (
    id           TEXT PRIMARY KEY NOT NULL,              -- UUIDv7
    ho_so_id     TEXT NOT NULL REFERENCES ho_so (id),
    at           TEXT NOT NULL,
    clerk_id     TEXT,
    from_status  TEXT,                                   -- NULL for the intake event
    to_status    TEXT NOT NULL,
    note         TEXT,
    due_at_after TEXT
);
CREATE INDEX ho_so_events_ho_so ON ho_so_events (ho_so_id, at);
CREATE TRIGGER ho_so_events_no_update BEFORE UPDATE ON ho_so_events
BEGIN SELECT RAISE(ABORT, 'ho_so_events is append-only'); END;
CREATE TRIGGER ho_so_events_no_delete BEFORE DELETE ON ho_so_events
BEGIN SELECT RAISE(ABORT, 'ho_so_events is append-only'); END;

-- Last mã hồ sơ number per agency and local day; last register number per agency and year.
CREATE TABLE file_sequences (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,                           -- YYYY-MM-DD local
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);
CREATE TABLE register_sequences (
    agency_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, year)
);
"#,
    ),
];

/// Brings the database to the newest known version. Refuses a database written by a newer app.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY NOT NULL,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         );",
    )?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    let current: u32 = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| {
            r.get::<_, Option<u32>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0);
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        // IMMEDIATE takes the write lock first, then the version is read again: two processes
        // opening the same new database at once apply each migration exactly once.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: bool = tx
            .query_row(
                "SELECT COUNT(*) FROM schema_version WHERE version = ?1",
                [version],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if applied {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, now_rfc3339()],
        )?;
        tx.commit()?;
    }
    Ok(known)
}
