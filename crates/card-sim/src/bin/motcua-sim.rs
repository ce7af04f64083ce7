//! `motcua-sim`: a simulated Vietnamese chip ID card on vpcd's virtual reader.
//!
//! Prints the test identity (with its CAN and MRZ) as JSON on stdout, then serves the card to
//! pcscd through vpcd until killed. Everything it prints is generated test data.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use card_sim::{spawn_vpcd, CardFaults, CardProfile, SimPki, VpcdOptions};

const USAGE: &str = "\
motcua-sim: simulated CCCD / thẻ căn cước chip on vpcd (\"Virtual PCD 00 00\")

Usage: motcua-sim [options]
  --port N              vpcd port (default 35963; 35964 is \"Virtual PCD 00 01\")
  --seed N              identity seed (default 1)
  --profile FILE.json   use this profile (as printed by a previous run) instead of --seed
  --export-trust DIR    write the test CSCA (motcua-sim-csca.pem / .der) into DIR
  --latency-ms N        delay before each answer
  --remove-after N      pull the card away after N answered APDUs
  --reinsert-ms N       put it back N ms after such a removal (default 2000, 0 = never)
  --tamper-dg N         change DG N (1, 2, 13, 14, 15) after the SOD was signed
  --bad-sod-signature   the SOD signature does not verify
  --cloned-chip         DG14 announces a Chip Authentication key the chip does not hold
  --short-apdu-only     reject extended-length APDUs (6700)
  --no-pace             no EF.CardAccess / PACE (BAC only)
  --no-bac              no BAC
  --print-only          print the identity and exit
";

struct Args {
    port: u16,
    seed: u64,
    profile: Option<PathBuf>,
    export_trust: Option<PathBuf>,
    latency_ms: u64,
    remove_after: Option<u64>,
    reinsert_ms: u64,
    faults: CardFaults,
    no_pace: bool,
    no_bac: bool,
    print_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        port: card_sim::vpcd::DEFAULT_PORT,
        seed: 1,
        profile: None,
        export_trust: None,
        latency_ms: 0,
        remove_after: None,
        reinsert_ms: 2000,
        faults: CardFaults::default(),
        no_pace: false,
        no_bac: false,
        print_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        }
        match flag.as_str() {
            "--port" => a.port = num("--port", value("--port")?)?,
            "--seed" => a.seed = num("--seed", value("--seed")?)?,
            "--profile" => a.profile = Some(PathBuf::from(value("--profile")?)),
            "--export-trust" => a.export_trust = Some(PathBuf::from(value("--export-trust")?)),
            "--latency-ms" => a.latency_ms = num("--latency-ms", value("--latency-ms")?)?,
            "--remove-after" => a.remove_after = Some(num("--remove-after", value("--remove-after")?)?),
            "--reinsert-ms" => a.reinsert_ms = num("--reinsert-ms", value("--reinsert-ms")?)?,
            "--tamper-dg" => a.faults.tampered_dg = Some(num("--tamper-dg", value("--tamper-dg")?)?),
            "--bad-sod-signature" => a.faults.bad_sod_signature = true,
            "--cloned-chip" => a.faults.cloned_chip_key = true,
            "--short-apdu-only" => a.faults.short_apdu_only = true,
            "--no-pace" => a.no_pace = true,
            "--no-bac" => a.no_bac = true,
            "--print-only" => a.print_only = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn run(args: Args) -> Result<(), String> {
    let mut profile = match &args.profile {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            CardProfile::from_json(&json).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => CardProfile::generate(args.seed),
    };
    if args.no_pace {
        profile.pace = false;
    }
    if args.no_bac {
        profile.bac = false;
    }
    let pki = SimPki::generate("motcua-sim");
    if let Some(dir) = &args.export_trust {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        pki.csca
            .write_pem(&dir.join("motcua-sim-csca.pem"))
            .and_then(|()| pki.csca.write_der(&dir.join("motcua-sim-csca.der")))
            .map_err(|e| format!("cannot export the CSCA: {e}"))?;
    }
    let card = profile
        .build_with(&pki, args.faults)
        .map_err(|e| format!("{} ({})", e.message_vi(), e))?;
    let out = serde_json::json!({
        "note": "TEST DATA ONLY: generated identity, signed by a test CSCA",
        "reader": if args.port == card_sim::vpcd::DEFAULT_PORT { "Virtual PCD 00 00" } else { "Virtual PCD 00 01" },
        "port": args.port,
        "atr": card.atr().iter().map(|b| format!("{b:02X}")).collect::<String>(),
        "faults": args.faults,
        "profile": profile,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    if args.print_only {
        return Ok(());
    }

    let handle = spawn_vpcd(
        card,
        VpcdOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
            latency: Duration::from_millis(args.latency_ms),
            remove_after: args.remove_after,
            inserted: true,
        },
    );
    eprintln!("motcua-sim: connecting to vpcd on 127.0.0.1:{} (Ctrl-C to stop)", args.port);
    let mut was_connected = false;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let connected = handle.is_connected();
        if connected != was_connected {
            eprintln!(
                "motcua-sim: card {} ({} APDUs so far)",
                if connected { "inserted" } else { "removed" },
                handle.apdu_count()
            );
            was_connected = connected;
            if !connected && args.reinsert_ms > 0 {
                std::thread::sleep(Duration::from_millis(args.reinsert_ms));
                handle.insert();
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("motcua-sim: {msg}\n");
            }
            eprint!("{USAGE}");
            return if msg.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("motcua-sim: {msg}");
            ExitCode::FAILURE
        }
    }
}
