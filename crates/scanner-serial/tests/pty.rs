//! A scanner simulated on a pseudo-terminal: the test writes a payload into the master side in
//! pieces, the scanner reads the slave side by its path.

use std::io::Write;
use std::sync::mpsc::channel;
use std::time::Duration;

use scanner_serial::{SerialError, SerialScanner};

#[test]
fn reads_payload_lines_from_a_pty() {
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let slave_path = nix::unistd::ttyname(&pty.slave).expect("ttyname");
    let (tx, rx) = channel();
    let scanner = SerialScanner::start(&slave_path, 115_200, move |l| tx.send(l).unwrap(), |_e: SerialError| {})
        .expect("open the pty as a serial port");
    let mut master = std::fs::File::from(pty.master);
    let payload = "001090123456|012345678|Nguyễn Văn Thử|15031990|Nam|Số 5, Phường Thử, Hà Nội|01062021";
    let bytes = payload.as_bytes();
    // Split inside a multi-byte character, with pauses longer than the read timeout.
    let cut = payload.find('ễ').unwrap() + 1;
    master.write_all(&bytes[..cut]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    master.write_all(&bytes[cut..]).unwrap();
    master.write_all(b"\r\n").unwrap();
    master.write_all(b"second\r").unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), payload);
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "second");
    scanner.stop();
}

#[test]
fn opening_a_missing_port_or_a_file_fails_clearly() {
    let e = SerialScanner::start(std::path::Path::new("/dev/ttyACM-none"), 9600, |_| {}, |_| {}).err().unwrap();
    assert_eq!(e.code(), "serial_open");
    let f = tempfile_path();
    let e = SerialScanner::start(&f, 9600, |_| {}, |_| {}).err().unwrap();
    assert_eq!(e.code(), "serial_not_tty");
    assert!(e.message_vi().contains("không phải cổng serial"));
    let _ = std::fs::remove_file(f);
}

fn tempfile_path() -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("not-a-tty-{}", std::process::id()));
    std::fs::write(&p, b"x").unwrap();
    p
}
