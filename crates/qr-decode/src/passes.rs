//! Preprocessing passes and the two engines.

use crate::{Decoded, Engine, Options};
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Reader};
use std::collections::HashSet;

/// The pass that found a code (reported in [`Decoded::pass`] and by the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// rxing on the frame as given.
    Full,
    /// rxing on the frame at 2/3 size (area average): fast, and most codes are big enough.
    TwoThirds,
    /// rxing on the frame halved (2×2 box): blur, noise and JPEG artefacts average out.
    Half,
    /// rqrr on the frame as given.
    RqrrFull,
    /// rxing on the denoised frame with local contrast stretching.
    Stretched,
    /// rxing on the frame after a 3×3 box blur and an unsharp mask (band-pass).
    Denoised,
    /// rxing on the halved frame after an unsharp mask (defocus, motion blur).
    Sharpened,
    /// Crops around code-like regions, upscaled.
    Crop,
}

pub struct Gray<'a> {
    pub w: usize,
    pub h: usize,
    pub data: &'a [u8],
}

#[derive(Clone)]
pub struct Owned {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
}

impl Owned {
    pub fn view(&self) -> Gray<'_> {
        Gray {
            w: self.w,
            h: self.h,
            data: &self.data,
        }
    }
}

fn utf8_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// rxing (zxing-cpp QR detector first, then the Java one). `scale`/`off` map points back.
pub fn rxing(g: &Gray<'_>, pass: Pass, scale: f32, off: (f32, f32)) -> Option<Decoded> {
    rxing_with(g, pass, scale, off, true)
}

/// [`rxing`] with a choice of TryHarder (every third row scanned for finder patterns).
pub fn rxing_with(
    g: &Gray<'_>,
    pass: Pass,
    scale: f32,
    off: (f32, f32),
    try_harder: bool,
) -> Option<Decoded> {
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    // The zxing-cpp port only: the Java-port fallback of MultiFormatReader doubles the time of
    // every failing pass and found nothing more on our corpora.
    // Our binariser gives the same bits as rxing's HybridBinarizer in about a quarter of the time.
    let bin = crate::binarizer::BlockBinarizer::new(g.data, g.w, g.h)?;
    let mut bitmap = BinaryBitmap::new(bin);
    let r = rxing::qrcode::cpp_port::QrReader
        .decode_with_hints(&mut bitmap, &hints)
        .ok()?;
    if *r.getBarcodeFormat() != BarcodeFormat::QR_CODE {
        return None;
    }
    let text = r.getText().to_owned();
    let points = r
        .getPoints()
        .iter()
        .map(|p| (p.x * scale + off.0, p.y * scale + off.1))
        .collect();
    Some(Decoded {
        bytes: text.clone().into_bytes(),
        text,
        engine: Engine::Rxing,
        pass,
        points,
    })
}

/// rqrr on a grey image (it binarises itself).
pub fn rqrr(g: &Gray<'_>, pass: Pass, scale: f32, off: (f32, f32)) -> Option<Decoded> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(g.w, g.h, |x, y| g.data[y * g.w + x]);
    for grid in img.detect_grids() {
        let mut bytes = Vec::new();
        if grid.decode_to(&mut bytes).is_ok() {
            let points = grid
                .bounds
                .iter()
                .map(|p| (p.x as f32 * scale + off.0, p.y as f32 * scale + off.1))
                .collect();
            return Some(Decoded {
                text: utf8_text(&bytes),
                bytes,
                engine: Engine::Rqrr,
                pass,
                points,
            });
        }
    }
    None
}

/// Area-average downscale to `nw`×`nh` (each output pixel averages the input pixels whose
/// centres fall in its footprint).
pub fn resize_area(g: &Gray<'_>, nw: usize, nh: usize) -> Owned {
    let nw = nw.clamp(1, g.w);
    let nh = nh.clamp(1, g.h);
    // Input index ranges per output column / row.
    let span = |n_in: usize, n_out: usize| -> Vec<(usize, usize)> {
        (0..n_out)
            .map(|o| {
                let a = o * n_in / n_out;
                let b = ((o + 1) * n_in / n_out).max(a + 1).min(n_in);
                (a, b)
            })
            .collect()
    };
    let xs = span(g.w, nw);
    let ys = span(g.h, nh);
    let mut data = vec![0u8; nw * nh];
    let mut acc = vec![0u32; nw];
    for (oy, &(y0, y1)) in ys.iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = 0);
        for y in y0..y1 {
            let row = &g.data[y * g.w..(y + 1) * g.w];
            for (ox, &(x0, x1)) in xs.iter().enumerate() {
                acc[ox] += row[x0..x1].iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        for (ox, &(x0, x1)) in xs.iter().enumerate() {
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            data[oy * nw + ox] = ((acc[ox] + n / 2) / n) as u8;
        }
    }
    Owned { w: nw, h: nh, data }
}

