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
        *s = Seen {
            pages: pages.len(),
            state: Some(it.state),
            sha: it.sha256.clone().or(s.sha.clone()),
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
