//! Camera pages: a phone or webcam photo of a document lying on a desk.
//!
//! 1. Decode (JPEG or PNG, EXIF orientation applied), size-checked like scans.
//! 2. Find the paper on a reduced copy (longest side ≤ [`CameraConfig::detect_max_side`]):
//!    Gaussian blur, Otsu threshold (paper is the bright class), morphological opening to cut
//!    thin bright desk texture, Suzuki–Abe contours (`imageproc::contours`), the largest outer
//!    contour's convex hull, Douglas–Peucker down to four corners; then each side is refitted
//!    (total least squares) to the contour points along it and the corners are the
//!    intersections of the fitted lines.
//! 3. Paper aspect ratio with the perspective removed (Zhang & He, "Whiteboard scanning and
//!    image enhancement", 2007: focal length from the quad, principal point at the frame
//!    centre; the affine ratio when the quad is a parallelogram), snapped to A4 / Letter /
//!    ID card (ISO/IEC 7810 ID-1) within [`CameraConfig::aspect_tolerance`]. A5 has the A4
//!    aspect ratio and is only chosen through [`CameraConfig::paper`].
//! 4. Perspective correction (`imageproc::geometric_transformations::Projection`, bilinear)
//!    to a rectangle of the paper's physical proportions, at the pixel density the photo
//!    actually has (mean of opposite sides, the lower of both axes): never upsampled. The
//!    returned resolution is that real density, so a webcam shot of an A4 sheet comes out at
//!    ~90–130 dpi and [`crate::process`] refuses it with [`PageError::DpiTooLow`] — the
//!    caller tells the clerk to move closer or scan instead.
//!
//! When no paper quad is found the whole frame is returned with [`CameraPage::detected`]
//! false and a resolution that assumes the frame's long side spans an A4 long side.

use crate::{load, PageError, PageImage, RawPage, MIN_LEGAL_DPI};
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, Rgb, RgbImage};
use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};
use std::io::Cursor;

/// Paper sizes recognised from the corrected aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperSize {
    /// ISO A4, 210 × 297 mm.
    A4,
    /// ISO A5, 148 × 210 mm (same aspect as A4: only when configured).
    A5,
    /// US Letter, 215.9 × 279.4 mm.
    Letter,
    /// ID-1 card (căn cước, bank card), 85.6 × 54 mm.
    IdCard,
}

impl PaperSize {
    /// (short side, long side) in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Self::A4 => (210.0, 297.0),
            Self::A5 => (148.0, 210.0),
            Self::Letter => (215.9, 279.4),
            Self::IdCard => (54.0, 85.6),
        }
    }
}

/// Camera page settings.
#[derive(Debug, Clone)]
pub struct CameraConfig {
    /// Paper size to assume instead of guessing from the aspect ratio.
    pub paper: Option<PaperSize>,
    /// Largest relative aspect-ratio difference for a size to be recognised.
    pub aspect_tolerance: f32,
    /// Longest side of the reduced copy used to find the paper.
    pub detect_max_side: u32,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            paper: None,
            aspect_tolerance: 0.04,
            detect_max_side: 1024,
        }
    }
}

/// A camera photo turned into a page.
#[derive(Debug, Clone)]
pub struct CameraPage {
    /// The corrected page (or the whole frame when `detected` is false) with its real dpi.
    pub page: RawPage,
    /// Whether a paper quadrilateral was found. When false, `page` is the whole frame and its
    /// dpi is a guess: the clerk should retake the photo or check the page.
    pub detected: bool,
    /// Paper corners in the photo (top-left, top-right, bottom-right, bottom-left of the output
    /// page), in pixel-edge coordinates of the orientation-corrected photo ((0, 0) is the
    /// photo's top-left corner).
    pub corners: Option<[(f32, f32); 4]>,
    /// Paper size recognised (or configured); `None` when the aspect ratio matched none, in
    /// which case the short side is taken as 210 mm (A4 width).
    pub paper: Option<PaperSize>,
    /// Physical size of the output (width, height) in millimetres.
    pub size_mm: (f32, f32),
    /// Width / height of the paper measured with the perspective removed.
    pub aspect: f32,
    /// `page.dpi` is below the legal 200 dpi (Nghị định 30/2020): warn, do not file as is.
    pub below_legal_dpi: bool,
}

