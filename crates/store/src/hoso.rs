//! Hồ sơ (files received at the one-stop counter): rows, components, the Phiếu kiểm soát trail
//! and the sequences behind the mã hồ sơ and the register number.
//!
//! The store keeps the data; the rules (allowed status changes, due dates, pauses) live in the
//! `hoso` crate, which computes the new state and hands it here to be written in one transaction
//! with its trail event, audit row and outbox message.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{NewAudit, Result, StoreError};

/// Status of a hồ sơ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoSoStatus {
    /// Đã tiếp nhận (also after a supplement arrives).
    Received,
    /// Chờ bổ sung, hoàn thiện (Mẫu 02 issued): the clock is paused.
    NeedsSupplement,
    /// Từ chối tiếp nhận / từ chối giải quyết (Mẫu 03).
    Rejected,
    /// Đang giải quyết.
    InProgress,
    /// Đã có kết quả.
    ResultReady,
    /// Đã trả kết quả.
    Returned,
    /// Rút / hủy hồ sơ.
    Cancelled,
}

impl HoSoStatus {
    /// All statuses.
    pub const ALL: [HoSoStatus; 7] = [
        HoSoStatus::Received,
        HoSoStatus::NeedsSupplement,
        HoSoStatus::Rejected,
        HoSoStatus::InProgress,
        HoSoStatus::ResultReady,
        HoSoStatus::Returned,
        HoSoStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HoSoStatus::Received => "received",
            HoSoStatus::NeedsSupplement => "needs_supplement",
            HoSoStatus::Rejected => "rejected",
            HoSoStatus::InProgress => "in_progress",
            HoSoStatus::ResultReady => "result_ready",
            HoSoStatus::Returned => "returned",
            HoSoStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        HoSoStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn parse_stored(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| StoreError::Corrupt(format!("ho_so status {s:?}")))
    }
}

/// How a component was handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentForm {
    /// Bản chính.
    Original,
    /// Bản sao (certified or not).
    Copy,
    /// Xuất trình: shown, not kept.
    Present,
}

impl ComponentForm {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentForm::Original => "original",
            ComponentForm::Copy => "copy",
            ComponentForm::Present => "present",
        }
    }
    fn parse_stored(s: &str) -> Result<Self> {
        match s {
            "original" => Ok(ComponentForm::Original),
            "copy" => Ok(ComponentForm::Copy),
            "present" => Ok(ComponentForm::Present),
            other => Err(StoreError::Corrupt(format!("component form {other:?}"))),
        }
    }
}

/// A closed pause of the clock (waiting for bổ sung): `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPause {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The person who files (người nộp hồ sơ), as printed on the receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub full_name: String,
    /// Số định danh cá nhân.
    pub id_number: Option<String>,
    /// Address as printed on the card / QR (pre-2025 units).
    pub address_printed: Option<String>,
    /// The current two-level address, when converted without ambiguity.
    pub address_converted: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Authorised representative (người được ủy quyền), if any.
    pub representative: Option<String>,
}

/// A component to record with a new hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComponent {
    pub name: String,
    pub form: ComponentForm,
    pub count: u32,
    pub received: bool,
    pub must_digitize: bool,
}

/// A stored component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRow {
    pub id: String,
    pub position: u32,
    pub name: String,
    pub form: ComponentForm,
    pub count: u32,
    pub received: bool,
    pub must_digitize: bool,
    /// The digitized document, once scanned.
    pub document_id: Option<String>,
    /// A digitized result reused instead of paper.
    pub reused_from: Option<String>,
}

/// Everything needed to record a hồ sơ; the store allocates the mã hồ sơ (number of the day)
/// and the register number in the same transaction as the insert.
#[derive(Debug, Clone)]
pub struct NewHoSo {
    pub agency: procedures::AgencyCode,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Applicant,
    pub identity_method: crate::Method,
    pub identity_verified: bool,
    /// `{field id: {value, source}}`, sealed by the FieldCipher at rest.
    pub form_values: serde_json::Value,
    pub working_days: u32,
    pub received_at: DateTime<Utc>,
    /// Local receipt day (the `yymmdd` of the mã hồ sơ).
    pub received_date: NaiveDate,
    pub due_at: Option<DateTime<Utc>>,
    pub sets: u32,
    pub clerk_id: Option<String>,
    pub retain_until: DateTime<Utc>,
    pub components: Vec<NewComponent>,
    /// Note of the intake event.
    pub note: Option<String>,
}

