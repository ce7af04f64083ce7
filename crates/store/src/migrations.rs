//! Versioned schema migrations, embedded in the binary. Each entry runs once, in order, inside one
//! transaction together with its `schema_version` row. Never edit a released migration: append.

use rusqlite::{Connection, OptionalExtension};

use crate::{now_rfc3339, StoreError};

/// `(version, name, sql)`; versions are 1, 2, 3, ... without gaps.
pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[(
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
)];

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
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, now_rfc3339()],
        )?;
        tx.commit()?;
    }
    Ok(known)
}
