//! What the UI sees. These types are the IPC contract; with the `ts` feature they also derive
//! TypeScript declarations (written to `ui/src/bindings.ts` by src-tauri). Dates are ISO
//! `YYYY-MM-DD`, instants RFC 3339 UTC; the UI formats them for people.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum RoleView {
    Admin,
    Clerk,
}

impl From<store::Role> for RoleView {
    fn from(r: store::Role) -> Self {
        match r {
            store::Role::Admin => RoleView::Admin,
            store::Role::Clerk => RoleView::Clerk,
        }
    }
}

impl From<RoleView> for store::Role {
    fn from(r: RoleView) -> Self {
        match r {
            RoleView::Admin => store::Role::Admin,
            RoleView::Clerk => store::Role::Clerk,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SessionView {
    pub clerk_id: String,
    pub username: String,
    pub display_name: String,
    pub role: RoleView,
    /// Idle-locked: only `unlock` and `sign_out` work until the password is typed again.
    pub locked: bool,
    pub idle_lock_minutes: u32,
    /// Purpose written into the audit log for every read ("Tiếp nhận hồ sơ", ...).
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AppStatus {
    /// No clerk exists yet: the UI shows "create the first administrator".
    pub needs_setup: bool,
    pub session: Option<SessionView>,
    /// Reads come from a simulated reader ("Đầu đọc mô phỏng").
    pub demo: bool,
    pub version: String,
    pub data_dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ClerkView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: RoleView,
    pub active: bool,
    pub locked_until: Option<String>,
    pub created_at: String,
}

impl From<&store::Clerk> for ClerkView {
    fn from(c: &store::Clerk) -> Self {
        ClerkView {
            id: c.id.clone(),
            username: c.username.clone(),
            display_name: c.display_name.clone(),
            role: c.role.into(),
            active: c.active,
            locked_until: c.locked_until.map(store::rfc3339),
            created_at: store::rfc3339(c.created_at),
        }
    }
}

/// Every field of the card's DG13, as printed. Dates `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CitizenView {
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub nationality: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub hometown: Option<String>,
    pub residence: Option<String>,
    pub identifying_features: Option<String>,
    pub issue_date: Option<String>,
    pub expiry_date: Option<String>,
    pub father_name: Option<String>,
    pub mother_name: Option<String>,
    pub spouse_name: Option<String>,
    pub old_id_number: Option<String>,
}

impl From<&cccd::Citizen> for CitizenView {
    fn from(c: &cccd::Citizen) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        CitizenView {
            id_number: c.id_number.clone(),
            full_name: c.full_name.clone(),
            date_of_birth: d(c.date_of_birth),
            gender: c.gender.clone(),
            nationality: c.nationality.clone(),
            ethnicity: c.ethnicity.clone(),
            religion: c.religion.clone(),
            hometown: c.hometown.clone(),
            residence: c.residence.clone(),
            identifying_features: c.identifying_features.clone(),
            issue_date: d(c.issue_date),
            expiry_date: d(c.expiry_date),
            father_name: c.father_name.clone(),
            mother_name: c.mother_name.clone(),
            spouse_name: c.spouse_name.clone(),
            old_id_number: c.old_id_number.clone(),
        }
    }
}

/// `ok` | `failed` | `no_trust_anchor` | `not_supported`, one per check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Failed,
    NoTrustAnchor,
    NotSupported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct VerificationView {
    /// Passive authentication passed and no authentication failed.
    pub verified: bool,
    pub passive: CheckStatus,
    pub chip_auth: CheckStatus,
    pub active_auth: CheckStatus,
    /// Plain-language Vietnamese reasons for every check that did not pass.
    pub reasons: Vec<String>,
}

impl From<&reader::Verification> for VerificationView {
    fn from(v: &reader::Verification) -> Self {
        use reader::{ActiveAuthStatus as A, ChipAuthStatus as C, PassiveStatus as P};
        let passive = match v.passive {
            P::Ok => CheckStatus::Ok,
            P::Failed => CheckStatus::Failed,
            P::NoTrustAnchor => CheckStatus::NoTrustAnchor,
        };
        let chip_auth = match v.chip_auth {
            C::Ok => CheckStatus::Ok,
            C::Failed => CheckStatus::Failed,
            C::NotSupported => CheckStatus::NotSupported,
        };
        let active_auth = match v.active_auth {
            A::Ok => CheckStatus::Ok,
            A::Failed => CheckStatus::Failed,
            A::NotSupported => CheckStatus::NotSupported,
        };
        let mut reasons = v.reasons.clone();
        if reasons.is_empty() && !v.is_verified() {
            reasons.push(match passive {
                CheckStatus::NoTrustAnchor => "Không có chứng thư gốc (CSCA) để kiểm tra chữ ký của thẻ.".to_string(),
                _ => "Dữ liệu trên chip không khớp chữ ký số của cơ quan cấp thẻ.".to_string(),
            });
        }
        VerificationView {
            verified: v.is_verified(),
            passive,
            chip_auth,
            active_auth,
            reasons,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct PhotoView {
    /// "image/jpeg" or "image/jp2".
    pub mime: String,
    /// `data:` URL, shown directly in an `<img>`.
    pub data_url: String,
}

/// One card read as the counter screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct IdentificationView {
    pub id: String,
    pub at: String,
    pub clerk_name: String,
    pub purpose: String,
    pub reader: String,
    /// "PACE-CAN", "PACE-MRZ", "BAC".
    pub access: String,
    pub citizen: CitizenView,
    pub mrz: Vec<String>,
    pub photo: Option<PhotoView>,
    pub verification: VerificationView,
    pub apdus: u32,
    pub read_ms: u32,
    /// The QR scanned before this read, compared with the chip (absent when there was none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub qr_check: Option<crate::qr::QrCheckView>,
}

/// The phases a read goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum PhaseView {
    Connect,
    Access,
    ReadData,
    ReadPhoto,
    ChipAuth,
    Verify,
    Done,
}

impl From<reader::ReadPhase> for PhaseView {
    fn from(p: reader::ReadPhase) -> Self {
        use reader::ReadPhase as R;
        match p {
            R::Connect => PhaseView::Connect,
            R::Access => PhaseView::Access,
            R::ReadData => PhaseView::ReadData,
            R::ReadPhoto => PhaseView::ReadPhoto,
            R::ChipAuth => PhaseView::ChipAuth,
            R::Verify => PhaseView::Verify,
            R::Done => PhaseView::Done,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReaderView {
    pub name: String,
    pub card_present: bool,
    pub simulated: bool,
}

impl From<&crate::card::ReaderInfo> for ReaderView {
    fn from(r: &crate::card::ReaderInfo) -> Self {
        ReaderView {
            name: r.name.clone(),
            card_present: r.card_present,
            simulated: r.simulated,
        }
    }
}

/// Pushed to the UI on the `card` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CardUiEvent {
    ReaderAdded {
        reader: ReaderView,
    },
    ReaderRemoved {
        reader: String,
    },
    CardPresent {
        reader: String,
    },
    CardAbsent {
        reader: String,
    },
    Progress {
        reader: String,
        phase: PhaseView,
    },
    /// The key cannot be derived: show the CAN field.
    CanRequired {
        reader: String,
    },
    Identified {
        identification: Box<IdentificationView>,
        /// Unix epoch milliseconds when the app received the card data (for the
        /// data-to-screen measurement).
        received_at_ms: f64,
    },
    Failed {
        reader: String,
        code: String,
        message: String,
    },
    /// A QR code was scanned (any source): the citizen "from QR, not verified".
    QrScanned {
        qr: Box<crate::qr::QrCitizenView>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HistoryItem {
    pub id: String,
    pub at: String,
    pub id_number: String,
    pub full_name: String,
    pub date_of_birth: Option<String>,
    /// "chip" | "qr" | "manual".
    pub method: String,
    pub access: Option<String>,
    pub verified: bool,
    pub reasons: Vec<String>,
    pub clerk_name: String,
    pub purpose: String,
}

impl From<&store::IdentificationRecord> for HistoryItem {
    fn from(r: &store::IdentificationRecord) -> Self {
        let reasons = r
            .verification
            .get("reasons")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        HistoryItem {
            id: r.id.clone(),
            at: store::rfc3339(r.at),
            id_number: r.id_number.clone(),
            full_name: r.full_name.clone(),
            date_of_birth: r.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
            method: r.method.as_str().into(),
            access: r.access.clone(),
            verified: r.verified,
            reasons,
            clerk_name: r.clerk_name.clone(),
            purpose: r.purpose.clone(),
        }
    }
}

// ------------------------------------------------------------- command arguments

/// For commands without arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct NoArgs {}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SetupArgs {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SignInArgs {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct UnlockArgs {
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CreateClerkArgs {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: RoleView,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SetClerkActiveArgs {
    pub clerk_id: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SetPurposeArgs {
    pub purpose: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReadCardArgs {
    /// Empty: let the reader derive the key. Otherwise exactly 6 digits.
    pub can: Option<String>,
    /// Which reader; empty: the first one.
    pub reader: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HistoryArgs {
    /// First day, `YYYY-MM-DD` in local time; empty: no lower bound.
    pub from: Option<String>,
    /// Last day (inclusive), `YYYY-MM-DD` in local time; empty: no upper bound.
    pub to: Option<String>,
    /// Digits: ID-number prefix; words: name, diacritics ignored.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DemoCardArgs {
    /// Index into the demo cards (0-based).
    pub card: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DemoCardInfo {
    pub index: u32,
    pub label: String,
    pub needs_can: bool,
}
