//! One card read: open secure messaging, read the data groups with as few APDUs as the transport
//! allows, authenticate the chip, and verify everything against the SOD and the trust store.
//!
//! Order: SOD first (it lists the data groups present, so EF.COM is not needed), DG14, DG1 and
//! DG13 (the citizen), DG2 (the portrait, the largest file), DG15 with Active Authentication,
//! then Chip Authentication (a failed one breaks the channel, so it comes after the reads and its
//! result is reported with the data). Passive authentication runs last, on the bytes as read.

use crate::error::ReadError;
use crate::outcome::{
    AccessMethod, ActiveAuthStatus, ChipAuthStatus, PassiveStatus, Photo, ReadOutcome, ReadPhase,
    ReadStats, Verification,
};
use chrono::NaiveDate;
use icao9303::pace::PasswordKind;
use icao9303::{AccessKey, AccessProtocol, Session};
use iso7816::Transport;
use lds::{PaOutcome, TrustStore};
use rand_core::CryptoRng;
use std::collections::BTreeMap;
use std::time::Instant;

/// What to read and how to judge it.
#[derive(Debug, Clone)]
pub struct ReadOptions<'a> {
    /// CSCA trust anchors for passive authentication.
    pub trust: &'a TrustStore,
    /// Today's date (certificate validity), injected for testability.
    pub today: NaiveDate,
    /// Read the portrait (DG2), the largest file.
    pub read_photo: bool,
    /// Run Chip Authentication when DG14 offers it.
    pub chip_auth: bool,
    /// Run Active Authentication when DG15 is present.
    pub active_auth: bool,
}

impl<'a> ReadOptions<'a> {
    /// Everything on: portrait, chip and active authentication.
    pub fn full(trust: &'a TrustStore, today: NaiveDate) -> Self {
        ReadOptions { trust, today, read_photo: true, chip_auth: true, active_auth: true }
    }
}

const DG1: u8 = 1;
const DG2: u8 = 2;
const DG13: u8 = 13;
const DG14: u8 = 14;
const DG15: u8 = 15;

fn fid(dg: u8) -> u16 {
    0x0100 | u16::from(dg)
}

