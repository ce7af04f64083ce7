//! A small generated portrait (JPEG) for DG2: a head-and-shoulders drawing, different per seed.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// Width and height of the generated portrait (ICAO aspect ratio 3:4).
pub const FACE_SIZE: (u32, u32) = (120, 160);

/// A JPEG portrait derived from `seed`: background, skin and hair tones vary.
pub fn generate_face_jpeg(seed: u64) -> Vec<u8> {
    let (w, h) = FACE_SIZE;
    let pick = |shift: u32, range: u8| ((seed >> shift) & 0xFF) as u8 % range;
    let background = Rgb([200 + pick(0, 40), 215 + pick(8, 30), 235 + pick(16, 20)]);
    let skin = Rgb([205 + pick(24, 40), 160 + pick(32, 40), 120 + pick(40, 40)]);
    let hair = Rgb([20 + pick(48, 40), 15 + pick(52, 30), 10 + pick(56, 20)]);
    let shirt = Rgb([40 + pick(4, 150), 40 + pick(12, 150), 60 + pick(20, 150)]);
    let mut img = RgbImage::from_pixel(w, h, background);
    let (cx, cy) = (w as f32 / 2.0, h as f32 * 0.42);
    let (rx, ry) = (w as f32 * 0.27, h as f32 * 0.27);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32, y as f32);
            let dx = (fx - cx) / rx;
            let dy = (fy - cy) / ry;
            let face = dx * dx + dy * dy <= 1.0;
            let hair_cap = dx * dx + ((fy - cy + ry * 0.25) / (ry * 1.05)).powi(2) <= 1.1
                && fy < cy - ry * 0.35;
            let shoulders = fy > h as f32 * 0.78
                && ((fx - cx) / (w as f32 * 0.48)).powi(2)
                    + ((fy - h as f32) / (h as f32 * 0.24)).powi(2)
                    <= 1.0;
            let eye = |ex: f32| ((fx - ex).powi(2) + (fy - (cy - ry * 0.1)).powi(2)) <= 9.0;
            let mouth = (fy - (cy + ry * 0.5)).abs() <= 1.5 && (fx - cx).abs() <= rx * 0.35;
            let eyes = face && (eye(cx - rx * 0.4) || eye(cx + rx * 0.4));
            let pixel = if hair_cap || eyes {
                hair
            } else if face && mouth {
                Rgb([150, 60, 60])
            } else if face {
                skin
            } else if shoulders {
                shirt
            } else {
                background
            };
            img.put_pixel(x, y, pixel);
        }
    }
    let mut out = Vec::new();
    // Encoding an in-memory RGB image into a Vec cannot fail; an empty Vec is still returned
    // (and rejected by the DG2 builder) if it ever did.
    let _ = JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_are_jpeg_and_differ_by_seed() {
        let a = generate_face_jpeg(1);
        let b = generate_face_jpeg(2);
        assert_eq!(&a[..3], &[0xFF, 0xD8, 0xFF]);
        assert_eq!(&a[a.len() - 2..], &[0xFF, 0xD9]);
        assert_ne!(a, b);
        assert_eq!(a, generate_face_jpeg(1));
        let decoded = image::load_from_memory(&a).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), FACE_SIZE);
    }
}
