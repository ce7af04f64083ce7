//! Page processing for digitized copies (bản số hóa) made at the one-stop counter.
//!
//! Pure code: bytes or decoded pixels in, processed pixels and measurements out. The pipeline
//! for one scanned page is:
//!
//! 1. [`load_pages`]: JPEG, PNG or multi-page TIFF, with the resolution the file records;
//! 2. [`analyze`] on a ~150 dpi grey/chroma copy: scanner-lid border (dark background, or a
//!    white lid: paper edge line + lid/paper tone, never cropping into ink) → paper box, skew (projection profile of ink on text lines, ±15°), orientation (0/90/180/270: text
//!    line direction, then ascender/diacritic vs descender asymmetry for upside-down), blank
//!    detection (noise- and show-through-tolerant), class colour / grey / bilevel;
//! 3. [`render`]: one affine warp (crop + deskew + quarter turns + resampling to the configured
//!    dpi, bilinear, box prefilter when shrinking ≥ 2×), RGB for colour pages, grey otherwise;
//! 4. [`thumbnail_jpeg`] for the UI.
//!
//! Camera photos (phone, webcam) of a document on a desk go through [`camera_page`] /
//! [`camera_capture`] first: paper quadrilateral found, perspective removed, paper size guessed
//! from the corrected aspect ratio, and the photo's *real* pixel density reported as the dpi
//! (no upsampling: a webcam shot is usually below 200 dpi and [`process`] then refuses it).
//!
//! Legal frame (recorded here because the thresholds come from it):
//! - Nghị định 30/2020/NĐ-CP, Phụ lục I (bản sao điện tử / số hóa): PDF 1.4 or later, colour
//!   images, resolution ≥ 200 dpi, digitization scale 100 %. Hence [`MIN_LEGAL_DPI`], no
//!   upsampling of scans below the target (error [`PageError::DpiTooLow`]), and output pixel
//!   sizes that keep the paper's physical size at the output dpi.
//! - Thông tư 01/2023/TT-VPCP: the digitized copy has the same number of pages as the original,
//!   in order. Hence blank detection only *reports* ([`Analysis::blank`]); dropping a page is a
//!   decision for the clerk, never for this crate.
//!
//! Classification keeps colour whenever there is coloured ink (red stamp, blue signature):
//! such a page must stay colour. Text-only pages may be stored bilevel (CCITT G4) by the PDF
//! writer; a caller that wants every page in colour sets [`Config::force_class`].

#![warn(missing_docs)]

mod analyze;
mod camera;
mod error;
mod lid;
mod load;
pub mod testpage;
mod warp;

pub use analyze::{analyze, Analysis, CropBox, LidKind, Orientation};
pub use camera::{
    camera_capture, camera_from_image, camera_page, CameraConfig, CameraPage, PaperSize,
};
pub use error::PageError;
pub use load::{detect_format, load_pages, SourceFormat};
pub use warp::render;

use image::{GrayImage, RgbImage};

/// Largest accepted page, in pixels (A3 at 600 dpi is 70 Mpx).
pub const MAX_PIXELS: u64 = 120_000_000;
/// Minimum resolution of a digitized copy (Nghị định 30/2020, Phụ lục I).
pub const MIN_LEGAL_DPI: f32 = 200.0;

/// Decoded pixels of one page.
#[derive(Debug, Clone)]
pub enum PageImage {
    /// 8-bit RGB.
    Rgb(RgbImage),
    /// 8-bit grey.
    Luma(GrayImage),
}

impl PageImage {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        match self {
            Self::Rgb(i) => i.width(),
            Self::Luma(i) => i.width(),
        }
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        match self {
            Self::Rgb(i) => i.height(),
            Self::Luma(i) => i.height(),
        }
    }
    /// Grey copy (ITU-R BT.601 weights).
    pub fn to_luma(&self) -> GrayImage {
        match self {
            Self::Luma(g) => g.clone(),
            Self::Rgb(c) => {
                let mut g = GrayImage::new(c.width(), c.height());
                for (d, s) in g.as_mut().iter_mut().zip(c.as_raw().chunks_exact(3)) {
                    *d = luma(s[0], s[1], s[2]);
                }
                g
            }
        }
    }
}

#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// A page as scanned, with its resolution.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// Pixels.
    pub image: PageImage,
    /// Resolution in dots per inch (same horizontally and vertically).
    pub dpi: f32,
}

impl RawPage {
    /// Checks size and resolution.
    pub fn new(image: PageImage, dpi: f32) -> Result<Self, PageError> {
        load::check_size(image.width(), image.height())?;
        if !dpi.is_finite() || !(20.0..=4800.0).contains(&dpi) {
            return Err(PageError::NoDpi);
        }
        Ok(Self { image, dpi })
    }
}