/// Exact area-average 3→2 downscale (each 3×3 block gives 2×2 pixels with weights 4-2-2-1 / 9).
pub fn two_thirds(g: &Gray<'_>) -> Owned {
    let (bw, bh) = (g.w / 3, g.h / 3);
    let (w, h) = (2 * bw, 2 * bh);
    let mut data = vec![0u8; w * h];
    for by in 0..bh {
        let r0 = &g.data[3 * by * g.w..3 * by * g.w + 3 * bw];
        let r1 = &g.data[(3 * by + 1) * g.w..(3 * by + 1) * g.w + 3 * bw];
        let r2 = &g.data[(3 * by + 2) * g.w..(3 * by + 2) * g.w + 3 * bw];
        let (o0, o1) = data[2 * by * w..(2 * by + 2) * w].split_at_mut(w);
        for bx in 0..bw {
            let i = 3 * bx;
            let p = |r: &[u8], j: usize| u32::from(r[i + j]);
            // Columns: left pixel = 2/3·c0 + 1/3·c1, right = 1/3·c1 + 2/3·c2 (in thirds).
            let top_l = 2 * p(r0, 0) + p(r0, 1);
            let top_r = p(r0, 1) + 2 * p(r0, 2);
            let mid_l = 2 * p(r1, 0) + p(r1, 1);
            let mid_r = p(r1, 1) + 2 * p(r1, 2);
            let bot_l = 2 * p(r2, 0) + p(r2, 1);
            let bot_r = p(r2, 1) + 2 * p(r2, 2);
            o0[2 * bx] = ((2 * top_l + mid_l + 4) / 9) as u8;
            o0[2 * bx + 1] = ((2 * top_r + mid_r + 4) / 9) as u8;
            o1[2 * bx] = ((mid_l + 2 * bot_l + 4) / 9) as u8;
            o1[2 * bx + 1] = ((mid_r + 2 * bot_r + 4) / 9) as u8;
        }
    }
    Owned { w, h, data }
}

/// 2×2 box downscale.
pub fn half(g: &Gray<'_>) -> Owned {
    let (w, h) = (g.w / 2, g.h / 2);
    let mut data = vec![0u8; w * h];
    for y in 0..h {
        let r0 = &g.data[2 * y * g.w..];
        let r1 = &g.data[(2 * y + 1) * g.w..];
        for x in 0..w {
            let s = u16::from(r0[2 * x])
                + u16::from(r0[2 * x + 1])
                + u16::from(r1[2 * x])
                + u16::from(r1[2 * x + 1]);
            data[y * w + x] = ((s + 2) / 4) as u8;
        }
    }
    Owned { w, h, data }
}

