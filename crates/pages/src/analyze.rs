//! Page analysis on a reduced copy (~150 dpi): border, skew, orientation, blank, class.

use crate::lid::{find_paper, inside_quad, LidInput};
use crate::{luma, Config, PageClass, PageImage, RawPage};

/// Paper box in the straightened frame, in source pixels.
///
/// The frame is the source rotated by `-angle`: `u = x·cos a + y·sin a`,
/// `v = −x·sin a + y·cos a`, with `a` = [`Orientation::angle_deg`] in radians and `(x, y)` source
/// pixel coordinates (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropBox {
    /// Left edge (u).
    pub u0: f32,
    /// Top edge (v).
    pub v0: f32,
    /// Width along u.
    pub width: f32,
    /// Height along v.
    pub height: f32,
}

/// How the page lies on the scanner glass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Quarter turn found: 0, 90, 180 or 270 — the page was scanned turned this many degrees
    /// clockwise, and is turned back.
    pub rotation_deg: u16,
    /// Residual skew in degrees, positive when the page is turned clockwise; within ±15.
    pub skew_deg: f32,
    /// 0 (guess) … 1 (clear): text line direction and upright/upside-down evidence combined.
    pub confidence: f32,
}

impl Orientation {
    /// Total clockwise angle of the scan (rotation + skew), in degrees.
    pub fn angle_deg(&self) -> f32 {
        self.rotation_deg as f32 + self.skew_deg
    }
}

/// Which scanner-lid background the paper was cropped from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LidKind {
    /// No crop: the scan is taken whole.
    None,
    /// Dark lid (or open lid) around the paper.
    Dark,
    /// White or light lid: the paper was found from its edge line and its tone against the lid.
    Light,
}

/// Measurements of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Orientation and skew found (zero when disabled or on a blank page).
    pub orientation: Orientation,
    /// Paper box in the straightened frame.
    pub crop: CropBox,
    /// Whether a scanner-lid border (dark or light, see [`Analysis::lid`]) was cropped away.
    pub cropped: bool,
    /// The lid background the paper was cropped from ([`LidKind::None`] when not cropped).
    pub lid: LidKind,
    /// Likely blank (no ink beyond noise, specks and show-through). Reported only.
    pub blank: bool,
    /// Share of paper area covered by ink (noise removed).
    pub ink_ratio: f32,
    /// Share of paper area covered by coloured ink.
    pub colour_ratio: f32,
    /// Share of 8×8 blocks of smooth mid-tone (photos, shading).
    pub midtone_ratio: f32,
    /// Detected class.
    pub class: PageClass,
    /// Paper brightness (90th percentile of grey).
    pub paper_level: u8,
}

/// Coloured ink share from which a page is colour (a stamp covers ~0.3 %, a signature ~0.05 %).
const COLOUR_MIN: f32 = 0.0002;
/// Ink share below which a page is blank.
const BLANK_MAX: f32 = 0.0002;
/// Share of smooth mid-tone blocks from which a page is grey.
const MIDTONE_MIN: f32 = 0.01;

struct Work {
    w: usize,
    h: usize,
    /// Source pixels per analysis pixel.
    f: usize,
    grey: Vec<u8>,
    chroma: Vec<u8>,
    /// Blue minus red (cool versus warm whites).
    tone: Vec<i16>,
}

