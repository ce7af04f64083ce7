//! `qr-corpus --out DIR --count N --seed S`: synthetic 1280×720 webcam-like JPEG frames of
//! ID-card QR codes (and frames without one), with `manifest.jsonl` (one JSON object per line:
//! file, payload or null, bucket, and the generation parameters).

use qr_decode::synth::{frame, jpeg, Rng, SynthParams};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: qr-corpus --out DIR [--count N] [--seed S]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut out: Option<PathBuf> = None;
    let mut count: u64 = 200;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--count", Some(v)) => match v.parse() {
                Ok(n) => count = n,
                Err(_) => return usage(),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(n) => seed = n,
                Err(_) => return usage(),
            },
            _ => return usage(),
        }
    }
    let Some(out) = out else { return usage() };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let manifest_path = out.join("manifest.jsonl");
    let mut manifest = match std::fs::File::create(&manifest_path) {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => {
            eprintln!("cannot create {}: {e}", manifest_path.display());
            return ExitCode::FAILURE;
        }
    };
    let params = SynthParams::default();
    for i in 0..count {
        // One stream per frame: frame i is the same whatever the count.
        let mut rng = Rng::new(seed.wrapping_mul(0x1_0000_0001).wrapping_add(i));
        let (img, info) = frame(&mut rng, &params);
        let file = format!("f{i:05}.jpg");
        let bytes = match jpeg(&img, info.jpeg_q) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("jpeg: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = std::fs::write(out.join(&file), bytes) {
            eprintln!("cannot write {file}: {e}");
            return ExitCode::FAILURE;
        }
        let mut v = match serde_json::to_value(&info) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("json: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(o) = v.as_object_mut() {
            o.insert("file".into(), serde_json::Value::String(file));
        }
        if writeln!(manifest, "{v}").is_err() {
            eprintln!("cannot write the manifest");
            return ExitCode::FAILURE;
        }
    }
    if manifest.flush().is_err() {
        return ExitCode::FAILURE;
    }
    eprintln!("{count} frames in {}", out.display());
    ExitCode::SUCCESS
}
