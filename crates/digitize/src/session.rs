//! Draft scan sessions: the pages a clerk scans at the counter, kept durably until they become
//! one PDF per component ([`Sessions::commit`] → [`crate::ingest`]).
//!
//! Storage: `DIGITIZE/sessions.sqlite3` (WAL, `synchronous = FULL`) and one directory per
//! session, `DIGITIZE/sessions/<session_id>/`, holding for each page a lossless single-page
//! file (`<page_id>.jpg|png|tif`: the original bytes when the source was a single page that
//! records its resolution, else PNG with `pHYs`) and a 240 px JPEG thumbnail
//! (`<page_id>.thumb.jpg`, in the scan's orientation; the clerk's rotation is applied when
//! read).
//!
//! Crash safety follows the queue: a page's files are written atomically ([`fsio`]) before
//! its row is inserted; a row is deleted before its files are removed; on open,
//! [`Sessions::recover`] deletes temporary files and files no row refers to. Every edit is
//! one transaction that renumbers the pages' `ord` 0..n.

use crate::ingest::{ingest_with, IngestRequest, PageOverride};
use crate::queue::{new_id, ts, NewItem, Queue, State};
use crate::{fsio, DigitizeError};
use chrono::{DateTime, Utc};
use pages::{PageClass, PageImage, RawPage};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, DigitizeError>;

const SCHEMA_VERSION: i64 = 2;
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS scan_sessions (
    id             TEXT PRIMARY KEY,              -- UUIDv7
    clerk          TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    ma_ho_so       TEXT,
    citizen_id     TEXT,                          -- số định danh of the citizen served (v2)
    state          TEXT NOT NULL CHECK (state IN ('open','committed','discarded')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scan_sessions_key ON scan_sessions(clerk, procedure_code, state);
CREATE TABLE IF NOT EXISTS scan_pages (
    id          TEXT PRIMARY KEY,                 -- UUIDv7
    session_id  TEXT NOT NULL REFERENCES scan_sessions(id),
    ord         INTEGER NOT NULL,                 -- 0-based position in the session
    component   INTEGER,                          -- checklist position, NULL = unassigned
    rotation    INTEGER NOT NULL DEFAULT 0 CHECK (rotation BETWEEN 0 AND 3),
    file        TEXT NOT NULL,                    -- relative to the session directory
    file_sha256 TEXT NOT NULL,
    thumb       TEXT NOT NULL,                    -- relative to the session directory
    source      TEXT NOT NULL,
    width       INTEGER NOT NULL,                 -- as scanned (before the clerk's rotation)
    height      INTEGER NOT NULL,
    dpi         REAL NOT NULL,
    blank       INTEGER NOT NULL,
    class       TEXT NOT NULL CHECK (class IN ('colour','grey','bilevel')),
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scan_pages_session ON scan_pages(session_id, ord);
CREATE TABLE IF NOT EXISTS scan_reuse (
    session_id  TEXT NOT NULL REFERENCES scan_sessions(id),
    component   INTEGER NOT NULL,
    document_id TEXT NOT NULL,                    -- queue item id whose copy is reused
    PRIMARY KEY (session_id, component)
);
"#;

/// Width of page thumbnails in pixels.
pub const THUMB_WIDTH: u32 = 240;
/// Below this resolution a page gets a warning (Nghị định 30/2020, Phụ lục I).
pub const WARN_DPI: f32 = 200.0;
/// Resolution PDFs are rasterized at when the caller gives none.
pub const PDF_RASTER_DPI: u32 = 300;
/// The `source` of camera stills.
pub const CAMERA_SOURCE: &str = "camera";
/// Width of A4 paper in inches (210 mm): photos without a resolution are assumed to show it.
const A4_WIDTH_IN: f32 = 210.0 / 25.4;

/// State of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Pages can be added and edited.
    Open,
    /// Every component went into the queue.
    Committed,
    /// Dropped by the clerk (its files are removed).
    Discarded,
}

impl SessionState {
    /// Database text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Committed => "committed",
            Self::Discarded => "discarded",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "open" => Ok(Self::Open),
            "committed" => Ok(Self::Committed),
            "discarded" => Ok(Self::Discarded),
            _ => Err(DigitizeError::Db(format!("unknown session state {s}"))),
        }
    }
}

/// A session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    /// UUIDv7.
    pub id: String,
    /// Clerk who scans.
    pub clerk: String,
    /// Procedure code chosen in the intake form.
    pub procedure_code: String,
    /// Mã hồ sơ once known.
    pub ma_ho_so: Option<String>,
    /// State.
    pub state: SessionState,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change (page added, edit, bind, commit).
    pub updated_at: DateTime<Utc>,
    /// Pages in the session.
    pub page_count: u32,
    /// Reused documents by component position (queue item ids).
    pub reuse: BTreeMap<u32, String>,
}

/// Where new pages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insert {
    /// After the last page.
    End,
    /// Rescan: the first new page takes this page's place and component (the old page is
    /// deleted); further new pages follow it.
    Replace(String),
}

/// One page of a session.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    /// UUIDv7.
    pub id: String,
    /// Session.
    pub session_id: String,
    /// 0-based position in the session.
    pub index: u32,
    /// Component position, `None` = not assigned.
    pub component: Option<u32>,
    /// Clockwise quarter turns applied by the clerk, 0..=3 (degrees: `rotation * 90`).
    pub rotation: u32,
    /// JPEG thumbnail, [`THUMB_WIDTH`] px wide, in the clerk's orientation.
    #[serde(skip)]
    pub thumb_jpeg: Vec<u8>,
    /// The stored page file (lossless, single page).
    pub file: PathBuf,
    /// `sane`, `file`, `folder`, `camera` (as given).
    pub source: String,
    /// Width in pixels, in the clerk's orientation.
    pub width: u32,
    /// Height in pixels, in the clerk's orientation.
    pub height: u32,
    /// Resolution (recorded by the file, or assumed).
    pub dpi: f32,
    /// Looks blank (kept unless the clerk deletes it).
    pub blank: bool,
    /// `colour`, `grey` or `bilevel`.
    pub class: String,
    /// Vietnamese warning for the clerk, if any.
    pub warning: Option<String>,
}

impl PageInfo {
    /// Rotation in degrees (0, 90, 180, 270).
    pub fn rotation_deg(&self) -> u32 {
        self.rotation * 90
    }
}

