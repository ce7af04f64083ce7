//! The command bodies: first-run set-up, sign-in with lockout, idle lock, clerks, reads, history.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use serde_json::json;
use store::{HistoryQuery, LockoutPolicy, NewAudit, NewClerk, Store};

use crate::dto::{
    AppStatus, ClerkView, CreateClerkArgs, HistoryArgs, HistoryItem, IdentificationView,
    PhotoView, RoleView, SessionView, SetupArgs, SignInArgs, VerificationView,
};
use crate::qr::{QrCheckView, QrCitizenView, QrSource, Scan};
use crate::{password, AppError};

/// Injected time, so idle lock and lockout are testable without waiting.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests move by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(t: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(t))
    }
    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Lock the session after this many idle minutes (0: never).
    pub idle_lock_minutes: u32,
    /// Failed sign-ins in a row that lock an account.
    pub max_failed_logins: u32,
    pub lockout_minutes: u32,
    /// Citizen rows are kept this many days after the last sighting.
    pub retention_days: u32,
    /// Local time zone of the counter (Vietnam: +07:00), for "today" and date ranges.
    pub utc_offset_minutes: i32,
    pub default_purpose: String,
    pub demo: bool,
    pub data_dir: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            idle_lock_minutes: 5,
            max_failed_logins: 5,
            lockout_minutes: 15,
            retention_days: 90,
            utc_offset_minutes: 7 * 60,
            default_purpose: "Xác minh danh tính tại quầy".into(),
            demo: false,
            data_dir: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Session {
    clerk: store::Clerk,
    last_activity: DateTime<Utc>,
    locked: bool,
    purpose: String,
}

pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cfg: Config,
    session: Mutex<Option<Session>>,
    /// Hồ sơ service (attached by [`App::attach_hoso`]) and the citizen of the last
    /// identification, who files the next hồ sơ (see `crate::hoso`).
    pub(crate) hoso: OnceLock<crate::hoso::HoSoState>,
    pub(crate) current: Mutex<Option<crate::hoso::CurrentCitizen>>,
    /// Draft scan sessions and the digitization queue (attached by [`App::attach_digitize`]).
    pub(crate) digitize: OnceLock<crate::digitize::DigitizeState>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

/// A hash to verify against when the username does not exist, so both cases take the same time.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| password::hash("not-a-real-password").unwrap_or_default())
}

fn validate_username(u: &str) -> Result<String, AppError> {
    let u = u.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(u)
    } else {
        Err(AppError::invalid(
            "Tên đăng nhập",
            "dùng 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.",
        ))
    }
}

fn validate_display_name(n: &str) -> Result<String, AppError> {
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() || n.chars().count() > 80 {
        return Err(AppError::invalid("Họ và tên", "nhập họ tên (tối đa 80 ký tự)."));
    }
    Ok(n)
}

