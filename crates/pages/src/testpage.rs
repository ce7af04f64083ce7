//! Synthetic test pages: A4 sheets with generated Vietnamese administrative text (no real
//! person's data), a red round stamp and a blue signature, grey photo areas, blank sheets with
//! scanner noise and show-through; plus helpers to skew, turn and lay them on a scanner lid.
//! Used by tests and by the `scan-bench` binary.

use crate::PageError;
use ab_glyph::{FontVec, PxScale};
use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_hollow_circle_mut, draw_line_segment_mut, draw_text_mut,
};

/// Font used for test pages (Debian package fonts-dejavu-core).
pub const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// What a test page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    /// Black text only.
    Text,
    /// Black text, a blue signature and a red round stamp.
    TextWithStamp,
    /// Black text and a grey continuous-tone picture.
    Grey,
    /// Clean blank paper.
    Blank,
    /// Blank paper with noise, specks and faint show-through of the back side.
    NearBlank,
}

const PAPER: [u8; 3] = [247, 246, 242];
const INK: [u8; 3] = [28, 28, 30];
/// Stamp red.
pub const STAMP_RED: [u8; 3] = [205, 32, 45];

const SYLLABLES: &[&str] = &[
    "đề",
    "nghị",
    "cấp",
    "giấy",
    "chứng",
    "nhận",
    "quyền",
    "sử",
    "dụng",
    "đất",
    "hộ",
    "khẩu",
    "thường",
    "trú",
    "tại",
    "phường",
    "xã",
    "huyện",
    "tỉnh",
    "ủy",
    "ban",
    "nhân",
    "dân",
    "hồ",
    "sơ",
    "thủ",
    "tục",
    "hành",
    "chính",
    "được",
    "tiếp",
    "nhận",
    "theo",
    "quy",
    "định",
    "của",
    "pháp",
    "luật",
    "người",
    "nộp",
    "kê",
    "khai",
    "trung",
    "thực",
    "chịu",
    "trách",
    "nhiệm",
    "về",
    "nội",
    "dung",
    "bản",
    "sao",
    "điện",
    "tử",
    "ngày",
    "tháng",
    "năm",
    "số",
    "kèm",
    "theo",
    "văn",
    "bản",
    "xác",
    "nhận",
    "địa",
    "chỉ",
    "liên",
    "hệ",
];

/// Small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);
impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Loads the test font.
pub fn load_font() -> Result<FontVec, PageError> {
    let bytes = std::fs::read(FONT_PATH).map_err(|e| PageError::FontUnavailable(e.to_string()))?;
    FontVec::try_from_vec(bytes).map_err(|e| PageError::FontUnavailable(e.to_string()))
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize]);
    }
    s
}

