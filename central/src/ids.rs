//! Identifiers of the program's structure: programs, municipalities, stations, credentials.
//! They are not personal; they appear in logs and on the admin's screen.
//!
//! Deliberately not here: participant numbers (personal, carried as plain strings on the wire and
//! never logged).

use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0} の形式が正しくありません（英数字・-・_ で 1〜64 文字） / \
     the {0} must be 1–64 ASCII letters, digits, '-' or '_'"
)]
pub struct InvalidId(pub &'static str);

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks the form: 1–64 ASCII letters, digits, `-` or `_`.
            pub fn new(text: &str) -> Result<$name, InvalidId> {
                if is_slug(text) {
                    Ok($name(text.to_owned()))
                } else {
                    Err(InvalidId($what))
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<$name, InvalidId> {
                $name::new(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<$name, InvalidId> {
                $name::new(s)
            }
        }
    };
}

slug_id!(
    /// A program (one health-point program, e.g. a metropolitan area's joint program).
    ProgramId,
    "program id"
);
slug_id!(
    /// A municipality taking part in a program.
    MunicipalityId,
    "municipality id"
);
slug_id!(
    /// A measurement station (one kiosk).
    StationId,
    "station id"
);
slug_id!(
    /// A station credential's public id (the part before the secret).
    CredentialId,
    "credential id"
);

/// 1–64 ASCII letters, digits, `-` or `_`: the form of every id here (and of points rule ids).
pub fn is_slug(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_slugs_and_refuse_everything_else() {
        assert!(StationId::new("kita-01_a").is_ok());
        for bad in ["", "a b", "é", "x/y", &"a".repeat(65)] {
            assert!(StationId::new(bad).is_err(), "{bad:?}");
        }
        let e = ProgramId::new("").unwrap_err();
        assert!(e.to_string().contains("program id"));
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<ProgramId>(r#""kumamoto""#).is_ok());
        assert!(serde_json::from_str::<ProgramId>(r#""no spaces""#).is_err());
    }
}
