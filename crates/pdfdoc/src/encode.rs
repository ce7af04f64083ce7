//! Page encodings: CCITT G4 bilevel, baseline JPEG, and MRC (mixed raster content) layers.

use crate::PdfError;
use image::{GrayImage, RgbImage};

/// A bilevel bitmap, `true` = ink (black).
pub struct Bitmap {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major pixels.
    pub bits: Vec<bool>,
}

/// Otsu threshold of a grey histogram, kept in [90, 200] so a page of nearly only paper or
/// only ink does not flip.
pub fn otsu(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0u64, 0f64, 0f64, 160u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c;
        sum0 += t as f64 * c as f64;
        if w0 == 0 || w0 == total {
            continue;
        }
        let w1 = total - w0;
        let m0 = sum0 / w0 as f64;
        let m1 = (sum_all - sum0) / w1 as f64;
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t.clamp(90, 200)
}

/// Grey page → bilevel by a global Otsu threshold.
pub fn binarize_grey(g: &GrayImage) -> Bitmap {
    let mut hist = [0u64; 256];
    g.as_raw().iter().for_each(|&p| hist[p as usize] += 1);
    let t = otsu(&hist);
    Bitmap {
        width: g.width(),
        height: g.height(),
        bits: g.as_raw().iter().map(|&p| p <= t).collect(),
    }
}

/// CCITT Group 4 (T.6) stream: `/CCITTFaxDecode` with `/K -1`, `/BlackIs1 false`.
pub fn g4(bm: &Bitmap) -> Vec<u8> {
    use fax::{encoder::Encoder, Color, VecWriter};
    let w = bm.width as usize;
    let mut enc = Encoder::new(VecWriter::with_capacity(bm.bits.len() / 8));
    for row in bm.bits.chunks_exact(w) {
        let pels = row
            .iter()
            .map(|&b| if b { Color::Black } else { Color::White });
        // VecWriter never fails (Infallible).
        let _ = enc.encode_line(pels, bm.width);
    }
    match enc.finish() {
        Ok(w) => w.finish(),
        Err(never) => match never {},
    }
}

/// Baseline JPEG of an RGB or grey buffer.
pub fn jpeg(
    data: &[u8],
    width: u32,
    height: u32,
    rgb: bool,
    quality: u8,
) -> Result<Vec<u8>, PdfError> {
    if width > u16::MAX as u32 || height > u16::MAX as u32 {
        return Err(PdfError::ImageTooLarge { width, height });
    }
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    if rgb {
        enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    }
    let ct = if rgb {
        jpeg_encoder::ColorType::Rgb
    } else {
        jpeg_encoder::ColorType::Luma
    };
    enc.encode(data, width as u16, height as u16, ct)
        .map_err(|e| PdfError::Encode(e.to_string()))?;
    Ok(out)
}

/// MRC layers of a colour page.
pub struct Mrc {
    /// Full-resolution ink mask.
    pub mask: Bitmap,
    /// Background (paper, light colour), reduced by `bg_factor`.
    pub bg: RgbImage,
    /// Ink colours (black text, red stamp, blue signature), reduced by `fg_factor`.
    pub fg: RgbImage,
}

