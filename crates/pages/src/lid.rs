//! Paper on a white (light) scanner lid.
//!
//! Most counter flatbeds have a white lid: a small sheet (A5, receipt, ID-card copy) on an A4
//! scan shows as a light sheet on a light background. Two cues separate them:
//! - a faint edge along the paper border: the grey shadow line the lamp casts along the paper
//!   edge, and/or the step from lid tone to paper tone;
//! - the tone difference between lid and paper (lids are usually a little brighter and cooler
//!   than office paper).
//!
//! Method, on the analysis copy: from each image side, every scanline (row or column) is
//! followed inward from the lid colour it starts with (slowly tracked, for uneven lighting)
//! until the smoothed grey or the blue–yellow tone leaves it, or until ink. The stop positions of
//! one side are fitted by a straight line (robust slope/intercept vote, ±15°, then least
//! squares on inliers). A side is kept when its line has enough support, the colour before the
//! line differs from the colour after it (lid ≠ paper), and no ink lies on the lid side. Sides
//! without a kept line are the image border (paper laid against the glass corner).
//!
//! Zero content loss comes first (Thông tư 01/2023: complete pages): the result is `None`
//! ("do not crop") whenever the kept sides disagree on lid or paper colour or on the angle,
//! when the paper would be implausibly small, or when any ink lies outside the paper found.
//! A printed frame on a full-size page has the same paper tone on both sides of its line, and a
//! printed band or shaded box is darker than the paper (a lid is at least as bright): neither is
//! ever taken for a paper edge.

/// Grey/tone deviation (levels, 3×3 mean) that ends the lid run on a scanline.
const STEP: f32 = 3.0;
/// Smallest lid-versus-paper tone difference (levels) that makes a side believable.
const TONE_MIN: f32 = 2.5;
/// Kept sides must agree on lid and paper colours within this (levels).
const TONE_AGREE: f32 = 3.0;
/// Kept sides must agree on the angle within this (degrees).
const ANGLE_AGREE: f32 = 1.5;

/// Analysis-resolution inputs.
pub(crate) struct LidInput<'a> {
    pub w: usize,
    pub h: usize,
    /// Analysis pixels per inch.
    pub dpi: f32,
    pub grey: &'a [u8],
    /// Blue minus red, per pixel.
    pub tone: &'a [i16],
    /// Below this grey a pixel is ink.
    pub ink_t: u8,
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Top,
    Bottom,
}

/// A paper edge: `pos = c + m·line` where for left/right `pos` is x and `line` is y, for
/// top/bottom `pos` is y and `line` is x (image coordinates, pixel centres).
#[derive(Clone, Copy, Debug)]
struct EdgeLine {
    c: f32,
    m: f32,
}

struct SideFit {
    line: EdgeLine,
    inliers: usize,
    out_g: f32,
    out_t: f32,
    in_g: f32,
    in_t: f32,
}

fn box3(src: &[i16], w: usize, h: usize) -> Vec<f32> {
    let mut tmp = vec![0i32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let a = row[x.saturating_sub(1)] as i32;
            let b = row[x] as i32;
            let c = row[(x + 1).min(w - 1)] as i32;
            tmp[y * w + x] = a + b + c;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        let (ya, yc) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            out[y * w + x] = (tmp[ya * w + x] + tmp[y * w + x] + tmp[yc * w + x]) as f32 / 9.0;
        }
    }
    out
}

fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// What the sparse pre-check says of one side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plausible {
    /// Cannot be kept.
    No,
    /// Could be kept, but is not seen along enough of its length to pass the support test.
    Thin,
    /// Could be kept and pass the support test.
    Dense,
}

struct Ctx<'a> {
    inp: &'a LidInput<'a>,
    /// Pixels past an edge that must be free of ink (shadow skip + paper sample).
    ahead: usize,
    /// 3×3 means of grey and tone over the whole image, or `None` to compute them per pixel
    /// (the sparse pre-check, which visits a few lines only). Both give the same values.
    smooth: Option<(Vec<f32>, Vec<f32>)>,
}

