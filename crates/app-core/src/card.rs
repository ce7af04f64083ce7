//! The app's view of card readers: a small, event-based [`CardService`]. The PC/SC service and the
//! card simulator implement it elsewhere; [`FakeCardService`] is the in-memory one for tests and
//! for the `--demo-fake` mode.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reader::{ReadOutcome, ReadPhase};

/// How to open the chip.
#[derive(Clone, PartialEq, Eq)]
pub enum AccessKey {
    /// Let the service derive the key (known CAN for this card, MRZ from a QR scan, ...).
    Auto,
    /// The 6-digit Card Access Number printed on the card, typed by the clerk.
    Can(String),
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccessKey::Auto => f.write_str("Auto"),
            AccessKey::Can(_) => f.write_str("Can(******)"),
        }
    }
}

impl AccessKey {
    /// Validates a CAN typed by the clerk: exactly six ASCII digits.
    pub fn can(s: &str) -> Result<Self, CardError> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccessKey::Can(s.to_owned()))
        } else {
            Err(CardError::InvalidCan)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    /// A simulated reader (demo mode); the UI labels it "Đầu đọc mô phỏng".
    pub simulated: bool,
}

/// Typed failures of a card read or of the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("no reader")]
    NoReader,
    #[error("no card on the reader")]
    NoCard,
    #[error("a read is already running")]
    Busy,
    #[error("the access key cannot be derived; a CAN is needed")]
    CanRequired,
    #[error("CAN is not six digits")]
    InvalidCan,
    #[error("the chip rejected the access key")]
    AccessDenied,
    #[error("card removed during the read")]
    CardRemoved,
    #[error("reader unplugged")]
    ReaderGone,
    #[error("card communication: {0}")]
    Communication(String),
    #[error("not a supported ID card: {0}")]
    Unsupported(String),
}

impl CardError {
    pub fn code(&self) -> &'static str {
        match self {
            CardError::NoReader => "no_reader",
            CardError::NoCard => "no_card",
            CardError::Busy => "reader_busy",
            CardError::CanRequired => "can_required",
            CardError::InvalidCan => "invalid_can",
            CardError::AccessDenied => "access_denied",
            CardError::CardRemoved => "card_removed",
            CardError::ReaderGone => "reader_gone",
            CardError::Communication(_) => "card_communication",
            CardError::Unsupported(_) => "card_unsupported",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            CardError::NoReader => "Chưa có đầu đọc thẻ. Cắm đầu đọc vào máy tính.".into(),
            CardError::NoCard => "Chưa có thẻ. Đặt thẻ CCCD lên đầu đọc.".into(),
            CardError::Busy => "Đang đọc thẻ. Vui lòng chờ.".into(),
            CardError::CanRequired => {
                "Cần số CAN: nhập 6 chữ số in ở mặt trước thẻ (góc dưới bên phải).".into()
            }
            CardError::InvalidCan => "Số CAN phải gồm đúng 6 chữ số.".into(),
            CardError::AccessDenied => {
                "Thẻ không chấp nhận số CAN. Kiểm tra lại 6 chữ số in trên thẻ rồi nhập lại.".into()
            }
            CardError::CardRemoved => {
                "Thẻ bị nhấc ra khi đang đọc. Đặt lại thẻ và giữ yên đến khi xong.".into()
            }
            CardError::ReaderGone => "Đầu đọc bị rút ra. Cắm lại đầu đọc.".into(),
            CardError::Communication(_) => {
                "Không đọc được thẻ. Đặt lại thẻ ngay ngắn trên đầu đọc rồi thử lại.".into()
            }
            CardError::Unsupported(_) => {
                "Thẻ này không phải CCCD gắn chip hoặc thẻ căn cước. Kiểm tra lại thẻ.".into()
            }
        }
    }
}

/// What a [`CardService`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum CardEvent {
    ReaderAdded { reader: ReaderInfo },
    ReaderRemoved { reader: String },
    CardPresent { reader: String },
    CardAbsent { reader: String },
    Progress { reader: String, phase: ReadPhase },
    Outcome { reader: String, outcome: Box<ReadOutcome> },
    Failed { reader: String, error: CardError },
}

/// An MRZ-style key (BAC / PACE-MRZ) derived from the ID number and dates. Zeroized on drop.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct MrzKeyHint {
    pub document_number: String,
    /// `YYMMDD`.
    pub date_of_birth: String,
    /// `YYMMDD`.
    pub date_of_expiry: String,
}

/// Keys derived from a scanned QR code, for the next card put on any reader. Zeroized on drop.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct KeyHint {
    /// The CAN: the last 6 digits of the ID number.
    pub can: String,
    /// MRZ keys the card-expiry rule allows, tried after the CAN.
    pub mrz: Vec<MrzKeyHint>,
}

impl std::fmt::Debug for KeyHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyHint(can: ******, mrz: {} candidates)", self.mrz.len())
    }
}

/// Readers and reads. Small on purpose: a PC/SC service, a simulator and the fake all fit.
pub trait CardService: Send + Sync {
    /// Readers now attached.
    fn readers(&self) -> Vec<ReaderInfo>;
    /// A new stream of every event from now on. The service drops closed receivers.
    fn subscribe(&self) -> Receiver<CardEvent>;
    /// Starts reading the card on `reader`. Returns at once; progress, the outcome or a typed
    /// failure arrive as events.
    fn read(&self, reader: &str, key: AccessKey) -> Result<(), CardError>;
    /// Keys from a scanned QR code, tried first by reads with [`AccessKey::Auto`] on any reader
    /// until replaced or cleared (`None`).
    fn set_key_hint(&self, hint: Option<KeyHint>);
}