/// What [`Sessions::recover`] removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionRecovery {
    /// Temporary files of interrupted writes.
    pub temp_files_removed: usize,
    /// Page files and thumbnails no row refers to (interrupted add, delete or discard).
    pub orphan_files_removed: usize,
    /// Session directories without a session row, or of discarded sessions.
    pub orphan_dirs_removed: usize,
}

/// Data of the hồ sơ that the committed components carry into the queue.
#[derive(Debug, Clone)]
pub struct CommitMeta {
    /// Mã hồ sơ (bound to the session).
    pub ma_ho_so: String,
    /// Procedure (code or name) written into the PDF.
    pub procedure: String,
    /// Receiving clerk.
    pub clerk: String,
    /// Số định danh of the submitter, for later reuse.
    pub citizen_id: Option<String>,
    /// Received time (the PDF's dates).
    pub received_at: DateTime<Utc>,
    /// Output resolution (≥ 200).
    pub target_dpi: u32,
    /// Worker threads for page processing.
    pub threads: usize,
}

/// A checklist line: its position in the session and its component id in the queue.
#[derive(Debug, Clone)]
pub struct CommitComponent {
    /// Position (the `component` of pages).
    pub position: u32,
    /// Component id for the queue item (unique per hồ sơ).
    pub component_id: String,
    /// Display name.
    pub name: String,
}

/// A component that went into the queue.
#[derive(Debug, Clone, Serialize)]
pub struct CommittedItem {
    /// Queue item id.
    pub item_id: String,
    /// Its state (`processed` when the PDF is made).
    pub state: State,
    /// Path of the PDF.
    pub pdf: Option<PathBuf>,
    /// Pages in the PDF.
    pub pages: u32,
    /// SHA-256 of the PDF.
    pub sha256: Option<String>,
    /// Document reused instead of the session's pages.
    pub reused_from: Option<String>,
}

/// Outcome of one component in [`Sessions::commit`].
#[derive(Debug)]
pub struct ComponentCommit {
    /// Component position.
    pub position: u32,
    /// Component id (empty when the position has no checklist line).
    pub component_id: String,
    /// The queue item, or why this component failed (the others are still committed).
    pub result: Result<CommittedItem>,
}

/// Pixels of a page with its quick analysis, ready to store.
struct Prepared {
    bytes: Vec<u8>,
    ext: &'static str,
    thumb: Vec<u8>,
    width: u32,
    height: u32,
    dpi: f32,
    blank: bool,
    class: &'static str,
}

/// Page row as stored.
#[derive(Debug, Clone)]
struct PageRowS {
    id: String,
    session_id: String,
    ord: u32,
    component: Option<u32>,
    rotation: u32,
    file: String,
    thumb: String,
    source: String,
    width: u32,
    height: u32,
    dpi: f32,
    blank: bool,
    class: String,
}

const PAGE_COLS: &str =
    "id, session_id, ord, component, rotation, file, thumb, source, width, height, dpi, blank, class";

fn row_page(r: &Row<'_>) -> rusqlite::Result<PageRowS> {
    Ok(PageRowS {
        id: r.get(0)?,
        session_id: r.get(1)?,
        ord: r.get(2)?,
        component: r.get(3)?,
        rotation: r.get(4)?,
        file: r.get(5)?,
        thumb: r.get(6)?,
        source: r.get(7)?,
        width: r.get(8)?,
        height: r.get(9)?,
        dpi: r.get(10)?,
        blank: r.get(11)?,
        class: r.get(12)?,
    })
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| DigitizeError::Db(format!("bad timestamp {s}: {e}")))
}

/// Vietnamese warning for a page.
pub fn page_warning(dpi: f32, blank: bool) -> Option<String> {
    let mut w = Vec::new();
    if dpi < WARN_DPI * 0.98 {
        w.push(format!(
            "Độ phân giải {dpi:.0} dpi dưới 200 dpi, cần quét lại"
        ));
    }
    if blank {
        w.push("Trang có vẻ trắng — giữ lại nếu bản gốc có trang này".to_string());
    }
    (!w.is_empty()).then(|| w.join(". "))
}

fn class_name(c: PageClass) -> &'static str {
    match c {
        PageClass::Colour => "colour",
        PageClass::Grey => "grey",
        PageClass::Bilevel => "bilevel",
    }
}

/// Box-filtered copy reduced by the integer factor `f`.
fn reduce(img: &PageImage, f: u32) -> PageImage {
    if f <= 1 {
        return img.clone();
    }
    let (sw, sh) = (img.width(), img.height());
    let (w, h) = (sw.div_ceil(f), sh.div_ceil(f));
    fn go<const C: usize>(src: &[u8], sw: u32, sh: u32, f: u32, w: u32, h: u32) -> Vec<u8> {
        let mut out = vec![0u8; (w * h) as usize * C];
        let mut acc = vec![0u32; w as usize * C];
        let mut cnt = vec![0u32; w as usize];
        for ay in 0..h {
            acc.iter_mut().for_each(|a| *a = 0);
            cnt.iter_mut().for_each(|a| *a = 0);
            for sy in ay * f..((ay + 1) * f).min(sh) {
                let row = &src[(sy * sw) as usize * C..((sy + 1) * sw) as usize * C];
                for (sx, p) in row.chunks_exact(C).enumerate() {
                    let ax = sx / f as usize;
                    for c in 0..C {
                        acc[ax * C + c] += p[c] as u32;
                    }
                    cnt[ax] += 1;
                }
            }
            let o = &mut out[(ay * w) as usize * C..((ay + 1) * w) as usize * C];
            for ax in 0..w as usize {
                let n = cnt[ax].max(1);
                for c in 0..C {
                    o[ax * C + c] = (acc[ax * C + c] / n) as u8;
                }
            }
        }
        out
    }
    match img {
        PageImage::Rgb(i) => PageImage::Rgb(
            image::RgbImage::from_raw(w, h, go::<3>(i.as_raw(), sw, sh, f, w, h))
                .unwrap_or_else(|| image::RgbImage::new(w, h)),
        ),
        PageImage::Luma(i) => PageImage::Luma(
            image::GrayImage::from_raw(w, h, go::<1>(i.as_raw(), sw, sh, f, w, h))
                .unwrap_or_else(|| image::GrayImage::new(w, h)),
        ),
    }
}

