//! The hook for encrypting citizen data at rest. Today [`PlainText`]; a later AEAD implementation
//! (key from the OS keyring or a TPM) plugs in here without a schema change: every sealed value
//! is stored with the cipher's [`FieldCipher::id`], so old rows stay readable during a re-key.

/// Seals and opens one column value. `column` is bound into the result so a value cannot be moved
/// to another column unnoticed (an AEAD uses it as associated data).
pub trait FieldCipher: Send + Sync {
    /// Stable identifier stored beside each sealed value ("plain", "aes256gcm-v1", ...).
    fn id(&self) -> &str;
    fn seal(&self, column: &str, plain: &[u8]) -> Result<Vec<u8>, String>;
    fn open(&self, column: &str, sealed: &[u8]) -> Result<Vec<u8>, String>;
}

/// No encryption.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainText;

impl FieldCipher for PlainText {
    fn id(&self) -> &str {
        "plain"
    }
    fn seal(&self, _column: &str, plain: &[u8]) -> Result<Vec<u8>, String> {
        Ok(plain.to_vec())
    }
    fn open(&self, _column: &str, sealed: &[u8]) -> Result<Vec<u8>, String> {
        Ok(sealed.to_vec())
    }
}
