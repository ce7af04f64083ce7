//! `standin`: the stand-in provincial receiving server.
//!
//! `standin [--listen 127.0.0.1:8787] [--dir DIR] [--fault 500|503:SECS|slow:MS|drop|400]...
//! [--fail-rate PER_MILLE] [--seed N] [--tls-cert CHAIN.pem --tls-key KEY.pem]`. Prints
//! `{"url": …, "dir": …}` and serves until killed (HTTPS with a PKCS#8 key when `--tls-*`
//! are given: for trying `motcua queue deliver --ca-file` against a private CA).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut listen = "127.0.0.1:8787".to_string();
    let mut dir = PathBuf::from("standin-received");
    let mut faults = Vec::new();
    let mut rate = 0u32;
    let mut seed = 1u64;
    let mut tls_cert: Option<PathBuf> = None;
    let mut tls_key: Option<PathBuf> = None;
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
            "--tls-cert" => tls_cert = Some(PathBuf::from(val())),
            "--tls-key" => tls_key = Some(PathBuf::from(val())),
            _ => {
                eprintln!("usage: standin [--listen ADDR] [--dir DIR] [--fault F]... [--fail-rate PER_MILLE] [--seed N]");
                return ExitCode::from(2);
            }
        }
    }
    let started = match (tls_cert, tls_key) {
        (None, None) => digitize::standin::Standin::start(&listen, &dir),
        (Some(c), Some(k)) => match tls(&c, &k) {
            Ok(cfg) => digitize::standin::Standin::start_tls(&listen, &dir, cfg),
            Err(e) => {
                eprintln!("standin: TLS certificate/key: {e}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("--tls-cert and --tls-key go together");
            return ExitCode::from(2);
        }
    };
    match started {
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

fn tls(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<std::sync::Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| e.to_string())?
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivatePkcs8KeyDer::from_pem_file(key).map_err(|e| e.to_string())?;
    digitize::standin::Standin::tls_config(chain, key.secret_pkcs8_der().to_vec())
        .map_err(|e| e.to_string())
}