/// Quick analysis on a ~150 dpi copy: blank flag, class, and the thumbnail.
fn quick_look(page: &RawPage) -> Result<(bool, &'static str, Vec<u8>)> {
    let f = ((page.dpi / 150.0).floor() as u32).max(1);
    let small = RawPage {
        image: reduce(&page.image, f),
        dpi: page.dpi / f as f32,
    };
    let cfg = pages::Config {
        target_dpi: pages::MIN_LEGAL_DPI,
        auto_crop: true,
        deskew: false,
        auto_rotate: false,
        force_class: None,
    };
    let a = pages::analyze(&small, &cfg);
    let class = match (&page.image, a.class) {
        (PageImage::Luma(_), PageClass::Colour) => PageClass::Grey,
        (_, c) => c,
    };
    let thumb =
        pages::thumbnail_jpeg(&small.image, THUMB_WIDTH).map_err(|e| DigitizeError::Page {
            file: String::new(),
            page: 1,
            source: e,
        })?;
    Ok((a.blank, class_name(class), thumb))
}

/// PNG with a `pHYs` chunk recording `dpi` (fast compression: these are drafts).
fn png_with_dpi(img: &PageImage, dpi: f32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let err = |e: png::EncodingError| DigitizeError::Invalid(format!("PNG: {e}"));
    {
        let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
        let (ct, data): (png::ColorType, &[u8]) = match img {
            PageImage::Rgb(i) => (png::ColorType::Rgb, i.as_raw()),
            PageImage::Luma(i) => (png::ColorType::Grayscale, i.as_raw()),
        };
        enc.set_color(ct);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(data).map_err(err)?;
        w.finish().map_err(err)?;
    }
    Ok(out)
}

/// JPEG bytes with a JFIF APP0 segment recording `dpi` inserted after SOI (lossless: the
/// compressed data is untouched; readers take the first JFIF segment).
fn jpeg_with_dpi(bytes: &[u8], dpi: f32) -> Vec<u8> {
    let d = (dpi.round() as u32).clamp(1, u16::MAX as u32) as u16;
    let mut out = Vec::with_capacity(bytes.len() + 18);
    out.extend_from_slice(&bytes[..2]);
    out.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
    out.extend_from_slice(b"JFIF\0");
    out.extend_from_slice(&[1, 1, 1]);
    out.extend_from_slice(&d.to_be_bytes());
    out.extend_from_slice(&d.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&bytes[2..]);
    out
}

/// The resolution of an image that records none: `fallback_dpi` (a scanner's setting), else
/// the image is taken to show an A4 sheet's width (exported PNGs, some phone pictures); the
/// clerk sees the resulting dpi and its warning below 200 dpi.
fn assume_a4(fallback_dpi: Option<f32>) -> impl Fn(&PageImage) -> Option<f32> {
    move |img: &PageImage| {
        fallback_dpi.or(Some((img.width() as f32 / A4_WIDTH_IN).clamp(20.0, 4800.0)))
    }
}

/// Decodes one file's bytes into stored pages. `assume` gives the resolution when the file
/// records none (`None`: typed error [`pages::PageError::NoDpi`]).
fn prepare(
    bytes: &[u8],
    label: &str,
    assume: &dyn Fn(&PageImage) -> Option<f32>,
) -> Result<Vec<Prepared>> {
    let perr = |page: usize, e: pages::PageError| DigitizeError::Page {
        file: label.to_string(),
        page,
        source: e,
    };
    let fmt = match pages::detect_format(bytes) {
        Ok(f) => f,
        Err(pages::PageError::Empty) | Err(pages::PageError::UnsupportedFormat) => {
            return Err(DigitizeError::Unsupported(PathBuf::from(label)))
        }
        Err(e) => return Err(perr(1, e)),
    };
    let (raw, recorded) = match pages::load_pages(bytes, None) {
        Ok(r) => (r, true),
        Err(pages::PageError::NoDpi) => {
            // The file records no resolution: decode once to learn its size, then assume.
            let probe = pages::load_pages(bytes, Some(300.0)).map_err(|e| perr(1, e))?;
            let dpi = probe
                .first()
                .and_then(|p| assume(&p.image))
                .ok_or_else(|| perr(1, pages::PageError::NoDpi))?;
            let pages = probe
                .into_iter()
                .enumerate()
                .map(|(i, p)| RawPage::new(p.image, dpi).map_err(|e| perr(i + 1, e)))
                .collect::<Result<Vec<_>>>()?;
            (pages, false)
        }
        Err(e) => return Err(perr(1, e)),
    };
    let single = raw.len() == 1;
    let mut out = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let stored = match (fmt, single, recorded) {
            (pages::SourceFormat::Jpeg, true, true) => Some((bytes.to_vec(), "jpg")),
            (pages::SourceFormat::Png, true, true) => Some((bytes.to_vec(), "png")),
            (pages::SourceFormat::Tiff, true, true) => Some((bytes.to_vec(), "tif")),
            (pages::SourceFormat::Jpeg, true, false) => Some((jpeg_with_dpi(bytes, p.dpi), "jpg")),
            _ => None,
        };
        out.push(prepare_page(p, stored).map_err(|e| match e {
            DigitizeError::Page { source, .. } => perr(i + 1, source),
            other => other,
        })?);
    }
    Ok(out)
}

/// Quick analysis and thumbnail of one decoded page; `stored` is the lossless file to keep
/// (`None`: PNG of the pixels).
fn prepare_page(p: &RawPage, stored: Option<(Vec<u8>, &'static str)>) -> Result<Prepared> {
    let (blank, class, thumb) = quick_look(p)?;
    let (bytes, ext) = match stored {
        Some(s) => s,
        None => (png_with_dpi(&p.image, p.dpi)?, "png"),
    };
    Ok(Prepared {
        bytes,
        ext,
        thumb,
        width: p.image.width(),
        height: p.image.height(),
        dpi: p.dpi,
        blank,
        class,
    })
}

/// Decodes a file's bytes (images, or PDF rasterized into `work`) into stored pages.
fn prepare_any(
    work: &Path,
    bytes: &[u8],
    label: &str,
    file: Option<&Path>,
    fallback_dpi: Option<f32>,
    assume: &dyn Fn(&PageImage) -> Option<f32>,
) -> Result<Vec<Prepared>> {
    if bytes.starts_with(b"%PDF-") {
        let dpi = fallback_dpi
            .map(|d| d.round() as u32)
            .unwrap_or(PDF_RASTER_DPI)
            .max(200);
        let res = match file {
            Some(f) => crate::ingest::rasterize_pdf(f, dpi, work),
            None => {
                fsio::create_dir_durable(work)?;
                let tmp = work.join(format!("{}.pdf", new_id()));
                std::fs::write(&tmp, bytes).map_err(|e| DigitizeError::io(&tmp, e))?;
                let r = crate::ingest::rasterize_pdf(&tmp, dpi, work);
                let _ = std::fs::remove_file(&tmp);
                r
            }
        };
        let mut out = Vec::new();
        for (i, png) in res?.iter().enumerate() {
            let fixed = move |_: &PageImage| Some(dpi as f32);
            out.extend(prepare(png, &format!("{label}#{}", i + 1), &fixed)?);
        }
        return Ok(out);
    }
    prepare(bytes, label, assume)
}

/// Decodes a JPEG thumbnail, turns it and encodes it again.
fn turn_thumb(jpeg: &[u8], quarter_turns: u32) -> Result<Vec<u8>> {
    if quarter_turns.is_multiple_of(4) {
        return Ok(jpeg.to_vec());
    }
    let img = pages::load_pages(jpeg, Some(100.0))
        .ok()
        .and_then(|mut v| v.pop())
        .ok_or_else(|| DigitizeError::Invalid("thumbnail".into()))?;
    let t = crate::ingest::turn_image(&img.image, quarter_turns as i32);
    pages::thumbnail_jpeg(&t, t.width()).map_err(|e| DigitizeError::Page {
        file: String::new(),
        page: 1,
        source: e,
    })
}

/// The draft sessions of one digitize root.
pub struct Sessions {
    conn: Connection,
    root: PathBuf,
    recovery: SessionRecovery,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("root", &self.root)
            .finish()
    }
}