/// Local contrast normalisation: each 16×16 block is stretched by the min / max of its 3×3 block
/// neighbourhood. Lifts low-light and low-contrast codes above the binariser's dynamic-range floor.
pub fn normalize_local(g: &Gray<'_>) -> Owned {
    const B: usize = 16;
    let (bw, bh) = (g.w.div_ceil(B), g.h.div_ceil(B));
    let mut mins = vec![255u8; bw * bh];
    let mut maxs = vec![0u8; bw * bh];
    for y in 0..g.h {
        let row = &g.data[y * g.w..(y + 1) * g.w];
        let by = y / B;
        for (bx, chunk) in row.chunks(B).enumerate() {
            let (mut lo, mut hi) = (255u8, 0u8);
            for &v in chunk {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            let i = by * bw + bx;
            mins[i] = mins[i].min(lo);
            maxs[i] = maxs[i].max(hi);
        }
    }
    // 3×3 dilation of the ranges, then a linear stretch per block (16.16 fixed point).
    let mut params: Vec<(i32, i32)> = Vec::with_capacity(bw * bh);
    for by in 0..bh {
        for bx in 0..bw {
            let (mut lo, mut hi) = (255u8, 0u8);
            for yy in by.saturating_sub(1)..(by + 2).min(bh) {
                for xx in bx.saturating_sub(1)..(bx + 2).min(bw) {
                    lo = lo.min(mins[yy * bw + xx]);
                    hi = hi.max(maxs[yy * bw + xx]);
                }
            }
            let range = i32::from(hi.saturating_sub(lo)).max(16);
            params.push((i32::from(lo), (255 << 16) / range));
        }
    }
    let mut data = vec![0u8; g.w * g.h];
    for y in 0..g.h {
        let by = y / B;
        let src = &g.data[y * g.w..(y + 1) * g.w];
        let dst = &mut data[y * g.w..(y + 1) * g.w];
        for (bx, (s, d)) in src.chunks(B).zip(dst.chunks_mut(B)).enumerate() {
            let (lo, k) = params[by * bw + bx];
            for (a, b) in s.iter().zip(d.iter_mut()) {
                *b = (((i32::from(*a) - lo) * k) >> 16).clamp(0, 255) as u8;
            }
        }
    }
    Owned {
        w: g.w,
        h: g.h,
        data,
    }
}

/// Bilinear 2× upscale of a region (x0, y0, w, h), clamped to the image.
pub fn upscale2(g: &Gray<'_>, x0: usize, y0: usize, w: usize, h: usize) -> Owned {
    let x0 = x0.min(g.w.saturating_sub(1));
    let y0 = y0.min(g.h.saturating_sub(1));
    let w = w.min(g.w - x0);
    let h = h.min(g.h - y0);
    let (ow, oh) = (2 * w, 2 * h);
    let mut data = vec![0u8; ow * oh];
    for oy in 0..oh {
        // Source coordinate of the output pixel centre.
        let sy = ((oy as f32 + 0.5) / 2.0 - 0.5).max(0.0);
        let y = (sy as usize).min(h - 1);
        let y1 = (y + 1).min(h - 1);
        let fy = sy - y as f32;
        let r0 = &g.data[(y0 + y) * g.w + x0..];
        let r1 = &g.data[(y0 + y1) * g.w + x0..];
        for ox in 0..ow {
            let sx = ((ox as f32 + 0.5) / 2.0 - 0.5).max(0.0);
            let x = (sx as usize).min(w - 1);
            let x1 = (x + 1).min(w - 1);
            let fx = sx - x as f32;
            let top = f32::from(r0[x]) * (1.0 - fx) + f32::from(r0[x1]) * fx;
            let bot = f32::from(r1[x]) * (1.0 - fx) + f32::from(r1[x1]) * fx;
            data[oy * ow + ox] = (top * (1.0 - fy) + bot * fy + 0.5) as u8;
        }
    }
    Owned { w: ow, h: oh, data }
}

/// 3×3 box blur (noise).
pub fn box3(g: &Gray<'_>) -> Owned {
    let (w, h) = (g.w, g.h);
    let mut tmp = vec![0u16; w * h];
    for y in 0..h {
        let r = &g.data[y * w..(y + 1) * w];
        for x in 0..w {
            let a = r[x.saturating_sub(1)];
            let c = r[(x + 1).min(w - 1)];
            tmp[y * w + x] = u16::from(a) + u16::from(r[x]) + u16::from(c);
        }
    }
    let mut data = vec![0u8; w * h];
    for y in 0..h {
        let (ya, yc) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            let s = tmp[ya * w + x] + tmp[y * w + x] + tmp[yc * w + x];
            data[y * w + x] = ((s + 4) / 9) as u8;
        }
    }
    Owned { w, h, data }
}

