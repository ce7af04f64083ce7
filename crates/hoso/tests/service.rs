//! HoSoService over a real SQLite store: mã hồ sơ, due dates (weekends, holidays, a holiday on
//! a Sunday, the 15:00 cut-off), status graph and trail, bổ sung pause, search, statistics,
//! receipt data.

use cccd::Citizen;
use chrono::{NaiveDate, NaiveDateTime};
use hoso::{
    local_to_utc, parse_local, HoSoQuery, HoSoService, HoSoStatus, Identity, NewHoSoRequest,
};
use procedures::SeedSet;
use std::sync::Arc;
use store::SqliteStore;

fn service() -> HoSoService {
    HoSoService::new(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        SeedSet::embedded().unwrap(),
        hoso::FormSet::embedded().unwrap(),
    )
}

fn identity(name: &str, id_number: &str, residence: &str) -> Identity {
    let card = serde_json::json!({
        "access": "PACE-CAN",
        "citizen": Citizen {
            id_number: id_number.into(),
            full_name: name.into(),
            date_of_birth: NaiveDate::from_ymd_opt(1990, 5, 17),
            gender: Some("Nữ".into()),
            residence: Some(residence.into()),
            ..Citizen::default()
        },
        "verification": {"passive": "ok", "chip_auth": "ok", "active_auth": "not_supported", "reasons": []},
    });
    Identity::from_card_json(&card).unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    parse_local(s).unwrap()
}

const ADDR: &str = "Số 5 ngõ 1, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội";
const SPLIT: &str = "Số 7, Phường Cống Vị, Quận Ba Đình, Thành phố Hà Nội";

fn new(s: &HoSoService, code: &str, received: &str) -> hoso::HoSoView {
    let mut r = NewHoSoRequest::new(code, identity("Nguyễn Thị Thử", "001190012345", ADDR));
    r.received_at = Some(t(received));
    s.create(r).unwrap()
}

#[test]
fn identity_from_card_json() {
    let id = identity("A B", "001190012345", ADDR);
    assert!(id.verified);
    let failed = serde_json::json!({
        "citizen": {"id_number": "001190012345", "full_name": "A B"},
        "verification": {"passive": "ok", "chip_auth": "failed", "active_auth": "ok", "reasons": []},
    });
    assert!(!Identity::from_card_json(&failed).unwrap().verified);
    // The citizen object alone: accepted, not counted as verified.
    let bare = serde_json::json!({"id_number": "001190012345", "full_name": "A B"});
    assert!(!Identity::from_card_json(&bare).unwrap().verified);
    for bad in [
        serde_json::json!([1]),
        serde_json::json!({"id_number": "12345", "full_name": "A"}),
        serde_json::json!({"citizen": {"id_number": "001190012345", "full_name": " "}}),
        serde_json::json!({"citizen": {"full_name": "A"}}),
    ] {
        assert_eq!(
            Identity::from_card_json(&bad).unwrap_err().code(),
            "citizen_input_invalid"
        );
    }
}

#[test]
fn same_day_procedure_and_the_15h_cutoff() {
    let s = service();
    // Chứng thực bản sao: same day. Monday 2026-03-02.
    let a = new(&s, "2.000815", "2026-03-02 14:59");
    assert_eq!(a.ma_ho_so, "000.00.19.H12-260302-0001");
    assert_eq!(a.received_at, "2026-03-02 14:59");
    assert_eq!(a.due_at.as_deref(), Some("2026-03-02 17:00"));
    let b = new(&s, "2.000815", "2026-03-02 15:01");
    assert_eq!(b.ma_ho_so, "000.00.19.H12-260302-0002");
    assert_eq!(b.due_at.as_deref(), Some("2026-03-03 17:00"));
    // Friday after 15:00 → Monday.
    let c = new(&s, "2.000815", "2026-03-06 15:30");
    assert_eq!(c.due_at.as_deref(), Some("2026-03-09 17:00"));
}

