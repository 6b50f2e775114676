//! The participant card's QR payload (card format 1): its fields, its text form and the tag hash
//! stations check it against.
//!
//! ```text
//! token = "K1" || BASE32_NOPAD( ver:u8=1 | program:u16 | holder:u32 | serial:u16 | issued_day:u16 | tag:[u8;10] )
//! tag   = HMAC-SHA256(program key, the first 11 bytes)[0..10]
//! ```
//!
//! 36 characters of `0-9A-Z` only: QR alphanumeric mode (version 3 at EC level Q), and typeable by
//! a keyboard-wedge reader on a US or JIS layout (reference/qr-cards.md §4).
//!
//! Deliberately not here: the program key and the MAC — only `hakaru-central` holds the key and
//! mints tags, so a station (which gets only [`TagHash`]es through the roster) cannot make a
//! card; the roster lookup and the reasons a card is refused beyond its syntax (`station::cards`).

use sha2::{Digest, Sha256};
use std::fmt;

/// Every card token starts with this (card format 1).
pub const TOKEN_PREFIX: &str = "K1";
/// Characters in a token: the prefix and 34 base32 characters.
pub const TOKEN_CHARS: usize = 36;
/// Bytes of the truncated MAC on a card (80 bits).
pub const TAG_LEN: usize = 10;
/// Bytes the MAC covers: version, program, holder, serial, issue day.
pub const SIGNED_LEN: usize = 11;

const FORMAT_VERSION: u8 = 1;
const BODY_LEN: usize = SIGNED_LEN + TAG_LEN;

/// What a card says about itself, before anyone checks it.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct CardFields {
    /// The program's card code (assigned by the central server, one per program).
    pub program: u16,
    /// The participant's card-holder number within the program (not the participant number;
    /// the roster maps one to the other).
    pub holder: u32,
    /// Which of the holder's cards this is; a reissue takes the next serial.
    pub serial: u16,
    /// Issue date as days since 1970-01-01 (the Japan Standard Time calendar date).
    pub issued_day: u16,
}

impl CardFields {
    /// The bytes the MAC covers, in token order (big-endian).
    pub fn signed_bytes(&self) -> [u8; SIGNED_LEN] {
        let mut out = [0u8; SIGNED_LEN];
        out[0] = FORMAT_VERSION;
        out[1..3].copy_from_slice(&self.program.to_be_bytes());
        out[3..7].copy_from_slice(&self.holder.to_be_bytes());
        out[7..9].copy_from_slice(&self.serial.to_be_bytes());
        out[9..11].copy_from_slice(&self.issued_day.to_be_bytes());
        out
    }

    /// The card's id as staff see it in the admin tools and the audit trail: `holder-serial`
    /// (no participant number, so it may appear in logs).
    pub fn card_id(&self) -> String {
        format!("{}-{}", self.holder, self.serial)
    }
}

impl fmt::Debug for CardFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardFields")
            .field("program", &self.program)
            .field("serial", &self.serial)
            .field("issued_day", &self.issued_day)
            .finish_non_exhaustive()
    }
}

/// A syntactically valid card token: fields and tag. Its authenticity is not known yet.
#[derive(Clone, PartialEq, Eq)]
pub struct CardToken {
    fields: CardFields,
    tag: [u8; TAG_LEN],
}

/// Why a text is not a card token at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a Hakaru card (another QR code, a typed word).
    #[error(
        "Hakaru の参加者カードではありません。参加者カードの QR コードをかざしてください / \
         this is not a Hakaru participant card: show the QR code on your participant card"
    )]
    NotOurs,
    /// Starts like a card but is damaged, misread or mistyped.
    #[error(
        "カードを読み取れませんでした。もう一度かざしてください（続く場合は係員へ） / \
         the card could not be read: show it again (ask staff if this keeps happening)"
    )]
    Malformed,
}

impl CardToken {
    /// A token from its fields and the tag the central server computed for them.
    pub fn from_parts(fields: CardFields, tag: [u8; TAG_LEN]) -> CardToken {
        CardToken { fields, tag }
    }

