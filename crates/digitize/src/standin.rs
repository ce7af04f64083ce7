//! A stand-in for the provincial system's receiving endpoint, for tests and demos.
//!
//! `POST /` with `multipart/form-data` (`metadata` JSON + `file` PDF), headers
//! `Idempotency-Key` and `X-Content-SHA256`. It checks the file's SHA-256 against the header and
//! the metadata (422 on mismatch), stores `DIR/<key>.pdf` and `DIR/<key>.json` atomically and
//! answers `201 {"receipt", "sha256", "duplicate": false}`; the same key again with the same
//! hash answers `200 … "duplicate": true` without storing twice (409 with another hash).
//!
//! Faults on purpose ([`Fault`]), taken one per request from a script, or at random with
//! [`Standin::set_fail_rate`]: HTTP 500, 503 with `Retry-After`, a slow answer (to trip the
//! client's timeout), a dropped connection (after the body, before any answer), 400.

use crate::fsio;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500.
    Status500,
    /// HTTP 503 with `Retry-After: secs`.
    Status503 {
        /// Seconds.
        retry_after: u32,
    },
    /// Wait this long before answering normally.
    Slow {
        /// Milliseconds.
        ms: u64,
    },
    /// Read the request, close without answering.
    Drop,
    /// HTTP 400 (permanent refusal).
    Reject400,
}

impl Fault {
    /// Parses `500`, `503:SECS`, `slow:MS`, `drop`, `400`.
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once(':').unwrap_or((s, ""));
        match a {
            "500" => Some(Self::Status500),
            "503" => Some(Self::Status503 {
                retry_after: b.parse().unwrap_or(1),
            }),
            "slow" => Some(Self::Slow {
                ms: b.parse().unwrap_or(5000),
            }),
            "drop" => Some(Self::Drop),
            "400" => Some(Self::Reject400),
            _ => None,
        }
    }
}

/// Counters.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests seen.
    pub requests: AtomicU64,
    /// Files stored.
    pub stored: AtomicU64,
    /// Duplicate deliveries recognised.
    pub duplicates: AtomicU64,
    /// Faults injected.
    pub faults: AtomicU64,
    /// Requests refused (bad hash, bad form, incomplete body).
    pub refused: AtomicU64,
}

struct Shared {
    dir: PathBuf,
    script: Mutex<VecDeque<Fault>>,
    /// Random faults: (per-mille rate, xorshift state).
    random: Mutex<(u32, u64)>,
    store_lock: Mutex<()>,
    stats: Stats,
    stop: AtomicBool,
}

/// A running stand-in server.
pub struct Standin {
    addr: std::net::SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Standin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standin").field("addr", &self.addr).finish()
    }
}

impl Standin {
    /// Listens on `listen` (e.g. `127.0.0.1:0`) and stores into `dir`.
    pub fn start(listen: &str, dir: &Path) -> std::io::Result<Self> {
        Self::start_with(listen, dir, None)
    }

