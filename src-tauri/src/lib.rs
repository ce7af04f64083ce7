//! The Tauri shell of Một Cửa Desk: state, commands and events over `app-core`. No rules live
//! here; see `app_core` for them.

pub mod bindings;
mod commands;
mod digitize;
mod hoso;
pub mod ipc;
mod scan;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app_core::card::{CardService, FakeCard, FakeCardService};
use card_service::{DemoCard, PcscCardService, Simulator};
use app_core::store::SqliteStore;
use app_core::{App, CardController, Config, SystemClock};
use tauri::{Emitter, Manager};

/// Command-line options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the database lives; default: the platform data directory.
    pub data_dir: Option<PathBuf>,
    /// Use the in-memory fake reader with demo cards ("Đầu đọc mô phỏng").
    pub demo_fake: bool,
    /// Force the simulated reader (software cards through pcscd) even when a reader is attached.
    pub demo: bool,
    /// Idle minutes before the session locks.
    pub idle_lock_minutes: Option<u32>,
}

impl Options {
    /// Parses `--data-dir PATH`, `--data-dir=PATH`, `--demo`, `--demo-fake`,
    /// `--idle-lock-minutes N`. `MOTCUA_DEMO=sim` / `MOTCUA_DEMO=fake` select the same modes.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut o = Options {
            demo_fake: std::env::var("MOTCUA_DEMO").is_ok_and(|v| v == "fake"),
            demo: std::env::var("MOTCUA_DEMO").is_ok_and(|v| v == "sim"),
            ..Options::default()
        };
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            if let Some(v) = a.strip_prefix("--data-dir=") {
                o.data_dir = Some(v.into());
            } else if a == "--data-dir" {
                o.data_dir = Some(it.next().ok_or("--data-dir cần một thư mục")?.into());
            } else if a == "--demo-fake" {
                o.demo_fake = true;
            } else if a == "--demo" {
                o.demo = true;
            } else if a == "--idle-lock-minutes" {
                let v = it.next().ok_or("--idle-lock-minutes cần một số phút")?;
                o.idle_lock_minutes = Some(v.parse().map_err(|_| format!("số phút không hợp lệ: {v}"))?);
            } else {
                // WebKitWebDriver adds its own flags (e.g. --automation); ignore what we do not know.
                eprintln!("motcua-desk: bỏ qua tham số không dùng: {a}");
            }
        }
        Ok(o)
    }
}

/// What the commands share.
#[derive(Clone)]
pub struct Shell {
    pub app: Arc<App>,
    pub cards: Arc<CardController>,
    /// The demo controls, in demo mode.
    pub demo: Option<Demo>,
    /// QR scanners: the serial port reader and the event sink it reports through.
    pub scan: scan::ScanState,
}

/// What "place a demo card" acts on.
#[derive(Clone)]
pub enum Demo {
    /// The in-memory fake reader (`--demo-fake`, tests without pcscd).
    Fake { service: FakeCardService, cards: Arc<Vec<(String, FakeCard)>> },
    /// Software cards on pcscd's virtual reader, read through the real PC/SC path.
    Sim { sim: Arc<Simulator>, service: PcscCardService, cards: Arc<Vec<DemoCard>> },
}

pub const SIMULATED_READER: &str = "Đầu đọc mô phỏng";

fn build_shell(opts: &Options) -> Result<Shell, String> {
    let dir = match &opts.data_dir {
        Some(d) => d.clone(),
        None => app_core::store::default_data_dir().map_err(|e| e.to_string())?,
    };
    let store = SqliteStore::open_in_dir(&dir)
        .map_err(|e| format!("không mở được dữ liệu ở {}: {e}", dir.display()))?;
    let mut cfg = Config {
        demo: opts.demo_fake || opts.demo,
        data_dir: dir.display().to_string(),
        ..Config::default()
    };
    if let Some(m) = opts.idle_lock_minutes {
        cfg.idle_lock_minutes = m;
    }
    if opts.demo_fake {
        let store = Arc::new(store);
        let app = Arc::new(App::new(store.clone(), Arc::new(SystemClock), cfg));
        attach_hoso(&app, store, &dir);
        app.prefetch_scanners();
        let fake = FakeCardService::new(SIMULATED_READER, true, Duration::from_millis(120));
        let service: Arc<dyn CardService> = Arc::new(fake.clone());
        let cards = Arc::new(CardController::new(app.clone(), service));
        let demo = Demo::Fake { service: fake, cards: Arc::new(app_core::demo::demo_cards()) };
        return Ok(Shell { app, cards, demo: Some(demo), scan: scan::ScanState::default() });
    }
    // The real PC/SC path. With no hardware reader attached (or with --demo) the software card
    // is offered on pcscd's virtual reader, and only then is its test CSCA trusted.
    // The operator drops CSCA certificates and ICAO master lists into DATA_DIR/trust.
    let trust_dir = dir.join("trust");
    let _ = std::fs::create_dir_all(&trust_dir);
    let (mut trust, warnings) = card_service::load_trust(Some(&trust_dir));
    for w in warnings {
        eprintln!("motcua-desk: bỏ qua tệp trong kho chứng thư: {w}");
    }
    let simulate = opts.demo || card_service::hardware_readers().is_empty();
    let sim = simulate.then(|| Arc::new(Simulator::new("motcua-demo")));
    if let Some(sim) = &sim {
        let _ = trust.add_der(sim.csca_der());
    }
    cfg.demo = simulate;
    let store = Arc::new(store);
    let app = Arc::new(App::new(store.clone(), Arc::new(SystemClock), cfg));
    attach_hoso(&app, store, &dir);
    app.prefetch_scanners();
    let service = PcscCardService::start(trust);
    let dyn_service: Arc<dyn CardService> = Arc::new(service.clone());
    let cards = Arc::new(CardController::new(app.clone(), dyn_service));
    let demo = sim.map(|sim| Demo::Sim { sim, service, cards: Arc::new(Simulator::demo_cards()) });
    Ok(Shell { app, cards, demo, scan: scan::ScanState::default() })
}