/// A stored hồ sơ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoSoRow {
    pub id: String,
    pub ma_ho_so: String,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub citizen_id: Option<String>,
    pub applicant: Applicant,
    pub identity_method: crate::Method,
    pub identity_verified: bool,
    pub form_values: serde_json::Value,
    pub status: HoSoStatus,
    pub working_days: u32,
    pub received_at: DateTime<Utc>,
    pub received_date: NaiveDate,
    pub due_at: Option<DateTime<Utc>>,
    pub paused_since: Option<DateTime<Utc>>,
    pub pauses: Vec<StoredPause>,
    pub result_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub register_year: i32,
    pub register_number: u32,
    pub sets: u32,
    pub clerk_id: Option<String>,
    pub retain_until: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub components: Vec<ComponentRow>,
}

/// One line of the Phiếu kiểm soát quá trình giải quyết.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoSoEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub clerk_id: Option<String>,
    /// `None` for the intake event.
    pub from: Option<HoSoStatus>,
    pub to: HoSoStatus,
    pub note: Option<String>,
    pub due_at_after: Option<DateTime<Utc>>,
}

/// A status change computed by the service. Written only if the hồ sơ is still in `from`
/// (otherwise [`StoreError::Conflict`]): two windows cannot both move the same file.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub ma_ho_so: String,
    pub from: HoSoStatus,
    pub to: HoSoStatus,
    pub at: DateTime<Utc>,
    pub clerk_id: Option<String>,
    pub note: Option<String>,
    /// The new state of the clock.
    pub due_at: Option<DateTime<Utc>>,
    pub paused_since: Option<DateTime<Utc>>,
    pub pauses: Vec<StoredPause>,
    pub result_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
}

/// Search of hồ sơ. All filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct HoSoQuery {
    /// A mã hồ sơ (or its prefix), digits (prefix of the số định danh), or words of the name
    /// (diacritics ignored).
    pub text: Option<String>,
    pub status: Option<HoSoStatus>,
    pub procedure_code: Option<String>,
    /// Inclusive local receipt day range.
    pub from_date: Option<NaiveDate>,
    pub to_date: Option<NaiveDate>,
    /// 0 = 500; at most 100,000.
    pub limit: u32,
}

pub trait HoSoRepository: Send + Sync {
    /// Allocates the next number of (agency, received_date) and the next register number of
    /// (agency, year), inserts the hồ sơ, its components, the intake event, `audit` and an outbox
    /// message: one `BEGIN IMMEDIATE` transaction, so numbers have neither duplicates nor gaps.
    fn create_ho_so(&self, new: NewHoSo, audit: NewAudit) -> Result<HoSoRow>;
    fn ho_so_by_code(&self, ma_ho_so: &str) -> Result<Option<HoSoRow>>;
    /// Newest first.
    fn search_ho_so(&self, q: &HoSoQuery) -> Result<Vec<HoSoRow>>;
    /// The trail, oldest first.
    fn ho_so_events(&self, ma_ho_so: &str) -> Result<Vec<HoSoEvent>>;
    /// Applies a status change with its trail event, audit row and outbox message.
    fn change_ho_so_status(&self, change: StatusChange, audit: NewAudit) -> Result<HoSoRow>;
    /// Records a component's digitized copy (`document_id`, the queue item) or the earlier
    /// digitized document reused instead of paper (`reused_from`), with audit and outbox rows,
    /// in one transaction. `None` leaves a column as it is.
    fn set_component_document(&self, link: ComponentDocument, audit: NewAudit) -> Result<HoSoRow>;
}

/// A component's digitized copy, as recorded by [`HoSoRepository::set_component_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDocument {
    pub ma_ho_so: String,
    /// Position of the component in the hồ sơ (1-based, as stored).
    pub position: u32,
    pub document_id: Option<String>,
    pub reused_from: Option<String>,
    pub at: DateTime<Utc>,
}

pub(crate) fn parse_form(s: &str) -> Result<ComponentForm> {
    ComponentForm::parse_stored(s)
}

pub(crate) fn parse_status(s: &str) -> Result<HoSoStatus> {
    HoSoStatus::parse_stored(s)
}
