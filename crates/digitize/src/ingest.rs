//! Ingest: files and directories → committed pages → one PDF per component.
//!
//! Sources: JPEG, PNG, TIFF (multi-page) as they come from the scanner, and PDF, rasterized
//! page by page with `pdftoppm` (poppler-utils) at the target dpi. Directories are read in
//! file-name order (hidden and temporary files skipped). The page order of the component is
//! the order of the inputs; a resumed ingest with the same inputs continues where a crash
//! stopped (see the crate docs).

use crate::queue::{Item, NewItem, Queue, State};
use crate::{fsio, DigitizeError};
use chrono::FixedOffset;
use pages::{PageClass, RawPage};
use serde::Serialize;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, DigitizeError>;

/// File extensions taken from directories.
pub const IMAGE_EXTS: [&str; 6] = ["jpg", "jpeg", "png", "tif", "tiff", "pdf"];

/// What to ingest.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    /// The component.
    pub item: NewItem,
    /// Files and directories, in page order.
    pub inputs: Vec<PathBuf>,
    /// Resolution assumed for images that record none (SANE frames, some PNGs).
    pub fallback_dpi: Option<f32>,
    /// Worker threads for page processing.
    pub threads: usize,
}

/// Outcome of an ingest (also the CLI's JSON).
#[derive(Debug, Clone, Serialize)]
pub struct IngestResult {
    /// Queue item id.
    pub item_id: String,
    /// State after the ingest.
    pub state: State,
    /// Path of the PDF.
    pub pdf: Option<PathBuf>,
    /// Pages in the PDF.
    pub pages: u32,
    /// Resolution of the pages.
    pub dpi: u32,
    /// PDF size.
    pub bytes: Option<u64>,
    /// SHA-256 of the PDF.
    pub sha256: Option<String>,
    /// Pages already committed by an earlier, interrupted run.
    pub pages_resumed: u32,
    /// 1-based numbers of pages that look blank (kept: the copy has the original's page count).
    pub blank_pages: Vec<u32>,
    /// Per page storage class (`colour`/`grey`/`bilevel`), when processed in this run.
    pub classes: Vec<&'static str>,
}

/// One unit of source: bytes of one file as stored (a PDF becomes one PNG per page).
struct Unit {
    bytes: Vec<u8>,
    ext: &'static str,
    label: String,
}

/// Expands directories (sorted, image/PDF files only, hidden and temporary files skipped).
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| DigitizeError::io(p, e))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.is_file() && is_source_name(f))
                .collect();
            v.sort();
            out.extend(v);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(DigitizeError::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
    }
    if out.is_empty() {
        return Err(DigitizeError::NoInput);
    }
    Ok(out)
}

/// True for names of image/PDF files that are not hidden or temporary.
pub fn is_source_name(f: &Path) -> bool {
    let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = f
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    !name.starts_with('.') && !name.starts_with('~') && IMAGE_EXTS.contains(&ext.as_str())
}

fn units_of(path: &Path, dpi: u32, work: &Path) -> Result<Vec<Unit>> {
    let bytes = std::fs::read(path).map_err(|e| DigitizeError::io(path, e))?;
    let label = path.display().to_string();
    if bytes.starts_with(b"%PDF-") {
        return rasterize_pdf(path, dpi, work)?
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                Ok(Unit {
                    bytes: b,
                    ext: "png",
                    label: format!("{label}#{}", i + 1),
                })
            })
            .collect();
    }
    let ext = match pages::detect_format(&bytes) {
        Ok(pages::SourceFormat::Jpeg) => "jpg",
        Ok(pages::SourceFormat::Png) => "png",
        Ok(pages::SourceFormat::Tiff) => "tif",
        Err(pages::PageError::Empty) | Err(pages::PageError::UnsupportedFormat) => {
            return Err(DigitizeError::Unsupported(path.to_path_buf()))
        }
        Err(e) => {
            return Err(DigitizeError::Page {
                file: label,
                page: 1,
                source: e,
            })
        }
    };
    Ok(vec![Unit { bytes, ext, label }])
}

