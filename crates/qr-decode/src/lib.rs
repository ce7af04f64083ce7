//! Find and decode a QR code in a grey camera frame.
//!
//! Engine: `rxing` (pure-Rust port of ZXing, its zxing-cpp QR detector) fed by our own binariser
//! (bit-identical to rxing's `HybridBinarizer`, about 4× faster); `rqrr` is available as an
//! option. Both check Reed–Solomon ECC and the format information, so a returned payload has
//! passed ECC. Around the engine we add what webcam frames need: reduced frames (speed, blur,
//! noise), upscaled crops around likely small-code regions, unsharp masks (defocus, motion blur),
//! local contrast normalisation (low light, low contrast). Passes are tried cheapest first and
//! stop at the first success. See ARCHITECTURE.md ("QR identity") for measured figures.

mod binarizer;
pub(crate) mod passes;
pub mod synth;

use image::DynamicImage;

pub use passes::Pass;

/// Which library decoded the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Rxing,
    Rqrr,
}

/// A decoded QR code.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decoded {
    /// The payload as text (UTF-8; invalid sequences replaced by U+FFFD).
    pub text: String,
    /// The payload bytes (for a UTF-8 payload, exactly the encoded bytes).
    pub bytes: Vec<u8>,
    pub engine: Engine,
    /// Which preprocessing pass found it.
    pub pass: Pass,
    /// Corner / finder points in frame coordinates, as reported by the engine.
    pub points: Vec<(f32, f32)>,
}

/// Which engines and passes to run; [`Options::default`] is the product setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// All preprocessing passes (false: only the engines on the frame as given).
    pub passes: bool,
    pub rxing: bool,
    pub rqrr: bool,
}

impl Default for Options {
    /// All passes with rxing. rqrr is off: as a last fallback it decoded no frame that the passes
    /// missed on 600 test frames, and cost ~17 ms on every miss.
    fn default() -> Self {
        Options {
            passes: true,
            rxing: true,
            rqrr: false,
        }
    }
}

impl Options {
    /// Baselines for the benchmark: one engine on the frame as given.
    pub fn rxing_plain() -> Self {
        Options {
            passes: false,
            rxing: true,
            rqrr: false,
        }
    }
    pub fn rqrr_plain() -> Self {
        Options {
            passes: false,
            rxing: false,
            rqrr: true,
        }
    }
}

/// Decode the first QR code found in a grey frame (`luma` row-major, `width`×`height`, extra
/// bytes ignored). `None` when there is no readable code, or when the buffer is too small.
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Option<Decoded> {
    decode_luma_with(&Options::default(), width, height, luma)
}

/// [`decode_luma`] with chosen engines and passes.
pub fn decode_luma_with(opts: &Options, width: u32, height: u32, luma: &[u8]) -> Option<Decoded> {
    let n = usize::try_from(u64::from(width) * u64::from(height)).ok()?;
    if width < 21 || height < 21 || luma.len() < n {
        return None;
    }
    let frame = passes::Gray {
        w: width as usize,
        h: height as usize,
        data: &luma[..n],
    };
    passes::run(opts, &frame)
}

/// An image file that could not be turned into a grey frame.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot decode image {path}: {message}")]
    Format { path: String, message: String },
}

impl LoadError {
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "image_unreadable",
            LoadError::Format { .. } => "image_format",
        }
    }
    pub fn message_vi(&self) -> String {
        match self {
            LoadError::Io { path, .. } => {
                format!("Không đọc được tệp \"{path}\". Kiểm tra đường dẫn và quyền truy cập rồi thử lại.")
            }
            LoadError::Format { path, .. } => format!(
                "Tệp \"{path}\" không phải ảnh hợp lệ (hỗ trợ PNG, JPEG). Hãy chụp lại hoặc chọn đúng tệp ảnh."
            ),
        }
    }
}

/// Load an image file (PNG or JPEG) as an 8-bit grey frame.
pub fn load_gray(path: &std::path::Path) -> Result<image::GrayImage, LoadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: shown.clone(),
        source,
    })?;
    let img = image::load_from_memory(&bytes).map_err(|e| LoadError::Format {
        path: shown,
        message: e.to_string(),
    })?;
    Ok(img.to_luma8())
}

/// Experiment hooks for the probe example; not a stable API.
#[doc(hidden)]
pub mod probe {
    pub use crate::passes::{
        box3, half, normalize_local, resize_area, rqrr, rxing, rxing_with, small_code_regions,
        small_code_regions_with, two_thirds, unsharp, upscale2, Gray, Owned,
    };
}

/// Decode from any image (converted to 8-bit grey first).
pub fn decode_image(img: &DynamicImage) -> Option<Decoded> {
    let g = img.to_luma8();
    decode_luma(g.width(), g.height(), g.as_raw())
}