impl Sessions {
    /// Opens (creating) the sessions of `digitize_root` (normally `DATA/digitize`), migrates
    /// the database and runs [`Sessions::recover`]. One process at a time.
    pub fn open(digitize_root: &Path) -> Result<Self> {
        fsio::create_dir_durable(&digitize_root.join("sessions"))?;
        let conn = Connection::open(digitize_root.join("sessions.sqlite3"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v > SCHEMA_VERSION {
            return Err(DigitizeError::Db(format!(
                "sessions schema version {v} is newer"
            )));
        }
        if v == 1 {
            // v2: drafts belong to the citizen served, so one citizen's pages never come back
            // while serving another.
            conn.execute_batch(
                "BEGIN; ALTER TABLE scan_sessions ADD COLUMN citizen_id TEXT; \
                 PRAGMA user_version = 2; COMMIT;",
            )?;
        } else if v < SCHEMA_VERSION {
            conn.execute_batch(&format!(
                "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))?;
        }
        let mut s = Sessions {
            conn,
            root: digitize_root.to_path_buf(),
            recovery: SessionRecovery::default(),
        };
        s.recovery = s.recover()?;
        Ok(s)
    }

    /// What the recovery at open removed.
    pub fn recovery(&self) -> &SessionRecovery {
        &self.recovery
    }

    /// Directory of a session's files.
    pub fn session_dir(&self, id: &str) -> PathBuf {
        self.root.join("sessions").join(id)
    }

    fn work_dir(&self) -> PathBuf {
        self.root.join("sessions-work")
    }

    /// Deletes temporary files, files no page row refers to, and directories of unknown or
    /// discarded sessions.
    pub fn recover(&self) -> Result<SessionRecovery> {
        let mut rec = SessionRecovery::default();
        let base = self.root.join("sessions");
        rec.temp_files_removed = fsio::remove_temp_files(&base)?;
        let _ = std::fs::remove_dir_all(self.work_dir());
        let live: HashSet<String> = self
            .conn
            .prepare("SELECT id FROM scan_sessions WHERE state != 'discarded'")?
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let mut referenced: HashSet<(String, String)> = HashSet::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT session_id, file, thumb FROM scan_pages")?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for r in rows {
                let (s, f, t) = r?;
                referenced.insert((s.clone(), f));
                referenced.insert((s, t));
            }
        }
        let Ok(rd) = std::fs::read_dir(&base) else {
            return Ok(rec);
        };
        let mut removed_dir = false;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            if !p.is_dir() || !live.contains(&name) {
                if p.is_dir() {
                    std::fs::remove_dir_all(&p).map_err(|er| DigitizeError::io(&p, er))?;
                } else {
                    std::fs::remove_file(&p).map_err(|er| DigitizeError::io(&p, er))?;
                }
                rec.orphan_dirs_removed += 1;
                removed_dir = true;
                continue;
            }
            let mut removed = false;
            for f in std::fs::read_dir(&p)
                .map_err(|er| DigitizeError::io(&p, er))?
                .flatten()
            {
                let fname = f.file_name().to_string_lossy().into_owned();
                if !referenced.contains(&(name.clone(), fname)) {
                    let fp = f.path();
                    if fp.is_dir() {
                        std::fs::remove_dir_all(&fp).map_err(|er| DigitizeError::io(&fp, er))?;
                    } else {
                        std::fs::remove_file(&fp).map_err(|er| DigitizeError::io(&fp, er))?;
                    }
                    rec.orphan_files_removed += 1;
                    removed = true;
                }
            }
            if removed {
                fsio::sync_dir(&p)?;
            }
        }
        if removed_dir {
            fsio::sync_dir(&base)?;
        }
        Ok(rec)
    }

    fn row_session(&self, r: &Row<'_>) -> rusqlite::Result<SessionInfo> {
        let conv = |e: DigitizeError| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        };
        Ok(SessionInfo {
            id: r.get(0)?,
            clerk: r.get(1)?,
            procedure_code: r.get(2)?,
            ma_ho_so: r.get(3)?,
            state: SessionState::parse(&r.get::<_, String>(4)?).map_err(conv)?,
            created_at: parse_ts(&r.get::<_, String>(5)?).map_err(conv)?,
            updated_at: parse_ts(&r.get::<_, String>(6)?).map_err(conv)?,
            page_count: r.get(7)?,
            reuse: BTreeMap::new(),
        })
    }

    const SESSION_SELECT: &'static str = "SELECT s.id, s.clerk, s.procedure_code, s.ma_ho_so, \
        s.state, s.created_at, s.updated_at, \
        (SELECT COUNT(*) FROM scan_pages p WHERE p.session_id = s.id) FROM scan_sessions s";

