//! Decode tests on small frames generated at test time (generated identities only).

use image::{DynamicImage, GrayImage, Luma};
use qr_decode::synth::{frame, payload, Rng, SynthParams};
use qr_decode::{decode_image, decode_luma, decode_luma_with, Options};
use qrcode::{Color, EcLevel, QrCode, Version};

/// A clean, axis-aligned code drawn at `scale` px per module with a 4-module quiet zone,
/// placed at (ox, oy) on a `w`×`h` mid-grey frame.
fn draw(
    text: &str,
    version: i16,
    ec: EcLevel,
    scale: u32,
    (w, h): (u32, u32),
    (ox, oy): (u32, u32),
) -> GrayImage {
    let code = QrCode::with_version(text.as_bytes(), Version::Normal(version), ec).unwrap();
    let n = code.width() as u32;
    let colors = code.to_colors();
    let mut img = GrayImage::from_pixel(w, h, Luma([120]));
    let q = 4 * scale;
    for y in 0..(n * scale + 2 * q) {
        for x in 0..(n * scale + 2 * q) {
            let (px, py) = (ox + x, oy + y);
            if px >= w || py >= h {
                continue;
            }
            let inside = x >= q && y >= q && x < q + n * scale && y < q + n * scale;
            let dark =
                inside && colors[(((y - q) / scale) * n + (x - q) / scale) as usize] == Color::Dark;
            img.put_pixel(px, py, Luma([if dark { 25 } else { 225 }]));
        }
    }
    img
}

fn sample_payload() -> String {
    payload(&mut Rng::new(42))
}

#[test]
fn clean_vietnamese_payload_is_byte_exact() {
    let p = sample_payload();
    assert!(p.contains('|') && !p.is_ascii(), "{p}");
    let img = draw(&p, 9, EcLevel::M, 3, (400, 300), (60, 40));
    let d = decode_luma(img.width(), img.height(), img.as_raw()).expect("decoded");
    assert_eq!(d.bytes, p.as_bytes());
    assert_eq!(d.text, p);
    assert!(!d.points.is_empty());
    // And through decode_image.
    let d2 = decode_image(&DynamicImage::ImageLuma8(img)).expect("decoded");
    assert_eq!(d2.text, p);
}

#[test]
fn every_version_and_level_of_the_cards() {
    let p = sample_payload();
    for v in [8i16, 12] {
        for ec in [EcLevel::L, EcLevel::M] {
            let img = draw(&p, v, ec, 3, (330, 330), (10, 10));
            let d = decode_luma(img.width(), img.height(), img.as_raw());
            assert_eq!(
                d.map(|d| d.bytes),
                Some(p.as_bytes().to_vec()),
                "v{v} {ec:?}"
            );
        }
    }
}

#[test]
fn small_code_two_px_per_module() {
    // 2 px per module: at the limit of what a webcam frame gives.
    let p = sample_payload();
    let img = draw(&p, 9, EcLevel::L, 2, (400, 300), (100, 80));
    let d = decode_luma(img.width(), img.height(), img.as_raw()).expect("decoded");
    assert_eq!(d.bytes, p.as_bytes());
}

#[test]
fn damaged_beyond_ecc_is_not_returned() {
    let p = sample_payload();
    let mut img = draw(&p, 9, EcLevel::L, 4, (400, 400), (40, 40));
    // Scribble over the data region (away from the finder patterns): far more than EC-L fixes.
    let mut rng = Rng::new(9);
    for _ in 0..1500 {
        let x = 40 + 16 + 4 * 12 + rng.int(0, 4 * 30) as u32;
        let y = 40 + 16 + 4 * 12 + rng.int(0, 4 * 30) as u32;
        let v = if rng.chance(0.5) { 25 } else { 225 };
        for dy in 0..4 {
            for dx in 0..4 {
                img.put_pixel(x / 4 * 4 + dx, y / 4 * 4 + dy, Luma([v]));
            }
        }
    }
    let d = decode_luma(img.width(), img.height(), img.as_raw());
    assert!(
        d.as_ref().is_none_or(|d| d.bytes == p.as_bytes()),
        "wrong payload {d:?}"
    );
}

#[test]
fn no_code_no_result() {
    // Frames without a code (clutter, finder-pattern look-alikes, checkerboards).
    let params = SynthParams {
        width: 320,
        height: 240,
        p_empty: 1.0,
        qr_px: (60.0, 100.0),
        max_tilt_deg: 35.0,
    };
    for seed in 0..4 {
        let (img, info) = frame(&mut Rng::new(seed), &params);
        assert!(info.payload.is_none());
        assert_eq!(
            decode_luma(img.width(), img.height(), img.as_raw()),
            None,
            "seed {seed}"
        );
    }
    let flat = GrayImage::from_pixel(200, 200, Luma([128]));
    assert_eq!(decode_luma(200, 200, flat.as_raw()), None);
}

#[test]
fn bad_buffers_are_rejected_without_panic() {
    assert_eq!(decode_luma(0, 0, &[]), None);
    assert_eq!(decode_luma(100, 100, &[0u8; 50]), None);
    assert_eq!(decode_luma(u32::MAX, u32::MAX, &[0u8; 16]), None);
    assert_eq!(decode_luma(21, 21, &[255u8; 21 * 21]), None);
}

#[test]
fn generated_webcam_frames_decode_exactly_or_not_at_all() {
    // Small frames so the test stays fast unoptimised; the benchmark does the real measurement.
    let params = SynthParams {
        width: 480,
        height: 360,
        p_empty: 0.0,
        qr_px: (150.0, 220.0),
        max_tilt_deg: 35.0,
    };
    let mut decoded = 0;
    for seed in 0..6 {
        let (img, info) = frame(&mut Rng::new(1000 + seed), &params);
        let want = info.payload.clone().expect("code");
        let d = decode_luma(img.width(), img.height(), img.as_raw());
        if let Some(d) = d {
            assert_eq!(d.bytes, want.as_bytes(), "seed {seed}: wrong payload");
            decoded += 1;
        }
    }
    assert!(decoded >= 3, "only {decoded}/6 decoded");
}

#[test]
fn baselines_are_weaker_or_equal() {
    let p = sample_payload();
    let img = draw(&p, 9, EcLevel::L, 2, (400, 300), (100, 80));
    let ours = decode_luma_with(&Options::default(), img.width(), img.height(), img.as_raw());
    let rqrr = decode_luma_with(
        &Options::rqrr_plain(),
        img.width(),
        img.height(),
        img.as_raw(),
    );
    assert!(ours.is_some());
    if let Some(r) = rqrr {
        assert_eq!(r.bytes, p.as_bytes());
    }
}
