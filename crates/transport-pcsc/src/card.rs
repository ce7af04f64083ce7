use iso7816::{Capabilities, Transport, TransportError};

use crate::atr::{self, AtrInfo};
use crate::error::{transport_error, PcscError};

/// Largest response APDU with extended length: 65536 data bytes + SW1 SW2.
const MAX_EXTENDED_RESPONSE: usize = 65536 + 2;

/// A card connected through PC/SC (shared mode). Implements [`Transport`]; every command is sent
/// as is (no GET RESPONSE / 61xx handling: ICAO cards answer in one response).
pub struct PcscCard {
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
    caps: Capabilities,
    buf: Vec<u8>,
}

impl PcscCard {
    pub(crate) fn new(card: pcsc::Card, reader: String) -> Result<Self, PcscError> {
        let atr = card.status2_owned().map(|s| s.atr().to_vec())?;
        Ok(Self {
            card,
            reader,
            atr,
            caps: Capabilities::default(),
            buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader this card sits in.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR as PC/SC reports it.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// What the ATR says (historical bytes, declared extended-length support).
    pub fn atr_info(&self) -> Option<AtrInfo> {
        atr::parse(&self.atr)
    }

    /// Overrides the capabilities (for example from a saved reader profile).
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.caps = caps;
    }

    /// Finds out whether extended-length APDUs pass end to end and records the answer in
    /// [`Transport::capabilities`]. When the ATR's card-capabilities object says "no", that is
    /// the answer; otherwise one probe read is sent: READ BINARY of EF.CardAccess (short EF
    /// 1C) with an extended Le. A reader that cannot carry it fails the exchange or mangles the
    /// APDU (the card then answers 6700); any other status word proves the path. Call it before
    /// selecting the eMRTD application (it changes the current file of the MF).
    pub fn detect_capabilities(&mut self) -> Result<Capabilities, TransportError> {
        let declared = self.atr_info().and_then(|a| a.extended_length);
        let extended = match declared {
            Some(false) => false,
            _ => self.probe_extended_length()?,
        };
        self.caps = if extended { extended_capabilities() } else { Capabilities::default() };
        Ok(self.caps)
    }

    /// Sends the probe read (see [`PcscCard::detect_capabilities`]) without recording anything.
    /// Only `CardRemoved` / `ReaderUnavailable` are reported as errors; a failed exchange of any
    /// other kind means "no".
    pub fn probe_extended_length(&mut self) -> Result<bool, TransportError> {
        const PROBE: [u8; 7] = [0x00, 0xB0, 0x9C, 0x00, 0x00, 0x00, 0x00];
        match self.card.transmit(&PROBE, &mut self.buf) {
            Ok(resp) if resp.len() >= 2 => {
                let sw = &resp[resp.len() - 2..];
                Ok(!(sw == [0x67, 0x00] || sw[0] == 0x6C))
            }
            Ok(_) => Ok(false),
            Err(e) => match transport_error(e) {
                err @ (TransportError::CardRemoved | TransportError::ReaderUnavailable) => Err(err),
                _ => Ok(false),
            },
        }
    }

    /// Starts an exclusive transaction: no other program can talk to the card until the
    /// returned value is dropped. Use it around a whole read (secure messaging keeps state).
    pub fn transaction(&mut self) -> Result<CardTransaction<'_>, TransportError> {
        let PcscCard { card, buf, caps, .. } = self;
        let tx = card.transaction().map_err(transport_error)?;
        Ok(CardTransaction { tx, buf, caps: *caps })
    }

    /// Resets the card (cold state: no application selected, no secure messaging) and stays
    /// connected.
    pub fn reset(&mut self) -> Result<(), TransportError> {
        self.card
            .reconnect(pcsc::ShareMode::Shared, pcsc::Protocols::ANY, pcsc::Disposition::ResetCard)
            .map_err(transport_error)
    }
}

fn extended_capabilities() -> Capabilities {
    Capabilities {
        extended_length: true,
        max_command_len: pcsc::MAX_BUFFER_SIZE_EXTENDED,
        max_response_len: MAX_EXTENDED_RESPONSE,
    }
}

fn transmit(card: &pcsc::Card, buf: &mut [u8], command: &[u8]) -> Result<Vec<u8>, TransportError> {
    if command.len() < 4 {
        return Err(TransportError::Other(format!("command APDU of {} bytes", command.len())));
    }
    let resp = card.transmit(command, buf).map_err(transport_error)?;
    if resp.len() < 2 {
        // A response without status word: the card went away in the middle of answering.
        return Err(TransportError::CardRemoved);
    }
    Ok(resp.to_vec())
}

impl Transport for PcscCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(&self.card, &mut self.buf, command)
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }
}

/// An exclusive transaction on a [`PcscCard`]; ends (leaving the card as it is) when dropped.
pub struct CardTransaction<'a> {
    tx: pcsc::Transaction<'a>,
    buf: &'a mut Vec<u8>,
    caps: Capabilities,
}

impl Transport for CardTransaction<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(&self.tx, self.buf, command)
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }
}