/// Mean over (2r+1)² windows clipped to the image: two separable running-sum passes, one
/// multiplication per pixel (no division).
fn box_mean(g: &Gray<'_>, r: usize) -> Vec<u8> {
    let (w, h) = (g.w, g.h);
    let mut tmp = vec![0u32; w * h];
    let mut acc = vec![0u32; w + 1];
    for y in 0..h {
        let row = &g.data[y * w..(y + 1) * w];
        for x in 0..w {
            acc[x + 1] = acc[x] + u32::from(row[x]);
        }
        let out = &mut tmp[y * w..(y + 1) * w];
        if w > 2 * r {
            // Interior: a difference of prefix sums, no index arithmetic per pixel.
            for ((o, hi), lo) in out[r..w - r]
                .iter_mut()
                .zip(&acc[2 * r + 1..])
                .zip(&acc[..])
            {
                *o = hi - lo;
            }
            for x in (0..r).chain(w - r..w) {
                out[x] = acc[(x + r + 1).min(w)] - acc[x.saturating_sub(r)];
            }
        } else {
            for (x, o) in out.iter_mut().enumerate() {
                *o = acc[(x + r + 1).min(w)] - acc[x.saturating_sub(r)];
            }
        }
    }
    let inv_x: Vec<f32> = (0..w)
        .map(|x| 1.0 / ((x + r + 1).min(w) - x.saturating_sub(r)) as f32)
        .collect();
    let mut col = vec![0u32; w];
    for t in tmp[..r.min(h) * w].chunks(w) {
        for (c, v) in col.iter_mut().zip(t) {
            *c += *v;
        }
    }
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        if y + r < h {
            for (c, v) in col.iter_mut().zip(&tmp[(y + r) * w..(y + r + 1) * w]) {
                *c += *v;
            }
        }
        if y > r {
            for (c, v) in col.iter_mut().zip(&tmp[(y - r - 1) * w..(y - r) * w]) {
                *c -= *v;
            }
        }
        let inv_y = 1.0 / ((y + r + 1).min(h) - y.saturating_sub(r)) as f32;
        for ((o, &c), &ix) in out[y * w..(y + 1) * w].iter_mut().zip(&col).zip(&inv_x) {
            *o = (c as f32 * ix * inv_y + 0.5) as u8;
        }
    }
    out
}

/// Unsharp mask: `in + amount/4 · (in − mean over a (2r+1)² box)`. Restores the module contrast
/// that defocus and motion blur take away (and amplifies noise: run it on a reduced frame).
pub fn unsharp(g: &Gray<'_>, r: usize, amount_q4: i32) -> Owned {
    let mean = box_mean(g, r);
    let data = g
        .data
        .iter()
        .zip(&mean)
        .map(|(&v, &m)| {
            let v = i32::from(v);
            (v + (amount_q4 * (v - i32::from(m))) / 4).clamp(0, 255) as u8
        })
        .collect();
    Owned {
        w: g.w,
        h: g.h,
        data,
    }
}

/// Regions that look like a small code: 16×16 blocks with real contrast and dense transitions,
/// grouped into connected components of plausible size. Returns pixel boxes (x, y, w, h), best first.
pub fn small_code_regions(g: &Gray<'_>, max: usize) -> Vec<(usize, usize, usize, usize)> {
    small_code_regions_with(g, max, 40, 14)
}

/// [`small_code_regions`] with the block contrast floor and the transition density (percent of
/// the range per pixel step) as parameters.
pub fn small_code_regions_with(
    g: &Gray<'_>,
    max: usize,
    min_range: u32,
    act_pct: u32,
) -> Vec<(usize, usize, usize, usize)> {
    const B: usize = 16;
    let (bw, bh) = (g.w / B, g.h / B);
    let mut active = vec![false; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut lo, mut hi, mut act) = (255u8, 0u8, 0u32);
            for y in by * B..by * B + B {
                let r = &g.data[y * g.w + bx * B..y * g.w + bx * B + B];
                for x in 0..B {
                    lo = lo.min(r[x]);
                    hi = hi.max(r[x]);
                    if x + 1 < B {
                        act += u32::from(r[x].abs_diff(r[x + 1]));
                    }
                }
            }
            let range = u32::from(hi - lo);
            // Mean step per pixel relative to the range: high for module-sized detail.
            active[by * bw + bx] =
                range >= min_range && act * 100 >= range * (B * (B - 1)) as u32 * act_pct;
        }
    }
    let mut seen = vec![false; bw * bh];
    let mut out: Vec<(usize, (usize, usize, usize, usize))> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..bw * bh {
        if !active[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1, mut n) = (usize::MAX, usize::MAX, 0, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % bw, i / bw);
            n += 1;
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            let mut push = |j: usize| {
                if active[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < bw {
                push(i + 1);
            }
            if y > 0 {
                push(i - bw);
            }
            if y + 1 < bh {
                push(i + bw);
            }
        }
        let (cw, ch) = (x1 - x0 + 1, y1 - y0 + 1);
        if (2..=16).contains(&cw) && (2..=16).contains(&ch) && n * 10 >= cw * ch * 4 {
            let px = (x0.saturating_sub(1) * B, y0.saturating_sub(1) * B);
            let pw = ((x1 + 2).min(bw) * B).saturating_sub(px.0);
            let ph = ((y1 + 2).min(bh) * B).saturating_sub(px.1);
            out.push((n, (px.0, px.1, pw, ph)));
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.0));
    out.into_iter().take(max).map(|(_, r)| r).collect()
}