/// Rasterizes every page of a PDF with `pdftoppm -r dpi -png`; PNG bytes in page order.
pub fn rasterize_pdf(path: &Path, dpi: u32, work: &Path) -> Result<Vec<Vec<u8>>> {
    let err = |d: String| DigitizeError::PdfRaster {
        file: path.to_path_buf(),
        detail: d,
    };
    let dir = work.join(crate::queue::new_id());
    std::fs::create_dir_all(&dir).map_err(|e| DigitizeError::io(&dir, e))?;
    let out = std::process::Command::new("pdftoppm")
        .arg("-r")
        .arg(dpi.to_string())
        .arg("-png")
        .arg(path)
        .arg(dir.join("p"))
        .output();
    let res = (|| {
        let out = out.map_err(|e| err(format!("pdftoppm: {e} (install poppler-utils)")))?;
        if !out.status.success() {
            return Err(err(String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| DigitizeError::io(&dir, e))?
            .flatten()
            .map(|e| e.path())
            .collect();
        // p-1.png, p-2.png … p-10.png: sort by the number.
        files.sort_by_key(|f| {
            f.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.rsplit('-').next())
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(u32::MAX)
        });
        if files.is_empty() {
            return Err(err("no page".into()));
        }
        files
            .iter()
            .map(|f| std::fs::read(f).map_err(|e| DigitizeError::io(f, e)))
            .collect()
    })();
    let _ = std::fs::remove_dir_all(&dir);
    res
}

fn decode(bytes: &[u8], label: &str, seq: u32, fallback: Option<f32>) -> Result<Vec<RawPage>> {
    pages::load_pages(bytes, fallback).map_err(|e| DigitizeError::Page {
        file: label.to_string(),
        page: seq as usize,
        source: e,
    })
}

/// How one input's pages are turned when the PDF is made (the clerk's orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PageOverride {
    /// Clockwise quarter turns applied to the stored pixels before processing (mod 4).
    pub quarter_turns: i32,
    /// Whether automatic orientation detection still runs afterwards (off when the clerk chose).
    pub auto_rotate: bool,
}

impl Default for PageOverride {
    fn default() -> Self {
        Self {
            quarter_turns: 0,
            auto_rotate: true,
        }
    }
}

/// Per-page processing options of an item, kept next to its sources (`page-options.json`) so
/// that a processing resumed after a crash ([`process_pending`]) turns the pages the same way.
pub const PAGE_OPTIONS_NAME: &str = "page-options.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
struct PageOptions {
    /// Non-default options by page number (seq).
    pages: std::collections::BTreeMap<u32, PageOverride>,
}

fn read_page_options(dir: &Path) -> Result<PageOptions> {
    let p = dir.join(PAGE_OPTIONS_NAME);
    match std::fs::read(&p) {
        Ok(b) => serde_json::from_slice(&b).map_err(|_| DigitizeError::FileAltered(p)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PageOptions::default()),
        Err(e) => Err(DigitizeError::io(&p, e)),
    }
}

/// Turns pixels `quarter_turns` × 90° clockwise (negative: counter-clockwise).
pub fn turn_image(img: &pages::PageImage, quarter_turns: i32) -> pages::PageImage {
    use image::imageops::{rotate180, rotate270, rotate90};
    use pages::PageImage as P;
    match (quarter_turns.rem_euclid(4), img) {
        (1, P::Rgb(i)) => P::Rgb(rotate90(i)),
        (2, P::Rgb(i)) => P::Rgb(rotate180(i)),
        (3, P::Rgb(i)) => P::Rgb(rotate270(i)),
        (1, P::Luma(i)) => P::Luma(rotate90(i)),
        (2, P::Luma(i)) => P::Luma(rotate180(i)),
        (3, P::Luma(i)) => P::Luma(rotate270(i)),
        _ => img.clone(),
    }
}

/// Ingests files into the queue: capture (resumable), then processing into the PDF.
pub fn ingest(q: &Queue, req: &IngestRequest) -> Result<IngestResult> {
    ingest_with(q, req, &[])
}

