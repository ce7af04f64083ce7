//! Synthetic webcam frames of ID-card QR codes, for the corpus generator, the benchmark and tests.
//! Every identity is generated; no real person's data.

use image::GrayImage;
use qr_payload::{id_prefix, Gender, PROVINCE_CODES};
use qrcode::{Color, EcLevel, QrCode, Version};
use serde::Serialize;

/// Small deterministic PRNG (SplitMix64): the corpus must not change with a dependency update.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f()
    }
    /// Uniform integer in [lo, hi] inclusive.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next_u64() % span).unwrap_or(0)
    }
    pub fn chance(&mut self, p: f32) -> bool {
        self.f() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        let i = usize::try_from(self.int(0, xs.len() as i64 - 1)).unwrap_or(0);
        &xs[i]
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.f().max(1e-7);
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lương", "Mai",
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Gia",
];
const MIDDLE_F: &[&str] = &[
    "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Diệu", "Khánh", "Bảo", "Hồng",
];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân",
    "Sơn", "Tuấn", "Việt", "Thắng", "Đạt", "Trọng", "Lộc", "Nghĩa",
];
const GIVEN_F: &[&str] = &[
    "Anh", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Phương",
    "Thảo", "Trang", "Uyên", "Yến", "Nhung", "Quỳnh", "Thủy", "Diệp",
];
const STREETS: &[&str] = &[
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Phan Đình Phùng",
    "Điện Biên Phủ",
    "Nguyễn Thị Minh Khai",
    "Võ Văn Tần",
    "Hùng Vương",
];
const WARDS: &[&str] = &[
    "Phường Bến Nghé",
    "Phường Dịch Vọng",
    "Xã Tân Thạnh",
    "Phường Hòa Cường Bắc",
    "Xã Yên Sơn",
    "Phường Vĩnh Ninh",
    "Thị trấn Phú Mỹ",
    "Xã Đông Hưng",
    "Phường Nghĩa Tân",
    "Xã Thạnh Phú",
];
const DISTRICTS: &[&str] = &[
    "Quận 1",
    "Quận Cầu Giấy",
    "Huyện Cái Bè",
    "Quận Hải Châu",
    "Huyện Lục Nam",
    "Thành phố Huế",
    "Huyện Tân Thành",
    "Huyện Đông Hưng",
    "Quận Bắc Từ Liêm",
    "Huyện Thạnh Phú",
];
const PROVINCES: &[&str] = &[
    "TP. Hồ Chí Minh",
    "Hà Nội",
    "Tiền Giang",
    "Đà Nẵng",
    "Bắc Giang",
    "Thừa Thiên Huế",
    "Bà Rịa - Vũng Tàu",
    "Thái Bình",
    "Bến Tre",
    "Nghệ An",
];

fn name(rng: &mut Rng, g: Gender) -> String {
    let (mid, given) = if g == Gender::Male {
        (MIDDLE_M, GIVEN_M)
    } else {
        (MIDDLE_F, GIVEN_F)
    };
    let mut s = format!("{} {}", rng.pick(FAMILY), rng.pick(mid));
    if rng.chance(0.3) {
        s.push(' ');
        let m: &str = rng.pick::<&str>(mid);
        s.push_str(m);
    }
    s.push(' ');
    let g: &str = rng.pick::<&str>(given);
    s.push_str(g);
    s
}

fn address(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(0.6) {
        s.push_str(&format!("Số {} {}, ", rng.int(1, 399), rng.pick(STREETS)));
    } else {
        s.push_str(&format!(
            "Tổ {}, Khu phố {}, ",
            rng.int(1, 30),
            rng.int(1, 12)
        ));
    }
    s.push_str(&format!(
        "{}, {}, {}",
        rng.pick(WARDS),
        rng.pick(DISTRICTS),
        rng.pick(PROVINCES)
    ));
    s
}

fn date(rng: &mut Rng, y0: i32, y1: i32) -> (i32, String) {
    let y = i32::try_from(rng.int(i64::from(y0), i64::from(y1))).unwrap_or(y0);
    let m = rng.int(1, 12);
    let d = rng.int(1, 28);
    (y, format!("{d:02}{m:02}{y}"))
}