    /// Like [`Standin::start`], serving HTTPS with `tls` (certificate chain and key).
    pub fn start_tls(
        listen: &str,
        dir: &Path,
        tls: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<Self> {
        Self::start_with(listen, dir, Some(tls))
    }

    /// A TLS server configuration from a DER certificate chain and PKCS#8 key (ring provider).
    pub fn tls_config(
        chain_der: Vec<Vec<u8>>,
        pkcs8_key_der: Vec<u8>,
    ) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let chain = chain_der.into_iter().map(CertificateDer::from).collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8_key_der));
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
        Ok(Arc::new(cfg))
    }

    fn start_with(
        listen: &str,
        dir: &Path,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<Self> {
        let is_tls = tls.is_some();
        std::fs::create_dir_all(dir)?;
        let l = TcpListener::bind(listen)?;
        let addr = l.local_addr()?;
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            script: Mutex::new(VecDeque::new()),
            random: Mutex::new((0, 0x9E37_79B9_7F4A_7C15)),
            store_lock: Mutex::new(()),
            stats: Stats::default(),
            stop: AtomicBool::new(false),
        });
        let sh = shared.clone();
        let thread = std::thread::spawn(move || {
            for c in l.incoming() {
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(c) = c else { continue };
                let sh = sh.clone();
                let tls = tls.clone();
                std::thread::spawn(move || {
                    let _ = c.set_read_timeout(Some(Duration::from_secs(15)));
                    match tls {
                        None => {
                            let mut c = c;
                            let _ = handle(&mut c, &sh);
                        }
                        Some(cfg) => {
                            let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                                return;
                            };
                            let mut s = rustls::StreamOwned::new(conn, c);
                            if handle(&mut s, &sh).is_ok() {
                                s.conn.send_close_notify();
                                let _ = s.flush();
                            }
                        }
                    }
                });
            }
        });
        Ok(Self {
            addr,
            tls: is_tls,
            shared,
            thread: Some(thread),
        })
    }

    /// `http://addr/` (`https://` when serving TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    /// Faults for the next requests, in order.
    pub fn push_faults(&self, f: &[Fault]) {
        if let Ok(mut s) = self.shared.script.lock() {
            s.extend(f.iter().copied());
        }
    }

    /// Random 500/503/drop faults at `per_mille` / 1000 of requests (seeded, reproducible).
    pub fn set_fail_rate(&self, per_mille: u32, seed: u64) {
        if let Ok(mut r) = self.shared.random.lock() {
            *r = (per_mille, seed | 1);
        }
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Storage directory.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Blocks until the server stops (bin use).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn next_fault(sh: &Shared) -> Option<Fault> {
    if let Some(f) = sh.script.lock().ok().and_then(|mut s| s.pop_front()) {
        return Some(f);
    }
    let mut r = sh.random.lock().ok()?;
    if r.0 == 0 {
        return None;
    }
    let mut x = r.1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r.1 = x;
    if (x % 1000) as u32 >= r.0 {
        return None;
    }
    Some(match (x >> 20) % 3 {
        0 => Fault::Status500,
        1 => Fault::Status503 { retry_after: 1 },
        _ => Fault::Drop,
    })
}

fn respond<W: Write>(c: &mut W, status: u16, extra: &str, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    write!(
        c,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )?;
    c.flush()
}

fn err_json(code: &str, msg: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": msg}}).to_string()
}

fn handle<S: Read + Write>(c: &mut S, sh: &Shared) -> std::io::Result<()> {
    let mut r = BufReader::new(&mut *c);
    let mut line = String::new();
    r.read_line(&mut line)?;
    if line.is_empty() {
        return Ok(());
    }
    sh.stats.requests.fetch_add(1, Ordering::SeqCst);
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
        if headers.len() > 100 {
            return respond(r.get_mut(), 400, "", &err_json("bad_request", "too many headers"));
        }
    }
    let get = |k: &str| headers.iter().find(|(h, _)| h == k).map(|(_, v)| v.as_str());
    if !line.starts_with("POST ") {
        return respond(r.get_mut(), 400, "", &err_json("bad_request", "POST only"));
    }
    let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) else {
        return respond(r.get_mut(), 411, "", &err_json("length_required", "Content-Length"));
    };
    if len > 512 * 1024 * 1024 {
        return respond(r.get_mut(), 413, "", &err_json("too_large", ""));
    }
    let mut body = vec![0u8; len];
    if r.read_exact(&mut body).is_err() {
        // Sender died mid-body: nothing is stored.
        sh.stats.refused.fetch_add(1, Ordering::SeqCst);
        return Ok(());
    }
    if let Some(f) = next_fault(sh) {
        sh.stats.faults.fetch_add(1, Ordering::SeqCst);
        match f {
            Fault::Status500 => return respond(r.get_mut(), 500, "", &err_json("internal", "on purpose")),
            Fault::Status503 { retry_after } => {
                return respond(
                    r.get_mut(),
                    503,
                    &format!("Retry-After: {retry_after}\r\n"),
                    &err_json("unavailable", "on purpose"),
                )
            }
            // Closed without an answer (the caller drops the connection).
            Fault::Drop => return Err(std::io::ErrorKind::ConnectionAborted.into()),
            Fault::Reject400 => {
                return respond(r.get_mut(), 400, "", &err_json("rejected", "hồ sơ không hợp lệ (thử nghiệm)"))
            }
            Fault::Slow { ms } => std::thread::sleep(Duration::from_millis(ms)),
        }
    }
    let (status, body) = accept(sh, get("content-type"), get("idempotency-key"), get("x-content-sha256"), &body);
    respond(r.get_mut(), status, "", &body)
}

