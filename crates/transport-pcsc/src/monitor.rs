use std::collections::VecDeque;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pcsc::{Context, ReaderState, Scope, State, PNP_NOTIFICATION};

use crate::error::PcscError;

/// Longest single blocking wait; bounds how late a cancellation that raced the wait is noticed.
const WAIT_SLICE: Duration = Duration::from_millis(500);
/// Pause between attempts to reach a stopped PC/SC service.
const SERVICE_RETRY: Duration = Duration::from_millis(300);

/// Something that happened to the readers or cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// A reader is connected (reported for every reader present when monitoring starts).
    ReaderAdded { reader: String },
    /// A reader was unplugged (or the service lost it).
    ReaderRemoved { reader: String },
    /// A card is in the reader (reported for cards already present when monitoring starts).
    CardInserted { reader: String, atr: Vec<u8> },
    /// The card left the reader.
    CardRemoved { reader: String },
    /// The PC/SC service is not running (or stopped); the monitor keeps retrying.
    ServiceLost,
    /// The PC/SC service is reachable again (readers follow as `ReaderAdded`).
    ServiceRestored,
}

#[derive(Default)]
struct Shared {
    cancelled: AtomicBool,
    ctx: Mutex<Option<Context>>,
}

/// Cancels a [`Monitor`]'s wait from any thread. Cheap to clone.
#[derive(Clone)]
pub struct Canceller(Arc<Shared>);

impl Canceller {
    /// Makes the monitor's current and future waits return (iterator: `None`; `next_event`:
    /// `Err(PcscError::Cancelled)`).
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let ctx = self.0.ctx.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(ctx) = ctx {
            let _ = ctx.cancel();
        }
    }

    /// Whether [`Canceller::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }
}

struct Tracked {
    name: String,
    present: bool,
    events: u32,
}

/// Watches readers and cards with `SCardGetStatusChange`, including the PnP pseudo-reader for
/// hot-plug. Survives a stopped or restarted service (reports `ServiceLost` / `ServiceRestored`
/// and re-establishes its context).
///
/// Use it as a blocking [`Iterator`] of [`ReaderEvent`]s (ends when cancelled), through
/// [`Monitor::next_event`] with a timeout, or on a background thread with [`Monitor::spawn`].
pub struct Monitor {
    shared: Arc<Shared>,
    ctx: Option<Context>,
    /// `states[0]` is the PnP pseudo-reader; `states[i + 1]` belongs to `tracked[i]`.
    states: Vec<ReaderState>,
    tracked: Vec<Tracked>,
    pending: VecDeque<ReaderEvent>,
    service_lost: bool,
}

impl Default for Monitor {
    fn default() -> Self {
        Self::new()
    }
}

