//! `qr-testserve y4m OUT.y4m PAYLOAD` writes a 640×480 clip (2 s at 10 fps) of a card-like QR
//! with a little noise and drift, for Chromium's `--use-file-for-fake-video-capture`.
//! `qr-testserve serve DIR [PORT]` serves DIR's files and `POST /decode?w=W&h=H` (body: grey
//! bytes) with the product decoder, on 127.0.0.1; prints `listening PORT` when ready.
//! Test-only: never part of the app.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

const W: usize = 640;
const H: usize = 480;

fn render(payload: &str) -> Result<Vec<Vec<u8>>, String> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let n = code.width();
    let colors = code.to_colors();
    let module = 5usize;
    let size = n * module;
    let mut frames = Vec::new();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for f in 0..20usize {
        let mut y = vec![0u8; W * H];
        // A card on a desk: darker background, a lighter card, the code on it.
        let ox = (W - size) / 2 + (f % 5);
        let oy = (H - size) / 2 + (f % 3);
        for (i, px) in y.iter_mut().enumerate() {
            let (x, r) = (i % W, i / W);
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed % 9) as i32 - 4;
            let in_card = x + 40 >= ox && x < ox + size + 40 && r + 40 >= oy && r < oy + size + 40;
            let mut v: i32 = if in_card { 205 } else { 90 + (x as i32 / 16) };
            if x >= ox && x < ox + size && r >= oy && r < oy + size {
                let (mx, my) = ((x - ox) / module, (r - oy) / module);
                if colors.get(my * n + mx) == Some(&qrcode::Color::Dark) {
                    v = 35;
                }
            }
            *px = (v + noise).clamp(0, 255) as u8;
        }
        frames.push(y);
    }
    Ok(frames)
}

fn write_y4m(out: &Path, payload: &str) -> Result<(), String> {
    let frames = render(payload)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| e.to_string())?);
    let chroma = vec![128u8; (W / 2) * (H / 2)];
    let mut w = || -> std::io::Result<()> {
        writeln!(f, "YUV4MPEG2 W{W} H{H} F10:1 Ip A1:1 C420jpeg")?;
        for y in &frames {
            f.write_all(b"FRAME\n")?;
            f.write_all(y)?;
            f.write_all(&chroma)?;
            f.write_all(&chroma)?;
        }
        f.flush()
    };
    w().map_err(|e| e.to_string())
}

fn respond(s: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
}

fn query(path: &str, key: &str) -> Option<u32> {
    let q = path.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.parse().ok()).flatten()
    })
}

fn handle(mut s: TcpStream, root: &Path) {
    let mut r = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut line = String::new();
    if r.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("/").to_owned());
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    if method == "POST" && path.starts_with("/decode") {
        let mut body = vec![0u8; len.min(4096 * 4096)];
        if r.read_exact(&mut body).is_err() {
            return respond(&mut s, "400 Bad Request", "text/plain", b"short body");
        }
        let (Some(w), Some(h)) = (query(&path, "w"), query(&path, "h")) else {
            return respond(&mut s, "400 Bad Request", "text/plain", b"w and h");
        };
        if u64::from(w) * u64::from(h) != body.len() as u64 {
            return respond(&mut s, "400 Bad Request", "text/plain", b"size");
        }
        let t = std::time::Instant::now();
        let d = qr_decode::decode_luma(w, h, &body);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let v = d.map(|d| serde_json::json!({ "payload": d.text, "points": d.points, "decode_ms": ms }));
        let out = serde_json::to_vec(&v).unwrap_or_default();
        return respond(&mut s, "200 OK", "application/json", &out);
    }
    let rel = path.split('?').next().unwrap_or("/").trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if rel.split('/').any(|c| c == "..") {
        return respond(&mut s, "403 Forbidden", "text/plain", b"no");
    }
    let file: PathBuf = root.join(rel);
    match std::fs::read(&file) {
        Ok(b) => {
            let ctype = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("woff2") => "font/woff2",
                _ => "application/octet-stream",
            };
            respond(&mut s, "200 OK", ctype, &b);
        }
        Err(_) => respond(&mut s, "404 Not Found", "text/plain", b"not found"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("y4m") if args.len() == 3 => write_y4m(Path::new(&args[1]), &args[2]),
        Some("serve") if args.len() >= 2 => {
            let root = PathBuf::from(&args[1]);
            let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0u16);
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => {
                    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
                    println!("listening {port}");
                    let _ = std::io::stdout().flush();
                    for s in l.incoming().flatten() {
                        let root = root.clone();
                        std::thread::spawn(move || handle(s, &root));
                    }
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        }
        _ => Err("usage: qr-testserve y4m OUT.y4m PAYLOAD | qr-testserve serve DIR [PORT]".into()),
    };
    if let Err(e) = result {
        eprintln!("qr-testserve: {e}");
        std::process::exit(2);
    }
}
