//! End-to-end tests of `Session` against an in-memory chip built from the crate's chip-side
//! state machines (no PC/SC). All data are synthetic specimens.

use icao9303::aa;
use icao9303::bac;
use icao9303::ca;
use icao9303::ec::Curve;
use icao9303::pace::{self, Password};
use icao9303::security_infos::{SecurityInfo, SecurityInfos};
use icao9303::session::{AccessProtocol, EF_DG1, EF_DG14, EF_DG15, EF_DG2};
use icao9303::sm::ChipChannel;
use icao9303::{AccessKey, Cipher, Error, Session};
use iso7816::{tlv, Capabilities, Command, Response, StatusWord, Transport, TransportError};
use rand_core::SeedableRng;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

type Rng = rand_chacha::ChaCha20Rng;

const CAN: &str = "123456";
const DOC: &str = "C01234567";
const DOB: &str = "900101";
const DOE: &str = "300101";

fn mrz_key() -> AccessKey {
    AccessKey::Mrz {
        document_number: DOC.into(),
        date_of_birth: DOB.into(),
        date_of_expiry: DOE.into(),
    }
}

struct FakeCard {
    files: BTreeMap<u16, Vec<u8>>,
    denied: Vec<u16>,
    card_access: Option<Vec<u8>>,
    pace: Option<pace::Chip>,
    bac: bac::Chip,
    ca: Option<ca::Chip>,
    aa: Option<aa::PrivateKey>,
    sm: Option<ChipChannel>,
    pending: Option<ChipChannel>,
    applet: bool,
    current: Option<u16>,
    caps: Capabilities,
    rng: Rng,
    oversize: bool,
    sfi_refused: bool,
    chip_max_le: Option<usize>,
    require_param_id: bool,
}

