//! [`HoSoService`]: records hồ sơ over the store and the seeds.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use procedures::catalog::DocForm;
use procedures::{due_at, AgencyCode, Pause, Procedure, SeedSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{
    Applicant, ComponentForm, ComponentRow, HoSoEvent, HoSoQuery, HoSoRepository, HoSoRow,
    HoSoStatus, NewAudit, NewComponent, NewHoSo, StatusChange, StoredPause,
};

use crate::error::{HoSoError, Result};
use crate::forms::{
    autofill, convert_address, valid_email, valid_phone, validate, AutofillContext, FieldError,
    FilledForm, FormSet,
};
use crate::identity::Identity;
use crate::status;

/// Vietnam has no daylight saving: local time is UTC+7 all year.
const UTC_OFFSET_HOURS: i64 = 7;

/// Local (UTC+7) wall time → UTC instant.
pub fn local_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(t - Duration::hours(UTC_OFFSET_HOURS)))
}

/// UTC instant → local (UTC+7) wall time.
pub fn utc_to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + Duration::hours(UTC_OFFSET_HOURS)
}

/// `YYYY-MM-DD HH:MM`, local: the CLI's time format.
pub fn fmt_local(t: DateTime<Utc>) -> String {
    utc_to_local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// Parses `YYYY-MM-DD HH:MM` (or with `T`) as local time.
pub fn parse_local(s: &str) -> Result<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .map_err(|_| HoSoError::InvalidInput {
            field: "thời điểm".into(),
            detail: format!("\"{s}\" — dùng dạng YYYY-MM-DD HH:MM"),
        })
}

/// A component as the clerk ticks it on the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentInput {
    pub name: String,
    pub form: ComponentForm,
    pub count: u32,
    pub received: bool,
}

/// What the clerk submits to record a hồ sơ.
#[derive(Debug, Clone)]
pub struct NewHoSoRequest {
    pub procedure_code: String,
    pub identity: Identity,
    /// Local receipt time; `None` = now.
    pub received_at: Option<NaiveDateTime>,
    /// The checklist; `None` = the catalog's components, the optional ones not received.
    pub components: Option<Vec<ComponentInput>>,
    /// Values typed by the clerk, by field id (override auto-fill).
    pub form_values: BTreeMap<String, String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub representative: Option<String>,
    /// The two-level address chosen by the clerk when the ward was split.
    pub address_converted: Option<String>,
    pub sets: u32,
    pub clerk_id: Option<String>,
    pub note: Option<String>,
    /// Refuse the hồ sơ while the form has invalid fields (otherwise they are reported).
    pub strict_form: bool,
}

impl NewHoSoRequest {
    /// A request with the catalog checklist and nothing typed.
    pub fn new(procedure_code: &str, identity: Identity) -> Self {
        NewHoSoRequest {
            procedure_code: procedure_code.to_owned(),
            identity,
            received_at: None,
            components: None,
            form_values: BTreeMap::new(),
            phone: None,
            email: None,
            representative: None,
            address_converted: None,
            sets: 1,
            clerk_id: None,
            note: None,
            strict_form: false,
        }
    }
}

/// A closed pause, local times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseView {
    pub from: String,
    pub to: String,
}

/// One line of the Phiếu kiểm soát.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub clerk_id: Option<String>,
    pub from: Option<HoSoStatus>,
    pub to: HoSoStatus,
    pub note: Option<String>,
    pub due_at_after: Option<String>,
}

/// A hồ sơ as shown (and printed by the CLI as JSON). Times are local `YYYY-MM-DD HH:MM`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoSoView {
    pub id: String,
    pub ma_ho_so: String,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status: HoSoStatus,
    pub status_label_vi: String,
    pub received_at: String,
    pub received_date: NaiveDate,
    /// Promised return time. While waiting for bổ sung the last computed value is kept and
    /// `paused` is true; it is recomputed when the supplement arrives.
    pub due_at: Option<String>,
    pub working_days: u32,
    pub paused: bool,
    pub paused_since: Option<String>,
    pub pauses: Vec<PauseView>,
    pub result_at: Option<String>,
    pub returned_at: Option<String>,
    pub register_year: i32,
    pub register_number: u32,
    pub sets: u32,
    pub applicant: Applicant,
    pub identity_method: store::Method,
    pub identity_verified: bool,
    pub clerk_id: Option<String>,
    pub components: Vec<ComponentRow>,
    pub form_values: serde_json::Value,
    pub tracking_url: String,
    /// Trail (only from `get`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventView>,
    /// Form fields still invalid at intake (only from `create`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form_issues: Vec<FieldError>,
}