fn validate_new_password(p: &str) -> Result<(), AppError> {
    if p.chars().count() < 8 || p.len() > 256 {
        return Err(AppError::invalid("Mật khẩu", "cần ít nhất 8 ký tự."));
    }
    Ok(())
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, cfg: Config) -> Self {
        App {
            store,
            clock,
            cfg,
            session: Mutex::new(None),
            hoso: OnceLock::new(),
            current: Mutex::new(None),
            digitize: OnceLock::new(),
        }
    }

    /// The signed-in, unlocked clerk (id, display name); counts as activity.
    pub(crate) fn clerk_now(&self) -> Result<(String, String), AppError> {
        let s = self.active_session()?;
        Ok((s.clerk.id, s.clerk.display_name))
    }

    /// The injected clock's time.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn session_lock(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn audit(&self, action: &str, result: &str) -> NewAudit {
        let mut a = NewAudit::new(action, result);
        a.at = self.clock.now();
        a
    }

    fn view(&self, s: &Session) -> SessionView {
        SessionView {
            clerk_id: s.clerk.id.clone(),
            username: s.clerk.username.clone(),
            display_name: s.clerk.display_name.clone(),
            role: s.clerk.role.into(),
            locked: s.locked,
            idle_lock_minutes: self.cfg.idle_lock_minutes,
            purpose: s.purpose.clone(),
        }
    }

    /// Applies the idle rule to the current session; returns whether it is now locked.
    fn apply_idle(&self, s: &mut Session) -> bool {
        if !s.locked && self.cfg.idle_lock_minutes > 0 {
            let idle = self.clock.now() - s.last_activity;
            if idle >= Duration::minutes(i64::from(self.cfg.idle_lock_minutes)) {
                s.locked = true;
                let a = self
                    .audit("session_lock", "idle")
                    .clerk(Some(&s.clerk.id));
                // Best effort: a failed audit write must not keep the screen unlocked.
                let _ = self.store.append_audit(a);
            }
        }
        s.locked
    }

    /// The signed-in, unlocked clerk; counts as activity.
    fn active_session(&self) -> Result<Session, AppError> {
        let mut g = self.session_lock();
        let s = g.as_mut().ok_or(AppError::NotSignedIn)?;
        if self.apply_idle(s) {
            return Err(AppError::SessionLocked);
        }
        s.last_activity = self.clock.now();
        Ok(s.clone())
    }

    fn admin_session(&self) -> Result<Session, AppError> {
        let s = self.active_session()?;
        if s.clerk.role != store::Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(s)
    }

    pub fn status(&self) -> Result<AppStatus, AppError> {
        let needs_setup = self.store.count_clerks()? == 0;
        let session = {
            let mut g = self.session_lock();
            g.as_mut().map(|s| {
                self.apply_idle(s);
                self.view(s)
            })
        };
        Ok(AppStatus {
            needs_setup,
            session,
            demo: self.cfg.demo,
            version: env!("CARGO_PKG_VERSION").into(),
            data_dir: self.cfg.data_dir.clone(),
        })
    }

    /// Creates the first administrator and signs them in. Refused once any clerk exists.
    pub fn create_first_admin(&self, args: SetupArgs) -> Result<SessionView, AppError> {
        let username = validate_username(&args.username)?;
        let display_name = validate_display_name(&args.display_name)?;
        validate_new_password(&args.password)?;
        if self.store.count_clerks()? > 0 {
            return Err(AppError::AlreadySetUp);
        }
        let hash = password::hash(&args.password)?;
        let clerk = self.store.create_clerk(
            NewClerk {
                username,
                display_name,
                role: store::Role::Admin,
                password_hash: hash,
            },
            self.audit("create_first_admin", "ok"),
        )?;
        let a = self.audit("sign_in", "ok").clerk(Some(&clerk.id));
        let clerk = self.store.record_login_success(&clerk.id, a)?;
        Ok(self.start_session(clerk))
    }

    fn start_session(&self, clerk: store::Clerk) -> SessionView {
        let s = Session {
            clerk,
            last_activity: self.clock.now(),
            locked: false,
            purpose: self.cfg.default_purpose.clone(),
        };
        let v = self.view(&s);
        *self.session_lock() = Some(s);
        v
    }

    fn policy(&self) -> LockoutPolicy {
        LockoutPolicy {
            max_failures: self.cfg.max_failed_logins,
            lock_for: Duration::minutes(i64::from(self.cfg.lockout_minutes)),
        }
    }

    /// Checks a password for `clerk`, counting failures and locking out. Audited either way.
    fn check_password(&self, clerk: &store::Clerk, pw: &str, action: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        if let Some(until) = clerk.locked_until.filter(|u| *u > now) {
            let _ = password::verify(pw, dummy_hash());
            let a = self
                .audit(action, "locked_out")
                .clerk(Some(&clerk.id))
                .subject(Some(&clerk.username));
            self.store.append_audit(a)?;
            return Err(AppError::AccountLocked {
                until: self.local_time(until),
            });
        }
        if !password::verify(pw, &clerk.password_hash) {
            let a = self
                .audit(action, "wrong_password")
                .clerk(Some(&clerk.id))
                .subject(Some(&clerk.username))
                .detail(json!({}));
            let after = self.store.record_login_failure(&clerk.id, self.policy(), a)?;
            if let Some(until) = after.locked_until.filter(|u| *u > now) {
                return Err(AppError::AccountLocked {
                    until: self.local_time(until),
                });
            }
            return Err(AppError::InvalidCredentials);
        }
        Ok(())
    }

    fn local_time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.offset())
            .format("%H:%M %d/%m/%Y")
            .to_string()
    }

    pub fn sign_in(&self, args: SignInArgs) -> Result<SessionView, AppError> {
        let username = args.username.trim().to_lowercase();
        let Some(clerk) = self.store.clerk_by_username(&username)? else {
            // Same work as a real check, so the answer time does not reveal usernames.
            let _ = password::verify(&args.password, dummy_hash());
            let a = self
                .audit("sign_in", "unknown_user")
                .subject(Some(&username));
            self.store.append_audit(a)?;
            if self.store.count_clerks()? == 0 {
                return Err(AppError::NotSetUp);
            }
            return Err(AppError::InvalidCredentials);
        };
        self.check_password(&clerk, &args.password, "sign_in")?;
        if !clerk.active {
            let a = self
                .audit("sign_in", "inactive")
                .clerk(Some(&clerk.id))
                .subject(Some(&clerk.username));
            self.store.append_audit(a)?;
            return Err(AppError::AccountInactive);
        }
        let a = self
            .audit("sign_in", "ok")
            .clerk(Some(&clerk.id))
            .subject(Some(&clerk.username));
        let clerk = self.store.record_login_success(&clerk.id, a)?;
        Ok(self.start_session(clerk))
    }

    pub fn sign_out(&self) -> Result<(), AppError> {
        let old = self.session_lock().take();
        self.clear_current_citizen();
        if let Some(s) = old {
            let a = self.audit("sign_out", "ok").clerk(Some(&s.clerk.id));
            self.store.append_audit(a)?;
        }
        Ok(())
    }

    /// User activity (key press, click) seen by the UI: postpones the idle lock.
    pub fn touch(&self) -> Result<SessionView, AppError> {
        let s = self.active_session()?;
        Ok(self.view(&s))
    }

    /// Called on a timer: locks an idle session. Returns the session state, if any.
    pub fn check_idle(&self) -> Option<SessionView> {
        let mut g = self.session_lock();
        g.as_mut().map(|s| {
            self.apply_idle(s);
            self.view(s)
        })
    }

    /// Locks at once (the clerk leaves the counter).
    pub fn lock(&self) -> Result<SessionView, AppError> {
        let mut g = self.session_lock();
        let s = g.as_mut().ok_or(AppError::NotSignedIn)?;
        if !s.locked {
            s.locked = true;
            let a = self.audit("session_lock", "manual").clerk(Some(&s.clerk.id));
            self.store.append_audit(a)?;
        }
        Ok(self.view(s))
    }

    /// Unlocks with the signed-in clerk's password. Too many failures sign the clerk out.
    pub fn unlock(&self, password: &str) -> Result<SessionView, AppError> {
        let clerk_id = {
            let g = self.session_lock();
            g.as_ref().ok_or(AppError::NotSignedIn)?.clerk.id.clone()
        };
        let clerk = self
            .store
            .clerk_by_id(&clerk_id)?
            .ok_or(AppError::NotSignedIn)?;
        match self.check_password(&clerk, password, "unlock") {
            Ok(()) => {}
            Err(e @ AppError::AccountLocked { .. }) => {
                *self.session_lock() = None;
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        if !clerk.active {
            *self.session_lock() = None;
            return Err(AppError::AccountInactive);
        }
        let a = self.audit("unlock", "ok").clerk(Some(&clerk.id));
        let clerk = self.store.record_login_success(&clerk.id, a)?;
        let mut g = self.session_lock();
        let s = g.as_mut().ok_or(AppError::NotSignedIn)?;
        s.clerk = clerk;
        s.locked = false;
        s.last_activity = self.clock.now();
        Ok(self.view(s))
    }

    pub fn set_purpose(&self, purpose: &str) -> Result<SessionView, AppError> {
        let p = purpose.split_whitespace().collect::<Vec<_>>().join(" ");
        if p.is_empty() || p.chars().count() > 120 {
            return Err(AppError::invalid("Mục đích", "nhập mục đích (tối đa 120 ký tự)."));
        }
        self.active_session()?;
        let mut g = self.session_lock();
        let s = g.as_mut().ok_or(AppError::NotSignedIn)?;
        s.purpose = p;
        Ok(self.view(s))
    }

    // ------------------------------------------------------------ clerks (admin)

    pub fn list_clerks(&self) -> Result<Vec<ClerkView>, AppError> {
        self.admin_session()?;
        Ok(self.store.list_clerks()?.iter().map(ClerkView::from).collect())
    }

    pub fn create_clerk(&self, args: CreateClerkArgs) -> Result<ClerkView, AppError> {
        let admin = self.admin_session()?;
        let username = validate_username(&args.username)?;
        let display_name = validate_display_name(&args.display_name)?;
        validate_new_password(&args.password)?;
        let hash = password::hash(&args.password)?;
        let role: store::Role = args.role.into();
        let a = self
            .audit("create_clerk", "ok")
            .clerk(Some(&admin.clerk.id))
            .detail(json!({ "role": role.as_str() }));
        let c = self.store.create_clerk(
            NewClerk {
                username,
                display_name,
                role,
                password_hash: hash,
            },
            a,
        )?;
        Ok(ClerkView::from(&c))
    }

    pub fn set_clerk_active(&self, clerk_id: &str, active: bool) -> Result<ClerkView, AppError> {
        let admin = self.admin_session()?;
        if clerk_id == admin.clerk.id && !active {
            return Err(AppError::CannotDeactivateSelf);
        }
        let target = self
            .store
            .clerk_by_id(clerk_id)?
            .ok_or(AppError::ClerkNotFound)?;
        let a = self
            .audit(if active { "activate_clerk" } else { "deactivate_clerk" }, "ok")
            .clerk(Some(&admin.clerk.id))
            .subject(Some(&target.username));
        let c = self.store.set_clerk_active(clerk_id, active, a)?;
        Ok(ClerkView::from(&c))
    }

    // ------------------------------------------------------------ reads and history

    /// Records a successful chip read: citizen, identification, audit row and outbox message in
    /// one transaction. Needs an unlocked session.
    pub fn record_read(
        &self,
        reader_name: &str,
        outcome: &reader::ReadOutcome,
    ) -> Result<IdentificationView, AppError> {
        self.record_read_checked(reader_name, outcome, None)
    }

    /// [`App::record_read`] with the comparison against a QR scanned before the read; the
    /// mismatching fields go into the audit row.
    pub fn record_read_checked(
        &self,
        reader_name: &str,
        outcome: &reader::ReadOutcome,
        qr_check: Option<QrCheckView>,
    ) -> Result<IdentificationView, AppError> {
        let s = self.active_session()?;
        let verification = VerificationView::from(&outcome.verification);
        let access = access_str(outcome.access).to_owned();
        let at = self.clock.now();
        let new = store::NewIdentification {
            clerk_id: s.clerk.id.clone(),
            citizen: store::CitizenSnapshot {
                id_number: outcome.citizen.id_number.clone(),
                full_name: outcome.citizen.full_name.clone(),
                date_of_birth: outcome.citizen.date_of_birth,
                data: serde_json::to_value(&outcome.citizen)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            },
            method: store::Method::Chip,
            access: Some(access.clone()),
            verified: verification.verified,
            verification: serde_json::to_value(&verification)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            purpose: s.purpose.clone(),
            at,
            retain_for: Duration::days(i64::from(self.cfg.retention_days)),
        };
        let audit = self
            .audit(
                "card_read",
                if verification.verified { "verified" } else { "not_verified" },
            )
            .clerk(Some(&s.clerk.id))
            .subject(Some(&outcome.citizen.id_number))
            .purpose(Some(&s.purpose))
            .detail(json!({
                "reader": reader_name,
                "access": access,
                "passive": verification.passive,
                "chip_auth": verification.chip_auth,
                "active_auth": verification.active_auth,
                "apdus": outcome.apdus,
                "ms": outcome.ms,
                "qr_check": qr_check.as_ref().map(|q| json!({
                    "source": q.source.as_str(),
                    "same_id": q.same_id,
                    "mismatches": q.mismatches.iter().map(|m| m.field.as_str()).collect::<Vec<_>>(),
                })),
            }));
        let rec = self.store.record_identification(new, audit)?;
        self.set_current_citizen(&rec.id, ::hoso::Identity {
            source: ::hoso::IdentitySource::Chip,
            verified: verification.verified,
            citizen: outcome.citizen.clone(),
        });
        Ok(IdentificationView {
            id: rec.id,
            at: store::rfc3339(rec.at),
            clerk_name: s.clerk.display_name.clone(),
            purpose: s.purpose,
            reader: reader_name.into(),
            access,
            citizen: (&outcome.citizen).into(),
            mrz: outcome.mrz.clone(),
            photo: outcome.photo.as_ref().and_then(photo_view),
            verification,
            apdus: outcome.apdus,
            read_ms: u32::try_from(outcome.ms).unwrap_or(u32::MAX),
            qr_check,
        })
    }

    /// Today's date in the counter's time zone.
    pub(crate) fn today_date(&self) -> NaiveDate {
        self.clock.now().with_timezone(&self.offset()).date_naive()
    }

    /// Records a scanned QR. Accepted payloads become a `qr` identification (never verified:
    /// the QR is not signed), with its audit row and outbox message in one transaction;
    /// rejected ones are audited with their error codes. Needs an unlocked session.
    pub(crate) fn record_qr(&self, source: QrSource, scan: &Scan) -> Result<QrCitizenView, AppError> {
        let s = self.active_session()?;
        let at = self.clock.now();
        let codes: Vec<&str> = scan.issues.iter().map(|i| i.code.as_str()).collect();
        let subject = Some(scan.citizen.id_number.as_str()).filter(|s| !s.is_empty());
        let detail = json!({
            "source": source.as_str(),
            "design": scan.design,
            "issues": codes,
            "key_hint": scan.hint.is_some(),
        });
        let mut identification_id = None;
        if scan.accepted {
            let verification = json!({
                "verified": false,
                "source": source.as_str(),
                "reasons": ["Thông tin từ mã QR, chưa xác thực bằng chip."],
                "issues": codes,
            });
            let dob = scan
                .citizen
                .date_of_birth
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let new = store::NewIdentification {
                clerk_id: s.clerk.id.clone(),
                citizen: store::CitizenSnapshot {
                    id_number: scan.citizen.id_number.clone(),
                    full_name: scan.citizen.full_name.clone(),
                    date_of_birth: dob,
                    data: serde_json::to_value(&scan.citizen)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                },
                method: store::Method::Qr,
                access: None,
                verified: false,
                verification,
                purpose: s.purpose.clone(),
                at,
                retain_for: Duration::days(i64::from(self.cfg.retention_days)),
            };
            let audit = self
                .audit("qr_scan", "accepted")
                .clerk(Some(&s.clerk.id))
                .subject(subject)
                .purpose(Some(&s.purpose))
                .detail(detail);
            let id = self.store.record_identification(new, audit)?.id;
            if let Some(q) = &scan.identity {
                self.set_current_citizen(&id, ::hoso::Identity::from_qr(q));
            }
            identification_id = Some(id);
        } else {
            let audit = self
                .audit("qr_scan", "rejected")
                .clerk(Some(&s.clerk.id))
                .subject(subject)
                .purpose(Some(&s.purpose))
                .detail(detail);
            self.store.append_audit(audit)?;
        }
        Ok(QrCitizenView {
            source,
            accepted: scan.accepted,
            design: scan.design.clone(),
            citizen: scan.citizen.clone(),
            issues: scan.issues.clone(),
            key_ready: scan.hint.is_some(),
            identification_id,
            at: store::rfc3339(at),
        })
    }

    /// Audits a read that failed (no citizen data). Needs a signed-in clerk if there is one;
    /// failures seen with nobody signed in are audited without a clerk.
    pub fn record_read_failure(&self, reader_name: &str, error: &crate::card::CardError) {
        let clerk = self.session_lock().as_ref().map(|s| (s.clerk.id.clone(), s.purpose.clone()));
        let a = self
            .audit("card_read", "failed")
            .clerk(clerk.as_ref().map(|c| c.0.as_str()))
            .purpose(clerk.as_ref().map(|c| c.1.as_str()))
            .detail(json!({ "reader": reader_name, "code": error.code() }));
        let _ = self.store.append_audit(a);
    }

    fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.cfg.utc_offset_minutes * 60).unwrap_or_else(|| Utc.fix())
    }

    fn local_midnight(&self, d: NaiveDate) -> Option<DateTime<Utc>> {
        let naive = d.and_hms_opt(0, 0, 0)?;
        self.offset()
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Today in the counter's time zone, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.clock
            .now()
            .with_timezone(&self.offset())
            .format("%Y-%m-%d")
            .to_string()
    }

    pub fn history(&self, args: HistoryArgs) -> Result<Vec<HistoryItem>, AppError> {
        self.active_session()?;
        let parse = |s: &Option<String>, field: &str| -> Result<Option<NaiveDate>, AppError> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| AppError::invalid(field, "ngày không hợp lệ (dd/mm/yyyy).")),
            }
        };
        let from = parse(&args.from, "Từ ngày")?;
        let to = parse(&args.to, "Đến ngày")?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::invalid("Khoảng ngày", "ngày bắt đầu sau ngày kết thúc."));
            }
        }
        let q = HistoryQuery {
            from: from.and_then(|d| self.local_midnight(d)),
            to: to
                .and_then(|d| d.succ_opt())
                .and_then(|d| self.local_midnight(d)),
            text: args.text.filter(|t| !t.trim().is_empty()),
            limit: 500,
        };
        Ok(self.store.history(&q)?.iter().map(HistoryItem::from).collect())
    }

    /// The signed-in clerk's role, if unlocked.
    pub fn role(&self) -> Option<RoleView> {
        self.session_lock()
            .as_ref()
            .filter(|s| !s.locked)
            .map(|s| s.clerk.role.into())
    }
}

pub fn access_str(a: reader::AccessMethod) -> &'static str {
    match a {
        reader::AccessMethod::PaceCan => "PACE-CAN",
        reader::AccessMethod::PaceMrz => "PACE-MRZ",
        reader::AccessMethod::Bac => "BAC",
    }
}

fn photo_view(p: &reader::Photo) -> Option<PhotoView> {
    use base64::Engine;
    if p.data.is_empty() {
        return None;
    }
    let mime = if p.format.contains("2000") { "image/jp2" } else { "image/jpeg" };
    Some(PhotoView {
        mime: mime.into(),
        data_url: format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&p.data)
        ),
    })
}
