//! Page analysis and rendering on generated pages (100 dpi for analysis, to keep debug tests fast).

use pages::testpage::{a4_page, load_font, on_lid, skew, turn, TestKind, STAMP_RED};
use pages::{
    analyze, load_pages, process, render, thumbnail_jpeg, Config, PageClass, PageError, PageImage,
    RawPage,
};

const DPI: f32 = 100.0;

fn raw(img: image::RgbImage) -> RawPage {
    RawPage::new(PageImage::Rgb(img), DPI).unwrap()
}

fn page(kind: TestKind, seed: u64) -> image::RgbImage {
    a4_page(
        kind,
        DPI,
        seed,
        &load_font().expect("DejaVuSans (fonts-dejavu-core) is needed by the tests"),
    )
}

#[test]
fn deskew_within_half_a_degree() {
    let base = page(TestKind::Text, 1);
    for angle in [3.0f32, -7.0, 12.0] {
        let a = analyze(
            &raw(skew(&base, angle, [247, 246, 242])),
            &Config::default(),
        );
        assert_eq!(a.orientation.rotation_deg, 0, "angle {angle}: {a:?}");
        assert!(
            (a.orientation.skew_deg - angle).abs() < 0.5,
            "angle {angle}: found {}",
            a.orientation.skew_deg
        );
        assert_eq!(a.class, PageClass::Bilevel);
    }
    let straight = analyze(&raw(base), &Config::default());
    assert!(straight.orientation.skew_deg.abs() < 0.5);
}

#[test]
fn quarter_turns_found() {
    let base = page(TestKind::Text, 2);
    for q in 0..4u32 {
        let a = analyze(&raw(turn(&base, q)), &Config::default());
        assert_eq!(a.orientation.rotation_deg as u32, q * 90, "turn {q}: {a:?}");
        assert!(a.orientation.skew_deg.abs() < 0.5, "turn {q}: {a:?}");
        assert!(a.orientation.confidence > 0.2, "turn {q}: {a:?}");
    }
    // Turned and skewed.
    let a = analyze(
        &raw(skew(&turn(&base, 1), -4.0, [247, 246, 242])),
        &Config::default(),
    );
    assert_eq!(a.orientation.rotation_deg, 90, "{a:?}");
    assert!((a.orientation.skew_deg + 4.0).abs() < 0.5, "{a:?}");
}

#[test]
fn upright_output_after_turn_matches_original() {
    let base = page(TestKind::Text, 3);
    let cfg = Config::default();
    let r = raw(turn(&base, 2));
    let a = analyze(&r, &cfg);
    let out = render(&r, &a, PageClass::Bilevel, DPI);
    let PageImage::Luma(g) = out else {
        panic!("grey expected")
    };
    let orig = PageImage::Rgb(base).to_luma();
    assert_eq!((g.width(), g.height()), (orig.width(), orig.height()));
    let diff: u64 = g
        .pixels()
        .zip(orig.pixels())
        .map(|(a, b)| (a.0[0] as i32 - b.0[0] as i32).unsigned_abs() as u64)
        .sum();
    let mean = diff as f64 / (g.width() * g.height()) as f64;
    assert!(mean < 4.0, "mean abs difference {mean}");
}

#[test]
fn dark_lid_is_cropped_and_page_straightened() {
    let base = page(TestKind::Text, 4);
    let scan = on_lid(&base, 40, [35, 35, 38], 5.0);
    let r = raw(scan);
    let a = analyze(&r, &Config::default());
    assert!(a.cropped, "{a:?}");
    assert!((a.orientation.skew_deg - 5.0).abs() < 0.5, "{a:?}");
    let out = render(&r, &a, a.class, DPI);
    let (w, h) = (out.width() as f32, out.height() as f32);
    assert!(
        (w - 827.0).abs() < 12.0 && (h - 1169.0).abs() < 12.0,
        "size {w}x{h}"
    );
    // No lid left along the edges.
    let g = out.to_luma();
    let edge_dark = (0..g.width())
        .chain(0..g.width())
        .enumerate()
        .filter(|&(i, x)| {
            let y = if i < g.width() as usize {
                2
            } else {
                g.height() - 3
            };
            g.get_pixel(x, y).0[0] < 120
        });
    assert!(edge_dark.count() < 10);
}

#[test]
fn blank_and_near_blank_pages() {
    for kind in [TestKind::Blank, TestKind::NearBlank] {
        let a = analyze(&raw(page(kind, 5)), &Config::default());
        assert!(a.blank, "{kind:?}: {a:?}");
    }
    let a = analyze(&raw(page(TestKind::Text, 5)), &Config::default());
    assert!(!a.blank, "{a:?}");
    // A near-blank page laid on a lid is still blank.
    let a = analyze(
        &raw(on_lid(&page(TestKind::NearBlank, 6), 30, [30, 30, 30], 0.0)),
        &Config::default(),
    );
    assert!(a.blank && a.cropped, "{a:?}");
}

#[test]
fn classes_and_stamp_kept_in_colour() {
    let stamp = raw(page(TestKind::TextWithStamp, 7));
    let a = analyze(&stamp, &Config::default());
    assert_eq!(a.class, PageClass::Colour, "{a:?}");
    let PageImage::Rgb(out) = render(&stamp, &a, a.class, DPI) else {
        panic!("colour page rendered grey")
    };
    let reds = out
        .pixels()
        .filter(|p| p.0[0] > 150 && p.0[1] < 90 && p.0[2] < 100)
        .count();
    assert!(reds > 1000, "stamp pixels kept: {reds}");
    let _ = STAMP_RED;
    assert_eq!(
        analyze(&raw(page(TestKind::Text, 7)), &Config::default()).class,
        PageClass::Bilevel
    );
    assert_eq!(
        analyze(&raw(page(TestKind::Grey, 7)), &Config::default()).class,
        PageClass::Grey
    );
    // Grey scans never become colour.
    let grey = RawPage::new(
        PageImage::Luma(PageImage::Rgb(page(TestKind::TextWithStamp, 7)).to_luma()),
        DPI,
    )
    .unwrap();
    assert_ne!(analyze(&grey, &Config::default()).class, PageClass::Colour);
}

