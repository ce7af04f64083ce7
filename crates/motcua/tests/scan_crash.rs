//! Crash safety of the digitization queue: the real CLI (`motcua scan ingest`, `motcua queue
//! deliver`) is killed with SIGKILL at random moments, 60 times; after each kill the queue is
//! reopened (running recovery, as the next start does) and checked: `PRAGMA integrity_check` is
//! ok, every stored file matches its hash, every component's committed pages are exactly a
//! prefix of its source pages in order (never duplicated, never reordered), and no page or
//! state that was committed before is ever lost. At the end, uninterrupted runs complete every
//! component and deliver each exactly once to the stand-in server.
//!
//! Seed: `MOTCUA_CRASH_SEED` (printed on failure).

use digitize::queue::{Queue, State};
use digitize::standin::Standin;
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use pages::testpage::{a4_page, load_font, TestKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMPONENTS: usize = 4;
const PAGES: usize = 3;
const RUNS: usize = 60;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn motcua(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.arg("--data-dir").arg(data).args(args);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Small pages: A4 drawn at 100 px/inch and declared 200 dpi.
fn make_sources(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let font = load_font().expect("fonts-dejavu-core");
    (0..COMPONENTS)
        .map(|c| {
            let d = dir.join(format!("c{c}"));
            std::fs::create_dir_all(&d).unwrap();
            let shas = (0..PAGES)
                .map(|p| {
                    let kind = if p == 1 {
                        TestKind::TextWithStamp
                    } else {
                        TestKind::Text
                    };
                    let img = a4_page(kind, 100.0, (c * 10 + p) as u64, &font);
                    let mut out = Vec::new();
                    let mut e = JpegEncoder::new_with_quality(&mut out, 80);
                    e.set_pixel_density(PixelDensity::dpi(200));
                    e.encode_image(&img).unwrap();
                    std::fs::write(d.join(format!("p{p}.jpg")), &out).unwrap();
                    digitize::sha256_hex(&out)
                })
                .collect();
            (d, shas)
        })
        .collect()
}

#[derive(Default, Clone)]
struct Seen {
    pages: usize,
    state: Option<State>,
    sha: Option<String>,
    signed_sha: Option<String>,
}

/// `comps[k]` = index of the source set of component `tp-k`.
fn check(
    root: &Path,
    sources: &[(PathBuf, Vec<String>)],
    comps: &[usize],
    seen: &mut HashMap<String, Seen>,
    ctx: &str,
) {
    let (q, _rec) = Queue::open(root).unwrap_or_else(|e| panic!("{ctx}: reopen: {e}"));
    let v = q.verify().unwrap();
    assert_eq!(v.integrity, "ok", "{ctx}");
    assert!(v.problems.is_empty(), "{ctx}: {:?}", v.problems);
    for (k, &c) in comps.iter().enumerate() {
        let shas = &sources[c].1;
        let comp = format!("tp-{k}");
        let Some(it) = q.find("H-CRASH-1", &comp).unwrap() else {
            assert_eq!(
                seen.get(&comp).map_or(0, |s| s.pages),
                0,
                "{ctx}: item {comp} lost"
            );
            continue;
        };
        let pages = q.pages(&it.id).unwrap();
        assert!(
            pages.len() <= shas.len(),
            "{ctx}: {comp} has {} pages",
            pages.len()
        );
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p.seq as usize, i + 1, "{ctx}: {comp} numbering");
            assert_eq!(
                p.file_sha256,
                shas[i],
                "{ctx}: {comp} page {} is not source page {}",
                p.seq,
                i + 1
            );
        }
        let s = seen.entry(comp.clone()).or_default();
        assert!(
            pages.len() >= s.pages,
            "{ctx}: {comp} lost committed pages ({} < {})",
            pages.len(),
            s.pages
        );
        assert!(
            Some(it.state) >= s.state,
            "{ctx}: {comp} went back from {:?} to {:?}",
            s.state,
            it.state
        );
        if s.sha.is_some() && it.sha256.is_some() {
            assert_eq!(s.sha, it.sha256, "{ctx}: {comp} PDF changed after commit");
        }
        let signed_sha = it.signed.as_ref().map(|x| x.sha256.clone());
        if s.signed_sha.is_some() {
            assert_eq!(s.signed_sha, signed_sha, "{ctx}: {comp} signed copy changed after commit");
        }
        if it.state == State::Signed {
            assert!(signed_sha.is_some(), "{ctx}: {comp} signed without its copy");
        }
        *s = Seen {
            pages: pages.len(),
            state: Some(it.state),
            sha: it.sha256.clone().or(s.sha.clone()),
            signed_sha: signed_sha.or(s.signed_sha.clone()),
        };
    }
}