impl Monitor {
    /// A monitor; it connects to the service on first use (reporting `ServiceLost` if it
    /// cannot).
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared::default()),
            ctx: None,
            states: Vec::new(),
            tracked: Vec::new(),
            pending: VecDeque::new(),
            service_lost: false,
        }
    }

    /// A handle that cancels this monitor from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller(Arc::clone(&self.shared))
    }

    /// Runs the monitor on a background thread, calling `on_event` for each event until the
    /// returned handle is stopped (or dropped).
    pub fn spawn<F>(self, mut on_event: F) -> MonitorHandle
    where
        F: FnMut(ReaderEvent) + Send + 'static,
    {
        let canceller = self.canceller();
        let join = std::thread::Builder::new()
            .name("pcsc-monitor".into())
            .spawn(move || {
                for event in self {
                    on_event(event);
                }
            })
            .ok();
        MonitorHandle { canceller, join }
    }

    /// Waits for the next event, at most `timeout` (`None`: until cancelled).
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<ReaderEvent, PcscError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            if self.shared.cancelled.load(Ordering::SeqCst) {
                return Err(PcscError::Cancelled);
            }
            let slice = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(PcscError::Timeout);
                    }
                    left.min(WAIT_SLICE)
                }
                None => WAIT_SLICE,
            };
            self.step(slice);
        }
    }

    /// Waits until a card is in a reader (whose name contains `reader_filter`, if given) and
    /// returns the reader name and ATR. A card already present counts.
    pub fn wait_for_card(
        &mut self,
        reader_filter: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<(String, Vec<u8>), PcscError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if let ReaderEvent::CardInserted { reader, atr } = self.next_event(left)? {
                if reader_filter.is_none_or(|f| reader.contains(f)) {
                    return Ok((reader, atr));
                }
            }
        }
    }

    /// Waits until the card leaves a reader (whose name contains `reader_filter`, if given).
    pub fn wait_for_removal(
        &mut self,
        reader_filter: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<String, PcscError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match self.next_event(left)? {
                ReaderEvent::CardRemoved { reader } | ReaderEvent::ReaderRemoved { reader }
                    if reader_filter.is_none_or(|f| reader.contains(f)) =>
                {
                    return Ok(reader)
                }
                _ => {}
            }
        }
    }

    /// One round: (re)connect to the service if needed, wait up to `slice`, queue the events.
    fn step(&mut self, slice: Duration) {
        let Some(ctx) = self.ctx.clone() else {
            match Context::establish(Scope::User) {
                Ok(ctx) => {
                    *self.shared.ctx.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(ctx.clone());
                    self.ctx = Some(ctx);
                    if std::mem::take(&mut self.service_lost) {
                        self.pending.push_back(ReaderEvent::ServiceRestored);
                    }
                    self.states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
                    self.tracked.clear();
                    self.resync_readers();
                }
                Err(_) => {
                    if !self.service_lost {
                        self.service_lost = true;
                        self.pending.push_back(ReaderEvent::ServiceLost);
                    } else {
                        std::thread::sleep(SERVICE_RETRY.min(slice));
                    }
                }
            }
            return;
        };
        match ctx.get_status_change(slice, &mut self.states) {
            Ok(()) => self.process_changes(),
            Err(pcsc::Error::Timeout | pcsc::Error::Cancelled) => {}
            Err(pcsc::Error::UnknownReader) => self.resync_readers(),
            Err(e) if PcscError::context_is_dead(e) => self.lose_service(),
            Err(_) => std::thread::sleep(SERVICE_RETRY.min(slice)),
        }
    }

    fn lose_service(&mut self) {
        self.ctx = None;
        *self.shared.ctx.lock().unwrap_or_else(PoisonError::into_inner) = None;
        for t in self.tracked.drain(..) {
            if t.present {
                self.pending.push_back(ReaderEvent::CardRemoved { reader: t.name.clone() });
            }
            self.pending.push_back(ReaderEvent::ReaderRemoved { reader: t.name });
        }
        self.states.truncate(1);
        self.service_lost = true;
        self.pending.push_back(ReaderEvent::ServiceLost);
    }

    /// Lists readers again; queues `ReaderAdded` / `ReaderRemoved` for the differences.
    fn resync_readers(&mut self) {
        let Some(ctx) = self.ctx.as_ref() else { return };
        let names: Vec<CString> = match ctx.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) if PcscError::context_is_dead(e) => return self.lose_service(),
            Err(_) => return,
        };
        let names: Vec<String> =
            names.iter().map(|n| n.to_string_lossy().into_owned()).collect();
        let mut i = 0;
        while i < self.tracked.len() {
            if names.contains(&self.tracked[i].name) {
                i += 1;
                continue;
            }
            let t = self.tracked.remove(i);
            self.states.remove(i + 1);
            if t.present {
                self.pending.push_back(ReaderEvent::CardRemoved { reader: t.name.clone() });
            }
            self.pending.push_back(ReaderEvent::ReaderRemoved { reader: t.name });
        }
        for name in names {
            if self.tracked.iter().any(|t| t.name == name) {
                continue;
            }
            let Ok(cname) = CString::new(name.clone()) else { continue };
            self.states.push(ReaderState::new(cname, State::UNAWARE));
            self.pending.push_back(ReaderEvent::ReaderAdded { reader: name.clone() });
            self.tracked.push(Tracked { name, present: false, events: 0 });
        }
    }

    fn process_changes(&mut self) {
        let mut resync = false;
        for (i, state) in self.states.iter_mut().enumerate() {
            let event = state.event_state();
            if !event.contains(State::CHANGED) {
                continue;
            }
            state.sync_current_state();
            if i == 0 {
                resync = true;
                continue;
            }
            let t = &mut self.tracked[i - 1];
            if event.intersects(State::UNKNOWN | State::UNAVAILABLE) {
                resync = true;
                continue;
            }
            let present = event.contains(State::PRESENT);
            let count = state.event_count();
            // Removed and put back between two waits: the presence is unchanged but the event
            // counter moved.
            let bounced = present && t.present && count != t.events;
            if t.present && (!present || bounced) {
                self.pending.push_back(ReaderEvent::CardRemoved { reader: t.name.clone() });
            }
            if present && (!t.present || bounced) {
                self.pending.push_back(ReaderEvent::CardInserted {
                    reader: t.name.clone(),
                    atr: state.atr().to_vec(),
                });
            }
            t.present = present;
            t.events = count;
        }
        if resync {
            self.resync_readers();
        }
    }
}

impl Iterator for Monitor {
    type Item = ReaderEvent;

    /// Blocks until the next event; `None` once cancelled.
    fn next(&mut self) -> Option<ReaderEvent> {
        self.next_event(None).ok()
    }
}

/// A [`Monitor`] running on its own thread (from [`Monitor::spawn`]). Dropping it stops it.
pub struct MonitorHandle {
    canceller: Canceller,
    join: Option<JoinHandle<()>>,
}

impl MonitorHandle {
    /// A canceller for the background monitor.
    pub fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }

    /// Stops the monitor and waits for its thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.canceller.cancel();
        if let Some(join) = self.join.take() {
            let _ = join.join();
        }
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