/// How a page is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageClass {
    /// Coloured content (stamp, signature, photo): RGB.
    Colour,
    /// Continuous-tone grey content (photo, shading) without colour: grey.
    Grey,
    /// Black text and lines on paper: bilevel.
    Bilevel,
}

/// Processing settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Output resolution; at least [`MIN_LEGAL_DPI`].
    pub target_dpi: f32,
    /// Crop to the paper when the scan shows a lid border: dark lid, or a white lid when the
    /// paper edge and the lid/paper tone difference are both clear (never when unsure).
    pub auto_crop: bool,
    /// Straighten skew up to ±15°.
    pub deskew: bool,
    /// Turn pages scanned sideways or upside down.
    pub auto_rotate: bool,
    /// Store every page in this class instead of the detected one.
    pub force_class: Option<PageClass>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            target_dpi: MIN_LEGAL_DPI,
            auto_crop: true,
            deskew: true,
            auto_rotate: true,
            force_class: None,
        }
    }
}

/// A processed page, ready for the PDF writer.
#[derive(Debug, Clone)]
pub struct ProcessedPage {
    /// Pixels at `dpi`: RGB for [`PageClass::Colour`], grey otherwise.
    pub image: PageImage,
    /// Output resolution.
    pub dpi: f32,
    /// Storage class (detected or forced).
    pub class: PageClass,
    /// What the analysis found.
    pub analysis: Analysis,
}

impl ProcessedPage {
    /// Physical size in PDF points (1/72 inch) at 100 % scale.
    pub fn size_pt(&self) -> (f32, f32) {
        (
            self.image.width() as f32 * 72.0 / self.dpi,
            self.image.height() as f32 * 72.0 / self.dpi,
        )
    }
}

/// Analyses and renders one page.
pub fn process(page: &RawPage, config: &Config) -> Result<ProcessedPage, PageError> {
    if !config.target_dpi.is_finite() || config.target_dpi < MIN_LEGAL_DPI {
        return Err(PageError::TargetDpiBelowMinimum(config.target_dpi));
    }
    // Allow 2 % tolerance: scanners write 199.99 or 72/2.54-rounded values.
    if page.dpi < config.target_dpi * 0.98 {
        return Err(PageError::DpiTooLow {
            source_dpi: page.dpi,
            required_dpi: config.target_dpi,
        });
    }
    let analysis = analyze(page, config);
    Ok(finish(page, analysis, config))
}

/// The render step of [`process`] for an analysis already made (benchmarks time the two
/// steps apart). Does not repeat [`process`]'s resolution checks.
pub fn finish(page: &RawPage, analysis: Analysis, config: &Config) -> ProcessedPage {
    let class = config.force_class.unwrap_or(analysis.class);
    let class = match (&page.image, class) {
        (PageImage::Luma(_), PageClass::Colour) => PageClass::Grey,
        (_, c) => c,
    };
    let image = render(page, &analysis, class, config.target_dpi);
    ProcessedPage {
        image,
        dpi: config.target_dpi,
        class,
        analysis,
    }
}

/// Processes pages on up to `threads` scoped worker threads; results keep the page order.
pub fn process_all(
    pages: &[RawPage],
    config: &Config,
    threads: usize,
) -> Vec<Result<ProcessedPage, PageError>> {
    par_map(pages, threads, |p| process(p, config))
}

/// `items.iter().map(f)` on up to `threads` scoped worker threads (items dealt round-robin);
/// the results keep the items' order. A worker panic is a bug: it is re-raised rather than
/// losing pages silently.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    let mut indexed: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    items
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, x)| (i, f(x)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    indexed.sort_by_key(|(i, _)| *i);
    indexed.into_iter().map(|(_, r)| r).collect()
}

/// JPEG thumbnail `width` pixels wide (height keeps the aspect ratio), quality 80.
pub fn thumbnail_jpeg(image: &PageImage, width: u32) -> Result<Vec<u8>, PageError> {
    let width = width.clamp(16, image.width().max(16));
    let height = ((image.height() as u64 * width as u64) / image.width() as u64).max(1) as u32;
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    let res = match image {
        PageImage::Rgb(c) => enc.encode_image(&image::imageops::thumbnail(c, width, height)),
        PageImage::Luma(g) => enc.encode_image(&image::imageops::thumbnail(g, width, height)),
    };
    res.map_err(|e| PageError::Thumbnail(e.to_string()))?;
    Ok(out)
}
