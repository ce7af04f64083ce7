//! Digitization at the counter (số hóa hồ sơ khi tiếp nhận): the scan panel's command bodies.
//!
//! A *draft session* (`digitize::session`) holds the pages the clerk scans, imports or
//! photographs while filling the intake form, before the hồ sơ has its mã: pages survive a
//! crash or a closed window (the form resumes the clerk's open session of that procedure).
//! The clerk orders, rotates, deletes, rescans and assigns pages to the checklist components,
//! or attaches a document digitized earlier for the same citizen. When the hồ sơ is saved,
//! [`App::scan_commit`] makes one PDF per component in the durable queue, signs it when the
//! agency's certificate is configured, and records the document on the hồ sơ's component
//! (`ho_so_components.document_id` / `reused_from`) with audit and outbox rows.
//!
//! Sources: SANE scanners (`scanimage`), the scan-to-folder inbox `DATA_DIR/scan-inbox` (network
//! scanners drop files there), file import, and camera stills from the UI.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;
use chrono::{DateTime, Utc};
use digitize::session::{CommitComponent, CommitMeta, Insert, PageInfo, Sessions};
use digitize::DigitizeError;
use serde::{Deserialize, Serialize};
use store::{ComponentDocument, HoSoRepository, NewAudit};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::{App, AppError};

/// Output resolution of digitized copies (Nghị định 30/2020, Phụ lục I: at least 200 dpi).
pub const TARGET_DPI: u32 = 200;
/// Name of the scan-to-folder inbox below the data directory.
pub const INBOX_DIR: &str = "scan-inbox";