/// A generated CCCD 2021 or thẻ căn cước 2024 payload that `qr_payload::parse` accepts.
pub fn payload(rng: &mut Rng) -> String {
    let g = if rng.chance(0.5) {
        Gender::Male
    } else {
        Gender::Female
    };
    let minor = rng.chance(0.15);
    let (by, dob) = if minor {
        date(rng, 2010, 2019)
    } else {
        date(rng, 1945, 2006)
    };
    let province = *rng.pick(&PROVINCE_CODES);
    let id = format!("{}{:06}", id_prefix(province, by, g), rng.int(0, 999_999));
    let old = if !minor && by < 1995 && rng.chance(0.6) {
        format!("{:09}", rng.int(10_000_000, 399_999_999))
    } else {
        String::new()
    };
    let n = name(rng, g);
    let addr = address(rng);
    let gender = if g == Gender::Male { "Nam" } else { "Nữ" };
    if minor || rng.chance(0.3) {
        // 2024 design (issued from July 2024), parents for minors.
        let (_, issue) = date(rng, 2025, 2025);
        let mut s = format!("{id}|{old}|{n}|{dob}|{gender}|{addr}|{issue}");
        if minor {
            let father = name(rng, Gender::Male);
            let mother = name(rng, Gender::Female);
            s.push_str(&format!("|{father}|{mother}"));
        }
        s
    } else {
        let (_, issue) = date(rng, 2021, 2023);
        format!("{id}|{old}|{n}|{dob}|{gender}|{addr}|{issue}")
    }
}

/// Everything the generator decided about one frame (the manifest line, minus the file name).
#[derive(Debug, Clone, Serialize)]
pub struct FrameInfo {
    pub payload: Option<String>,
    pub bucket: &'static str,
    pub severity: f64,
    pub version: Option<i16>,
    pub ec: Option<&'static str>,
    pub qr_px: f64,
    pub module_px: f64,
    pub tilt_deg: f64,
    pub rot_deg: f64,
    pub defocus_px: f64,
    pub motion_px: f64,
    pub noise: f64,
    pub signal: f64,
    pub glare: bool,
    pub jpeg_q: u8,
}

/// Generation knobs; the defaults are the corpus the brief describes.
#[derive(Debug, Clone)]
pub struct SynthParams {
    pub width: u32,
    pub height: u32,
    /// Probability of a frame without a code.
    pub p_empty: f32,
    pub qr_px: (f32, f32),
    pub max_tilt_deg: f32,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            width: 1280,
            height: 720,
            p_empty: 0.12,
            qr_px: (60.0, 400.0),
            max_tilt_deg: 35.0,
        }
    }
}

struct Card {
    /// Modules, row-major, `n`×`n`; empty for a card without a code.
    modules: Vec<bool>,
    n: usize,
    /// Card area in module units, relative to the QR's top-left corner.
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    ink: f32,
    paper: f32,
    /// Printed clutter (text lines, photo), in module units.
    rects: Vec<(f32, f32, f32, f32, f32)>,
}

impl Card {
    fn sample(&self, u: f32, v: f32) -> Option<f32> {
        if u < self.x0 || v < self.y0 || u >= self.x1 || v >= self.y1 {
            return None;
        }
        if !self.modules.is_empty() && u >= 0.0 && v >= 0.0 {
            let (mx, my) = (u as usize, v as usize);
            if mx < self.n && my < self.n {
                return Some(if self.modules[my * self.n + mx] {
                    self.ink
                } else {
                    self.paper
                });
            }
        }
        for &(a, b, c, d, val) in &self.rects {
            if u >= a && u < c && v >= b && v < d {
                return Some(val);
            }
        }
        Some(self.paper)
    }
}

/// 3×3 homography mapping (x, y) → (u, v) by solving the 8 unknowns from 4 correspondences.
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Option<[f64; 9]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(from[i].0), f64::from(from[i].1));
        let (u, v) = (f64::from(to[i].0), f64::from(to[i].1));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

fn apply(h: &[f64; 9], x: f32, y: f32) -> (f32, f32) {
    let (x, y) = (f64::from(x), f64::from(y));
    let w = h[6] * x + h[7] * y + h[8];
    (
        ((h[0] * x + h[1] * y + h[2]) / w) as f32,
        ((h[3] * x + h[4] * y + h[5]) / w) as f32,
    )
}

