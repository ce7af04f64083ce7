//! The app's [`CardService`] on the real PC/SC stack, plus the simulated reader of demo mode.
//!
//! A monitor thread turns PC/SC events into [`CardEvent`]s; each read runs on its own thread
//! and reports progress, the outcome or a typed failure as events. In demo mode the software
//! card (`card-sim`) is plugged into pcscd's virtual reader, so the demo goes through exactly the
//! same path as a real card.

use crate::{read_in_reader, ServiceError};
use app_core::card::{AccessKey as AppKey, CardError, CardEvent, CardService, KeyHint, ReaderInfo};
use reader::{AccessKey, ReadError, ReadOptions};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use transport_pcsc::{Monitor, MonitorHandle, PcscContext, PcscError, ReaderEvent};

/// Prefix of the virtual readers of vsmartcard's vpcd driver (the simulator's readers).
pub const VIRTUAL_READER_PREFIX: &str = "Virtual PCD";

fn is_virtual(name: &str) -> bool {
    name.starts_with(VIRTUAL_READER_PREFIX)
}

#[derive(Default)]
struct State {
    readers: BTreeMap<String, ReaderInfo>,
    subscribers: Vec<Sender<CardEvent>>,
    /// Keys known for the card now on a reader (from a QR scan, or the demo card's CAN).
    hints: HashMap<String, Vec<AccessKey>>,
    /// Keys from the last scanned QR code, for the next card on any reader (tried first).
    qr_hint: Vec<AccessKey>,
}

struct Inner {
    state: Mutex<State>,
    busy: AtomicBool,
    trust: lds::TrustStore,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn emit(&self, ev: CardEvent) {
        self.lock().subscribers.retain(|s| s.send(ev.clone()).is_ok());
    }
}

/// PC/SC-backed card service. Cheap to clone; the monitor stops when the last clone is dropped.
#[derive(Clone)]
pub struct PcscCardService {
    inner: Arc<Inner>,
    _monitor: Arc<MonitorGuard>,
}

struct MonitorGuard(Mutex<Option<MonitorHandle>>);

impl Drop for MonitorGuard {
    fn drop(&mut self) {
        if let Some(h) = self.0.lock().unwrap_or_else(PoisonError::into_inner).take() {
            h.stop();
        }
    }
}

impl PcscCardService {
    /// Starts watching the readers. `trust` holds the CSCA certificates for passive
    /// authentication.
    pub fn start(trust: lds::TrustStore) -> Self {
        let inner = Arc::new(Inner { state: Mutex::new(State::default()), busy: AtomicBool::new(false), trust });
        let weak = Arc::downgrade(&inner);
        let handle = Monitor::new().spawn(move |ev| {
            if let Some(inner) = weak.upgrade() {
                on_reader_event(&inner, ev);
            }
        });
        PcscCardService { inner, _monitor: Arc::new(MonitorGuard(Mutex::new(Some(handle)))) }
    }

    /// Keys to try for the card on `reader` when the clerk gives none (cleared when the card
    /// leaves). The QR code and the demo card supply them.
    pub fn set_key_hint(&self, reader: &str, keys: Vec<AccessKey>) {
        self.inner.lock().hints.insert(reader.to_owned(), keys);
    }

    /// Whether any real (non-virtual) reader is attached.
    pub fn has_hardware_reader(&self) -> bool {
        self.inner.lock().readers.keys().any(|n| !is_virtual(n))
    }
}

fn on_reader_event(inner: &Inner, ev: ReaderEvent) {
    let out = {
        let mut st = inner.lock();
        match ev {
            ReaderEvent::ReaderAdded { reader } => {
                let info = ReaderInfo { name: reader.clone(), card_present: false, simulated: is_virtual(&reader) };
                st.readers.insert(reader, info.clone());
                Some(CardEvent::ReaderAdded { reader: info })
            }
            ReaderEvent::ReaderRemoved { reader } => {
                st.readers.remove(&reader);
                st.hints.remove(&reader);
                Some(CardEvent::ReaderRemoved { reader })
            }
            ReaderEvent::CardInserted { reader, .. } => {
                let info = st.readers.entry(reader.clone()).or_insert_with(|| ReaderInfo {
                    name: reader.clone(),
                    card_present: false,
                    simulated: is_virtual(&reader),
                });
                info.card_present = true;
                Some(CardEvent::CardPresent { reader })
            }
            ReaderEvent::CardRemoved { reader } => {
                if let Some(info) = st.readers.get_mut(&reader) {
                    info.card_present = false;
                }
                if !is_virtual(&reader) {
                    st.hints.remove(&reader);
                }
                Some(CardEvent::CardAbsent { reader })
            }
            ReaderEvent::ServiceLost => {
                let gone: Vec<String> = st.readers.keys().cloned().collect();
                st.readers.clear();
                drop(st);
                for reader in gone {
                    inner.emit(CardEvent::ReaderRemoved { reader });
                }
                None
            }
            ReaderEvent::ServiceRestored => None,
        }
    };
    if let Some(ev) = out {
        inner.emit(ev);
    }
}

