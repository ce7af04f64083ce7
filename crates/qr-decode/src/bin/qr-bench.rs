//! `qr-bench DIR [--engine ours|rxing|rqrr|all] [--limit N] [--misses]`: decode every frame of a
//! corpus (manifest.jsonl) on one thread and print the decode rate per difficulty bucket, wrong
//! payloads, false positives and median / p95 decode time (wall clock and thread CPU time) (decoding only: after loading and grey
//! conversion).

use qr_decode::{decode_luma_with, Options};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

struct Entry {
    file: String,
    payload: Option<String>,
    bucket: String,
    line: serde_json::Value,
}

fn load(dir: &std::path::Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .map_err(|e| format!("manifest: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("manifest line {}: {e}", n + 1))?;
        let file = v["file"]
            .as_str()
            .ok_or(format!("line {}: no file", n + 1))?
            .to_owned();
        let payload = v["payload"].as_str().map(str::to_owned);
        let bucket = v["bucket"]
            .as_str()
            .unwrap_or(if payload.is_some() { "all" } else { "none" })
            .to_owned();
        out.push(Entry {
            file,
            payload,
            bucket,
            line: v,
        });
    }
    Ok(out)
}

fn pct(xs: &mut [f64], p: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(f64::total_cmp);
    let i = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs[i]
}

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut engine = "ours".to_owned();
    let mut limit = usize::MAX;
    let mut misses = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => engine = args.next().unwrap_or_default(),
            "--limit" => {
                limit = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(usize::MAX)
            }
            "--misses" => misses = true,
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => {
                eprintln!(
                    "usage: qr-bench DIR [--engine ours|rxing|rqrr|all] [--limit N] [--misses]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: qr-bench DIR [--engine ours|rxing|rqrr|all] [--limit N] [--misses]");
        return ExitCode::from(2);
    };
    let entries = match load(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // Load and convert once, outside the timing.
    let mut frames = Vec::new();
    for e in entries.into_iter().take(limit) {
        match image::open(dir.join(&e.file)) {
            Ok(img) => frames.push((e, img.to_luma8())),
            Err(err) => eprintln!("skip {}: {err}", e.file),
        }
    }
    let engines: Vec<(&str, Options)> = match engine.as_str() {
        "ours" => vec![("ours", Options::default())],
        "rxing" => vec![("rxing-plain", Options::rxing_plain())],
        "rqrr" => vec![("rqrr-plain", Options::rqrr_plain())],
        "all" => vec![
            ("rqrr-plain", Options::rqrr_plain()),
            ("rxing-plain", Options::rxing_plain()),
            ("ours", Options::default()),
        ],
        _ => {
            eprintln!("unknown engine {engine}");
            return ExitCode::from(2);
        }
    };
    println!("corpus {} ({} frames)", dir.display(), frames.len());
    let mut bad = false;
    for (name, opts) in engines {
        let mut per_bucket: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut per_pass: BTreeMap<String, usize> = BTreeMap::new();
        let (mut wrong, mut fp, mut ok, mut with_code) = (0usize, 0usize, 0usize, 0usize);
        let mut times = Vec::new();
        let mut times_code = Vec::new();
        let mut cpu_times = Vec::new();
        for (e, g) in &frames {
            let t = Instant::now();
            let c = cpu_time::ThreadTime::now();
            let d = decode_luma_with(&opts, g.width(), g.height(), g.as_raw());
            let cpu = c.elapsed().as_secs_f64() * 1000.0;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            times.push(ms);
            cpu_times.push(cpu);
            let b = per_bucket.entry(e.bucket.clone()).or_default();
            b.1 += 1;
            match (&e.payload, &d) {
                (Some(p), Some(d)) => {
                    with_code += 1;
                    times_code.push(ms);
                    if d.bytes == p.as_bytes() {
                        ok += 1;
                        b.0 += 1;
                        *per_pass
                            .entry(format!("{:?}/{:?}", d.engine, d.pass))
                            .or_default() += 1;
                    } else {
                        wrong += 1;
                        println!("  WRONG {}: got {:?}", e.file, d.text);
                    }
                }
                (Some(_), None) => {
                    with_code += 1;
                    times_code.push(ms);
                    if misses {
                        println!("  miss {} {}", e.file, e.line);
                    }
                }
                (None, Some(d)) => {
                    fp += 1;
                    b.0 += 1;
                    println!("  FALSE POSITIVE {}: {:?}", e.file, d.text);
                }
                (None, None) => b.0 += 1,
            }
        }
        println!("== {name}");
        for (bucket, (good, n)) in &per_bucket {
            let what = if bucket == "none" {
                "correctly empty"
            } else {
                "decoded"
            };
            println!(
                "  {bucket:<7} {good:>4}/{n:<4} {:>5.1}% {what}",
                100.0 * *good as f64 / (*n).max(1) as f64
            );
        }
        println!(
            "  frames with a code: {ok}/{with_code} = {:.1}% byte-exact; wrong payloads: {wrong}; false positives: {fp}",
            100.0 * ok as f64 / with_code.max(1) as f64
        );
        let mut t2 = times.clone();
        println!(
            "  decode time per frame (ms): median {:.2}, p95 {:.2}, max {:.2}; frames with a code: median {:.2}",
            pct(&mut t2, 0.5),
            pct(&mut t2, 0.95),
            pct(&mut t2, 1.0),
            pct(&mut times_code, 0.5)
        );
        println!(
            "  thread CPU time per frame (ms): median {:.2}, p95 {:.2} (the machine may be shared: CPU time is the fair figure)",
            pct(&mut cpu_times, 0.5),
            pct(&mut cpu_times, 0.95)
        );
        println!("  found by: {per_pass:?}");
        bad |= wrong > 0 || fp > 0;
    }
    if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
