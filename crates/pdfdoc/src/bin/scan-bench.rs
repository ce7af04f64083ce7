//! Benchmark: our pipeline (decode → process → PDF) against ImageMagick `convert` (resample to
//! 200 dpi, JPEG q75) + `img2pdf`, on the same generated 300 dpi A4 scans, in the same run.
//!
//! `scan-bench [PAGES] [OUT_DIR]` (default 9 pages, /tmp/scan-bench). Pages cycle colour with
//! stamp, grey, text. Both sides run single-threaded (MAGICK_THREAD_LIMIT=1, OMP_NUM_THREADS=1).

use chrono::{FixedOffset, TimeZone};
use pages::testpage::{a4_page, load_font, TestKind};
use pages::{load_pages, process, Config};
use pdfdoc::{write_pdf, DocumentMeta, PdfOptions};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("scan-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(9);
    let out = Path::new(args.get(2).map(String::as_str).unwrap_or("/tmp/scan-bench")).to_path_buf();
    let src = out.join("src");
    let base = out.join("baseline");
    std::fs::create_dir_all(&src)?;
    std::fs::create_dir_all(&base)?;

    let font = load_font()?;
    let kinds = [TestKind::TextWithStamp, TestKind::Grey, TestKind::Text];
    let t = Instant::now();
    let mut files = Vec::new();
    for i in 0..n {
        let img = a4_page(kinds[i % 3], 300.0, i as u64 + 1, &font);
        let mut jpg = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90);
        enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(300));
        enc.encode_image(&img)?;
        let path = src.join(format!("page-{i:03}.jpg"));
        std::fs::write(&path, &jpg)?;
        files.push(path);
    }
    println!(
        "generated {n} A4 pages at 300 dpi (JPEG q90) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Ours.
    // The stages are timed inside the same loop (decode, analyse, render) so the breakdown adds
    // up to the figure compared with the baseline.
    let t = Instant::now();
    let mut processed = Vec::new();
    let (mut t_decode, mut t_analyze, mut t_render) = (0.0f64, 0.0f64, 0.0f64);
    let config = Config::default();
    for f in &files {
        let s = Instant::now();
        let bytes = std::fs::read(f)?;
        let raws = load_pages(&bytes, None)?;
        t_decode += s.elapsed().as_secs_f64();
        for raw in raws {
            let s = Instant::now();
            let analysis = pages::analyze(&raw, &config);
            t_analyze += s.elapsed().as_secs_f64();
            let s = Instant::now();
            processed.push(pages::finish(&raw, analysis, &config));
            t_render += s.elapsed().as_secs_f64();
        }
    }
    let t_process = t.elapsed().as_secs_f64();
    let tz = FixedOffset::east_opt(7 * 3600).ok_or("tz")?;
    let now = tz
        .with_ymd_and_hms(2026, 11, 28, 9, 0, 0)
        .single()
        .ok_or("date")?;
    let meta = DocumentMeta {
        ma_ho_so: "000.00.00.H00-261128-0001".into(),
        thu_tuc: "Thủ tục thử nghiệm".into(),
        thanh_phan: "Đơn đề nghị (mẫu thử)".into(),
        can_bo: "Cán bộ thử nghiệm".into(),
        received_at: now,
        created_at: now,
        title: None,
    };
    let written = write_pdf(&processed, &meta, &PdfOptions::default())?;
    let t_ours = t.elapsed().as_secs_f64();
    std::fs::write(out.join("ours.pdf"), &written.bytes)?;

    // Baseline.
    let t = Instant::now();
    let mut base_files = Vec::new();
    for f in &files {
        let dst = base.join(f.file_name().ok_or("name")?);
        let st = Command::new("convert")
            .env("MAGICK_THREAD_LIMIT", "1")
            .env("OMP_NUM_THREADS", "1")
            .arg(f)
            .args([
                "-units",
                "PixelsPerInch",
                "-resample",
                "200",
                "-quality",
                "75",
            ])
            .arg(&dst)
            .status()?;
        if !st.success() {
            return Err("convert failed".into());
        }
        base_files.push(dst);
    }
    let st = Command::new("img2pdf")
        .args(&base_files)
        .arg("-o")
        .arg(out.join("baseline.pdf"))
        .status()?;
    if !st.success() {
        return Err("img2pdf failed (apt-get install img2pdf)".into());
    }
    let t_base = t.elapsed().as_secs_f64();

    let kb = |b: u64| b as f64 / 1024.0;
    let ours_pdf = std::fs::metadata(out.join("ours.pdf"))?.len();
    let base_pdf = std::fs::metadata(out.join("baseline.pdf"))?.len();
    println!();
    println!("{:<28} {:>10} {:>10}", "", "ours", "baseline");
    println!(
        "{:<28} {:>10.2} {:>10.2}",
        "seconds (all pages)", t_ours, t_base
    );
    println!(
        "{:<28} {:>10.2} {:>10.2}",
        "pages/s",
        n as f64 / t_ours,
        n as f64 / t_base
    );
    println!(
        "{:<28} {:>10.1} {:>10.1}",
        "PDF KB",
        kb(ours_pdf),
        kb(base_pdf)
    );
    println!(
        "{:<28} {:>10.1} {:>10.1}",
        "KB/page (PDF)",
        kb(ours_pdf) / n as f64,
        kb(base_pdf) / n as f64
    );
    for (k, kind) in kinds.iter().enumerate() {
        let idx: Vec<usize> = (k..n).step_by(3).collect();
        if idx.is_empty() {
            continue;
        }
        let ours: f64 = idx
            .iter()
            .map(|&i| written.page_image_bytes[i] as f64)
            .sum::<f64>()
            / idx.len() as f64;
        let mut b = 0.0;
        for &i in &idx {
            b += std::fs::metadata(&base_files[i])?.len() as f64;
        }
        let class = processed[idx[0]].class;
        let enc = written.encodings[idx[0]];
        println!(
            "{:<28} {:>10.1} {:>10.1}   ({:?} → {:?}/{:?})",
            format!("KB/page {kind:?}"),
            ours / 1024.0,
            b / idx.len() as f64 / 1024.0,
            kind,
            class,
            enc
        );
    }
    if n >= 3 {
        // Text page forced to colour (if every page must be colour): MRC size.
        let raw = load_pages(&std::fs::read(&files[2])?, None)?;
        let forced = process(
            &raw[0],
            &Config {
                force_class: Some(pages::PageClass::Colour),
                ..Config::default()
            },
        )?;
        let w = write_pdf(&[forced], &meta, &PdfOptions::default())?;
        println!(
            "{:<28} {:>10.1}   (Text forced colour → {:?})",
            "KB/page Text as colour",
            w.page_image_bytes[0] as f64 / 1024.0,
            w.encodings[0]
        );
    }
    println!(
        "{:<28} {:>10.2}",
        "speed ratio ours/baseline",
        t_base / t_ours
    );
    println!(
        "(ours: decode {:.2} s + analyse {:.2} s + render {:.2} s + PDF {:.2} s; output {} )",
        t_decode,
        t_analyze,
        t_render,
        t_ours - t_process,
        out.join("ours.pdf").display()
    );
    Ok(())
}
