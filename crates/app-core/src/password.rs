//! Argon2id password hashes (PHC strings). Verification compares in constant time.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::AppError;

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline).
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

/// False on a wrong password and on a malformed hash.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_and_verify() {
        let h = super::hash("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("mật khẩu dài", &h));
        assert!(!super::verify("mat khau dai", &h));
        assert!(!super::verify("x", "not a hash"));
    }
}