#[test]
fn working_days_skip_weekends_holidays_and_a_sunday_holiday() {
    let s = service();
    // Xác nhận tình trạng hôn nhân, 3 working days: Thursday 10:00 → next Tuesday 10:00.
    let a = new(&s, "1.004873", "2026-03-05 10:00");
    assert_eq!(a.due_at.as_deref(), Some("2026-03-10 10:00"));
    // Wednesday 29/4/2026: 30/4 and 1/5 off, then the weekend → Wednesday 6/5.
    let b = new(&s, "1.004873", "2026-04-29 10:00");
    assert_eq!(b.due_at.as_deref(), Some("2026-05-06 10:00"));
    // Xóa thường trú, 1 working day. 2028 has no calendar file: rules only. 30/4/2028 is a
    // Sunday → compensatory day off Tuesday 2/5 (1/5 is Monday).
    let c = new(&s, "1.003197", "2028-04-28 10:00");
    assert_eq!(c.due_at.as_deref(), Some("2028-05-03 10:00"));
    // Received on a Saturday: the clock starts Monday 07:30.
    let d = new(&s, "1.003197", "2026-03-07 09:00");
    assert_eq!(d.due_at.as_deref(), Some("2026-03-09 17:00"));
}

#[test]
fn sequence_restarts_across_midnight() {
    let s = service();
    let a = new(&s, "2.000815", "2026-03-02 23:59");
    let b = new(&s, "2.000815", "2026-03-02 23:59");
    let c = new(&s, "2.000815", "2026-03-03 00:00");
    assert_eq!(a.ma_ho_so, "000.00.19.H12-260302-0001");
    assert_eq!(b.ma_ho_so, "000.00.19.H12-260302-0002");
    assert_eq!(c.ma_ho_so, "000.00.19.H12-260303-0001");
    // Register number (số theo dõi) continues over the year.
    assert_eq!(
        (a.register_number, b.register_number, c.register_number),
        (1, 2, 3)
    );
}

