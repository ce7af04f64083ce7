//! The pure APDU processor: a Vietnamese chip ID card (CCCD 2021 / thẻ căn cước 2024) as seen
//! through a contactless reader.

use iso7816::{Command, Response, StatusWord};

use crate::chip::{self, AccessMethod, Auth, ChipSecrets};
use crate::fs::{short_ef, Entry, Files};
use crate::vpcd::SmartCard;

/// AID of the ICAO eMRTD application (LDS1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Historical bytes of the simulator's ATR. They carry no card-capabilities object, like many
/// real ID cards, so a reader has to probe for extended-length support.
pub const DEFAULT_HISTORICAL: &[u8] = b"VN-CCCD-SIM";

/// Misbehaviours to exercise the reader's error paths. The ones that change files (tampered
/// DG, bad SOD signature, cloned chip key) are applied by [`crate::CardProfile::build_with`];
/// these act on the APDU level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApduFaults {
    /// Reject extended Lc/Le (outer APDU, or Le inside secure messaging) with 6700.
    pub short_apdu_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Df {
    Mf,
    Applet,
}

/// A software card. Pure: no I/O, no clock; randomness comes from a seeded generator, so a
/// run is reproducible.
pub struct Card {
    files: Files,
    secrets: ChipSecrets,
    faults: ApduFaults,
    historical: Vec<u8>,
    df: Df,
    current: Option<u16>,
    auth: Auth,
    rng: chip::CardRng,
    seed: u64,
}

impl Card {
    /// A card with these files and secrets. `seed` drives the card's random numbers.
    pub fn new(files: Files, secrets: ChipSecrets, seed: u64) -> Self {
        Self {
            files,
            secrets,
            faults: ApduFaults::default(),
            historical: DEFAULT_HISTORICAL.to_vec(),
            df: Df::Mf,
            current: None,
            auth: Auth::None,
            rng: chip::CardRng::from_seed(seed),
            seed,
        }
    }

    /// The files (read-only).
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The files, to change them (e.g. tamper with a DG after the SOD was signed).
    pub fn files_mut(&mut self) -> &mut Files {
        &mut self.files
    }

    /// Current APDU-level faults.
    pub fn faults(&self) -> ApduFaults {
        self.faults
    }

    /// Sets APDU-level faults.
    pub fn set_faults(&mut self, faults: ApduFaults) {
        self.faults = faults;
    }

    /// Replaces the ATR historical bytes (at most 15).
    pub fn set_historical_bytes(&mut self, historical: &[u8]) {
        self.historical = historical.iter().copied().take(15).collect();
    }

    /// ATR as a PC/SC reader builds it for an ISO 14443-4 card: `3B 8n 80 01 <historical> TCK`.
    pub fn atr(&self) -> Vec<u8> {
        contactless_atr(&self.historical)
    }

    /// Back to the state after power-on: MF selected, no session. Files stay as they are.
    pub fn reset(&mut self) {
        self.df = Df::Mf;
        self.current = None;
        self.auth = Auth::None;
    }

    /// Whether a secure-messaging session is established (for tests).
    pub fn is_secure(&self) -> bool {
        matches!(self.auth, Auth::Secure(_))
    }

    /// How the current secure-messaging session was opened, if there is one.
    pub fn access_method(&self) -> Option<AccessMethod> {
        match &self.auth {
            Auth::Secure(s) => Some(s.method),
            _ => None,
        }
    }

    /// Whether Chip Authentication ran in the current session.
    pub fn chip_authenticated(&self) -> bool {
        matches!(&self.auth, Auth::Secure(s) if s.chip_authenticated)
    }

