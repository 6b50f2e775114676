//! Operator tokens: `hko1.<id>.<secret>` bearer tokens with which a program office uses the admin
//! API (rights requests, disclosures) without a shell on the server. Made like station
//! credentials ([`crate::auth`]): 256 random bits of secret shown once, only its SHA-256 kept,
//! compared in constant time.
//!
//! Deliberately not here: storage of the hashes (`storage::rights`) and the HTTP extractor
//! (`api::rights`).

use crate::auth::NoRandomness;
use sha2::{Digest, Sha256};
use std::fmt;

/// What every operator token starts with (a station credential starts `hk1`).
pub const OPERATOR_PREFIX: &str = "hko1";
const SECRET_LEN: usize = 32;

/// An operator token: public id and secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorToken {
    id: String,
    secret: [u8; SECRET_LEN],
}

/// A token that is not `hko1.<id>.<64 hex>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("操作者トークンの形式が正しくありません / the operator token is malformed")]
pub struct MalformedToken;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl OperatorToken {
    /// A new token with a random id and secret.
    pub fn generate() -> Result<OperatorToken, NoRandomness> {
        let mut id = [0u8; 8];
        let mut secret = [0u8; SECRET_LEN];
        getrandom::fill(&mut id).map_err(|e| NoRandomness::new(e.to_string()))?;
        getrandom::fill(&mut secret).map_err(|e| NoRandomness::new(e.to_string()))?;
        Ok(OperatorToken {
            id: hex(&id),
            secret,
        })
    }

    /// Reads `hko1.<id>.<secret>`.
    pub fn parse(token: &str) -> Result<OperatorToken, MalformedToken> {
        let mut parts = token.trim().split('.');
        let (Some(prefix), Some(id), Some(secret), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MalformedToken);
        };
        if prefix != OPERATOR_PREFIX
            || id.len() != 16
            || !id.bytes().all(|b| b.is_ascii_hexdigit())
            || secret.len() != SECRET_LEN * 2
        {
            return Err(MalformedToken);
        }
        let mut bytes = [0u8; SECRET_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            let pair = secret.get(2 * i..2 * i + 2).ok_or(MalformedToken)?;
            *b = u8::from_str_radix(pair, 16).map_err(|_| MalformedToken)?;
        }
        Ok(OperatorToken {
            id: id.to_owned(),
            secret: bytes,
        })
    }

    /// The public id (shown in lists and audit rows).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the server keeps: SHA-256 of the secret.
    pub fn secret_hash(&self) -> [u8; 32] {
        Sha256::digest(self.secret).into()
    }

    /// Whether the secret hashes to `stored` (constant time).
    pub fn matches(&self, stored: &[u8]) -> bool {
        let mine = self.secret_hash();
        stored.len() == mine.len()
            && mine
                .iter()
                .zip(stored)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The token to hand to the operator (once).
    pub fn token(&self) -> String {
        format!("{OPERATOR_PREFIX}.{}.{}", self.id, hex(&self.secret))
    }
}

impl fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorToken")
            .field("id", &self.id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_parses_back_and_only_its_secret_matches() {
        let t = OperatorToken::generate().expect("random");
        let back = OperatorToken::parse(&t.token()).expect("parses");
        assert_eq!(back, t);
        assert!(back.matches(&t.secret_hash()));
        let other = OperatorToken::generate().expect("random");
        assert!(!other.matches(&t.secret_hash()));
        assert!(OperatorToken::parse(&t.token().replace("hko1", "hk1")).is_err());
        assert!(!format!("{t:?}").contains(&t.token()[22..]));
    }
}
