//! The local store of Một Cửa Desk.
//!
//! One repository trait per aggregate ([`ClerkRepository`], [`CitizenRepository`],
//! [`IdentificationRepository`], [`AuditRepository`], [`OutboxRepository`]), bundled as [`Store`],
//! so a PostgreSQL backend can be added beside [`SqliteStore`] later. Every method is one
//! transaction: an operation and its audit row commit together or not at all.
//!
//! Conventions: ids are UUIDv7 text, timestamps RFC 3339 UTC with milliseconds and `Z` (so text
//! order is time order), citizen data passes through a [`FieldCipher`] before it is written.

mod cipher;
mod hoso;
mod migrations;
mod sqlite;
mod sqlite_hoso;
pub mod text;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

pub use cipher::{FieldCipher, PlainText};
pub use hoso::{
    Applicant, ComponentDocument, ComponentForm, ComponentRow, HoSoEvent, HoSoQuery, HoSoRepository, HoSoRow,
    HoSoStatus, NewComponent, NewHoSo, StatusChange, StoredPause,
};
pub use sqlite::SqliteStore;

/// Errors of the store. The app maps them to user-facing codes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database schema version {found} is newer than this app knows ({known})")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("username already taken")]
    UsernameTaken,
    #[error("not found")]
    NotFound,
    #[error("field cipher: {0}")]
    Cipher(String),
    #[error("no data directory: {0}")]
    DataDir(String),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    /// The row changed under us (e.g. another window moved the hồ sơ first).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Mã hồ sơ / register number allocation (e.g. the day's 9,999 numbers are used).
    #[error("sequence: {0}")]
    Sequence(#[from] procedures::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A fresh UUIDv7 as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// RFC 3339 UTC with milliseconds and `Z`, the only timestamp format stored.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn now_rfc3339() -> String {
    rfc3339(Utc::now())
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

/// The default place of the database: the platform data directory.
pub fn default_data_dir() -> Result<std::path::PathBuf> {
    directories::ProjectDirs::from("vn", "motcua", "motcua-desk")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| StoreError::DataDir("no home directory".into()))
}