    /// Parses what a reader delivered. Surrounding whitespace (a reader's CR/LF) is ignored and
    /// lower case is accepted (Caps Lock on a keyboard-wedge reader).
    pub fn parse(text: &str) -> Result<CardToken, TokenError> {
        let text = text.trim();
        let prefix_ok = text
            .get(..TOKEN_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(TOKEN_PREFIX));
        if !prefix_ok {
            return Err(TokenError::NotOurs);
        }
        if text.len() != TOKEN_CHARS {
            return Err(TokenError::Malformed);
        }
        let mut body = [0u8; TOKEN_CHARS - 2];
        for (out, b) in body
            .iter_mut()
            .zip(text.as_bytes()[TOKEN_PREFIX.len()..].iter())
        {
            *out = b.to_ascii_uppercase();
        }
        let bytes = data_encoding::BASE32_NOPAD
            .decode(&body)
            .map_err(|_| TokenError::Malformed)?;
        let bytes: [u8; BODY_LEN] = bytes.try_into().map_err(|_| TokenError::Malformed)?;
        // Only the canonical spelling: the last character's two spare bits must be zero, so one
        // card has exactly one token text.
        if data_encoding::BASE32_NOPAD.encode(&bytes).as_bytes() != body {
            return Err(TokenError::Malformed);
        }
        if bytes[0] != FORMAT_VERSION {
            return Err(TokenError::Malformed);
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let fields = CardFields {
            program: be16(1),
            holder: u32::from_be_bytes([bytes[3], bytes[4], bytes[5], bytes[6]]),
            serial: be16(7),
            issued_day: be16(9),
        };
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&bytes[SIGNED_LEN..]);
        Ok(CardToken { fields, tag })
    }

    /// The token as printed in the QR code (upper case, 36 characters).
    pub fn encode(&self) -> String {
        let mut bytes = [0u8; BODY_LEN];
        bytes[..SIGNED_LEN].copy_from_slice(&self.fields.signed_bytes());
        bytes[SIGNED_LEN..].copy_from_slice(&self.tag);
        format!(
            "{TOKEN_PREFIX}{}",
            data_encoding::BASE32_NOPAD.encode(&bytes)
        )
    }

    /// What the card says about itself.
    pub fn fields(&self) -> CardFields {
        self.fields
    }

    /// The tag as printed; compare it only through [`TagHash::matches`].
    pub fn tag(&self) -> &[u8; TAG_LEN] {
        &self.tag
    }

    /// The hash of the tag, as the roster carries it.
    pub fn tag_hash(&self) -> TagHash {
        TagHash::of(&self.tag)
    }
}

impl fmt::Debug for CardToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardToken")
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

/// SHA-256 of a card's tag: what a station holds to recognise a genuine card without being able
/// to make one. Serialises as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^[0-9a-f]{64}$")]
pub struct TagHash([u8; 32]);

impl TagHash {
    /// The hash of a tag.
    pub fn of(tag: &[u8; TAG_LEN]) -> TagHash {
        TagHash(Sha256::digest(tag).into())
    }

    /// Whether two hashes are equal, in time independent of where they differ.
    pub fn matches(&self, other: &TagHash) -> bool {
        subtle::ConstantTimeEq::ct_eq(&self.0[..], &other.0[..]).into()
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<TagHash> {
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(text.as_bytes())
            .ok()?;
        Some(TagHash(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for TagHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagHash({}…)", &self.to_hex()[..8])
    }
}

impl serde::Serialize for TagHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for TagHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TagHash, D::Error> {
        let text = String::deserialize(d)?;
        TagHash::from_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("tag hash must be 64 hex digits"))
    }
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian), or `None` outside
/// 1970-01-01..=2149-06-06 (what a `u16` day holds).
pub fn day_number(year: u16, month: u8, day: u8) -> Option<u16> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let back = calendar_date(u16::try_from(days).ok()?);
    (back == (year, month, day)).then_some(days as u16)
}