/// Splits a multipart body into (name, content) parts.
pub fn parse_multipart<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<(String, &'a [u8])>> {
    let b = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{b}");
    let d = delim.as_bytes();
    let mut parts = Vec::new();
    let mut pos = find(body, d, 0)? + d.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        pos += 2; // CRLF after the delimiter
        let hdr_end = find(body, b"\r\n\r\n", pos)?;
        let hdr = std::str::from_utf8(body.get(pos..hdr_end)?).ok()?;
        let name = hdr
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("name="))
            .map(|n| n.split("\r\n").next().unwrap_or(n).trim_matches('"').to_string())?;
        let start = hdr_end + 4;
        let next = find(body, format!("\r\n{delim}").as_bytes(), start)?;
        parts.push((name, body.get(start..next)?));
        pos = next + 2 + d.len();
    }
}

fn find(h: &[u8], n: &[u8], from: usize) -> Option<usize> {
    h.get(from..)?
        .windows(n.len())
        .position(|w| w == n)
        .map(|p| p + from)
}

fn accept(
    sh: &Shared,
    ct: Option<&str>,
    key: Option<&str>,
    hdr_sha: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let refuse = |s: u16, code: &str, m: &str| {
        sh.stats.refused.fetch_add(1, Ordering::SeqCst);
        (s, err_json(code, m))
    };
    let Some(key) = key.filter(|k| {
        !k.is_empty() && k.len() <= 64 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) else {
        return refuse(400, "idempotency_key_missing", "Idempotency-Key");
    };
    let Some(parts) = ct.and_then(|ct| parse_multipart(ct, body)) else {
        return refuse(400, "bad_form", "multipart/form-data expected");
    };
    let get = |n: &str| parts.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    let (Some(meta), Some(file)) = (get("metadata"), get("file")) else {
        return refuse(400, "bad_form", "metadata and file parts expected");
    };
    let Ok(meta_v) = serde_json::from_slice::<serde_json::Value>(meta) else {
        return refuse(400, "bad_metadata", "metadata is not JSON");
    };
    let sha = crate::sha256_hex(file);
    let meta_sha = meta_v.get("sha256").and_then(|s| s.as_str());
    if meta_sha != Some(sha.as_str()) || hdr_sha.is_some_and(|h| h != sha) {
        return refuse(422, "sha256_mismatch", &format!("received {sha}"));
    }
    if !file.starts_with(b"%PDF-") {
        return refuse(422, "not_pdf", "file is not a PDF");
    }
    let receipt = format!("TN-{}", &sha[..16]);
    let _g = sh.store_lock.lock();
    let pdf = sh.dir.join(format!("{key}.pdf"));
    if let Ok(old) = std::fs::read(&pdf) {
        if crate::sha256_hex(&old) == sha {
            sh.stats.duplicates.fetch_add(1, Ordering::SeqCst);
            return (200, serde_json::json!({"receipt": receipt, "sha256": sha, "duplicate": true}).to_string());
        }
        return refuse(409, "idempotency_conflict", "same key, other content");
    }
    let stored = fsio::write_atomic(&sh.dir.join(format!("{key}.json")), meta)
        .and_then(|_| fsio::write_atomic(&pdf, file));
    if stored.is_err() {
        return (500, err_json("storage", "cannot store"));
    }
    sh.stats.stored.fetch_add(1, Ordering::SeqCst);
    (201, serde_json::json!({"receipt": receipt, "sha256": sha, "duplicate": false}).to_string())
}
