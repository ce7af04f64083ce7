//! Bridge from a software card to vsmartcard's `vpcd` reader driver, so the card appears in
//! pcscd as "Virtual PCD 00 00" (port 35963) and is reached through the real PC/SC stack.
//!
//! The card is the TCP client. Frames are a 2-byte big-endian length and a payload; a 1-byte
//! payload is a control code (0 power off, 1 power on, 2 reset, 4 send the ATR), a longer one
//! is a command APDU answered by the response APDU. Connected means inserted; closing the
//! connection means removed.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use socket2::SockRef;

/// Port of vpcd's first reader ("Virtual PCD 00 00").
pub const DEFAULT_PORT: u16 = 35963;

/// How often the I/O thread looks at `insert` / `remove` / `stop` requests while idle.
const POLL: Duration = Duration::from_millis(20);

/// Anything that answers APDUs like a contact or contactless card.
pub trait SmartCard: Send + 'static {
    /// The ATR as the reader reports it.
    fn atr(&self) -> Vec<u8>;
    /// Power cycle / warm reset: back to the state after insertion.
    fn reset(&mut self);
    /// One command APDU in, one response APDU (data + SW1 SW2) out.
    fn process(&mut self, apdu: &[u8]) -> Vec<u8>;
}

/// How the bridge behaves.
#[derive(Debug, Clone)]
pub struct VpcdOptions {
    /// Where vpcd listens.
    pub addr: SocketAddr,
    /// Delay before answering each APDU (simulates a slow card or a weak field).
    pub latency: Duration,
    /// After answering this many APDUs the card is pulled away: the next APDU gets no answer
    /// and the connection closes. One-shot: it does not apply again after [`VpcdHandle::insert`].
    pub remove_after: Option<u64>,
    /// Connect ("insert the card") as soon as the bridge starts.
    pub inserted: bool,
}

impl Default for VpcdOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            latency: Duration::ZERO,
            remove_after: None,
            inserted: true,
        }
    }
}

struct Ctl {
    want_inserted: bool,
    stop: bool,
    connected: bool,
    apdus_total: u64,
    apdus_this_insertion: u64,
    remove_after: Option<u64>,
    latency: Duration,
    insertions: u64,
}

struct Shared<C> {
    card: Mutex<C>,
    ctl: Mutex<Ctl>,
    changed: Condvar,
}

impl<C> Shared<C> {
    fn ctl(&self) -> MutexGuard<'_, Ctl> {
        self.ctl.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn card(&self) -> MutexGuard<'_, C> {
        self.card.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn set(&self, f: impl FnOnce(&mut Ctl)) {
        f(&mut self.ctl());
        self.changed.notify_all();
    }
}

/// Controls a running bridge (from [`spawn_vpcd`]). Dropping it stops the bridge.
pub struct VpcdHandle<C: SmartCard> {
    shared: Arc<Shared<C>>,
    join: Option<JoinHandle<()>>,
}

/// Starts the bridge on its own thread. With `options.inserted` it keeps trying to connect to
/// vpcd until it succeeds (pcscd may start later) and reconnects when vpcd drops it.
pub fn spawn_vpcd<C: SmartCard>(card: C, options: VpcdOptions) -> VpcdHandle<C> {
    let shared = Arc::new(Shared {
        card: Mutex::new(card),
        ctl: Mutex::new(Ctl {
            want_inserted: options.inserted,
            stop: false,
            connected: false,
            apdus_total: 0,
            apdus_this_insertion: 0,
            remove_after: options.remove_after,
            latency: options.latency,
            insertions: 0,
        }),
        changed: Condvar::new(),
    });
    let thread_shared = Arc::clone(&shared);
    let addr = options.addr;
    let join = std::thread::Builder::new()
        .name("vpcd-bridge".into())
        .spawn(move || run(&thread_shared, addr))
        .ok();
    VpcdHandle { shared, join }
}

impl<C: SmartCard> VpcdHandle<C> {
    /// Puts the card (back) on the reader: the bridge connects to vpcd. Returns at once; see
    /// [`VpcdHandle::wait_connected`].
    pub fn insert(&self) {
        self.shared.set(|c| c.want_inserted = true);
    }

    /// Takes the card away (closes the connection) and waits until it is gone.
    pub fn remove(&self) {
        self.shared.set(|c| c.want_inserted = false);
        let _ = self.wait_state(false, Duration::from_secs(5));
    }

    /// Waits until the bridge is connected to vpcd; false on timeout.
    pub fn wait_connected(&self, timeout: Duration) -> bool {
        self.wait_state(true, timeout)
    }

