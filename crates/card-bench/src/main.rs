//! `card-bench`: our card reader (`card_service::read_in_reader`) against the `dmrtd` crate,
//! both through the real PC/SC stack (pcscd + vpcd) on the same simulated card, at several
//! per-APDU latencies.
//!
//! ```text
//! cargo run --release -p card-bench --features dmrtd -- [--latency-ms 0,15] [--runs 5] [--seed 7]
//! ```

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use card_sim::testing::{ensure_pcscd, lock_pcscd, VPCD_READER};
use card_sim::{spawn_vpcd, CardProfile, SimPki, VpcdOptions};
use chrono::NaiveDate;
use dmrtd::com::{TransceiveError, Transceiver};
use dmrtd::lds::ef::ElementaryFile;
use dmrtd::lds::efcard_access::EfCardAccess;
use dmrtd::passport::{Passport, PassportError};
use dmrtd::proto::can_key::CanKey;
use dmrtd::proto::dba_key::DBAKey;
use iso7816::Transport;
use reader::{AccessKey, ReadOptions, ReadPhase};
use transport_pcsc::PcscContext;

/// The per-APDU latency taken as the realistic contactless figure when it is measured.
const REALISTIC_MS: u64 = 15;

struct Args {
    latencies_ms: Vec<u64>,
    runs: usize,
    seed: u64,
}

fn usage() -> &'static str {
    "usage: card-bench [--latency-ms 0,15] [--runs 5] [--seed 7]"
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { latencies_ms: vec![0, REALISTIC_MS], runs: 5, seed: 7 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--latency-ms" => {
                let v = value("--latency-ms")?;
                args.latencies_ms = v
                    .split(',')
                    .map(|s| s.trim().parse::<u64>().map_err(|e| format!("--latency-ms {s}: {e}")))
                    .collect::<Result<_, _>>()?;
                if args.latencies_ms.is_empty() {
                    return Err("--latency-ms: no value".into());
                }
            }
            "--runs" => {
                let v = value("--runs")?;
                args.runs = v.parse().map_err(|e| format!("--runs {v}: {e}"))?;
                if args.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--seed" => {
                let v = value("--seed")?;
                args.seed = v.parse().map_err(|e| format!("--seed {v}: {e}"))?;
            }
            "-h" | "--help" => return Err(usage().into()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    Ok(args)
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/// One read by either reader. Times in milliseconds.
#[derive(Debug, Clone, Default)]
struct Run {
    apdus: u64,
    /// APDUs the simulated card answered during the run (cross-check of `apdus`).
    card_apdus: u64,
    /// The largest data length asked for by one READ BINARY (Le; the plain length under SM).
    max_read: usize,
    bytes_received: u64,
    access: f64,
    /// SOD, DG14, DG1, DG13, DG15 and Active Authentication (our reader times DG15 + AA
    /// together with the other data groups, so dmrtd's run is cut the same way).
    data: f64,
    photo: f64,
    chip_auth: f64,
    passive_auth: f64,
    /// Connect to disconnect.
    total: f64,
}

impl Run {
    /// The total without Chip Authentication and passive authentication (work dmrtd skips).
    fn total_without_verification(&self) -> f64 {
        self.total - self.chip_auth - self.passive_auth
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians over the runs of one reader at one latency.
#[derive(Debug, Clone)]
struct Summary {
    reader: &'static str,
    latency_ms: u64,
    apdus: f64,
    max_read: usize,
    bytes_received: f64,
    access: f64,
    data: f64,
    photo: f64,
    chip_auth: f64,
    passive_auth: f64,
    total: f64,
    total_without_verification: f64,
}

fn summarize(reader: &'static str, latency_ms: u64, runs: &[Run]) -> Summary {
    let m = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Summary {
        reader,
        latency_ms,
        apdus: m(&|r| r.apdus as f64),
        max_read: runs.iter().map(|r| r.max_read).max().unwrap_or(0),
        bytes_received: m(&|r| r.bytes_received as f64),
        access: m(&|r| r.access),
        data: m(&|r| r.data),
        photo: m(&|r| r.photo),
        chip_auth: m(&|r| r.chip_auth),
        passive_auth: m(&|r| r.passive_auth),
        total: m(&|r| r.total),
        total_without_verification: m(&|r| r.total_without_verification()),
    }
}

// ---------------------------------------------------------------------------------------------
// Our reader
// ---------------------------------------------------------------------------------------------

fn run_ours(
    ctx: &mut PcscContext,
    reader_name: &str,
    key: &AccessKey,
    opts: &ReadOptions<'_>,
    card_apdus: &dyn Fn() -> u64,
) -> Result<(Run, reader::ReadOutcome), String> {
    let before = card_apdus();
    let started = Instant::now();
    let outcome = card_service::read_in_reader(ctx, reader_name, std::slice::from_ref(key), opts, &mut |_| {})
        .map_err(|e| format!("our read failed: {} ({e})", e.code()))?;
    let total = ms(started.elapsed());
    let mut run = Run {
        apdus: outcome.stats.apdus,
        card_apdus: card_apdus() - before,
        max_read: outcome.stats.max_read_len,
        bytes_received: outcome.stats.bytes_received,
        total,
        ..Run::default()
    };
    for &(phase, t) in &outcome.stats.phase_ms {
        match phase {
            ReadPhase::Access => run.access += t,
            ReadPhase::ReadData => run.data += t,
            ReadPhase::ReadPhoto => run.photo += t,
            ReadPhase::ChipAuth => run.chip_auth += t,
            ReadPhase::Verify => run.passive_auth += t,
            ReadPhase::Connect | ReadPhase::Done => {}
        }
    }
    Ok((run, outcome))
}

// ---------------------------------------------------------------------------------------------
// dmrtd over PC/SC
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Counters {
    apdus: u64,
    bytes_sent: u64,
    bytes_received: u64,
    /// Largest data length a successful READ BINARY asked for (Le, or DO'97' under secure
    /// messaging: the plain length before encryption).
    max_read: usize,
}

/// dmrtd's [`Transceiver`] over any of our transports, counting what goes by.
struct CountingTransceiver<'a, T: Transport> {
    inner: T,
    counters: &'a mut Counters,
}

impl<T: Transport> Transceiver for CountingTransceiver<'_, T> {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransceiveError> {
        let resp = self.inner.transmit(apdu).map_err(|e| TransceiveError::new(e.to_string()))?;
        self.counters.apdus += 1;
        self.counters.bytes_sent += apdu.len() as u64;
        self.counters.bytes_received += resp.len() as u64;
        if resp.ends_with(&[0x90, 0x00]) && matches!(apdu.get(1), Some(0xB0 | 0xB1)) {
            if let Some(le) = read_binary_le(apdu) {
                self.counters.max_read = self.counters.max_read.max(le);
            }
        }
        Ok(resp)
    }
}