// ---------------------------------------------------------------- DTOs (see the UI's scan panel)

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanOpenArgs {
    /// The procedure chosen in the intake form (its checklist gives the components).
    pub procedure_code: String,
    /// Set when digitizing for a hồ sơ already saved (from the list screen).
    pub ma_ho_so: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanSessionArgs {
    pub session_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanSessionView {
    pub session_id: String,
    pub ma_ho_so: Option<String>,
    /// All pages in order (unassigned ones included).
    pub pages: Vec<ScanPageView>,
    /// The checklist of the procedure, by position.
    pub components: Vec<ScanComponentView>,
    /// Documents digitized earlier for the identified citizen (reuse instead of rescanning).
    pub reusable: Vec<ReusableDocView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanPageView {
    pub page_id: String,
    /// Position of the checklist component, null = not yet assigned.
    pub component: Option<u32>,
    /// Clockwise quarter turns the clerk applied: 0, 90, 180, 270.
    pub rotation: u32,
    /// `data:image/jpeg;base64,...`, already rotated.
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub blank: bool,
    /// "colour" | "grey" | "bilevel"
    pub class: String,
    /// "sane" | "file" | "folder" | "camera"
    pub source: String,
    /// Vietnamese warning (dpi below 200, looks blank, ...).
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanComponentView {
    pub position: u32,
    pub name: String,
    pub must_digitize: bool,
    /// Pages assigned in the session.
    pub pages: u32,
    /// Document id reused instead of scanning.
    pub reused_from: Option<String>,
    /// "empty" | "pending" | "processed" | "signed" | "delivered" | "failed" | "reused"
    pub state: String,
    /// The checklist line is green.
    pub done: bool,
    pub pdf_path: Option<String>,
    pub error_vi: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReusableDocView {
    pub document_id: String,
    pub component_name: String,
    pub ma_ho_so: String,
    /// Local `YYYY-MM-DD`.
    pub received_at: String,
    pub pages: u32,
    pub valid_until: Option<String>,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanSourceView {
    /// "sane:<device>" | "folder" | "file" | "camera"
    pub id: String,
    pub label: String,
    #[cfg_attr(feature = "ts", ts(type = "\"sane\" | \"folder\" | \"file\" | \"camera\""))]
    pub kind: String,
    pub adf: bool,
    pub duplex: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanAcquireArgs {
    pub session_id: String,
    pub source_id: String,
    /// Assign the new pages to this component (null: unassigned).
    pub component: Option<u32>,
    pub adf: bool,
    pub duplex: bool,
    /// Rescan: the first new page replaces this page.
    pub replace_page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanImportArgs {
    pub session_id: String,
    pub paths: Vec<String>,
    pub component: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanCameraArgs {
    pub session_id: String,
    pub component: Option<u32>,
    /// One still photo, JPEG, base64 without the `data:` prefix.
    pub jpeg_base64: String,
    pub replace_page: Option<String>,
}

/// One edit of the page list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ScanOp {
    /// +1 clockwise, -1 counter-clockwise.
    Rotate { page_id: String, quarter_turns: i32 },
    Delete { page_id: String },
    /// 0-based index in the whole page list.
    Move { page_id: String, to_index: u32 },
    Assign { page_ids: Vec<String>, component: Option<u32> },
    /// This page and every later page up to the next page of another component.
    SplitFrom { page_id: String, component: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanEditArgs {
    pub session_id: String,
    pub op: ScanOp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanReuseArgs {
    pub session_id: String,
    pub component: u32,
    pub document_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanCommitArgs {
    pub session_id: String,
    pub ma_ho_so: String,
}

/// Pushed as the `scan_progress` event while a scanner runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ScanProgressView {
    pub session_id: String,
    pub page: u32,
    pub message_vi: String,
    pub done: bool,
}

// ---------------------------------------------------------------- state

/// The agency's signing key for digitized copies, read from `DATA_DIR/digitize/signing.json`:
/// `{"agency": "...", "p12": "/path/key.p12", "password_file": "/path/secret"}` or, for a USB
/// token, `{"agency": "...", "pkcs11": {"module": "/path/vendor-pkcs11.so", "token_label": "...",
/// "key_label": "...", "pin_file": "/path/pin"}}` (labels optional).
#[derive(Debug, Clone, Deserialize)]
pub struct SigningConfig {
    pub agency: String,
    #[serde(default)]
    pub p12: Option<PathBuf>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub pkcs11: Option<digitize::sign::Pkcs11Config>,
}

/// Modification time and size of a file (`None` when missing): a PIN failure is remembered
/// until `signing.json` or the PIN file changes.
type FileStamp = Option<(Option<std::time::SystemTime>, u64)>;

fn file_stamp(p: &Path) -> FileStamp {
    std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()))
}

/// A token PIN failure: the config and PIN file it happened with, and the error to answer.
#[derive(Debug, Clone)]
struct PinFailure {
    key: (PathBuf, FileStamp, PathBuf, FileStamp),
    error: AppError,
}

/// One line of the checklist as the scan panel needs it.
struct ChecklistLine {
    name: String,
    must_digitize: bool,
    document_id: Option<String>,
    reused_from: Option<String>,
}

/// The provincial system's endpoint, read from `DATA_DIR/digitize/delivery.json`:
/// `{"endpoint": "https://...", "ca_file": "/path/ca.pem"}` (`ca_file` optional: a private CA
/// added to the public roots). Without this file nothing leaves the machine.
#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryConfig {
    pub endpoint: String,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_timeout_secs() -> u64 {
    60
}

/// What one background pass did (logged by the shell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Copies whose PDF was made again after a crash.
    pub processed: usize,
    pub signed: usize,
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    /// The queue was busy (the CLI works on it): nothing done this time.
    pub busy: bool,
}

/// The digitization queue as the hồ sơ list shows it: what waits, and how the last background
/// pass went (a wrong token PIN or an unreachable provincial system must not stay silent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DigitizeStatusView {
    /// Copies still being made (pages captured, PDF not yet written).
    pub captured: u32,
    /// PDFs made, not yet signed (when a signer is configured) or delivered.
    pub processed: u32,
    /// Signed, not yet delivered.
    pub signed: u32,
    pub delivered: u32,
    /// Given up (see the reason on each item: `motcua queue status`).
    pub failed: u32,
    /// `digitize/signing.json` present.
    pub signing_configured: bool,
    /// `digitize/delivery.json` present.
    pub delivery_configured: bool,
    /// RFC 3339 time of the last background pass since the app started.
    pub last_sync_at: Option<String>,
    /// Why the last background pass stopped, if it did.
    pub last_error: Option<crate::UiError>,
}

/// The last background pass: when, and its error.
#[derive(Debug, Clone)]
struct LastSync {
    at: DateTime<Utc>,
    error: Option<AppError>,
}

pub(crate) struct DigitizeState {
    data_dir: PathBuf,
    root: PathBuf,
    sessions: Mutex<Sessions>,
    repo: Arc<dyn HoSoRepository>,
    /// Serialises queue work inside this process (the queue also locks across processes).
    queue_lock: Mutex<()>,
    /// SANE devices, listed once (probing takes seconds).
    devices: OnceLock<Vec<digitize::sane::Device>>,
    /// The last token PIN failure: never retried until signing.json or the PIN file changes
    /// (tokens lock after 3–5 wrong PINs; the background sync runs every 60 s).
    pin_failure: Mutex<Option<PinFailure>>,
    /// The last background pass ([`App::digitize_status`] shows it).
    last_sync: Mutex<Option<LastSync>>,
}

impl From<DigitizeError> for AppError {
    fn from(e: DigitizeError) -> Self {
        AppError::Domain {
            code: e.code(),
            message: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

impl From<digitize::sane::ScanError> for AppError {
    fn from(e: digitize::sane::ScanError) -> Self {
        AppError::Domain {
            code: e.code(),
            message: e.message_vi(),
            detail: e.to_string(),
        }
    }
}

fn digitize_unavailable() -> AppError {
    AppError::Domain {
        code: "digitize_unavailable",
        message: "Chức năng số hóa chưa sẵn sàng. Khởi động lại ứng dụng; nếu vẫn lỗi, báo quản trị viên.".into(),
        detail: "digitize not attached".into(),
    }
}

fn bad_component(n: u32) -> AppError {
    AppError::invalid("Thành phần hồ sơ", &format!("không có thành phần số {}.", n + 1))
}

fn local_date(t: DateTime<Utc>) -> String {
    ::hoso::utc_to_local(t).format("%Y-%m-%d").to_string()
}

fn page_view(p: &PageInfo) -> ScanPageView {
    ScanPageView {
        page_id: p.id.clone(),
        component: p.component,
        rotation: p.rotation_deg(),
        thumb: format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&p.thumb_jpeg)
        ),
        width: p.width,
        height: p.height,
        dpi: p.dpi.round() as u32,
        blank: p.blank,
        class: p.class.clone(),
        source: p.source.clone(),
        warning: p.warning.clone(),
    }
}

impl App {
    /// Opens the digitization state under `data_dir` (queue and draft sessions in
    /// `DATA_DIR/digitize`, scan-to-folder inbox in `DATA_DIR/scan-inbox`).
    pub fn attach_digitize(
        &self,
        repo: Arc<dyn HoSoRepository>,
        data_dir: &Path,
    ) -> Result<(), AppError> {
        let root = digitize::digitize_dir(data_dir);
        let sessions = Sessions::open(&root)?;
        let _ = std::fs::create_dir_all(data_dir.join(INBOX_DIR));
        let _ = self.digitize.set(DigitizeState {
            data_dir: data_dir.to_path_buf(),
            root,
            sessions: Mutex::new(sessions),
            repo,
            queue_lock: Mutex::new(()),
            devices: OnceLock::new(),
            pin_failure: Mutex::new(None),
            last_sync: Mutex::new(None),
        });
        Ok(())
    }

    /// Lists the scanners on a background thread (`scanimage -L` takes seconds), so that the
    /// scan panel's source list is ready when the clerk opens a form.
    pub fn prefetch_scanners(self: &Arc<Self>) {
        let app = self.clone();
        let _ = std::thread::Builder::new()
            .name("scanner-list".into())
            .spawn(move || {
                let _ = app.scanner_devices();
            });
    }

    fn scanner_devices(&self) -> Vec<digitize::sane::Device> {
        let Ok(dz) = self.dz() else { return Vec::new() };
        dz.devices
            .get_or_init(|| {
                let mut d = digitize::sane::list_devices().unwrap_or_default();
                if self.config().demo && !d.iter().any(|x| x.name.starts_with("test")) {
                    d.push(digitize::sane::Device {
                        name: "test".into(),
                        label: "Máy quét mô phỏng (SANE test)".into(),
                    });
                }
                d
            })
            .clone()
    }

    fn dz(&self) -> Result<&DigitizeState, AppError> {
        self.digitize.get().ok_or_else(digitize_unavailable)
    }

    fn sessions(&self) -> Result<std::sync::MutexGuard<'_, Sessions>, AppError> {
        Ok(self.dz()?.sessions.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The checklist of the session: the saved hồ sơ's components, else the procedure's.
    fn scan_checklist(&self, procedure_code: &str, ma_ho_so: Option<&str>) -> Result<Vec<ChecklistLine>, AppError> {
        if let Some(ma) = ma_ho_so {
            if let Some(row) = self.dz()?.repo.ho_so_by_code(ma)? {
                return Ok(row
                    .components
                    .into_iter()
                    .map(|c| ChecklistLine {
                        name: c.name,
                        must_digitize: c.must_digitize,
                        document_id: c.document_id,
                        reused_from: c.reused_from,
                    })
                    .collect());
            }
        }
        let st = self.hoso_service()?;
        let p = st
            .seeds()
            .catalog
            .get(procedure_code.trim())
            .map_err(|_| AppError::invalid("Thủ tục", "không có trong danh mục."))?;
        Ok(p.components
            .iter()
            .map(|c| ChecklistLine {
                name: c.name.clone(),
                must_digitize: c.must_digitize,
                document_id: None,
                reused_from: None,
            })
            .collect())
    }

    fn session_view(&self, session_id: &str) -> Result<ScanSessionView, AppError> {
        let dz = self.dz()?;
        let (info, pages) = {
            let s = self.sessions()?;
            (s.get(session_id)?, s.pages(session_id)?)
        };
        let checklist = self.scan_checklist(&info.procedure_code, info.ma_ho_so.as_deref())?;
        // Queue state of committed components (their document ids are the queue item ids).
        let queue_items: Vec<Option<digitize::queue::Item>> = {
            let ids: Vec<Option<String>> = checklist.iter().map(|c| c.document_id.clone()).collect();
            if ids.iter().any(Option::is_some) {
                match self.queue_for_reading(dz) {
                    Ok(q) => ids
                        .iter()
                        .map(|id| id.as_deref().and_then(|i| q.item(i).ok()))
                        .collect(),
                    Err(_) => vec![None; ids.len()],
                }
            } else {
                vec![None; ids.len()]
            }
        };
        let components = checklist
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let (name, must, doc, reused_store) =
                    (&line.name, &line.must_digitize, &line.document_id, &line.reused_from);
                let pos = i as u32;
                let n = pages.iter().filter(|p| p.component == Some(pos)).count() as u32;
                let reused = info.reuse.get(&pos).cloned().or_else(|| reused_store.clone());
                let item = queue_items.get(i).cloned().flatten();
                let (state, pdf, err) = match (&item, &reused, n) {
                    (Some(it), _, _) => (
                        it.state.as_str().to_owned(),
                        it.delivery_copy().map(|(p, _, _)| p.display().to_string()),
                        it.error_message.clone(),
                    ),
                    (None, Some(_), _) => ("reused".to_owned(), None, None),
                    (None, None, 0) => ("empty".to_owned(), None, None),
                    (None, None, _) => ("pending".to_owned(), None, None),
                };
                let done = !matches!(state.as_str(), "empty" | "failed") && doc.is_some() == item.is_some();
                ScanComponentView {
                    position: pos,
                    name: name.clone(),
                    must_digitize: *must,
                    pages: n,
                    reused_from: reused,
                    state,
                    done,
                    pdf_path: pdf,
                    error_vi: err,
                }
            })
            .collect();
        let reusable = self.reusable_docs(dz)?;
        Ok(ScanSessionView {
            session_id: info.id,
            ma_ho_so: info.ma_ho_so,
            pages: pages.iter().map(page_view).collect(),
            components,
            reusable,
        })
    }

    /// Documents digitized earlier for the identified citizen (audited as a read of their data).
    fn reusable_docs(&self, dz: &DigitizeState) -> Result<Vec<ReusableDocView>, AppError> {
        let Some(cur) = self.current_citizen_id() else {
            return Ok(Vec::new());
        };
        let Ok(q) = self.queue_for_reading(dz) else {
            return Ok(Vec::new());
        };
        let items = q.for_citizen(&cur)?;
        drop(q);
        let mut out = Vec::new();
        for it in items.into_iter().filter(|it| it.pdf.is_some()) {
            // The component's name as filed on that hồ sơ.
            let name = dz
                .repo
                .ho_so_by_code(&it.ma_ho_so)?
                .and_then(|h| h.components.into_iter().find(|c| c.id == it.component_id))
                .map_or_else(|| it.component_id.clone(), |c| c.name);
            out.push(ReusableDocView {
                document_id: it.id.clone(),
                component_name: name,
                ma_ho_so: it.ma_ho_so.clone(),
                received_at: local_date(it.received_at),
                pages: it.page_count.unwrap_or(0),
                valid_until: it.valid_until.clone(),
                state: it.state.as_str().to_owned(),
            });
        }
        Ok(out)
    }

    /// Opens the clerk's draft for the procedure (or hồ sơ), resuming an unfinished one.
    pub fn scan_open(&self, args: ScanOpenArgs) -> Result<ScanSessionView, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        let ma = args.ma_ho_so.as_deref().map(str::trim).filter(|s| !s.is_empty());
        // Validates the procedure (or hồ sơ) before creating anything.
        self.scan_checklist(&args.procedure_code, ma)?;
        // On the intake screen the draft belongs to the citizen being served; a saved hồ sơ's
        // draft is keyed by its mã.
        let citizen = if ma.is_none() { self.current_citizen_id() } else { None };
        let info = self.sessions()?.open_or_resume_for(
            &clerk_id,
            args.procedure_code.trim(),
            ma,
            citizen.as_deref(),
        )?;
        self.session_view(&info.id)
    }

    /// Scanners and other sources.
    pub fn scan_sources(&self) -> Result<Vec<ScanSourceView>, AppError> {
        self.clerk_now()?;
        let dz = self.dz()?;
        let devices = self.scanner_devices();
        let mut out: Vec<ScanSourceView> = devices
            .iter()
            .map(|d| ScanSourceView {
                id: format!("sane:{}", d.name),
                label: d.label.clone(),
                kind: "sane".into(),
                adf: true,
                duplex: true,
            })
            .collect();
        out.push(ScanSourceView {
            id: "folder".into(),
            label: format!("Thư mục quét ({})", dz.data_dir.join(INBOX_DIR).display()),
            kind: "folder".into(),
            adf: false,
            duplex: false,
        });
        out.push(ScanSourceView {
            id: "file".into(),
            label: "Tệp ảnh / PDF".into(),
            kind: "file".into(),
            adf: false,
            duplex: false,
        });
        out.push(ScanSourceView {
            id: "camera".into(),
            label: "Máy ảnh".into(),
            kind: "camera".into(),
            adf: false,
            duplex: false,
        });
        Ok(out)
    }

    fn check_component(&self, session_id: &str, c: Option<u32>) -> Result<(), AppError> {
        if let Some(c) = c {
            let info = self.sessions()?.get(session_id)?;
            let n = self.scan_checklist(&info.procedure_code, info.ma_ho_so.as_deref())?.len() as u32;
            if c >= n {
                return Err(bad_component(c));
            }
        }
        Ok(())
    }

    fn insert_at(replace: &Option<String>) -> Insert {
        match replace {
            Some(p) => Insert::Replace(p.clone()),
            None => Insert::End,
        }
    }

    /// Scans from a SANE scanner or takes the files waiting in the scan-to-folder inbox.
    /// Pages scanned before a failure (jam, empty feeder) are kept in the session.
    pub fn scan_acquire(
        &self,
        args: ScanAcquireArgs,
        on_progress: &mut dyn FnMut(ScanProgressView),
    ) -> Result<ScanSessionView, AppError> {
        self.clerk_now()?;
        self.check_component(&args.session_id, args.component)?;
        let dz = self.dz()?;
        let at = Self::insert_at(&args.replace_page);
        if args.source_id == "folder" {
            let inbox = dz.data_dir.join(INBOX_DIR);
            // Files still being written by the network scanner settle first (size unchanged).
            let files = digitize::watch::wait_stable(
                &inbox,
                std::time::Duration::from_millis(600),
                std::time::Duration::from_millis(150),
                std::time::Duration::from_secs(3),
            )?
            .unwrap_or_default();
            if files.is_empty() {
                return Err(AppError::Domain {
                    code: "scan_inbox_empty",
                    message: format!(
                        "Thư mục quét chưa có tệp nào. Hãy quét trên máy quét mạng vào thư mục {} rồi bấm lại.",
                        inbox.display()
                    ),
                    detail: "inbox empty".into(),
                });
            }
            let done = inbox.join("da-nhan");
            let _ = std::fs::create_dir_all(&done);
            let mut at = at;
            for (i, f) in files.iter().enumerate() {
                self.sessions()?
                    .add_file(&args.session_id, f, "folder", args.component, at.clone(), None)?;
                at = Insert::End;
                // Moved only after its pages are committed: a crash re-imports, never loses.
                let _ = std::fs::rename(f, done.join(f.file_name().unwrap_or_default()));
                on_progress(ScanProgressView {
                    session_id: args.session_id.clone(),
                    page: i as u32 + 1,
                    message_vi: format!("Đã nhận tệp {} / {}", i + 1, files.len()),
                    done: false,
                });
            }
            on_progress(ScanProgressView {
                session_id: args.session_id.clone(),
                page: files.len() as u32,
                message_vi: "Đã nhận xong từ thư mục quét.".into(),
                done: true,
            });
            return self.session_view(&args.session_id);
        }
        let Some(device) = args.source_id.strip_prefix("sane:") else {
            return Err(AppError::invalid("Nguồn quét", "nguồn không hợp lệ."));
        };
        let source = if args.replace_page.is_some() || !args.adf {
            None
        } else {
            digitize::sane::pick_source(device, args.adf, args.duplex)
        };
        let opts = digitize::sane::ScanOptions {
            device: device.to_owned(),
            source: source.clone(),
            mode: "Color".into(),
            resolution: TARGET_DPI,
            max_pages: if source.is_none() || args.replace_page.is_some() { Some(1) } else { None },
            extra: Vec::new(),
        };
        let work = dz.root.join("incoming").join(digitize::queue::new_id());
        let sid = args.session_id.clone();
        let mut cb = |p: digitize::sane::Progress| {
            if let digitize::sane::Progress::PageStarted(n) = p {
                on_progress(ScanProgressView {
                    session_id: sid.clone(),
                    page: n,
                    message_vi: format!("Đang quét trang {n}…"),
                    done: false,
                });
            }
        };
        let (files, err) = match digitize::sane::scan(&opts, &work, &mut cb) {
            Ok(f) => (f, None),
            Err((e, f)) => (f, Some(e)),
        };
        let mut at = at;
        let mut res: Result<(), AppError> = Ok(());
        for f in &files {
            if let Err(e) = self
                .sessions()?
                .add_file(&args.session_id, f, "sane", args.component, at.clone(), Some(TARGET_DPI as f32))
            {
                res = Err(e.into());
                break;
            }
            at = Insert::End;
        }
        let _ = std::fs::remove_dir_all(&work);
        on_progress(ScanProgressView {
            session_id: args.session_id.clone(),
            page: files.len() as u32,
            message_vi: format!("Đã quét {} trang.", files.len()),
            done: true,
        });
        // A scanner failure wins: it says what to do at the scanner.
        match err {
            Some(digitize::sane::ScanError::NoDocuments) if !files.is_empty() => {}
            Some(e) => return Err(e.into()),
            None => {}
        }
        res?;
        self.session_view(&args.session_id)
    }

    /// Imports image or PDF files (or directories of them) in the given order.
    pub fn scan_import(&self, args: ScanImportArgs) -> Result<ScanSessionView, AppError> {
        self.clerk_now()?;
        self.check_component(&args.session_id, args.component)?;
        let paths: Vec<PathBuf> = args.paths.iter().map(PathBuf::from).collect();
        let files = digitize::ingest::expand_inputs(&paths)?;
        if files.is_empty() {
            return Err(DigitizeError::NoInput.into());
        }
        // All or nothing: every file is decoded before any page is stored.
        self.sessions()?
            .add_paths(&args.session_id, &files, "file", args.component, Insert::End, None)?;
        self.session_view(&args.session_id)
    }

    /// Adds a camera still (JPEG from the UI).
    pub fn scan_camera(&self, args: ScanCameraArgs) -> Result<ScanSessionView, AppError> {
        self.clerk_now()?;
        self.check_component(&args.session_id, args.component)?;
        let b64 = args.jpeg_base64.trim();
        let b64 = b64.split_once("base64,").map_or(b64, |(_, b)| b);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| AppError::invalid("Ảnh chụp", "dữ liệu ảnh không hợp lệ."))?;
        self.sessions()?.add_bytes(
            &args.session_id,
            &bytes,
            "jpg",
            "camera",
            args.component,
            Self::insert_at(&args.replace_page),
            None,
        )?;
        self.session_view(&args.session_id)
    }

    /// Reorders, rotates, deletes or assigns pages.
    pub fn scan_edit(&self, args: ScanEditArgs) -> Result<ScanSessionView, AppError> {
        self.clerk_now()?;
        {
            let s = self.sessions()?;
            match &args.op {
                ScanOp::Rotate { page_id, quarter_turns } => {
                    s.rotate(page_id, *quarter_turns)?;
                }
                ScanOp::Delete { page_id } => s.delete(page_id)?,
                ScanOp::Move { page_id, to_index } => s.move_to(page_id, *to_index)?,
                ScanOp::Assign { page_ids, component } => {
                    drop(s);
                    self.check_component(&args.session_id, *component)?;
                    self.sessions()?.assign(page_ids, *component)?;
                }
                ScanOp::SplitFrom { page_id, component } => {
                    drop(s);
                    self.check_component(&args.session_id, Some(*component))?;
                    self.sessions()?.split_from(page_id, *component)?;
                }
            }
        }
        self.session_view(&args.session_id)
    }

    /// Attaches (or, with `None`, detaches) an earlier digitized document to a component.
    pub fn scan_reuse(&self, args: ScanReuseArgs) -> Result<ScanSessionView, AppError> {
        let (clerk_id, _) = self.clerk_now()?;
        self.check_component(&args.session_id, Some(args.component))?;
        if let Some(doc) = &args.document_id {
            let dz = self.dz()?;
            let ok = self
                .reusable_docs(dz)?
                .iter()
                .any(|d| &d.document_id == doc);
            if !ok {
                return Err(AppError::invalid(
                    "Bản số hóa dùng lại",
                    "không thuộc công dân đang tiếp nhận hoặc không còn dùng được.",
                ));
            }
            self.append(
                NewAudit::new("digitize.reuse", "ok")
                    .clerk(Some(&clerk_id))
                    .detail(serde_json::json!({ "document_id": doc, "session_id": args.session_id })),
            )?;
        }
        self.sessions()?
            .set_reuse(&args.session_id, args.component, args.document_id.as_deref())?;
        self.session_view(&args.session_id)
    }

    /// Makes one PDF per component for the saved hồ sơ, signs it when configured, and records
    /// each document on the hồ sơ. A component that fails (its error is shown) does not stop the
    /// others; committing again retries only what is missing.
    pub fn scan_commit(&self, args: ScanCommitArgs) -> Result<ScanSessionView, AppError> {
        let (clerk_id, clerk_name) = self.clerk_now()?;
        let dz = self.dz()?;
        let ma = args.ma_ho_so.trim().to_owned();
        let row = dz
            .repo
            .ho_so_by_code(&ma)?
            .ok_or_else(|| AppError::invalid("Mã hồ sơ", "không tìm thấy hồ sơ."))?;
        self.sessions()?.bind(&args.session_id, &ma)?;
        let comps: Vec<CommitComponent> = row
            .components
            .iter()
            .map(|c| CommitComponent {
                position: c.position.saturating_sub(1),
                component_id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect();
        let meta = CommitMeta {
            ma_ho_so: ma.clone(),
            procedure: format!("{} {}", row.procedure_code, row.procedure_name),
            clerk: clerk_name,
            citizen_id: row.applicant.id_number.clone(),
            received_at: row.received_at,
            target_dpi: TARGET_DPI,
            threads: 2,
        };
        let mut failures: Vec<String> = Vec::new();
        let results = {
            let _g = dz.queue_lock.lock().unwrap_or_else(|p| p.into_inner());
            let (q, _) = digitize::queue::Queue::open(&dz.root)?;
            let results = self.sessions()?.commit(&args.session_id, &q, &meta, &comps)?;
            let signer = self.signer()?;
            let mut done = Vec::new();
            for r in results {
                match r.result {
                    Ok(item) => {
                        if let Some(signer) = &signer {
                            // A failed signature leaves the copy `processed`: it is shown on
                            // the checklist and signed again at the next commit.
                            if let Err(e) = digitize::sign::sign_item(&q, &item.item_id, signer, self.now()) {
                                failures.push(format!("Ký số thành phần {}: {}", r.position + 1, e.message_vi()));
                            }
                        }
                        done.push((r.position, item));
                    }
                    Err(e) => failures.push(format!("Thành phần {}: {}", r.position + 1, e.message_vi())),
                }
            }
            done
        };
        for (position, item) in &results {
            let stored = row.components.iter().find(|c| c.position == position + 1);
            let document_id = Some(item.item_id.clone());
            let reused_from = item.reused_from.clone();
            if stored.is_some_and(|c| c.document_id == document_id && c.reused_from == reused_from) {
                continue;
            }
            dz.repo.set_component_document(
                ComponentDocument {
                    ma_ho_so: ma.clone(),
                    position: position + 1,
                    document_id,
                    reused_from,
                    at: self.now(),
                },
                NewAudit::new("digitize.commit", "ok")
                    .clerk(Some(&clerk_id))
                    .detail(serde_json::json!({ "pages": item.pages, "sha256": item.sha256 })),
            )?;
        }
        let mut view = self.session_view(&args.session_id)?;
        for f in failures {
            // Shown on the component's line; the reason is in the view's error text.
            if let Some(c) = view.components.iter_mut().find(|c| f.contains(&format!(" {}:", c.position + 1))) {
                c.error_vi.get_or_insert(f);
            }
        }
        Ok(view)
    }

    /// Drops a draft and its pages.
    pub fn scan_discard(&self, args: ScanSessionArgs) -> Result<(), AppError> {
        self.clerk_now()?;
        self.sessions()?.discard(&args.session_id)?;
        Ok(())
    }

    /// The queue, for reading: no lock, no recovery (a CLI or another commit may hold it).
    fn queue_for_reading(&self, dz: &DigitizeState) -> Result<digitize::queue::Queue, AppError> {
        Ok(digitize::queue::Queue::open_read_only(&dz.root)?)
    }

    fn delivery_config(&self) -> Result<Option<DeliveryConfig>, AppError> {
        let path = self.dz()?.root.join("delivery.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        serde_json::from_str(&text).map(Some).map_err(|e| AppError::Domain {
            code: "delivery_config_invalid",
            message: "Tệp cấu hình gửi hệ thống của tỉnh không hợp lệ. Hãy báo quản trị viên.".into(),
            detail: e.to_string(),
        })
    }

    /// One background pass over the queue (the shell calls it every minute): PDFs left
    /// unmade by a crash are made, copies waiting for the agency's signature are signed, and
    /// due copies are delivered to the configured endpoint (signed ones only when a signer is
    /// configured), with the queue's backoff. Needs no signed-in clerk; does nothing visible
    /// when the queue is busy or nothing is configured.
    pub fn digitize_sync(&self) -> Result<SyncReport, AppError> {
        let r = self.digitize_sync_pass();
        if let Ok(dz) = self.dz() {
            // A pass skipped because the CLI held the queue says nothing new.
            if !matches!(&r, Ok(rep) if rep.busy) {
                *dz.last_sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(LastSync {
                    at: self.now(),
                    error: r.as_ref().err().cloned(),
                });
            }
        }
        r
    }

    /// The queue's counts and the last background pass, for the hồ sơ list (clerk signed in).
    pub fn digitize_status(&self) -> Result<DigitizeStatusView, AppError> {
        self.clerk_now()?;
        let dz = self.dz()?;
        let mut v = DigitizeStatusView {
            captured: 0,
            processed: 0,
            signed: 0,
            delivered: 0,
            failed: 0,
            signing_configured: dz.root.join("signing.json").is_file(),
            delivery_configured: dz.root.join("delivery.json").is_file(),
            last_sync_at: None,
            last_error: None,
        };
        // No queue yet (nothing digitized on this machine): all zero.
        if dz.root.join("queue.sqlite3").is_file() {
            let q = digitize::queue::Queue::open_read_only(&dz.root)?;
            for (state, n) in q.status()?.counts {
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                match state {
                    "capturing" | "captured" => v.captured += n,
                    "processed" => v.processed += n,
                    "signed" => v.signed += n,
                    "delivered" => v.delivered += n,
                    "failed" => v.failed += n,
                    _ => {}
                }
            }
        }
        if let Some(last) = dz.last_sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            v.last_sync_at = Some(last.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            v.last_error = last.error.as_ref().map(crate::UiError::from);
        }
        Ok(v)
    }

    fn digitize_sync_pass(&self) -> Result<SyncReport, AppError> {
        let dz = self.dz()?;
        let mut rep = SyncReport::default();
        let signer = self.signer()?;
        let delivery = self.delivery_config()?;
        let _g = dz.queue_lock.lock().unwrap_or_else(|p| p.into_inner());
        let q = match digitize::queue::Queue::open_wait(&dz.root, std::time::Duration::from_millis(200)) {
            Ok((q, _)) => q,
            Err(e) if e.code() == "digitize_queue_busy" => {
                rep.busy = true;
                return Ok(rep);
            }
            Err(e) => return Err(e.into()),
        };
        rep.processed = digitize::ingest::process_pending(&q, 1)?.len();
        if let Some(signer) = &signer {
            rep.signed = digitize::sign::sign_pending(&q, signer, self.now())?.len();
        }
        if let Some(cfg) = delivery {
            let timeout = std::time::Duration::from_secs(cfg.timeout_secs.clamp(5, 600));
            let http = match &cfg.ca_file {
                Some(ca) => digitize::deliver::HttpDelivery::with_ca_file(&cfg.endpoint, timeout, ca)?,
                None => digitize::deliver::HttpDelivery::new(&cfg.endpoint, timeout),
            };
            let policy = digitize::deliver::Policy {
                require_signed: signer.is_some(),
                ..Default::default()
            };
            let r = digitize::deliver::deliver_pass(&q, &http, &policy, self.now())?;
            rep.delivered = r.delivered.len();
            rep.retrying = r.retrying.len();
            rep.failed = r.failed.len();
        }
        Ok(rep)
    }

    fn signer(&self) -> Result<Option<digitize::sign::Signer>, AppError> {
        let dz = self.dz()?;
        let path = dz.root.join("signing.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        let invalid = |detail: String| AppError::Domain {
            code: "signing_config_invalid",
            message: "Tệp cấu hình chữ ký số của cơ quan không hợp lệ. Hãy báo quản trị viên.".into(),
            detail,
        };
        let cfg: SigningConfig = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let (p12, password_file) = match (&cfg.pkcs11, cfg.p12.clone(), cfg.password_file.clone()) {
            (Some(tok), None, None) => return self.token_signer(&path, tok, &cfg.agency).map(Some),
            (None, Some(p12), Some(pw)) => (p12, pw),
            _ => return Err(invalid("either \"p12\" with \"password_file\", or \"pkcs11\"".into())),
        };
        let pass = zeroize::Zeroizing::new(
            std::fs::read_to_string(&password_file)
                .map_err(|e| AppError::Domain {
                    code: "signing_config_invalid",
                    message: "Không đọc được tệp mật khẩu chứng thư số của cơ quan. Hãy báo quản trị viên.".into(),
                    detail: format!("{}: {e}", password_file.display()),
                })?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        );
        Ok(Some(digitize::sign::Signer::from_pkcs12_file(&p12, &pass, &cfg.agency)?))
    }

    /// The token signer; a PIN failure is answered from memory, without touching the token,
    /// until `signing.json` or the PIN file changes (a wrong PIN is never retried by itself).
    fn token_signer(
        &self,
        config_path: &Path,
        tok: &digitize::sign::Pkcs11Config,
        agency: &str,
    ) -> Result<digitize::sign::Signer, AppError> {
        let dz = self.dz()?;
        let key = (
            config_path.to_path_buf(),
            file_stamp(config_path),
            tok.pin_file.clone(),
            file_stamp(&tok.pin_file),
        );
        let mut memo = dz.pin_failure.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = memo.as_ref().filter(|f| f.key == key) {
            return Err(f.error.clone());
        }
        *memo = None;
        digitize::sign::Signer::from_pkcs11(tok, agency).map_err(|e| {
            let pin = matches!(
                e.code(),
                "signing_token_pin" | "signing_token_pin_locked" | "signing_token_pin_final_try"
            );
            let error = AppError::from(e);
            if pin {
                *memo = Some(PinFailure { key, error: error.clone() });
            }
            error
        })
    }
}
