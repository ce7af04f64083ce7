//! Development experiment: run each candidate pass on every frame of a corpus (no early exit) and
//! print one JSON line per frame with success (byte-exact) and CPU ms per pass.
//! `cargo run --release -p qr-decode --example exp -- DIR`
use qr_decode::probe::*;
use qr_decode::{Decoded, Pass};

type PassFn = fn(&Gray<'_>) -> Option<Decoded>;
const O: (f32, f32) = (0.0, 0.0);

fn crops(g: &Gray<'_>, f: fn(&Owned) -> Owned) -> Option<Decoded> {
    for (x, y, w, h) in small_code_regions(g, 4) {
        let c = upscale2(g, x, y, w, h);
        let c = f(&c);
        if let Some(d) = rxing(&c.view(), Pass::Crop, 0.5, (x as f32, y as f32)) {
            return Some(d);
        }
    }
    None
}

fn crops_with(
    g: &Gray<'_>,
    max: usize,
    range: u32,
    act: u32,
    f: fn(&Owned) -> Owned,
) -> Option<Decoded> {
    for (x, y, w, h) in small_code_regions_with(g, max, range, act) {
        let c = f(&upscale2(g, x, y, w, h));
        if let Some(d) = rxing(&c.view(), Pass::Crop, 0.5, (x as f32, y as f32)) {
            return Some(d);
        }
    }
    None
}

fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let only: Option<String> = std::env::args().nth(2);
    let passes: Vec<(&str, PassFn)> = vec![
        ("half", |g| rxing(&half(g).view(), Pass::Half, 2.0, O)),
        ("half_nth", |g| {
            rxing_with(&half(g).view(), Pass::Half, 2.0, O, false)
        }),
        ("t23", |g| rxing(&two_thirds(g).view(), Pass::Half, 2.0, O)),
        ("t23_nth", |g| {
            rxing_with(&two_thirds(g).view(), Pass::Half, 2.0, O, false)
        }),
        ("full", |g| rxing(g, Pass::Full, 1.0, O)),
        ("crops", |g| crops(g, |c| c.clone())),
        ("crops_us", |g| crops(g, |c| unsharp(&c.view(), 2, 6))),
        ("crops_lo", |g| crops_with(g, 6, 24, 10, |c| c.clone())),
        ("crops_lo2", |g| crops_with(g, 6, 30, 12, |c| c.clone())),
        ("crops_lo_us", |g| {
            crops_with(g, 6, 24, 10, |c| unsharp(&c.view(), 2, 6))
        }),
        ("crops_norm", |g| {
            crops_with(g, 6, 24, 10, |c| normalize_local(&box3(&c.view()).view()))
        }),
        ("crops_up4", |g| {
            crops_with(g, 4, 40, 14, |c| {
                let v = c.view();
                upscale2(&v, 0, 0, v.w, v.h)
            })
        }),
        ("box3", |g| rxing(&box3(g).view(), Pass::Full, 1.0, O)),
        ("norm", |g| {
            rxing(&normalize_local(&box3(g).view()).view(), Pass::Full, 1.0, O)
        }),
        ("half_norm", |g| {
            rxing(&normalize_local(&half(g).view()).view(), Pass::Full, 1.0, O)
        }),
        ("half_us1", |g| {
            rxing(&unsharp(&half(g).view(), 1, 4).view(), Pass::Full, 1.0, O)
        }),
        ("half_us2", |g| {
            rxing(&unsharp(&half(g).view(), 2, 6).view(), Pass::Full, 1.0, O)
        }),
        ("half_us3", |g| {
            rxing(&unsharp(&half(g).view(), 3, 8).view(), Pass::Full, 1.0, O)
        }),
        ("t23_us2", |g| {
            rxing(
                &unsharp(&two_thirds(g).view(), 2, 6).view(),
                Pass::Full,
                1.0,
                O,
            )
        }),
        ("full_us2", |g| {
            rxing(&unsharp(g, 2, 6).view(), Pass::Full, 1.0, O)
        }),
        ("half_us2b", |g| {
            rxing(&unsharp(&half(g).view(), 2, 8).view(), Pass::Full, 1.0, O)
        }),
        ("t23_us1", |g| {
            rxing(
                &unsharp(&two_thirds(g).view(), 1, 4).view(),
                Pass::Full,
                1.0,
                O,
            )
        }),
        ("full_us1", |g| {
            rxing(&unsharp(g, 1, 4).view(), Pass::Full, 1.0, O)
        }),
        ("box3_us2", |g| {
            rxing(&unsharp(&box3(g).view(), 2, 6).view(), Pass::Full, 1.0, O)
        }),
        ("q_us2", |g| {
            rxing(
                &unsharp(&half(&half(g).view()).view(), 2, 6).view(),
                Pass::Full,
                1.0,
                O,
            )
        }),
        ("rqrr", |g| rqrr(g, Pass::RqrrFull, 1.0, O)),
    ];
    let text = std::fs::read_to_string(format!("{dir}/manifest.jsonl")).expect("manifest");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let file = v["file"].as_str().unwrap_or_default().to_owned();
        let want = v["payload"].as_str().map(str::to_owned);
        let img = image::open(format!("{dir}/{file}"))
            .expect("img")
            .to_luma8();
        let g = Gray {
            w: img.width() as usize,
            h: img.height() as usize,
            data: img.as_raw(),
        };
        let mut res = serde_json::Map::new();
        for (name, f) in &passes {
            if only
                .as_deref()
                .is_some_and(|o| !o.split(',').any(|x| x == *name))
            {
                continue;
            }
            let c = cpu_time::ThreadTime::now();
            let d = f(&g);
            let ms = c.elapsed().as_secs_f64() * 1000.0;
            let r = match (&d, &want) {
                (None, _) => 0,
                (Some(d), Some(w)) if d.bytes == w.as_bytes() => 1,
                _ => -1,
            };
            res.insert(
                (*name).into(),
                serde_json::json!([r, (ms * 100.0).round() / 100.0]),
            );
        }
        println!(
            "{}",
            serde_json::json!({"file": file, "code": want.is_some(), "r": res})
        );
    }
}
