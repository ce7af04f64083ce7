//! Camera pages: paper found on a desk photo, perspective removed, size and real dpi.

use pages::testpage::{a4_page, desk_photo, load_font, Rng, TestKind};
use pages::{
    camera_capture, camera_from_image, camera_page, process, CameraConfig, Config, PaperSize,
};

fn jpeg(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(img)
        .unwrap();
    out
}

/// Largest distance from a true corner to the nearest corner found.
fn corner_error(found: &[(f32, f32); 4], truth: &[(f32, f32); 4]) -> f32 {
    truth
        .iter()
        .map(|t| {
            found
                .iter()
                .map(|f| (f.0 - t.0).hypot(f.1 - t.1))
                .fold(f32::MAX, f32::min)
        })
        .fold(0.0, f32::max)
}

#[test]
fn tilted_a4_photo_is_found_and_straightened() {
    let font = load_font().unwrap();
    let page = a4_page(TestKind::TextWithStamp, 60.0, 41, &font);
    for (tx, ty, roll, fill) in [
        (18.0f32, 8.0f32, 4.0f32, 0.8f32),
        (-12.0, -15.0, -25.0, 0.75),
        (10.0, 5.0, 90.0, 0.6),
    ] {
        let (photo, truth) = desk_photo(&page, (210.0, 297.0), (1280, 960), tx, ty, roll, fill, 5);
        let c = camera_capture(&jpeg(&photo), &CameraConfig::default()).unwrap();
        assert!(c.detected, "tilt {tx}/{ty} roll {roll}: not found");
        let err = corner_error(&c.corners.unwrap(), &truth);
        assert!(
            err < 3.0,
            "tilt {tx}/{ty} roll {roll}: corner error {err} px"
        );
        assert_eq!(c.paper, Some(PaperSize::A4), "aspect {}", c.aspect);
        let ratio = c.aspect.max(1.0 / c.aspect);
        assert!((ratio - 297.0 / 210.0).abs() < 0.03, "aspect {}", c.aspect);
        // 100 % scale: pixel size and dpi agree with the paper size.
        let (w, h) = (c.page.image.width() as f32, c.page.image.height() as f32);
        let (wmm, hmm) = c.size_mm;
        assert!(
            (w / c.page.dpi * 25.4 - wmm).abs() < 1.0 && (h / c.page.dpi * 25.4 - hmm).abs() < 1.0
        );
        if roll.abs() == 90.0 {
            assert!(wmm > hmm, "turned page should come out landscape");
        } else {
            assert!(wmm < hmm);
        }
        // A webcam frame is far below 200 dpi: reported, and process refuses it.
        assert!(
            c.below_legal_dpi && c.page.dpi < 120.0,
            "dpi {}",
            c.page.dpi
        );
        let e = process(&c.page, &Config::default()).err().map(|e| e.code());
        assert_eq!(e, Some("page_dpi_too_low"));
    }
}

#[test]
fn corrected_page_keeps_the_content_in_place() {
    // The stamp (red) must come out where it is on the page: bottom right quarter.
    let font = load_font().unwrap();
    let page = a4_page(TestKind::TextWithStamp, 60.0, 42, &font);
    let (photo, _) = desk_photo(&page, (210.0, 297.0), (1024, 768), 15.0, -6.0, 3.0, 0.85, 6);
    let c = camera_from_image(photo, &CameraConfig::default()).unwrap();
    let pages::PageImage::Rgb(out) = &c.page.image else {
        panic!("colour expected")
    };
    let (mut sx, mut sy, mut n) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y, p) in out.enumerate_pixels() {
        if p.0[0] > 140 && p.0[1] < 90 && p.0[2] < 100 {
            sx += x as f32;
            sy += y as f32;
            n += 1.0;
        }
    }
    assert!(n > 50.0, "stamp lost");
    let (fx, fy) = (sx / n / out.width() as f32, sy / n / out.height() as f32);
    // Stamp centre on the page: x 135/210, y (297-70)/297.
    assert!(
        (fx - 135.0 / 210.0).abs() < 0.03 && (fy - 227.0 / 297.0).abs() < 0.03,
        "{fx} {fy}"
    );
}