/// [`ingest`] with per-input orientation: `overrides[i]` applies to every page of the i-th
/// file after directories are expanded (empty: automatic orientation everywhere). The options
/// are stored with the item before it is marked captured and are applied by [`process_item`].
pub fn ingest_with(
    q: &Queue,
    req: &IngestRequest,
    overrides: &[PageOverride],
) -> Result<IngestResult> {
    let files = expand_inputs(&req.inputs)?;
    if !overrides.is_empty() && overrides.len() != files.len() {
        return Err(DigitizeError::Invalid(format!(
            "{} page options for {} files",
            overrides.len(),
            files.len()
        )));
    }
    let item = q.get_or_create(&req.item)?;
    let work = q.root().join("work");
    let committed = q.pages(&item.id)?;
    let resumed = committed.len() as u32;
    if item.reused_from.is_some() {
        return Err(DigitizeError::Conflict {
            ma_ho_so: item.ma_ho_so,
            component: item.component_id,
        });
    }
    let conflict = || DigitizeError::Conflict {
        ma_ho_so: item.ma_ho_so.clone(),
        component: item.component_id.clone(),
    };
    // Capture: each source file's pages are committed together, after the file.
    let mut seq = 1u32;
    let mut options = PageOptions::default();
    for (fi, f) in files.iter().enumerate() {
        let ov = overrides.get(fi).copied().unwrap_or_default();
        for u in units_of(f, item.target_dpi, &work)? {
            let sha = crate::sha256_hex(&u.bytes);
            let first = committed.iter().find(|p| p.seq == seq);
            let n = match first {
                Some(p) => {
                    if p.source_key != format!("{sha}:0") {
                        return Err(conflict());
                    }
                    // The pages of one stored source file (its name carries its first seq).
                    committed.iter().filter(|q| q.file == p.file).count() as u32
                }
                None => {
                    if item.state != State::Capturing {
                        return Err(conflict());
                    }
                    let n = decode(&u.bytes, &u.label, seq, req.fallback_dpi)?.len() as u32;
                    q.add_source(&item.id, seq, &u.bytes, u.ext, n)?;
                    n
                }
            };
            if ov != PageOverride::default() {
                for s in seq..seq + n {
                    options.pages.insert(s, ov);
                }
            }
            seq += n;
        }
    }
    let total = seq - 1;
    if q.pages(&item.id)?.len() as u32 != total {
        return Err(conflict());
    }
    // Options are durable before the item can be processed (also by `process_pending`).
    if matches!(q.item(&item.id)?.state, State::Capturing | State::Captured) {
        let dir = q.item_dir(&item.id);
        let old = read_page_options(&dir).ok();
        if old.as_ref() != Some(&options) {
            let json = serde_json::to_vec(&options)
                .map_err(|e| DigitizeError::Invalid(e.to_string()))?;
            fsio::write_atomic(&dir.join(PAGE_OPTIONS_NAME), &json)?;
        }
    }
    if item.state == State::Capturing {
        q.mark_captured(&item.id)?;
    }
    let mut result = IngestResult {
        item_id: item.id.clone(),
        state: State::Captured,
        pdf: None,
        pages: total,
        dpi: item.target_dpi,
        bytes: None,
        sha256: None,
        pages_resumed: resumed,
        blank_pages: Vec::new(),
        classes: Vec::new(),
    };
    if q.item(&item.id)?.state == State::Captured {
        let p = process_item(q, &item.id, req.fallback_dpi, req.threads)?;
        result.blank_pages = p.blank_pages;
        result.classes = p.classes;
    }
    let it = q.item(&item.id)?;
    result.state = it.state;
    result.pdf = it.pdf;
    result.bytes = it.bytes;
    result.sha256 = it.sha256;
    Ok(result)
}

/// What processing found.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    /// Blank-looking pages (1-based).
    pub blank_pages: Vec<u32>,
    /// Storage class per page.
    pub classes: Vec<&'static str>,
}

fn class_name(c: PageClass) -> &'static str {
    match c {
        PageClass::Colour => "colour",
        PageClass::Grey => "grey",
        PageClass::Bilevel => "bilevel",
    }
}

