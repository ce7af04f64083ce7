//! Small generated pages (A4 drawn at 100 px/inch, declared 200 dpi: an A6-sized sheet) so
//! that tests stay fast.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use digitize::queue::NewItem;
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pages::testpage::{a4_page, load_font, TestKind};
use std::path::{Path, PathBuf};

pub fn small_page(kind: TestKind, seed: u64) -> image::RgbImage {
    let font = load_font().expect("DejaVu font (fonts-dejavu-core)");
    a4_page(kind, 100.0, seed, &font)
}

pub fn jpeg_200dpi(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = JpegEncoder::new_with_quality(&mut out, 85);
    e.set_pixel_density(PixelDensity::dpi(200));
    e.encode_image(img).unwrap();
    out
}

/// Multi-page RGB TIFF recording 200 dpi.
pub fn tiff_200dpi(imgs: &[image::RgbImage]) -> Vec<u8> {
    use tiff::encoder::{colortype::RGB8, Rational, TiffEncoder};
    use tiff::tags::ResolutionUnit;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        for i in imgs {
            let mut im = enc.new_image::<RGB8>(i.width(), i.height()).unwrap();
            im.resolution(ResolutionUnit::Inch, Rational { n: 200, d: 1 });
            im.write_data(i.as_raw()).unwrap();
        }
    }
    buf.into_inner()
}

/// Writes `n` JPEG pages (text, stamp, text …) into `dir`; returns their paths.
pub fn write_pages(dir: &Path, n: usize, seed: u64) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .map(|i| {
            let kind = if i % 3 == 1 {
                TestKind::TextWithStamp
            } else {
                TestKind::Text
            };
            let p = dir.join(format!("page-{i:03}.jpg"));
            std::fs::write(&p, jpeg_200dpi(&small_page(kind, seed + i as u64))).unwrap();
            p
        })
        .collect()
}

pub fn new_item(ma: &str, comp: &str) -> NewItem {
    NewItem {
        ma_ho_so: ma.into(),
        component_id: comp.into(),
        procedure: "1.001234 Đăng ký khai sinh".into(),
        clerk: "Cán bộ Thử Nghiệm".into(),
        citizen_id: Some("001099000001".into()),
        received_at: Utc.with_ymd_and_hms(2026, 11, 28, 2, 30, 0).unwrap(),
        target_dpi: 200,
    }
}

/// Pages of a PDF per `pdfinfo` (poppler-utils).
pub fn pdfinfo_pages(pdf: &Path) -> u32 {
    let out = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo: {s}"))
}

/// A fresh queue in a temp dir with `n` items of hồ sơ `ma`, each ingested from the same
/// `pages` generated pages (`seed`), components `tp-0`, `tp-1`, …
pub fn queue_with_items(
    ma: &str,
    pages: usize,
    seed: u64,
    n: usize,
) -> (tempfile::TempDir, digitize::queue::Queue, Vec<String>) {
    use digitize::ingest::{ingest, IngestRequest};
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write_pages(&src, pages, seed);
    let (q, _) = digitize::queue::Queue::open(&d.path().join("dg")).unwrap();
    let ids = (0..n)
        .map(|i| {
            ingest(
                &q,
                &IngestRequest {
                    item: new_item(ma, &format!("tp-{i}")),
                    inputs: vec![src.clone()],
                    fallback_dpi: None,
                    threads: 1,
                },
            )
            .unwrap()
            .item_id
        })
        .collect();
    (d, q, ids)
}