/// Turns a camera photo of a document into a page (see the module documentation). Returns the
/// page only; [`camera_capture`] also says whether the paper was found.
pub fn camera_page(jpeg_or_png: &[u8], cfg: &CameraConfig) -> Result<RawPage, PageError> {
    camera_capture(jpeg_or_png, cfg).map(|c| c.page)
}

/// Turns a camera photo of a document into a page, with what was found.
pub fn camera_capture(jpeg_or_png: &[u8], cfg: &CameraConfig) -> Result<CameraPage, PageError> {
    let img = decode_photo(jpeg_or_png)?;
    camera_from_image(img, cfg)
}

/// Same as [`camera_capture`] on decoded pixels.
pub fn camera_from_image(img: RgbImage, cfg: &CameraConfig) -> Result<CameraPage, PageError> {
    let (w, h) = img.dimensions();
    load::check_size(w, h)?;
    if w < 64 || h < 64 {
        return Err(PageError::BadSize {
            width: w,
            height: h,
        });
    }
    let quad = find_quad(&img, cfg.detect_max_side.clamp(128, 4096));
    let quad = quad.filter(|q| {
        // A sheet so small that it would be under 20 dpi is no usable detection.
        let d = |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).hypot(a.1 - b.1);
        d(q[0], q[1]).min(d(q[1], q[2])) > 60.0
    });
    let Some(q) = quad else {
        let dpi = w.max(h) as f32 / (297.0 / 25.4);
        return Ok(CameraPage {
            page: page_with_dpi(PageImage::Rgb(img), dpi)?,
            detected: false,
            corners: None,
            paper: None,
            size_mm: (w as f32 / dpi * 25.4, h as f32 / dpi * 25.4),
            aspect: w as f32 / h as f32,
            below_legal_dpi: dpi < MIN_LEGAL_DPI,
        });
    };
    let aspect = aspect_ratio(&q, w as f32 / 2.0, h as f32 / 2.0);
    let portrait = aspect < 1.0;
    let ratio = if portrait { 1.0 / aspect } else { aspect };
    let paper = cfg.paper.or_else(|| {
        [PaperSize::A4, PaperSize::Letter, PaperSize::IdCard]
            .into_iter()
            .map(|p| {
                let (s, l) = p.size_mm();
                (p, (ratio / (l / s) - 1.0).abs())
            })
            .filter(|&(_, d)| d <= cfg.aspect_tolerance)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(p, _)| p)
    });
    let (short, long) = paper.map_or((210.0, 210.0 * ratio), |p| p.size_mm());
    let (wmm, hmm) = if portrait {
        (short, long)
    } else {
        (long, short)
    };
    let dist = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let side_w = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2.0;
    let side_h = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2.0;
    // Real pixel density: the lower of both axes, so nothing is upsampled on average.
    let dpi = (side_w / wmm).min(side_h / hmm) * 25.4;
    let ow = ((wmm / 25.4 * dpi).round() as u32).max(1);
    let oh = ((hmm / 25.4 * dpi).round() as u32).max(1);
    load::check_size(ow, oh)?;
    // Pixel-centre coordinates on both sides.
    let rect = [
        (-0.5, -0.5),
        (ow as f32 - 0.5, -0.5),
        (ow as f32 - 0.5, oh as f32 - 0.5),
        (-0.5, oh as f32 - 0.5),
    ];
    let qc = q.map(|p| (p.0 - 0.5, p.1 - 0.5));
    let Some(proj) = Projection::from_control_points(qc, rect) else {
        return Err(PageError::Corrupt {
            format: "camera",
            detail: "degenerate paper quadrilateral".into(),
        });
    };
    let mut out = RgbImage::new(ow, oh);
    warp_into(
        &img,
        &proj,
        Interpolation::Bilinear,
        Rgb([255, 255, 255]),
        &mut out,
    );
    Ok(CameraPage {
        page: page_with_dpi(PageImage::Rgb(out), dpi)?,
        detected: true,
        corners: Some(q),
        paper,
        size_mm: (wmm, hmm),
        aspect,
        below_legal_dpi: dpi < MIN_LEGAL_DPI,
    })
}