/// 3×3 mean of `v(x, y)` around pixel `i`, neighbours clamped to the image as in [`box3`].
fn mean3(w: usize, h: usize, i: usize, v: impl Fn(usize) -> i32) -> f32 {
    let (x, y) = (i % w, i / w);
    let xs = [x.saturating_sub(1), x, (x + 1).min(w - 1)];
    let mut sum = 0;
    for yy in [y.saturating_sub(1), y, (y + 1).min(h - 1)] {
        for &xx in &xs {
            sum += v(yy * w + xx);
        }
    }
    sum as f32 / 9.0
}

impl Ctx<'_> {
    fn g(&self, i: usize) -> f32 {
        match &self.smooth {
            Some((g, _)) => g[i],
            None => mean3(self.inp.w, self.inp.h, i, |j| self.inp.grey[j] as i32),
        }
    }
    fn t(&self, i: usize) -> f32 {
        match &self.smooth {
            Some((_, t)) => t[i],
            None => mean3(self.inp.w, self.inp.h, i, |j| self.inp.tone[j] as i32),
        }
    }

    fn dims(&self, side: Side) -> (usize, usize) {
        match side {
            Side::Left | Side::Right => (self.inp.h, self.inp.w),
            Side::Top | Side::Bottom => (self.inp.w, self.inp.h),
        }
    }
    fn idx(&self, side: Side, line: usize, pos: usize) -> usize {
        let (w, h) = (self.inp.w, self.inp.h);
        match side {
            Side::Left => line * w + pos,
            Side::Right => line * w + (w - 1 - pos),
            Side::Top => pos * w + line,
            Side::Bottom => (h - 1 - pos) * w + line,
        }
    }

    /// Follows one scanline from the border: `Some((pos, lid grey, lid tone))` at a tone
    /// edge, `None` when it reaches ink first, starts dark or never leaves the lid.
    fn scan(&self, side: Side, line: usize) -> Option<(usize, f32, f32)> {
        let (_, len) = self.dims(side);
        if len < 16 {
            return None;
        }
        let (mut rg, mut rt) = (0.0, 0.0);
        for p in 1..=4 {
            let i = self.idx(side, line, p);
            if self.inp.grey[i] < self.inp.ink_t {
                return None;
            }
            rg += self.g(i) / 4.0;
            rt += self.t(i) / 4.0;
        }
        if rg < 170.0 {
            return None;
        }
        let mut pending: Option<usize> = None;
        for p in 5..len - 1 {
            let i = self.idx(side, line, p);
            if self.inp.grey[i] < self.inp.ink_t {
                return None;
            }
            let dev = (self.g(i) - rg).abs().max((self.t(i) - rt).abs());
            if dev > STEP {
                match pending {
                    Some(first) => {
                        // A paper edge has clean paper behind it; an ink stroke's halo has ink.
                        let ahead = first + self.ahead;
                        let inky = (first..ahead.min(len))
                            .any(|q| self.inp.grey[self.idx(side, line, q)] < self.inp.ink_t);
                        return (!inky).then_some((first, rg, rt));
                    }
                    None => pending = Some(p),
                }
            } else {
                pending = None;
                rg += (self.g(i) - rg) / 16.0;
                rt += (self.t(i) - rt) / 16.0;
            }
        }
        None
    }

    /// Mean colour a little inside the paper (past the shadow line) at a stop.
    fn inside(&self, side: Side, line: usize, pos: usize) -> Option<(f32, f32)> {
        let (_, len) = self.dims(side);
        let (skip, span) = sample_span(self.inp.dpi);
        if pos + skip + span >= len {
            return None;
        }
        let (mut g, mut t) = (0.0, 0.0);
        for p in pos + skip..pos + skip + span {
            let i = self.idx(side, line, p);
            g += self.g(i);
            t += self.t(i);
        }
        Some((g / span as f32, t / span as f32))
    }

    /// Whether `side` can be a kept side of [`find_paper`] (fit, tone test, no ink on the lid
    /// side), judged from every 8th scanline with looser limits — a necessary condition in
    /// practice, never a sufficient one: enough sampled stops on one straight line (±15°,
    /// ±3 px; an eighth of the support, asked for half of that), no more ink on the lid side of
    /// it than the full test allows, and a lid at least as bright as the paper with some tone
    /// difference. [`Plausible::Dense`] when, besides, stops lie on at least a quarter of the
    /// sampled lines along the line's extent (a kept side must be seen on half its length).
    /// The scattered stops of a text margin (the light edge of the first glyph on some rows)
    /// and printed bands fail.
    fn sparse(&self, side: Side) -> Plausible {
        const STEP_LINES: usize = 8;
        let need = self.min_support().div_ceil(2 * STEP_LINES).max(2);
        let (lines, _) = self.dims(side);
        let stops: Vec<(usize, usize, f32, f32)> = (0..lines)
            .step_by(STEP_LINES)
            .filter_map(|l| self.scan(side, l).map(|(p, g, t)| (l, p, g, t)))
            .collect();
        if stops.len() < need {
            return Plausible::No;
        }
        // Lines through near pairs of stops; the one with the most stops within 3 px.
        let mut best: Vec<usize> = Vec::new();
        for i in 0..stops.len() {
            for j in i + 1..(i + 5).min(stops.len()) {
                let (li, pi) = (stops[i].0 as f32, stops[i].1 as f32);
                let m = (stops[j].1 as f32 - pi) / (stops[j].0 as f32 - li);
                if m.abs() > 0.3 {
                    continue;
                }
                let on: Vec<usize> = (0..stops.len())
                    .filter(|&k| {
                        (stops[k].1 as f32 - pi - m * (stops[k].0 as f32 - li)).abs() <= 3.0
                    })
                    .collect();
                if on.len() > best.len() {
                    best = on;
                }
            }
        }
        if best.len() < need {
            return Plausible::No;
        }
        // Density between the 10th and 90th percentile lines (a stray stop on the line's
        // extension does not dilute it).
        let (lo, hi) = (
            stops[best[best.len() / 10]].0,
            stops[best[best.len() * 9 / 10]].0,
        );
        let within = best
            .iter()
            .filter(|&&k| (lo..=hi).contains(&stops[k].0))
            .count();
        let dense = within * 4 > (hi - lo) / STEP_LINES;
        // Ink on the lid side of that line, on the sampled lines only: a subset of what the
        // full check counts (10 px allowance here against its 2 px, for the difference
        // between this two-point line and the fitted one).
        let (l0, p0) = (stops[best[0]].0 as f32, stops[best[0]].1 as f32);
        let m = if best.len() > 1 {
            let k = best[best.len() - 1];
            (stops[k].1 as f32 - p0) / (stops[k].0 as f32 - l0).max(1.0)
        } else {
            0.0
        };
        let (_, len) = self.dims(side);
        let mut ink = 0usize;
        for l in (0..lines).step_by(STEP_LINES) {
            let edge = p0 + m * (l as f32 - l0) - 10.0;
            let end = (edge.max(0.0) as usize).min(len);
            ink += (0..end)
                .filter(|&p| self.inp.grey[self.idx(side, l, p)] < self.inp.ink_t)
                .count();
        }
        if ink > ink_limit(self.inp.w, self.inp.h) {
            return Plausible::No;
        }
        let mut og: Vec<f32> = best.iter().map(|&k| stops[k].2).collect();
        let mut ot: Vec<f32> = best.iter().map(|&k| stops[k].3).collect();
        let inside: Vec<(f32, f32)> = best
            .iter()
            .filter_map(|&k| self.inside(side, stops[k].0, stops[k].1))
            .collect();
        if inside.is_empty() {
            return Plausible::No;
        }
        let mut ig: Vec<f32> = inside.iter().map(|s| s.0).collect();
        let mut it: Vec<f32> = inside.iter().map(|s| s.1).collect();
        let (og, ot, ig, it) = (
            median(&mut og),
            median(&mut ot),
            median(&mut ig),
            median(&mut it),
        );
        if (og - ig).abs().max((ot - it).abs()) < TONE_MIN * 0.5 || og < ig - 2.0 {
            Plausible::No
        } else if dense {
            Plausible::Dense
        } else {
            Plausible::Thin
        }
    }

    /// Stops (and inliers) a side needs: 20 mm of edge, at least 12 lines.
    fn min_support(&self) -> usize {
        ((self.inp.dpi / 25.4 * 20.0) as usize).max(12)
    }

    fn fit(&self, side: Side) -> Option<SideFit> {
        let (lines, _) = self.dims(side);
        let stops: Vec<(usize, usize, f32, f32)> = (0..lines)
            .filter_map(|l| self.scan(side, l).map(|(p, g, t)| (l, p, g, t)))
            .collect();
        let min_support = self.min_support();
        if stops.len() < min_support {
            return None;
        }
        // Vote: slope within ±15° in steps of ~0.3°, intercepts in 1 px bins, 3-bin window.
        let span = (self.dims(side).1 + lines) as f32 * 0.3 + 4.0;
        let nb = (self.dims(side).1 as f32 + 2.0 * span) as usize + 3;
        let mut bins = vec![0u32; nb];
        let (mut best, mut best_m, mut best_c) = (0u32, 0f32, 0f32);
        for k in -54i32..=54 {
            let m = k as f32 * 0.005;
            bins.iter_mut().for_each(|b| *b = 0);
            for &(l, p, _, _) in &stops {
                let c = p as f32 - m * l as f32 + span;
                if c >= 0.0 && (c as usize) < nb {
                    bins[c as usize] += 1;
                }
            }
            for i in 0..nb - 2 {
                let s = bins[i] + bins[i + 1] + bins[i + 2];
                if s > best {
                    best = s;
                    best_m = m;
                    best_c = i as f32 + 1.5 - span;
                }
            }
        }
        // Least squares on inliers, twice.
        let mut line = EdgeLine {
            c: best_c,
            m: best_m,
        };
        let mut inl: Vec<&(usize, usize, f32, f32)> = Vec::new();
        for tol in [2.5f32, 1.5] {
            inl = stops
                .iter()
                .filter(|&&(l, p, _, _)| (p as f32 - line.c - line.m * l as f32).abs() <= tol)
                .collect();
            if inl.len() < min_support {
                return None;
            }
            let n = inl.len() as f64;
            let (sx, sy) = inl.iter().fold((0.0f64, 0.0f64), |(a, b), &&(l, p, _, _)| {
                (a + l as f64, b + p as f64)
            });
            let (mx, my) = (sx / n, sy / n);
            let (mut sxx, mut sxy) = (0.0f64, 0.0f64);
            for &&(l, p, _, _) in &inl {
                sxx += (l as f64 - mx) * (l as f64 - mx);
                sxy += (l as f64 - mx) * (p as f64 - my);
            }
            let m = if sxx > 0.0 { sxy / sxx } else { 0.0 };
            if m.abs() > 0.3 {
                return None;
            }
            line = EdgeLine {
                c: (my - m * mx) as f32,
                m: m as f32,
            };
        }
        let mut og: Vec<f32> = inl.iter().map(|s| s.2).collect();
        let mut ot: Vec<f32> = inl.iter().map(|s| s.3).collect();
        let inside: Vec<(f32, f32)> = inl
            .iter()
            .filter_map(|s| self.inside(side, s.0, s.1))
            .collect();
        if inside.len() < inl.len() / 2 {
            return None;
        }
        let mut ig: Vec<f32> = inside.iter().map(|s| s.0).collect();
        let mut it: Vec<f32> = inside.iter().map(|s| s.1).collect();
        Some(SideFit {
            line,
            inliers: inl.len(),
            out_g: median(&mut og),
            out_t: median(&mut ot),
            in_g: median(&mut ig),
            in_t: median(&mut it),
        })
    }
}