impl FakeCard {
    fn read(&self, fid: u16, offset: usize, le: usize) -> Response {
        if self.denied.contains(&fid) {
            return Response::status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(f) = self.files.get(&fid) else {
            return Response::status(StatusWord::FILE_NOT_FOUND);
        };
        if offset >= f.len() {
            return Response::status(StatusWord::WRONG_PARAMETERS);
        }
        let end = (offset + le).min(f.len());
        let sw = if offset + le > f.len() {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::OK
        };
        Response::new(f[offset..end].to_vec(), sw)
    }

    fn handle(&mut self, cmd: &Command, secure: bool) -> Response {
        let le = cmd.le.unwrap_or(0);
        match (cmd.ins, cmd.p1, cmd.p2) {
            (0xA4, 0x04, _) if cmd.data == session_aid() => {
                self.applet = true;
                Response::status(StatusWord::OK)
            }
            (0xA4, 0x02, _) => {
                let fid = u16::from_be_bytes([cmd.data[0], cmd.data[1]]);
                if (secure && self.files.contains_key(&fid)) || fid == 0x011C {
                    self.current = Some(fid);
                    Response::status(StatusWord::OK)
                } else {
                    Response::status(StatusWord::FILE_NOT_FOUND)
                }
            }
            (0xB0, _, _) if self.chip_max_le.is_some_and(|m| le > m) => {
                Response::status(StatusWord::WRONG_LENGTH)
            }
            (0xB0, p1, p2) => {
                let (fid, offset) = if p1 & 0x80 != 0 {
                    (0x0100 | u16::from(p1 & 0x1F), usize::from(p2))
                } else {
                    match self.current {
                        Some(f) => (f, usize::from(u16::from_be_bytes([p1, p2]))),
                        None => return Response::status(StatusWord::COMMAND_NOT_ALLOWED),
                    }
                };
                if fid == 0x011C && p1 & 0x80 != 0 && self.sfi_refused {
                    return Response::status(StatusWord::WRONG_P1P2);
                }
                if fid == 0x011C {
                    return match &self.card_access {
                        Some(ca) => {
                            let end = le.min(ca.len());
                            Response::new(
                                ca[..end].to_vec(),
                                if le > ca.len() {
                                    StatusWord::END_OF_FILE
                                } else {
                                    StatusWord::OK
                                },
                            )
                        }
                        None => Response::status(StatusWord::FILE_NOT_FOUND),
                    };
                }
                if !secure || !self.applet {
                    return Response::status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
                }
                self.current = Some(fid);
                self.read(fid, offset, le)
            }
            (0xB1, _, _) => {
                let off = tlv::find(&cmd.data, 0x54)
                    .unwrap()
                    .unwrap()
                    .value
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | usize::from(*b));
                let mut r = self.read(self.current.unwrap_or(0), off, le);
                // Shorten the data so that DO'53 with its header fits in Le.
                let mut wrapped = tlv::encode(0x53, &r.data);
                while wrapped.len() > le {
                    r.data.pop();
                    wrapped = tlv::encode(0x53, &r.data);
                }
                Response::new(wrapped, r.sw)
            }
            (0x84, _, _) if !secure && self.applet => Response::new(
                self.bac.get_challenge(&mut self.rng).to_vec(),
                StatusWord::OK,
            ),
            (0x82, _, _) if !secure => {
                match self.bac.external_authenticate(&cmd.data, &mut self.rng) {
                    Ok((data, ch)) => {
                        self.pending = Some(ch);
                        Response::new(data, StatusWord::OK)
                    }
                    Err(e) => Response::status(e.chip_status()),
                }
            }
            (0x22, 0xC1, 0xA4)
                if self.require_param_id && !cmd.data.windows(2).any(|w| w == [0x84, 0x01]) =>
            {
                Response::status(StatusWord::WRONG_DATA)
            }
            (0x22, 0xC1, 0xA4) if !secure => match self.pace.as_mut() {
                Some(p) => match p.mse_set_at(&cmd.data) {
                    Ok(()) => Response::status(StatusWord::OK),
                    Err(e) => Response::status(e.chip_status()),
                },
                None => Response::status(StatusWord::INS_NOT_SUPPORTED),
            },
            (0x86, _, _) if !secure => match self.pace.as_mut() {
                Some(p) => match p.general_authenticate(&cmd.data, &mut self.rng) {
                    Ok(step) => {
                        if step.channel.is_some() {
                            self.pending = step.channel;
                        }
                        Response::new(step.response_data, StatusWord::OK)
                    }
                    Err(e) => Response::status(e.chip_status()),
                },
                None => Response::status(StatusWord::INS_NOT_SUPPORTED),
            },
            (0x22, 0x41, 0xA6) if secure => {
                match self.ca.as_mut().map(|c| c.mse_set_kat(&cmd.data)) {
                    Some(Ok(ch)) => {
                        self.pending = Some(ch);
                        Response::status(StatusWord::OK)
                    }
                    _ => Response::status(StatusWord::WRONG_DATA),
                }
            }
            (0x22, 0x41, 0xA4) if secure => match self.ca.as_mut().map(|c| c.mse_set_at(&cmd.data))
            {
                Some(Ok(())) => Response::status(StatusWord::OK),
                _ => Response::status(StatusWord::REFERENCED_DATA_NOT_FOUND),
            },
            (0x86, _, _) if secure => {
                match self.ca.as_mut().map(|c| c.general_authenticate(&cmd.data)) {
                    Some(Ok((data, ch))) => {
                        self.pending = Some(ch);
                        Response::new(data, StatusWord::OK)
                    }
                    _ => Response::status(StatusWord::WRONG_DATA),
                }
            }
            (0x88, _, _) if secure => match &self.aa {
                Some(k) => Response::new(
                    aa::sign(k, &cmd.data, &mut self.rng).unwrap(),
                    StatusWord::OK,
                ),
                None => Response::status(StatusWord::INS_NOT_SUPPORTED),
            },
            _ => Response::status(StatusWord::INS_NOT_SUPPORTED),
        }
    }
}

fn session_aid() -> Vec<u8> {
    icao9303::session::EMRTD_AID.to_vec()
}

