//! Return-date rules on the embedded calendar (2025–2027 files) and settings
//! (office 07:30–17:00, cut-off 15:00).

use chrono::{NaiveDate, NaiveDateTime};
use procedures::seeds::{embedded_calendar, embedded_settings};
use procedures::{due_at, AgencySettings, Calendar, Pause, ReturnTime};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn setup() -> (Calendar, AgencySettings) {
    (embedded_calendar().unwrap(), embedded_settings().unwrap())
}

fn due(received: NaiveDateTime, days: u32) -> NaiveDateTime {
    let (c, s) = setup();
    due_at(received, days, &c, &s, &[]).unwrap()
}

#[test]
fn monday_plus_three_same_time_or_end_of_day() {
    let (c, mut s) = setup();
    // 2026-03-02 is a Monday.
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[]).unwrap(),
        at(2026, 3, 5, 10, 0)
    );
    s.return_time = ReturnTime::EndOfDay;
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[]).unwrap(),
        at(2026, 3, 5, 17, 0)
    );
}

#[test]
fn weekends_are_skipped() {
    // Friday 10:00 + 1 → Monday 10:00.
    assert_eq!(due(at(2026, 3, 6, 10, 0), 1), at(2026, 3, 9, 10, 0));
    // Thursday + 3 → Tuesday.
    assert_eq!(due(at(2026, 3, 5, 9, 15), 3), at(2026, 3, 10, 9, 15));
    // Received on Saturday → clock starts Monday 07:30; + 1 → Monday 17:00.
    assert_eq!(due(at(2026, 3, 7, 9, 0), 1), at(2026, 3, 9, 17, 0));
}

#[test]
fn outside_office_hours() {
    // After closing Monday → starts Tuesday 07:30; 1 day → Tuesday 17:00.
    assert_eq!(due(at(2026, 3, 2, 18, 0), 1), at(2026, 3, 3, 17, 0));
    // Before opening → starts at 07:30 the same day.
    assert_eq!(due(at(2026, 3, 2, 6, 0), 2), at(2026, 3, 3, 17, 0));
    assert_eq!(due(at(2026, 3, 2, 7, 30), 1), at(2026, 3, 2, 17, 0));
}

#[test]
fn fixed_holidays_30_4_and_1_5() {
    // Wed 29/4/2026 + 1 → 30/4 (Thu), 1/5 (Fri) off, weekend → Mon 4/5.
    assert_eq!(due(at(2026, 4, 29, 10, 0), 1), at(2026, 5, 4, 10, 0));
    // 2/9/2025 (Tue) and 1/9 (Mon) off: Fri 29/8 + 1 → Wed 3/9.
    assert_eq!(due(at(2025, 8, 29, 14, 0), 1), at(2025, 9, 3, 14, 0));
}

#[test]
fn holiday_on_sunday_gives_compensatory_monday() {
    // Giỗ Tổ 26/4/2026 is a Sunday → Monday 27/4 off. Fri 24/4 + 1 → Tue 28/4.
    assert_eq!(due(at(2026, 4, 24, 10, 0), 1), at(2026, 4, 28, 10, 0));
    // Same rule computed for a year without a file: 1/5/2027 is a Saturday → Mon 3/5 off.
    let c = Calendar::rules_only();
    let s = embedded_settings().unwrap();
    assert_eq!(
        due_at(at(2027, 4, 29, 10, 0), 1, &c, &s, &[]).unwrap(),
        at(2027, 5, 4, 10, 0)
    );
}

#[test]
fn tet_spans() {
    // Tết Bính Ngọ: off 14/2–22/2/2026. Fri 13/2 10:00 + 1 → Mon 23/2 10:00.
    assert_eq!(due(at(2026, 2, 13, 10, 0), 1), at(2026, 2, 23, 10, 0));
    // Tết Ất Tỵ: 27/1–31/1/2025 off (27/1 swapped, worked back Sat 15/2).
    assert_eq!(due(at(2025, 1, 24, 10, 0), 1), at(2025, 2, 3, 10, 0));
    // Tết Đinh Mùi 2027 from the rules: 5/2–11/2 off. Thu 4/2 + 1 → Fri 12/2.
    assert_eq!(due(at(2027, 2, 4, 8, 0), 1), at(2027, 2, 12, 8, 0));
}

#[test]
fn swapped_saturday_is_a_working_day() {
    // Fri 2/1/2026 off (swap), Sat 10/1/2026 worked. Fri 9/1 10:00 + 1 → Sat 10/1 10:00.
    assert_eq!(due(at(2026, 1, 9, 10, 0), 1), at(2026, 1, 10, 10, 0));
    // Wed 31/12/2025 + 1 → 1/1 and 2/1 off, weekend → Mon 5/1/2026.
    assert_eq!(due(at(2025, 12, 31, 10, 0), 1), at(2026, 1, 5, 10, 0));
}

#[test]
fn same_day_cut_off_at_15() {
    // Before 15:00 → today at closing.
    assert_eq!(due(at(2026, 3, 2, 14, 59), 0), at(2026, 3, 2, 17, 0));
    // "Sau 15 giờ": 15:00 is still today, 15:01 → next working day at closing.
    assert_eq!(due(at(2026, 3, 2, 15, 0), 0), at(2026, 3, 2, 17, 0));
    assert_eq!(due(at(2026, 3, 2, 15, 1), 0), at(2026, 3, 3, 17, 0));
    // Friday 15:30 → Monday.
    assert_eq!(due(at(2026, 3, 6, 15, 30), 0), at(2026, 3, 9, 17, 0));
    // Day before Tết 2026 (Fri 13/2) after 15:00 → Mon 23/2.
    assert_eq!(due(at(2026, 2, 13, 16, 0), 0), at(2026, 2, 23, 17, 0));
    // The cut-off is a setting.
    let (c, mut s) = setup();
    s.same_day_cutoff = chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap();
    assert_eq!(
        due_at(at(2026, 3, 2, 15, 30), 0, &c, &s, &[]).unwrap(),
        at(2026, 3, 2, 17, 0)
    );
}

