//! One affine warp: crop + deskew + quarter turns + resampling.

use crate::{luma, Analysis, PageClass, PageImage, RawPage};
use image::{GrayImage, RgbImage};
use std::borrow::Cow;

/// Integer box reduction by `k` (prefilter before bilinear when shrinking ≥ 2×).
pub(crate) fn box_reduce(img: &PageImage, k: u32) -> PageImage {
    let (w, h) = (img.width().div_ceil(k), img.height().div_ceil(k));
    let ch = if matches!(img, PageImage::Rgb(_)) {
        3
    } else {
        1
    };
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    let src: &[u8] = match img {
        PageImage::Rgb(c) => c.as_raw(),
        PageImage::Luma(g) => g.as_raw(),
    };
    let k = k as usize;
    let mut out = vec![0u8; w as usize * h as usize * ch];
    let mut acc = vec![0u32; w as usize * ch];
    for oy in 0..h as usize {
        acc.iter_mut().for_each(|a| *a = 0);
        let ys = oy * k..((oy + 1) * k).min(sh);
        let rows = ys.len() as u32;
        for sy in ys {
            let row = &src[sy * sw * ch..(sy + 1) * sw * ch];
            for sx in 0..sw {
                for c in 0..ch {
                    acc[(sx / k) * ch + c] += row[sx * ch + c] as u32;
                }
            }
        }
        for ox in 0..w as usize {
            let cols = (((ox + 1) * k).min(sw) - ox * k) as u32;
            let n = (rows * cols).max(1);
            for c in 0..ch {
                out[(oy * w as usize + ox) * ch + c] = ((acc[ox * ch + c] + n / 2) / n) as u8;
            }
        }
    }
    match ch {
        3 => PageImage::Rgb(RgbImage::from_raw(w, h, out).unwrap_or_default()),
        _ => PageImage::Luma(GrayImage::from_raw(w, h, out).unwrap_or_default()),
    }
}

/// Renders the page at `target_dpi` in the straightened, cropped frame of `analysis`:
/// RGB for [`PageClass::Colour`] (when the source has colour), grey otherwise. Pixels outside
/// the scan are white.
pub fn render(page: &RawPage, analysis: &Analysis, class: PageClass, target_dpi: f32) -> PageImage {
    let crop = analysis.crop;
    let mut s = page.dpi / target_dpi; // source px per output px
    let ow = ((crop.width / s).round() as u32).max(1);
    let oh = ((crop.height / s).round() as u32).max(1);
    let k = if s >= 2.0 { s.floor() as u32 } else { 1 };
    let src: Cow<PageImage> = if k > 1 {
        Cow::Owned(box_reduce(&page.image, k))
    } else {
        Cow::Borrowed(&page.image)
    };
    // A grey result from a colour scan: convert once, then interpolate one channel instead
    // of three (luma is linear, so this differs from luma-after-interpolation by rounding).
    let want_rgb = class == PageClass::Colour && matches!(*src, PageImage::Rgb(_));
    let src: Cow<PageImage> = if !want_rgb && matches!(*src, PageImage::Rgb(_)) {
        Cow::Owned(PageImage::Luma(src.to_luma()))
    } else {
        src
    };
    let kf = k as f32;
    s /= kf;
    let (u0, v0) = (crop.u0 / kf, crop.v0 / kf);
    let a = analysis.orientation.angle_deg().to_radians();
    let (sa, ca) = a.sin_cos();
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let ch = if matches!(*src, PageImage::Rgb(_)) {
        3
    } else {
        1
    };
    let data: &[u8] = match &*src {
        PageImage::Rgb(c) => c.as_raw(),
        PageImage::Luma(g) => g.as_raw(),
    };
    let out_ch = if want_rgb { 3 } else { 1 };
    let mut out = vec![255u8; ow as usize * oh as usize * out_ch];
    // Straightened frame → source: x = u·cos a − v·sin a, y = u·sin a + v·cos a.
    let (dxu, dyu) = (ca * s, sa * s);
    let mut px = [0f32; 3];
    for oy in 0..oh as usize {
        let v = v0 + (oy as f32 + 0.5) * s;
        let u = u0 + 0.5 * s;
        let mut x = u * ca - v * sa - 0.5;
        let mut y = u * sa + v * ca - 0.5;
        let row = &mut out[oy * ow as usize * out_ch..(oy + 1) * ow as usize * out_ch];
        for ox in 0..ow as usize {
            if x >= 0.0 && y >= 0.0 && x <= (sw - 1) as f32 && y <= (sh - 1) as f32 {
                let (x0, y0) = (x as usize, y as usize);
                let (x1, y1) = ((x0 + 1).min(sw - 1), (y0 + 1).min(sh - 1));
                let (fx, fy) = (x - x0 as f32, y - y0 as f32);
                let i00 = (y0 * sw + x0) * ch;
                let i01 = (y0 * sw + x1) * ch;
                let i10 = (y1 * sw + x0) * ch;
                let i11 = (y1 * sw + x1) * ch;
                for c in 0..ch {
                    let top =
                        data[i00 + c] as f32 + (data[i01 + c] as f32 - data[i00 + c] as f32) * fx;
                    let bot =
                        data[i10 + c] as f32 + (data[i11 + c] as f32 - data[i10 + c] as f32) * fx;
                    px[c] = top + (bot - top) * fy + 0.5;
                }
                if out_ch == 3 {
                    row[ox * 3] = px[0] as u8;
                    row[ox * 3 + 1] = px[1] as u8;
                    row[ox * 3 + 2] = px[2] as u8;
                } else if ch == 3 {
                    row[ox] = luma(px[0] as u8, px[1] as u8, px[2] as u8);
                } else {
                    row[ox] = px[0] as u8;
                }
            }
            x += dxu;
            y += dyu;
        }
    }
    if out_ch == 3 {
        PageImage::Rgb(RgbImage::from_raw(ow, oh, out).unwrap_or_default())
    } else {
        PageImage::Luma(GrayImage::from_raw(ow, oh, out).unwrap_or_default())
    }
}