impl Transport for FakeCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if command.len() > self.caps.max_command_len {
            self.oversize = true;
            return Ok(StatusWord::WRONG_LENGTH.to_bytes().to_vec());
        }
        let Ok(cmd) = Command::parse(command) else {
            return Ok(StatusWord::WRONG_LENGTH.to_bytes().to_vec());
        };
        if cmd.is_extended() && !self.caps.extended_length {
            self.oversize = true;
            return Ok(StatusWord::WRONG_LENGTH.to_bytes().to_vec());
        }
        let out = if cmd.cla & 0x0C == 0x0C {
            let Some(ch) = self.sm.as_mut() else {
                return Ok(StatusWord::SM_DO_MISSING.to_bytes().to_vec());
            };
            let plain = match ch.unwrap_command(&cmd) {
                Ok(p) => p,
                Err(e) => {
                    self.sm = None;
                    return Ok(e.chip_status().to_bytes().to_vec());
                }
            };
            let resp = self.handle(&plain, true);
            let wrapped = self.sm.as_mut().unwrap().wrap_response(&resp).unwrap();
            if let Some(p) = self.pending.take() {
                self.sm = Some(p);
            }
            wrapped.to_bytes()
        } else {
            self.sm = None;
            let resp = self.handle(&cmd, false);
            if let Some(p) = self.pending.take() {
                self.sm = Some(p);
            }
            resp.to_bytes()
        };
        if out.len() > self.caps.max_response_len {
            self.oversize = true;
            return Ok(StatusWord::WRONG_LENGTH.to_bytes().to_vec());
        }
        Ok(out)
    }
    fn capabilities(&self) -> Capabilities {
        self.caps
    }
}

struct Spec {
    pace: Option<(Cipher, Curve)>,
    chip_knows_mrz: bool,
    extended: bool,
    ca: Option<Cipher>,
    clone: bool,
    dg2_len: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            pace: Some((Cipher::Aes128, Curve::BrainpoolP256r1)),
            chip_knows_mrz: true,
            extended: false,
            ca: Some(Cipher::Aes128),
            clone: false,
            dg2_len: 20_000,
        }
    }
}

fn card(spec: Spec, seed: u64) -> FakeCard {
    let mut rng = Rng::seed_from_u64(seed);
    let mut files = BTreeMap::new();
    files.insert(
        0x011E,
        tlv::encode(0x60, &tlv::encode(0x5C, &[0x61, 0x75, 0x6D, 0x6E, 0x6F])),
    );
    files.insert(EF_DG1, tlv::encode(0x61, &tlv::encode(0x5F1F, b"IDVNMC01234567<<<<<<<<<<<<<<<<9001011M3001014VNM<<<<<<<<<<<8NGUYEN<<VAN<A<<<<<<<<<<<<<<<<")));
    let dg2_body: Vec<u8> = (0..spec.dg2_len).map(|i| (i * 7 + 3) as u8).collect();
    files.insert(EF_DG2, tlv::encode(0x75, &dg2_body));
    files.insert(0x010D, tlv::encode(0x6D, b"synthetic DG13"));
    let mut ca_chip = None;
    if let Some(cipher) = spec.ca {
        let genuine = ca::Chip::generate(Curve::BrainpoolP256r1, cipher, &mut rng);
        let dg14 = SecurityInfos(vec![
            SecurityInfo::ChipAuthentication(genuine.info()),
            SecurityInfo::ChipAuthenticationPublicKey(genuine.public_key_info().unwrap()),
        ])
        .to_dg14()
        .unwrap();
        files.insert(EF_DG14, dg14);
        ca_chip = Some(if spec.clone {
            ca::Chip::generate(Curve::BrainpoolP256r1, cipher, &mut rng)
        } else {
            genuine
        });
    }
    let aa_key = aa::PrivateKey::Ec {
        curve: Curve::NistP256,
        scalar: Curve::NistP256.random_scalar(&mut rng),
    };
    files.insert(EF_DG15, aa_key.dg15().unwrap());
    let (pace_chip, card_access) = match spec.pace {
        Some((cipher, curve)) => {
            let params = pace::Params::new(cipher, curve);
            let infos = SecurityInfos(vec![SecurityInfo::Pace(params.to_info())]);
            let mut pw = vec![Password::can(CAN).unwrap()];
            if spec.chip_knows_mrz {
                pw.push(Password::mrz(DOC, DOB, DOE).unwrap());
            }
            (
                Some(pace::Chip::new(vec![params], pw)),
                Some(infos.to_der().unwrap()),
            )
        }
        None => (None, None),
    };
    let caps = if spec.extended {
        Capabilities {
            extended_length: true,
            max_command_len: 65_544,
            max_response_len: 65_538,
        }
    } else {
        Capabilities::default()
    };
    FakeCard {
        files,
        denied: vec![0x0103],
        card_access,
        pace: pace_chip,
        bac: bac::Chip::from_mrz(DOC, DOB, DOE).unwrap(),
        ca: ca_chip,
        aa: Some(aa_key),
        sm: None,
        pending: None,
        applet: false,
        current: None,
        caps,
        rng,
        oversize: false,
        sfi_refused: false,
        chip_max_le: None,
        require_param_id: false,
    }
}

