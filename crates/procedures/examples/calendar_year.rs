//! Prints a draft `seeds/calendar/YYYY.toml` computed from the rules (no government swaps):
//! `cargo run -p procedures --example calendar_year -- 2027`. Review it against the
//! government's notice before shipping; set `status` accordingly.

use procedures::YearCalendar;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(year) = std::env::args().nth(1).and_then(|a| a.parse::<i32>().ok()) else {
        eprintln!("usage: calendar_year YEAR");
        return ExitCode::FAILURE;
    };
    let y = match YearCalendar::from_rules(year) {
        Ok(y) => y,
        Err(e) => {
            eprintln!("{}", e.message_vi());
            return ExitCode::FAILURE;
        }
    };
    println!("# Computed from the rules (Bộ luật Lao động 2019, Điều 112; âm lịch UTC+7).");
    println!(
        "# No government decision was applied: Tết days, the 2/9 companion and swaps are defaults."
    );
    println!("version = \"{year}.0-computed\"");
    println!("year = {year}");
    println!("status = \"computed\"");
    println!("sources = [");
    for s in &y.sources {
        println!("  \"{s}\",");
    }
    println!("]\n\ndays_off = [");
    for (d, r) in &y.days_off {
        println!("  {{ date = \"{d}\", reason = \"{r}\" }},");
    }
    println!("]\n\nworking_days = []");
    ExitCode::SUCCESS
}
