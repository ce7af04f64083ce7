//! The vpcd bridge against a fake vpcd (a TCP listener on an ephemeral port): framing, control
//! codes, removal after N APDUs, re-insertion, latency. No pcscd needed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use card_sim::{spawn_vpcd, SmartCard, VpcdOptions};

/// Echoes the APDU back with 9000; counts resets.
struct Echo {
    resets: u32,
}

impl SmartCard for Echo {
    fn atr(&self) -> Vec<u8> {
        card_sim::contactless_atr(b"ECHO")
    }
    fn reset(&mut self) {
        self.resets += 1;
    }
    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let mut r = apdu.to_vec();
        r.extend_from_slice(&[0x90, 0x00]);
        r
    }
}

fn send(s: &mut TcpStream, payload: &[u8]) {
    let mut f = (payload.len() as u16).to_be_bytes().to_vec();
    f.extend_from_slice(payload);
    s.write_all(&f).expect("write");
}

fn recv(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len).ok()?;
    let mut p = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut p).ok()?;
    Some(p)
}

fn accept(l: &TcpListener) -> TcpStream {
    let (s, _) = l.accept().expect("bridge connects");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    s
}

#[test]
fn frames_control_codes_removal_and_reinsert() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = spawn_vpcd(
        Echo { resets: 0 },
        VpcdOptions { addr, remove_after: Some(2), ..VpcdOptions::default() },
    );
    let mut s = accept(&listener);
    send(&mut s, &[4]);
    assert_eq!(recv(&mut s).expect("ATR"), card_sim::contactless_atr(b"ECHO"));
    assert!(!handle.is_connected(), "not in the reader before power-on");
    send(&mut s, &[1]);
    send(&mut s, &[0x00, 0xB0, 0x00, 0x00, 0x04]);
    assert_eq!(recv(&mut s).expect("answer"), [0x00, 0xB0, 0x00, 0x00, 0x04, 0x90, 0x00]);
    assert!(handle.wait_connected(Duration::from_secs(2)));
    let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    send(&mut s, &big);
    assert_eq!(recv(&mut s).expect("extended answer").len(), 5002);
    // Third APDU: the card is pulled away, no answer, connection closed.
    send(&mut s, &[0x00, 0x84, 0x00, 0x00, 0x08]);
    assert_eq!(recv(&mut s), None);
    let t0 = Instant::now();
    while handle.is_connected() && t0.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!handle.is_connected());
    assert_eq!(handle.apdu_count(), 2);

    // It stays out until inserted again (one-shot fault), then answers normally.
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::sleep(Duration::from_millis(300));
    assert!(listener.accept().is_err(), "no reconnection before insert()");
    listener.set_nonblocking(false).expect("blocking");
    handle.insert();
    let mut s = accept(&listener);
    send(&mut s, &[1]);
    for _ in 0..5 {
        send(&mut s, &[0x00, 0xB0, 0x00, 0x00, 0x01]);
        assert!(recv(&mut s).is_some());
    }
    assert_eq!(handle.insertions(), 2);
    assert!(handle.with_card(|c| c.resets) >= 2);

    // Latency applies per APDU.
    handle.set_latency(Duration::from_millis(60));
    let t0 = Instant::now();
    send(&mut s, &[0x00, 0xB0, 0x00, 0x00, 0x01]);
    assert!(recv(&mut s).is_some());
    assert!(t0.elapsed() >= Duration::from_millis(60));

    // remove(): the connection closes.
    handle.set_latency(Duration::ZERO);
    handle.remove();
    assert_eq!(recv(&mut s), None);
    handle.stop();
}

#[test]
fn power_off_before_power_on_makes_the_bridge_reconnect() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = spawn_vpcd(Echo { resets: 0 }, VpcdOptions { addr, ..VpcdOptions::default() });
    let mut s = accept(&listener);
    send(&mut s, &[4]);
    recv(&mut s).expect("ATR");
    send(&mut s, &[0]);
    assert_eq!(recv(&mut s), None, "the bridge leaves");
    let mut s = accept(&listener);
    send(&mut s, &[1]);
    send(&mut s, &[0x00, 0xB0, 0x00, 0x00, 0x01]);
    assert!(recv(&mut s).is_some());
    assert!(handle.is_connected());
    handle.stop();
}
