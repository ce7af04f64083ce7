//! The terminal-side session driver: generic code over [`iso7816::Transport`] that opens
//! secure messaging (PACE when EF.CardAccess announces it, else BAC), reads elementary files
//! with as few APDUs as the transport allows, and runs Chip and Active Authentication.
//! It does no I/O itself: every byte goes through the transport.

use crate::aa;
use crate::bac;
use crate::ca;
use crate::crypto::Cipher;
use crate::error::Error;
use crate::pace::{self, Password, PasswordKind};
use crate::security_infos::SecurityInfos;
use crate::sm::{max_plain_le, SecureChannel};
use iso7816::{tlv, Command, Response, StatusWord, Transport, TransportError};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The eMRTD application identifier.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// EF.CardAccess.
pub const EF_CARD_ACCESS: u16 = 0x011C;
/// EF.COM.
pub const EF_COM: u16 = 0x011E;
/// EF.SOD.
pub const EF_SOD: u16 = 0x011D;
/// EF.DG1 (MRZ).
pub const EF_DG1: u16 = 0x0101;
/// EF.DG2 (face).
pub const EF_DG2: u16 = 0x0102;
/// EF.DG13 (Vietnamese personal data).
pub const EF_DG13: u16 = 0x010D;
/// EF.DG14 (SecurityInfos).
pub const EF_DG14: u16 = 0x010E;
/// EF.DG15 (AA public key).
pub const EF_DG15: u16 = 0x010F;

/// What unlocks the chip: the 6-digit CAN printed on the card, or MRZ fields. Zeroized on
/// drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub enum AccessKey {
    /// Card Access Number (6 digits).
    Can(String),
    /// MRZ fields: document number, dates as `YYMMDD`.
    Mrz {
        /// Document number as in the MRZ.
        document_number: String,
        /// Date of birth, `YYMMDD`.
        date_of_birth: String,
        /// Date of expiry, `YYMMDD`.
        date_of_expiry: String,
    },
}

impl core::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AccessKey::Can(_) => f.write_str("AccessKey::Can(..)"),
            AccessKey::Mrz { .. } => f.write_str("AccessKey::Mrz{..}"),
        }
    }
}

impl AccessKey {
    fn password(&self) -> Result<Password, Error> {
        match self {
            AccessKey::Can(c) => Password::can(c),
            AccessKey::Mrz {
                document_number,
                date_of_birth,
                date_of_expiry,
            } => Password::mrz(document_number, date_of_birth, date_of_expiry),
        }
    }
}

/// How the session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessProtocol {
    /// PACE with this cipher and password.
    Pace {
        /// The cipher of secure messaging.
        cipher: Cipher,
        /// CAN or MRZ.
        password: PasswordKind,
    },
    /// BAC (3DES).
    Bac,
}

/// Progress of a file read, passed to the progress hook after every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The file being read.
    pub fid: u16,
    /// Bytes read so far.
    pub read: usize,
    /// Size of the file.
    pub total: usize,
}

type Hook = Box<dyn FnMut(Progress) + Send>;

/// A secure-messaging session with an eMRTD chip.
pub struct Session<T: Transport> {
    link: Link<T>,
    channel: SecureChannel,
    protocol: AccessProtocol,
    card_access: Option<Vec<u8>>,
    progress: Option<Hook>,
    chip_authenticated: bool,
    read_limit: Option<usize>,
}

impl<T: Transport> core::fmt::Debug for Session<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("protocol", &self.protocol)
            .field("apdus", &self.link.apdus)
            .field("chip_authenticated", &self.chip_authenticated)
            .finish_non_exhaustive()
    }
}

/// Counters kept while the secure channel is not open yet.
struct Link<T> {
    transport: T,
    apdus: u64,
    bytes_sent: u64,
    bytes_received: u64,
}

impl<T: Transport> Link<T> {
    fn send(&mut self, cmd: &Command) -> Result<Response, Error> {
        let bytes = cmd.to_bytes()?;
        self.apdus += 1;
        self.bytes_sent += bytes.len() as u64;
        let raw = self.transport.transmit(&bytes)?;
        self.bytes_received += raw.len() as u64;
        let mut resp = Response::parse(&raw)?;
        // Follow 61xx (T=0 readers) with GET RESPONSE.
        let mut rounds = 0;
        while let Some(n) = resp.sw.bytes_available() {
            rounds += 1;
            if rounds > iso7816::exchange::MAX_GET_RESPONSE {
                return Err(Error::GetResponseLoop);
            }
            let get = Command::new(cmd.cla & 0x03, 0xC0, 0, 0)
                .with_le(n)
                .to_bytes()?;
            self.apdus += 1;
            self.bytes_sent += get.len() as u64;
            let raw = self.transport.transmit(&get)?;
            self.bytes_received += raw.len() as u64;
            let next = Response::parse(&raw)?;
            resp.data.extend_from_slice(&next.data);
            resp.sw = next.sw;
        }
        Ok(resp)
    }
}