#[test]
fn process_checks_resolution() {
    let r = raw(page(TestKind::Blank, 8));
    let Err(e) = process(&r, &Config::default()) else {
        panic!("100 dpi scan accepted")
    };
    assert_eq!(e.code(), "page_dpi_too_low");
    assert!(e.message_vi().contains("200 dpi"));
    let Err(e) = process(
        &r,
        &Config {
            target_dpi: 150.0,
            ..Config::default()
        },
    ) else {
        panic!("150 dpi target accepted")
    };
    assert!(matches!(e, PageError::TargetDpiBelowMinimum(_)));
}

#[test]
fn process_200dpi_page_keeps_physical_size() {
    // A5 (148 × 210 mm) at 300 dpi, processed to 200 dpi: 100 % scale.
    let font = load_font().unwrap();
    let a4 = a4_page(TestKind::Text, 300.0, 9, &font);
    let a5 = image::imageops::crop_imm(&a4, 0, 0, 1748, 2480).to_image();
    let p = process(
        &RawPage::new(PageImage::Rgb(a5), 300.0).unwrap(),
        &Config::default(),
    )
    .unwrap();
    assert_eq!(p.dpi, 200.0);
    assert_eq!((p.image.width(), p.image.height()), (1165, 1653));
    let (wpt, hpt) = p.size_pt();
    assert!((wpt - 148.0 / 25.4 * 72.0).abs() < 1.0 && (hpt - 210.0 / 25.4 * 72.0).abs() < 1.0);
    assert_eq!(p.class, PageClass::Bilevel);
    let thumb = thumbnail_jpeg(&p.image, 200).unwrap();
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!(t.width(), 200);
}

#[test]
fn loads_jpeg_with_density_and_multipage_tiff() {
    let img = page(TestKind::Text, 10);
    let small = image::imageops::thumbnail(&img, 300, 424);
    let mut jpg = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 85);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(300));
    enc.encode_image(&small).unwrap();
    let pages = load_pages(&jpg, None).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].dpi, 300.0);
    assert_eq!(pages[0].image.width(), 300);

    // Truncated JPEG and garbage.
    let e = load_pages(&jpg[..jpg.len() / 3], None)
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some("page_corrupt_image"));
    assert_eq!(
        load_pages(b"not an image", Some(200.0))
            .err()
            .map(|e| e.code()),
        Some("page_unsupported_format")
    );
    assert_eq!(
        load_pages(b"", Some(200.0)).err().map(|e| e.code()),
        Some("page_empty_file")
    );

    // PNG without pHYs takes the fallback dpi, or says none is known.
    let mut png = Vec::new();
    small
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(load_pages(&png, Some(240.0)).unwrap()[0].dpi, 240.0);
    assert_eq!(
        load_pages(&png, None).err().map(|e| e.code()),
        Some("page_no_dpi")
    );

    // Two-page TIFF: RGB then grey, 200 dpi.
    let mut tif = std::io::Cursor::new(Vec::new());
    {
        use tiff::encoder::{colortype, Rational, TiffEncoder};
        let mut enc = TiffEncoder::new(&mut tif).unwrap();
        let mut im = enc.new_image::<colortype::RGB8>(300, 424).unwrap();
        im.resolution(tiff::tags::ResolutionUnit::Inch, Rational { n: 200, d: 1 });
        im.write_data(small.as_raw()).unwrap();
        let g = PageImage::Rgb(small.clone()).to_luma();
        let mut im = enc.new_image::<colortype::Gray8>(300, 424).unwrap();
        im.resolution(tiff::tags::ResolutionUnit::Inch, Rational { n: 200, d: 1 });
        im.write_data(g.as_raw()).unwrap();
    }
    let tif = tif.into_inner();
    let pages = load_pages(&tif, None).unwrap();
    assert_eq!(pages.len(), 2);
    assert!(
        matches!(pages[0].image, PageImage::Rgb(_)) && matches!(pages[1].image, PageImage::Luma(_))
    );
    assert!(pages.iter().all(|p| p.dpi == 200.0));
    let e = load_pages(&tif[..tif.len() / 2], None)
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some("page_corrupt_image"));
}

#[test]
fn stamp_page_turned_at_300_dpi() {
    // Analysis runs at 150 dpi here; the stamp and signature must not sway the orientation.
    let font = load_font().unwrap();
    let base = a4_page(TestKind::TextWithStamp, 300.0, 21, &font);
    let scan = on_lid(&turn(&base, 3), 60, [30, 30, 32], 5.5);
    let a = analyze(
        &RawPage::new(PageImage::Rgb(scan), 300.0).unwrap(),
        &Config::default(),
    );
    assert_eq!(a.orientation.rotation_deg, 270, "{a:?}");
    assert!((a.orientation.skew_deg - 5.5).abs() < 0.5, "{a:?}");
    assert!(a.orientation.confidence > 0.5 && a.cropped, "{a:?}");
    assert_eq!(a.class, PageClass::Colour);
    // Paper box: A4 at 300 dpi, lid cropped away.
    assert!(
        (a.crop.width - 2480.0).abs() < 20.0 && (a.crop.height - 3508.0).abs() < 20.0,
        "{:?}",
        a.crop
    );
}