fn background(rng: &mut Rng, w: usize, h: usize, distractors: bool) -> Vec<f32> {
    let base = rng.range(40.0, 200.0);
    let (gx, gy) = (rng.range(-60.0, 60.0), rng.range(-60.0, 60.0));
    let mut img: Vec<f32> = (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f32 / w as f32, (i / w) as f32 / h as f32);
            base + gx * (x - 0.5) + gy * (y - 0.5)
        })
        .collect();
    let rect = |img: &mut Vec<f32>, x0: i64, y0: i64, x1: i64, y1: i64, val: f32| {
        for y in y0.max(0)..y1.min(h as i64) {
            for x in x0.max(0)..x1.min(w as i64) {
                img[y as usize * w + x as usize] = val;
            }
        }
    };
    // Desk objects.
    for _ in 0..rng.int(2, 8) {
        let (x, y) = (rng.int(-200, w as i64), rng.int(-200, h as i64));
        let (rw, rh) = (rng.int(40, 500), rng.int(40, 400));
        let v = rng.range(10.0, 245.0);
        rect(&mut img, x, y, x + rw, y + rh, v);
    }
    // Printed text on papers: runs of small dark blocks.
    for _ in 0..rng.int(0, 6) {
        let (x, y) = (rng.int(0, w as i64 - 300), rng.int(0, h as i64 - 100));
        let s = rng.int(3, 9);
        let paper = rng.range(170.0, 240.0);
        rect(&mut img, x - 10, y - 10, x + 300, y + 10 * s + 10, paper);
        for line in 0..rng.int(2, 6) {
            let mut cx = x;
            let cy = y + line * 2 * s;
            while cx < x + 280 {
                let cw = rng.int(s / 2 + 1, s * 2);
                rect(&mut img, cx, cy, cx + cw, cy + s, rng.range(20.0, 80.0));
                cx += cw + rng.int(1, s);
            }
        }
    }
    if distractors {
        // Finder-pattern look-alikes and checkerboards: must never yield a code.
        for _ in 0..rng.int(1, 4) {
            let m = rng.int(2, 8);
            let (x, y) = (rng.int(0, w as i64 - 9 * m), rng.int(0, h as i64 - 9 * m));
            let (dark, light) = (rng.range(10.0, 60.0), rng.range(180.0, 250.0));
            rect(&mut img, x - m, y - m, x + 8 * m, y + 8 * m, light);
            rect(&mut img, x, y, x + 7 * m, y + 7 * m, dark);
            rect(&mut img, x + m, y + m, x + 6 * m, y + 6 * m, light);
            rect(&mut img, x + 2 * m, y + 2 * m, x + 5 * m, y + 5 * m, dark);
        }
        for _ in 0..rng.int(0, 2) {
            let m = rng.int(2, 6);
            let k = rng.int(10, 40);
            let (x, y) = (rng.int(0, w as i64 - k * m), rng.int(0, h as i64 - k * m));
            for j in 0..k {
                for i in 0..k {
                    let v = if rng.chance(0.5) { 30.0 } else { 220.0 };
                    rect(
                        &mut img,
                        x + i * m,
                        y + j * m,
                        x + (i + 1) * m,
                        y + (j + 1) * m,
                        v,
                    );
                }
            }
        }
    }
    img
}

fn gaussian_blur(img: &mut [f32], w: usize, h: usize, sigma: f32) {
    if sigma < 0.3 {
        return;
    }
    let r = (sigma * 3.0).ceil() as i64;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / s).collect();
    let mut tmp = vec![0f32; img.len()];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let xx = (x as i64 + j as i64 - r).clamp(0, w as i64 - 1) as usize;
                acc += kv * img[y * w + xx];
            }
            tmp[y * w + x] = acc;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (j, kv) in k.iter().enumerate() {
                let yy = (y as i64 + j as i64 - r).clamp(0, h as i64 - 1) as usize;
                acc += kv * tmp[yy * w + x];
            }
            img[y * w + x] = acc;
        }
    }
}