fn status_error(sw: StatusWord) -> Error {
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => Error::AccessDenied(sw),
        StatusWord::FILE_NOT_FOUND => Error::FileNotFound,
        sw if sw == StatusWord::VERIFICATION_FAILED || sw.retries_left().is_some() => {
            Error::WrongAccessKey
        }
        sw => Error::Status(sw),
    }
}

fn expect_ok(resp: Response) -> Result<Vec<u8>, Error> {
    if resp.sw == StatusWord::OK {
        Ok(resp.data)
    } else {
        Err(status_error(resp.sw))
    }
}

/// The answer to the step that checks the terminal's key (EXTERNAL AUTHENTICATE, the last
/// GENERAL AUTHENTICATE): chips say "wrong key" with 6300, 63Cx or 6982.
fn expect_authenticated(resp: Response) -> Result<Vec<u8>, Error> {
    match resp.sw {
        StatusWord::OK => Ok(resp.data),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::WrongAccessKey),
        sw => Err(status_error(sw)),
    }
}

fn select_applet() -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec())
}

/// EF.CardAccess as read in the clear, and what the read showed about extended length.
struct CardAccessRead {
    data: Option<Vec<u8>>,
    /// The card answered an extended-length READ BINARY: extended Le can be used under secure
    /// messaging too. Learnt in the clear, where a refusal costs nothing: under secure
    /// messaging a refused length closes the session.
    extended_ok: bool,
}

/// Reads EF.CardAccess in the clear: READ BINARY by short EF identifier, else SELECT by FID.
/// When the transport carries extended APDUs, the first read asks with an extended Le, which
/// doubles as the probe of the card's extended-length support (no extra APDU when it works).
fn read_card_access<T: Transport>(link: &mut Link<T>) -> Result<CardAccessRead, Error> {
    let none = |extended_ok| {
        Ok(CardAccessRead {
            data: None,
            extended_ok,
        })
    };
    let mut extended_ok = false;
    let mut first = None;
    if link.transport.capabilities().extended_length {
        match link.send(&Command::new(0x00, 0xB0, 0x9C, 0x00).with_le(65_536)) {
            Ok(r) if r.sw == StatusWord::OK || r.sw == StatusWord::END_OF_FILE => {
                extended_ok = true;
                first = Some(r);
            }
            Ok(r) if r.sw == StatusWord::FILE_NOT_FOUND => return none(false),
            Ok(_) => {}
            // A reader that cannot carry the extended APDU fails the exchange itself.
            Err(Error::Transport(TransportError::Other(_) | TransportError::Timeout)) => {}
            Err(e) => return Err(e),
        }
    }
    let first = match first {
        Some(r) => r,
        None => link.send(&Command::new(0x00, 0xB0, 0x9C, 0x00).with_le(256))?,
    };
    let mut data = if first.sw == StatusWord::OK || first.sw == StatusWord::END_OF_FILE {
        first.data
    } else {
        if first.sw == StatusWord::FILE_NOT_FOUND {
            return none(extended_ok);
        }
        let sel = link.send(&Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1C]))?;
        if sel.sw != StatusWord::OK {
            return none(extended_ok);
        }
        let r = link.send(&Command::new(0x00, 0xB0, 0x00, 0x00).with_le(256))?;
        if r.sw != StatusWord::OK && r.sw != StatusWord::END_OF_FILE {
            return none(extended_ok);
        }
        r.data
    };
    let Ok(h) = tlv::parse_header(&data) else {
        return none(extended_ok);
    };
    let total = h.total_len();
    while data.len() < total && data.len() <= 0x7FFF {
        let off = data.len() as u16;
        let want = (total - data.len()).min(256);
        let r = link.send(&Command::new(0x00, 0xB0, (off >> 8) as u8, off as u8).with_le(want))?;
        if r.data.is_empty() || (r.sw != StatusWord::OK && r.sw != StatusWord::END_OF_FILE) {
            break;
        }
        data.extend_from_slice(&r.data);
    }
    data.truncate(total);
    Ok(CardAccessRead {
        data: Some(data),
        extended_ok,
    })
}