/// Opens the hồ sơ service on the app's database; an operator seed folder `DATA_DIR/seeds`
/// (same layout as `seeds/`) replaces the embedded catalog and forms when present. Without it
/// the hồ sơ commands answer `ho_so_unavailable`; the rest of the app works.
fn attach_hoso(app: &App, store: Arc<SqliteStore>, dir: &std::path::Path) {
    let seeds = dir.join("seeds");
    let seeds = seeds.is_dir().then_some(seeds);
    if let Err(e) = app.attach_hoso(store.clone(), seeds.as_deref(), dir) {
        eprintln!("motcua-desk: không nạp được danh mục thủ tục / mẫu tờ khai: {}", e.message_vi());
    }
    if let Err(e) = app.attach_digitize(store, dir) {
        eprintln!("motcua-desk: không mở được hàng đợi số hóa: {}", e.message_vi());
    }
}

/// Builds the state and runs the window until it closes.
pub fn run(opts: Options) -> Result<(), String> {
    let shell = build_shell(&opts)?;
    tauri::Builder::default()
        .manage(shell)
        .invoke_handler(ipc::handler())
        .setup(|app| {
            let shell = app.state::<Shell>().inner().clone();
            let handle = app.handle().clone();
            shell.scan.set_handle(handle.clone());
            if let Some(w) = app.get_webview_window("main") {
                scan::grant_camera(&w);
            }
            // Card events -> app-core -> UI events.
            let rx = shell.cards.service().subscribe();
            let cards = shell.cards.clone();
            let h = handle.clone();
            std::thread::Builder::new()
                .name("card-events".into())
                .spawn(move || {
                    for ev in rx {
                        for ui in cards.handle(ev) {
                            let _ = h.emit("card", ui);
                        }
                    }
                })?;
            // Digitization queue: remake PDFs left by a crash, sign, deliver (when configured).
            let sync_app = shell.app.clone();
            std::thread::Builder::new()
                .name("digitize-sync".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(60));
                    match sync_app.digitize_sync() {
                        Ok(r) if r.failed > 0 || r.retrying > 0 => eprintln!(
                            "motcua-desk: số hóa: {} đã gửi, {} chờ gửi lại, {} lỗi",
                            r.delivered, r.retrying, r.failed
                        ),
                        Ok(_) => {}
                        Err(e) => eprintln!("motcua-desk: số hóa: {}", e.message_vi()),
                    }
                })?;
            // Idle lock: check every few seconds, tell the UI when the state changes.
            let app_state = shell.app.clone();
            std::thread::Builder::new()
                .name("idle-lock".into())
                .spawn(move || {
                    let mut last = app_state.check_idle().map(|s| s.locked);
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        let now = app_state.check_idle();
                        let locked = now.as_ref().map(|s| s.locked);
                        if locked != last {
                            let _ = handle.emit("session", now);
                            last = locked;
                        }
                    }
                })?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .map_err(|e| format!("lỗi cửa sổ ứng dụng: {e}"))
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let o = parse(&["--data-dir", "/tmp/x", "--demo-fake", "--idle-lock-minutes", "3"]).unwrap();
        assert_eq!(o.data_dir.as_deref(), Some(std::path::Path::new("/tmp/x")));
        assert!(o.demo_fake);
        assert_eq!(o.idle_lock_minutes, Some(3));
        let o = parse(&["--data-dir=/tmp/y", "--automation"]).unwrap();
        assert_eq!(o.data_dir.as_deref(), Some(std::path::Path::new("/tmp/y")));
        assert!(parse(&["--data-dir"]).is_err());
        assert!(parse(&["--idle-lock-minutes", "abc"]).is_err());
    }
}