/// The app's typed error for a failed service call.
pub fn card_error(e: &ServiceError) -> CardError {
    match e {
        ServiceError::Pcsc(p) => match p {
            PcscError::NoService | PcscError::NoReaders => CardError::NoReader,
            PcscError::ReaderNotFound(_) | PcscError::ReaderUnavailable => CardError::ReaderGone,
            PcscError::NoCard => CardError::NoCard,
            PcscError::CardRemoved => CardError::CardRemoved,
            other => CardError::Communication(other.to_string()),
        },
        ServiceError::Read(r) => match r {
            ReadError::Transport(iso7816::TransportError::CardRemoved) => CardError::CardRemoved,
            ReadError::Transport(iso7816::TransportError::ReaderUnavailable) => CardError::ReaderGone,
            ReadError::WrongAccessKey => CardError::AccessDenied,
            ReadError::NotVietnameseCard => CardError::Unsupported(r.to_string()),
            other => CardError::Communication(format!("{}: {other}", other.code())),
        },
        ServiceError::Key(_) => CardError::CanRequired,
    }
}

impl CardService for PcscCardService {
    fn readers(&self) -> Vec<ReaderInfo> {
        let st = self.inner.lock();
        if !st.readers.is_empty() {
            return st.readers.values().cloned().collect();
        }
        drop(st);
        // Before the monitor's first report: ask PC/SC directly.
        PcscContext::establish()
            .and_then(|mut c| c.readers())
            .unwrap_or_default()
            .into_iter()
            .map(|name| ReaderInfo { simulated: is_virtual(&name), name, card_present: false })
            .collect()
    }

    fn subscribe(&self) -> Receiver<CardEvent> {
        let (tx, rx) = channel();
        self.inner.lock().subscribers.push(tx);
        rx
    }

    fn read(&self, reader: &str, key: AppKey) -> Result<(), CardError> {
        let keys = match key {
            AppKey::Can(can) => vec![AccessKey::Can(can)],
            AppKey::Auto => {
                let st = self.inner.lock();
                let mut keys = st.qr_hint.clone();
                for k in st.hints.get(reader).into_iter().flatten() {
                    if !keys.iter().any(|x| same_key(x, k)) {
                        keys.push(k.clone());
                    }
                }
                if keys.is_empty() {
                    return Err(CardError::CanRequired);
                }
                keys
            }
        };
        if self.inner.busy.swap(true, Ordering::SeqCst) {
            return Err(CardError::Busy);
        }
        let inner = Arc::clone(&self.inner);
        let reader = reader.to_owned();
        let spawned = std::thread::Builder::new().name("card-read".into()).spawn(move || {
            let result = PcscContext::establish().map_err(ServiceError::from).and_then(|mut ctx| {
                let opts = ReadOptions::full(&inner.trust, crate::today());
                let mut on_phase = |phase| inner.emit(CardEvent::Progress { reader: reader.clone(), phase });
                read_in_reader(&mut ctx, &reader, &keys, &opts, &mut on_phase)
            });
            inner.busy.store(false, Ordering::SeqCst);
            match result {
                Ok(outcome) => inner.emit(CardEvent::Outcome { reader, outcome: Box::new(outcome) }),
                Err(e) => inner.emit(CardEvent::Failed { reader, error: card_error(&e) }),
            }
        });
        if spawned.is_err() {
            self.inner.busy.store(false, Ordering::SeqCst);
            return Err(CardError::Communication("cannot start the read thread".into()));
        }
        Ok(())
    }

