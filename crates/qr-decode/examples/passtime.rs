//! Development probe: CPU time of each building block on given frames.
use qr_decode::probe::*;
use qr_decode::Pass;

fn t<F: FnMut() -> bool>(mut f: F) -> (f64, bool) {
    let mut best = f64::MAX;
    let mut ok = false;
    for _ in 0..5 {
        let c = cpu_time::ThreadTime::now();
        ok = f();
        best = best.min(c.elapsed().as_secs_f64() * 1000.0);
    }
    (best, ok)
}

fn main() {
    for f in std::env::args().skip(1) {
        let Ok(img) = image::open(&f) else { continue };
        let g = img.to_luma8();
        let full = Gray {
            w: g.width() as usize,
            h: g.height() as usize,
            data: g.as_raw(),
        };
        let tt = resize_area(&full, full.w * 2 / 3, full.h * 2 / 3);
        let h = half(&full);
        let r = [
            ("resize23", t(|| two_thirds(&full).w > 0)),
            ("half", t(|| half(&full).w > 0)),
            ("box3", t(|| box3(&full).w > 0)),
            ("norm", t(|| normalize_local(&full).w > 0)),
            ("regions", t(|| !small_code_regions(&full, 4).is_empty())),
            (
                "rx-full",
                t(|| rxing(&full, Pass::Full, 1.0, (0.0, 0.0)).is_some()),
            ),
            (
                "rx-23",
                t(|| rxing(&tt.view(), Pass::Full, 1.0, (0.0, 0.0)).is_some()),
            ),
            (
                "rx-half",
                t(|| rxing(&h.view(), Pass::Full, 1.0, (0.0, 0.0)).is_some()),
            ),
        ];
        let s: Vec<String> = r
            .iter()
            .map(|(n, (ms, ok))| format!("{n} {ms:.2}{}", if *ok { "+" } else { "" }))
            .collect();
        println!("{f}: {}", s.join("  "));
    }
}
