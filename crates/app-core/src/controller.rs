//! Turns [`CardEvent`]s into UI events: reads a card as soon as it is put down (when a clerk is
//! signed in and unlocked), records every outcome and audits every failure.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::card::{AccessKey, CardError, CardEvent, CardService};
use crate::dto::{CardUiEvent, ReadCardArgs, ReaderView};
use crate::{App, AppError};

pub struct CardController {
    app: Arc<App>,
    service: Arc<dyn CardService>,
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

impl CardController {
    pub fn new(app: Arc<App>, service: Arc<dyn CardService>) -> Self {
        CardController { app, service }
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
            CardEvent::CardAbsent { reader } => vec![CardUiEvent::CardAbsent { reader }],
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
                match self.app.record_read(&reader, &outcome) {
                    Ok(identification) => vec![CardUiEvent::Identified {
                        identification: Box::new(identification),
                        received_at_ms,
                    }],
                    Err(e) => vec![Self::failed(reader, &e)],
                }
            }
            CardEvent::Failed { reader, error } => {
                if error == CardError::CanRequired {
                    return vec![CardUiEvent::CanRequired { reader }];
                }
                self.app.record_read_failure(&reader, &error);
                vec![Self::failed(reader, &AppError::Card(error))]
            }
        }
    }
}
