//! The same detections on realistic 300 dpi scans (analysis runs at 150 dpi there).
//! Slow unoptimised: `cargo test --release -p pages --test hires -- --ignored`.

use pages::testpage::{a4_page, load_font, on_lid, skew, turn, TestKind};
use pages::{process, Config, PageClass, PageImage, RawPage};

#[test]
#[ignore = "slow in debug builds; run with --release -- --ignored"]
fn orientation_skew_crop_at_300_dpi() {
    let font = load_font().unwrap();
    for (k, kind) in [TestKind::TextWithStamp, TestKind::Text]
        .into_iter()
        .enumerate()
    {
        let base = a4_page(kind, 300.0, 21 + k as u64, &font);
        for (q, angle) in [
            (0u32, 3.0f32),
            (1, -7.0),
            (2, 2.0),
            (3, 5.5),
            (2, -10.0),
            (1, 0.0),
        ] {
            let scan = on_lid(
                &skew(&turn(&base, q), 0.0, [247, 246, 242]),
                60,
                [30, 30, 32],
                angle,
            );
            let p = process(
                &RawPage::new(PageImage::Rgb(scan), 300.0).unwrap(),
                &Config::default(),
            )
            .unwrap();
            let o = p.analysis.orientation;
            eprintln!("{kind:?} turn {q} skew {angle}: {o:?}");
            assert_eq!(
                o.rotation_deg as u32,
                q * 90,
                "turn {q} skew {angle}: {o:?}"
            );
            assert!(
                (o.skew_deg - angle).abs() < 0.5,
                "turn {q} skew {angle}: {o:?}"
            );
            let want = if kind == TestKind::Text {
                PageClass::Bilevel
            } else {
                PageClass::Colour
            };
            assert_eq!(p.class, want);
            let (w, h) = (p.image.width() as i32, p.image.height() as i32);
            assert!(
                (w - 1654).abs() < 12 && (h - 2339).abs() < 12,
                "size {w}x{h}"
            );
        }
    }
}