/// Ink pixels tolerated on the lid side of a paper edge (specks, dust).
fn ink_limit(w: usize, h: usize) -> usize {
    ((w * h) as f32 * 2e-5) as usize + 6
}

/// Pixels skipped past an edge (shadow) and then averaged for the paper colour.
fn sample_span(dpi: f32) -> (usize, usize) {
    let mm = dpi / 25.4;
    (
        (mm * 0.8).ceil() as usize + 2,
        (mm * 1.5).ceil() as usize + 2,
    )
}

/// The paper edge of `side` in image coordinates: x = c + m·y (left/right) or
/// y = c + m·x (top/bottom).
fn to_image(side: Side, l: EdgeLine, w: usize, h: usize) -> EdgeLine {
    match side {
        Side::Left | Side::Top => l,
        Side::Right => EdgeLine {
            c: (w - 1) as f32 - l.c,
            m: -l.m,
        },
        Side::Bottom => EdgeLine {
            c: (h - 1) as f32 - l.c,
            m: -l.m,
        },
    }
}

/// Corner of a vertical-ish line x = v.c + v.m·y and a horizontal-ish line y = hz.c + hz.m·x.
fn corner(v: EdgeLine, hz: EdgeLine) -> (f32, f32) {
    let d = 1.0 - v.m * hz.m;
    let x = (v.c + v.m * hz.c) / d;
    (x, hz.c + hz.m * x)
}