pub fn run(opts: &Options, g: &Gray<'_>) -> Option<Decoded> {
    let origin = (0.0, 0.0);
    if !opts.passes {
        if opts.rxing {
            if let Some(d) = rxing(g, Pass::Full, 1.0, origin) {
                return Some(d);
            }
        }
        if opts.rqrr {
            return rqrr(g, Pass::RqrrFull, 1.0, origin);
        }
        return None;
    }
    if opts.rxing {
        // Cheapest first: most codes are big enough for the frame at 2/3 size.
        let t = two_thirds(g);
        let (tw, th) = (t.w, t.h);
        if tw >= 21 && th >= 21 {
            let s = (g.w as f32 / tw as f32, g.h as f32 / th as f32);
            if let Some(mut d) = rxing(&t.view(), Pass::TwoThirds, 1.0, origin) {
                d.points
                    .iter_mut()
                    .for_each(|p| *p = (p.0 * s.0, p.1 * s.1));
                return Some(d);
            }
        }
        if let Some(d) = rxing(g, Pass::Full, 1.0, origin) {
            return Some(d);
        }
        // Blur, noise, JPEG: averaging 2×2 helps big codes.
        let h = half(g);
        if let Some(d) = rxing(&h.view(), Pass::Half, 2.0, origin) {
            return Some(d);
        }
        // Small codes: upscaled crops around code-like regions; then regions found with a lower
        // contrast floor (dim and blurred small codes; it can merge a code with nearby print,
        // hence not alone).
        let mut regions = small_code_regions(g, 4);
        for r in small_code_regions_with(g, 6, 24, 10) {
            // Skip a relaxed region inside a strict one (nothing new to see there).
            if !regions.iter().any(|q| {
                r.0 >= q.0 && r.1 >= q.1 && r.0 + r.2 <= q.0 + q.2 && r.1 + r.3 <= q.1 + q.3
            }) {
                regions.push(r);
            }
        }
        let crops: Vec<Owned> = regions
            .iter()
            .map(|&(x, y, w, h)| upscale2(g, x, y, w, h))
            .collect();
        for (c, &(x, y, _, _)) in crops.iter().zip(&regions) {
            if let Some(d) = rxing(&c.view(), Pass::Crop, 0.5, (x as f32, y as f32)) {
                return Some(d);
            }
        }
        // Defocus and motion blur: unsharp mask on the halved frame (where the noise is lower),
        // then on the small-code crops.
        if let Some(d) = rxing(
            &unsharp(&h.view(), 2, 6).view(),
            Pass::Sharpened,
            2.0,
            origin,
        ) {
            return Some(d);
        }
        for (c, &(x, y, _, _)) in crops.iter().zip(&regions) {
            let c = unsharp(&c.view(), 2, 6);
            if let Some(d) = rxing(&c.view(), Pass::Crop, 0.5, (x as f32, y as f32)) {
                return Some(d);
            }
        }
        // Noise and low contrast: local contrast normalisation of the box-blurred frame.
        let b = box3(g);
        if let Some(d) = rxing(
            &normalize_local(&b.view()).view(),
            Pass::Stretched,
            1.0,
            origin,
        ) {
            return Some(d);
        }
        for (c, &(x, y, _, _)) in crops.iter().zip(&regions) {
            let c = normalize_local(&box3(&c.view()).view());
            if let Some(d) = rxing(&c.view(), Pass::Crop, 0.5, (x as f32, y as f32)) {
                return Some(d);
            }
        }
        // Blur and noise together: band-pass (box blur, then unsharp mask) at full size.
        if let Some(d) = rxing(
            &unsharp(&b.view(), 2, 6).view(),
            Pass::Denoised,
            1.0,
            origin,
        ) {
            return Some(d);
        }
    }
    if opts.rqrr {
        if let Some(d) = rqrr(g, Pass::RqrrFull, 1.0, origin) {
            return Some(d);
        }
    }
    None
}
