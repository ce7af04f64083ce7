//! Auto-crop on a white scanner lid: small sheets on an A4 flatbed are cropped to the paper
//! (within a few mm), and nothing is cropped when the evidence is not clear.

use image::RgbImage;
use pages::testpage::{a4_page, add_frame, load_font, on_white_lid, sheet, TestKind, WHITE_LID};
use pages::{analyze, load_pages, Analysis, Config, LidKind, PageImage, RawPage};

const DPI: f32 = 100.0;
const MM: f32 = DPI / 25.4;
/// A4 flatbed at 100 dpi.
const BED: (u32, u32) = (827, 1169);

fn raw(img: RgbImage) -> RawPage {
    RawPage::new(PageImage::Rgb(img), DPI).unwrap()
}

fn uv(a: &Analysis, x: f32, y: f32) -> (f32, f32) {
    let r = a.orientation.angle_deg().to_radians();
    let (s, c) = r.sin_cos();
    (x * c + y * s, -x * s + y * c)
}

/// Every ink pixel of the scan lies inside the crop box.
fn assert_no_ink_lost(scan: &RgbImage, a: &Analysis) {
    let c = a.crop;
    let mut lost = 0;
    for (x, y, p) in scan.enumerate_pixels() {
        let g = (p.0[0] as u32 * 77 + p.0[1] as u32 * 150 + p.0[2] as u32 * 29) >> 8;
        if g < 140 {
            let (u, v) = uv(a, x as f32 + 0.5, y as f32 + 0.5);
            if u < c.u0 - 0.5
                || v < c.v0 - 0.5
                || u > c.u0 + c.width + 0.5
                || v > c.v0 + c.height + 0.5
            {
                lost += 1;
            }
        }
    }
    assert_eq!(lost, 0, "ink pixels outside the crop box {c:?}");
}

/// Crop box within `tol_mm` of the paper placed at `centre` with size `size` (pixels).
fn assert_box(a: &Analysis, centre: (f32, f32), size: (f32, f32), tol_mm: f32) {
    assert!(a.cropped && a.lid == LidKind::Light, "{a:?}");
    let c = a.crop;
    let (cu, cv) = uv(a, centre.0, centre.1);
    let tol = tol_mm * MM;
    let err = [
        (c.u0 - (cu - size.0 / 2.0)).abs(),
        (c.v0 - (cv - size.1 / 2.0)).abs(),
        (c.u0 + c.width - (cu + size.0 / 2.0)).abs(),
        (c.v0 + c.height - (cv + size.1 / 2.0)).abs(),
    ];
    assert!(
        err.iter().all(|&e| e < tol),
        "edge errors {:?} mm, box {c:?}",
        err.map(|e| e / MM)
    );
}

#[test]
fn a5_on_white_lid_is_cropped() {
    let font = load_font().unwrap();
    let a5 = sheet(148.0, 210.0, 12.0, DPI, 31, &font);
    let size = (a5.width() as f32, a5.height() as f32);
    for (centre, skew, shadow) in [
        ((340.0, 450.0), 2.0f32, 18u8),
        ((460.0, 700.0), -1.2, 10),
        // Laid against the glass corner: only the right and bottom edges show.
        ((size.0 / 2.0, size.1 / 2.0), 0.0, 14),
    ] {
        let scan = on_white_lid(&a5, BED, centre, skew, WHITE_LID, shadow, DPI, 7);
        let a = analyze(&raw(scan.clone()), &Config::default());
        assert_box(&a, centre, size, 2.0);
        assert_no_ink_lost(&scan, &a);
        assert!(!a.blank);
    }
}

#[test]
fn receipt_on_white_lid_is_cropped_through_jpeg() {
    let font = load_font().unwrap();
    let receipt = sheet(80.0, 170.0, 5.0, DPI, 32, &font);
    let size = (receipt.width() as f32, receipt.height() as f32);
    let centre = (520.0, 560.0);
    let scan = on_white_lid(&receipt, BED, centre, -3.0, WHITE_LID, 12, DPI, 8);
    let mut jpg = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 80);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(100));
    enc.encode_image(&scan).unwrap();
    let page = load_pages(&jpg, None).unwrap().remove(0);
    let a = analyze(&page, &Config::default());
    assert_box(&a, centre, size, 2.0);
    assert_no_ink_lost(&scan, &a);
    // Lid of the same colour as the paper, faint shadow only: unsure, so no crop.
    let paper_lid = [247, 246, 242];
    let scan = on_white_lid(&receipt, BED, centre, -3.0, paper_lid, 12, DPI, 9);
    let a = analyze(&raw(scan.clone()), &Config::default());
    assert!(!a.cropped, "{a:?}");
    assert_no_ink_lost(&scan, &a);
}

#[test]
fn hard_negatives_are_not_cropped() {
    let font = load_font().unwrap();
    // Full A4 page with a light printed frame 6 mm inside its edges.
    let mut framed = a4_page(TestKind::Text, DPI, 33, &font);
    add_frame(&mut framed, (6.0 * MM) as u32, 2, [200, 200, 200]);
    // Full A4 page whose text runs 2 mm from the edges.
    let edge = sheet(210.0, 297.0, 2.0, DPI, 34, &font);
    // Blank lid.
    let blank = on_white_lid(
        &RgbImage::new(0, 0),
        BED,
        (0.0, 0.0),
        0.0,
        WHITE_LID,
        0,
        DPI,
        10,
    );
    // A4 page on the white lid: the paper covers the glass.
    let a4 = a4_page(TestKind::TextWithStamp, DPI, 35, &font);
    let full = on_white_lid(&a4, BED, (413.5, 584.5), 0.0, WHITE_LID, 15, DPI, 11);
    // Full A4 page with a light-grey printed band, without text, across its top.
    let mut banded = a4_page(TestKind::Text, DPI, 37, &font);
    for y in 0..(25.0 * MM) as u32 {
        for x in 0..banded.width() {
            banded.put_pixel(x, y, image::Rgb([228, 229, 232]));
        }
    }
    for (name, scan) in [
        ("framed", framed),
        ("banded", banded),
        ("edge", edge),
        ("blank", blank),
        ("full", full),
    ] {
        let a = analyze(&raw(scan.clone()), &Config::default());
        assert!(!a.cropped && a.lid == LidKind::None, "{name}: {a:?}");
        assert_no_ink_lost(&scan, &a);
        let c = a.crop;
        assert!(
            c.width >= BED.0 as f32 - 2.0 && c.height >= BED.1 as f32 - 2.0,
            "{name}: {c:?}"
        );
    }
}

#[test]
fn auto_crop_off_keeps_the_whole_scan() {
    let font = load_font().unwrap();
    let a5 = sheet(148.0, 210.0, 12.0, DPI, 36, &font);
    let scan = on_white_lid(&a5, BED, (340.0, 450.0), 1.0, WHITE_LID, 18, DPI, 12);
    let cfg = Config {
        auto_crop: false,
        ..Config::default()
    };
    let a = analyze(&raw(scan), &cfg);
    assert!(!a.cropped && a.lid == LidKind::None);
}