#[test]
fn status_graph_trail_and_supplement_pause() {
    let s = service();
    // Thường trú, 7 working days, Monday 2026-03-02 10:00 → Wednesday 11/3 10:00.
    let h = new(&s, "1.004222", "2026-03-02 10:00");
    assert_eq!(h.due_at.as_deref(), Some("2026-03-11 10:00"));
    let ma = h.ma_ho_so.clone();

    // Not allowed: received → returned.
    let e = s
        .change_status(
            &ma,
            HoSoStatus::Returned,
            Some(t("2026-03-02 11:00")),
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "ho_so_invalid_transition");
    assert!(e.message_vi().contains("Đã trả kết quả"));
    // Bổ sung needs a note.
    let e = s
        .change_status(
            &ma,
            HoSoStatus::NeedsSupplement,
            Some(t("2026-03-03 10:00")),
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");

    // Waiting from Tuesday 10:00 to Thursday 10:00: two working days of pause.
    let p = s
        .change_status(
            &ma,
            HoSoStatus::NeedsSupplement,
            Some(t("2026-03-03 10:00")),
            Some("clerk-1"),
            Some("Thiếu giấy tờ chứng minh chỗ ở hợp pháp"),
        )
        .unwrap();
    assert!(p.paused);
    let r = s
        .change_status(
            &ma,
            HoSoStatus::Received,
            Some(t("2026-03-05 10:00")),
            None,
            Some("Đã bổ sung"),
        )
        .unwrap();
    assert!(!r.paused);
    assert_eq!(r.pauses.len(), 1);
    assert_eq!(r.due_at.as_deref(), Some("2026-03-13 10:00"));
    // Time cannot run backwards in the trail.
    let e = s
        .change_status(
            &ma,
            HoSoStatus::InProgress,
            Some(t("2026-03-04 10:00")),
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    s.change_status(
        &ma,
        HoSoStatus::InProgress,
        Some(t("2026-03-05 11:00")),
        None,
        None,
    )
    .unwrap();
    s.change_status(
        &ma,
        HoSoStatus::ResultReady,
        Some(t("2026-03-12 16:00")),
        None,
        None,
    )
    .unwrap();
    let done = s
        .change_status(
            &ma,
            HoSoStatus::Returned,
            Some(t("2026-03-13 08:00")),
            None,
            None,
        )
        .unwrap();
    assert_eq!(done.status, HoSoStatus::Returned);
    assert_eq!(done.result_at.as_deref(), Some("2026-03-12 16:00"));
    let trail: Vec<(Option<HoSoStatus>, HoSoStatus)> =
        done.events.iter().map(|e| (e.from, e.to)).collect();
    use HoSoStatus::*;
    assert_eq!(
        trail,
        vec![
            (None, Received),
            (Some(Received), NeedsSupplement),
            (Some(NeedsSupplement), Received),
            (Some(Received), InProgress),
            (Some(InProgress), ResultReady),
            (Some(ResultReady), Returned),
        ]
    );
    assert_eq!(done.events[1].clerk_id.as_deref(), Some("clerk-1"));
    assert_eq!(
        done.events[2].due_at_after.as_deref(),
        Some("2026-03-13 10:00")
    );
    // Final.
    assert_eq!(
        s.change_status(&ma, HoSoStatus::Cancelled, None, None, None)
            .unwrap_err()
            .code(),
        "ho_so_invalid_transition"
    );
    assert_eq!(
        s.get("000.00.19.H12-260302-0099").unwrap_err().code(),
        "ho_so_not_found"
    );
}

#[test]
fn search_is_diacritic_insensitive() {
    let s = service();
    let mut r = NewHoSoRequest::new("2.000815", identity("Đặng Văn Được", "001090000001", ADDR));
    r.received_at = Some(t("2026-03-02 09:00"));
    let a = s.create(r).unwrap();
    let mut r = NewHoSoRequest::new("1.004873", identity("Lê Thị Hồng", "001190000002", SPLIT));
    r.received_at = Some(t("2026-03-03 09:00"));
    let b = s.create(r).unwrap();
    // The split ward is not converted silently.
    assert_eq!(b.applicant.address_converted, None);
    assert!(b.form_issues.iter().any(|e| e.code == "needs_choice"));
    let find = |q: HoSoQuery| -> Vec<String> {
        s.list(&q)
            .unwrap()
            .into_iter()
            .map(|v| v.ma_ho_so)
            .collect()
    };
    let text = |t: &str| HoSoQuery {
        text: Some(t.into()),
        ..HoSoQuery::default()
    };
    assert_eq!(find(text("dang van duoc")), vec![a.ma_ho_so.clone()]);
    assert_eq!(find(text("HONG")), vec![b.ma_ho_so.clone()]);
    assert_eq!(find(text("0011900")), vec![b.ma_ho_so.clone()]);
    assert_eq!(find(text(&a.ma_ho_so)), vec![a.ma_ho_so.clone()]);
    assert_eq!(
        find(HoSoQuery {
            from_date: NaiveDate::from_ymd_opt(2026, 3, 3),
            ..HoSoQuery::default()
        }),
        vec![b.ma_ho_so.clone()]
    );
    assert_eq!(
        find(HoSoQuery {
            status: Some(HoSoStatus::Received),
            ..HoSoQuery::default()
        })
        .len(),
        2
    );
}

#[test]
fn statistics_and_csv() {
    let s = service();
    let on_time = new(&s, "2.000815", "2026-03-02 09:00");
    let late = new(&s, "2.000815", "2026-03-02 09:30");
    let _overdue = new(&s, "1.004873", "2026-03-03 09:00");
    let rejected = new(&s, "1.004873", "2026-03-04 09:00");
    let _april = new(&s, "1.004873", "2026-04-01 09:00");
    let mut qr = NewHoSoRequest::new("1.004873", {
        let mut i = identity("Trần Văn QR", "001090000003", ADDR);
        i.source = hoso::IdentitySource::Qr;
        i.verified = false;
        i
    });
    qr.received_at = Some(t("2026-03-20 09:00"));
    s.create(qr).unwrap();
    for (h, at) in [(&on_time, "2026-03-02 16:00"), (&late, "2026-03-03 08:00")] {
        s.change_status(
            &h.ma_ho_so,
            HoSoStatus::InProgress,
            Some(t("2026-03-02 10:00")),
            None,
            None,
        )
        .unwrap();
        s.change_status(
            &h.ma_ho_so,
            HoSoStatus::ResultReady,
            Some(t(at)),
            None,
            None,
        )
        .unwrap();
    }
    s.change_status(
        &rejected.ma_ho_so,
        HoSoStatus::Rejected,
        Some(t("2026-03-04 10:00")),
        None,
        Some("Không thuộc thẩm quyền"),
    )
    .unwrap();
    let (from, to) = hoso::month_range("2026-03").unwrap();
    assert_eq!(to, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    let now = local_to_utc(t("2026-03-24 12:00"));
    let st = s.stats(from, to, now).unwrap();
    let tot = &st.total;
    assert_eq!(tot.period, "2026-03");
    assert_eq!(tot.received, 5);
    assert_eq!((tot.on_time, tot.late, tot.overdue_open), (1, 1, 1));
    // The QR one: received Friday 20/3 + 3 working days → Wednesday 25/3 09:00, still open.
    assert_eq!(tot.open, 1);
    assert_eq!(tot.rejected_or_cancelled, 1);
    assert_eq!(tot.chip_verified, 4);
    assert_eq!(tot.components_digitized, 0);
    assert!(tot.components >= 5);
    assert_eq!(st.by_procedure.len(), 2);
    assert_eq!(st.by_day.len(), 4);
    let csv = st.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("period,procedure_code,procedure_name,received,on_time,late"));
    assert_eq!(lines.len(), 1 + 2 + 1 + 4);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2026-03,,,5,1,1,1,1,1,4,")),
        "{csv}"
    );
    // Names with commas are quoted.
    assert!(lines
        .iter()
        .any(|l| l.contains("\"Chứng thực bản sao từ bản chính giấy tờ, văn bản")));
    assert_eq!(
        hoso::month_range("2026-13").unwrap_err().code(),
        "invalid_input"
    );
}

#[test]
fn receipt_view_has_what_the_receipt_prints() {
    let s = service();
    let mut r = NewHoSoRequest::new("1.004873", identity("Nguyễn Thị Thử", "001190012345", ADDR));
    r.received_at = Some(t("2026-03-02 10:30"));
    r.phone = Some("0912 345 678".into());
    r.email = Some("thu@example.vn".into());
    r.representative = Some("Nguyễn Văn Đại Diện".into());
    r.sets = 2;
    let h = s.create(r).unwrap();
    let v = s.receipt_view(&h.ma_ho_so).unwrap();
    assert_eq!(v.ma_ho_so, h.ma_ho_so);
    assert_eq!(v.so, "0001/2026");
    assert_eq!(v.agency_code, "000.00.19.H12");
    assert_eq!(v.request, h.procedure_name);
    assert_eq!(v.phone.as_deref(), Some("0912 345 678"));
    assert_eq!(v.representative.as_deref(), Some("Nguyễn Văn Đại Diện"));
    assert_eq!(v.sets, 2);
    assert_eq!(v.time_allowed_vi, "03 ngày làm việc");
    assert_eq!(v.received_at_vi, "10 giờ 30 phút, ngày 02/03/2026");
    assert_eq!(v.due_at.as_deref(), Some("2026-03-05 10:30"));
    assert!(v.tracking_url.contains(&h.ma_ho_so));
    assert!(!v.components.is_empty());
    assert!(v.address.as_deref().unwrap().ends_with("Thành phố Hà Nội"));
    assert!(!v.address.as_deref().unwrap().contains("Quận"));
    // Bad contact data is refused before anything is recorded.
    let mut r = NewHoSoRequest::new("1.004873", identity("A B", "001190012345", ADDR));
    r.phone = Some("12ab".into());
    assert_eq!(s.create(r).unwrap_err().code(), "invalid_input");
    let mut r = NewHoSoRequest::new("9.999999", identity("A B", "001190012345", ADDR));
    r.strict_form = true;
    assert_eq!(s.create(r).unwrap_err().code(), "unknown_procedure");
    let mut r = NewHoSoRequest::new("1.004873", identity("A B", "001190012345", ADDR));
    r.strict_form = true;
    assert_eq!(s.create(r).unwrap_err().code(), "form_invalid");
    assert_eq!(s.list(&HoSoQuery::default()).unwrap().len(), 1);
}