#[test]
fn pace_can_reads_files_with_fewest_short_apdus() {
    let c = card(Spec::default(), 1);
    let dg2 = c.files[&EF_DG2].clone();
    let dg1 = c.files[&EF_DG1].clone();
    let mut rng = Rng::seed_from_u64(100);
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert_eq!(
        s.access_protocol(),
        AccessProtocol::Pace {
            cipher: Cipher::Aes128,
            password: pace::PasswordKind::Can
        }
    );
    assert!(s.card_access().is_some());
    assert_eq!(s.max_read_len(), 0xDF);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    s.set_progress(move |p| sink.lock().unwrap().push(p));
    let before = s.apdu_count();
    assert_eq!(s.read_file(EF_DG1).unwrap(), dg1);
    assert_eq!(s.apdu_count() - before, 1, "DG1 fits one READ BINARY");
    let before = s.apdu_count();
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
    assert_eq!(s.apdu_count() - before, dg2.len().div_ceil(0xDF) as u64);
    let progress = seen.lock().unwrap();
    let last = progress.last().unwrap();
    assert_eq!(
        (last.fid, last.read, last.total),
        (EF_DG2, dg2.len(), dg2.len())
    );
    assert!(progress
        .windows(2)
        .all(|w| w[0].fid != w[1].fid || w[0].read < w[1].read));
    assert!(s.bytes_received() > dg2.len() as u64);
    assert!(!s.into_transport().oversize);
}

#[test]
fn extended_length_reads_large_file_in_one_apdu() {
    let c = card(
        Spec {
            extended: true,
            dg2_len: 30_000,
            ..Spec::default()
        },
        2,
    );
    let dg2 = c.files[&EF_DG2].clone();
    let mut rng = Rng::seed_from_u64(101);
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    let before = s.apdu_count();
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
    assert_eq!(s.apdu_count() - before, 1);
    assert!(!s.into_transport().oversize);
}

#[test]
fn tdes_pace_on_p256_uses_tdes_chunks() {
    let c = card(
        Spec {
            pace: Some((Cipher::Tdes, Curve::NistP256)),
            dg2_len: 1000,
            ..Spec::default()
        },
        3,
    );
    let dg2 = c.files[&EF_DG2].clone();
    let mut rng = Rng::seed_from_u64(102);
    let mut s = Session::open(c, &mrz_key(), &mut rng).unwrap();
    assert_eq!(
        s.access_protocol(),
        AccessProtocol::Pace {
            cipher: Cipher::Tdes,
            password: pace::PasswordKind::Mrz
        }
    );
    assert_eq!(s.max_read_len(), 0xE7);
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
}

