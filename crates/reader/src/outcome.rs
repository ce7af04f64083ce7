use cccd::Citizen;
use serde::{Deserialize, Serialize};

/// How access to the chip was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessMethod {
    #[serde(rename = "PACE-CAN")]
    PaceCan,
    #[serde(rename = "PACE-MRZ")]
    PaceMrz,
    #[serde(rename = "BAC")]
    Bac,
}

/// Passive authentication: SOD signature, Document Signer chained to a trusted CSCA, DG hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassiveStatus {
    Ok,
    Failed,
    NoTrustAnchor,
}

/// Chip authentication (DG14): proves the chip holds the private key, i.e. is not a clone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChipAuthStatus {
    Ok,
    Failed,
    NotSupported,
}

/// Active authentication (DG15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActiveAuthStatus {
    Ok,
    Failed,
    NotSupported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub passive: PassiveStatus,
    pub chip_auth: ChipAuthStatus,
    pub active_auth: ActiveAuthStatus,
    /// Plain-language reasons for every check that did not pass.
    pub reasons: Vec<String>,
}

impl Verification {
    /// Read and verified: passive authentication succeeded and no authentication failed.
    pub fn is_verified(&self) -> bool {
        self.passive == PassiveStatus::Ok
            && self.chip_auth != ChipAuthStatus::Failed
            && self.active_auth != ActiveAuthStatus::Failed
    }
}

/// The portrait from DG2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    /// "jpeg" or "jpeg2000".
    pub format: String,
    /// Size of the image in bytes.
    pub bytes: usize,
    /// The image itself; not part of the JSON contract.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Counters and timings of one read (for benchmarks and logs; not in the JSON contract).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadStats {
    pub apdus: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// The largest READ BINARY chunk the session used.
    pub max_read_len: usize,
    /// Wall time per phase, in milliseconds, in order.
    pub phase_ms: Vec<(ReadPhase, f64)>,
}

/// Everything one card read produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadOutcome {
    pub access: AccessMethod,
    pub citizen: Citizen,
    pub mrz: Vec<String>,
    pub photo: Option<Photo>,
    pub verification: Verification,
    /// Command APDUs sent for the whole read.
    pub apdus: u32,
    /// Wall time of the whole read in milliseconds.
    pub ms: u64,
    /// Counters and per-phase timings.
    #[serde(skip)]
    pub stats: ReadStats,
    /// The full passive-authentication report (certificates, per-DG hashes).
    #[serde(skip)]
    pub passive_report: Option<lds::PassiveAuthReport>,
}

/// Phases of a read, reported as progress to the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadPhase {
    Connect,
    Access,
    ReadData,
    ReadPhoto,
    ChipAuth,
    Verify,
    Done,
}