    fn sessions_where(&self, cond: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<SessionInfo>> {
        let mut v: Vec<SessionInfo> = self
            .conn
            .prepare(&format!("{} {cond}", Self::SESSION_SELECT))?
            .query_map(p, |r| self.row_session(r))?
            .collect::<std::result::Result<_, _>>()?;
        for s in &mut v {
            s.reuse = self.reuse_of(&s.id)?;
        }
        Ok(v)
    }

    fn reuse_of(&self, id: &str) -> Result<BTreeMap<u32, String>> {
        let m = self
            .conn
            .prepare("SELECT component, document_id FROM scan_reuse WHERE session_id = ?1")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(m)
    }

    /// A session by id.
    pub fn get(&self, id: &str) -> Result<SessionInfo> {
        self.sessions_where("WHERE s.id = ?1", &[&id])?
            .pop()
            .ok_or_else(|| DigitizeError::SessionNotFound(id.into()))
    }

    fn get_open(&self, id: &str) -> Result<SessionInfo> {
        let s = self.get(id)?;
        if s.state != SessionState::Open {
            return Err(DigitizeError::SessionClosed {
                id: id.into(),
                state: s.state.as_str().into(),
            });
        }
        Ok(s)
    }

    /// Open sessions of a clerk, newest first.
    pub fn list_open(&self, clerk: &str) -> Result<Vec<SessionInfo>> {
        self.sessions_where(
            "WHERE s.clerk = ?1 AND s.state = 'open' ORDER BY s.updated_at DESC, s.id DESC",
            &[&clerk],
        )
    }

    /// The newest open session of this clerk for this procedure and hồ sơ (`None`: not yet
    /// saved), so that a crash or a closed form loses no page; else a new session.
    pub fn open_or_resume(
        &self,
        clerk: &str,
        procedure_code: &str,
        ma_ho_so: Option<&str>,
    ) -> Result<SessionInfo> {
        self.open_or_resume_for(clerk, procedure_code, ma_ho_so, None)
    }

    /// [`Sessions::open_or_resume`] for the citizen being served (số định danh): a draft not
    /// yet bound to a hồ sơ is resumed only for the same citizen, so pages of one citizen never
    /// show up while serving another. A draft bound to a mã hồ sơ (saved, commit unfinished)
    /// is found by its mã whoever is at the counter.
    pub fn open_or_resume_for(
        &self,
        clerk: &str,
        procedure_code: &str,
        ma_ho_so: Option<&str>,
        citizen_id: Option<&str>,
    ) -> Result<SessionInfo> {
        for (v, name) in [(clerk, "cán bộ"), (procedure_code, "thủ tục")] {
            if v.trim().is_empty() || v.chars().any(char::is_control) {
                return Err(DigitizeError::Invalid(name.into()));
            }
        }
        if let Some(m) = ma_ho_so {
            if m.trim().is_empty() || m.chars().any(char::is_control) {
                return Err(DigitizeError::Invalid("mã hồ sơ".into()));
            }
        }
        if let Some(s) = self
            .sessions_where(
                "WHERE s.clerk = ?1 AND s.procedure_code = ?2 AND s.ma_ho_so IS ?3 \
                 AND (?3 IS NOT NULL OR s.citizen_id IS ?4) AND s.state = 'open' \
                 ORDER BY s.updated_at DESC, s.id DESC LIMIT 1",
                &[&clerk, &procedure_code, &ma_ho_so, &citizen_id],
            )?
            .pop()
        {
            return Ok(s);
        }
        let id = new_id();
        let now = ts(Utc::now());
        self.conn.execute(
            "INSERT INTO scan_sessions (id, clerk, procedure_code, ma_ho_so, citizen_id, state, \
             created_at, updated_at) VALUES (?1,?2,?3,?4,?5,'open',?6,?6)",
            params![id, clerk, procedure_code, ma_ho_so, citizen_id, now],
        )?;
        self.get(&id)
    }

    /// Binds the session to a mã hồ sơ (once the hồ sơ is saved). Rebinding to another mã hồ
    /// sơ is refused; binding again to the same one is a no-op, also once committed.
    pub fn bind(&self, id: &str, ma_ho_so: &str) -> Result<SessionInfo> {
        if ma_ho_so.trim().is_empty() || ma_ho_so.chars().any(char::is_control) {
            return Err(DigitizeError::Invalid("mã hồ sơ".into()));
        }
        let s = self.get(id)?;
        if s.state == SessionState::Committed && s.ma_ho_so.as_deref() == Some(ma_ho_so) {
            return Ok(s);
        }
        let s = self.get_open(id)?;
        match s.ma_ho_so.as_deref() {
            Some(m) if m == ma_ho_so => return Ok(s),
            Some(m) => {
                return Err(DigitizeError::Invalid(format!(
                    "phiên quét đã gắn với hồ sơ {m}"
                )))
            }
            None => {}
        }
        self.conn.execute(
            "UPDATE scan_sessions SET ma_ho_so = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, ma_ho_so, ts(Utc::now())],
        )?;
        self.get(id)
    }

    /// Drops an open session: its rows first, then its files.
    pub fn discard(&self, id: &str) -> Result<()> {
        self.get_open(id)?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM scan_pages WHERE session_id = ?1", [id])?;
        tx.execute("DELETE FROM scan_reuse WHERE session_id = ?1", [id])?;
        tx.execute(
            "UPDATE scan_sessions SET state = 'discarded', updated_at = ?2 WHERE id = ?1",
            params![id, ts(Utc::now())],
        )?;
        tx.commit()?;
        let dir = self.session_dir(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| DigitizeError::io(&dir, e))?;
            fsio::sync_dir(&self.root.join("sessions"))?;
        }
        Ok(())
    }