/// Splits a colour page: ink mask (dark or strongly coloured pixels), background averaged
/// over pixels away from ink, foreground averaged over ink cores.
pub fn mrc_layers(img: &RgbImage, bg_factor: u32, fg_factor: u32) -> Mrc {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.as_raw();
    let mut hist = [0u64; 256];
    let lum: Vec<u8> = px
        .chunks_exact(3)
        .map(|p| {
            let l = ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8;
            hist[l as usize] += 1;
            l
        })
        .collect();
    let t = otsu(&hist);
    let bits: Vec<bool> = px
        .chunks_exact(3)
        .zip(&lum)
        .map(|(p, &l)| {
            let chroma = p[0].max(p[1]).max(p[2]) - p[0].min(p[1]).min(p[2]);
            l <= t || (chroma >= 90 && l < 200)
        })
        .collect();
    // Pixels next to ink (3×3) are neither clean background nor clean ink.
    let mut near = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if bits[y * w + x] {
                for yy in y.saturating_sub(1)..(y + 2).min(h) {
                    for xx in x.saturating_sub(1)..(x + 2).min(w) {
                        near[yy * w + xx] = true;
                    }
                }
            }
        }
    }
    let average =
        |k: usize, pick: &dyn Fn(usize) -> bool| -> (Vec<Option<[u8; 3]>>, usize, usize) {
            let (bw, bh) = (w.div_ceil(k), h.div_ceil(k));
            let mut acc = vec![[0u32; 4]; bw * bh];
            for y in 0..h {
                let brow = (y / k) * bw;
                for x in 0..w {
                    let i = y * w + x;
                    if pick(i) {
                        let a = &mut acc[brow + x / k];
                        a[0] += px[i * 3] as u32;
                        a[1] += px[i * 3 + 1] as u32;
                        a[2] += px[i * 3 + 2] as u32;
                        a[3] += 1;
                    }
                }
            }
            let cells = acc
                .iter()
                .map(|a| {
                    (a[3] > 0).then(|| {
                        [
                            (a[0] / a[3]) as u8,
                            (a[1] / a[3]) as u8,
                            (a[2] / a[3]) as u8,
                        ]
                    })
                })
                .collect();
            (cells, bw, bh)
        };
    // Background: clean paper pixels; empty cells take the page's paper colour.
    let (cells, bw, bh) = average(bg_factor as usize, &|i| !near[i]);
    let known: Vec<[u8; 3]> = cells.iter().flatten().cloned().collect();
    let paper = if known.is_empty() {
        [255, 255, 255]
    } else {
        let n = known.len() as u32;
        let s = known.iter().fold([0u32; 3], |s, c| {
            [s[0] + c[0] as u32, s[1] + c[1] as u32, s[2] + c[2] as u32]
        });
        [(s[0] / n) as u8, (s[1] / n) as u8, (s[2] / n) as u8]
    };
    let bg_data: Vec<u8> = cells.iter().flat_map(|c| c.unwrap_or(paper)).collect();
    let bg = RgbImage::from_raw(bw as u32, bh as u32, bg_data).unwrap_or_default();
    // Foreground: ink cores (well below the threshold) where there are any, else all ink.
    let core_t = t.saturating_sub(40);
    let (core, fw, fh) = average(fg_factor as usize, &|i| bits[i] && lum[i] <= core_t);
    let (all, _, _) = average(fg_factor as usize, &|i| bits[i]);
    let mut cells: Vec<Option<[u8; 3]>> = core.into_iter().zip(all).map(|(c, a)| c.or(a)).collect();
    // Neutral ink (black/grey text) takes one page-wide colour: sharper text and an almost
    // constant layer; coloured ink (stamp, signature) keeps its own cells.
    let neutral = |c: &[u8; 3]| c.iter().max().unwrap_or(&0) - c.iter().min().unwrap_or(&0) < 40;
    let (mut sum, mut n) = ([0u64; 3], 0u64);
    for c in cells.iter().flatten().filter(|c| neutral(c)) {
        (0..3).for_each(|i| sum[i] += c[i] as u64);
        n += 1;
    }
    if let (Some(r), Some(g), Some(b)) = (
        sum[0].checked_div(n),
        sum[1].checked_div(n),
        sum[2].checked_div(n),
    ) {
        let ink = [r as u8, g as u8, b as u8];
        cells
            .iter_mut()
            .flatten()
            .filter(|c| neutral(c))
            .for_each(|c| *c = ink);
    }
    // Empty cells copy a neighbour (smooth for JPEG; they are masked out anyway).
    for y in 0..fh {
        for x in 1..fw {
            if cells[y * fw + x].is_none() {
                cells[y * fw + x] = cells[y * fw + x - 1];
            }
        }
        for x in (0..fw.saturating_sub(1)).rev() {
            if cells[y * fw + x].is_none() {
                cells[y * fw + x] = cells[y * fw + x + 1];
            }
        }
    }
    for y in 1..fh {
        for x in 0..fw {
            if cells[y * fw + x].is_none() {
                cells[y * fw + x] = cells[(y - 1) * fw + x];
            }
        }
    }
    for y in (0..fh.saturating_sub(1)).rev() {
        for x in 0..fw {
            if cells[y * fw + x].is_none() {
                cells[y * fw + x] = cells[(y + 1) * fw + x];
            }
        }
    }
    let fg_data: Vec<u8> = cells.iter().flat_map(|c| c.unwrap_or([0, 0, 0])).collect();
    let fg = RgbImage::from_raw(fw as u32, fh as u32, fg_data).unwrap_or_default();
    Mrc {
        mask: Bitmap {
            width: w as u32,
            height: h as u32,
            bits,
        },
        bg,
        fg,
    }
}
