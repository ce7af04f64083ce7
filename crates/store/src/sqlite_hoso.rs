//! SQLite implementation of [`HoSoRepository`] and of the mã hồ sơ [`SequenceAllocator`].
//!
//! Concurrency: every allocation runs in a `BEGIN IMMEDIATE` transaction (the write lock is
//! taken before anything is read; other connections wait up to the busy timeout), and the
//! counter moves with one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement. A hồ sơ
//! takes its numbers in the same transaction that inserts it, so a failed insert gives its
//! numbers back (no gaps) and two connections, threads or processes never get the same number.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use procedures::{AgencyCode, FileCode, SequenceAllocator};
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::hoso::{parse_form, parse_status};
use crate::sqlite::{insert_audit, like_escape, parse_date};
use crate::{
    new_id, parse_time, rfc3339, text, Applicant, ComponentDocument, ComponentRow, HoSoEvent, HoSoQuery,
    HoSoRepository, HoSoRow, Method, NewAudit, NewHoSo, Result, SqliteStore, StatusChange,
    StoreError, StoredPause,
};

const FORM_VALUES: &str = "ho_so.form_values";

/// The row id of a mã hồ sơ, inside the caller's transaction.
fn ho_so_id(tx: &Transaction<'_>, ma_ho_so: &str) -> Result<String> {
    tx.query_row("SELECT id FROM ho_so WHERE ma_ho_so = ?1", [ma_ho_so.trim()], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Next number of (agency, day), 1..=9999, inside the caller's transaction.
fn bump_file_sequence(tx: &Transaction<'_>, agency: &AgencyCode, day: NaiveDate) -> Result<u16> {
    let last: i64 = tx.query_row(
        "INSERT INTO file_sequences (agency_code, day, last) VALUES (?1, ?2, 1)
         ON CONFLICT (agency_code, day) DO UPDATE SET last = file_sequences.last + 1
         RETURNING last",
        params![agency.as_str(), day_text(day)],
        |r| r.get(0),
    )?;
    match u16::try_from(last) {
        Ok(n) if n <= procedures::file_code::MAX_NUMBER => Ok(n),
        // The transaction is dropped (rolled back), so the counter stays at 9999.
        _ => Err(StoreError::Sequence(procedures::Error::SequenceExhausted {
            agency: agency.to_string(),
            date: day,
        })),
    }
}

fn bump_register(tx: &Transaction<'_>, agency: &AgencyCode, year: i32) -> Result<u32> {
    let last: i64 = tx.query_row(
        "INSERT INTO register_sequences (agency_code, year, last) VALUES (?1, ?2, 1)
         ON CONFLICT (agency_code, year) DO UPDATE SET last = register_sequences.last + 1
         RETURNING last",
        params![agency.as_str(), year],
        |r| r.get(0),
    )?;
    u32::try_from(last).map_err(|_| StoreError::Corrupt(format!("register number {last}")))
}

impl SequenceAllocator for SqliteStore {
    type Error = StoreError;

    /// Takes a number on its own (without recording a hồ sơ). Safe across connections and
    /// processes on one database file.
    fn next_number(&self, agency: &AgencyCode, date: NaiveDate) -> Result<u16> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = bump_file_sequence(&tx, agency, date)?;
        tx.commit()?;
        Ok(n)
    }
}

const HO_SO_COLS: &str = "id, ma_ho_so, agency_code, procedure_code, procedure_name, citizen_id,
    applicant_name, applicant_id_number, address_printed, address_converted, phone, email,
    representative, identity_method, identity_verified, form_values, cipher, status, working_days,
    received_at, received_date, due_at, paused_since, pauses, result_at, returned_at,
    register_year, register_number, sets, clerk_id, retain_until, created_at, updated_at";

struct RawHoSo {
    id: String,
    ma_ho_so: String,
    agency_code: String,
    procedure_code: String,
    procedure_name: String,
    citizen_id: Option<String>,
    applicant: Applicant,
    identity_method: String,
    identity_verified: bool,
    form_values: Vec<u8>,
    cipher: String,
    status: String,
    working_days: u32,
    received_at: String,
    received_date: Option<String>,
    due_at: Option<String>,
    paused_since: Option<String>,
    pauses: String,
    result_at: Option<String>,
    returned_at: Option<String>,
    register_year: i32,
    register_number: u32,
    sets: u32,
    clerk_id: Option<String>,
    retain_until: String,
    created_at: String,
    updated_at: String,
}

fn raw_ho_so(r: &Row<'_>) -> rusqlite::Result<RawHoSo> {
    Ok(RawHoSo {
        id: r.get(0)?,
        ma_ho_so: r.get(1)?,
        agency_code: r.get(2)?,
        procedure_code: r.get(3)?,
        procedure_name: r.get(4)?,
        citizen_id: r.get(5)?,
        applicant: Applicant {
            full_name: r.get(6)?,
            id_number: r.get(7)?,
            address_printed: r.get(8)?,
            address_converted: r.get(9)?,
            phone: r.get(10)?,
            email: r.get(11)?,
            representative: r.get(12)?,
        },
        identity_method: r.get(13)?,
        identity_verified: r.get(14)?,
        form_values: r.get(15)?,
        cipher: r.get(16)?,
        status: r.get(17)?,
        working_days: r.get(18)?,
        received_at: r.get(19)?,
        received_date: r.get(20)?,
        due_at: r.get(21)?,
        paused_since: r.get(22)?,
        pauses: r.get(23)?,
        result_at: r.get(24)?,
        returned_at: r.get(25)?,
        register_year: r.get(26)?,
        register_number: r.get(27)?,
        sets: r.get(28)?,
        clerk_id: r.get(29)?,
        retain_until: r.get(30)?,
        created_at: r.get(31)?,
        updated_at: r.get(32)?,
    })
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_time).transpose()
}