/// Finds a sheet on a light lid. Returns the paper corners (top-left, top-right,
/// bottom-right, bottom-left) in analysis pixels — pixel-edge coordinates, the box to keep —
/// or `None` when there is no sure paper edge.
pub(crate) fn find_paper(inp: &LidInput) -> Option<[(f32, f32); 4]> {
    let (w, h) = (inp.w, inp.h);
    let mm = inp.dpi / 25.4;
    if w < 32 || h < 32 || (w as f32) < 40.0 * mm || (h as f32) < 40.0 * mm {
        return None;
    }
    let (skip, span) = sample_span(inp.dpi);
    let mut ctx = Ctx {
        inp,
        ahead: skip + span,
        smooth: None,
    };
    // Cheap pre-check on every 8th scanline (see `Ctx::sparse`): only the sides that can be
    // kept are fitted, and when none of them can also pass the support test, the page stops
    // here, before the whole-image smoothing and the fits over every scanline (~100 ms on a
    // 300 dpi A4 page). Most scans (full pages on the glass, no lid in view) end here.
    let sparse: Vec<(Side, Plausible)> = [Side::Left, Side::Right, Side::Top, Side::Bottom]
        .into_iter()
        .map(|side| (side, ctx.sparse(side)))
        .collect();
    if !sparse.iter().any(|(_, v)| *v == Plausible::Dense) {
        return None;
    }
    let g16: Vec<i16> = inp.grey.iter().map(|&g| g as i16).collect();
    ctx.smooth = Some((box3(&g16, w, h), box3(inp.tone, w, h)));
    let ink: Vec<bool> = inp.grey.iter().map(|&g| g < inp.ink_t).collect();
    // Ink on the lid side of a line (with a 2 px allowance) makes the line a false edge.
    let ink_outside = |side: Side, l: EdgeLine, margin: f32| -> usize {
        let mut n = 0;
        for y in 0..h {
            for x in 0..w {
                if !ink[y * w + x] {
                    continue;
                }
                let (xf, yf) = (x as f32, y as f32);
                let out = match side {
                    Side::Left => xf < l.c + l.m * yf - margin,
                    Side::Right => xf > l.c + l.m * yf + margin,
                    Side::Top => yf < l.c + l.m * xf - margin,
                    Side::Bottom => yf > l.c + l.m * xf + margin,
                };
                n += out as usize;
            }
        }
        n
    };
    let ink_limit = ink_limit(w, h);

    let mut kept: Vec<(Side, SideFit, EdgeLine)> = Vec::new();
    for side in sparse
        .iter()
        .filter(|(_, v)| *v != Plausible::No)
        .map(|(s, _)| *s)
    {
        let Some(fit) = ctx.fit(side) else { continue };
        let tone = (fit.out_g - fit.in_g)
            .abs()
            .max((fit.out_t - fit.in_t).abs());
        // A lid is at least as bright as the paper: a darker band beyond the "edge" is
        // printed content (shaded header, light form band), never cropped off.
        if tone < TONE_MIN || fit.out_g < fit.in_g - 1.0 {
            continue;
        }
        let img = to_image(side, fit.line, w, h);
        if ink_outside(side, img, 2.0) > ink_limit {
            continue;
        }
        kept.push((side, fit, img));
    }
    if kept.is_empty() {
        return None;
    }
    // Agreement: one lid colour, one paper colour, one angle.
    let med = |f: &dyn Fn(&SideFit) -> f32| {
        let mut v: Vec<f32> = kept.iter().map(|k| f(&k.1)).collect();
        median(&mut v)
    };
    let (mog, mot, mig, mit) = (
        med(&|s| s.out_g),
        med(&|s| s.out_t),
        med(&|s| s.in_g),
        med(&|s| s.in_t),
    );
    // Clockwise paper angle seen by each side (degrees).
    let angle = |side: Side, l: EdgeLine| match side {
        Side::Top | Side::Bottom => l.m.atan().to_degrees(),
        Side::Left | Side::Right => -l.m.atan().to_degrees(),
    };
    let mut angles: Vec<f32> = kept.iter().map(|k| angle(k.0, k.2)).collect();
    let mang = median(&mut angles);
    for (side, fit, img) in &kept {
        if (fit.out_g - mog).abs() > TONE_AGREE
            || (fit.out_t - mot).abs() > TONE_AGREE
            || (fit.in_g - mig).abs() > TONE_AGREE
            || (fit.in_t - mit).abs() > TONE_AGREE
            || (angle(*side, *img) - mang).abs() > ANGLE_AGREE
        {
            return None;
        }
    }
    let get = |s: Side| {
        kept.iter()
            .find(|k| std::mem::discriminant(&k.0) == std::mem::discriminant(&s))
            .map(|k| k.2)
    };
    // Missing sides are the image border (pixel-edge coordinates).
    let left = get(Side::Left).unwrap_or(EdgeLine { c: 0.0, m: 0.0 });
    let right = get(Side::Right).map_or(
        EdgeLine {
            c: w as f32,
            m: 0.0,
        },
        |l| EdgeLine {
            c: l.c + 1.0,
            m: l.m,
        },
    );
    let top = get(Side::Top).unwrap_or(EdgeLine { c: 0.0, m: 0.0 });
    let bottom = get(Side::Bottom).map_or(
        EdgeLine {
            c: h as f32,
            m: 0.0,
        },
        |l| EdgeLine {
            c: l.c + 1.0,
            m: l.m,
        },
    );
    let q = [
        corner(left, top),
        corner(right, top),
        corner(right, bottom),
        corner(left, bottom),
    ];
    if q.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return None;
    }
    // Support: each kept side must be seen along most of its length.
    for (side, fit, _) in &kept {
        let len = match side {
            Side::Left => q[3].1 - q[0].1,
            Side::Right => q[2].1 - q[1].1,
            Side::Top => q[1].0 - q[0].0,
            Side::Bottom => q[2].0 - q[3].0,
        };
        if len < 25.0 * mm || (fit.inliers as f32) < 0.5 * len {
            return None;
        }
    }
    // Plausible sheet, and a crop worth making.
    let area = 0.5
        * (0..4)
            .map(|i| {
                let (a, b) = (q[i], q[(i + 1) % 4]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f32>();
    let full = (w * h) as f32;
    if area < 25.0 * 25.0 * mm * mm || area > 0.97 * full {
        return None;
    }
    // Zero content loss: no ink outside the sheet found.
    let mut outside = 0usize;
    for y in 0..h {
        for x in 0..w {
            if ink[y * w + x] && !inside_quad(&q, x as f32 + 0.5, y as f32 + 0.5, 2.0) {
                outside += 1;
            }
        }
    }
    if outside > ink_limit {
        return None;
    }
    Some(q)
}

/// Whether (x, y) lies inside the clockwise quad `q` grown by `margin`.
pub(crate) fn inside_quad(q: &[(f32, f32); 4], x: f32, y: f32, margin: f32) -> bool {
    (0..4).all(|i| {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let len = (ex * ex + ey * ey).sqrt().max(1e-6);
        // Clockwise on screen (y down): inside is to the right of each edge.
        (ex * (y - a.1) - ey * (x - a.0)) / len >= -margin
    })
}
