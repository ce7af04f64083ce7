//! Development probe: which pass decodes a given frame. `cargo run --release --example probe FILE...`
use qr_decode::probe::*;
use qr_decode::Pass;

fn main() {
    for f in std::env::args().skip(1) {
        let Ok(img) = image::open(&f) else { continue };
        let g = img.to_luma8();
        let full = Gray {
            w: g.width() as usize,
            h: g.height() as usize,
            data: g.as_raw(),
        };
        let h = half(&full);
        let n = normalize_local(&full);
        let nh = half(&n.view());
        let hh = half(&h.view());
        let up = upscale2(&full, 0, 0, full.w, full.h);
        let b = box3(&full);
        let bn = normalize_local(&b.view());
        let mut line = format!("{f}:");
        for (name, img) in [
            (
                "full",
                Owned {
                    w: full.w,
                    h: full.h,
                    data: full.data.to_vec(),
                },
            ),
            ("half", h),
            ("quarter", hh),
            ("norm", n),
            ("normhalf", nh),
            ("up2", up),
            ("box3", b),
            ("box3norm", bn),
        ] {
            let a = rxing(&img.view(), Pass::Full, 1.0, (0.0, 0.0)).is_some();
            let b = rqrr(&img.view(), Pass::Full, 1.0, (0.0, 0.0)).is_some();
            line.push_str(&format!(" {name}[rx {} rq {}]", a as u8, b as u8));
            if std::env::var("PROBE_SAVE").is_ok() {
                let _ = image::GrayImage::from_raw(img.w as u32, img.h as u32, img.data.clone())
                    .map(|i| i.save(format!("/tmp/probe-{name}.png")));
            }
        }
        println!("{line}");
    }
}
