//! Speed of `Sessions::add_file` on 300 dpi A4 scans, against baselines measured in the same
//! run: decoding the file alone (`pages::load_pages`) and the full page processing
//! (`pages::process`, what the commit does per page).
//!
//! `cargo run --release -p digitize --example session_bench [pages]`

use digitize::session::{Insert, Sessions};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pages::testpage::{a4_page, load_font, TestKind};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(6);
    let font = load_font().expect("DejaVu font (fonts-dejavu-core)");
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<_> = (0..n)
        .map(|i| {
            let kind = if i % 2 == 0 {
                TestKind::Text
            } else {
                TestKind::TextWithStamp
            };
            let img = a4_page(kind, 300.0, 500 + i as u64, &font);
            let mut out = Vec::new();
            let mut e = JpegEncoder::new_with_quality(&mut out, 85);
            e.set_pixel_density(PixelDensity::dpi(300));
            e.encode_image(&img).expect("jpeg");
            let p = dir.path().join(format!("p{i}.jpg"));
            std::fs::write(&p, out).expect("write");
            p
        })
        .collect();
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();

    let t = Instant::now();
    let mut raws = Vec::new();
    for b in &bytes {
        raws.extend(pages::load_pages(b, None).expect("decode"));
    }
    let decode = t.elapsed().as_secs_f64() * 1000.0 / n as f64;

    let s = Sessions::open(&dir.path().join("dg")).expect("sessions");
    let sess = s.open_or_resume("bench", "bench", None).expect("session");
    let t = Instant::now();
    for f in &files {
        s.add_file(&sess.id, f, "file", Some(0), Insert::End, None)
            .expect("add");
    }
    let add = t.elapsed().as_secs_f64() * 1000.0 / n as f64;

    let t = Instant::now();
    s.add_paths(&sess.id, &files, "folder", Some(1), Insert::End, None)
        .expect("add paths");
    let add_many = t.elapsed().as_secs_f64() * 1000.0 / n as f64;

    let t = Instant::now();
    let list = s.pages(&sess.id).expect("pages");
    let list_ms = t.elapsed().as_secs_f64() * 1000.0;

    let cfg = pages::Config {
        target_dpi: 300.0,
        ..Default::default()
    };
    let t = Instant::now();
    for r in &raws {
        pages::process(r, &cfg).expect("process");
    }
    let process = t.elapsed().as_secs_f64() * 1000.0 / n as f64;

    // Parts of add_file, for the breakdown.
    let quick = pages::Config {
        auto_rotate: false,
        deskew: false,
        ..Default::default()
    };
    let t = Instant::now();
    for r in &raws {
        pages::analyze(r, &quick);
    }
    let analyze = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let t = Instant::now();
    for r in &raws {
        pages::thumbnail_jpeg(&r.image, 240).expect("thumb");
    }
    let thumb_full = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let t = Instant::now();
    for (i, b) in bytes.iter().enumerate() {
        digitize::fsio::write_atomic(&dir.path().join(format!("w{i}.jpg")), b).expect("write");
    }
    let write = t.elapsed().as_secs_f64() * 1000.0 / n as f64;

    let (w, h) = (raws[0].image.width(), raws[0].image.height());
    println!(
        "300 dpi A4 JPEG pages: {n} ({w}x{h} px, {:.1} MB JPEG each)",
        bytes[0].len() as f64 / 1e6
    );
    println!("decode only (baseline):       {decode:8.1} ms/page");
    println!(
        "Sessions::add_file:           {add:8.1} ms/page  ({:.2}x decode)",
        add / decode
    );
    println!(
        "Sessions::add_paths ({n} files, parallel): {add_many:8.1} ms/page  ({:.2}x decode)",
        add_many / decode
    );
    println!(
        "pages::process (commit work): {process:8.1} ms/page  ({:.2}x decode)",
        process / decode
    );
    println!("  parts: analyze (no deskew/rotation) {analyze:.1} ms, full-size thumbnail {thumb_full:.1} ms, durable write {write:.1} ms");
    println!(
        "Sessions::pages ({} pages):    {list_ms:8.1} ms",
        list.len()
    );
}