#[test]
fn id_card_and_configured_a5() {
    let font = load_font().unwrap();
    let a4 = a4_page(TestKind::Text, 60.0, 43, &font);
    let card = image::imageops::crop_imm(&a4, 20, 20, 202, 128).to_image();
    let (photo, truth) = desk_photo(&card, (85.6, 54.0), (1024, 768), 12.0, 6.0, -8.0, 0.5, 7);
    let c = camera_from_image(photo.clone(), &CameraConfig::default()).unwrap();
    assert!(c.detected);
    let err = corner_error(&c.corners.unwrap(), &truth);
    assert!(
        err < 3.0,
        "corner error {err}: {:?} vs {truth:?}",
        c.corners
    );
    assert_eq!(c.paper, Some(PaperSize::IdCard), "aspect {}", c.aspect);
    assert!((c.size_mm.0 - 85.6).abs() < 0.5 && (c.size_mm.1 - 54.0).abs() < 0.5);
    // A5 has the A4 aspect: only chosen when configured.
    let (photo, _) = desk_photo(&a4, (148.0, 210.0), (1024, 768), 8.0, 0.0, 0.0, 0.8, 8);
    let cfg = CameraConfig {
        paper: Some(PaperSize::A5),
        ..CameraConfig::default()
    };
    let c = camera_from_image(photo, &cfg).unwrap();
    assert_eq!(c.paper, Some(PaperSize::A5));
    assert_eq!(c.size_mm, (148.0, 210.0));
}

#[test]
fn no_paper_gives_whole_frame_flagged() {
    // Desk only (a blank "page" of desk colour is not a sheet).
    let desk = image::RgbImage::from_fn(640, 480, |x, y| {
        let s = ((x as f32 * 0.05 + y as f32 * 0.01).sin() * 12.0) as i16;
        image::Rgb([(150 + s) as u8, (105 + s) as u8, (70 + s / 2) as u8])
    });
    let c = camera_capture(&jpeg(&desk), &CameraConfig::default()).unwrap();
    assert!(!c.detected && c.corners.is_none() && c.paper.is_none());
    assert_eq!((c.page.image.width(), c.page.image.height()), (640, 480));
    assert!(c.below_legal_dpi);
}

#[test]
fn garbage_is_a_typed_error_never_a_panic() {
    let mut rng = Rng::new(99);
    let font = load_font().unwrap();
    let page = a4_page(TestKind::Text, 40.0, 44, &font);
    let (photo, _) = desk_photo(&page, (210.0, 297.0), (320, 240), 10.0, 0.0, 0.0, 0.8, 9);
    let good = jpeg(&photo);
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"not an image".to_vec(),
        good[..good.len() / 2].to_vec(),
        b"II*\0\x08\0\0\0".to_vec(),
    ];
    for magic in [&b"\xFF\xD8\xFF\xE0"[..], b"\x89PNG\r\n\x1a\n"] {
        for len in [0usize, 7, 300, 5000] {
            let mut b = magic.to_vec();
            b.extend((0..len).map(|_| rng.next_u64() as u8));
            inputs.push(b);
        }
    }
    // Corrupted bytes inside a valid JPEG.
    for _ in 0..20 {
        let mut b = good.clone();
        for _ in 0..8 {
            let i = 2 + rng.below(b.len() as u64 - 4) as usize;
            b[i] = rng.next_u64() as u8;
        }
        inputs.push(b);
    }
    // A 1×1 PNG.
    let mut png = Vec::new();
    image::RgbImage::new(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    inputs.push(png);
    for b in &inputs {
        match camera_page(b, &CameraConfig::default()) {
            Ok(p) => assert!(p.image.width() > 0 && p.dpi > 0.0),
            Err(e) => assert!(!e.code().is_empty() && !e.message_vi().is_empty()),
        }
    }
    let cut = camera_page(&inputs[2], &CameraConfig::default()).err();
    assert_eq!(cut.map(|e| e.code()), Some("page_corrupt_image"));
    assert!(camera_page(&inputs[0], &CameraConfig::default()).is_err());
    assert!(camera_page(&inputs[1], &CameraConfig::default()).is_err());
    assert!(camera_page(inputs.last().unwrap(), &CameraConfig::default()).is_err());
}
