//! Outside input must give a result or a clear error, never a panic.

use pages::{load_pages, process, process_all, thumbnail_jpeg, Config, PageImage, RawPage};

#[test]
fn degenerate_images_do_not_panic() {
    let cases: Vec<PageImage> = vec![
        PageImage::Rgb(image::RgbImage::from_pixel(1, 1, image::Rgb([0, 0, 0]))),
        PageImage::Luma(image::GrayImage::from_pixel(1, 500, image::Luma([255]))),
        PageImage::Luma(image::GrayImage::from_pixel(500, 1, image::Luma([0]))),
        PageImage::Rgb(image::RgbImage::from_pixel(300, 300, image::Rgb([0, 0, 0]))),
        PageImage::Rgb(image::RgbImage::from_pixel(
            300,
            300,
            image::Rgb([255, 255, 255]),
        )),
        PageImage::Rgb(image::RgbImage::from_fn(257, 131, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 13) as u8, ((x ^ y) * 3) as u8])
        })),
    ];
    for img in cases {
        let (w, h) = (img.width(), img.height());
        let p = process(&RawPage::new(img, 300.0).unwrap(), &Config::default()).unwrap();
        assert!(p.image.width() >= 1 && p.image.height() >= 1, "{w}x{h}");
        thumbnail_jpeg(&p.image, 200).unwrap();
    }
}

#[test]
fn garbage_after_valid_magic_is_an_error() {
    let mut seed = 0x1234_5678_u64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    for magic in [
        &b"\xFF\xD8\xFF\xE0"[..],
        b"\x89PNG\r\n\x1a\n",
        b"II*\0",
        b"MM\0*",
    ] {
        for len in [0usize, 10, 1000] {
            let mut bytes = magic.to_vec();
            bytes.extend(noise(len));
            let r = load_pages(&bytes, Some(300.0));
            assert!(r.is_err(), "{:?} + {len} random bytes accepted", &magic);
            let e = r.err().unwrap();
            assert!(!e.message_vi().is_empty() && !e.code().is_empty());
        }
    }
}

#[test]
fn process_all_keeps_order() {
    let pages: Vec<RawPage> = (1..=5u32)
        .map(|i| {
            RawPage::new(
                PageImage::Luma(image::GrayImage::from_pixel(30 * i, 40, image::Luma([250]))),
                200.0,
            )
            .unwrap()
        })
        .collect();
    let out = process_all(&pages, &Config::default(), 2);
    let widths: Vec<u32> = out.into_iter().map(|r| r.unwrap().image.width()).collect();
    assert_eq!(widths, [30, 60, 90, 120, 150]);
}