/// A4 page (210 × 297 mm) at `dpi`.
pub fn a4_page(kind: TestKind, dpi: f32, seed: u64, font: &FontVec) -> RgbImage {
    let px = |mm: f32| (mm / 25.4 * dpi).round() as i32;
    let (w, h) = (px(210.0) as u32, px(297.0) as u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb(PAPER));
    let mut rng = Rng::new(seed);
    let em = dpi * 0.155; // ~11 pt
    let scale = PxScale::from(em);
    let ink = Rgb(INK);
    let (left, top) = (px(25.0), px(20.0));
    let line_h = (em * 1.45) as i32;
    match kind {
        TestKind::Blank => {}
        TestKind::NearBlank => {
            // Show-through: mirrored light text is approximated by light text lines.
            let ghost = Rgb([226, 225, 221]);
            let mut y = top;
            while y < h as i32 - px(30.0) {
                draw_text_mut(
                    &mut img,
                    ghost,
                    left,
                    y,
                    scale,
                    font,
                    &sentence(&mut rng, 9),
                );
                y += line_h;
            }
            add_noise(&mut img, &mut rng, 6);
            // Dust specks: isolated dark pixels.
            for _ in 0..(w * h / 4000) {
                let (x, y) = (rng.below(w as u64) as u32, rng.below(h as u64) as u32);
                img.put_pixel(x, y, Rgb([60, 60, 60]));
            }
            return img;
        }
        _ => {
            draw_text_mut(
                &mut img,
                ink,
                px(55.0),
                top,
                scale,
                font,
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            );
            draw_text_mut(
                &mut img,
                ink,
                px(75.0),
                top + line_h,
                scale,
                font,
                "Độc lập - Tự do - Hạnh phúc",
            );
            draw_text_mut(
                &mut img,
                ink,
                px(60.0),
                top + 3 * line_h,
                scale,
                font,
                "ĐƠN ĐỀ NGHỊ (MẪU THỬ NGHIỆM)",
            );
            let bottom = if kind == TestKind::Grey {
                h as i32 / 2
            } else {
                h as i32 - px(25.0)
            };
            let mut y = top + 5 * line_h;
            while y + line_h < bottom {
                draw_text_mut(&mut img, ink, left, y, scale, font, &sentence(&mut rng, 11));
                y += line_h;
            }
            if kind == TestKind::Grey {
                // Continuous-tone grey "photo": smooth gradient with soft waves.
                let (x0, y0, x1, y1) = (
                    px(30.0),
                    h as i32 / 2 + px(10.0),
                    px(180.0),
                    h as i32 / 2 + px(110.0),
                );
                for y in y0..y1 {
                    for x in x0..x1 {
                        let t = (x - x0) as f32 / (x1 - x0) as f32;
                        let wave =
                            ((x as f32 / dpi * 6.0).sin() * (y as f32 / dpi * 4.0).cos()) * 25.0;
                        let g = (60.0 + 140.0 * t + wave).clamp(0.0, 255.0) as u8;
                        img.put_pixel(x as u32, y as u32, Rgb([g, g, g]));
                    }
                }
            }
            if kind == TestKind::TextWithStamp {
                // Blue signature: a few strokes 0.5 mm wide.
                let blue = Rgb([35, 55, 165]);
                let (sx, sy) = (px(120.0) as f32, (h as i32 - px(75.0)) as f32);
                let d = dpi / 25.4;
                for o in 0..(d * 0.5).max(1.0) as i32 {
                    let o = o as f32;
                    let pts = [
                        (0.0, 10.0),
                        (8.0, -6.0),
                        (14.0, 8.0),
                        (22.0, -4.0),
                        (30.0, 6.0),
                        (44.0, -2.0),
                    ];
                    for p in pts.windows(2) {
                        draw_line_segment_mut(
                            &mut img,
                            (sx + p[0].0 * d, sy + p[0].1 * d + o),
                            (sx + p[1].0 * d, sy + p[1].1 * d + o),
                            blue,
                        );
                    }
                }
                // Red round stamp, 36 mm across, overlapping the signature.
                let red = Rgb(STAMP_RED);
                let (cx, cy) = (px(135.0), h as i32 - px(70.0));
                let r = px(18.0);
                for t in 0..px(1.0).max(2) {
                    draw_hollow_circle_mut(&mut img, (cx, cy), r - t, red);
                    draw_hollow_circle_mut(&mut img, (cx, cy), r - px(4.0) - t / 2, red);
                }
                draw_filled_circle_mut(&mut img, (cx, cy), px(3.0), red);
                let small = PxScale::from(em * 0.8);
                draw_text_mut(
                    &mut img,
                    red,
                    cx - px(13.0),
                    cy - px(9.0),
                    small,
                    font,
                    "ỦY BAN NHÂN DÂN",
                );
                draw_text_mut(
                    &mut img,
                    red,
                    cx - px(10.0),
                    cy + px(5.0),
                    small,
                    font,
                    "XÃ THỬ NGHIỆM",
                );
            }
        }
    }
    add_noise(&mut img, &mut rng, 3);
    img
}

/// Adds uniform noise of ±`amp` (scanner sensor noise).
pub fn add_noise(img: &mut RgbImage, rng: &mut Rng, amp: u8) {
    let span = 2 * amp as u64 + 1;
    let mut bits = 0u64;
    let mut left = 0;
    for p in img.pixels_mut() {
        if left == 0 {
            bits = rng.next_u64();
            left = 8;
        }
        let n = (bits & 0xFF) % span;
        bits >>= 8;
        left -= 1;
        let d = n as i16 - amp as i16;
        for c in p.0.iter_mut() {
            *c = (*c as i16 + d).clamp(0, 255) as u8;
        }
    }
}

