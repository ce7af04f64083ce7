//! The card reading service on PC/SC: the one place where a reader, a card and the protocol
//! core meet. It waits for a card, connects, opens an exclusive transaction, tries the access
//! keys at hand in order (a wrong key resets the card before the next), and returns the verified
//! read. The CLI (`motcua card`) and the app use it; the I/O itself is in `transport-pcsc`.

mod app_service;
mod keys;

pub use app_service::{card_error, qr_keys, DemoCard, PcscCardService, Simulator, VIRTUAL_READER_PREFIX};

pub use keys::{access_keys, KeyError, KeyInput};

use iso7816::Capabilities;
use reader::{read_card, AccessKey, ReadError, ReadOptions, ReadOutcome, ReadPhase};
use std::time::Duration;
use transport_pcsc::{Monitor, PcscContext, PcscError};

/// Why a service call failed; each variant reaches the UI as a code and a Vietnamese message.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Pcsc(#[from] PcscError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl ServiceError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Pcsc(e) => e.code(),
            ServiceError::Read(e) => e.code(),
            ServiceError::Key(e) => e.code(),
        }
    }

    /// Vietnamese message with what to do next.
    pub fn message_vi(&self) -> &'static str {
        match self {
            ServiceError::Pcsc(e) => e.message_vi(),
            ServiceError::Read(e) => e.message_vi(),
            ServiceError::Key(e) => e.message_vi(),
        }
    }
}

/// Capabilities to announce for a freshly connected card: extended length unless the ATR says
/// the card cannot. Whether the whole path carries it is learnt by the session's first (clear)
/// read, where a refusal costs nothing.
fn capabilities_for(atr_extended: Option<bool>) -> Capabilities {
    if atr_extended == Some(false) {
        Capabilities::default()
    } else {
        Capabilities { extended_length: true, max_command_len: 65_544, max_response_len: 65_538 }
    }
}

/// Waits up to `wait` for a card in a reader whose name contains `filter` (any reader when
/// `None`); a card already present counts. Returns the reader's name.
pub fn wait_for_card(filter: Option<&str>, wait: Duration) -> Result<String, ServiceError> {
    let mut monitor = Monitor::new();
    match monitor.wait_for_card(filter, Some(wait)) {
        Ok((reader, _atr)) => Ok(reader),
        Err(PcscError::Timeout) => Err(ServiceError::Pcsc(PcscError::NoCard)),
        Err(e) => Err(e.into()),
    }
}

/// Waits up to `wait` until the card leaves the reader.
pub fn wait_for_removal(reader: &str, wait: Option<Duration>) -> Result<(), ServiceError> {
    let mut monitor = Monitor::new();
    monitor.wait_for_removal(Some(reader), wait)?;
    Ok(())
}

/// Reads the card in `reader` with the first of `keys` that opens it.
pub fn read_in_reader(
    ctx: &mut PcscContext,
    reader: &str,
    keys: &[AccessKey],
    opts: &ReadOptions<'_>,
    on_phase: &mut dyn FnMut(ReadPhase),
) -> Result<ReadOutcome, ServiceError> {
    if keys.is_empty() {
        return Err(KeyError::Missing.into());
    }
    on_phase(ReadPhase::Connect);
    let mut card = ctx.connect(reader)?;
    card.set_capabilities(capabilities_for(card.atr_info().and_then(|a| a.extended_length)));
    let mut rng = reader::system_rng()?;
    let mut last = None;
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            // A failed access attempt leaves the chip in an undefined state: start cold.
            card.reset().map_err(ReadError::Transport)?;
        }
        let mut tx = card.transaction().map_err(ReadError::Transport)?;
        match read_card(&mut tx, key, opts, &mut rng, on_phase) {
            Ok(outcome) => return Ok(outcome),
            Err(e @ ReadError::WrongAccessKey) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last.unwrap_or(ReadError::WrongAccessKey).into())
}

/// Names of the attached hardware readers (pcscd's virtual readers excluded); empty when the
/// PC/SC service is not running.
pub fn hardware_readers() -> Vec<String> {
    PcscContext::establish()
        .and_then(|mut c| c.readers())
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.starts_with(VIRTUAL_READER_PREFIX))
        .collect()
}

/// Today's date on this machine (for certificate validity).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Loads the CSCA trust store from `dir`; warnings name the files that were skipped.
pub fn load_trust(dir: Option<&std::path::Path>) -> (lds::TrustStore, Vec<String>) {
    match dir {
        None => (lds::TrustStore::new(), Vec::new()),
        Some(d) => match lds::TrustStore::load_dir(d) {
            Ok((t, warnings)) => (t, warnings.into_iter().map(|w| format!("{w:?}")).collect()),
            Err(e) => (lds::TrustStore::new(), vec![format!("{}: {e}", d.display())]),
        },
    }
}