/// The expected data length of a READ BINARY command: its Le, or under secure messaging (CLA
/// bits 0x0C) the value of DO'97' in the command data.
fn read_binary_le(apdu: &[u8]) -> Option<usize> {
    let body = apdu.get(4..)?;
    // Split the body into (data, le) for the short and extended cases.
    let (data, le): (&[u8], Option<&[u8]>) = match body {
        [] => (&[], None),
        [le] => (&[], Some(std::slice::from_ref(le))),
        [0, rest @ ..] if rest.len() == 2 => (&[], Some(rest)),
        [0, hi, lo, rest @ ..] => {
            let lc = (usize::from(*hi) << 8) | usize::from(*lo);
            let data = rest.get(..lc)?;
            let le = rest.get(lc..).filter(|l| !l.is_empty());
            (data, le)
        }
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            let data = rest.get(..lc)?;
            let le = rest.get(lc..).filter(|l| !l.is_empty());
            (data, le)
        }
    };
    let decode = |b: &[u8]| -> Option<usize> {
        match b {
            [0] => Some(256),
            [n] => Some(usize::from(*n)),
            [0, 0] => Some(65_536),
            [hi, lo] => Some((usize::from(*hi) << 8) | usize::from(*lo)),
            _ => None,
        }
    };
    if apdu[0] & 0x0C != 0 {
        // Secure messaging: walk the data objects for DO'97'.
        let mut rest = data;
        while let [tag, len, tail @ ..] = rest {
            let (len, tail) = match *len {
                0x81 => (usize::from(*tail.first()?), tail.get(1..)?),
                0x82 => ((usize::from(*tail.first()?) << 8) | usize::from(*tail.get(1)?), tail.get(2..)?),
                n => (usize::from(n), tail),
            };
            let value = tail.get(..len)?;
            if *tag == 0x97 {
                return decode(value);
            }
            rest = tail.get(len..)?;
        }
        None
    } else {
        le.and_then(decode)
    }
}