fn page_with_dpi(image: PageImage, dpi: f32) -> Result<RawPage, PageError> {
    if !(20.0..=4800.0).contains(&dpi) {
        // A page this small in the frame cannot be read.
        return Err(PageError::BadSize {
            width: image.width(),
            height: image.height(),
        });
    }
    RawPage::new(image, dpi)
}

fn decode_photo(bytes: &[u8]) -> Result<RgbImage, PageError> {
    let (format, name) = match load::detect_format(bytes)? {
        load::SourceFormat::Jpeg => (ImageFormat::Jpeg, "JPEG"),
        load::SourceFormat::Png => (ImageFormat::Png, "PNG"),
        load::SourceFormat::Tiff => return Err(PageError::UnsupportedFormat),
    };
    if format == ImageFormat::Jpeg {
        // A transfer cut short decodes to a grey-filled picture: refuse it.
        let end = bytes.iter().rposition(|&b| b != 0).unwrap_or(0);
        if end < 1 || bytes[end - 1..=end] != [0xFF, 0xD9] {
            return Err(PageError::Corrupt {
                format: "JPEG",
                detail: "truncated: no end-of-image marker".into(),
            });
        }
    }
    let corrupt = |e: image::ImageError| PageError::Corrupt {
        format: name,
        detail: e.to_string(),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(crate::MAX_PIXELS * 3 + (64 << 20));
    reader.limits(limits);
    let mut dec = reader.into_decoder().map_err(corrupt)?;
    let (w, h) = dec.dimensions();
    load::check_size(w, h)?;
    let orientation = dec
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(dec).map_err(corrupt)?;
    img.apply_orientation(orientation);
    Ok(img.into_rgb8())
}

/// Paper corners (TL, TR, BR, BL; clockwise on screen) in source pixels.
fn find_quad(img: &RgbImage, max_side: u32) -> Option<[(f32, f32); 4]> {
    let (w, h) = img.dimensions();
    // Integer box reduction: exact geometry (reduced pixel i covers source [i·k, (i+1)·k)).
    let k = w.max(h).div_ceil(max_side).max(1);
    let s = k as f32;
    let mut grey = GrayImage::new(w, h);
    for (d, p) in grey.as_mut().iter_mut().zip(img.as_raw().chunks_exact(3)) {
        *d = crate::luma(p[0], p[1], p[2]);
    }
    let small = match crate::warp::box_reduce(&PageImage::Luma(grey), k) {
        PageImage::Luma(g) => g,
        other => other.to_luma(),
    };
    let (sw, sh) = small.dimensions();
    let blurred = imageproc::filter::gaussian_blur_f32(&small, 1.5);
    let t = imageproc::contrast::otsu_level(&blurred);
    let mut bin =
        imageproc::contrast::threshold(&blurred, t, imageproc::contrast::ThresholdType::Binary);
    // Closing fills ink on the paper (text touching the paper edge), opening cuts thin
    // bright desk texture away from the sheet.
    bin = imageproc::morphology::close(&bin, imageproc::distance_transform::Norm::LInf, 3);
    bin = imageproc::morphology::open(&bin, imageproc::distance_transform::Norm::LInf, 2);
    // Frame border cleared so a paper touching it still has a closed outline.
    for x in 0..sw {
        bin.put_pixel(x, 0, image::Luma([0]));
        bin.put_pixel(x, sh - 1, image::Luma([0]));
    }
    for y in 0..sh {
        bin.put_pixel(0, y, image::Luma([0]));
        bin.put_pixel(sw - 1, y, image::Luma([0]));
    }
    let contours = imageproc::contours::find_contours::<i32>(&bin);
    let best = contours
        .iter()
        .filter(|c| c.border_type == imageproc::contours::BorderType::Outer && c.points.len() >= 8)
        .map(|c| (imageproc::geometry::contour_area(&c.points), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (area, contour) = best;
    let frame = sw as f64 * sh as f64;
    if area < 0.08 * frame || area > 0.985 * frame {
        return None;
    }
    let hull = imageproc::geometry::convex_hull(contour.points.clone());
    if hull.len() < 4 {
        return None;
    }
    // Four corners from the hull: the point farthest from the centroid, the point farthest
    // from it, then the farthest points on either side of that diagonal.
    let hp: Vec<(f64, f64)> = hull.iter().map(|p| (p.x as f64, p.y as f64)).collect();
    let n = hp.len() as f64;
    let (cx, cy) = hp
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x / n, b + y / n));
    let far = |from: (f64, f64)| {
        hp.iter()
            .copied()
            .max_by(|a, b| {
                let da = (a.0 - from.0).hypot(a.1 - from.1);
                let db = (b.0 - from.0).hypot(b.1 - from.1);
                da.total_cmp(&db)
            })
            .unwrap_or(from)
    };
    let p0 = far((cx, cy));
    let p2 = far(p0);
    let side = |p: (f64, f64)| (p2.0 - p0.0) * (p.1 - p0.1) - (p2.1 - p0.1) * (p.0 - p0.0);
    let p1 = hp
        .iter()
        .copied()
        .max_by(|a, b| side(*a).total_cmp(&side(*b)))
        .unwrap_or(p0);
    let p3 = hp
        .iter()
        .copied()
        .min_by(|a, b| side(*a).total_cmp(&side(*b)))
        .unwrap_or(p0);
    if side(p1) <= 0.0 || side(p3) >= 0.0 {
        return None;
    }
    let quad = [p0, p1, p2, p3];
    // The hull must be well covered by the quad: a blob is not a sheet.
    let qf: Vec<(f64, f64)> = quad.to_vec();
    let qarea = shoelace(&qf).abs();
    if qarea <= 0.0 || area / qarea < 0.85 {
        return None;
    }
    // Refit each side on the grey image: along the side, the strongest dark→bright step
    // (desk → paper) across it, to a fraction of a pixel; robust line fit through those.
    let (gx, gy) = (
        qf.iter().map(|p| p.0).sum::<f64>() / 4.0,
        qf.iter().map(|p| p.1).sum::<f64>() / 4.0,
    );
    let mut lines = Vec::with_capacity(4);
    for i in 0..4 {
        lines.push(refine_side(&blurred, qf[i], qf[(i + 1) % 4], (gx, gy))?);
    }
    let mut corners = [(0f32, 0f32); 4];
    for i in 0..4 {
        let p = intersect(lines[(i + 3) % 4], lines[i])?;
        // Small-image pixel centres → source pixel-edge coordinates.
        corners[i] = (
            ((p.0 + 0.5) * s as f64) as f32,
            ((p.1 + 0.5) * s as f64) as f32,
        );
    }
    let c = order(corners);
    // Sanity: convex, no sliver angles, brighter inside than around.
    for i in 0..4 {
        let (a, b, d) = (c[(i + 3) % 4], c[i], c[(i + 1) % 4]);
        let (v1, v2) = ((a.0 - b.0, a.1 - b.1), (d.0 - b.0, d.1 - b.1));
        let cos = (v1.0 * v2.0 + v1.1 * v2.1) / ((v1.0.hypot(v1.1) * v2.0.hypot(v2.1)).max(1e-6));
        if cos.abs() > 0.6 {
            return None;
        }
    }
    let cf: Vec<(f64, f64)> = c.iter().map(|p| (p.0 as f64, p.1 as f64)).collect();
    if shoelace(&cf) <= 0.0 {
        return None;
    }
    // A sheet is clearly brighter than what surrounds it.
    let sq: [(f32, f32); 4] = c.map(|p| (p.0 / s - 0.5, p.1 / s - 0.5));
    let (mut sin, mut nin, mut sout, mut nout) = (0u64, 0u64, 0u64, 0u64);
    for y in (0..sh).step_by(2) {
        for x in (0..sw).step_by(2) {
            let g = blurred.get_pixel(x, y).0[0] as u64;
            if crate::lid::inside_quad(&sq, x as f32, y as f32, -2.0) {
                sin += g;
                nin += 1;
            } else if !crate::lid::inside_quad(&sq, x as f32, y as f32, 4.0) {
                sout += g;
                nout += 1;
            }
        }
    }
    let mean_in = sin as f32 / nin.max(1) as f32;
    let mean_out = sout as f32 / nout.max(1) as f32;
    if nin == 0 || mean_in < 100.0 || (nout > 0 && mean_in < mean_out + 30.0) {
        return None;
    }
    Some(c)
}

fn sample(g: &GrayImage, x: f64, y: f64) -> Option<f64> {
    let (w, h) = g.dimensions();
    if x < 0.0 || y < 0.0 || x > (w - 1) as f64 || y > (h - 1) as f64 {
        return None;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let p = |a, b| g.get_pixel(a, b).0[0] as f64;
    let t = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * fx;
    let b = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * fx;
    Some(t + (b - t) * fy)
}

/// Sub-pixel paper edge near the segment a→b (pixel-centre coordinates of `g`).
fn refine_side(g: &GrayImage, a: (f64, f64), b: (f64, f64), centre: (f64, f64)) -> Option<Line> {
    const R: i32 = 7;
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = dx.hypot(dy);
    if len < 8.0 {
        return None;
    }
    let u = (dx / len, dy / len);
    // Inward normal: towards the sheet's centre.
    let mut m = (-u.1, u.0);
    if (centre.0 - a.0) * m.0 + (centre.1 - a.1) * m.1 < 0.0 {
        m = (-m.0, -m.1);
    }
    let mut pts = Vec::new();
    let mut prof = [0f64; (2 * R + 3) as usize];
    let mut t = 0.1 * len;
    while t < 0.9 * len {
        let p = (a.0 + u.0 * t, a.1 + u.1 * t);
        t += 1.0;
        let ok = (0..prof.len()).all(|k| {
            let s = (k as i32 - R - 1) as f64;
            match sample(g, p.0 + m.0 * s, p.1 + m.1 * s) {
                Some(v) => {
                    prof[k] = v;
                    true
                }
                None => false,
            }
        });
        if !ok {
            continue;
        }
        // d[k] = prof[k+1] - prof[k-1] at offset k - R - 1.
        let d = |k: usize| prof[k + 1] - prof[k - 1];
        let (mut best, mut bk) = (0.0, 0usize);
        for k in 2..prof.len() - 2 {
            if d(k) > best {
                best = d(k);
                bk = k;
            }
        }
        if best < 30.0 {
            continue;
        }
        let (l, c, r) = (d(bk - 1), d(bk), d(bk + 1));
        let den = l - 2.0 * c + r;
        let delta = if den < 0.0 {
            (0.5 * (l - r) / den).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let s = (bk as i32 - R - 1) as f64 + delta;
        pts.push((p.0 + m.0 * s, p.1 + m.1 * s));
    }
    if pts.len() < 8 {
        return None;
    }
    let mut line = fit_line(&pts)?;
    for tol in [2.0, 1.0, 0.7] {
        let ((px, py), (ex, ey)) = line;
        let keep: Vec<(f64, f64)> = pts
            .iter()
            .copied()
            .filter(|&(x, y)| ((x - px) * ey - (y - py) * ex).abs() < tol)
            .collect();
        if keep.len() * 3 < pts.len() {
            break;
        }
        line = fit_line(&keep)?;
    }
    Some(line)
}

fn shoelace(p: &[(f64, f64)]) -> f64 {
    0.5 * (0..p.len())
        .map(|i| {
            let (a, b) = (p[i], p[(i + 1) % p.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
}

/// Total least squares line through points: (point on line, unit direction).
type Line = ((f64, f64), (f64, f64));
fn fit_line(p: &[(f64, f64)]) -> Option<Line> {
    if p.len() < 5 {
        return None;
    }
    let n = p.len() as f64;
    let (mx, my) = p
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x / n, b + y / n));
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in p {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
        syy += (y - my) * (y - my);
    }
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    Some(((mx, my), (theta.cos(), theta.sin())))
}

fn intersect(l1: Line, l2: Line) -> Option<(f64, f64)> {
    let ((x1, y1), (a1, b1)) = l1;
    let ((x2, y2), (a2, b2)) = l2;
    let det = a1 * (-b2) - b1 * (-a2);
    if det.abs() < 1e-6 {
        return None;
    }
    let t = ((x2 - x1) * (-b2) - (y2 - y1) * (-a2)) / det;
    Some((x1 + a1 * t, y1 + b1 * t))
}

/// Clockwise on screen, starting with the corner nearest the frame's top-left.
fn order(mut c: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let (cx, cy) = (
        c.iter().map(|p| p.0).sum::<f32>() / 4.0,
        c.iter().map(|p| p.1).sum::<f32>() / 4.0,
    );
    c.sort_by(|a, b| {
        (a.1 - cy)
            .atan2(a.0 - cx)
            .total_cmp(&(b.1 - cy).atan2(b.0 - cx))
    });
    let first = (0..4)
        .min_by(|&i, &j| (c[i].0 + c[i].1).total_cmp(&(c[j].0 + c[j].1)))
        .unwrap_or(0);
    c.rotate_left(first);
    c
}

/// Width / height of the paper with the perspective removed (Zhang & He 2007), principal
/// point (u0, v0); the affine estimate when the quad is (nearly) a parallelogram or the focal
/// length found is implausible.
fn aspect_ratio(q: &[(f32, f32); 4], u0: f32, v0: f32) -> f32 {
    let h = |p: (f32, f32)| [p.0 as f64, p.1 as f64, 1.0];
    let (m1, m2, m3, m4) = (h(q[0]), h(q[1]), h(q[3]), h(q[2]));
    let cross = |a: [f64; 3], b: [f64; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let side = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0) as f64).hypot((a.1 - b.1) as f64);
    let affine =
        ((side(q[0], q[1]) + side(q[3], q[2])) / (side(q[0], q[3]) + side(q[1], q[2]))) as f32;
    let k2 = dot(cross(m1, m4), m3) / dot(cross(m2, m4), m3);
    let k3 = dot(cross(m1, m4), m2) / dot(cross(m3, m4), m2);
    if !k2.is_finite() || !k3.is_finite() {
        return affine;
    }
    let n2 = [k2 * m2[0] - m1[0], k2 * m2[1] - m1[1], k2 * m2[2] - m1[2]];
    let n3 = [k3 * m3[0] - m1[0], k3 * m3[1] - m1[1], k3 * m3[2] - m1[2]];
    let (u0, v0) = (u0 as f64, v0 as f64);
    let scale = (side(q[0], q[2]) + side(q[1], q[3])).max(1.0);
    if (n2[2] * n3[2]).abs() < 1e-9
        || n2[2].abs() * scale < 1e-3 * n2[0].hypot(n2[1])
        || n3[2].abs() * scale < 1e-3 * n3[0].hypot(n3[1])
    {
        return affine;
    }
    let f2 = -((n2[0] - u0 * n2[2]) * (n3[0] - u0 * n3[2])
        + (n2[1] - v0 * n2[2]) * (n3[1] - v0 * n3[2]))
        / (n2[2] * n3[2]);
    let big = 2.0 * u0.max(v0);
    if !(f2 > (0.2 * big).powi(2) && f2 < (8.0 * big).powi(2)) {
        return affine;
    }
    let norm2 =
        |n: [f64; 3]| ((n[0] - u0 * n[2]).powi(2) + (n[1] - v0 * n[2]).powi(2)) / f2 + n[2] * n[2];
    let r = (norm2(n2) / norm2(n3)).sqrt() as f32;
    if r.is_finite() && r > 0.0 {
        r
    } else {
        affine
    }
}
