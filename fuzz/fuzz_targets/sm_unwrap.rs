//! Fuzzes secure-messaging unwrapping on both sides with fixed keys: arbitrary responses to
//! the terminal and arbitrary commands to the chip must give an error or a value, never a
//! panic. The first byte picks the cipher.
#![no_main]

use icao9303::sm::{ChipChannel, SecureChannel};
use icao9303::{Cipher, SessionKeys};
use iso7816::{Command, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let cipher = match selector % 4 {
        0 => Cipher::Tdes,
        1 => Cipher::Aes128,
        2 => Cipher::Aes192,
        _ => Cipher::Aes256,
    };
    let keys = SessionKeys::derive(b"fuzzing keys", cipher);
    let ssc = vec![0u8; cipher.block_size()];

    let mut terminal = SecureChannel::new(keys.clone(), &ssc);
    if let Ok(resp) = Response::parse(rest) {
        let _ = terminal.unwrap_response(&resp);
    }

    let mut chip = ChipChannel::new(keys, &ssc);
    if let Ok(cmd) = Command::parse(rest) {
        if let Ok(plain) = chip.unwrap_command(&cmd) {
            let _ = chip.wrap_response(&Response::new(plain.data, iso7816::StatusWord::OK));
        }
    }
});
