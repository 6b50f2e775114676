//! The program's card key: the one secret that makes card tags. It lives only in the central
//! server's database; stations receive [`TagHash`](hakaru_wire::card::TagHash)es, which let them
//! recognise a card but not make one.
//!
//! Deliberately not here: where cards are stored (the storage backends) and how they are printed
//! ([`super::sheet`]).

use crate::auth::NoRandomness;
use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// Bytes in a card key (256 bits).
pub const KEY_LEN: usize = 32;

/// A program's card key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct CardKey([u8; KEY_LEN]);

/// A stored key that does not have 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "保存されているカード鍵が壊れています（{0} バイト）。データベースを復元してください / \
     the stored card key is damaged ({0} bytes instead of 32): restore the database from a backup"
)]
pub struct DamagedKey(pub usize);

impl CardKey {
    /// A new random key.
    pub fn generate() -> Result<CardKey, NoRandomness> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| NoRandomness::new(e.to_string()))?;
        Ok(CardKey(key))
    }

    /// The key from its stored bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<CardKey, DamagedKey> {
        bytes
            .try_into()
            .map(CardKey)
            .map_err(|_| DamagedKey(bytes.len()))
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; 32 bytes can never be refused.
        #[allow(clippy::expect_used)]
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a 32-byte key")
    }

    /// The card token for these fields: the tag is HMAC-SHA256 over the signed bytes,
    /// truncated to 80 bits.
    pub fn mint(&self, fields: CardFields) -> CardToken {
        let mut mac = self.mac();
        mac.update(&fields.signed_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        CardToken::from_parts(fields, tag)
    }

    /// Whether a token's tag was made with this key (constant-time comparison).
    pub fn verify(&self, token: &CardToken) -> bool {
        let mut mac = self.mac();
        mac.update(&token.fields().signed_bytes());
        mac.verify_truncated_left(token.tag()).is_ok()
    }
}

impl fmt::Debug for CardKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardKey(<secret>)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(holder: u32) -> CardFields {
        CardFields {
            program: 7,
            holder,
            serial: 1,
            issued_day: 20_780,
        }
    }

    #[test]
    fn a_minted_token_verifies_with_its_key_only() {
        let key = CardKey::generate().unwrap();
        let other = CardKey::generate().unwrap();
        let token = key.mint(fields(42));
        assert!(key.verify(&token));
        assert!(!other.verify(&token));
        let text = token.encode();
        assert!(key.verify(&CardToken::parse(&text).unwrap()));
    }

    #[test]
    fn the_tag_is_the_truncated_hmac_sha256_of_the_signed_bytes() {
        // Independent oracle, Python's hmac module:
        // hmac.new(b'\x0b'*32, bytes.fromhex('010007' '0000002a' '0001' '512c'), 'sha256')
        //     .hexdigest()[:20]
        let key = CardKey::from_bytes(&[0x0b; KEY_LEN]).unwrap();
        let token = key.mint(fields(42));
        assert_eq!(data_encoding_hex(token.tag()), "293424a6b6ec82ec615a");
    }

    fn data_encoding_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn changing_any_signed_field_invalidates_the_tag() {
        let key = CardKey::generate().unwrap();
        let token = key.mint(fields(42));
        let f = token.fields();
        for changed in [
            CardFields { program: 8, ..f },
            CardFields { holder: 43, ..f },
            CardFields { serial: 2, ..f },
            CardFields {
                issued_day: 20_781,
                ..f
            },
        ] {
            assert!(!key.verify(&CardToken::from_parts(changed, *token.tag())));
        }
    }

    #[test]
    fn damaged_stored_keys_are_refused_and_debug_hides_the_key() {
        assert_eq!(CardKey::from_bytes(&[1; 31]), Err(DamagedKey(31)));
        let key = CardKey::from_bytes(&[0xAB; KEY_LEN]).unwrap();
        assert!(!format!("{key:?}").contains("ab"));
        assert!(!format!("{key:?}").to_lowercase().contains("171"));
    }
}