/// Turns the page `quarters` × 90° clockwise.
pub fn turn(img: &RgbImage, quarters: u32) -> RgbImage {
    match quarters % 4 {
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        3 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

/// Lays the page on a scanner lid of colour `lid` with `margin` pixels around, turned
/// `skew_deg` clockwise (the canvas is enlarged so the paper stays whole).
pub fn on_lid(img: &RgbImage, margin: u32, lid: [u8; 3], skew_deg: f32) -> RgbImage {
    let a = skew_deg.abs().to_radians();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let cw = (w * a.cos() + h * a.sin()) as u32 + 2 * margin;
    let ch = (w * a.sin() + h * a.cos()) as u32 + 2 * margin;
    let mut canvas = RgbImage::from_pixel(cw, ch, Rgb(lid));
    image::imageops::overlay(
        &mut canvas,
        img,
        ((cw - img.width()) / 2) as i64,
        ((ch - img.height()) / 2) as i64,
    );
    if skew_deg == 0.0 {
        return canvas;
    }
    skew(&canvas, skew_deg, lid)
}

/// Turns the image `deg` degrees clockwise about its centre, keeping its size; `fill` shows
/// where no source pixel lands.
pub fn skew(img: &RgbImage, deg: f32, fill: [u8; 3]) -> RgbImage {
    imageproc::geometric_transformations::rotate_about_center(
        img,
        deg.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        Rgb(fill),
    )
}

/// A `width_mm` × `height_mm` sheet with a title and text lines inside `margin_mm` (receipts,
/// A5 forms, pages with content up to the edge).
pub fn sheet(
    width_mm: f32,
    height_mm: f32,
    margin_mm: f32,
    dpi: f32,
    seed: u64,
    font: &FontVec,
) -> RgbImage {
    let px = |mm: f32| (mm / 25.4 * dpi).round() as i32;
    let (w, h) = (px(width_mm).max(1) as u32, px(height_mm).max(1) as u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb(PAPER));
    let mut rng = Rng::new(seed);
    let em = dpi * 0.155;
    let scale = PxScale::from(em);
    let line_h = (em * 1.45) as i32;
    let words = (((width_mm - 2.0 * margin_mm) / 9.0) as usize).max(2);
    draw_text_mut(
        &mut img,
        Rgb(INK),
        px(margin_mm),
        px(margin_mm),
        scale,
        font,
        "PHIẾU THỬ NGHIỆM",
    );
    let mut y = px(margin_mm) + 2 * line_h;
    while y + line_h < h as i32 - px(margin_mm) {
        let s = sentence(&mut rng, words);
        draw_text_mut(&mut img, Rgb(INK), px(margin_mm), y, scale, font, &s);
        y += line_h;
    }
    add_noise(&mut img, &mut rng, 3);
    img
}

/// White scanner lid: a little brighter and cooler than office paper.
pub const WHITE_LID: [u8; 3] = [253, 253, 255];

/// A flatbed scan of `paper` on a white lid: a `canvas` (width, height) of `lid`, the paper
/// centred at `centre` and turned `skew_deg` clockwise, with a grey shadow line of
/// `shadow_depth` levels (about 0.4 mm wide) just outside the paper edges, and sensor noise.
#[allow(clippy::too_many_arguments)]
pub fn on_white_lid(
    paper: &RgbImage,
    canvas: (u32, u32),
    centre: (f32, f32),
    skew_deg: f32,
    lid: [u8; 3],
    shadow_depth: u8,
    dpi: f32,
    seed: u64,
) -> RgbImage {
    let (pw, ph) = (paper.width() as f32, paper.height() as f32);
    let (s, c) = skew_deg.to_radians().sin_cos();
    let shadow_w = (dpi / 25.4 * 0.4).max(1.2);
    let mut img = RgbImage::from_fn(canvas.0, canvas.1, |x, y| {
        // Canvas → paper: rotate back by the skew about the centre.
        let (dx, dy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
        let (u, v) = (dx * c + dy * s + pw / 2.0, -dx * s + dy * c + ph / 2.0);
        if u >= 0.0 && v >= 0.0 && u < pw && v < ph {
            *paper.get_pixel(u as u32, v as u32)
        } else {
            // Distance to the paper outline.
            let ex = (-u).max(u - pw).max(0.0);
            let ey = (-v).max(v - ph).max(0.0);
            let d = (ex * ex + ey * ey).sqrt();
            let k = (1.0 - d / shadow_w).max(0.0) * shadow_depth as f32;
            Rgb(lid.map(|l| (l as f32 - k).round() as u8))
        }
    });
    add_noise(&mut img, &mut Rng::new(seed ^ 0xA5A5), 3);
    img
}

/// Draws a light rectangular frame `inset` pixels inside the edges, `thickness` pixels wide.
pub fn add_frame(img: &mut RgbImage, inset: u32, thickness: u32, colour: [u8; 3]) {
    let (w, h) = img.dimensions();
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x.min(w - 1 - x), y.min(h - 1 - y));
            let d = dx.min(dy);
            if d >= inset && d < inset + thickness {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }
}

/// A desk photo of `page` taken by a camera: the page (a sheet of `size_mm`, width × height)
/// tilted `tilt_x_deg` about the horizontal axis and `tilt_y_deg` about the vertical axis,
/// turned `roll_deg` clockwise in the image, spanning about `fill` of the frame height, on a
/// wood-coloured textured desk with uneven light. Returns the photo and the page corners in
/// it (the page's top-left, top-right, bottom-right, bottom-left), as pixel coordinates.
#[allow(clippy::too_many_arguments)]
pub fn desk_photo(
    page: &RgbImage,
    size_mm: (f32, f32),
    frame: (u32, u32),
    tilt_x_deg: f32,
    tilt_y_deg: f32,
    roll_deg: f32,
    fill: f32,
    seed: u64,
) -> (RgbImage, [(f32, f32); 4]) {
    let (fw, fh) = (frame.0 as f32, frame.1 as f32);
    let focal = fw.max(fh);
    let (sx, cx) = tilt_x_deg.to_radians().sin_cos();
    let (sy, cy) = tilt_y_deg.to_radians().sin_cos();
    let (sz, cz) = roll_deg.to_radians().sin_cos();
    let dist = focal * size_mm.1 / (fill * fh);
    let project = |x: f32, y: f32| {
        // Rx, then Ry, then Rz (roll, clockwise on screen).
        let (x1, y1, z1) = (x, y * cx, y * sx);
        let (x2, y2, z2) = (x1 * cy + z1 * sy, y1, -x1 * sy + z1 * cy);
        let (x3, y3) = (x2 * cz - y2 * sz, x2 * sz + y2 * cz);
        let z = z2 + dist;
        (focal * x3 / z + fw / 2.0, focal * y3 / z + fh / 2.0)
    };
    let (hw, hh) = (size_mm.0 / 2.0, size_mm.1 / 2.0);
    let corners = [
        project(-hw, -hh),
        project(hw, -hh),
        project(hw, hh),
        project(-hw, hh),
    ];
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    let rect = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    let to_page =
        imageproc::geometric_transformations::Projection::from_control_points(corners, rect)
            .expect("camera corners form a quadrilateral");
    let mut rng = Rng::new(seed);
    let grain: Vec<f32> = (0..frame.1)
        .map(|_| (rng.below(1000) as f32 / 1000.0 - 0.5) * 30.0)
        .collect();
    let img = RgbImage::from_fn(frame.0, frame.1, |x, y| {
        let light = 0.82 + 0.18 * (1.0 - (x as f32 / fw - 0.3).abs()) * (1.0 - y as f32 / fh * 0.3);
        let (u, v) = to_page * (x as f32 + 0.5, y as f32 + 0.5);
        let rgb = if u >= 0.0 && v >= 0.0 && u < pw && v < ph {
            // Bilinear sample of the page.
            let (u, v) = ((u - 0.5).max(0.0), (v - 0.5).max(0.0));
            let (x0, y0) = (u as u32, v as u32);
            let (x1, y1) = (
                (x0 + 1).min(page.width() - 1),
                (y0 + 1).min(page.height() - 1),
            );
            let (fx, fy) = (u - x0 as f32, v - y0 as f32);
            let p = |xx, yy, c: usize| page.get_pixel(xx, yy).0[c] as f32;
            [0, 1, 2].map(|c| {
                let t = p(x0, y0, c) + (p(x1, y0, c) - p(x0, y0, c)) * fx;
                let b = p(x0, y1, c) + (p(x1, y1, c) - p(x0, y1, c)) * fx;
                t + (b - t) * fy
            })
        } else {
            let stripe = grain[y as usize]
                + 12.0 * ((x as f32 * 0.05 + y as f32 * 0.011).sin())
                + 6.0 * ((x as f32 * 0.31).sin());
            [150.0 + stripe, 105.0 + stripe * 0.8, 70.0 + stripe * 0.5]
        };
        Rgb(rgb.map(|c| (c * light).clamp(0.0, 255.0) as u8))
    });
    let mut img = img;
    add_noise(&mut img, &mut rng, 4);
    (img, corners)
}