/// How dmrtd opens the chip.
#[derive(Debug, Clone)]
enum DmrtdAccess {
    PaceCan(String),
    Bac { document_number: String, date_of_birth: NaiveDate, date_of_expiry: NaiveDate },
}

/// A YYMMDD MRZ date as a date (the century does not matter: dmrtd only formats it back).
fn mrz_date(yymmdd: &str) -> Result<NaiveDate, String> {
    let n = |r: std::ops::Range<usize>| -> Result<u32, String> {
        yymmdd.get(r).and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad MRZ date {yymmdd}"))
    };
    let (y, m, d) = (n(0..2)?, n(2..4)?, n(4..6)?);
    let year = 2000 + i32::try_from(y).map_err(|e| e.to_string())?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| format!("bad MRZ date {yymmdd}"))
}

fn random_challenge() -> [u8; 8] {
    // Not for security: a fresh-looking challenge per run is all a benchmark needs.
    RandomState::new().build_hasher().finish().to_be_bytes()
}

/// What dmrtd's Active Authentication came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AaResult {
    Verified,
    /// The chip answered INTERNAL AUTHENTICATE but dmrtd could not verify the signature.
    NotVerified(String),
    /// INTERNAL AUTHENTICATE itself failed.
    Failed(String),
}

fn perr(what: &str) -> impl Fn(PassportError) -> String + '_ {
    move |e| format!("dmrtd {what}: {e}")
}