    /// Processes one command APDU and returns the response APDU (data + SW1 SW2). Never
    /// panics, whatever the input.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let extended = apdu.len() > 5 && apdu[4] == 0;
        if extended && self.faults.short_apdu_only {
            return sw(StatusWord::WRONG_LENGTH);
        }
        let cmd = match Command::parse(apdu) {
            Ok(c) => c,
            Err(_) => return sw(StatusWord::WRONG_LENGTH),
        };
        if cmd.cla == 0xFF {
            return sw(StatusWord::CLA_NOT_SUPPORTED);
        }
        if cmd.cla & 0x0C == 0x0C {
            return self.process_protected(&cmd);
        }
        if matches!(self.auth, Auth::Secure(_)) {
            // A plain command ends secure messaging (ICAO 9303-11 §9.8.6).
            self.auth = Auth::None;
            return sw(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let (data, status) = match cmd.ins {
            0xA4 => (Vec::new(), self.select(&cmd, false)),
            0xB0 => self.read_binary(&cmd, false),
            _ => {
                let o = chip::authenticate_plain(&mut self.auth, &self.secrets, &mut self.rng, &cmd);
                (o.data, o.status)
            }
        };
        Response::new(data, status).to_bytes()
    }

    fn process_protected(&mut self, cmd: &Command) -> Vec<u8> {
        let Auth::Secure(secure) = &mut self.auth else {
            // Secure messaging without a session: no keys to check the MAC with.
            self.auth = Auth::None;
            return sw(StatusWord::SM_DO_MISSING);
        };
        let inner = match secure.channel.unwrap_command(cmd) {
            Ok(inner) => inner,
            Err(e) => {
                // Wrong MAC or malformed objects: answer in the clear, the session ends.
                self.auth = Auth::None;
                return sw(e.chip_status());
            }
        };
        let outcome = if self.faults.short_apdu_only
            && inner.le.is_some_and(|le| le > iso7816::apdu::SHORT_LE_MAX)
        {
            chip::Outcome { data: Vec::new(), status: StatusWord::WRONG_LENGTH, next_channel: None }
        } else {
            match inner.ins {
                0xA4 => {
                    let status = self.select(&inner, true);
                    chip::Outcome { data: Vec::new(), status, next_channel: None }
                }
                0xB0 => {
                    let (data, status) = self.read_binary(&inner, true);
                    chip::Outcome { data, status, next_channel: None }
                }
                _ => match &mut self.auth {
                    Auth::Secure(secure) => {
                        chip::authenticate_secure(secure, &self.secrets, &mut self.rng, &inner)
                    }
                    _ => chip::Outcome {
                        data: Vec::new(),
                        status: StatusWord::CONDITIONS_NOT_SATISFIED,
                        next_channel: None,
                    },
                },
            }
        };
        let Auth::Secure(secure) = &mut self.auth else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let wrapped = secure.channel.wrap_response(&Response::new(outcome.data, outcome.status));
        if let Some(next) = outcome.next_channel {
            secure.channel = next;
        }
        match wrapped {
            Ok(resp) => resp.to_bytes(),
            Err(e) => {
                self.auth = Auth::None;
                sw(e.chip_status())
            }
        }
    }

    fn select(&mut self, cmd: &Command, secure: bool) -> StatusWord {
        match cmd.p1 {
            0x04 => {
                if cmd.data == EMRTD_AID {
                    self.df = Df::Applet;
                    self.current = None;
                    StatusWord::OK
                } else {
                    StatusWord::FILE_NOT_FOUND
                }
            }
            0x00 | 0x02 => {
                let Ok(id) = <[u8; 2]>::try_from(cmd.data.as_slice()) else {
                    // SELECT MF without a FID: the real cards do not know it either.
                    return StatusWord::INS_NOT_SUPPORTED;
                };
                let id = u16::from_be_bytes(id);
                if id == 0x3F00 {
                    return StatusWord::INS_NOT_SUPPORTED;
                }
                self.select_ef(id, secure)
            }
            _ => StatusWord::WRONG_P1P2,
        }
    }

    fn select_ef(&mut self, id: u16, secure: bool) -> StatusWord {
        let entry = match self.df {
            Df::Mf => self.files.mf.get(&id),
            Df::Applet => {
                if !secure {
                    return StatusWord::SECURITY_STATUS_NOT_SATISFIED;
                }
                self.files.applet.get(&id)
            }
        };
        match entry {
            None => StatusWord::FILE_NOT_FOUND,
            Some(Entry::Denied) => StatusWord::SECURITY_STATUS_NOT_SATISFIED,
            Some(Entry::Data(_)) => {
                self.current = Some(id);
                StatusWord::OK
            }
        }
    }

    fn read_binary(&mut self, cmd: &Command, secure: bool) -> (Vec<u8>, StatusWord) {
        let offset = if cmd.p1 & 0x80 != 0 {
            let Some(id) = short_ef(self.df == Df::Applet, cmd.p1 & 0x1F) else {
                return (Vec::new(), StatusWord::FILE_NOT_FOUND);
            };
            let status = self.select_ef(id, secure);
            if status != StatusWord::OK {
                return (Vec::new(), status);
            }
            usize::from(cmd.p2)
        } else {
            usize::from(u16::from_be_bytes([cmd.p1 & 0x7F, cmd.p2]))
        };
        if self.df == Df::Applet && !secure {
            return (Vec::new(), StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(id) = self.current else {
            return (Vec::new(), StatusWord::COMMAND_NOT_ALLOWED);
        };
        let file = match self.df {
            Df::Mf => self.files.get_mf(id),
            Df::Applet => self.files.get(id),
        };
        let Some(file) = file else {
            return (Vec::new(), StatusWord::FILE_NOT_FOUND);
        };
        if offset > file.len() {
            return (Vec::new(), StatusWord::WRONG_PARAMETERS);
        }
        let le = cmd.le.unwrap_or(iso7816::apdu::SHORT_LE_MAX);
        let end = file.len().min(offset.saturating_add(le));
        let data = file[offset..end].to_vec();
        // Le = 00 / 0000 means "as much as there is"; a smaller explicit Le that runs past the
        // end gets the rest with 6282.
        let wildcard = le == iso7816::apdu::SHORT_LE_MAX || le == iso7816::apdu::EXTENDED_LE_MAX;
        let status =
            if data.len() < le && !wildcard { StatusWord::END_OF_FILE } else { StatusWord::OK };
        (data, status)
    }
}

impl SmartCard for Card {
    fn atr(&self) -> Vec<u8> {
        Card::atr(self)
    }
    fn reset(&mut self) {
        Card::reset(self);
    }
    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        Card::process(self, apdu)
    }
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("df", &self.df)
            .field("secure", &self.is_secure())
            .finish_non_exhaustive()
    }
}

fn sw(status: StatusWord) -> Vec<u8> {
    status.to_bytes().to_vec()
}

/// PC/SC part 3 ATR of a contactless ISO 14443-4 card: `3B 8n 80 01 <historical> TCK`.
pub fn contactless_atr(historical: &[u8]) -> Vec<u8> {
    let historical = &historical[..historical.len().min(15)];
    let mut atr = vec![0x3B, 0x80 | historical.len() as u8, 0x80, 0x01];
    atr.extend_from_slice(historical);
    let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
    atr.push(tck);
    atr
}


/// The card used directly as a transport (no reader in between): handy for protocol tests.
/// Extended-length APDUs pass unless the `short_apdu_only` fault is on.
impl iso7816::Transport for Card {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, iso7816::TransportError> {
        Ok(self.process(command))
    }

    fn capabilities(&self) -> iso7816::Capabilities {
        if self.faults.short_apdu_only {
            iso7816::Capabilities::default()
        } else {
            iso7816::Capabilities {
                extended_length: true,
                max_command_len: 65_544,
                max_response_len: 65_538,
            }
        }
    }
}