fn reduce(img: &PageImage, dpi: f32) -> Work {
    let f = ((dpi / 150.0).floor() as usize).max(1);
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    let (w, h) = (sw.div_ceil(f), sh.div_ceil(f));
    let mut grey = vec![0u8; w * h];
    let mut chroma = vec![0u8; w * h];
    let mut tone = vec![0i16; w * h];
    let mut acc = vec![0u32; w * 3];
    let mut cnt = vec![0u32; w];
    for ay in 0..h {
        acc.iter_mut().for_each(|a| *a = 0);
        cnt.iter_mut().for_each(|a| *a = 0);
        for sy in ay * f..((ay + 1) * f).min(sh) {
            match img {
                // One block of `f` source pixels per analysis pixel (no division per pixel).
                // 300 dpi scans (f = 2): fixed-size blocks, which the compiler unrolls.
                PageImage::Rgb(c) if f == 2 => {
                    let row = &c.as_raw()[sy * sw * 3..(sy + 1) * sw * 3];
                    let (pairs, rest) = row.split_at(row.len() / 6 * 6);
                    for ((p, a), n) in pairs
                        .chunks_exact(6)
                        .zip(acc.chunks_exact_mut(3))
                        .zip(cnt.iter_mut())
                    {
                        a[0] += p[0] as u32 + p[3] as u32;
                        a[1] += p[1] as u32 + p[4] as u32;
                        a[2] += p[2] as u32 + p[5] as u32;
                        *n += 2;
                    }
                    if !rest.is_empty() {
                        let ax = pairs.len() / 6;
                        acc[ax * 3] += rest[0] as u32;
                        acc[ax * 3 + 1] += rest[1] as u32;
                        acc[ax * 3 + 2] += rest[2] as u32;
                        cnt[ax] += 1;
                    }
                }
                PageImage::Rgb(c) => {
                    let row = &c.as_raw()[sy * sw * 3..(sy + 1) * sw * 3];
                    for ((blk, a), n) in row
                        .chunks(f * 3)
                        .zip(acc.chunks_exact_mut(3))
                        .zip(cnt.iter_mut())
                    {
                        for p in blk.chunks_exact(3) {
                            a[0] += p[0] as u32;
                            a[1] += p[1] as u32;
                            a[2] += p[2] as u32;
                        }
                        *n += (blk.len() / 3) as u32;
                    }
                }
                PageImage::Luma(g) => {
                    let row = &g.as_raw()[sy * sw..(sy + 1) * sw];
                    for ((blk, a), n) in row
                        .chunks(f)
                        .zip(acc.chunks_exact_mut(3))
                        .zip(cnt.iter_mut())
                    {
                        let sum: u32 = blk.iter().map(|&p| p as u32).sum();
                        a[0] += sum;
                        a[1] += sum;
                        a[2] += sum;
                        *n += blk.len() as u32;
                    }
                }
            }
        }
        for ax in 0..w {
            let n = cnt[ax].max(1);
            let (r, g, b) = (
                (acc[ax * 3] / n) as u8,
                (acc[ax * 3 + 1] / n) as u8,
                (acc[ax * 3 + 2] / n) as u8,
            );
            grey[ay * w + ax] = luma(r, g, b);
            chroma[ay * w + ax] = r.max(g).max(b) - r.min(g).min(b);
            tone[ay * w + ax] = b as i16 - r as i16;
        }
    }
    Work {
        w,
        h,
        f,
        grey,
        chroma,
        tone,
    }
}

fn percentile(v: &[u8], p: f32) -> u8 {
    let mut hist = [0usize; 256];
    v.iter().for_each(|&x| hist[x as usize] += 1);
    let target = (v.len() as f32 * p) as usize;
    let mut acc = 0;
    for (i, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return i as u8;
        }
    }
    255
}

/// Dark pixels reachable from the image edge along straight rows or columns: scanner lid.
fn border_mask(wk: &Work, dark: u8) -> Vec<bool> {
    let (w, h) = (wk.w, wk.h);
    let mut bg = vec![false; w * h];
    for y in 0..h {
        let row = &wk.grey[y * w..(y + 1) * w];
        for x in 0..w {
            if row[x] >= dark {
                break;
            }
            bg[y * w + x] = true;
        }
        for x in (0..w).rev() {
            if row[x] >= dark {
                break;
            }
            bg[y * w + x] = true;
        }
    }
    for x in 0..w {
        for y in 0..h {
            if wk.grey[y * w + x] >= dark {
                break;
            }
            bg[y * w + x] = true;
        }
        for y in (0..h).rev() {
            if wk.grey[y * w + x] >= dark {
                break;
            }
            bg[y * w + x] = true;
        }
    }
    bg
}