fn run_pace<T: Transport, R: CryptoRng + ?Sized>(
    link: &mut Link<T>,
    params: pace::Params,
    password: Password,
    rng: &mut R,
) -> Result<SecureChannel, Error> {
    let mut t = pace::Terminal::new(params, password);
    let mse = link.send(&t.mse_set_at()?)?;
    if mse.sw != StatusWord::OK {
        // Some chips want the domain parameter id as well.
        expect_ok(link.send(&t.mse_set_at_with_parameter_id()?)?)?;
    }
    let r = expect_ok(link.send(&t.step1())?)?;
    let cmd = t.step2(&r, rng)?;
    let r = expect_ok(link.send(&cmd)?)?;
    let cmd = t.step3(&r, rng)?;
    let r = expect_ok(link.send(&cmd)?)?;
    let cmd = t.step4(&r)?;
    let r = expect_authenticated(link.send(&cmd)?)?;
    t.finish(&r)
}

fn run_bac<T: Transport, R: CryptoRng + ?Sized>(
    link: &mut Link<T>,
    key: &AccessKey,
    rng: &mut R,
) -> Result<SecureChannel, Error> {
    let AccessKey::Mrz {
        document_number,
        date_of_birth,
        date_of_expiry,
    } = key
    else {
        return Err(Error::MrzRequired);
    };
    let mut t = bac::Terminal::from_mrz(document_number, date_of_birth, date_of_expiry)?;
    let sel = link.send(&select_applet())?;
    if sel.sw != StatusWord::OK {
        return Err(status_error(sel.sw));
    }
    let challenge = expect_ok(link.send(&t.get_challenge_command())?)?;
    let cmd = t.external_authenticate(&challenge, rng)?;
    let answer = expect_authenticated(link.send(&cmd)?)?;
    t.finish(&answer)
}

impl<T: Transport> Session<T> {
    /// Opens a session: reads EF.CardAccess, runs PACE when announced (with the CAN or the
    /// MRZ as given), else BAC (MRZ only), and selects the eMRTD application under secure
    /// messaging. A wrong key gives [`Error::WrongAccessKey`]; a CAN on a card without PACE
    /// gives [`Error::MrzRequired`].
    pub fn open<R: CryptoRng + ?Sized>(
        transport: T,
        key: &AccessKey,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let password = key.password()?;
        let mut link = Link {
            transport,
            apdus: 0,
            bytes_sent: 0,
            bytes_received: 0,
        };
        let CardAccessRead {
            data: card_access,
            extended_ok,
        } = read_card_access(&mut link)?;
        let pace_params = card_access
            .as_deref()
            .and_then(|b| SecurityInfos::parse(b).ok())
            .and_then(|infos| {
                infos
                    .best_pace()
                    .and_then(|p| pace::Params::from_info(p).ok())
            });

        let (channel, protocol, select_needed) = match pace_params {
            Some(params) => {
                let cipher = params.cipher;
                let kind = password.kind();
                match run_pace(&mut link, params, password, rng) {
                    Ok(ch) => (
                        ch,
                        AccessProtocol::Pace {
                            cipher,
                            password: kind,
                        },
                        true,
                    ),
                    Err(
                        e @ (Error::WrongAccessKey
                        | Error::Transport(_)
                        | Error::ChipAuthenticationFailed),
                    ) => return Err(e),
                    Err(e) => match key {
                        AccessKey::Mrz { .. } => {
                            (run_bac(&mut link, key, rng)?, AccessProtocol::Bac, false)
                        }
                        AccessKey::Can(_) => return Err(e),
                    },
                }
            }
            None => {
                if let AccessKey::Can(_) = key {
                    // No PACE: a CAN cannot open this chip. Tell "not an ID card" (no eMRTD
                    // application) apart from "needs the MRZ".
                    let sel = link.send(&select_applet())?;
                    return Err(match sel.sw {
                        StatusWord::OK => Error::MrzRequired,
                        sw => status_error(sw),
                    });
                }
                (run_bac(&mut link, key, rng)?, AccessProtocol::Bac, false)
            }
        };
        let mut session = Session {
            link,
            channel,
            protocol,
            card_access,
            progress: None,
            chip_authenticated: false,
            read_limit: None,
        };
        if !extended_ok {
            session.read_limit = Some(max_plain_le(session.channel.cipher(), 256));
        }
        if select_needed {
            let r = session.transmit_secure(&select_applet())?;
            if r.sw != StatusWord::OK {
                return Err(status_error(r.sw));
            }
        }
        Ok(session)
    }