#[test]
fn wrong_can_is_reported() {
    let mut rng = Rng::seed_from_u64(103);
    let err = Session::open(
        card(Spec::default(), 4),
        &AccessKey::Can("654321".into()),
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(err, Error::WrongAccessKey);
    assert_eq!(err.code(), "wrong_access_key");
    assert!(err.message_vi().contains("CAN"));
    assert_eq!(
        Session::open(
            card(Spec::default(), 4),
            &AccessKey::Can("12345".into()),
            &mut rng
        )
        .unwrap_err(),
        Error::InvalidCan
    );
}

#[test]
fn bac_when_no_pace_and_can_needs_mrz() {
    let mut rng = Rng::seed_from_u64(104);
    let c = card(
        Spec {
            pace: None,
            ca: Some(Cipher::Tdes),
            ..Spec::default()
        },
        5,
    );
    let dg1 = c.files[&EF_DG1].clone();
    let mut s = Session::open(c, &mrz_key(), &mut rng).unwrap();
    assert_eq!(s.access_protocol(), AccessProtocol::Bac);
    assert_eq!(s.read_file(EF_DG1).unwrap(), dg1);
    let dg14 = s.read_file(EF_DG14).unwrap();
    s.chip_authenticate(&dg14, &mut rng).unwrap();
    assert!(s.is_chip_authenticated());
    assert_eq!(s.read_file(EF_DG1).unwrap(), dg1);

    let c = card(
        Spec {
            pace: None,
            ..Spec::default()
        },
        5,
    );
    assert_eq!(
        Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap_err(),
        Error::MrzRequired
    );
    let c = card(
        Spec {
            pace: None,
            ..Spec::default()
        },
        5,
    );
    let wrong = AccessKey::Mrz {
        document_number: DOC.into(),
        date_of_birth: "900102".into(),
        date_of_expiry: DOE.into(),
    };
    assert_eq!(
        Session::open(c, &wrong, &mut rng).unwrap_err(),
        Error::WrongAccessKey
    );
}

#[test]
fn pace_refused_for_mrz_falls_back_to_bac() {
    let mut rng = Rng::seed_from_u64(105);
    let c = card(
        Spec {
            chip_knows_mrz: false,
            ..Spec::default()
        },
        6,
    );
    let s = Session::open(c, &mrz_key(), &mut rng).unwrap();
    assert_eq!(s.access_protocol(), AccessProtocol::Bac);
}

#[test]
fn chip_and_active_authentication() {
    let mut rng = Rng::seed_from_u64(106);
    let c = card(Spec::default(), 7);
    let dg1 = c.files[&EF_DG1].clone();
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    let dg14 = s.read_file(EF_DG14).unwrap();
    let dg15 = s.read_file(EF_DG15).unwrap();
    s.chip_authenticate(&dg14, &mut rng).unwrap();
    assert_eq!(
        s.read_file(EF_DG1).unwrap(),
        dg1,
        "secure messaging goes on with the new keys"
    );
    s.active_authenticate(&dg15, Some(&dg14), &mut rng).unwrap();
    // A DG15 of another key does not verify.
    let other = aa::PrivateKey::Ec {
        curve: Curve::NistP256,
        scalar: Curve::NistP256.random_scalar(&mut rng),
    };
    assert_eq!(
        s.active_authenticate(&other.dg15().unwrap(), Some(&dg14), &mut rng),
        Err(Error::ActiveAuthenticationFailed)
    );
}

#[test]
fn cloned_chip_fails_chip_authentication() {
    let mut rng = Rng::seed_from_u64(107);
    let c = card(
        Spec {
            clone: true,
            ..Spec::default()
        },
        8,
    );
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    let dg14 = s.read_file(EF_DG14).unwrap();
    assert_eq!(
        s.chip_authenticate(&dg14, &mut rng),
        Err(Error::ChipAuthenticationFailed)
    );
    assert!(!s.is_chip_authenticated());
}

#[test]
fn protected_and_missing_files() {
    let mut rng = Rng::seed_from_u64(108);
    let mut s = Session::open(
        card(Spec::default(), 9),
        &AccessKey::Can(CAN.into()),
        &mut rng,
    )
    .unwrap();
    assert!(matches!(s.read_file(0x0103), Err(Error::AccessDenied(_))));
    // DG3's refusal is itself protected, so the session goes on.
    assert!(s.read_file(EF_DG1).is_ok());
    assert_eq!(s.read_file(0x010B), Err(Error::FileNotFound));
}

#[test]
fn card_access_by_select_when_sfi_is_refused() {
    let mut rng = Rng::seed_from_u64(109);
    let mut c = card(Spec::default(), 10);
    c.sfi_refused = true;
    let s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert!(matches!(s.access_protocol(), AccessProtocol::Pace { .. }));
}

/// A T=0-style link: every response with data comes back as 61xx, then GET RESPONSE in
/// slices of at most the Le asked.
struct T0 {
    inner: FakeCard,
    pending: Vec<u8>,
    sw: [u8; 2],
    get_responses: usize,
}

impl Transport for T0 {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if command.get(1) == Some(&0xC0) {
            self.get_responses += 1;
            let le = match command.get(4) {
                Some(0) | None => 256,
                Some(n) => usize::from(*n),
            };
            let n = le.min(self.pending.len());
            let mut out: Vec<u8> = self.pending.drain(..n).collect();
            if self.pending.is_empty() {
                out.extend_from_slice(&self.sw);
            } else {
                out.extend_from_slice(&[0x61, self.pending.len().min(256) as u8]);
            }
            return Ok(out);
        }
        let r = self.inner.transmit(command)?;
        if r.len() <= 2 {
            return Ok(r);
        }
        let (data, sw) = r.split_at(r.len() - 2);
        self.pending = data.to_vec();
        self.sw = [sw[0], sw[1]];
        Ok(vec![0x61, self.pending.len().min(256) as u8])
    }
}

