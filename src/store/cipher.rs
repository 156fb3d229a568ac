//! Tokens at rest: every Slack token an installation holds is sealed with AES-256-GCM before it
//! reaches the database and opened only when a Slack call needs it. The key comes from
//! `GUESTLIST_ENCRYPTION_KEY` (32 bytes, base64); several keys, comma-separated, rotate: the
//! first seals, any opens; tokens are sealed again with the first when they are refreshed or
//! the workspace reinstalls. A sealed value names its key (`v1.<key id>.<base64 nonce‖ciphertext>`) and is bound
//! to its row and column (the associated data), so a value copied to another workspace's row
//! does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const VERSION: &str = "v1";

/// The keys that seal and open tokens; the first seals.
#[derive(Clone)]
pub struct TokenCipher {
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("TokenCipher")
            .field("key_ids", &ids)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The configured key is not 32 bytes of base64 (the message never quotes it).
    #[error(
        "key {position} is not 32 bytes of standard base64 (make one with `openssl rand -base64 32`)"
    )]
    BadKey { position: usize },
    #[error("no encryption key is configured")]
    NoKey,
    #[error("the stored value is not a sealed token")]
    Malformed,
    #[error("the stored value was sealed with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("the stored value does not open with its key (tampered, or moved from another row)")]
    Rejected,
}

impl TokenCipher {
    /// Keys as configured: base64, comma-separated, the newest first.
    pub fn from_config(keys: &SecretString) -> Result<Self, CipherError> {
        let mut out = Vec::new();
        for (n, key) in keys
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .enumerate()
        {
            let bytes = STANDARD
                .decode(key)
                .map_err(|_| CipherError::BadKey { position: n + 1 })?;
            if bytes.len() != 32 {
                return Err(CipherError::BadKey { position: n + 1 });
            }
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| CipherError::BadKey { position: n + 1 })?;
            out.push((key_id(&bytes), cipher));
        }
        if out.is_empty() {
            return Err(CipherError::NoKey);
        }
        Ok(Self { keys: out })
    }

    /// The id of the key that seals (the first), for logs and `config check`.
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `token` for the row and column named by `binding`.
    pub fn seal(&self, token: &SecretString, binding: &str) -> String {
        let (id, cipher) = &self.keys[0];
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from(nonce_bytes);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: token.expose_secret().as_bytes(),
                    aad: binding.as_bytes(),
                },
            )
            .expect("AES-GCM seals any token-sized message");
        let mut body = nonce_bytes.to_vec();
        body.extend_from_slice(&sealed);
        format!("{VERSION}.{id}.{}", STANDARD.encode(body))
    }

    /// Opens a value sealed for `binding` with any configured key.
    pub fn open(&self, sealed: &str, binding: &str) -> Result<SecretString, CipherError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CipherError::Malformed);
        };
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(key_id, _)| key_id == id)
            .ok_or_else(|| CipherError::UnknownKey(id.to_string()))?;
        let body = STANDARD.decode(body).map_err(|_| CipherError::Malformed)?;
        if body.len() < 12 + 16 {
            return Err(CipherError::Malformed);
        }
        let (nonce, ciphertext) = body.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| CipherError::Malformed)?;
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: binding.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Rejected)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CipherError::Rejected)
    }

    /// Whether a sealed value was sealed with an older key (`rekey` seals it again).
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current_key_id())
    }
}

/// A key's id: the start of its SHA-256 (names the key without revealing it).
fn key_id(key: &[u8]) -> String {
    hex::encode(&Sha256::digest(key)[..4])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    #[test]
    fn a_sealed_token_opens_only_for_its_row_with_a_known_key() {
        let cipher = TokenCipher::from_config(&SecretString::from(key(1))).unwrap();
        let token = SecretString::from("xoxb-secret-token");
        let sealed = cipher.seal(&token, "T1/bot");
        assert!(!sealed.contains("xoxb"), "{sealed}");
        assert_ne!(
            sealed,
            cipher.seal(&token, "T1/bot"),
            "a fresh nonce each time"
        );
        assert_eq!(
            cipher.open(&sealed, "T1/bot").unwrap().expose_secret(),
            "xoxb-secret-token"
        );
        assert!(matches!(
            cipher.open(&sealed, "T2/bot"),
            Err(CipherError::Rejected)
        ));
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 4.., "AAAA");
        assert!(cipher.open(&tampered, "T1/bot").is_err());
        let other = TokenCipher::from_config(&SecretString::from(key(2))).unwrap();
        assert!(matches!(
            other.open(&sealed, "T1/bot"),
            Err(CipherError::UnknownKey(_))
        ));
    }

    #[test]
    fn keys_rotate_newest_first() {
        let old = TokenCipher::from_config(&SecretString::from(key(1))).unwrap();
        let sealed = old.seal(&SecretString::from("xoxb-1"), "T1/bot");
        let both = TokenCipher::from_config(&SecretString::from(format!("{},{}", key(2), key(1))))
            .unwrap();
        assert!(both.is_stale(&sealed));
        assert_eq!(
            both.open(&sealed, "T1/bot").unwrap().expose_secret(),
            "xoxb-1"
        );
        let resealed = both.seal(&SecretString::from("xoxb-1"), "T1/bot");
        assert!(!both.is_stale(&resealed));
    }

    #[test]
    fn a_bad_key_is_named_by_position_not_quoted() {
        let error =
            TokenCipher::from_config(&SecretString::from(format!("{},short", key(1)))).unwrap_err();
        assert_eq!(error, CipherError::BadKey { position: 2 });
        assert!(!error.to_string().contains("short"));
        assert_eq!(
            TokenCipher::from_config(&SecretString::from(" ")).unwrap_err(),
            CipherError::NoKey
        );
    }
}
