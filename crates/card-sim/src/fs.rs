//! The card's files and their access rules.

use std::collections::BTreeMap;

/// File identifiers of the eMRTD application and the MF.
pub mod fid {
    /// EF.CardAccess (in the MF, readable without authentication).
    pub const CARD_ACCESS: u16 = 0x011C;
    /// EF.COM.
    pub const COM: u16 = 0x011E;
    /// EF.SOD.
    pub const SOD: u16 = 0x011D;

    /// EF.DGn.
    pub const fn dg(n: u8) -> u16 {
        0x0100 | n as u16
    }
}

/// Short EF identifier → file identifier, for READ BINARY with P1 bit 8 set.
pub(crate) fn short_ef(in_applet: bool, sfi: u8) -> Option<u16> {
    match (in_applet, sfi) {
        (false, 0x1C) => Some(fid::CARD_ACCESS),
        (true, 0x1E) => Some(fid::COM),
        (true, 0x1D) => Some(fid::SOD),
        (true, 1..=16) => Some(fid::dg(sfi)),
        _ => None,
    }
}

/// What happens when a file is selected or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Data(Vec<u8>),
    /// Present but protected by a mechanism this card never grants (e.g. DG3 behind EAC-TA).
    Denied,
}

/// The files of a personalized card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// Files in the MF (EF.CardAccess).
    pub(crate) mf: BTreeMap<u16, Entry>,
    /// Files in the eMRTD application.
    pub(crate) applet: BTreeMap<u16, Entry>,
}

impl Files {
    /// Sets a file in the MF.
    pub fn set_mf(&mut self, fid: u16, data: Vec<u8>) {
        self.mf.insert(fid, Entry::Data(data));
    }

    /// Sets a file in the eMRTD application.
    pub fn set(&mut self, fid: u16, data: Vec<u8>) {
        self.applet.insert(fid, Entry::Data(data));
    }

    /// Makes a file present but never readable (SELECT / READ → 6982).
    pub fn deny(&mut self, fid: u16) {
        self.applet.insert(fid, Entry::Denied);
    }

    /// Removes a file (→ 6A82).
    pub fn remove(&mut self, fid: u16) {
        self.applet.remove(&fid);
    }

    /// Contents of an application file.
    pub fn get(&self, fid: u16) -> Option<&[u8]> {
        match self.applet.get(&fid) {
            Some(Entry::Data(d)) => Some(d),
            _ => None,
        }
    }

    /// Contents of an MF file.
    pub fn get_mf(&self, fid: u16) -> Option<&[u8]> {
        match self.mf.get(&fid) {
            Some(Entry::Data(d)) => Some(d),
            _ => None,
        }
    }

    /// Mutable contents of an application file (to tamper with it).
    pub fn get_mut(&mut self, fid: u16) -> Option<&mut Vec<u8>> {
        match self.applet.get_mut(&fid) {
            Some(Entry::Data(d)) => Some(d),
            _ => None,
        }
    }
}