#[test]
fn paused_for_supplement() {
    let (c, s) = setup();
    // Mon 2/3 10:00 + 3 days; paused Tue 14:00 → Wed 09:00 = 3h + 1h30 office time.
    let pause = Pause {
        from: at(2026, 3, 3, 14, 0),
        to: at(2026, 3, 4, 9, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[pause]).unwrap(),
        at(2026, 3, 5, 14, 30)
    );
    // A pause over a weekend counts only office time: Fri 16:00 → Mon 08:30 = 1h + 1h.
    let pause = Pause {
        from: at(2026, 3, 6, 16, 0),
        to: at(2026, 3, 9, 8, 30),
    };
    assert_eq!(
        due_at(at(2026, 3, 5, 10, 0), 2, &c, &s, &[pause]).unwrap(),
        at(2026, 3, 9, 12, 0)
    );
    // A pause after the due time changes nothing.
    let late = Pause {
        from: at(2026, 3, 20, 8, 0),
        to: at(2026, 3, 25, 8, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[late]).unwrap(),
        at(2026, 3, 5, 10, 0)
    );
    // Overlapping pauses are merged, not counted twice.
    let a = Pause {
        from: at(2026, 3, 3, 8, 0),
        to: at(2026, 3, 3, 12, 0),
    };
    let b = Pause {
        from: at(2026, 3, 3, 10, 0),
        to: at(2026, 3, 3, 13, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[a, b]).unwrap(),
        at(2026, 3, 5, 15, 0)
    );
    // Same-day procedure paused until the next day: due the day the supplement arrives.
    let p = Pause {
        from: at(2026, 3, 2, 9, 0),
        to: at(2026, 3, 3, 10, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 8, 0), 0, &c, &s, &[p]).unwrap(),
        at(2026, 3, 3, 17, 0)
    );
    // … after the cut-off → the day after.
    let p = Pause {
        from: at(2026, 3, 2, 9, 0),
        to: at(2026, 3, 3, 15, 30),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 8, 0), 0, &c, &s, &[p]).unwrap(),
        at(2026, 3, 4, 17, 0)
    );
    // An empty pause changes nothing.
    let empty = Pause {
        from: at(2026, 3, 2, 10, 0),
        to: at(2026, 3, 2, 10, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[empty]).unwrap(),
        at(2026, 3, 5, 10, 0)
    );
    // A pause outside office hours changes nothing either.
    let night = Pause {
        from: at(2026, 3, 2, 18, 0),
        to: at(2026, 3, 3, 7, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 10, 0), 3, &c, &s, &[night]).unwrap(),
        at(2026, 3, 5, 10, 0)
    );
    // Inverted pause is an error.
    let bad = Pause {
        from: at(2026, 3, 3, 9, 0),
        to: at(2026, 3, 2, 9, 0),
    };
    assert_eq!(
        due_at(at(2026, 3, 2, 8, 0), 1, &c, &s, &[bad])
            .unwrap_err()
            .code(),
        "invalid_pause"
    );
}

#[test]
fn out_of_range_is_an_error_not_a_panic() {
    let (c, s) = setup();
    assert_eq!(
        due_at(at(2199, 12, 31, 10, 0), 5, &c, &s, &[])
            .unwrap_err()
            .code(),
        "year_out_of_range"
    );
    assert_eq!(
        due_at(at(1800, 1, 1, 10, 0), 1, &c, &s, &[])
            .unwrap_err()
            .code(),
        "year_out_of_range"
    );
}

#[test]
fn long_procedures_count_only_working_days() {
    // 10 working days from Mon 2/3/2026 10:00 → Mon 16/3 10:00 (two weekends).
    assert_eq!(due(at(2026, 3, 2, 10, 0), 10), at(2026, 3, 16, 10, 0));
}

#[test]
fn computed_2027_file_matches_the_rules() {
    // seeds/calendar/2027.toml was generated from the rules; if either drifts, this fails.
    let file = embedded_calendar().unwrap();
    let from_file = file.year(2027).unwrap();
    let rules = procedures::YearCalendar::from_rules(2027).unwrap();
    assert_eq!(
        from_file.days_off.keys().collect::<Vec<_>>(),
        rules.days_off.keys().collect::<Vec<_>>()
    );
}

#[test]
fn sweep_due_is_a_working_day_within_office_hours() {
    // Over three years, at several times of day: the due instant is on a working day, within
    // office hours, after the receipt, and never earlier for a later receipt (same N).
    let (c, s) = setup();
    let ns = [0u32, 1, 3, 7, 15];
    let mut last = [at(2000, 1, 1, 0, 0); 5];
    let mut day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2027, 12, 20).unwrap();
    while day < end {
        for (h, m) in [(6, 0), (9, 45), (15, 0), (16, 30), (20, 0)] {
            let r = day.and_hms_opt(h, m, 0).unwrap();
            for (i, n) in ns.iter().enumerate() {
                let d = due_at(r, *n, &c, &s, &[]).unwrap();
                assert!(
                    c.is_working_day(d.date()).unwrap(),
                    "{r} + {n} → {d} is a day off"
                );
                assert!(
                    d.time() >= s.office_open && d.time() <= s.office_close,
                    "{r} + {n} → {d}"
                );
                assert!(d > r, "{r} + {n} → {d}");
                assert!(d >= last[i], "{r} + {n} → {d} earlier than {}", last[i]);
                last[i] = d;
            }
        }
        day = day.succ_opt().unwrap();
    }
}
