//! `standin`: the stand-in provincial receiving server.
//!
//! `standin [--listen 127.0.0.1:8787] [--dir DIR] [--fault 500|503:SECS|slow:MS|drop|400]...
//! [--fail-rate PER_MILLE] [--seed N]`. Prints `{"url": …, "dir": …}` and serves until killed.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut listen = "127.0.0.1:8787".to_string();
    let mut dir = PathBuf::from("standin-received");
    let mut faults = Vec::new();
    let mut rate = 0u32;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_default();
        match a.as_str() {
            "--listen" => listen = val(),
            "--dir" => dir = PathBuf::from(val()),
            "--fault" => match digitize::standin::Fault::parse(&val()) {
                Some(f) => faults.push(f),
                None => {
                    eprintln!("--fault: 500 | 503:SECS | slow:MS | drop | 400");
                    return ExitCode::from(2);
                }
            },
            "--fail-rate" => rate = val().parse().unwrap_or(0),
            "--seed" => seed = val().parse().unwrap_or(1),
            _ => {
                eprintln!("usage: standin [--listen ADDR] [--dir DIR] [--fault F]... [--fail-rate PER_MILLE] [--seed N]");
                return ExitCode::from(2);
            }
        }
    }
    match digitize::standin::Standin::start(&listen, &dir) {
        Ok(s) => {
            s.push_faults(&faults);
            s.set_fail_rate(rate, seed);
            println!("{}", serde_json::json!({"url": s.url(), "dir": dir}));
            s.wait();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("standin: cannot listen on {listen}: {e}");
            ExitCode::FAILURE
        }
    }
}