/// A component as printed on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptComponent {
    pub name: String,
    pub form: ComponentForm,
    /// "Bản chính" / "Bản sao" / "Xuất trình".
    pub form_vi: String,
    pub count: u32,
}

/// Everything the Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub agency_name: String,
    pub agency_code: String,
    pub agency_address: String,
    /// "Số: …" of the receipt: the register number and year, e.g. "0012/2026".
    pub so: String,
    pub ma_ho_so: String,
    pub applicant_name: String,
    pub id_number: Option<String>,
    /// The current two-level address when known, else the card's wording.
    pub address: Option<String>,
    pub address_printed: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub representative: Option<String>,
    /// The request: the procedure's name.
    pub request: String,
    pub procedure_code: String,
    /// Received components only.
    pub components: Vec<ReceiptComponent>,
    pub sets: u32,
    pub working_days: u32,
    /// "05 ngày làm việc" or "Trong ngày".
    pub time_allowed_vi: String,
    /// Local `YYYY-MM-DD HH:MM`.
    pub received_at: String,
    /// "10 giờ 30 phút, ngày 02/03/2026".
    pub received_at_vi: String,
    pub due_at: Option<String>,
    pub due_at_vi: Option<String>,
    pub return_place: String,
    pub register_number: u32,
    pub register_year: i32,
    pub tracking_url: String,
    pub fee_vnd: Option<u64>,
    pub clerk_id: Option<String>,
}

/// Hồ sơ service. Tauri-free; the app and the CLI share it.
pub struct HoSoService {
    store: Arc<dyn HoSoRepository>,
    seeds: SeedSet,
    forms: FormSet,
    /// How long a hồ sơ is kept (placeholder: 10 years; the archive rules per record type apply).
    pub retain_for: Duration,
}

fn time_vi(t: NaiveDateTime) -> String {
    t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string()
}

fn form_vi(f: ComponentForm) -> &'static str {
    match f {
        ComponentForm::Original => "Bản chính",
        ComponentForm::Copy => "Bản sao",
        ComponentForm::Present => "Xuất trình",
    }
}

fn catalog_form(f: DocForm) -> ComponentForm {
    match f {
        DocForm::Original => ComponentForm::Original,
        DocForm::Copy | DocForm::CertifiedCopy | DocForm::OriginalOrCopy => ComponentForm::Copy,
        DocForm::Present => ComponentForm::Present,
    }
}

impl HoSoService {
    pub fn new(store: Arc<dyn HoSoRepository>, seeds: SeedSet, forms: FormSet) -> Self {
        HoSoService {
            store,
            seeds,
            forms,
            retain_for: Duration::days(3653),
        }
    }

    pub fn seeds(&self) -> &SeedSet {
        &self.seeds
    }

    pub fn forms(&self) -> &FormSet {
        &self.forms
    }

    fn agency(&self) -> Result<AgencyCode> {
        Ok(AgencyCode::parse(&self.seeds.settings.agency_code)?)
    }

    fn procedure(&self, code: &str) -> Result<&Procedure> {
        Ok(self.seeds.catalog.get(code)?)
    }

    /// The intake form of a procedure, auto-filled (before the hồ sơ exists).
    pub fn prefill(
        &self,
        procedure_code: &str,
        identity: Option<&Identity>,
        phone: Option<&str>,
        email: Option<&str>,
        intake_date: NaiveDate,
    ) -> Result<FilledForm> {
        let p = self.procedure(procedure_code)?;
        let t = self.forms.get(&p.form_template)?;
        Ok(autofill(
            t,
            &AutofillContext {
                identity,
                phone,
                email,
                agency_name: &self.seeds.settings.name,
                intake_date,
                admin_units: &self.seeds.admin_units,
            },
        ))
    }

    /// The catalog's checklist for a procedure.
    pub fn checklist(&self, procedure_code: &str) -> Result<Vec<ComponentInput>> {
        Ok(self
            .procedure(procedure_code)?
            .components
            .iter()
            .map(|c| ComponentInput {
                name: c.name.clone(),
                form: catalog_form(c.form),
                count: u32::from(c.count),
                received: !c.optional,
            })
            .collect())
    }