fn motion_blur(img: &mut [f32], w: usize, h: usize, len: f32, angle: f32) {
    if len < 1.0 {
        return;
    }
    let taps = len.ceil() as usize + 1;
    let (dx, dy) = (angle.cos(), angle.sin());
    let offs: Vec<(i64, i64)> = (0..taps)
        .map(|t| {
            let s = t as f32 / (taps - 1) as f32 * len - len / 2.0;
            ((s * dx).round() as i64, (s * dy).round() as i64)
        })
        .collect();
    let src = img.to_vec();
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for &(ox, oy) in &offs {
                let xx = (x as i64 + ox).clamp(0, w as i64 - 1) as usize;
                let yy = (y as i64 + oy).clamp(0, h as i64 - 1) as usize;
                acc += src[yy * w + xx];
            }
            img[y * w + x] = acc / taps as f32;
        }
    }
}

/// Render one frame. Returns the grey frame (before JPEG) and what was decided.
pub fn frame(rng: &mut Rng, p: &SynthParams) -> (GrayImage, FrameInfo) {
    let (w, h) = (p.width as usize, p.height as usize);
    let has_code = !rng.chance(p.p_empty);
    let distractors = !has_code || rng.chance(0.3);
    let mut img = background(rng, w, h, distractors);

    // The code.
    let mut info = FrameInfo {
        payload: None,
        bucket: "none",
        severity: 0.0,
        version: None,
        ec: None,
        qr_px: 0.0,
        module_px: 0.0,
        tilt_deg: 0.0,
        rot_deg: 0.0,
        defocus_px: 0.0,
        motion_px: 0.0,
        noise: 0.0,
        signal: 0.0,
        glare: false,
        jpeg_q: 0,
    };
    let (modules, n) = if has_code {
        let text = payload(rng);
        let ec = if rng.chance(0.5) {
            EcLevel::L
        } else {
            EcLevel::M
        };
        let min_v = QrCode::with_error_correction_level(text.as_bytes(), ec)
            .map(|c| match c.version() {
                Version::Normal(v) => v,
                Version::Micro(v) => v,
            })
            .unwrap_or(12);
        let v = i16::try_from(rng.int(i64::from(min_v.max(6)), i64::from(min_v.max(6)) + 3))
            .unwrap_or(6)
            .min(12)
            .max(min_v);
        match QrCode::with_version(text.as_bytes(), Version::Normal(v), ec) {
            Ok(code) => {
                info.payload = Some(text);
                info.version = Some(v);
                info.ec = Some(if ec == EcLevel::L { "L" } else { "M" });
                let n = code.width();
                (
                    code.to_colors()
                        .into_iter()
                        .map(|c| c == Color::Dark)
                        .collect::<Vec<_>>(),
                    n,
                )
            }
            Err(_) => (Vec::new(), 25),
        }
    } else {
        (
            Vec::new(),
            25 + 4 * usize::try_from(rng.int(0, 6)).unwrap_or(0),
        )
    };
    let nf = n as f32;

    // Card around it, in module units.
    let quiet = rng.range(1.0, 4.0);
    let paper = rng.range(150.0, 245.0);
    let ink = rng.range(5.0, 70.0).min(paper - 60.0);
    let (x0, y0) = (
        -quiet - rng.range(0.0, 1.5) * nf,
        -quiet - rng.range(0.0, 1.0) * nf,
    );
    let (x1, y1) = (
        nf + quiet + rng.range(0.0, 3.0) * nf,
        nf + quiet + rng.range(0.0, 1.0) * nf,
    );
    let mut rects = Vec::new();
    for _ in 0..rng.int(3, 14) {
        let (a, b) = (rng.range(x0, x1), rng.range(y0, y1));
        let (rw, rh) = (rng.range(2.0, 0.8 * nf), rng.range(0.6, 1.6));
        let r = (a, b, a + rw, b + rh, rng.range(ink, paper - 30.0));
        // Keep the quiet zone clear.
        let clear = r.2 < -quiet || r.0 > nf + quiet || r.3 < -quiet || r.1 > nf + quiet;
        if clear || modules.is_empty() {
            rects.push(r);
        }
    }
    let card = Card {
        modules,
        n,
        x0,
        y0,
        x1,
        y1,
        ink,
        paper,
        rects,
    };

    // Pose: size, in-plane rotation, tilt about a random axis, pinhole projection.
    let qr_px = rng.range(p.qr_px.0, p.qr_px.1);
    let s = qr_px / nf;
    let rot = rng.range(0.0, std::f32::consts::TAU);
    let tilt = rng.range(0.0, p.max_tilt_deg).to_radians();
    let axis = rng.range(0.0, std::f32::consts::PI);
    let f = 1000.0f32;
    let (mut cx, mut cy) = (
        rng.range(0.2, 0.8) * w as f32,
        rng.range(0.2, 0.8) * h as f32,
    );
    let project_at = |cx: f32, cy: f32, u: f32, v: f32| -> (f32, f32) {
        // Card coordinates centred on the QR, in pixels at distance f.
        let (x, y) = ((u - nf / 2.0) * s, (v - nf / 2.0) * s);
        // Tilt: rotate about the in-plane axis by `tilt`.
        let (ax, ay) = (axis.cos(), axis.sin());
        let along = x * ax + y * ay;
        let across = -x * ay + y * ax;
        let across_t = across * tilt.cos();
        let z = across * tilt.sin();
        let (x, y) = (along * ax - across_t * ay, along * ay + across_t * ax);
        // In-plane rotation.
        let (xr, yr) = (x * rot.cos() - y * rot.sin(), x * rot.sin() + y * rot.cos());
        let k = f / (f + z);
        (cx + xr * k, cy + yr * k)
    };
    // Keep the code and one module of quiet zone inside the frame (the camera sees the code).
    let margin = [
        (-1.0, -1.0),
        (nf + 1.0, -1.0),
        (nf + 1.0, nf + 1.0),
        (-1.0, nf + 1.0),
    ];
    let pts = margin.map(|(u, v)| project_at(cx, cy, u, v));
    let (lx, hx) = (
        pts.iter().map(|p| p.0).fold(f32::MAX, f32::min),
        pts.iter().map(|p| p.0).fold(f32::MIN, f32::max),
    );
    let (ly, hy) = (
        pts.iter().map(|p| p.1).fold(f32::MAX, f32::min),
        pts.iter().map(|p| p.1).fold(f32::MIN, f32::max),
    );
    if lx < 0.0 {
        cx -= lx;
    } else if hx > w as f32 {
        cx -= hx - w as f32;
    }
    if ly < 0.0 {
        cy -= ly;
    } else if hy > h as f32 {
        cy -= hy - h as f32;
    }
    let project = |u: f32, v: f32| project_at(cx, cy, u, v);
    let corners_card = [(0.0, 0.0), (nf, 0.0), (nf, nf), (0.0, nf)];
    let corners_img = corners_card.map(|(u, v)| project(u, v));
    if let Some(hm) = homography(corners_img, corners_card) {
        let card_corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)].map(|(u, v)| project(u, v));
        let bx0 = card_corners
            .iter()
            .map(|c| c.0)
            .fold(f32::MAX, f32::min)
            .floor()
            .max(0.0) as usize;
        let by0 = card_corners
            .iter()
            .map(|c| c.1)
            .fold(f32::MAX, f32::min)
            .floor()
            .max(0.0) as usize;
        let bx1 = (card_corners
            .iter()
            .map(|c| c.0)
            .fold(f32::MIN, f32::max)
            .ceil()
            .max(0.0) as usize)
            .min(w);
        let by1 = (card_corners
            .iter()
            .map(|c| c.1)
            .fold(f32::MIN, f32::max)
            .ceil()
            .max(0.0) as usize)
            .min(h);
        let sub = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)];
        for y in by0..by1 {
            for x in bx0..bx1 {
                let mut acc = 0.0;
                let mut hit = 0;
                for (sx, sy) in sub {
                    let (u, v) = apply(&hm, x as f32 + sx, y as f32 + sy);
                    if let Some(val) = card.sample(u, v) {
                        acc += val;
                        hit += 1;
                    } else {
                        acc += img[y * w + x];
                    }
                }
                if hit > 0 {
                    img[y * w + x] = acc / 4.0;
                }
            }
        }
    }

    // Optics and sensor.
    let module_px = s;
    let defocus = if rng.chance(0.6) {
        rng.range(0.0, 0.45) * module_px.min(6.0)
    } else {
        0.0
    };
    let motion = if rng.chance(0.35) {
        rng.range(0.0, 1.0) * module_px.min(8.0)
    } else {
        0.0
    };
    gaussian_blur(&mut img, w, h, defocus);
    motion_blur(&mut img, w, h, motion, rng.range(0.0, std::f32::consts::PI));

    let low_light = rng.chance(0.25);
    let gain = if low_light {
        rng.range(0.15, 0.5)
    } else {
        rng.range(0.6, 1.1)
    };
    let low_contrast = rng.chance(0.25);
    let contrast = if low_contrast {
        rng.range(0.3, 0.6)
    } else {
        1.0
    };
    let pivot = 128.0;
    let vign = rng.range(0.0, 0.5);
    let glare = rng.chance(0.25);
    let (gx, gy, gr, gs) = (
        cx + rng.range(-1.0, 1.0) * qr_px,
        cy + rng.range(-1.0, 1.0) * qr_px,
        rng.range(0.1, 0.6) * qr_px.max(80.0),
        rng.range(60.0, 200.0),
    );
    let noise = rng.range(1.0, 6.0) + if low_light { rng.range(2.0, 10.0) } else { 0.0 };
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let dx = (x as f32 / w as f32 - 0.5) * 2.0;
            let dy = (y as f32 / h as f32 - 0.5) * 2.0;
            let mut v = (img[i] - pivot) * contrast + pivot;
            v *= gain * (1.0 - vign * (dx * dx + dy * dy) / 2.0);
            if glare {
                let d2 = ((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)) / (gr * gr);
                v += gs * (-d2).exp();
            }
            v += noise * rng.normal();
            img[i] = v;
        }
    }
    let out = GrayImage::from_fn(p.width, p.height, |x, y| {
        image::Luma([img[y as usize * w + x as usize].round().clamp(0.0, 255.0) as u8])
    });
    let jpeg_q = u8::try_from(rng.int(35, 95)).unwrap_or(80);

    // Difficulty: rough sum of what makes decoding hard.
    let signal = (paper - ink) * contrast * gain;
    let mut sev = ((3.5 - module_px) / 1.5).clamp(0.0, 1.5)
        + tilt.to_degrees() / 35.0 * 0.5
        + defocus / module_px / 0.4
        + motion / module_px / 1.0
        + (noise / signal.max(1.0) * 3.0).min(1.5)
        + ((60.0 - signal) / 40.0).clamp(0.0, 1.5)
        + (f32::from(60u8.saturating_sub(jpeg_q)) / 50.0).max(0.0);
    let glare_on_code = glare && (gx - cx).abs() < qr_px * 0.7 && (gy - cy).abs() < qr_px * 0.7;
    if glare_on_code {
        sev += 0.7;
    }
    if has_code && info.payload.is_some() {
        info.bucket = if sev < 0.8 {
            "easy"
        } else if sev < 1.8 {
            "medium"
        } else {
            "hard"
        };
    } else {
        sev = 0.0;
    }
    let r2 = |x: f32| (f64::from(x) * 100.0).round() / 100.0;
    info.severity = r2(sev);
    info.qr_px = r2(qr_px.round());
    info.module_px = r2(module_px);
    info.tilt_deg = r2(tilt.to_degrees().round());
    info.rot_deg = r2(rot.to_degrees().round());
    info.defocus_px = r2(defocus);
    info.motion_px = r2(motion);
    info.noise = r2(noise);
    info.signal = r2(signal.round());
    info.glare = glare_on_code;
    info.jpeg_q = jpeg_q;
    if !has_code {
        info.qr_px = 0.0;
        info.module_px = 0.0;
    }
    (out, info)
}

/// JPEG-encode a grey frame at `quality`.
pub fn jpeg(img: &GrayImage, quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(enc)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse() {
        let mut rng = Rng::new(7);
        for _ in 0..300 {
            let p = payload(&mut rng);
            if let Err(e) = qr_payload::parse(&p) {
                panic!("{p}: {e}");
            }
        }
    }

    #[test]
    fn homography_maps_corners() {
        let from = [(10.0, 10.0), (110.0, 20.0), (100.0, 120.0), (5.0, 100.0)];
        let to = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let h = homography(from, to).unwrap();
        for i in 0..4 {
            let (u, v) = apply(&h, from[i].0, from[i].1);
            assert!((u - to[i].0).abs() < 1e-4 && (v - to[i].1).abs() < 1e-4);
        }
    }
}
