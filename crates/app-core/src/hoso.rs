//! Hồ sơ at the counter, app side: [`::hoso::HoSoService`] wrapped with the signed-in clerk,
//! the audit log and the citizen of the last identification (chip read or QR), who files.
//!
//! * Procedures: diacritic-insensitive search (`procedures::Catalog::search`), the clerk's
//!   favourites and recent procedures (a JSON file in the data folder, per clerk).
//! * The intake form auto-filled for (procedure, current citizen), each field with its source;
//!   the checklist; the due date computed live.
//! * Create, list/search, change status; the receipt (Mẫu 01) as PDF saved under
//!   `DATA_DIR/receipts/` and optionally printed through CUPS. A failed print never loses the
//!   hồ sơ or the PDF: it comes back in [`ReceiptResult::print_error`].
//!
//! The UI names the identification it shows (`identification_id`); a hồ sơ is refused when
//! another citizen was identified meanwhile, so a file never goes to the wrong person.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ::hoso::{
    forms::FieldKind, status, utc_to_local, ComponentInput, HoSoError, HoSoQuery, HoSoService,
    HoSoStatus, HoSoView, Identity, IdentitySource, NewHoSoRequest, ReceiptView, Source,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{ComponentForm, HoSoRepository, NewAudit};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::{App, AppError};

// ---------------------------------------------------------------- state

/// What [`App::attach_hoso`] sets up.
pub(crate) struct HoSoState {
    service: HoSoService,
    data_dir: PathBuf,
    /// Serialises read-modify-write of the preferences file.
    prefs_lock: Mutex<()>,
}

/// The citizen of the last identification in this window.
#[derive(Debug, Clone)]
pub(crate) struct CurrentCitizen {
    identification_id: String,
    identity: Identity,
}