/// `captured` → `processed`: renders the committed pages and writes the PDF. Deterministic
/// (the PDF's dates are the received time), so a rerun after a crash writes the same bytes.
pub fn process_item(
    q: &Queue,
    id: &str,
    fallback_dpi: Option<f32>,
    threads: usize,
) -> Result<Processed> {
    let item = q.item(id)?;
    if item.state != State::Captured {
        return Ok(Processed::default());
    }
    let rows = q.pages(id)?;
    let dir = q.item_dir(id);
    let base = pages::Config {
        target_dpi: item.target_dpi as f32,
        ..Default::default()
    };
    let options = read_page_options(&dir)?;
    let mut cfg = base.clone();
    let mut done = Vec::with_capacity(rows.len());
    let mut out = Processed::default();
    let mut cache: Option<(String, Vec<RawPage>)> = None;
    let mut batch: Vec<RawPage> = Vec::new();
    let flush = |batch: &mut Vec<RawPage>,
                 done: &mut Vec<pages::ProcessedPage>,
                 cfg: &pages::Config|
     -> Result<()> {
        let first = done.len();
        for (i, r) in pages::process_all(batch, cfg, threads.max(1)).into_iter().enumerate() {
            done.push(r.map_err(|e| DigitizeError::Page {
                file: String::new(),
                page: first + i + 1,
                source: e,
            })?);
        }
        batch.clear();
        Ok(())
    };
    for r in &rows {
        if cache.as_ref().map(|c| &c.0) != Some(&r.file) {
            let path = dir.join(&r.file);
            let b = std::fs::read(&path).map_err(|e| DigitizeError::io(&path, e))?;
            if crate::sha256_hex(&b) != r.file_sha256 {
                return Err(DigitizeError::FileAltered(path));
            }
            cache = Some((r.file.clone(), decode(&b, &r.file, r.seq, fallback_dpi)?));
        }
        let Some((_, raw)) = cache.as_ref() else {
            continue;
        };
        let page = raw
            .get(r.page_index as usize)
            .ok_or_else(|| DigitizeError::FileAltered(dir.join(&r.file)))?;
        let ov = options.pages.get(&r.seq).copied().unwrap_or_default();
        let page_cfg = pages::Config {
            auto_rotate: ov.auto_rotate,
            ..base.clone()
        };
        // A batch shares one configuration.
        if page_cfg.auto_rotate != cfg.auto_rotate {
            flush(&mut batch, &mut done, &cfg)?;
            cfg = page_cfg;
        }
        if ov.quarter_turns.rem_euclid(4) == 0 {
            batch.push(page.clone());
        } else {
            batch.push(RawPage {
                image: turn_image(&page.image, ov.quarter_turns),
                dpi: page.dpi,
            });
        }
        if batch.len() >= 4 {
            flush(&mut batch, &mut done, &cfg)?;
        }
    }
    flush(&mut batch, &mut done, &cfg)?;
    for (i, p) in done.iter().enumerate() {
        if p.analysis.blank {
            out.blank_pages.push(i as u32 + 1);
        }
        out.classes.push(class_name(p.class));
    }
    let vn = FixedOffset::east_opt(7 * 3600).ok_or_else(|| DigitizeError::Invalid("offset".into()))?;
    let received = item.received_at.with_timezone(&vn);
    let meta = pdfdoc::DocumentMeta {
        ma_ho_so: item.ma_ho_so.clone(),
        thu_tuc: item.procedure.clone(),
        thanh_phan: item.component_id.clone(),
        can_bo: item.clerk.clone(),
        received_at: received,
        created_at: received,
        title: None,
    };
    let w = pdfdoc::write_pdf(&done, &meta, &pdfdoc::PdfOptions::default())?;
    q.commit_pdf(id, &w.bytes, &pdfdoc::hex(&w.sha256))?;
    Ok(out)
}

/// Processes every `captured` item (after a crash, or a capture done elsewhere).
pub fn process_pending(q: &Queue, threads: usize) -> Result<Vec<Item>> {
    let mut v = Vec::new();
    for it in q.in_state(State::Captured)? {
        process_item(q, &it.id, None, threads)?;
        v.push(q.item(&it.id)?);
    }
    Ok(v)
}