// ---------------------------------------------------------------- clerks

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Clerk,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "clerk" => Ok(Role::Clerk),
            other => Err(StoreError::Corrupt(format!("role {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clerk {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub active: bool,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewClerk {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// What to do after a failed sign-in.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failures in a row that lock the account.
    pub max_failures: u32,
    /// How long the account stays locked.
    pub lock_for: chrono::Duration,
}

pub trait ClerkRepository: Send + Sync {
    fn count_clerks(&self) -> Result<u64>;
    /// Creates the clerk and writes `audit` in the same transaction.
    fn create_clerk(&self, new: NewClerk, audit: NewAudit) -> Result<Clerk>;
    fn clerk_by_username(&self, username: &str) -> Result<Option<Clerk>>;
    fn clerk_by_id(&self, id: &str) -> Result<Option<Clerk>>;
    fn list_clerks(&self) -> Result<Vec<Clerk>>;
    fn set_clerk_active(&self, id: &str, active: bool, audit: NewAudit) -> Result<Clerk>;
    /// Counts a failure; at `policy.max_failures` locks the account. Audited in the same transaction.
    fn record_login_failure(
        &self,
        id: &str,
        policy: LockoutPolicy,
        audit: NewAudit,
    ) -> Result<Clerk>;
    /// Clears the failure count and any lock. Audited in the same transaction.
    fn record_login_success(&self, id: &str, audit: NewAudit) -> Result<Clerk>;
}

// ---------------------------------------------------------------- citizens and identifications

/// The citizen as the app hands it to the store.
#[derive(Debug, Clone)]
pub struct CitizenSnapshot {
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// The whole citizen record as JSON; sealed by the [`FieldCipher`] at rest.
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CitizenRow {
    pub id: String,
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub data: serde_json::Value,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub retain_until: DateTime<Utc>,
}

pub trait CitizenRepository: Send + Sync {
    fn citizen_by_id_number(&self, id_number: &str) -> Result<Option<CitizenRow>>;
    /// Deletes citizens (and their identifications) whose `retain_until` is before `now`.
    /// The audit log keeps its rows. Returns how many citizens were deleted.
    fn purge_expired(&self, now: DateTime<Utc>, audit: NewAudit) -> Result<u64>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Chip,
    Qr,
    Manual,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Chip => "chip",
            Method::Qr => "qr",
            Method::Manual => "manual",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "chip" => Ok(Method::Chip),
            "qr" => Ok(Method::Qr),
            "manual" => Ok(Method::Manual),
            other => Err(StoreError::Corrupt(format!("method {other:?}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewIdentification {
    pub clerk_id: String,
    pub citizen: CitizenSnapshot,
    pub method: Method,
    /// "PACE-CAN", "PACE-MRZ", "BAC" for chip reads.
    pub access: Option<String>,
    pub verified: bool,
    /// Statuses and plain-language reasons, as JSON.
    pub verification: serde_json::Value,
    pub purpose: String,
    pub at: DateTime<Utc>,
    /// How long the citizen row is kept after this sighting.
    pub retain_for: chrono::Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentificationRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    pub clerk_id: String,
    pub clerk_name: String,
    pub citizen_id: String,
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub method: Method,
    pub access: Option<String>,
    pub verified: bool,
    pub verification: serde_json::Value,
    pub purpose: String,
}

#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
    /// Digits: prefix of the ID number. Otherwise: words of the name, diacritics ignored.
    pub text: Option<String>,
    pub limit: u32,
}

pub trait IdentificationRepository: Send + Sync {
    /// Upserts the citizen, inserts the identification, the audit row and an outbox message, in
    /// one transaction.
    fn record_identification(
        &self,
        new: NewIdentification,
        audit: NewAudit,
    ) -> Result<IdentificationRecord>;
    /// Newest first.
    fn history(&self, q: &HistoryQuery) -> Result<Vec<IdentificationRecord>>;
}

// ---------------------------------------------------------------- audit and outbox

#[derive(Debug, Clone)]
pub struct NewAudit {
    pub at: DateTime<Utc>,
    pub clerk_id: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub purpose: Option<String>,
    pub result: String,
    pub detail: serde_json::Value,
}

impl NewAudit {
    pub fn new(action: &str, result: &str) -> Self {
        NewAudit {
            at: Utc::now(),
            clerk_id: None,
            action: action.into(),
            subject: None,
            purpose: None,
            result: result.into(),
            detail: serde_json::json!({}),
        }
    }
    pub fn clerk(mut self, clerk_id: Option<&str>) -> Self {
        self.clerk_id = clerk_id.map(str::to_owned);
        self
    }
    pub fn subject(mut self, s: Option<&str>) -> Self {
        self.subject = s.map(str::to_owned);
        self
    }
    pub fn purpose(mut self, s: Option<&str>) -> Self {
        self.purpose = s.map(str::to_owned);
        self
    }
    pub fn detail(mut self, d: serde_json::Value) -> Self {
        self.detail = d;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: String,
    pub at: DateTime<Utc>,
    pub clerk_id: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub purpose: Option<String>,
    pub result: String,
    pub detail: serde_json::Value,
}

pub trait AuditRepository: Send + Sync {
    fn append_audit(&self, audit: NewAudit) -> Result<AuditRow>;
    /// Newest first.
    fn recent_audit(&self, limit: u32) -> Result<Vec<AuditRow>>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: String,
    pub topic: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: u32,
}

pub trait OutboxRepository: Send + Sync {
    /// Oldest first.
    fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
    fn mark_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()>;
    fn mark_attempt_failed(&self, id: &str) -> Result<()>;
}

/// Everything the app needs from a backend.
pub trait Store:
    ClerkRepository + CitizenRepository + IdentificationRepository + AuditRepository + OutboxRepository
{
}

impl<T> Store for T where
    T: ClerkRepository
        + CitizenRepository
        + IdentificationRepository
        + AuditRepository
        + OutboxRepository
{
}