#[test]
fn get_response_is_followed_under_secure_messaging() {
    let mut rng = Rng::seed_from_u64(110);
    let c = card(
        Spec {
            dg2_len: 700,
            ..Spec::default()
        },
        11,
    );
    let dg2 = c.files[&EF_DG2].clone();
    let t0 = T0 {
        inner: c,
        pending: Vec::new(),
        sw: [0x90, 0],
        get_responses: 0,
    };
    let mut s = Session::open(t0, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
    let t0 = s.into_transport();
    assert!(t0.get_responses > 4);
}

#[test]
fn chip_refusing_large_le_gets_short_reads() {
    let mut rng = Rng::seed_from_u64(111);
    let mut c = card(
        Spec {
            extended: true,
            dg2_len: 5_000,
            ..Spec::default()
        },
        12,
    );
    c.chip_max_le = Some(1_000);
    let dg2 = c.files[&EF_DG2].clone();
    // The extended Le of the clear EF.CardAccess read is refused: the session never risks an
    // extended Le under secure messaging (where a refusal would close the channel).
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert_eq!(s.max_read_len(), 0xDF);
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
    assert_eq!(s.max_read_len(), 0xDF);
}

#[test]
fn mse_set_at_is_retried_with_the_parameter_id() {
    let mut rng = Rng::seed_from_u64(112);
    let mut c = card(Spec::default(), 13);
    c.require_param_id = true;
    let s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert!(matches!(s.access_protocol(), AccessProtocol::Pace { .. }));
}

#[test]
fn offsets_beyond_32k_use_odd_read_binary() {
    let mut rng = Rng::seed_from_u64(113);
    let c = card(
        Spec {
            dg2_len: 40_000,
            ..Spec::default()
        },
        14,
    );
    let dg2 = c.files[&EF_DG2].clone();
    let mut s = Session::open(c, &AccessKey::Can(CAN.into()), &mut rng).unwrap();
    assert_eq!(s.read_file(EF_DG2).unwrap(), dg2);
    assert!(!s.into_transport().oversize);
}