    /// How the session was opened.
    pub fn access_protocol(&self) -> AccessProtocol {
        self.protocol
    }
    /// EF.CardAccess as read in the clear, if the card has one.
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }
    /// Command APDUs sent so far (GET RESPONSE included).
    pub fn apdu_count(&self) -> u64 {
        self.link.apdus
    }
    /// Bytes sent to the card so far.
    pub fn bytes_sent(&self) -> u64 {
        self.link.bytes_sent
    }
    /// Bytes received from the card so far.
    pub fn bytes_received(&self) -> u64 {
        self.link.bytes_received
    }
    /// Whether Chip Authentication succeeded in this session.
    pub fn is_chip_authenticated(&self) -> bool {
        self.chip_authenticated
    }
    /// Sets a hook called after every chunk read by [`Session::read_file`].
    pub fn set_progress(&mut self, hook: impl FnMut(Progress) + Send + 'static) {
        self.progress = Some(Box::new(hook));
    }
    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.link.transport
    }

    /// Sends one plain command under secure messaging and returns the plain response.
    pub fn transmit_secure(&mut self, cmd: &Command) -> Result<Response, Error> {
        let wrapped = self.channel.wrap_command(cmd)?;
        // The wrapped command has CLA 0C, so Link's GET RESPONSE goes out with CLA 00.
        let resp = self.link.send(&wrapped)?;
        self.channel.unwrap_response(&resp)
    }

    /// The largest plain Le per READ BINARY for this transport and cipher.
    pub fn max_read_len(&self) -> usize {
        let caps = self.link.transport.capabilities();
        let cipher = self.channel.cipher();
        let computed = if caps.extended_length {
            let room = caps.max_response_len.saturating_sub(2).clamp(256, 65_536);
            max_plain_le(cipher, room).max(1)
        } else {
            max_plain_le(
                cipher,
                256.min(caps.max_response_len.saturating_sub(2)).max(32),
            )
            .max(1)
        };
        self.read_limit.map_or(computed, |l| l.min(computed))
    }

    fn read_binary(
        &mut self,
        sfi: Option<u8>,
        offset: usize,
        le: usize,
    ) -> Result<Response, Error> {
        if let (Some(sfi), 0) = (sfi, offset) {
            return self.transmit_secure(&Command::new(0x00, 0xB0, 0x80 | sfi, 0x00).with_le(le));
        }
        if offset <= 0x7FFF {
            return self.transmit_secure(
                &Command::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le),
            );
        }
        // Offsets beyond 15 bits: READ BINARY with odd INS, offset in DO'54, data in DO'53.
        let off = (offset as u32).to_be_bytes();
        let skip = off.iter().take(3).take_while(|b| **b == 0).count();
        // Le covers the DO'53 header too (up to 4 bytes), within the chunk limit.
        let le = (le + 4).min(self.max_read_len().max(5));
        let cmd = Command::new(0x00, 0xB1, 0x00, 0x00)
            .with_data(tlv::encode(0x54, off.get(skip..).unwrap_or(&[])))
            .with_le(le);
        let r = self.transmit_secure(&cmd)?;
        if r.data.is_empty() {
            return Ok(r);
        }
        let inner = tlv::parse_exact(&r.data).or_else(|_| tlv::parse(&r.data).map(|(t, _)| t))?;
        if inner.tag.0 != 0x53 {
            return Err(Error::MissingDo("53"));
        }
        Ok(Response {
            data: inner.value.to_vec(),
            sw: r.sw,
        })
    }

    /// Reads a whole elementary file under secure messaging: READ BINARY by short EF
    /// identifier (no SELECT) for `01xx` files, length from the first TLV header, then the
    /// largest chunks the transport allows. Files outside `0101..011F` are SELECTed first.
    /// Errors: [`Error::FileNotFound`] (6A82), [`Error::AccessDenied`] (6982).
    pub fn read_file(&mut self, fid: u16) -> Result<Vec<u8>, Error> {
        let max = self.max_read_len();
        let sfi = match fid {
            0x0101..=0x011F => Some((fid & 0x1F) as u8),
            _ => None,
        };
        if sfi.is_none() {
            let r = self.transmit_secure(
                &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec()),
            )?;
            if r.sw != StatusWord::OK {
                return Err(status_error(r.sw));
            }
        }
        let short = max_plain_le(self.channel.cipher(), 256);
        let mut max = max;
        // First read: as much as allowed. A chip that refuses the Le (an extended Le it
        // cannot serve, or an Le beyond the file's end) is asked again with a short Le, then
        // for the header only.
        let first = loop {
            let r = self.read_binary(sfi, 0, max)?;
            match r.sw {
                StatusWord::OK | StatusWord::END_OF_FILE => break r,
                StatusWord::SECURITY_STATUS_NOT_SATISFIED | StatusWord::FILE_NOT_FOUND => {
                    return Err(status_error(r.sw))
                }
                _ if max > short => {
                    max = short;
                    self.read_limit = Some(short);
                }
                _ if max > 8 => max = 8,
                sw => return Err(status_error(sw)),
            }
        };
        if max == 8 {
            max = short;
        }
        let mut data = first.data;
        let header = tlv::parse_header(&data)?;
        let total = header.total_len();
        self.report(fid, data.len().min(total), total);
        while data.len() < total {
            let want = (total - data.len()).min(max);
            let r = self.read_binary(sfi, data.len(), want)?;
            if r.sw != StatusWord::OK && r.sw != StatusWord::END_OF_FILE {
                if max > short && (r.sw == StatusWord::WRONG_LENGTH || r.sw.correct_le().is_some())
                {
                    max = short;
                    self.read_limit = Some(short);
                    continue;
                }
                return Err(status_error(r.sw));
            }
            if r.data.is_empty() {
                return Err(Error::Truncated("file shorter than its TLV header says"));
            }
            data.extend_from_slice(&r.data);
            self.report(fid, data.len().min(total), total);
        }
        data.truncate(total);
        Ok(data)
    }

    fn report(&mut self, fid: u16, read: usize, total: usize) {
        if let Some(hook) = self.progress.as_mut() {
            hook(Progress { fid, read, total });
        }
    }

    /// Chip Authentication v1 with DG14's key: sends the ephemeral key under the current
    /// secure messaging, switches to the new keys, and proves them by reading one byte of
    /// DG14. A chip without the private key fails with [`Error::ChipAuthenticationFailed`].
    pub fn chip_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        dg14: &[u8],
        rng: &mut R,
    ) -> Result<(), Error> {
        let t = ca::Terminal::from_dg14(dg14, rng)?;
        for cmd in t.commands()? {
            let r = self.transmit_secure(&cmd)?;
            if r.sw != StatusWord::OK {
                return Err(match r.sw {
                    StatusWord::SECURITY_STATUS_NOT_SATISFIED => Error::AccessDenied(r.sw),
                    sw => Error::Status(sw),
                });
            }
        }
        self.channel = t.new_channel()?;
        match self.transmit_secure(&Command::new(0x00, 0xB0, 0x8E, 0x00).with_le(1)) {
            Ok(r) if r.sw == StatusWord::OK || r.sw == StatusWord::END_OF_FILE => {
                self.chip_authenticated = true;
                Ok(())
            }
            Ok(_) | Err(Error::BadMac | Error::MissingDo(_) | Error::BadPadding) => {
                Err(Error::ChipAuthenticationFailed)
            }
            Err(e) => Err(e),
        }
    }

    /// Active Authentication: a random 8-byte challenge, INTERNAL AUTHENTICATE under
    /// secure messaging, and verification with DG15's key (ECDSA also needs DG14's
    /// ActiveAuthenticationInfo; pass DG14 when the card has it).
    pub fn active_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        dg15: &[u8],
        dg14: Option<&[u8]>,
        rng: &mut R,
    ) -> Result<(), Error> {
        let key = aa::parse_dg15(dg15)?;
        let infos = match dg14 {
            Some(d) => Some(SecurityInfos::parse_dg14(d)?),
            None => None,
        };
        let info = infos.as_ref().and_then(|i| i.active_authentication());
        let mut challenge = [0u8; 8];
        rng.fill_bytes(&mut challenge);
        let r = self.transmit_secure(&aa::internal_authenticate_command(&challenge))?;
        if r.sw != StatusWord::OK {
            return Err(status_error(r.sw));
        }
        aa::verify(&key, info, &challenge, &r.data)
    }
}