/// Reads and verifies the card on `transport` with `key`.
///
/// `on_phase` is called as each phase starts (for the UI's progress indicator). Errors that
/// stop the read (card removed, wrong key, not an ID card, unreadable citizen data) are
/// returned; failed verifications are not errors: they are in [`ReadOutcome::verification`].
pub fn read_card<T, R>(
    transport: T,
    key: &AccessKey,
    opts: &ReadOptions<'_>,
    rng: &mut R,
    on_phase: &mut dyn FnMut(ReadPhase),
) -> Result<ReadOutcome, ReadError>
where
    T: Transport,
    R: CryptoRng + ?Sized,
{
    let started = Instant::now();
    let mut stats = ReadStats::default();
    let mut mark = Instant::now();
    let mut lap = |stats: &mut ReadStats, phase: ReadPhase| {
        let now = Instant::now();
        stats.phase_ms.push((phase, (now - mark).as_secs_f64() * 1000.0));
        mark = now;
    };

    on_phase(ReadPhase::Access);
    let mut session = Session::open(transport, key, rng).map_err(ReadError::from_open)?;
    let access = match session.access_protocol() {
        AccessProtocol::Pace { password: PasswordKind::Can, .. } => AccessMethod::PaceCan,
        AccessProtocol::Pace { password: PasswordKind::Mrz, .. } => AccessMethod::PaceMrz,
        AccessProtocol::Bac => AccessMethod::Bac,
    };
    lap(&mut stats, ReadPhase::Access);

    on_phase(ReadPhase::ReadData);
    let sod = session.read_file(icao9303::session::EF_SOD).map_err(ReadError::from_read)?;
    // Data groups the SOD vouches for; when the SOD cannot be parsed, try the usual ones and
    // let passive authentication report the broken SOD.
    let listed: Vec<u8> = match lds::parse_sod(&sod) {
        Ok(s) => s.data_group_hashes.keys().copied().collect(),
        Err(_) => vec![DG1, DG2, DG13, DG14, DG15],
    };
    let mut dgs: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
    let mut reasons: Vec<String> = Vec::new();

    if listed.contains(&DG14) {
        let dg14 = session.read_file(fid(DG14)).map_err(ReadError::from_read)?;
        dgs.insert(DG14, dg14);
    }

    for dg in [DG1, DG13] {
        match session.read_file(fid(dg)) {
            Ok(bytes) => {
                dgs.insert(dg, bytes);
            }
            Err(icao9303::Error::FileNotFound) if dg == DG1 => {}
            Err(icao9303::Error::FileNotFound) => return Err(ReadError::NotVietnameseCard),
            Err(e) => return Err(ReadError::from_read(e)),
        }
    }
    lap(&mut stats, ReadPhase::ReadData);

    let mut photo = None;
    if opts.read_photo && listed.contains(&DG2) {
        on_phase(ReadPhase::ReadPhoto);
        let dg2 = session.read_file(fid(DG2)).map_err(ReadError::from_read)?;
        match lds::parse_dg2(&dg2) {
            Ok(faces) => {
                photo = faces.into_iter().next().map(|f| Photo {
                    format: match f.format {
                        lds::ImageFormat::Jpeg2000 => "jpeg2000".to_string(),
                        _ => "jpeg".to_string(),
                    },
                    bytes: f.data.len(),
                    data: f.data,
                })
            }
            Err(e) => reasons.push(format!("photo: ảnh chân dung không đọc được ({e})")),
        }
        dgs.insert(DG2, dg2);
        lap(&mut stats, ReadPhase::ReadPhoto);
    }

    let mut active_auth = ActiveAuthStatus::NotSupported;
    if listed.contains(&DG15) {
        let dg15 = session.read_file(fid(DG15)).map_err(ReadError::from_read)?;
        if opts.active_auth {
            active_auth = match session.active_authenticate(&dg15, dgs.get(&DG14).map(Vec::as_slice), rng) {
                Ok(()) => ActiveAuthStatus::Ok,
                Err(e @ icao9303::Error::Transport(_)) => return Err(ReadError::from_read(e)),
                Err(icao9303::Error::Unsupported(_)) => ActiveAuthStatus::NotSupported,
                Err(e) => {
                    reasons.push(format!("active_auth: {}", e.message_vi()));
                    ActiveAuthStatus::Failed
                }
            };
        }
        dgs.insert(DG15, dg15);
        lap(&mut stats, ReadPhase::ReadData);
    }
    // Chip Authentication last: a chip that cannot prove its key breaks the secure channel, so
    // everything else is read first and the clone suspicion is reported with the data.
    let mut chip_auth = ChipAuthStatus::NotSupported;
    if let (true, Some(dg14)) = (opts.chip_auth, dgs.get(&DG14)) {
        lap(&mut stats, ReadPhase::ReadData);
        on_phase(ReadPhase::ChipAuth);
        chip_auth = match session.chip_authenticate(dg14, rng) {
            Ok(()) => ChipAuthStatus::Ok,
            Err(icao9303::Error::ChipAuthenticationUnavailable(_)) => ChipAuthStatus::NotSupported,
            Err(e @ icao9303::Error::Transport(_)) => return Err(ReadError::from_read(e)),
            Err(e) => {
                reasons.push(format!("chip_auth: {}", e.message_vi()));
                ChipAuthStatus::Failed
            }
        };
        lap(&mut stats, ReadPhase::ChipAuth);
    }
    stats.apdus = session.apdu_count();
    stats.bytes_received = session.bytes_received();
    stats.bytes_sent = session.bytes_sent();
    stats.max_read_len = session.max_read_len();
    drop(session);

    on_phase(ReadPhase::Verify);
    let report = lds::passive_auth(&sod, &dgs, opts.trust, opts.today);
    let passive = match report.outcome {
        PaOutcome::Passed => PassiveStatus::Ok,
        PaOutcome::NoTrustAnchor => PassiveStatus::NoTrustAnchor,
        PaOutcome::Failed => PassiveStatus::Failed,
    };
    for r in &report.reasons {
        if r.code.is_failure() || r.code == lds::PaReasonCode::NoTrustAnchor {
            reasons.push(format!("{}: {}", r.code.code(), r.code.message_vi()));
        }
    }

    let dg13 = dgs.get(&DG13).ok_or(ReadError::NotVietnameseCard)?;
    let citizen = cccd::parse_dg13(dg13).map_err(|e| ReadError::CitizenData(e.to_string()))?;
    let mrz = match dgs.get(&DG1).map(|b| lds::parse_dg1(b)) {
        Some(Ok(m)) => m.lines,
        Some(Err(e)) => {
            reasons.push(format!("mrz: MRZ trong chip không đọc được ({e})"));
            Vec::new()
        }
        None => Vec::new(),
    };
    lap(&mut stats, ReadPhase::Verify);
    on_phase(ReadPhase::Done);

    Ok(ReadOutcome {
        access,
        citizen,
        mrz,
        photo,
        verification: Verification { passive, chip_auth, active_auth, reasons },
        apdus: u32::try_from(stats.apdus).unwrap_or(u32::MAX),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        stats,
        passive_report: Some(report),
    })
}
