//! Station credentials: `hk1.<credential id>.<secret>` bearer tokens.
//!
//! The admin command makes a credential with 256 random bits of secret and shows it once; the
//! server keeps only the SHA-256 of the secret. A slow password hash is not needed for a secret
//! of that strength, and a fast one keeps every request's check cheap (hundreds of stations
//! polling). Comparison is constant-time.
//!
//! Deliberately not here: staff passwords (Argon2id, checked at the kiosk) and the HTTP
//! extractor (the `api` module).

use crate::ids::CredentialId;
use hakaru_wire::api::CREDENTIAL_PREFIX;
use sha2::{Digest, Sha256};
use std::fmt;

/// The secret's length in bytes.
const SECRET_LEN: usize = 32;

/// A whole credential as a station holds it. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    id: CredentialId,
    secret: [u8; SECRET_LEN],
}

/// Why a presented token is not even a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "端末の認証情報の形式が正しくありません。管理者に新しい認証情報を発行してもらってください / \
     the station credential is malformed: ask an administrator to issue a new one"
)]
pub struct MalformedCredential;

/// Why random bytes could not be had.
#[derive(Debug, thiserror::Error)]
#[error("乱数を取得できません / the operating system gave no random bytes: {0}")]
pub struct NoRandomness(String);

impl NoRandomness {
    /// The error with the operating system's words.
    pub fn new(detail: String) -> NoRandomness {
        NoRandomness(detail)
    }
}

impl Credential {
    /// A new credential with a random id and secret.
    pub fn generate() -> Result<Credential, NoRandomness> {
        let mut id = [0u8; 8];
        let mut secret = [0u8; SECRET_LEN];
        getrandom::fill(&mut id).map_err(|e| NoRandomness(e.to_string()))?;
        getrandom::fill(&mut secret).map_err(|e| NoRandomness(e.to_string()))?;
        let id = CredentialId::new(&hex(&id)).map_err(|e| NoRandomness(e.to_string()))?;
        Ok(Credential { id, secret })
    }

    /// Parses `hk1.<id>.<64 hex digits>` (surrounding whitespace ignored).
    pub fn parse(token: &str) -> Result<Credential, MalformedCredential> {
        let mut parts = token.trim().split('.');
        let (Some(prefix), Some(id), Some(secret), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MalformedCredential);
        };
        if prefix != CREDENTIAL_PREFIX || secret.len() != SECRET_LEN * 2 {
            return Err(MalformedCredential);
        }
        let id = CredentialId::new(id).map_err(|_| MalformedCredential)?;
        let mut bytes = [0u8; SECRET_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            let pair = secret.get(2 * i..2 * i + 2).ok_or(MalformedCredential)?;
            *b = u8::from_str_radix(pair, 16).map_err(|_| MalformedCredential)?;
        }
        Ok(Credential { id, secret: bytes })
    }

    /// The public part, used to look the credential up.
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// What the server stores: SHA-256 of the secret.
    pub fn secret_hash(&self) -> [u8; 32] {
        Sha256::digest(self.secret).into()
    }

    /// Whether this credential's secret hashes to `stored` (constant-time).
    pub fn matches(&self, stored: &[u8]) -> bool {
        let mine = self.secret_hash();
        if stored.len() != mine.len() {
            return false;
        }
        mine.iter()
            .zip(stored)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }

    /// The token to hand to the station (shown once by the admin command).
    pub fn token(&self) -> String {
        format!("{CREDENTIAL_PREFIX}.{}.{}", self.id, hex(&self.secret))
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_back_and_matches_its_hash() {
        let c = Credential::generate().unwrap();
        let token = c.token();
        assert!(token.starts_with("hk1."), "{token}");
        let back = Credential::parse(&format!(" {token}\n")).unwrap();
        assert_eq!(back, c);
        assert!(back.matches(&c.secret_hash()));
    }

    #[test]
    fn another_secret_does_not_match() {
        let a = Credential::generate().unwrap();
        let b = Credential::generate().unwrap();
        assert!(!a.matches(&b.secret_hash()));
        assert!(!a.matches(&[]));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = Credential::generate().unwrap().token();
        let secret = good.rsplit('.').next().unwrap().to_owned();
        for bad in [
            String::new(),
            "hk1".into(),
            format!("hk2.abc.{secret}"),
            format!("hk1.a b.{secret}"),
            format!("hk1.abc.{}", &secret[1..]),
            format!("hk1.abc.{}zz", &secret[2..]),
            format!("{good}.extra"),
        ] {
            assert_eq!(Credential::parse(&bad), Err(MalformedCredential), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Credential::generate().unwrap();
        let text = format!("{c:?}");
        let secret = c.token().rsplit('.').next().unwrap().to_owned();
        assert!(!text.contains(&secret), "{text}");
    }
}