/// The calendar date of a day number (inverse of [`day_number`]).
pub fn calendar_date(day: u16) -> (u16, u8, u8) {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as u16, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CardToken {
        CardToken::from_parts(
            CardFields {
                program: 42,
                holder: 123_456,
                serial: 3,
                issued_day: day_number(2026, 11, 23).unwrap(),
            },
            [0xA5; TAG_LEN],
        )
    }

    #[test]
    fn a_token_is_36_characters_of_qr_alphanumeric_upper_case() {
        let text = sample().encode();
        assert_eq!(text.len(), TOKEN_CHARS);
        assert!(text.starts_with("K1"));
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b) || b == b'1'));
    }

    #[test]
    fn parse_reads_back_what_encode_wrote_whatever_the_case_and_surrounding_whitespace() {
        let token = sample();
        let text = token.encode();
        assert_eq!(CardToken::parse(&text), Ok(token.clone()));
        assert_eq!(CardToken::parse(&text.to_lowercase()), Ok(token.clone()));
        assert_eq!(CardToken::parse(&format!(" {text}\r\n")), Ok(token));
    }

    #[test]
    fn the_reference_token_parses_to_its_fields_and_back() {
        // reference/qr-cards.md §1.2; fields decoded independently (Python's base64.b32decode).
        let token = CardToken::parse("K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU").unwrap();
        assert_eq!(
            token.fields(),
            CardFields {
                program: 42,
                holder: 123_456,
                serial: 3,
                issued_day: 20_000
            }
        );
        assert_eq!(
            CardToken::from_parts(token.fields(), *token.tag()).encode(),
            "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU"
        );
    }

    #[test]
    fn refusals_say_whether_the_text_is_a_card_at_all() {
        assert_eq!(CardToken::parse(""), Err(TokenError::NotOurs));
        assert_eq!(
            CardToken::parse("https://example.jp/"),
            Err(TokenError::NotOurs)
        );
        assert_eq!(CardToken::parse("カード"), Err(TokenError::NotOurs));
        assert_eq!(CardToken::parse("K1"), Err(TokenError::Malformed));
        let good = sample().encode();
        assert_eq!(CardToken::parse(&good[..35]), Err(TokenError::Malformed));
        assert_eq!(
            CardToken::parse(&format!("{good}A")),
            Err(TokenError::Malformed)
        );
        let mut bad_char = good.clone().into_bytes();
        bad_char[10] = b'1'; // not in the base32 alphabet
        let bad_char = String::from_utf8(bad_char).unwrap();
        assert_eq!(CardToken::parse(&bad_char), Err(TokenError::Malformed));
        // A multi-byte character where the prefix would be must not panic.
        assert_eq!(CardToken::parse("Kあ"), Err(TokenError::NotOurs));
        assert_eq!(
            CardToken::parse("K1ああああああああああああ"),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_non_canonical_spelling_of_a_card_is_malformed() {
        // The last base32 character carries 3 data bits and 2 spare bits (34 × 5 = 170 = 168 + 2).
        let good = sample().encode();
        let last = good.as_bytes()[TOKEN_CHARS - 1];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let value = alphabet.iter().position(|&c| c == last).unwrap();
        for spare in 1..4 {
            let mut text = good.clone().into_bytes();
            text[TOKEN_CHARS - 1] = alphabet[(value & !3) | spare];
            let text = String::from_utf8(text).unwrap();
            assert_eq!(
                CardToken::parse(&text),
                Err(TokenError::Malformed),
                "{text}"
            );
        }
    }

    #[test]
    fn another_format_version_is_malformed() {
        let mut bytes = [0u8; BODY_LEN];
        bytes[0] = 2;
        let text = format!("K1{}", data_encoding::BASE32_NOPAD.encode(&bytes));
        assert_eq!(CardToken::parse(&text), Err(TokenError::Malformed));
    }

    #[test]
    fn debug_output_names_neither_holder_nor_tag() {
        let token = sample();
        let shown = format!("{token:?} {:?}", token.fields());
        assert!(!shown.contains("123456"), "{shown}");
        assert!(!shown.contains("165"), "{shown}");
    }

    #[test]
    fn tag_hashes_compare_and_round_trip_through_hex_and_json() {
        let a = sample().tag_hash();
        let b = TagHash::of(&[0x5A; TAG_LEN]);
        assert!(a.matches(&a));
        assert!(!a.matches(&b));
        assert_eq!(TagHash::from_hex(&a.to_hex()), Some(a));
        assert_eq!(TagHash::from_hex(&a.to_hex().to_uppercase()), Some(a));
        assert_eq!(TagHash::from_hex("abc"), None);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<TagHash>(&json).unwrap(), a);
        assert!(serde_json::from_str::<TagHash>("\"zz\"").is_err());
    }

    #[test]
    fn day_numbers_match_the_calendar() {
        assert_eq!(day_number(1970, 1, 1), Some(0));
        assert_eq!(day_number(2000, 3, 1), Some(11_017));
        assert_eq!(day_number(2026, 11, 23), Some(20_780));
        assert_eq!(day_number(2025, 2, 29), None);
        assert_eq!(
            day_number(2024, 2, 29).map(calendar_date),
            Some((2024, 2, 29))
        );
        assert_eq!(day_number(1969, 12, 31), None);
        assert_eq!(day_number(2149, 6, 6), Some(u16::MAX));
        assert_eq!(day_number(2149, 6, 7), None);
        for d in (0..=u16::MAX).step_by(97) {
            let (y, m, dd) = calendar_date(d);
            assert_eq!(day_number(y, m, dd), Some(d));
        }
    }
}