    /// Return date/time (local) for a procedure received at `received` with `pauses`.
    pub fn due(
        &self,
        working_days: u32,
        received: NaiveDateTime,
        pauses: &[Pause],
    ) -> Result<NaiveDateTime> {
        Ok(due_at(
            received,
            working_days,
            &self.seeds.calendar,
            &self.seeds.settings,
            pauses,
        )?)
    }

    /// Records a hồ sơ: mã hồ sơ of the receipt day, register number, due date, form values
    /// with sources, checklist, intake trail event, audit and outbox — one transaction.
    pub fn create(&self, req: NewHoSoRequest) -> Result<HoSoView> {
        let p = self.procedure(&req.procedure_code)?.clone();
        let template = self.forms.get(&p.form_template)?;
        let phone = req
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let email = req
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(ph) = phone {
            if !valid_phone(ph) {
                return Err(HoSoError::InvalidInput {
                    field: "số điện thoại".into(),
                    detail: format!("\"{ph}\" (ví dụ 0912 345 678)"),
                });
            }
        }
        if let Some(em) = email {
            if !valid_email(em) {
                return Err(HoSoError::InvalidInput {
                    field: "thư điện tử".into(),
                    detail: format!("\"{em}\""),
                });
            }
        }
        if req.sets == 0 || req.sets > 99 {
            return Err(HoSoError::InvalidInput {
                field: "số bộ hồ sơ".into(),
                detail: format!("{} (1–99)", req.sets),
            });
        }
        let received_local = req.received_at.unwrap_or_else(|| utc_to_local(Utc::now()));
        let received_date = received_local.date();
        let due_local = self.due(p.working_days, received_local, &[])?;

        let mut form = autofill(
            template,
            &AutofillContext {
                identity: Some(&req.identity),
                phone,
                email,
                agency_name: &self.seeds.settings.name,
                intake_date: received_date,
                admin_units: &self.seeds.admin_units,
            },
        );
        for (k, v) in &req.form_values {
            form.set_typed(k, v)?;
        }
        let form_issues = validate(template, &form);
        if req.strict_form && !form_issues.is_empty() {
            return Err(HoSoError::FormInvalid(form_issues));
        }

        let printed = req.identity.citizen.residence.clone();
        let converted = match (&req.address_converted, &printed) {
            (Some(c), _) if !c.trim().is_empty() => Some(c.trim().to_owned()),
            (_, Some(pr)) => convert_address(&self.seeds.admin_units, pr).value,
            _ => None,
        };
        let components = match req.components.clone() {
            Some(c) => c,
            None => self.checklist(&p.code)?,
        };
        let new_components = components
            .into_iter()
            .map(|c| {
                let must = p
                    .components
                    .iter()
                    .any(|k| k.name == c.name && k.must_digitize);
                if c.count == 0 || c.name.trim().is_empty() {
                    return Err(HoSoError::InvalidInput {
                        field: "thành phần hồ sơ".into(),
                        detail: format!("\"{}\": cần tên và số lượng ≥ 1", c.name),
                    });
                }
                Ok(NewComponent {
                    name: c.name,
                    form: c.form,
                    count: c.count,
                    received: c.received,
                    must_digitize: must,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let received_at = local_to_utc(received_local);
        let citizen = &req.identity.citizen;
        let new = NewHoSo {
            agency: self.agency()?,
            procedure_code: p.code.clone(),
            procedure_name: p.name.clone(),
            applicant: Applicant {
                full_name: citizen.full_name.trim().to_owned(),
                id_number: Some(citizen.id_number.clone()),
                address_printed: printed,
                address_converted: converted,
                phone: phone.map(str::to_owned),
                email: email.map(str::to_owned),
                representative: req.representative.clone().filter(|r| !r.trim().is_empty()),
            },
            identity_method: req.identity.method(),
            identity_verified: req.identity.verified,
            form_values: form.values_json(),
            working_days: p.working_days,
            received_at,
            received_date,
            due_at: Some(local_to_utc(due_local)),
            sets: req.sets,
            clerk_id: req.clerk_id.clone(),
            retain_until: received_at + self.retain_for,
            components: new_components,
            note: req.note.clone(),
        };
        let audit = NewAudit::new("ho_so.create", "ok")
            .clerk(req.clerk_id.as_deref())
            .purpose(Some(&p.name));
        let row = self.store.create_ho_so(new, audit)?;
        let mut view = self.view(row, vec![]);
        view.form_issues = form_issues;
        Ok(view)
    }

    fn view(&self, r: HoSoRow, events: Vec<HoSoEvent>) -> HoSoView {
        HoSoView {
            tracking_url: self.seeds.settings.tracking_url(&r.ma_ho_so),
            id: r.id,
            ma_ho_so: r.ma_ho_so,
            agency_code: r.agency_code,
            procedure_code: r.procedure_code,
            procedure_name: r.procedure_name,
            status: r.status,
            status_label_vi: status::label_vi(r.status).to_owned(),
            received_at: fmt_local(r.received_at),
            received_date: r.received_date,
            due_at: r.due_at.map(fmt_local),
            working_days: r.working_days,
            paused: r.paused_since.is_some(),
            paused_since: r.paused_since.map(fmt_local),
            pauses: r
                .pauses
                .iter()
                .map(|p| PauseView {
                    from: fmt_local(p.from),
                    to: fmt_local(p.to),
                })
                .collect(),
            result_at: r.result_at.map(fmt_local),
            returned_at: r.returned_at.map(fmt_local),
            register_year: r.register_year,
            register_number: r.register_number,
            sets: r.sets,
            applicant: r.applicant,
            identity_method: r.identity_method,
            identity_verified: r.identity_verified,
            clerk_id: r.clerk_id,
            components: r.components,
            form_values: r.form_values,
            events: events
                .into_iter()
                .map(|e| EventView {
                    at: fmt_local(e.at),
                    clerk_id: e.clerk_id,
                    from: e.from,
                    to: e.to,
                    note: e.note,
                    due_at_after: e.due_at_after.map(fmt_local),
                })
                .collect(),
            form_issues: vec![],
        }
    }

    fn row(&self, ma_ho_so: &str) -> Result<HoSoRow> {
        self.store
            .ho_so_by_code(ma_ho_so)?
            .ok_or_else(|| HoSoError::NotFound(ma_ho_so.trim().to_owned()))
    }

    /// A hồ sơ with its trail.
    pub fn get(&self, ma_ho_so: &str) -> Result<HoSoView> {
        let row = self.row(ma_ho_so)?;
        let events = self.store.ho_so_events(&row.ma_ho_so)?;
        Ok(self.view(row, events))
    }

    /// Search (newest first): mã, số định danh, name words without diacritics, status, dates.
    pub fn list(&self, q: &HoSoQuery) -> Result<Vec<HoSoView>> {
        Ok(self
            .store
            .search_ho_so(q)?
            .into_iter()
            .map(|r| self.view(r, vec![]))
            .collect())
    }

    /// Moves a hồ sơ to `to` at local time `at` (`None` = now), following the allowed graph.
    /// Waiting for bổ sung pauses the clock; when the supplement arrives (→ received) the
    /// pause is closed and the due date recomputed. Reasons are required for bổ sung and
    /// rejection (they go on Mẫu 02 / Mẫu 03).
    pub fn change_status(
        &self,
        ma_ho_so: &str,
        to: HoSoStatus,
        at: Option<NaiveDateTime>,
        clerk_id: Option<&str>,
        note: Option<&str>,
    ) -> Result<HoSoView> {
        let row = self.row(ma_ho_so)?;
        let from = row.status;
        if !status::allowed(from, to) {
            return Err(HoSoError::InvalidTransition {
                from: from.as_str().into(),
                to: to.as_str().into(),
            });
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if matches!(to, HoSoStatus::NeedsSupplement | HoSoStatus::Rejected) && note.is_none() {
            return Err(HoSoError::InvalidInput {
                field: "ghi chú".into(),
                detail: "cần nêu nội dung yêu cầu bổ sung / lý do từ chối".into(),
            });
        }
        let at_local = at.unwrap_or_else(|| utc_to_local(Utc::now()));
        let at_utc = local_to_utc(at_local);
        let last = self
            .store
            .ho_so_events(&row.ma_ho_so)?
            .last()
            .map(|e| e.at)
            .unwrap_or(row.received_at);
        if at_utc < last {
            return Err(HoSoError::InvalidInput {
                field: "thời điểm".into(),
                detail: format!(
                    "{} trước lần cập nhật gần nhất ({})",
                    fmt_local(at_utc),
                    fmt_local(last)
                ),
            });
        }
        let mut change = StatusChange {
            ma_ho_so: row.ma_ho_so.clone(),
            from,
            to,
            at: at_utc,
            clerk_id: clerk_id.map(str::to_owned),
            note: note.map(str::to_owned),
            due_at: row.due_at,
            paused_since: row.paused_since,
            pauses: row.pauses.clone(),
            result_at: row.result_at,
            returned_at: row.returned_at,
        };
        match to {
            HoSoStatus::NeedsSupplement => change.paused_since = Some(at_utc),
            HoSoStatus::Received => {
                if let Some(since) = row.paused_since {
                    change.pauses.push(StoredPause {
                        from: since,
                        to: at_utc,
                    });
                }
                change.paused_since = None;
                let pauses: Vec<Pause> = change
                    .pauses
                    .iter()
                    .map(|p| Pause {
                        from: utc_to_local(p.from),
                        to: utc_to_local(p.to),
                    })
                    .collect();
                let due = self.due(row.working_days, utc_to_local(row.received_at), &pauses)?;
                change.due_at = Some(local_to_utc(due));
            }
            HoSoStatus::Rejected | HoSoStatus::Cancelled => {
                // A pause still open ends with the file.
                if let Some(since) = row.paused_since {
                    change.pauses.push(StoredPause {
                        from: since,
                        to: at_utc,
                    });
                    change.paused_since = None;
                }
            }
            HoSoStatus::ResultReady => change.result_at = Some(at_utc),
            HoSoStatus::Returned => change.returned_at = Some(at_utc),
            HoSoStatus::InProgress => {}
        }
        let audit = NewAudit::new("ho_so.status", "ok")
            .clerk(clerk_id)
            .subject(row.applicant.id_number.as_deref())
            .detail(serde_json::json!({ "note": note }));
        let updated = self.store.change_ho_so_status(change, audit)?;
        let events = self.store.ho_so_events(&updated.ma_ho_so)?;
        Ok(self.view(updated, events))
    }

    /// Everything the receipt (Mẫu 01) prints, for the documents crate.
    pub fn receipt_view(&self, ma_ho_so: &str) -> Result<ReceiptView> {
        let r = self.row(ma_ho_so)?;
        let s = &self.seeds.settings;
        let fee = self
            .seeds
            .catalog
            .get(&r.procedure_code)
            .ok()
            .map(|p| p.fee_vnd);
        let received_local = utc_to_local(r.received_at);
        let due_local = r.due_at.map(utc_to_local);
        Ok(ReceiptView {
            agency_name: s.name.clone(),
            agency_code: r.agency_code.clone(),
            agency_address: s.address.clone(),
            so: format!("{:04}/{}", r.register_number, r.register_year),
            tracking_url: s.tracking_url(&r.ma_ho_so),
            ma_ho_so: r.ma_ho_so,
            applicant_name: r.applicant.full_name.clone(),
            id_number: r.applicant.id_number.clone(),
            address: r
                .applicant
                .address_converted
                .clone()
                .or_else(|| r.applicant.address_printed.clone()),
            address_printed: r.applicant.address_printed.clone(),
            phone: r.applicant.phone.clone(),
            email: r.applicant.email.clone(),
            representative: r.applicant.representative.clone(),
            request: r.procedure_name.clone(),
            procedure_code: r.procedure_code.clone(),
            components: r
                .components
                .iter()
                .filter(|c| c.received)
                .map(|c| ReceiptComponent {
                    name: c.name.clone(),
                    form: c.form,
                    form_vi: form_vi(c.form).to_owned(),
                    count: c.count,
                })
                .collect(),
            sets: r.sets,
            working_days: r.working_days,
            time_allowed_vi: if r.working_days == 0 {
                "Trong ngày".to_owned()
            } else {
                format!("{:02} ngày làm việc", r.working_days)
            },
            received_at: fmt_local(r.received_at),
            received_at_vi: time_vi(received_local),
            due_at: r.due_at.map(fmt_local),
            due_at_vi: due_local.map(time_vi),
            return_place: s.return_place.clone(),
            register_number: r.register_number,
            register_year: r.register_year,
            fee_vnd: fee,
            clerk_id: r.clerk_id,
        })
    }

    /// Rows received between two local days (inclusive), for statistics.
    pub(crate) fn rows_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<HoSoRow>> {
        Ok(self.store.search_ho_so(&HoSoQuery {
            from_date: Some(from),
            to_date: Some(to),
            limit: 100_000,
            ..HoSoQuery::default()
        })?)
    }
}