impl From<HoSoError> for AppError {
    fn from(e: HoSoError) -> Self {
        AppError::Domain {
            code: e.code(),
            message: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

impl From<hoso_docs::DocError> for AppError {
    fn from(e: hoso_docs::DocError) -> Self {
        AppError::Domain {
            code: e.code(),
            message: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

impl From<hoso_docs::print::PrintError> for AppError {
    fn from(e: hoso_docs::print::PrintError) -> Self {
        AppError::Domain {
            code: e.code(),
            message: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

fn hoso_unavailable() -> AppError {
    AppError::Domain {
        code: "ho_so_unavailable",
        message: "Chức năng tiếp nhận hồ sơ chưa sẵn sàng (chưa nạp danh mục thủ tục). Khởi động lại ứng dụng; nếu vẫn lỗi, báo quản trị viên.".into(),
        detail: "hồ sơ service not attached".into(),
    }
}

fn no_citizen() -> AppError {
    AppError::Domain {
        code: "ho_so_no_citizen",
        message: "Chưa xác định công dân. Đặt thẻ CCCD lên đầu đọc hoặc quét mã QR trước khi lập hồ sơ.".into(),
        detail: "no current identification".into(),
    }
}

fn citizen_changed() -> AppError {
    AppError::Domain {
        code: "ho_so_citizen_changed",
        message: "Công dân trên màn hình đã thay đổi (vừa đọc thẻ/QR khác). Kiểm tra lại người nộp rồi lập hồ sơ.".into(),
        detail: "identification id mismatch".into(),
    }
}

fn file_error(what: &str, path: &Path, e: &std::io::Error) -> AppError {
    AppError::Domain {
        code: "ho_so_file",
        message: format!(
            "Không ghi được {what} vào {}. Kiểm tra thư mục dữ liệu (dung lượng, quyền ghi).",
            path.display()
        ),
        detail: e.to_string(),
    }
}

// ---------------------------------------------------------------- UI types

/// A procedure in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProcedureItem {
    pub code: String,
    pub name: String,
    /// Lĩnh vực.
    pub field: String,
    pub agency: String,
    /// Time allowed by law in working days; 0 = same day.
    pub working_days: u32,
    pub fee_vnd: u32,
    pub favourite: bool,
    /// Among the clerk's recently used procedures.
    pub recent: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProcedureSearchArgs {
    /// Empty: favourites, then recent, then the whole catalog.
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProcedureCodeArgs {
    pub code: String,
}

/// Who files: the citizen of the last identification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CurrentCitizenView {
    pub identification_id: String,
    /// "chip" | "qr" | "manual".
    pub source: String,
    pub verified: bool,
    pub full_name: String,
    pub id_number: String,
}

/// Where a field's value comes from (the badge beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldSourceView {
    Chip,
    Qr,
    ConvertedAddress,
    Typed,
    System,
    Empty,
}

impl From<Source> for FieldSourceView {
    fn from(s: Source) -> Self {
        match s {
            Source::Chip => FieldSourceView::Chip,
            Source::Qr => FieldSourceView::Qr,
            Source::ConvertedAddress => FieldSourceView::ConvertedAddress,
            Source::Typed => FieldSourceView::Typed,
            Source::System => FieldSourceView::System,
            Source::Empty => FieldSourceView::Empty,
        }
    }
}

/// One field of the intake form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FormFieldView {
    pub id: String,
    pub section: String,
    pub section_title: String,
    pub label_vi: String,
    /// text, date (dd/mm/yyyy), select, number, address, phone, email, id_number.
    pub kind: String,
    pub required: bool,
    pub value: Option<String>,
    pub source: FieldSourceView,
    /// The old ward was split: the clerk picks one of `choices`.
    pub needs_choice: bool,
    pub choices: Vec<String>,
    /// Options of a select field.
    pub options: Vec<String>,
    pub pattern: Option<String>,
    pub warning: Option<String>,
    pub note: Option<String>,
}

/// One line of the components checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ComponentView {
    pub name: String,
    /// "original" | "copy" | "present".
    pub form: String,
    pub count: u32,
    pub received: bool,
    pub must_digitize: bool,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HoSoFormArgs {
    pub procedure_code: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The auto-filled intake form of a procedure for the current citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HoSoFormView {
    pub procedure: ProcedureItem,
    pub title: String,
    pub citizen: CurrentCitizenView,
    pub fields: Vec<FormFieldView>,
    pub components: Vec<ComponentView>,
    /// Local `YYYY-MM-DD HH:MM` if received now.
    pub received_at: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub due_at: String,
    /// "10 giờ 30 phút, ngày 02/03/2026".
    pub due_at_vi: String,
    /// "05 ngày làm việc" / "Trong ngày".
    pub time_allowed_vi: String,
}

/// A value typed or chosen by the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FieldValue {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CheckFormArgs {
    pub procedure_code: String,
    /// Only the fields the clerk typed or chose.
    pub values: Vec<FieldValue>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// An invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FieldIssueView {
    pub field: String,
    pub label_vi: String,
    /// required, needs_choice, pattern, invalid_date, invalid_phone, invalid_email,
    /// invalid_id_number, invalid_number, invalid_option.
    pub code: String,
    pub message_vi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CreateHoSoArgs {
    pub procedure_code: String,
    /// The identification shown on screen; refused if another citizen was identified since.
    pub identification_id: String,
    /// Only the fields the clerk typed or chose (the rest keep their auto-filled source).
    pub values: Vec<FieldValue>,
    pub components: Vec<ComponentView>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub representative: Option<String>,
    pub sets: u32,
}

/// A status the hồ sơ may move to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct StatusOption {
    pub value: String,
    pub label_vi: String,
    /// A note is required (bổ sung content, reason of rejection).
    pub needs_note: bool,
}

/// A hồ sơ in lists and after saving. Times are local `YYYY-MM-DD HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HoSoSummary {
    pub ma_ho_so: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status: String,
    pub status_label_vi: String,
    pub received_at: String,
    pub due_at: Option<String>,
    pub paused: bool,
    pub applicant_name: String,
    pub id_number: Option<String>,
    /// "chip" | "qr" | "manual".
    pub identity_method: String,
    pub identity_verified: bool,
    pub next_statuses: Vec<StatusOption>,
    /// Form fields still invalid at intake (only after saving).
    pub form_issues: Vec<FieldIssueView>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HoSoListArgs {
    /// Mã hồ sơ, digits of the số định danh, or words of the name (no diacritics needed).
    pub text: Option<String>,
    pub status: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct HoSoStatusArgs {
    pub ma_ho_so: String,
    pub to: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReceiptArgs {
    pub ma_ho_so: String,
    /// Send to a printer after saving the PDF.
    pub print: bool,
    /// CUPS queue; none = the default printer.
    pub printer: Option<String>,
    /// "a4" (default) or "a5".
    pub paper: Option<String>,
}

/// The receipt was saved (always) and maybe printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReceiptResult {
    pub ma_ho_so: String,
    pub pdf_path: String,
    pub printed: bool,
    /// CUPS job id ("queue-123").
    pub job: Option<String>,
    /// Why printing failed; the PDF is saved anyway.
    pub print_error: Option<crate::UiError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct PrinterView {
    pub name: String,
    pub is_default: bool,
    pub status: String,
}

// ---------------------------------------------------------------- preferences

/// Favourites and recent procedures of one clerk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ClerkPrefs {
    #[serde(default)]
    favourites: Vec<String>,
    #[serde(default)]
    recent: Vec<String>,
}

const RECENT_MAX: usize = 8;
const PREFS_FILE: &str = "hoso-preferences.json";

fn read_prefs(path: &Path) -> BTreeMap<String, ClerkPrefs> {
    // A missing or damaged file means "no preferences yet"; it is rewritten on the next change.
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_prefs(path: &Path, all: &BTreeMap<String, ClerkPrefs>) -> Result<(), AppError> {
    let bytes =
        serde_json::to_vec_pretty(all).map_err(|e| AppError::Internal(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| file_error("danh sách thủ tục ưa dùng", path, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| file_error("danh sách thủ tục ưa dùng", path, &e))
}

// ---------------------------------------------------------------- mapping

fn form_str(f: ComponentForm) -> &'static str {
    match f {
        ComponentForm::Original => "original",
        ComponentForm::Copy => "copy",
        ComponentForm::Present => "present",
    }
}

fn parse_form(s: &str) -> Result<ComponentForm, AppError> {
    match s {
        "original" => Ok(ComponentForm::Original),
        "copy" => Ok(ComponentForm::Copy),
        "present" => Ok(ComponentForm::Present),
        other => Err(AppError::invalid(
            "Thành phần hồ sơ",
            &format!("hình thức \"{other}\" không hợp lệ (bản chính / bản sao / xuất trình)."),
        )),
    }
}

fn kind_str(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::Date => "date",
        FieldKind::Select => "select",
        FieldKind::Number => "number",
        FieldKind::Address => "address",
        FieldKind::Phone => "phone",
        FieldKind::Email => "email",
        FieldKind::IdNumber => "id_number",
    }
}

fn source_str(s: IdentitySource) -> &'static str {
    match s {
        IdentitySource::Chip => "chip",
        IdentitySource::Qr => "qr",
        IdentitySource::Manual => "manual",
    }
}

fn time_vi(t: NaiveDateTime) -> String {
    t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string()
}

fn time_allowed_vi(days: u32) -> String {
    if days == 0 {
        "Trong ngày".into()
    } else {
        format!("{days:02} ngày làm việc")
    }
}

fn needs_note(s: HoSoStatus) -> bool {
    matches!(s, HoSoStatus::NeedsSupplement | HoSoStatus::Rejected)
}

fn summary(v: HoSoView) -> HoSoSummary {
    let next_statuses = HoSoStatus::ALL
        .into_iter()
        .filter(|t| status::allowed(v.status, *t))
        .map(|t| StatusOption {
            value: t.as_str().into(),
            label_vi: status::label_vi(t).into(),
            needs_note: needs_note(t),
        })
        .collect();
    HoSoSummary {
        ma_ho_so: v.ma_ho_so,
        procedure_code: v.procedure_code,
        procedure_name: v.procedure_name,
        status: v.status.as_str().into(),
        status_label_vi: v.status_label_vi,
        received_at: v.received_at,
        due_at: v.due_at,
        paused: v.paused,
        applicant_name: v.applicant.full_name,
        id_number: v.applicant.id_number,
        identity_method: v.identity_method.as_str().into(),
        identity_verified: v.identity_verified,
        next_statuses,
        form_issues: v
            .form_issues
            .into_iter()
            .map(|e| FieldIssueView {
                field: e.field,
                label_vi: e.label_vi,
                code: e.code,
                message_vi: e.message_vi,
            })
            .collect(),
    }
}

fn parse_local_time(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M").ok()
}

/// The place of the date line ("…, ngày … tháng … năm …"): the last part of the agency address
/// ("Phường X, Tỉnh Y" → "Tỉnh Y" → "Y").
fn place_of(address: &str) -> String {
    let last = address.rsplit(',').next().unwrap_or("").trim();
    let stripped = ["Thành phố ", "Tỉnh ", "TP. ", "TP "]
        .iter()
        .find_map(|p| last.strip_prefix(p))
        .unwrap_or(last);
    stripped.trim().to_owned()
}

/// Maps the hồ sơ service's receipt data onto the documents crate's Mẫu 01 input.
/// `clerk_name` is the display name of the clerk who received the file.
pub fn receipt_doc(r: &ReceiptView, clerk_name: &str) -> Result<hoso_docs::ReceiptDoc, AppError> {
    let received = parse_local_time(&r.received_at).ok_or_else(|| {
        AppError::Internal(format!("receipt time {:?} unreadable", r.received_at))
    })?;
    let due = r
        .due_at
        .as_deref()
        .and_then(parse_local_time)
        .unwrap_or(received);
    Ok(hoso_docs::ReceiptDoc {
        header: hoso_docs::AgencyHeader {
            parent: String::new(),
            name: r.agency_name.clone(),
            place: place_of(&r.agency_address),
            number: r.so.clone(),
        },
        ma_ho_so: r.ma_ho_so.clone(),
        request: r.request.clone(),
        applicant_name: r.applicant_name.clone(),
        id_number: r.id_number.clone().unwrap_or_default(),
        address: r.address.clone().unwrap_or_default(),
        phone: r.phone.clone().unwrap_or_default(),
        email: r.email.clone().unwrap_or_default(),
        representative: r.representative.clone().filter(|s| !s.trim().is_empty()),
        components: r
            .components
            .iter()
            .map(|c| hoso_docs::ComponentLine {
                name: c.name.clone(),
                form: c.form_vi.clone(),
                count: c.count,
            })
            .collect(),
        sets: r.sets,
        time_allowed: r.time_allowed_vi.clone(),
        received_at: received,
        due_at: due,
        collect_at: r.return_place.clone(),
        register_book: r.register_year.to_string(),
        register_entry: format!("{:04}", r.register_number),
        clerk_name: clerk_name.to_owned(),
        tracking_url: Some(r.tracking_url.clone()).filter(|u| !u.trim().is_empty()),
    })
}

fn safe_file_name(ma: &str) -> String {
    ma.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect()
}

fn parse_day(s: &Option<String>, field: &str) -> Result<Option<NaiveDate>, AppError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "ngày không hợp lệ (dd/mm/yyyy).")),
    }
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------- the commands

impl App {
    /// Opens the hồ sơ service over `repo` (the app's own database) with the embedded seeds
    /// and forms, or an operator seed folder. PDFs and preferences go under `data_dir`.
    pub fn attach_hoso(
        &self,
        repo: Arc<dyn HoSoRepository>,
        seeds_dir: Option<&Path>,
        data_dir: &Path,
    ) -> Result<(), AppError> {
        let seeds = procedures::SeedSet::load(seeds_dir).map_err(HoSoError::from)?;
        let forms = ::hoso::FormSet::load(seeds_dir)?;
        let state = HoSoState {
            service: HoSoService::new(repo, seeds, forms),
            data_dir: data_dir.to_path_buf(),
            prefs_lock: Mutex::new(()),
        };
        // A second attach keeps the first service.
        let _ = self.hoso.set(state);
        Ok(())
    }

    fn hoso_state(&self) -> Result<&HoSoState, AppError> {
        self.hoso.get().ok_or_else(hoso_unavailable)
    }

    pub(crate) fn hoso_service(&self) -> Result<&HoSoService, AppError> {
        Ok(&self.hoso_state()?.service)
    }

    /// Số định danh of the citizen identified last, if any.
    pub(crate) fn current_citizen_id(&self) -> Option<String> {
        self.current_citizen()
            .map(|c| c.identity.citizen.id_number)
            .filter(|n| !n.trim().is_empty())
    }

    pub(crate) fn set_current_citizen(&self, identification_id: &str, identity: Identity) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(CurrentCitizen {
            identification_id: identification_id.to_owned(),
            identity,
        });
    }

    pub(crate) fn clear_current_citizen(&self) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn current_citizen(&self) -> Option<CurrentCitizen> {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn local_now(&self) -> NaiveDateTime {
        utc_to_local(self.now())
    }

    pub(crate) fn append(&self, a: NewAudit) -> Result<(), AppError> {
        let mut a = a;
        a.at = self.now();
        self.store().append_audit(a)?;
        Ok(())
    }

    /// The citizen who would file now, if any.
    pub fn hoso_current_citizen(&self) -> Result<Option<CurrentCitizenView>, AppError> {
        self.clerk_now()?;
        Ok(self.current_citizen().map(|c| CurrentCitizenView {
            identification_id: c.identification_id,
            source: source_str(c.identity.source).into(),
            verified: c.identity.verified,
            full_name: c.identity.citizen.full_name,
            id_number: c.identity.citizen.id_number,
        }))
    }

    fn prefs_path(&self) -> Result<PathBuf, AppError> {
        Ok(self.hoso_state()?.data_dir.join(PREFS_FILE))
    }

    fn clerk_prefs(&self, clerk_id: &str) -> Result<ClerkPrefs, AppError> {
        Ok(read_prefs(&self.prefs_path()?)
            .remove(clerk_id)
            .unwrap_or_default())
    }

    fn update_prefs(
        &self,
        clerk_id: &str,
        f: impl FnOnce(&mut ClerkPrefs),
    ) -> Result<ClerkPrefs, AppError> {
        let st = self.hoso_state()?;
        let _g = st.prefs_lock.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.prefs_path()?;
        let mut all = read_prefs(&path);
        let p = all.entry(clerk_id.to_owned()).or_default();
        f(p);
        let out = p.clone();
        write_prefs(&path, &all)?;
        Ok(out)
    }

    fn item(p: &procedures::Procedure, prefs: &ClerkPrefs) -> ProcedureItem {
        ProcedureItem {
            code: p.code.clone(),
            name: p.name.clone(),
            field: p.field.clone(),
            agency: p.agency.clone(),
            working_days: p.working_days,
            fee_vnd: u32::try_from(p.fee_vnd).unwrap_or(u32::MAX),
            favourite: prefs.favourites.contains(&p.code),
            recent: prefs.recent.contains(&p.code),
        }
    }

    /// The picker's list: a diacritic-insensitive search (code prefix or name words), the
    /// clerk's favourites first, then recent ones; an empty query lists the whole catalog.
    pub fn hoso_procedures(&self, args: ProcedureSearchArgs) -> Result<Vec<ProcedureItem>, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let prefs = self.clerk_prefs(&clerk_id)?;
        let catalog = &st.service.seeds().catalog;
        let found: Vec<&procedures::Procedure> = if args.query.trim().is_empty() {
            catalog.procedures().iter().collect()
        } else {
            catalog.search(&args.query)
        };
        let rank = |p: &procedures::Procedure| -> (u8, usize) {
            if let Some(i) = prefs.favourites.iter().position(|c| *c == p.code) {
                (0, i)
            } else if let Some(i) = prefs.recent.iter().position(|c| *c == p.code) {
                (1, i)
            } else {
                (2, 0)
            }
        };
        let mut items: Vec<(usize, &procedures::Procedure)> = found.into_iter().enumerate().collect();
        // Stable: the search ranking (or catalog order) stays within each group.
        items.sort_by_key(|(i, p)| (rank(p), *i));
        Ok(items.into_iter().map(|(_, p)| Self::item(p, &prefs)).collect())
    }

    /// Stars / unstars a procedure for the signed-in clerk; returns the new state.
    pub fn hoso_toggle_favourite(&self, args: ProcedureCodeArgs) -> Result<bool, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let code = self.hoso_state()?.service.seeds().catalog.get(args.code.trim()).map_err(HoSoError::from)?.code.clone();
        let prefs = self.update_prefs(&clerk_id, |p| {
            if let Some(i) = p.favourites.iter().position(|c| *c == code) {
                p.favourites.remove(i);
            } else {
                p.favourites.push(code.clone());
            }
        })?;
        Ok(prefs.favourites.contains(&code))
    }

    fn current_or_err(&self) -> Result<CurrentCitizen, AppError> {
        self.current_citizen().ok_or_else(no_citizen)
    }

    /// The intake form of a procedure auto-filled for the current citizen, its checklist and
    /// the due date if received now.
    pub fn hoso_form(&self, args: HoSoFormArgs) -> Result<HoSoFormView, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let cur = self.current_or_err()?;
        let svc = &st.service;
        let p = svc.seeds().catalog.get(args.procedure_code.trim()).map_err(HoSoError::from)?;
        let template = svc.forms().get(&p.form_template)?;
        let now = self.local_now();
        let filled = svc.prefill(
            &p.code,
            Some(&cur.identity),
            trimmed(&args.phone).as_deref(),
            trimmed(&args.email).as_deref(),
            now.date(),
        )?;
        let titles: BTreeMap<&str, &str> = template
            .sections
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str()))
            .collect();
        let fields = filled
            .fields
            .iter()
            .map(|f| {
                let t = template.field(&f.id);
                FormFieldView {
                    id: f.id.clone(),
                    section: f.section.clone(),
                    section_title: titles.get(f.section.as_str()).copied().unwrap_or("").into(),
                    label_vi: f.label_vi.clone(),
                    kind: kind_str(f.kind).into(),
                    required: f.required,
                    value: f.value.clone(),
                    source: f.source.into(),
                    needs_choice: f.needs_choice,
                    choices: f.choices.clone(),
                    options: t.map(|t| t.options.clone()).unwrap_or_default(),
                    pattern: t.and_then(|t| t.pattern.clone()),
                    warning: f.warning.clone(),
                    note: t.and_then(|t| t.note.clone()),
                }
            })
            .collect();
        let components = svc
            .checklist(&p.code)?
            .into_iter()
            .zip(p.components.iter())
            .map(|(c, k)| ComponentView {
                name: c.name,
                form: form_str(c.form).into(),
                count: c.count,
                received: c.received,
                must_digitize: k.must_digitize,
                optional: k.optional,
            })
            .collect();
        let due = svc.due(p.working_days, now, &[])?;
        let prefs = self.clerk_prefs(&clerk_id)?;
        Ok(HoSoFormView {
            procedure: Self::item(p, &prefs),
            title: filled.title.clone(),
            citizen: CurrentCitizenView {
                identification_id: cur.identification_id.clone(),
                source: source_str(cur.identity.source).into(),
                verified: cur.identity.verified,
                full_name: cur.identity.citizen.full_name.clone(),
                id_number: cur.identity.citizen.id_number.clone(),
            },
            fields,
            components,
            received_at: now.format("%Y-%m-%d %H:%M").to_string(),
            due_at: due.format("%Y-%m-%d %H:%M").to_string(),
            due_at_vi: time_vi(due),
            time_allowed_vi: time_allowed_vi(p.working_days),
        })
    }

