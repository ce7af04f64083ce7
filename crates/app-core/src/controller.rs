//! Turns [`CardEvent`]s into UI events: reads a card as soon as it is put down (when a clerk is
//! signed in and unlocked), records every outcome and audits every failure.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::card::{AccessKey, CardError, CardEvent, CardService};
use crate::dto::{CardUiEvent, ReadCardArgs, ReaderView};
use crate::qr::{QrCitizenView, QrSource, SubmitQrArgs};
use crate::{App, AppError};

pub struct CardController {
    app: Arc<App>,
    service: Arc<dyn CardService>,
    qr: Mutex<QrState>,
}

#[derive(Default)]
struct QrState {
    /// The last accepted QR, waiting for the chip read to compare with.
    pending: Option<(QrSource, qr_payload::QrIdentity)>,
    /// A reader whose card could not be opened without a key (CAN required / wrong key).
    awaiting_key: Option<String>,
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

impl CardController {
    pub fn new(app: Arc<App>, service: Arc<dyn CardService>) -> Self {
        CardController {
            app,
            service,
            qr: Mutex::new(QrState::default()),
        }
    }

    fn qr_lock(&self) -> MutexGuard<'_, QrState> {
        self.qr.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A QR payload from any source (camera, wedge, serial): parsed, validated, audited, and its
    /// chip keys handed to the card service at once, so the card reads without typing a CAN.
    /// A card already waiting for its key is read again right away.
    pub fn submit_qr(&self, args: SubmitQrArgs) -> Result<QrCitizenView, AppError> {
        let scan = crate::qr::scan(&args.payload, self.app.today_date());
        let view = self.app.record_qr(args.source, &scan)?;
        self.service.set_key_hint(scan.hint.clone());
        let retry = {
            let mut st = self.qr_lock();
            st.pending = scan.identity.map(|q| (args.source, q));
            if scan.hint.is_some() {
                st.awaiting_key.take()
            } else {
                None
            }
        };
        if let Some(reader) = retry {
            let present = self
                .service
                .readers()
                .iter()
                .any(|r| r.name == reader && r.card_present);
            if present {
                // Failures arrive as events; a busy reader will read with the hint next time.
                let _ = self.service.read(&reader, AccessKey::Auto);
            }
        }
        Ok(view)
    }

    /// Forgets the scanned QR and its key (the clerk clears the screen).
    pub fn clear_qr(&self) {
        *self.qr_lock() = QrState::default();
        self.service.set_key_hint(None);
    }

    pub fn service(&self) -> &Arc<dyn CardService> {
        &self.service
    }

    pub fn readers(&self) -> Vec<ReaderView> {
        self.service.readers().iter().map(ReaderView::from).collect()
    }

    fn reader_name(&self, wanted: Option<&str>) -> Result<String, AppError> {
        let readers = self.service.readers();
        match wanted.filter(|w| !w.is_empty()) {
            Some(w) => readers
                .iter()
                .find(|r| r.name == w)
                .map(|r| r.name.clone())
                .ok_or(AppError::Card(CardError::NoReader)),
            None => readers
                .iter()
                .find(|r| r.card_present)
                .or(readers.first())
                .map(|r| r.name.clone())
                .ok_or(AppError::Card(CardError::NoReader)),
        }
    }

    /// Starts a read requested by the clerk (e.g. after typing the CAN).
    pub fn read(&self, args: ReadCardArgs) -> Result<(), AppError> {
        self.app.touch()?;
        let key = match args.can.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => AccessKey::can(c)?,
            None => AccessKey::Auto,
        };
        let reader = self.reader_name(args.reader.as_deref())?;
        match self.service.read(&reader, key) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.app.record_read_failure(&reader, &e);
                Err(e.into())
            }
        }
    }

    fn failed(reader: String, e: &AppError) -> CardUiEvent {
        CardUiEvent::Failed {
            reader,
            code: e.code().into(),
            message: e.message_vi(),
        }
    }

    /// One service event in, the UI events it causes out.
    pub fn handle(&self, ev: CardEvent) -> Vec<CardUiEvent> {
        match ev {
            CardEvent::ReaderAdded { reader } => vec![CardUiEvent::ReaderAdded {
                reader: (&reader).into(),
            }],
            CardEvent::ReaderRemoved { reader } => vec![CardUiEvent::ReaderRemoved { reader }],
            CardEvent::CardAbsent { reader } => {
                let mut st = self.qr_lock();
                if st.awaiting_key.as_deref() == Some(reader.as_str()) {
                    st.awaiting_key = None;
                }
                vec![CardUiEvent::CardAbsent { reader }]
            }
            CardEvent::Progress { reader, phase } => vec![CardUiEvent::Progress {
                reader,
                phase: phase.into(),
            }],
            CardEvent::CardPresent { reader } => {
                let mut out = vec![CardUiEvent::CardPresent {
                    reader: reader.clone(),
                }];
                if self.app.role().is_some() {
                    match self.service.read(&reader, AccessKey::Auto) {
                        Ok(()) => {}
                        Err(CardError::CanRequired) => {
                            self.qr_lock().awaiting_key = Some(reader.clone());
                            out.push(CardUiEvent::CanRequired { reader })
                        }
                        Err(e) => {
                            self.app.record_read_failure(&reader, &e);
                            out.push(Self::failed(reader, &AppError::Card(e)));
                        }
                    }
                }
                out
            }
            CardEvent::Outcome { reader, outcome } => {
                let received_at_ms = epoch_ms();
                let pending = {
                    let mut st = self.qr_lock();
                    st.awaiting_key = None;
                    st.pending.take()
                };
                let check = pending
                    .as_ref()
                    .map(|(source, q)| crate::qr::compare(q, &outcome.citizen, *source));
                if pending.is_some() {
                    // The QR's key has served; the next citizen starts fresh.
                    self.service.set_key_hint(None);
                }
                match self.app.record_read_checked(&reader, &outcome, check) {
                    Ok(identification) => vec![CardUiEvent::Identified {
                        identification: Box::new(identification),
                        received_at_ms,
                    }],
                    Err(e) => vec![Self::failed(reader, &e)],
                }
            }
            CardEvent::Failed { reader, error } => {
                if error == CardError::CanRequired {
                    self.qr_lock().awaiting_key = Some(reader.clone());
                    return vec![CardUiEvent::CanRequired { reader }];
                }
                if error == CardError::AccessDenied {
                    self.qr_lock().awaiting_key = Some(reader.clone());
                }
                self.app.record_read_failure(&reader, &error);
                vec![Self::failed(reader, &AppError::Card(error))]
            }
        }
    }
}
