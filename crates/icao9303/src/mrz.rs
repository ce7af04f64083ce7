//! MRZ check digits and the MRZ-information key seed (9303-3 §4.9, 9303-11 §9.7.2).

use crate::error::Error;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The 7-3-1 check digit of an MRZ field (`0-9`, `A-Z`, `<`).
pub fn check_digit(field: &str) -> Result<u8, Error> {
    let mut sum = 0u32;
    for (i, c) in field.bytes().enumerate() {
        let v = char_value(c).ok_or(Error::InvalidMrz("character outside 0-9, A-Z, <"))?;
        sum += v * [7, 3, 1][i % 3];
    }
    Ok(b'0' + (sum % 10) as u8)
}

fn normalise_document_number(doc: &str) -> Result<String, Error> {
    let mut d: String = doc.trim().to_ascii_uppercase();
    if d.is_empty() || d.len() > 20 || d.bytes().any(|c| char_value(c).is_none()) {
        return Err(Error::InvalidMrz("document number"));
    }
    while d.len() < 9 {
        d.push('<');
    }
    Ok(d)
}

fn check_date(d: &str) -> Result<(), Error> {
    let b = d.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidMrz("date must be YYMMDD"));
    }
    let mm = u32::from(b.get(2).copied().unwrap_or(b'0') - b'0') * 10
        + u32::from(b.get(3).copied().unwrap_or(b'0') - b'0');
    let dd = u32::from(b.get(4).copied().unwrap_or(b'0') - b'0') * 10
        + u32::from(b.get(5).copied().unwrap_or(b'0') - b'0');
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) {
        return Err(Error::InvalidMrz("date must be YYMMDD"));
    }
    Ok(())
}

/// MRZ_information: document number (padded with `<` to 9) + check digit, date of birth +
/// check digit, date of expiry + check digit. Dates are `YYMMDD`.
pub fn mrz_information(
    document_number: &str,
    date_of_birth: &str,
    date_of_expiry: &str,
) -> Result<Zeroizing<String>, Error> {
    let doc = Zeroizing::new(normalise_document_number(document_number)?);
    check_date(date_of_birth)?;
    check_date(date_of_expiry)?;
    let mut s = Zeroizing::new(String::with_capacity(32));
    s.push_str(&doc);
    s.push(char::from(check_digit(&doc)?));
    s.push_str(date_of_birth);
    s.push(char::from(check_digit(date_of_birth)?));
    s.push_str(date_of_expiry);
    s.push(char::from(check_digit(date_of_expiry)?));
    Ok(s)
}

/// SHA-1 of MRZ_information: the 20-byte PACE password π for the MRZ; BAC's K_seed is its
/// first 16 bytes.
pub fn mrz_hash(
    document_number: &str,
    date_of_birth: &str,
    date_of_expiry: &str,
) -> Result<Zeroizing<[u8; 20]>, Error> {
    let info = mrz_information(document_number, date_of_birth, date_of_expiry)?;
    let mut out = Zeroizing::new([0u8; 20]);
    out.copy_from_slice(&Sha1::digest(info.as_bytes()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hex;

    #[test]
    fn appendix_d_key_seed() {
        // ICAO 9303-11 Appendix D.2 (specimen data, not a person).
        let info = mrz_information("L898902C", "690806", "940623").unwrap();
        assert_eq!(info.as_str(), "L898902C<369080619406236");
        let h = mrz_hash("L898902C", "690806", "940623").unwrap();
        assert_eq!(h[..16], hex("239AB9CB282DAF66231DC5A4DF6BFBAE")[..]);
    }

    #[test]
    fn appendix_g_password() {
        let h = mrz_hash("T22000129", "640812", "101031").unwrap();
        assert_eq!(h.to_vec(), hex("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD"));
    }

    #[test]
    fn rejects_bad_fields() {
        assert!(mrz_information("L898-902C", "690806", "940623").is_err());
        assert!(mrz_information("L898902C", "691306", "940623").is_err());
        assert!(mrz_information("L898902C", "69080", "940623").is_err());
        assert!(mrz_information("", "690806", "940623").is_err());
        assert_eq!(check_digit("520727").unwrap(), b'3');
    }
}