    /// Validates the form as it would be saved (auto-fill + the clerk's values).
    pub fn hoso_check_form(&self, args: CheckFormArgs) -> Result<Vec<FieldIssueView>, AppError> {
        self.clerk_now()?;
        let st = self.hoso_state()?;
        let cur = self.current_or_err()?;
        let svc = &st.service;
        let p = svc.seeds().catalog.get(args.procedure_code.trim()).map_err(HoSoError::from)?;
        let template = svc.forms().get(&p.form_template)?;
        let mut form = svc.prefill(
            &p.code,
            Some(&cur.identity),
            trimmed(&args.phone).as_deref(),
            trimmed(&args.email).as_deref(),
            self.local_now().date(),
        )?;
        for v in &args.values {
            form.set_typed(&v.id, &v.value)?;
        }
        Ok(::hoso::forms::validate(template, &form)
            .into_iter()
            .map(|e| FieldIssueView {
                field: e.field,
                label_vi: e.label_vi,
                code: e.code,
                message_vi: e.message_vi,
            })
            .collect())
    }

    /// Records the hồ sơ for the current citizen (refused while the form has invalid fields).
    pub fn hoso_create(&self, args: CreateHoSoArgs) -> Result<HoSoSummary, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let cur = self.current_or_err()?;
        if cur.identification_id != args.identification_id {
            return Err(citizen_changed());
        }
        let svc = &st.service;
        let p = svc.seeds().catalog.get(args.procedure_code.trim()).map_err(HoSoError::from)?.clone();
        let template = svc.forms().get(&p.form_template)?;
        let residence_field = template
            .fields()
            .find(|(_, f)| f.autofill.as_deref() == Some("citizen.residence"))
            .map(|(_, f)| f.id.clone());
        let mut req = NewHoSoRequest::new(&p.code, cur.identity.clone());
        req.received_at = Some(self.local_now());
        req.phone = trimmed(&args.phone);
        req.email = trimmed(&args.email);
        req.representative = trimmed(&args.representative);
        req.sets = args.sets;
        req.clerk_id = Some(clerk_id.clone());
        req.strict_form = true;
        for v in &args.values {
            if Some(&v.id) == residence_field.as_ref() && !v.value.trim().is_empty() {
                req.address_converted = Some(v.value.trim().to_owned());
            }
            req.form_values.insert(v.id.clone(), v.value.clone());
        }
        if !args.components.is_empty() {
            req.components = Some(
                args.components
                    .iter()
                    .map(|c| {
                        Ok(ComponentInput {
                            name: c.name.clone(),
                            form: parse_form(&c.form)?,
                            count: c.count,
                            received: c.received,
                        })
                    })
                    .collect::<Result<Vec<_>, AppError>>()?,
            );
        }
        let view = svc.create(req)?;
        // Best effort: the hồ sơ is recorded even if the preferences file cannot be written.
        let code = p.code.clone();
        let _ = self.update_prefs(&clerk_id, |pr| {
            pr.recent.retain(|c| *c != code);
            pr.recent.insert(0, code.clone());
            pr.recent.truncate(RECENT_MAX);
        });
        Ok(summary(view))
    }

    /// Search (newest first); audited without the search words.
    pub fn hoso_list(&self, args: HoSoListArgs) -> Result<Vec<HoSoSummary>, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let status = match trimmed(&args.status) {
            None => None,
            Some(s) => Some(
                HoSoStatus::parse(&s).ok_or(HoSoError::UnknownStatus(s))?,
            ),
        };
        let from = parse_day(&args.from, "Từ ngày")?;
        let to = parse_day(&args.to, "Đến ngày")?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::invalid("Khoảng ngày", "ngày bắt đầu sau ngày kết thúc."));
            }
        }
        let q = HoSoQuery {
            text: trimmed(&args.text),
            status,
            procedure_code: None,
            from_date: from,
            to_date: to,
            limit: 500,
        };
        let list = st.service.list(&q)?;
        self.append(
            NewAudit::new("ho_so.search", "ok")
                .clerk(Some(&clerk_id))
                .detail(json!({ "results": list.len(), "text": q.text.is_some() })),
        )?;
        Ok(list.into_iter().map(summary).collect())
    }

    /// Moves a hồ sơ along the status graph (note required for bổ sung / rejection).
    pub fn hoso_set_status(&self, args: HoSoStatusArgs) -> Result<HoSoSummary, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let to = HoSoStatus::parse(args.to.trim())
            .ok_or_else(|| HoSoError::UnknownStatus(args.to.clone()))?;
        let v = st.service.change_status(
            &args.ma_ho_so,
            to,
            Some(self.local_now()),
            Some(&clerk_id),
            trimmed(&args.note).as_deref(),
        )?;
        Ok(summary(v))
    }

    /// The receipt (Mẫu 01) as PDF bytes.
    pub fn hoso_receipt_pdf(&self, ma_ho_so: &str, paper: hoso_docs::Paper) -> Result<Vec<u8>, AppError> {
        self.clerk_now()?;
        let st = self.hoso_state()?;
        let r = st.service.receipt_view(ma_ho_so)?;
        let clerk_name = match &r.clerk_id {
            Some(id) => self
                .store()
                .clerk_by_id(id)?
                .map(|c| c.display_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let doc = receipt_doc(&r, &clerk_name)?;
        Ok(hoso_docs::render_pdf(&hoso_docs::Document::Receipt(doc), paper)?)
    }

    /// Saves the receipt PDF under `DATA_DIR/receipts/` and, when asked, prints it. Audited.
    pub fn hoso_receipt(&self, args: ReceiptArgs) -> Result<ReceiptResult, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let st = self.hoso_state()?;
        let paper = match args.paper.as_deref().map(str::trim) {
            None | Some("") | Some("a4") | Some("A4") => hoso_docs::Paper::A4,
            Some("a5") | Some("A5") => hoso_docs::Paper::A5,
            Some(other) => {
                return Err(AppError::invalid("Khổ giấy", &format!("\"{other}\": chọn A4 hoặc A5.")))
            }
        };
        let ma = args.ma_ho_so.trim().to_owned();
        let bytes = self.hoso_receipt_pdf(&ma, paper)?;
        let dir = st.data_dir.join("receipts");
        std::fs::create_dir_all(&dir).map_err(|e| file_error("giấy tiếp nhận", &dir, &e))?;
        let path = dir.join(format!("{}.pdf", safe_file_name(&ma)));
        std::fs::write(&path, &bytes).map_err(|e| file_error("giấy tiếp nhận", &path, &e))?;
        let printer = trimmed(&args.printer);
        let (printed, job, print_error) = if args.print {
            match hoso_docs::print::print_pdf(&path, printer.as_deref(), 1) {
                Ok(job) => (true, Some(job), None),
                Err(e) => (false, None, Some(crate::UiError::from(&AppError::from(e)))),
            }
        } else {
            (false, None, None)
        };
        self.append(
            NewAudit::new("ho_so.receipt", if printed || !args.print { "ok" } else { "print_failed" })
                .clerk(Some(&clerk_id))
                .detail(json!({
                    "ma_ho_so": ma,
                    "printed": printed,
                    "printer": printer,
                    "error": print_error.as_ref().map(|e| e.code.clone()),
                })),
        )?;
        Ok(ReceiptResult {
            ma_ho_so: ma,
            pdf_path: path.display().to_string(),
            printed,
            job,
            print_error,
        })
    }

    /// CUPS queues.
    pub fn hoso_printers(&self) -> Result<Vec<PrinterView>, AppError> {
        self.clerk_now()?;
        Ok(hoso_docs::print::list_printers()?
            .into_iter()
            .map(|p| PrinterView {
                name: p.name,
                is_default: p.is_default,
                status: p.status,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_from_address() {
        assert_eq!(place_of("Số 1 Lê Lợi, Phường Hạc Thành, Tỉnh Thanh Hóa"), "Thanh Hóa");
        assert_eq!(place_of("Phường Ba Đình, Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(place_of(""), "");
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(safe_file_name("000.00.19.H12-220107-0001"), "000.00.19.H12-220107-0001");
        assert_eq!(safe_file_name("../x/y"), ".._x_y");
    }
}