/// Sum of squared projection counts of `pts` on the normal of direction `deg`.
fn profile_score(pts: &[(f32, f32)], deg: f32, bins: &mut Vec<u32>, span: f32) -> f64 {
    let (s, c) = deg.to_radians().sin_cos();
    let n = (2.0 * span) as usize + 2;
    bins.clear();
    bins.resize(n, 0);
    for &(x, y) in pts {
        let r = -x * s + y * c + span;
        bins[(r as usize).min(n - 1)] += 1;
    }
    bins.iter().map(|&b| (b as f64) * (b as f64)).sum()
}

/// Peakiness of the projection at `deg`: Σh² · (1 %–99 % ink extent) / N². About 1 for ink
/// spread evenly along the normal, 2–4 across text lines. Independent of page aspect.
fn peakiness(pts: &[(f32, f32)], deg: f32, bins: &mut Vec<u32>, span: f32) -> f64 {
    let sq = profile_score(pts, deg, bins, span);
    let n = pts.len() as u64;
    if n == 0 {
        return 0.0;
    }
    let (lo_t, hi_t) = (n / 100, n - n / 100);
    let (mut acc, mut lo, mut hi) = (0u64, 0usize, bins.len());
    for (i, &b) in bins.iter().enumerate() {
        if acc <= lo_t && acc + b as u64 > lo_t {
            lo = i;
        }
        acc += b as u64;
        if acc >= hi_t {
            hi = i;
            break;
        }
    }
    sq * ((hi - lo) as f64 + 1.0) / (n as f64 * n as f64)
}

/// Ascender (and Vietnamese diacritics) ink above the x-height band versus descender ink below,
/// over all text lines of the profile taken at `deg`. Returns (above, below).
fn ascender_balance(pts: &[(f32, f32)], deg: f32, span: f32) -> (f64, f64) {
    let (s, c) = deg.to_radians().sin_cos();
    let n = (2.0 * span) as usize + 2;
    let mut prof = vec![0f64; n];
    // Central band only: a residual angle error smears lines less over a shorter length.
    for &(x, y) in pts {
        if (x * c + y * s).abs() > span * 0.3 {
            continue;
        }
        let r = -x * s + y * c + span;
        prof[(r as usize).min(n - 1)] += 1.0;
    }
    // x-height bands: runs where the profile reaches half of a typical line peak.
    let mut nz: Vec<f64> = prof.iter().cloned().filter(|&v| v > 0.0).collect();
    if nz.len() < 8 {
        return (0.0, 0.0);
    }
    nz.sort_by(|a, b| a.total_cmp(b));
    let thr = nz[nz.len() * 9 / 10] * 0.5;
    let mut bands = Vec::new();
    let mut i = 0;
    while i < n {
        if prof[i] >= thr {
            let a = i;
            while i < n && prof[i] >= thr {
                i += 1;
            }
            if i - a >= 2 {
                bands.push((a, i - 1));
            }
        } else {
            i += 1;
        }
    }
    // Ink within one band height above (ascenders, diacritics) and below (descenders, dấu
    // nặng), never crossing into the neighbouring bands.
    let (mut above, mut below) = (0.0, 0.0);
    for (k, &(a, b)) in bands.iter().enumerate() {
        let h = b - a + 1;
        let top = a
            .saturating_sub(h)
            .max(if k > 0 { bands[k - 1].1 + 1 } else { 0 });
        let bottom = (b + h).min(if k + 1 < bands.len() {
            bands[k + 1].0 - 1
        } else {
            n - 1
        });
        // Ink mass weighted by distance from the band: ascenders and stacked diacritics
        // reach farther (~0.5 em) than descenders (~0.25 em).
        let up: f64 = (top..a).map(|j| prof[j] * (a - j) as f64).sum();
        let down: f64 = (b + 1..=bottom).map(|j| prof[j] * (j - b) as f64).sum();
        above += up;
        below += down;
    }
    (above, below)
}