fn components(conn: &rusqlite::Connection, ho_so_id: &str) -> Result<Vec<ComponentRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, position, name, form, count, received, must_digitize, document_id, reused_from
         FROM ho_so_components WHERE ho_so_id = ?1 ORDER BY position",
    )?;
    type Raw = (
        String,
        u32,
        String,
        String,
        u32,
        bool,
        bool,
        Option<String>,
        Option<String>,
    );
    let raws = st
        .query_map([ho_so_id], |r| TryFrom::try_from(r))?
        .collect::<rusqlite::Result<Vec<Raw>>>()?;
    raws.into_iter()
        .map(
            |(
                id,
                position,
                name,
                form,
                count,
                received,
                must_digitize,
                document_id,
                reused_from,
            )| {
                Ok(ComponentRow {
                    id,
                    position,
                    name,
                    form: parse_form(&form)?,
                    count,
                    received,
                    must_digitize,
                    document_id,
                    reused_from,
                })
            },
        )
        .collect()
}

impl SqliteStore {
    /// The common end of a hồ sơ change: audit row (with `detail` merged in), outbox message,
    /// the row as it now is, commit.
    #[allow(clippy::too_many_arguments)]
    fn record_and_commit(
        &self,
        tx: Transaction<'_>,
        id: &str,
        audit: NewAudit,
        detail: serde_json::Value,
        topic: &str,
        payload: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<HoSoRow> {
        let mut audit = audit;
        if let (serde_json::Value::Object(m), serde_json::Value::Object(d)) = (&mut audit.detail, detail) {
            m.extend(d);
        }
        insert_audit(&tx, &audit)?;
        insert_outbox(&tx, topic, payload, &rfc3339(at))?;
        let row = self.ho_so_where(&tx, "id = ?1", id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(row)
    }

    fn finish_ho_so(&self, conn: &rusqlite::Connection, raw: RawHoSo) -> Result<HoSoRow> {
        let components = components(conn, &raw.id)?;
        let pauses: Vec<StoredPause> = serde_json::from_str(&raw.pauses)?;
        Ok(HoSoRow {
            form_values: self.open_column(FORM_VALUES, &raw.cipher, &raw.form_values)?,
            id: raw.id,
            ma_ho_so: raw.ma_ho_so,
            agency_code: raw.agency_code,
            procedure_code: raw.procedure_code,
            procedure_name: raw.procedure_name,
            citizen_id: raw.citizen_id,
            applicant: raw.applicant,
            identity_method: Method::parse(&raw.identity_method)?,
            identity_verified: raw.identity_verified,
            status: parse_status(&raw.status)?,
            working_days: raw.working_days,
            received_at: parse_time(&raw.received_at)?,
            received_date: parse_date(raw.received_date)?
                .ok_or_else(|| StoreError::Corrupt("ho_so.received_date".into()))?,
            due_at: opt_time(raw.due_at)?,
            paused_since: opt_time(raw.paused_since)?,
            pauses,
            result_at: opt_time(raw.result_at)?,
            returned_at: opt_time(raw.returned_at)?,
            register_year: raw.register_year,
            register_number: raw.register_number,
            sets: raw.sets,
            clerk_id: raw.clerk_id,
            retain_until: parse_time(&raw.retain_until)?,
            created_at: parse_time(&raw.created_at)?,
            updated_at: parse_time(&raw.updated_at)?,
            components,
        })
    }

    fn ho_so_where(
        &self,
        conn: &rusqlite::Connection,
        cond: &str,
        arg: &str,
    ) -> Result<Option<HoSoRow>> {
        let raw = conn
            .query_row(
                &format!("SELECT {HO_SO_COLS} FROM ho_so WHERE {cond}"),
                [arg],
                raw_ho_so,
            )
            .optional()?;
        raw.map(|r| self.finish_ho_so(conn, r)).transpose()
    }
}

fn insert_event(tx: &Transaction<'_>, ho_so_id: &str, ev: &HoSoEvent) -> Result<()> {
    tx.execute(
        "INSERT INTO ho_so_events (id, ho_so_id, at, clerk_id, from_status, to_status, note,
                                   due_at_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            ev.id,
            ho_so_id,
            rfc3339(ev.at),
            ev.clerk_id,
            ev.from.map(|s| s.as_str()),
            ev.to.as_str(),
            ev.note,
            ev.due_at_after.map(rfc3339)
        ],
    )?;
    Ok(())
}

fn insert_outbox(
    tx: &Transaction<'_>,
    topic: &str,
    payload: &serde_json::Value,
    at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (id, topic, payload, created_at, delivered_at, attempts)
         VALUES (?1, ?2, ?3, ?4, NULL, 0)",
        params![new_id(), topic, serde_json::to_string(payload)?, at],
    )?;
    Ok(())
}

