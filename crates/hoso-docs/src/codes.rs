//! Code128 (via `barcoders`, with automatic B/C code-set switching) and QR (via `qrcode`) as
//! module matrices, drawn as vector bars / modules by the layout.

use crate::DocError;

/// Code128 modules (1 = bar) for `data` (printable ASCII). Runs of 4+ digits use code set C
/// (two digits per symbol), everything else code set B.
pub fn code128_modules(data: &str) -> Result<Vec<u8>, DocError> {
    if data.is_empty() || !data.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(DocError::Barcode(format!("Code128 needs printable ASCII: {data:?}")));
    }
    let chars: Vec<char> = data.chars().collect();
    let mut out = String::new();
    let mut set_c = None::<bool>;
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run >= 4 {
            // an odd run keeps its first digit in set B
            if run % 2 == 1 {
                if set_c != Some(false) {
                    out.push('\u{0181}');
                    set_c = Some(false);
                }
                out.push(chars[i]);
                i += 1;
            }
            let even = (run / 2) * 2;
            if set_c != Some(true) {
                out.push('\u{0106}');
                set_c = Some(true);
            }
            out.extend(&chars[i..i + even]);
            i += even;
        } else {
            if set_c != Some(false) {
                out.push('\u{0181}');
                set_c = Some(false);
            }
            out.push(chars[i]);
            i += 1;
        }
    }
    let code = barcoders::sym::code128::Code128::new(&out).map_err(|e| DocError::Barcode(format!("{e:?}")))?;
    Ok(code.encode())
}

/// QR modules (row-major, true = dark) and the side length, error correction M.
pub fn qr_modules(text: &str) -> Result<(Vec<bool>, usize), DocError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| DocError::Barcode(format!("QR: {e}")))?;
    let w = code.width();
    let m = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok((m, w))
}