#[test]
fn sigkill_during_ingest_and_delivery_loses_and_duplicates_nothing() {
    let seed: u64 = std::env::var("MOTCUA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
        | 1;
    eprintln!("MOTCUA_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let root = digitize::digitize_dir(&data);
    let sources = make_sources(&d.path().join("src"));
    let server = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    server.set_fail_rate(250, seed);
    let url = server.url();
    let mut seen: HashMap<String, Seen> = HashMap::new();

    // A first uninterrupted ingest tells how long one takes; kills land within that span.
    let t = Instant::now();
    let out = motcua(
        &data,
        &[
            "scan",
            "ingest",
            "--hoso",
            "H-CRASH-1",
            "--component",
            "tp-0",
            "--json",
        ],
    )
    .arg(&sources[0].0)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pages"], PAGES as u64);
    let span_ms = (t.elapsed().as_millis() as u64).clamp(50, 3000);
    let mut comps: Vec<usize> = vec![0];
    check(&root, &sources, &comps, &mut seen, "first run");

    let mut killed = 0;
    for run in 0..RUNS {
        // Keep real work going: finish an interrupted component, or start a new one.
        let unfinished: Vec<usize> = (0..comps.len())
            .filter(|k| {
                seen.get(&format!("tp-{k}"))
                    .and_then(|s| s.state)
                    .is_none_or(|s| s < State::Processed)
            })
            .collect();
        let deliver = rng.below(3) == 0;
        let k = if !unfinished.is_empty() && (deliver || rng.below(2) == 0) {
            unfinished[rng.below(unfinished.len() as u64) as usize]
        } else if deliver {
            0 // only names the run; a delivery pass covers every component
        } else {
            comps.push(comps.len() % COMPONENTS);
            comps.len() - 1
        };
        let c = comps[k];
        let comp = format!("tp-{k}");
        let mut cmd = if deliver {
            motcua(
                &data,
                &[
                    "queue",
                    "deliver",
                    "--endpoint",
                    &url,
                    "--backoff-s",
                    "0",
                    "--max-attempts",
                    "1000",
                    "--timeout-s",
                    "5",
                    "--json",
                ],
            )
        } else {
            let mut c2 = motcua(
                &data,
                &[
                    "scan",
                    "ingest",
                    "--hoso",
                    "H-CRASH-1",
                    "--component",
                    &comp,
                    "--json",
                ],
            );
            c2.arg(&sources[c].0);
            c2
        };
        let mut child = cmd.spawn().unwrap();
        let delay = rng.below(span_ms + 1);
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        let status = child.wait().unwrap();
        let ctx = format!(
            "seed {seed} run {run} ({}, {comp}, kill at {delay} ms, {status})",
            if deliver { "deliver" } else { "ingest" }
        );
        check(&root, &sources, &comps, &mut seen, &ctx);
    }
    assert!(
        killed >= RUNS / 3,
        "only {killed} of {RUNS} runs were killed mid-way"
    );

    // Uninterrupted: everything completes, each copy delivered exactly once.
    server.set_fail_rate(0, 1);
    for (k, &c) in comps.iter().enumerate() {
        let out = motcua(
            &data,
            &[
                "scan",
                "ingest",
                "--hoso",
                "H-CRASH-1",
                "--component",
                &format!("tp-{k}"),
                "--json",
            ],
        )
        .arg(&sources[c].0)
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["pages"], PAGES as u64);
    }
    let out = motcua(
        &data,
        &[
            "queue",
            "deliver",
            "--endpoint",
            &url,
            "--backoff-s",
            "0",
            "--max-attempts",
            "1000",
            "--json",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    let out = motcua(&data, &["queue", "status", "--json"])
        .output()
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["counts"]["delivered"], comps.len() as u64, "{st}");
    let out = motcua(&data, &["queue", "check", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    check(&root, &sources, &comps, &mut seen, "final");
    let (q, _) = Queue::open(&root).unwrap();
    let mut stored = 0;
    for e in std::fs::read_dir(server.dir()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".pdf") {
            stored += 1;
            let it = q.item(id).unwrap();
            assert_eq!(
                Some(digitize::sha256_hex(&std::fs::read(e.path()).unwrap())),
                it.sha256
            );
            assert_eq!(it.state, State::Delivered);
        }
    }
    assert_eq!(stored, comps.len(), "each component delivered exactly once");
    eprintln!(
        "{RUNS} runs, {killed} killed, {} components, {:.1} s",
        comps.len(),
        t0.elapsed().as_secs_f64()
    );
}

const SIGN_PASS_VAR: &str = "MOTCUA_TEST_P12_PASS";
const SIGN_PASS: &str = "mật-khẩu-thử";
const SIGN_RUNS: usize = 14;

/// Generated TEST ONLY agency PKCS#12 (ECDSA P-256, chain to a generated CA).
fn write_test_p12(path: &Path) {
    use p256::pkcs8::EncodePrivateKey as _;
    let ca = testpki::csca("motcua-sign-crash-ca");
    let signer = testpki::document_signer(&ca, "motcua-sign-crash-agency");
    let key = match &signer.key {
        lds::SignerKey::EcdsaP256(k) => k.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        other => panic!("test key {other:?}"),
    };
    let chain = p12_keystore::PrivateKeyChain::new(
        key,
        [9u8; 20],
        [
            p12_keystore::Certificate::from_der(&signer.der).unwrap(),
            p12_keystore::Certificate::from_der(&ca.der).unwrap(),
        ],
    );
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry("agency", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    std::fs::write(path, ks.writer(SIGN_PASS).write().unwrap()).unwrap();
}

/// SIGKILL while signing (`scan ingest --sign-p12`, `queue sign`, `queue deliver --sign-p12`):
/// the signed copy is committed after its file, nothing is lost or duplicated, the signed copy
/// never changes once committed, unsigned copies never leave, and everything ends up signed
/// and delivered exactly once with a signature poppler accepts.
#[test]
fn sigkill_during_signing_keeps_the_queue_consistent() {
    let seed: u64 = std::env::var("MOTCUA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
        | 1;
    eprintln!("MOTCUA_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let root = digitize::digitize_dir(&data);
    let sources = make_sources(&d.path().join("src"));
    let p12 = d.path().join("agency.p12");
    write_test_p12(&p12);
    let p12s = p12.to_str().unwrap().to_string();
    let server = Standin::start("127.0.0.1:0", &d.path().join("recv")).unwrap();
    server.set_fail_rate(200, seed);
    let url = server.url();
    let sign_args = [
        "--sign-p12",
        p12s.as_str(),
        "--sign-pass-env",
        SIGN_PASS_VAR,
        "--agency",
        "Ủy ban nhân dân phường Thử Nghiệm",
    ];
    let cmd = |args: &[&str]| {
        let mut c = motcua(&data, args);
        c.env(SIGN_PASS_VAR, SIGN_PASS);
        c
    };
    let ingest = |k: usize, signed: bool| {
        let comp = format!("tp-{k}");
        let mut a = vec!["scan", "ingest", "--hoso", "H-CRASH-1", "--component", &comp, "--json"];
        if signed {
            a.extend_from_slice(&sign_args);
        }
        let mut c = cmd(&a);
        c.arg(&sources[k % COMPONENTS].0);
        c
    };
    let mut seen: HashMap<String, Seen> = HashMap::new();

    // tp-0 ingested and signed in one go: its JSON says so.
    let t = Instant::now();
    let out = ingest(0, true).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let ingest_ms = (t.elapsed().as_millis() as u64).clamp(50, 3000);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signed"], true, "{v}");
    assert_eq!(v["state"], "signed", "{v}");
    let spdf = PathBuf::from(v["signed_pdf"].as_str().unwrap());
    assert_eq!(
        v["signed_sha256"].as_str(),
        Some(digitize::sha256_hex(&std::fs::read(&spdf).unwrap()).as_str())
    );
    // tp-1 ingested unsigned, then `queue sign` (timed: kills land within that span).
    let out = ingest(1, false).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signed"], false, "{v}");
    let t = Instant::now();
    let out = cmd(&["queue", "sign", "--json"]).args(sign_args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let sign_ms = (t.elapsed().as_millis() as u64).clamp(30, 3000);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signed"].as_array().map(Vec::len), Some(1), "{v}");
    let mut comps: Vec<usize> = vec![0, 1];
    check(&root, &sources, &comps, &mut seen, "setup");

    let mut killed = 0;
    for run in 0..SIGN_RUNS {
        let what = rng.below(3);
        let (mut c, span) = match what {
            0 => {
                // A new component, or an unsigned one again, with signing.
                let k = if comps.len() < COMPONENTS + 2 && rng.below(2) == 0 {
                    comps.push(comps.len() % COMPONENTS);
                    comps.len() - 1
                } else {
                    rng.below(comps.len() as u64) as usize
                };
                (ingest(k, true), ingest_ms)
            }
            1 => {
                // Some processed, unsigned copies to sign.
                let k = comps.len();
                comps.push(k % COMPONENTS);
                let out = ingest(k, false).output().unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
                let mut c = cmd(&["queue", "sign", "--json"]);
                c.args(sign_args);
                (c, sign_ms)
            }
            _ => {
                let mut c = cmd(&[
                    "queue", "deliver", "--endpoint", &url, "--backoff-s", "0",
                    "--max-attempts", "1000", "--timeout-s", "5", "--json",
                ]);
                c.args(sign_args);
                (c, sign_ms * 2)
            }
        };
        let mut child = c.spawn().unwrap();
        let delay = rng.below(span + 1);
        std::thread::sleep(Duration::from_millis(delay));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        let status = child.wait().unwrap();
        let ctx = format!("seed {seed} sign run {run} (kind {what}, kill at {delay} ms, {status})");
        check(&root, &sources, &comps, &mut seen, &ctx);
        // Unsigned copies never leave when a signer is configured.
        let (q, _) = Queue::open(&root).unwrap();
        for e in std::fs::read_dir(server.dir()).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".pdf") {
                let it = q.item(id).unwrap();
                let got = digitize::sha256_hex(&std::fs::read(e.path()).unwrap());
                assert_eq!(
                    it.signed.as_ref().map(|s| s.sha256.as_str()),
                    Some(got.as_str()),
                    "{ctx}: delivered copy is not the committed signed copy"
                );
            }
        }
    }
    assert!(killed >= SIGN_RUNS / 4, "only {killed} of {SIGN_RUNS} runs were killed mid-way");

    // Uninterrupted: every component signed and delivered exactly once.
    server.set_fail_rate(0, 1);
    for k in 0..comps.len() {
        let out = ingest(k, true).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["pages"], PAGES as u64);
    }
    let out = cmd(&["queue", "deliver", "--endpoint", &url, "--backoff-s", "0", "--json"])
        .args(sign_args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let out = motcua(&data, &["queue", "check", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    check(&root, &sources, &comps, &mut seen, "final");
    let (q, _) = Queue::open(&root).unwrap();
    let st = q.status().unwrap();
    assert_eq!(st.counts["delivered"], comps.len() as u64);
    let mut stored = Vec::new();
    for e in std::fs::read_dir(server.dir()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".pdf") {
            let it = q.item(id).unwrap();
            assert_eq!(it.state, State::Delivered);
            assert_eq!(
                Some(digitize::sha256_hex(&std::fs::read(e.path()).unwrap())),
                it.signed.as_ref().map(|s| s.sha256.clone())
            );
            stored.push(e.path());
        }
    }
    assert_eq!(stored.len(), comps.len(), "each component delivered exactly once");
    let sig = Command::new("pdfsig").arg(&stored[0]).output().expect("pdfsig (poppler-utils)");
    let text = String::from_utf8_lossy(&sig.stdout);
    assert!(text.contains("Signature is Valid"), "pdfsig:\n{text}");
    eprintln!(
        "{SIGN_RUNS} signing runs, {killed} killed, {} components, {:.1} s",
        comps.len(),
        t0.elapsed().as_secs_f64()
    );
}