    fn wait_state(&self, connected: bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut ctl = self.shared.ctl();
        while ctl.connected != connected {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            ctl = self
                .shared
                .changed
                .wait_timeout(ctl, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Whether the card is currently in the reader: connected, and powered up by pcscd.
    pub fn is_connected(&self) -> bool {
        self.shared.ctl().connected
    }

    /// APDUs answered since the bridge started.
    pub fn apdu_count(&self) -> u64 {
        self.shared.ctl().apdus_total
    }

    /// How many times the card was connected (inserted) so far.
    pub fn insertions(&self) -> u64 {
        self.shared.ctl().insertions
    }

    /// Pulls the card away after `n` more answered APDUs (one-shot).
    pub fn remove_after(&self, n: u64) {
        self.shared.set(|c| {
            c.remove_after = Some(c.apdus_this_insertion + n);
        });
    }

    /// Changes the per-APDU latency.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.set(|c| c.latency = latency);
    }

    /// Runs `f` on the card (between exchanges), e.g. to flip a fault switch.
    pub fn with_card<R>(&self, f: impl FnOnce(&mut C) -> R) -> R {
        f(&mut self.shared.card())
    }

    /// Stops the bridge (the card is removed) and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.set(|c| c.stop = true);
        if let Some(join) = self.join.take() {
            let _ = join.join();
        }
    }
}

impl<C: SmartCard> Drop for VpcdHandle<C> {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run<C: SmartCard>(shared: &Shared<C>, addr: SocketAddr) {
    loop {
        {
            let mut ctl = shared.ctl();
            while !ctl.stop && !ctl.want_inserted {
                ctl = shared
                    .changed
                    .wait_timeout(ctl, POLL * 10)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if ctl.stop {
                return;
            }
        }
        if trace() {
            eprintln!("vpcd-bridge: connecting to {addr}");
        }
        let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
            std::thread::sleep(POLL * 10);
            continue;
        };
        if configure(&stream).is_err() {
            continue;
        }
        shared.card().reset();
        let ended = serve(shared, stream);
        if trace() {
            let why = match ended {
                Err(Ended::Requested) => "removed",
                _ => "connection ended",
            };
            eprintln!("vpcd-bridge: {why}");
        }
        shared.set(|c| c.connected = false);
    }
}

fn configure(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    quickack(stream);
    stream.set_read_timeout(Some(POLL))
}

/// Delayed ACKs cost ~40 ms per APDU against vpcd's two-write frames; Linux resets QUICKACK
/// after use, so it is set again after every read.
fn quickack(stream: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = SockRef::from(stream).set_quickack(true);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = SockRef::from(stream);
    }
}

enum Ended {
    /// remove / stop was requested, or the removal fault fired.
    Requested,
    /// vpcd closed the connection or an I/O error happened.
    Io,
}

/// vpcd asks for the ATR every few hundred milliseconds while a card is present. A new
/// connection that hears nothing for this long sits in a stale accept queue (seen after pcscd
/// reset a card that had just left): drop it and connect again.
const SILENT_CONNECTION: Duration = Duration::from_secs(3);

/// Reads exactly `buf.len()` bytes, watching for remove/stop requests between timeouts.
/// `idle_deadline`: give up (reconnect) if nothing at all arrives before it.
fn read_full<C>(
    shared: &Shared<C>,
    stream: &mut TcpStream,
    buf: &mut [u8],
    idle_deadline: &mut Option<Instant>,
) -> Result<(), Ended> {
    let mut got = 0;
    while got < buf.len() {
        match stream.read(&mut buf[got..]) {
            Ok(0) => return Err(Ended::Io),
            Ok(n) => {
                got += n;
                *idle_deadline = None;
                quickack(stream);
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                let ctl = shared.ctl();
                if ctl.stop || !ctl.want_inserted {
                    return Err(Ended::Requested);
                }
                if idle_deadline.is_some_and(|d| Instant::now() > d) {
                    return Err(Ended::Io);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Ended::Io),
        }
    }
    Ok(())
}

fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> Result<(), Ended> {
    let len = u16::try_from(payload.len()).map_err(|_| Ended::Io)?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame).map_err(|_| Ended::Io)
}

fn serve<C: SmartCard>(shared: &Shared<C>, mut stream: TcpStream) -> Result<(), Ended> {
    let mut len = [0u8; 2];
    let mut idle_deadline = Some(Instant::now() + SILENT_CONNECTION);
    let mut powered = false;
    loop {
        read_full(shared, &mut stream, &mut len, &mut idle_deadline)?;
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
        read_full(shared, &mut stream, &mut payload, &mut idle_deadline)?;
        if trace() {
            eprintln!("vpcd-bridge: <- {}", hex(&payload));
        }
        let powering = matches!(payload.as_slice(), [1] | [2]) || payload.len() > 1;
        if powering && !shared.ctl().connected {
            // The reader powered the card up: it sees the card from now on.
            shared.set(|c| {
                c.connected = true;
                c.insertions += 1;
                c.apdus_this_insertion = 0;
            });
        }
        match payload.as_slice() {
            [] => {}
            [0] if !powered => {
                // pcscd powers a newly inserted card down before ever powering it up only
                // when it is confused by the previous card (reset while it was leaving): it
                // then never sees this one. Leave and come back, as a person would.
                std::thread::sleep(POLL * 10);
                return Err(Ended::Io);
            }
            [0] | [1] | [2] => {
                powered |= payload[0] != 0;
                shared.card().reset();
            }
            [4] => {
                let atr = shared.card().atr();
                write_frame(&mut stream, &atr)?;
            }
            [_] => {}
            apdu => {
                let latency = {
                    let mut ctl = shared.ctl();
                    if ctl.remove_after.is_some_and(|n| ctl.apdus_this_insertion >= n) {
                        // Pulled away mid-exchange: no answer, connection closed, and the card
                        // stays out until insert() is called.
                        ctl.remove_after = None;
                        ctl.want_inserted = false;
                        return Err(Ended::Requested);
                    }
                    ctl.latency
                };
                if !latency.is_zero() {
                    std::thread::sleep(latency);
                }
                let response = shared.card().process(apdu);
                write_frame(&mut stream, &response)?;
                shared.set(|c| {
                    c.apdus_total += 1;
                    c.apdus_this_insertion += 1;
                });
            }
        }
    }
}

/// `MOTCUA_VPCD_TRACE=1` logs every frame from vpcd to stderr.
fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var("MOTCUA_VPCD_TRACE").is_ok_and(|v| v == "1"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