    fn set_key_hint(&self, hint: Option<KeyHint>) {
        self.inner.lock().qr_hint = qr_keys(hint.as_ref());
    }
}

fn same_key(a: &AccessKey, b: &AccessKey) -> bool {
    match (a, b) {
        (AccessKey::Can(x), AccessKey::Can(y)) => x == y,
        (
            AccessKey::Mrz { document_number: d1, date_of_birth: b1, date_of_expiry: e1 },
            AccessKey::Mrz { document_number: d2, date_of_birth: b2, date_of_expiry: e2 },
        ) => d1 == d2 && b1 == b2 && e1 == e2,
        _ => false,
    }
}

/// The reader's keys for a QR key hint: the CAN, then the MRZ candidates.
pub fn qr_keys(hint: Option<&KeyHint>) -> Vec<AccessKey> {
    let Some(h) = hint else { return Vec::new() };
    let mut keys = vec![AccessKey::Can(h.can.clone())];
    keys.extend(h.mrz.iter().map(|m| AccessKey::Mrz {
        document_number: m.document_number.clone(),
        date_of_birth: m.date_of_birth.clone(),
        date_of_expiry: m.date_of_expiry.clone(),
    }));
    keys
}

/// The simulated reader of demo mode: puts generated test cards (never real people) on pcscd's
/// virtual reader, through the same PC/SC path a real card takes.
pub struct Simulator {
    pki: card_sim::SimPki,
    current: Mutex<Option<card_sim::VpcdHandle<card_sim::Card>>>,
}

/// A demo card the clerk can "place" on the simulated reader.
#[derive(Debug, Clone)]
pub struct DemoCard {
    pub label: String,
    pub profile: card_sim::CardProfile,
    pub faults: card_sim::CardFaults,
}

impl Simulator {
    /// The pcscd reader the simulator's cards are placed on (vpcd's first slot).
    pub const READER: &'static str = card_sim::testing::VPCD_READER;

    /// A simulator whose cards are signed by a test CSCA made from `seed`.
    pub fn new(seed: &str) -> Self {
        Simulator { pki: card_sim::SimPki::generate(seed), current: Mutex::new(None) }
    }

    /// The test CSCA certificate (DER), to trust in demo mode.
    pub fn csca_der(&self) -> &[u8] {
        &self.pki.csca.der
    }

    /// The demo cards: good ones, and one for each failure the clerk should recognise.
    pub fn demo_cards() -> Vec<DemoCard> {
        use card_sim::{CardFaults, CardProfile};
        let good = |label: &str, seed| DemoCard { label: label.into(), profile: CardProfile::generate(seed), faults: CardFaults::default() };
        vec![
            good("Thẻ mẫu 1 (hợp lệ)", 1001),
            good("Thẻ mẫu 2 (hợp lệ)", 1002),
            good("Thẻ mẫu 3 (hợp lệ, địa chỉ dài)", 1003),
            DemoCard {
                label: "Thẻ mẫu 4 (dữ liệu bị sửa)".into(),
                profile: CardProfile::generate(1004),
                faults: CardFaults { tampered_dg: Some(13), ..CardFaults::default() },
            },
            DemoCard {
                label: "Thẻ mẫu 5 (chip sao chép)".into(),
                profile: CardProfile::generate(1005),
                faults: CardFaults { cloned_chip_key: true, ..CardFaults::default() },
            },
        ]
    }

    /// Places `card` on the virtual reader (removing any card there); returns the CAN printed
    /// on it, which the service uses as the key hint.
    pub fn insert(&self, card: &DemoCard) -> Result<String, CardError> {
        if self.remove() {
            // Let pcscd see the reader empty before the next card, or it may never report the
            // swap (and nothing reads the new card).
            let _ = Monitor::new().wait_for_removal(Some(Self::READER), Some(std::time::Duration::from_secs(3)));
        }
        let built = card
            .profile
            .build_with(&self.pki, card.faults)
            .map_err(|e| CardError::Communication(e.to_string()))?;
        let handle = card_sim::spawn_vpcd(built, card_sim::VpcdOptions::default());
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        Ok(card.profile.can.clone())
    }

    /// Takes the card off the virtual reader; false when there was none.
    pub fn remove(&self) -> bool {
        match self.current.lock().unwrap_or_else(PoisonError::into_inner).take() {
            Some(h) => {
                h.stop();
                true
            }
            None => false,
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}
