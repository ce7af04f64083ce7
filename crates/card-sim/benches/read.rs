//! In-process timings of the simulated card (no reader): personalization, and a full read
//! (PACE-CAN, every file, CA, AA) with extended and with short APDUs.
//! Run: `cargo bench -p card-sim --bench read`.

use std::time::{Duration, Instant};

use card_sim::{fid, ApduFaults, CardProfile, SimPki};
use icao9303::{AccessKey, Session};
use rand_chacha::rand_core::SeedableRng;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let pki = SimPki::generate("bench");
    let profile = CardProfile::generate(42);
    let n = 15;

    let builds: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let _ = profile.build(&pki).expect("card");
            t.elapsed()
        })
        .collect();
    println!("personalize (CardProfile::build): median {:?}", median(builds));

    let files = [fid::COM, fid::SOD, fid::dg(1), fid::dg(2), fid::dg(13), fid::dg(14), fid::dg(15)];
    for short in [false, true] {
        let mut card = profile.build(&pki).expect("card");
        card.set_faults(ApduFaults { short_apdu_only: short });
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut apdus = 0;
        let runs: Vec<Duration> = (0..n)
            .map(|_| {
                card.reset();
                let t = Instant::now();
                let mut s = Session::open(&mut card, &AccessKey::Can(profile.can.clone()), &mut rng)
                    .expect("PACE");
                let read: Vec<Vec<u8>> = files.iter().map(|f| s.read_file(*f).expect("read")).collect();
                s.chip_authenticate(&read[5], &mut rng).expect("CA");
                s.active_authenticate(&read[6], Some(&read[5]), &mut rng).expect("AA");
                apdus = s.apdu_count();
                t.elapsed()
            })
            .collect();
        println!(
            "full read in process ({}): median {:?}, {apdus} APDUs",
            if short { "short APDUs" } else { "extended APDUs" },
            median(runs)
        );
    }
}