/// Analyses a page (see the crate docs for the method).
pub fn analyze(page: &RawPage, config: &Config) -> Analysis {
    let wk = reduce(&page.image, page.dpi);
    let (w, h, f) = (wk.w, wk.h, wk.f as f32);
    let paper = percentile(&wk.grey, 0.90).max(60);
    let mut bg = if config.auto_crop {
        border_mask(&wk, (paper as f32 * 0.5) as u8)
    } else {
        vec![false; w * h]
    };
    let bg_count = bg.iter().filter(|&&b| b).count();
    let mut cropped = config.auto_crop && bg_count as f32 > 0.01 * (w * h) as f32;
    let ink_t = (paper as f32 * 0.62) as u8;
    // No dark lid: look for a sheet on a light lid.
    let mut lid = if cropped {
        LidKind::Dark
    } else {
        LidKind::None
    };
    let mut light_quad = None;
    if config.auto_crop && !cropped {
        light_quad = find_paper(&LidInput {
            w,
            h,
            dpi: page.dpi / f,
            grey: &wk.grey,
            tone: &wk.tone,
            ink_t,
        });
        if let Some(q) = &light_quad {
            for y in 0..h {
                for x in 0..w {
                    bg[y * w + x] = !inside_quad(q, x as f32 + 0.5, y as f32 + 0.5, 0.0);
                }
            }
            cropped = true;
            lid = LidKind::Light;
        }
    }
    let ink: Vec<bool> = wk
        .grey
        .iter()
        .zip(&bg)
        .map(|(&g, &b)| !b && g < ink_t)
        .collect();

    // Dense ink: ink with at least 3 ink neighbours (drops specks and scanner noise).
    let dense = |mask: &[bool], x: usize, y: usize| -> bool {
        if !mask[y * w + x] || x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
            return false;
        }
        let mut n = 0;
        for dy in 0..3 {
            for dx in 0..3 {
                n += mask[(y + dy - 1) * w + x + dx - 1] as u32;
            }
        }
        n >= 4
    };

    // Points for skew/orientation, centred, at most ~150k.
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    // Text is neutral ink; stamps and signatures (coloured) would blur the line profiles.
    let text_ink = |i: usize| ink[i] && wk.chroma[i] < 60;
    let total_ink = (0..w * h).filter(|&i| text_ink(i)).count();
    let step = (total_ink / 150_000).max(1);
    let mut pts = Vec::with_capacity(total_ink / step + 1);
    let mut skip = 0usize;
    for y in 0..h {
        for x in 0..w {
            if text_ink(y * w + x) {
                if skip == 0 {
                    pts.push((x as f32 + 0.5 - cx, y as f32 + 0.5 - cy));
                    skip = step;
                }
                skip -= 1;
            }
        }
    }
    let span = ((w * w + h * h) as f32).sqrt() / 2.0 + 2.0;

    let mut orientation = Orientation {
        rotation_deg: 0,
        skew_deg: 0.0,
        confidence: 0.0,
    };
    let enough_ink = pts.len() as f32 > 0.0005 * (w * h) as f32 && pts.len() > 200;
    if enough_ink && (config.deskew || config.auto_rotate) {
        let mut bins = Vec::new();
        let mut best = [(0.0f32, 0.0f64); 2];
        // The coarse search (2 × 61 angles, 0.5° apart) runs on every k-th point, at most
        // ~40k: a text line's profile peak is as sharp from a quarter of its ink. The fine
        // search and the family/up-down decisions below use all points.
        let coarse: Vec<(f32, f32)> = pts
            .iter()
            .step_by(pts.len().div_ceil(40_000).max(1))
            .copied()
            .collect();
        for (fam, base) in [0.0f32, 90.0].into_iter().enumerate() {
            if fam == 1 && !config.auto_rotate {
                continue;
            }
            let range = if config.deskew { 60 } else { 0 };
            for i in 0..=range {
                let deg = base - (range as f32) * 0.25 + i as f32 * 0.5;
                let sc = profile_score(&coarse, deg, &mut bins, span);
                if sc > best[fam].1 {
                    best[fam] = (deg, sc);
                }
            }
        }
        // Families are compared by peakiness (raw Σh² favours the shorter page side).
        let peak = [0, 1].map(|f| {
            if best[f].1 > 0.0 {
                peakiness(&pts, best[f].0, &mut bins, span)
            } else {
                0.0
            }
        });
        let (fam, other) = if peak[1] > peak[0] { (1, 0) } else { (0, 1) };
        let mut deg = best[fam].0;
        if config.deskew {
            // Scored on all points (the coarse scores above are on fewer): ±0.5° around the
            // coarse best, the coarse best itself included.
            let mut score = 0.0;
            let centre = deg;
            for i in 0..=20 {
                let d = centre - 0.5 + i as f32 * 0.05;
                let sc = profile_score(&pts, d, &mut bins, span);
                if sc > score {
                    score = sc;
                    deg = d;
                }
            }
        }
        let fam_conf = if peak[fam] > 0.0 {
            (2.0 * (1.0 - peak[other] / peak[fam])).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut conf = fam_conf as f32;
        if config.auto_rotate {
            let (above, below) = ascender_balance(&pts, deg, span);
            let ud = if above + below > 0.0 {
                (above - below) / (above + below)
            } else {
                0.0
            };
            if ud < -0.05 {
                deg += 180.0;
            }
            conf = conf.min((ud.abs() * 3.0).min(1.0) as f32);
        }
        let norm = deg.rem_euclid(360.0);
        let quarter = ((norm / 90.0).round() as u16 % 4) * 90;
        let mut skew = norm - quarter as f32;
        if skew > 180.0 {
            skew -= 360.0;
        }
        if !config.deskew {
            skew = 0.0;
        }
        let rotation_deg = if config.auto_rotate { quarter } else { 0 };
        orientation = Orientation {
            rotation_deg,
            skew_deg: skew,
            confidence: conf,
        };
    }

    // Straightened frame.
    let a = orientation.angle_deg().to_radians();
    let (sa, ca) = a.sin_cos();
    let to_uv = |x: f32, y: f32| (x * ca + y * sa, -x * sa + y * ca);
    let crop = if let Some(q) = &light_quad {
        // Bounding box of the sheet in the straightened frame, grown to hold every ink pixel.
        let (mut u0, mut v0, mut u1, mut v1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        let mut grow = |u: f32, v: f32| {
            u0 = u0.min(u);
            v0 = v0.min(v);
            u1 = u1.max(u);
            v1 = v1.max(v);
        };
        for &(x, y) in q {
            let (u, v) = to_uv(x, y);
            grow(u, v);
        }
        for y in 0..h {
            for x in 0..w {
                if !bg[y * w + x] && wk.grey[y * w + x] < ink_t {
                    for (dx, dy) in [(-0.5, -0.5), (1.5, -0.5), (-0.5, 1.5), (1.5, 1.5)] {
                        let (u, v) = to_uv(x as f32 + dx, y as f32 + dy);
                        grow(u, v);
                    }
                }
            }
        }
        CropBox {
            u0: u0 * f,
            v0: v0 * f,
            width: (u1 - u0) * f,
            height: (v1 - v0) * f,
        }
    } else if cropped {
        // Paper extent along u and v, in analysis pixels.
        let corners = [
            (0.0, 0.0),
            (w as f32, 0.0),
            (0.0, h as f32),
            (w as f32, h as f32),
        ]
        .map(|(x, y)| to_uv(x, y));
        let umin = corners.iter().map(|c| c.0).fold(f32::MAX, f32::min);
        let vmin = corners.iter().map(|c| c.1).fold(f32::MAX, f32::min);
        let umax = corners.iter().map(|c| c.0).fold(f32::MIN, f32::max);
        let vmax = corners.iter().map(|c| c.1).fold(f32::MIN, f32::max);
        let nu = (umax - umin) as usize + 2;
        let nv = (vmax - vmin) as usize + 2;
        let (mut hu, mut hv) = (vec![0u32; nu], vec![0u32; nv]);
        for y in 0..h {
            for x in 0..w {
                if !bg[y * w + x] {
                    let (u, v) = to_uv(x as f32 + 0.5, y as f32 + 0.5);
                    hu[((u - umin) as usize).min(nu - 1)] += 1;
                    hv[((v - vmin) as usize).min(nv - 1)] += 1;
                }
            }
        }
        let extent = |hist: &[u32]| -> (f32, f32) {
            let max = *hist.iter().max().unwrap_or(&0);
            let lo = hist.iter().position(|&c| c * 2 >= max).unwrap_or(0);
            let hi = hist
                .iter()
                .rposition(|&c| c * 2 >= max)
                .unwrap_or(hist.len() - 1);
            ((lo + 1) as f32, (hi.max(lo + 2)) as f32)
        };
        let (u0, u1) = extent(&hu);
        let (v0, v1) = extent(&hv);
        CropBox {
            u0: (umin + u0) * f,
            v0: (vmin + v0) * f,
            width: (u1 - u0) * f,
            height: (v1 - v0) * f,
        }
    } else {
        let (sw, sh) = (page.image.width() as f32, page.image.height() as f32);
        let (uc, vc) = to_uv(sw / 2.0, sh / 2.0);
        let (ow, oh) = if orientation.rotation_deg % 180 == 90 {
            (sh, sw)
        } else {
            (sw, sh)
        };
        CropBox {
            u0: uc - ow / 2.0,
            v0: vc - oh / 2.0,
            width: ow,
            height: oh,
        }
    };

    // Blank / class statistics inside the paper box, 3 % margin left out (edge shadows).
    let (mu, mv) = (crop.width * 0.03, crop.height * 0.03);
    let inside = |x: usize, y: usize| {
        let (u, v) = to_uv((x as f32 + 0.5) * f, (y as f32 + 0.5) * f);
        u > crop.u0 + mu
            && u < crop.u0 + crop.width - mu
            && v > crop.v0 + mv
            && v < crop.v0 + crop.height - mv
    };
    let colourful: Vec<bool> = (0..w * h)
        .map(|i| !bg[i] && wk.chroma[i] >= 60 && (wk.grey[i] as u32 + 25) < paper as u32)
        .collect();
    let (mut paper_n, mut ink_n, mut colour_n) = (0u64, 0u64, 0u64);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if bg[y * w + x] || !inside(x, y) {
                continue;
            }
            paper_n += 1;
            ink_n += dense(&ink, x, y) as u64;
            colour_n += dense(&colourful, x, y) as u64;
        }
    }
    let (mut blocks, mut mid_blocks) = (0u64, 0u64);
    for by in (0..h.saturating_sub(8)).step_by(8) {
        for bx in (0..w.saturating_sub(8)).step_by(8) {
            if !inside(bx, by) || !inside(bx + 7, by + 7) || bg[by * w + bx] {
                continue;
            }
            blocks += 1;
            let (mut s, mut s2) = (0u32, 0u32);
            for y in by..by + 8 {
                for &g in &wk.grey[y * w + bx..y * w + bx + 8] {
                    s += g as u32;
                    s2 += g as u32 * g as u32;
                }
            }
            let mean = s as f32 / 64.0;
            let var = s2 as f32 / 64.0 - mean * mean;
            if mean >= 40.0 && mean <= paper as f32 - 40.0 && var < 400.0 {
                mid_blocks += 1;
            }
        }
    }
    let paper_n = paper_n.max(1) as f32;
    let ink_ratio = ink_n as f32 / paper_n;
    let colour_ratio = colour_n as f32 / paper_n;
    let midtone_ratio = mid_blocks as f32 / blocks.max(1) as f32;
    let blank = ink_ratio < BLANK_MAX && colour_ratio < BLANK_MAX && midtone_ratio < MIDTONE_MIN;
    let class = if blank {
        PageClass::Bilevel
    } else if colour_ratio >= COLOUR_MIN {
        PageClass::Colour
    } else if midtone_ratio >= MIDTONE_MIN {
        PageClass::Grey
    } else {
        PageClass::Bilevel
    };
    if blank {
        orientation = Orientation {
            rotation_deg: orientation.rotation_deg,
            skew_deg: orientation.skew_deg,
            confidence: 0.0,
        };
    }
    Analysis {
        orientation,
        crop,
        cropped,
        lid,
        blank,
        ink_ratio,
        colour_ratio,
        midtone_ratio,
        class,
        paper_level: paper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma, Rgb, RgbImage};

    /// Block means computed the plain way, per analysis pixel.
    fn reference(img: &RgbImage, f: usize) -> (Vec<u8>, Vec<u8>, Vec<i16>) {
        let (sw, sh) = (img.width() as usize, img.height() as usize);
        let (w, h) = (sw.div_ceil(f), sh.div_ceil(f));
        let (mut g, mut c, mut t) = (vec![0; w * h], vec![0; w * h], vec![0; w * h]);
        for ay in 0..h {
            for ax in 0..w {
                let (mut s, mut n) = ([0u32; 3], 0u32);
                for y in ay * f..((ay + 1) * f).min(sh) {
                    for x in ax * f..((ax + 1) * f).min(sw) {
                        let p = img.get_pixel(x as u32, y as u32).0;
                        for k in 0..3 {
                            s[k] += p[k] as u32;
                        }
                        n += 1;
                    }
                }
                let [r, gg, b] = s.map(|v| (v / n) as u8);
                g[ay * w + ax] = luma(r, gg, b);
                c[ay * w + ax] = r.max(gg).max(b) - r.min(gg).min(b);
                t[ay * w + ax] = b as i16 - r as i16;
            }
        }
        (g, c, t)
    }

    #[test]
    fn reduce_matches_plain_block_means_on_odd_sizes() {
        let img = RgbImage::from_fn(13, 7, |x, y| {
            Rgb([
                (x * 19 + y * 7) as u8,
                (x * 3 + y * 31) as u8,
                (x * y * 11 + 5) as u8,
            ])
        });
        for (dpi, f) in [(300.0, 2), (450.0, 3), (200.0, 1), (600.0, 4)] {
            let wk = reduce(&PageImage::Rgb(img.clone()), dpi);
            assert_eq!(wk.f, f);
            let (g, c, t) = reference(&img, f);
            assert_eq!((wk.grey, wk.chroma, wk.tone), (g, c, t), "dpi {dpi}");
        }
        let grey = GrayImage::from_fn(9, 5, |x, y| Luma([(x * 29 + y * 13) as u8]));
        let rgb = RgbImage::from_fn(9, 5, |x, y| {
            let v = grey.get_pixel(x, y).0[0];
            Rgb([v, v, v])
        });
        for dpi in [300.0, 450.0] {
            let a = reduce(&PageImage::Luma(grey.clone()), dpi);
            let b = reduce(&PageImage::Rgb(rgb.clone()), dpi);
            assert_eq!((a.grey, a.chroma, a.tone), (b.grey, b.chroma, b.tone));
        }
    }
}
