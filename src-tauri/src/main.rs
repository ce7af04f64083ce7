// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let opts = match motcua_desk::Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("motcua-desk: {e}\nCách dùng: motcua-desk [--data-dir THƯ_MỤC] [--demo-fake] [--idle-lock-minutes N]");
            std::process::exit(2);
        }
    };
    if let Err(e) = motcua_desk::run(opts) {
        eprintln!("motcua-desk: {e}");
        std::process::exit(1);
    }
}