    /// Frees the disk space of a committed session (its pages are in the queue): page rows
    /// first, then the files. The session row stays, with no pages.
    pub fn purge(&self, id: &str) -> Result<()> {
        let s = self.get(id)?;
        if s.state != SessionState::Committed {
            return Err(DigitizeError::Invalid(format!(
                "phiên quét {id} chưa được lưu thành bản số hóa"
            )));
        }
        self.conn
            .execute("DELETE FROM scan_pages WHERE session_id = ?1", [id])?;
        let dir = self.session_dir(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| DigitizeError::io(&dir, e))?;
            fsio::sync_dir(&self.root.join("sessions"))?;
        }
        Ok(())
    }

    fn rows(&self, id: &str) -> Result<Vec<PageRowS>> {
        let v = self
            .conn
            .prepare(&format!(
                "SELECT {PAGE_COLS} FROM scan_pages WHERE session_id = ?1 ORDER BY ord, id"
            ))?
            .query_map([id], row_page)?
            .collect::<std::result::Result<_, _>>()?;
        Ok(v)
    }

    fn row(&self, page_id: &str) -> Result<PageRowS> {
        self.conn
            .query_row(
                &format!("SELECT {PAGE_COLS} FROM scan_pages WHERE id = ?1"),
                [page_id],
                row_page,
            )
            .optional()?
            .ok_or_else(|| DigitizeError::PageNotFound(page_id.into()))
    }

    fn info(&self, r: &PageRowS) -> Result<PageInfo> {
        let dir = self.session_dir(&r.session_id);
        let tp = dir.join(&r.thumb);
        let thumb = std::fs::read(&tp).map_err(|e| DigitizeError::io(&tp, e))?;
        let odd = r.rotation % 2 == 1;
        Ok(PageInfo {
            id: r.id.clone(),
            session_id: r.session_id.clone(),
            index: r.ord,
            component: r.component,
            rotation: r.rotation,
            thumb_jpeg: turn_thumb(&thumb, r.rotation)?,
            file: dir.join(&r.file),
            source: r.source.clone(),
            width: if odd { r.height } else { r.width },
            height: if odd { r.width } else { r.height },
            dpi: r.dpi,
            blank: r.blank,
            class: r.class.clone(),
            warning: page_warning(r.dpi, r.blank),
        })
    }

    /// Pages of a session in order, with thumbnails in the clerk's orientation.
    pub fn pages(&self, id: &str) -> Result<Vec<PageInfo>> {
        self.get(id)?;
        self.rows(id)?.iter().map(|r| self.info(r)).collect()
    }

    /// One page.
    pub fn page(&self, page_id: &str) -> Result<PageInfo> {
        self.info(&self.row(page_id)?)
    }

    /// Writes `order` as ord 0..n inside `tx`.
    fn renumber(tx: &rusqlite::Transaction<'_>, order: &[String]) -> Result<()> {
        let mut st = tx.prepare("UPDATE scan_pages SET ord = ?2 WHERE id = ?1")?;
        for (i, id) in order.iter().enumerate() {
            st.execute(params![id, i as i64])?;
        }
        Ok(())
    }

    fn touch(tx: &rusqlite::Transaction<'_>, session_id: &str) -> Result<()> {
        tx.execute(
            "UPDATE scan_sessions SET updated_at = ?2 WHERE id = ?1",
            params![session_id, ts(Utc::now())],
        )?;
        Ok(())
    }

    /// Adds the pages of a scanned file (JPEG, PNG, TIFF — one page per TIFF page — or PDF,
    /// rasterized at `fallback_dpi` or [`PDF_RASTER_DPI`]). `fallback_dpi` is the resolution of
    /// images that record none (SANE frames). The file is decoded completely before anything
    /// is stored: a bad file is a typed error and the session is unchanged.
    pub fn add_file(
        &self,
        id: &str,
        path: &Path,
        source: &str,
        component: Option<u32>,
        at: Insert,
        fallback_dpi: Option<f32>,
    ) -> Result<Vec<PageInfo>> {
        self.add_paths(
            id,
            &[path.to_path_buf()],
            source,
            component,
            at,
            fallback_dpi,
        )
    }

    /// [`Sessions::add_file`] for several files and directories (read in file-name order,
    /// image/PDF files only), in order. All are decoded before anything is stored: one bad
    /// file is a typed error and the session is unchanged.
    pub fn add_paths(
        &self,
        id: &str,
        paths: &[PathBuf],
        source: &str,
        component: Option<u32>,
        at: Insert,
        fallback_dpi: Option<f32>,
    ) -> Result<Vec<PageInfo>> {
        self.get_open(id)?;
        let files = crate::ingest::expand_inputs(paths)?;
        let work = self.work_dir();
        let one = |path: &PathBuf| -> Result<Vec<Prepared>> {
            let bytes = std::fs::read(path).map_err(|e| DigitizeError::io(path, e))?;
            let label = path.display().to_string();
            prepare_any(&work, &bytes, &label, Some(path), fallback_dpi, &assume_a4(fallback_dpi))
        };
        // Files are decoded and analysed on up to 4 threads; the page order is kept.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let results: Vec<Result<Vec<Prepared>>> = pages::par_map(&files, threads, one);
        let mut prepared = Vec::new();
        for r in results {
            prepared.extend(r?);
        }
        self.store(id, prepared, source, component, at)
    }

    /// Adds pages from bytes (camera still, scanner frame, PDF). With `source ==
    /// "camera"` and no `fallback_dpi`, a JPEG/PNG photo goes through [`pages::camera_page`]
    /// (paper found, perspective removed, dpi from the paper size) and is stored as PNG.
    /// Otherwise an image that records no resolution gets `fallback_dpi`, or else is taken
    /// as an A4 sheet whose width is 210 mm. `ext` only names the data in messages.
    // The arguments mirror `add_file` plus the bytes' name; the IPC layer passes them through.
    #[allow(clippy::too_many_arguments)]
    pub fn add_bytes(
        &self,
        id: &str,
        bytes: &[u8],
        ext: &str,
        source: &str,
        component: Option<u32>,
        at: Insert,
        fallback_dpi: Option<f32>,
    ) -> Result<Vec<PageInfo>> {
        self.get_open(id)?;
        let label = format!("{source}.{ext}");
        if source == CAMERA_SOURCE && fallback_dpi.is_none() && !bytes.starts_with(b"%PDF-") {
            // A photo's recorded dpi (72, or none) means nothing: find the paper, remove the
            // perspective and take the resolution from the paper size.
            let raw = pages::camera_page(bytes, &pages::CameraConfig::default()).map_err(|e| {
                DigitizeError::Page {
                    file: label.clone(),
                    page: 1,
                    source: e,
                }
            })?;
            let prepared = vec![prepare_page(&raw, None)?];
            return self.store(id, prepared, source, component, at);
        }
        let assume = assume_a4(fallback_dpi);
        let prepared = prepare_any(&self.work_dir(), bytes, &label, None, fallback_dpi, &assume)?;
        self.store(id, prepared, source, component, at)
    }

    /// Stores prepared pages: files first (atomically), then the rows in one transaction.
    fn store(
        &self,
        id: &str,
        prepared: Vec<Prepared>,
        source: &str,
        component: Option<u32>,
        at: Insert,
    ) -> Result<Vec<PageInfo>> {
        if prepared.is_empty() {
            return Err(DigitizeError::NoInput);
        }
        let replaced = match &at {
            Insert::End => None,
            Insert::Replace(pid) => {
                let r = self.row(pid)?;
                if r.session_id != id {
                    return Err(DigitizeError::PageNotFound(pid.clone()));
                }
                Some(r)
            }
        };
        let component = replaced.as_ref().map_or(component, |r| r.component);
        let dir = self.session_dir(id);
        fsio::create_dir_durable(&dir)?;
        let mut new_rows = Vec::with_capacity(prepared.len());
        for p in &prepared {
            let pid = new_id();
            let file = format!("{pid}.{}", p.ext);
            let thumb = format!("{pid}.thumb.jpg");
            fsio::write_atomic(&dir.join(&thumb), &p.thumb)?;
            fsio::write_atomic(&dir.join(&file), &p.bytes)?;
            new_rows.push((pid, file, thumb, crate::sha256_hex(&p.bytes)));
        }
        let now = ts(Utc::now());
        let tx = self.conn.unchecked_transaction()?;
        let state: Option<String> = tx
            .query_row("SELECT state FROM scan_sessions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        if state.as_deref() != Some("open") {
            drop(tx);
            for (_, f, t, _) in &new_rows {
                let _ = std::fs::remove_file(dir.join(f));
                let _ = std::fs::remove_file(dir.join(t));
            }
            return Err(DigitizeError::SessionClosed {
                id: id.into(),
                state: state.unwrap_or_default(),
            });
        }
        let mut order: Vec<String> = tx
            .prepare("SELECT id FROM scan_pages WHERE session_id = ?1 ORDER BY ord, id")?
            .query_map([id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for ((pid, file, thumb, sha), p) in new_rows.iter().zip(&prepared) {
            tx.execute(
                "INSERT INTO scan_pages (id, session_id, ord, component, rotation, file, \
                 file_sha256, thumb, source, width, height, dpi, blank, class, created_at) \
                 VALUES (?1,?2,?3,?4,0,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
                params![
                    pid,
                    id,
                    i64::MAX,
                    component,
                    file,
                    sha,
                    thumb,
                    source,
                    p.width,
                    p.height,
                    p.dpi as f64,
                    p.blank,
                    p.class,
                    now
                ],
            )?;
        }
        let new_ids: Vec<String> = new_rows.iter().map(|r| r.0.clone()).collect();
        match &replaced {
            None => order.extend(new_ids.iter().cloned()),
            Some(old) => {
                let at = order
                    .iter()
                    .position(|x| *x == old.id)
                    .unwrap_or(order.len());
                order.splice(at..(at + 1).min(order.len()), new_ids.iter().cloned());
                tx.execute("DELETE FROM scan_pages WHERE id = ?1", [&old.id])?;
            }
        }
        Self::renumber(&tx, &order)?;
        Self::touch(&tx, id)?;
        tx.commit()?;
        if let Some(old) = &replaced {
            self.remove_files(id, &[old])?;
        }
        new_ids.iter().map(|p| self.page(p)).collect()
    }

    fn remove_files(&self, session_id: &str, rows: &[&PageRowS]) -> Result<()> {
        let dir = self.session_dir(session_id);
        for r in rows {
            for f in [&r.file, &r.thumb] {
                let p = dir.join(f);
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(DigitizeError::io(&p, e)),
                }
            }
        }
        fsio::sync_dir(&dir)
    }

    /// The open session of a page, checked.
    fn page_in_open(&self, page_id: &str) -> Result<PageRowS> {
        let r = self.row(page_id)?;
        self.get_open(&r.session_id)?;
        Ok(r)
    }

    /// Turns a page by `quarter_turns` × 90° clockwise (negative: counter-clockwise),
    /// cumulatively; the committed PDF shows the page this way (no automatic orientation).
    pub fn rotate(&self, page_id: &str, quarter_turns: i32) -> Result<PageInfo> {
        let r = self.page_in_open(page_id)?;
        let rot = (r.rotation as i32 + quarter_turns).rem_euclid(4);
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE scan_pages SET rotation = ?2 WHERE id = ?1",
            params![page_id, rot],
        )?;
        Self::touch(&tx, &r.session_id)?;
        tx.commit()?;
        self.page(page_id)
    }

    /// Deletes a page (row first, then its files).
    pub fn delete(&self, page_id: &str) -> Result<()> {
        let r = self.page_in_open(page_id)?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM scan_pages WHERE id = ?1", [page_id])?;
        let order: Vec<String> = tx
            .prepare("SELECT id FROM scan_pages WHERE session_id = ?1 ORDER BY ord, id")?
            .query_map([&r.session_id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        Self::renumber(&tx, &order)?;
        Self::touch(&tx, &r.session_id)?;
        tx.commit()?;
        self.remove_files(&r.session_id, &[&r])
    }

    /// Moves a page to 0-based `index` in the whole list (clamped to the last place).
    pub fn move_to(&self, page_id: &str, index: u32) -> Result<()> {
        let r = self.page_in_open(page_id)?;
        let tx = self.conn.unchecked_transaction()?;
        let mut order: Vec<String> = tx
            .prepare("SELECT id FROM scan_pages WHERE session_id = ?1 ORDER BY ord, id")?
            .query_map([&r.session_id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        order.retain(|x| x != page_id);
        let at = (index as usize).min(order.len());
        order.insert(at, page_id.to_string());
        Self::renumber(&tx, &order)?;
        Self::touch(&tx, &r.session_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Assigns pages (of one open session) to a component (`None`: unassigned).
    pub fn assign(&self, page_ids: &[String], component: Option<u32>) -> Result<()> {
        let mut session: Option<String> = None;
        for p in page_ids {
            let r = self.row(p)?;
            match &session {
                None => {
                    self.get_open(&r.session_id)?;
                    session = Some(r.session_id);
                }
                Some(s) if *s != r.session_id => {
                    return Err(DigitizeError::PageNotFound(p.clone()));
                }
                Some(_) => {}
            }
        }
        let Some(s) = session else { return Ok(()) };
        let tx = self.conn.unchecked_transaction()?;
        for p in page_ids {
            tx.execute(
                "UPDATE scan_pages SET component = ?2 WHERE id = ?1",
                params![p, component],
            )?;
        }
        Self::touch(&tx, &s)?;
        tx.commit()?;
        Ok(())
    }

    /// Assigns this page and every later page, up to the next page assigned to a different
    /// component, to `component`; returns how many pages changed.
    pub fn split_from(&self, page_id: &str, component: u32) -> Result<u32> {
        let r = self.page_in_open(page_id)?;
        let tx = self.conn.unchecked_transaction()?;
        let rows: Vec<(String, Option<u32>)> = tx
            .prepare("SELECT id, component FROM scan_pages WHERE session_id = ?1 ORDER BY ord, id")?
            .query_map([&r.session_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let start = rows
            .iter()
            .position(|(id, _)| id == page_id)
            .ok_or_else(|| DigitizeError::PageNotFound(page_id.into()))?;
        // The run continues over pages that are unassigned or in this page's component.
        let run_comp = r.component;
        let mut n = 0;
        for (i, (id, c)) in rows.iter().enumerate().skip(start) {
            if i > start && c.is_some() && *c != run_comp {
                break;
            }
            tx.execute(
                "UPDATE scan_pages SET component = ?2 WHERE id = ?1",
                params![id, component],
            )?;
            n += 1;
        }
        Self::touch(&tx, &r.session_id)?;
        tx.commit()?;
        Ok(n)
    }

    /// Reuses an earlier digitized document (queue item id) for a component instead of its
    /// pages (`None`: stop reusing). At commit, a reused document wins over assigned pages.
    pub fn set_reuse(&self, id: &str, component: u32, document_id: Option<&str>) -> Result<()> {
        self.get_open(id)?;
        let tx = self.conn.unchecked_transaction()?;
        match document_id {
            Some(d) => {
                if d.trim().is_empty() {
                    return Err(DigitizeError::Invalid("mã tài liệu".into()));
                }
                tx.execute(
                    "INSERT INTO scan_reuse (session_id, component, document_id) VALUES (?1,?2,?3) \
                     ON CONFLICT (session_id, component) DO UPDATE SET document_id = excluded.document_id",
                    params![id, component, d],
                )?;
            }
            None => {
                tx.execute(
                    "DELETE FROM scan_reuse WHERE session_id = ?1 AND component = ?2",
                    params![id, component],
                )?;
            }
        }
        Self::touch(&tx, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Puts every component with pages (or a reused document) into the queue: one item per
    /// component, its pages in session order, the clerk's rotations applied. Resumable and
    /// idempotent: a second run reuses the queue items (found by mã hồ sơ and component id)
    /// and continues where a crash stopped. The session becomes `committed` only when every
    /// component succeeded; a failing component does not stop the others.
    ///
    /// Refused with [`DigitizeError::UnassignedPages`] while pages are not assigned, and with
    /// `Invalid` when the session is bound to another mã hồ sơ. A committed session may be
    /// committed again (same result).
    pub fn commit(
        &self,
        id: &str,
        q: &Queue,
        meta: &CommitMeta,
        components: &[CommitComponent],
    ) -> Result<Vec<ComponentCommit>> {
        let s = self.get(id)?;
        if s.state == SessionState::Discarded {
            return Err(DigitizeError::SessionClosed {
                id: id.into(),
                state: s.state.as_str().into(),
            });
        }
        if s.state == SessionState::Open {
            self.bind(id, &meta.ma_ho_so)?;
        } else if s.ma_ho_so.as_deref() != Some(meta.ma_ho_so.as_str()) {
            return Err(DigitizeError::Invalid(format!(
                "phiên quét đã gắn với hồ sơ {}",
                s.ma_ho_so.unwrap_or_default()
            )));
        }
        let rows = self.rows(id)?;
        let unassigned = rows.iter().filter(|r| r.component.is_none()).count();
        if unassigned > 0 {
            return Err(DigitizeError::UnassignedPages(unassigned));
        }
        let mut groups: BTreeMap<u32, Vec<&PageRowS>> = BTreeMap::new();
        for r in &rows {
            if let Some(c) = r.component {
                groups.entry(c).or_default().push(r);
            }
        }
        for c in s.reuse.keys() {
            groups.entry(*c).or_default();
        }
        let dir = self.session_dir(id);
        let mut out = Vec::with_capacity(groups.len());
        for (pos, pages) in &groups {
            let Some(cc) = components.iter().find(|c| c.position == *pos) else {
                out.push(ComponentCommit {
                    position: *pos,
                    component_id: String::new(),
                    result: Err(DigitizeError::Invalid(format!(
                        "thành phần số {} không có trong danh mục của thủ tục",
                        pos + 1
                    ))),
                });
                continue;
            };
            let item = NewItem {
                ma_ho_so: meta.ma_ho_so.clone(),
                component_id: cc.component_id.clone(),
                procedure: meta.procedure.clone(),
                clerk: meta.clerk.clone(),
                citizen_id: meta.citizen_id.clone(),
                received_at: meta.received_at,
                target_dpi: meta.target_dpi,
            };
            let result = match s.reuse.get(pos) {
                Some(doc) => q.reuse(doc, &item).map(|it| CommittedItem {
                    item_id: it.id,
                    state: it.state,
                    pdf: it.pdf,
                    pages: it.page_count.unwrap_or(0),
                    sha256: it.sha256,
                    reused_from: it.reused_from,
                }),
                None => {
                    let req = IngestRequest {
                        item,
                        inputs: pages.iter().map(|r| dir.join(&r.file)).collect(),
                        fallback_dpi: None,
                        threads: meta.threads,
                    };
                    let ov: Vec<PageOverride> = pages
                        .iter()
                        .map(|r| match r.rotation % 4 {
                            0 => PageOverride::default(),
                            t => PageOverride {
                                quarter_turns: t as i32,
                                auto_rotate: false,
                            },
                        })
                        .collect();
                    // Pages changed since an earlier commit failed in processing (the clerk
                    // rescanned): capture the component again.
                    let first = ingest_with(q, &req, &ov);
                    let again = match &first {
                        Err(DigitizeError::Conflict { .. }) => match q.find(&req.item.ma_ho_so, &req.item.component_id) {
                            Ok(Some(it)) => q.reset_capture(&it.id).unwrap_or(false),
                            _ => false,
                        },
                        _ => false,
                    };
                    let res = if again { ingest_with(q, &req, &ov) } else { first };
                    res.map(|r| CommittedItem {
                        item_id: r.item_id,
                        state: r.state,
                        pdf: r.pdf,
                        pages: r.pages,
                        sha256: r.sha256,
                        reused_from: None,
                    })
                }
            };
            out.push(ComponentCommit {
                position: *pos,
                component_id: cc.component_id.clone(),
                result,
            });
        }
        if s.state == SessionState::Open && out.iter().all(|c| c.result.is_ok()) {
            self.conn.execute(
                "UPDATE scan_sessions SET state = 'committed', updated_at = ?2 \
                 WHERE id = ?1 AND state = 'open'",
                params![id, ts(Utc::now())],
            )?;
        }
        Ok(out)
    }
}
