//! Benchmark: camera pages and white-lid auto-crop, each against a baseline measured in the
//! same run.
//!
//! `camera-bench [ROUNDS]` (default 3):
//! - `camera_page` on generated desk photos (JPEG q90) of 1920×1080 and 4000×3000, against
//!   plain decoding of the same JPEG (`load_pages`), the floor any camera path pays;
//! - `analyze` of a 300 dpi A4 flatbed scan with an A5 sheet on a white lid, against the same
//!   sheet on a dark lid (the existing crop path).

use pages::testpage::{
    a4_page, desk_photo, load_font, on_lid, on_white_lid, sheet, TestKind, WHITE_LID,
};
use pages::{analyze, camera_capture, load_pages, CameraConfig, Config, PageImage, RawPage};
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("camera-bench: {e}");
        std::process::exit(1);
    }
}

fn best_of<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one round"))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3);
    let font = load_font()?;
    let page = a4_page(TestKind::TextWithStamp, 150.0, 1, &font);
    println!(
        "{:<34} {:>10} {:>10} {:>8}",
        "case", "ms", "base ms", "ratio"
    );
    for frame in [(1920u32, 1080u32), (4000, 3000)] {
        let (photo, _) = desk_photo(&page, (210.0, 297.0), frame, 14.0, 6.0, 3.0, 0.9, 2);
        let mut jpg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90).encode_image(&photo)?;
        let (t_base, _) = best_of(rounds, || load_pages(&jpg, Some(72.0)));
        let (t, c) = best_of(rounds, || camera_capture(&jpg, &CameraConfig::default()));
        let c = c?;
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>8.2}",
            format!("camera_page {}x{}", frame.0, frame.1),
            t * 1e3,
            t_base * 1e3,
            t / t_base
        );
        println!(
            "    detected {} paper {:?} output {}x{} at {:.0} dpi (below 200: {})",
            c.detected,
            c.paper,
            c.page.image.width(),
            c.page.image.height(),
            c.page.dpi,
            c.below_legal_dpi
        );
    }
    // White lid versus dark lid, 300 dpi A4 bed with an A5 sheet.
    let dpi = 300.0;
    let a5 = sheet(148.0, 210.0, 12.0, dpi, 3, &font);
    let white = on_white_lid(
        &a5,
        (2480, 3508),
        (1000.0, 1400.0),
        1.5,
        WHITE_LID,
        15,
        dpi,
        4,
    );
    let dark = on_lid(&a5, 300, [30, 30, 32], 1.5);
    let white = RawPage::new(PageImage::Rgb(white), dpi)?;
    let dark = RawPage::new(PageImage::Rgb(dark), dpi)?;
    let cfg = Config::default();
    let (t_dark, ad) = best_of(rounds, || analyze(&dark, &cfg));
    let (t_white, aw) = best_of(rounds, || analyze(&white, &cfg));
    println!(
        "{:<34} {:>10.1} {:>10.1} {:>8.2}",
        "analyze A5 on white lid, 300 dpi",
        t_white * 1e3,
        t_dark * 1e3,
        t_white / t_dark
    );
    println!(
        "    white: cropped {} ({:?}) box {:.0}x{:.0} px; dark: cropped {} box {:.0}x{:.0} px",
        aw.cropped,
        aw.lid,
        aw.crop.width,
        aw.crop.height,
        ad.cropped,
        ad.crop.width,
        ad.crop.height
    );
    Ok(())
}