// ---------------------------------------------------------------- the fake

/// A card the fake can put on its reader.
#[derive(Debug, Clone)]
pub struct FakeCard {
    pub outcome: ReadOutcome,
    /// `Some(can)`: the key cannot be derived; the read needs this CAN.
    pub can: Option<String>,
}

struct FakeState {
    plugged: bool,
    card: Option<FakeCard>,
    busy: bool,
    hint: Option<KeyHint>,
    subscribers: Vec<Sender<CardEvent>>,
}

/// An in-memory reader. Tests drive it with [`FakeCardService::insert`], [`remove`](Self::remove),
/// [`unplug`](Self::unplug) and [`plug`](Self::plug).
#[derive(Clone)]
pub struct FakeCardService {
    name: String,
    simulated: bool,
    phase_delay: Duration,
    state: Arc<Mutex<FakeState>>,
}

impl FakeCardService {
    /// `phase_delay` is the pause between progress events (zero in unit tests).
    pub fn new(name: &str, simulated: bool, phase_delay: Duration) -> Self {
        FakeCardService {
            name: name.into(),
            simulated,
            phase_delay,
            state: Arc::new(Mutex::new(FakeState {
                plugged: true,
                card: None,
                busy: false,
                hint: None,
                subscribers: Vec::new(),
            })),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn info(&self, st: &FakeState) -> ReaderInfo {
        ReaderInfo {
            name: self.name.clone(),
            card_present: st.card.is_some(),
            simulated: self.simulated,
        }
    }

    fn emit(st: &mut FakeState, ev: CardEvent) {
        st.subscribers.retain(|s| s.send(ev.clone()).is_ok());
    }

    pub fn insert(&self, card: FakeCard) {
        let mut st = self.lock();
        if !st.plugged {
            return;
        }
        st.card = Some(card);
        let ev = CardEvent::CardPresent {
            reader: self.name.clone(),
        };
        Self::emit(&mut st, ev);
    }

    pub fn remove(&self) {
        let mut st = self.lock();
        if st.card.take().is_some() {
            let ev = CardEvent::CardAbsent {
                reader: self.name.clone(),
            };
            Self::emit(&mut st, ev);
        }
    }

    pub fn unplug(&self) {
        let mut st = self.lock();
        if st.plugged {
            st.plugged = false;
            st.card = None;
            let ev = CardEvent::ReaderRemoved {
                reader: self.name.clone(),
            };
            Self::emit(&mut st, ev);
        }
    }

    pub fn plug(&self) {
        let mut st = self.lock();
        if !st.plugged {
            st.plugged = true;
            let ev = CardEvent::ReaderAdded {
                reader: self.info(&st),
            };
            Self::emit(&mut st, ev);
        }
    }

    fn run_read(&self, card: FakeCard) {
        let reader = self.name.clone();
        let phases = [
            ReadPhase::Connect,
            ReadPhase::Access,
            ReadPhase::ReadData,
            ReadPhase::ReadPhoto,
            ReadPhase::ChipAuth,
            ReadPhase::Verify,
            ReadPhase::Done,
        ];
        for phase in phases {
            {
                let mut st = self.lock();
                if st.card.is_none() {
                    st.busy = false;
                    let error = if st.plugged {
                        CardError::CardRemoved
                    } else {
                        CardError::ReaderGone
                    };
                    Self::emit(&mut st, CardEvent::Failed { reader, error });
                    return;
                }
                Self::emit(
                    &mut st,
                    CardEvent::Progress {
                        reader: reader.clone(),
                        phase,
                    },
                );
            }
            if !self.phase_delay.is_zero() {
                std::thread::sleep(self.phase_delay);
            }
        }
        let mut st = self.lock();
        st.busy = false;
        Self::emit(
            &mut st,
            CardEvent::Outcome {
                reader,
                outcome: Box::new(card.outcome),
            },
        );
    }
}

impl CardService for FakeCardService {
    fn readers(&self) -> Vec<ReaderInfo> {
        let st = self.lock();
        if st.plugged {
            vec![self.info(&st)]
        } else {
            Vec::new()
        }
    }

    fn subscribe(&self) -> Receiver<CardEvent> {
        let (tx, rx) = channel();
        self.lock().subscribers.push(tx);
        rx
    }

    fn read(&self, reader: &str, key: AccessKey) -> Result<(), CardError> {
        let card = {
            let mut st = self.lock();
            if !st.plugged || reader != self.name {
                return Err(CardError::NoReader);
            }
            let card = st.card.clone().ok_or(CardError::NoCard)?;
            if st.busy {
                return Err(CardError::Busy);
            }
            match (&card.can, &key) {
                (None, _) => {}
                (Some(want), AccessKey::Auto) => match &st.hint {
                    None => return Err(CardError::CanRequired),
                    Some(h) if h.can != *want => return Err(CardError::AccessDenied),
                    Some(_) => {}
                },
                (Some(want), AccessKey::Can(got)) if want != got => {
                    return Err(CardError::AccessDenied)
                }
                (Some(_), AccessKey::Can(_)) => {}
            }
            st.busy = true;
            card
        };
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("fake-card-read".into())
            .spawn(move || me.run_read(card));
        if let Err(e) = spawned {
            self.lock().busy = false;
            return Err(CardError::Communication(e.to_string()));
        }
        Ok(())
    }

    fn set_key_hint(&self, hint: Option<KeyHint>) {
        self.lock().hint = hint;
    }
}

impl FakeCardService {
    /// The key hint now held (tests).
    pub fn key_hint(&self) -> Option<KeyHint> {
        self.lock().hint.clone()
    }
}