fn run_dmrtd(
    ctx: &mut PcscContext,
    reader_name: &str,
    access: &DmrtdAccess,
    card_apdus: &dyn Fn() -> u64,
) -> Result<(Run, AaResult), String> {
    let before = card_apdus();
    let mut counters = Counters::default();
    let mut run = Run::default();
    let aa;
    let started = Instant::now();
    {
        let mut card = ctx.connect(reader_name).map_err(|e| format!("connect: {e}"))?;
        let tx = card.transaction().map_err(|e| format!("transaction: {e}"))?;
        let mut pp = Passport::new(CountingTransceiver { inner: tx, counters: &mut counters });
        let mut mark = Instant::now();
        let mut lap = || {
            let now = Instant::now();
            let t = ms(now - mark);
            mark = now;
            t
        };

        match access {
            DmrtdAccess::PaceCan(can) => {
                // Not `pp.read_ef_card_access()`: it sends SELECT MF (3F00), which the chip (like
                // the real cards) refuses with 6D00. After a reset the MF is current, so the
                // file is read by its short file identifier through dmrtd's own API.
                let bytes = pp
                    .api_mut()
                    .read_file_by_sfi(EfCardAccess::SFI)
                    .map_err(|e| format!("dmrtd EF.CardAccess: {e}"))?;
                let ef_card_access = EfCardAccess::from_bytes(bytes).map_err(|e| format!("dmrtd EF.CardAccess: {e}"))?;
                let key = CanKey::new(can).map_err(|e| format!("dmrtd CAN key: {e}"))?;
                pp.start_session_pace(key, &ef_card_access).map_err(perr("PACE"))?;
            }
            DmrtdAccess::Bac { document_number, date_of_birth, date_of_expiry } => {
                let key = DBAKey::new(document_number.clone(), *date_of_birth, *date_of_expiry, false)
                    .map_err(|e| format!("dmrtd MRZ key: {e}"))?;
                pp.start_session(key).map_err(perr("BAC"))?;
            }
        }
        run.access = lap();

        // The same files in the same order as our reader.
        pp.read_ef_sod().map_err(perr("EF.SOD"))?;
        pp.read_ef_dg14().map_err(perr("DG14"))?;
        pp.read_ef_dg1().map_err(perr("DG1"))?;
        pp.read_ef_dg13().map_err(perr("DG13"))?;
        run.data = lap();

        pp.read_ef_dg2().map_err(perr("DG2"))?;
        run.photo = lap();

        let dg15 = pp.read_ef_dg15().map_err(perr("DG15"))?;
        let challenge = random_challenge();
        aa = match pp.active_authenticate(&challenge) {
            Ok(sig) => match dmrtd::auth::active::verify(dg15.aa_public_key(), &challenge, &sig) {
                Ok(()) => AaResult::Verified,
                Err(e) => AaResult::NotVerified(e.to_string()),
            },
            Err(e) => AaResult::Failed(e.to_string()),
        };
        run.data += lap();
        // dmrtd has no Chip Authentication and no passive authentication here.
        drop(pp);
        drop(card);
    }
    run.total = ms(started.elapsed());
    run.apdus = counters.apdus;
    run.card_apdus = card_apdus() - before;
    run.max_read = counters.max_read;
    run.bytes_received = counters.bytes_received;
    Ok((run, aa))
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("card-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let _lock = lock_pcscd(Duration::from_secs(600))?;
    ensure_pcscd()?;

    let pki = SimPki::generate("card-bench");
    let profile = CardProfile::generate(args.seed);
    let card = profile.build(&pki).map_err(|e| format!("card: {e}"))?;
    let mut trust = lds::TrustStore::new();
    trust.add_der(&pki.csca.der).map_err(|e| format!("trust store: {e}"))?;
    let opts = ReadOptions::full(&trust, card_service::today());

    let handle = spawn_vpcd(card, VpcdOptions::default());
    let result = (|| {
        if !handle.wait_connected(Duration::from_secs(15)) {
            return Err("the simulated card did not connect to vpcd".to_string());
        }
        let reader_name = card_service::wait_for_card(Some(VPCD_READER), Duration::from_secs(15))
            .map_err(|e| format!("no card in {VPCD_READER}: {e}"))?;
        let mut ctx = PcscContext::establish().map_err(|e| format!("PC/SC: {e}"))?;
        let card_apdus = || handle.apdu_count();
        bench(args, &profile, &opts, &mut ctx, &reader_name, &|l| {
            handle.set_latency(Duration::from_millis(l));
        }, &card_apdus)
    })();
    handle.stop();
    let _ = transport_pcsc::Monitor::new().wait_for_removal(Some(VPCD_READER), Some(Duration::from_secs(5)));
    result
}

fn bench(
    args: &Args,
    profile: &CardProfile,
    opts: &ReadOptions<'_>,
    ctx: &mut PcscContext,
    reader_name: &str,
    set_latency: &dyn Fn(u64),
    card_apdus: &dyn Fn() -> u64,
) -> Result<(), String> {
    println!("card-bench: simulated card (seed {}) in \"{reader_name}\" through pcscd + vpcd", args.seed);
    println!(
        "latencies per APDU: {} ms; {} timed runs per reader and latency (+1 warm-up); medians shown",
        args.latencies_ms.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        args.runs
    );
    set_latency(0);

    // Access: PACE-CAN for both unless dmrtd's PACE fails against this card.
    let mut dmrtd_access = DmrtdAccess::PaceCan(profile.can.clone());
    let mut our_key = AccessKey::Can(profile.can.clone());
    if let Err(e) = run_dmrtd(ctx, reader_name, &dmrtd_access, card_apdus) {
        println!("NOTE: dmrtd with PACE-CAN failed ({e}); both readers fall back to the MRZ key (BAC for dmrtd)");
        dmrtd_access = DmrtdAccess::Bac {
            document_number: profile.document_number.clone(),
            date_of_birth: mrz_date(&profile.mrz_date_of_birth)?,
            date_of_expiry: mrz_date(&profile.mrz_date_of_expiry)?,
        };
        our_key = AccessKey::Mrz {
            document_number: profile.document_number.clone(),
            date_of_birth: profile.mrz_date_of_birth.clone(),
            date_of_expiry: profile.mrz_date_of_expiry.clone(),
        };
    }

    let mut summaries = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for &latency in &args.latencies_ms {
        set_latency(latency);

        let (_, outcome) = run_ours(ctx, reader_name, &our_key, opts, card_apdus)?;
        let v = &outcome.verification;
        let note = format!(
            "ours: access {:?}, passive {:?}, chip auth {:?}, active auth {:?}{}",
            outcome.access,
            v.passive,
            v.chip_auth,
            v.active_auth,
            if v.reasons.is_empty() { String::new() } else { format!(" ({})", v.reasons.join("; ")) }
        );
        if !notes.contains(&note) {
            notes.push(note);
        }
        let mut ours = Vec::new();
        for _ in 0..args.runs {
            ours.push(run_ours(ctx, reader_name, &our_key, opts, card_apdus)?.0);
        }

        run_dmrtd(ctx, reader_name, &dmrtd_access, card_apdus)?;
        let mut theirs = Vec::new();
        let mut aa_results = Vec::new();
        for _ in 0..args.runs {
            let (run, aa) = run_dmrtd(ctx, reader_name, &dmrtd_access, card_apdus)?;
            theirs.push(run);
            if !aa_results.contains(&aa) {
                aa_results.push(aa);
            }
        }
        for aa in aa_results {
            let note = match aa {
                AaResult::Verified => "dmrtd: active auth verified".to_string(),
                AaResult::NotVerified(e) => {
                    format!("dmrtd: INTERNAL AUTHENTICATE answered, signature not verified by dmrtd: {e}")
                }
                AaResult::Failed(e) => format!("dmrtd: INTERNAL AUTHENTICATE failed: {e}"),
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        for (who, runs) in [("ours", &ours), ("dmrtd", &theirs)] {
            if let Some(r) = runs.iter().find(|r| r.apdus != r.card_apdus) {
                notes.push(format!(
                    "WARNING {who} @{latency} ms: counted {} APDUs but the card answered {}",
                    r.apdus, r.card_apdus
                ));
            }
        }
        summaries.push(summarize("ours", latency, &ours));
        summaries.push(summarize("dmrtd", latency, &theirs));
    }

    print_table(&summaries);
    println!();
    let realistic = if args.latencies_ms.contains(&REALISTIC_MS) {
        REALISTIC_MS
    } else {
        args.latencies_ms.iter().copied().max().unwrap_or(0)
    };
    let mut met = None;
    for &latency in &args.latencies_ms {
        let find = |who: &str| summaries.iter().find(|s| s.reader == who && s.latency_ms == latency);
        let (Some(o), Some(d)) = (find("ours"), find("dmrtd")) else { continue };
        let apdu_ratio = o.apdus / d.apdus;
        let time_ratio = o.total / d.total;
        let time_ratio_nv = o.total_without_verification / d.total;
        println!(
            "@{latency:>3} ms: ours/dmrtd APDUs {apdu_ratio:.2} ({:.0}/{:.0}), time {time_ratio:.2} ({:.1}/{:.1} ms), \
             time without CA+PA {time_ratio_nv:.2}",
            o.apdus, d.apdus, o.total, d.total
        );
        if latency == realistic {
            met = Some((o.apdus < d.apdus, time_ratio <= 0.5));
        }
    }
    if let Some((fewer, half)) = met {
        println!(
            "targets @{realistic} ms (fewer APDUs than dmrtd and at most half its time): fewer APDUs {}, at most half the time {} => {}",
            yes_no(fewer),
            yes_no(half),
            if fewer && half { "MET" } else { "NOT MET" }
        );
    }
    println!();
    println!("phases: access = EF.CardAccess + PACE (or BAC); data = SOD, DG14, DG1, DG13, DG15 + Active Auth;");
    println!("        photo = DG2; CA = Chip Authentication; PA = passive authentication (SOD signature, hashes);");
    println!("        total = connect .. disconnect; 'no CA+PA' = total minus CA and PA. dmrtd has no Chip Authentication");
    println!("        and the benchmark runs no passive authentication for it (ours verifies as part of its read).");
    println!("max RB Le = largest plain length one READ BINARY asks for (Le, DO'97' under SM);");
    if matches!(dmrtd_access, DmrtdAccess::PaceCan(_)) {
        println!("dmrtd: EF.CardAccess read by short file id through MrtdApi (its SELECT MF gets 6D00 from the chip)");
    }
    for n in &notes {
        println!("{n}");
    }
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn print_table(rows: &[Summary]) {
    println!();
    println!(
        "| reader | latency | APDUs | max RB Le (B) | bytes recv | access ms | data ms | photo ms | CA ms | PA ms | total ms | no CA+PA ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in rows {
        let opt = |reader: &str, v: f64| {
            if reader == "dmrtd" {
                "–".to_string()
            } else {
                format!("{v:.1}")
            }
        };
        println!(
            "| {} | {} ms | {:.0} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} | {:.1} | {:.1} |",
            s.reader,
            s.latency_ms,
            s.apdus,
            s.max_read,
            s.bytes_received,
            s.access,
            s.data,
            s.photo,
            opt(s.reader, s.chip_auth),
            opt(s.reader, s.passive_auth),
            s.total,
            s.total_without_verification
        );
    }
}