impl HoSoRepository for SqliteStore {
    fn create_ho_so(&self, new: NewHoSo, audit: NewAudit) -> Result<HoSoRow> {
        let sealed = self.seal_column(FORM_VALUES, &new.form_values)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let number = bump_file_sequence(&tx, &new.agency, new.received_date)?;
        let code = FileCode::new(new.agency.clone(), new.received_date, number)?.to_string();
        let year = new.received_date.year();
        let register = bump_register(&tx, &new.agency, year)?;
        let citizen_id: Option<String> = match &new.applicant.id_number {
            Some(n) => tx
                .query_row("SELECT id FROM citizens WHERE id_number = ?1", [n], |r| {
                    r.get(0)
                })
                .optional()?,
            None => None,
        };
        let id = new_id();
        let now = rfc3339(audit.at);
        let a = &new.applicant;
        tx.execute(
            &format!(
                "INSERT INTO ho_so ({HO_SO_COLS}, search_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, 'received', ?18, ?19, ?20, ?21, NULL, '[]', NULL, NULL, ?22, ?23,
                         ?24, ?25, ?26, ?27, ?27, ?28)"
            ),
            params![
                id,
                code,
                new.agency.as_str(),
                new.procedure_code,
                new.procedure_name,
                citizen_id,
                a.full_name,
                a.id_number,
                a.address_printed,
                a.address_converted,
                a.phone,
                a.email,
                a.representative,
                new.identity_method.as_str(),
                new.identity_verified,
                sealed,
                self.cipher_id(),
                new.working_days,
                rfc3339(new.received_at),
                day_text(new.received_date),
                new.due_at.map(rfc3339),
                year,
                register,
                new.sets,
                new.clerk_id,
                rfc3339(new.retain_until),
                now,
                text::fold(&a.full_name),
            ],
        )?;
        for (i, c) in new.components.iter().enumerate() {
            tx.execute(
                "INSERT INTO ho_so_components (id, ho_so_id, position, name, form, count, received,
                                               must_digitize, document_id, reused_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)",
                params![
                    new_id(),
                    id,
                    i as u32 + 1,
                    c.name,
                    c.form.as_str(),
                    c.count,
                    c.received,
                    c.must_digitize
                ],
            )?;
        }
        insert_event(
            &tx,
            &id,
            &HoSoEvent {
                id: new_id(),
                at: new.received_at,
                clerk_id: new.clerk_id.clone(),
                from: None,
                to: crate::HoSoStatus::Received,
                note: new.note.clone(),
                due_at_after: new.due_at,
            },
        )?;
        let mut audit = audit;
        audit.subject = audit.subject.or_else(|| a.id_number.clone());
        if let serde_json::Value::Object(m) = &mut audit.detail {
            m.insert("ma_ho_so".into(), code.clone().into());
            m.insert("procedure_code".into(), new.procedure_code.clone().into());
        }
        insert_audit(&tx, &audit)?;
        insert_outbox(
            &tx,
            "ho_so.received",
            &serde_json::json!({
                "ho_so_id": id,
                "ma_ho_so": code,
                "procedure_code": new.procedure_code,
                "received_at": rfc3339(new.received_at),
                "due_at": new.due_at.map(rfc3339),
                "clerk_id": new.clerk_id,
            }),
            &now,
        )?;
        let row = self
            .ho_so_where(&tx, "id = ?1", &id)?
            .ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok(row)
    }

    fn ho_so_by_code(&self, ma_ho_so: &str) -> Result<Option<HoSoRow>> {
        let conn = self.conn();
        self.ho_so_where(&conn, "ma_ho_so = ?1", ma_ho_so.trim())
    }

    fn search_ho_so(&self, q: &HoSoQuery) -> Result<Vec<HoSoRow>> {
        let mut sql = format!("SELECT {HO_SO_COLS} FROM ho_so WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = q.status {
            args.push(s.as_str().into());
            sql.push_str(&format!(" AND status = ?{}", args.len()));
        }
        if let Some(p) = &q.procedure_code {
            args.push(p.trim().into());
            sql.push_str(&format!(" AND procedure_code = ?{}", args.len()));
        }
        if let Some(d) = q.from_date {
            args.push(day_text(d));
            sql.push_str(&format!(" AND received_date >= ?{}", args.len()));
        }
        if let Some(d) = q.to_date {
            args.push(day_text(d));
            sql.push_str(&format!(" AND received_date <= ?{}", args.len()));
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if t.chars().all(|c| c.is_ascii_digit()) {
                args.push(format!("{}%", like_escape(t)));
                let n = args.len();
                // Digits: số định danh prefix, or the number part of a mã hồ sơ.
                args.push(format!("%-{}", like_escape(t)));
                sql.push_str(&format!(
                    " AND (applicant_id_number LIKE ?{n} ESCAPE '\\' OR ma_ho_so LIKE ?{} ESCAPE '\\')",
                    n + 1
                ));
            } else if t.contains('-') && !t.contains(' ') {
                args.push(format!("{}%", like_escape(&t.to_uppercase())));
                sql.push_str(&format!(" AND ma_ho_so LIKE ?{} ESCAPE '\\'", args.len()));
            } else {
                for word in text::fold(t).split(' ').filter(|w| !w.is_empty()) {
                    args.push(format!("% {}%", like_escape(word)));
                    sql.push_str(&format!(
                        " AND (' ' || search_name) LIKE ?{} ESCAPE '\\'",
                        args.len()
                    ));
                }
            }
        }
        let limit = if q.limit == 0 {
            500
        } else {
            q.limit.min(100_000)
        };
        sql.push_str(&format!(
            " ORDER BY received_at DESC, id DESC LIMIT {limit}"
        ));
        let conn = self.conn();
        let mut st = conn.prepare(&sql)?;
        let raws = st
            .query_map(rusqlite::params_from_iter(args.iter()), raw_ho_so)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(st);
        raws.into_iter()
            .map(|r| self.finish_ho_so(&conn, r))
            .collect()
    }

    fn ho_so_events(&self, ma_ho_so: &str) -> Result<Vec<HoSoEvent>> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT e.id, e.at, e.clerk_id, e.from_status, e.to_status, e.note, e.due_at_after
             FROM ho_so_events e JOIN ho_so h ON h.id = e.ho_so_id
             WHERE h.ma_ho_so = ?1 ORDER BY e.at, e.id",
        )?;
        type Raw = (
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        );
        let raws = st
            .query_map([ma_ho_so.trim()], |r| TryFrom::try_from(r))?
            .collect::<rusqlite::Result<Vec<Raw>>>()?;
        raws.into_iter()
            .map(|(id, at, clerk_id, from, to, note, due)| {
                Ok(HoSoEvent {
                    id,
                    at: parse_time(&at)?,
                    clerk_id,
                    from: from.as_deref().map(parse_status).transpose()?,
                    to: parse_status(&to)?,
                    note,
                    due_at_after: opt_time(due)?,
                })
            })
            .collect()
    }

    fn change_ho_so_status(&self, change: StatusChange, audit: NewAudit) -> Result<HoSoRow> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = ho_so_id(&tx, &change.ma_ho_so)?;
        let n = tx.execute(
            "UPDATE ho_so SET status = ?3, due_at = ?4, paused_since = ?5, pauses = ?6,
                              result_at = ?7, returned_at = ?8, updated_at = ?9
             WHERE id = ?1 AND status = ?2",
            params![
                id,
                change.from.as_str(),
                change.to.as_str(),
                change.due_at.map(rfc3339),
                change.paused_since.map(rfc3339),
                serde_json::to_string(&change.pauses)?,
                change.result_at.map(rfc3339),
                change.returned_at.map(rfc3339),
                rfc3339(change.at)
            ],
        )?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "{} is no longer {}",
                change.ma_ho_so,
                change.from.as_str()
            )));
        }
        insert_event(
            &tx,
            &id,
            &HoSoEvent {
                id: new_id(),
                at: change.at,
                clerk_id: change.clerk_id.clone(),
                from: Some(change.from),
                to: change.to,
                note: change.note.clone(),
                due_at_after: change.due_at,
            },
        )?;
        let detail = serde_json::json!({
            "ma_ho_so": change.ma_ho_so,
            "from": change.from.as_str(),
            "to": change.to.as_str(),
        });
        let payload = serde_json::json!({
            "ho_so_id": id,
            "ma_ho_so": change.ma_ho_so,
            "from": change.from.as_str(),
            "to": change.to.as_str(),
            "at": rfc3339(change.at),
            "due_at": change.due_at.map(rfc3339),
        });
        self.record_and_commit(tx, &id, audit, detail, "ho_so.status_changed", &payload, change.at)
    }

    fn set_component_document(&self, link: ComponentDocument, audit: NewAudit) -> Result<HoSoRow> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = ho_so_id(&tx, &link.ma_ho_so)?;
        let n = tx.execute(
            "UPDATE ho_so_components
                SET document_id = COALESCE(?3, document_id),
                    reused_from = COALESCE(?4, reused_from)
              WHERE ho_so_id = ?1 AND position = ?2",
            params![id, link.position, link.document_id, link.reused_from],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute(
            "UPDATE ho_so SET updated_at = ?2 WHERE id = ?1",
            params![id, rfc3339(link.at)],
        )?;
        let detail = serde_json::json!({
            "ma_ho_so": link.ma_ho_so,
            "position": link.position,
            "document_id": link.document_id,
            "reused_from": link.reused_from,
        });
        let payload = serde_json::json!({
            "ho_so_id": id,
            "ma_ho_so": link.ma_ho_so,
            "position": link.position,
            "document_id": link.document_id,
            "reused_from": link.reused_from,
            "at": rfc3339(link.at),
        });
        self.record_and_commit(tx, &id, audit, detail, "ho_so.component_digitized", &payload, link.at)
    }
}
