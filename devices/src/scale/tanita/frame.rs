//! One Tanita key/value line, checksum-verified and tokenised — but not yet interpreted.
//!
//! Grammar (reference/scale-protocols.md §2):
//! `{0,16` control pairs `,~n,v`… then `KEY,value` pairs, then `,CS,HH`, an optional `}`.
//! The line handed in has no CR/LF. Mapping keys to meanings lives in [`super::reading`];
//! normalising manual-printed samples (spaces, typographic quotes) is deliberately absent.

use crate::redact::REDACTED;
use crate::scale::checksum::{parse_hex2, sum8};
use compact_str::CompactString;
use std::fmt;

/// The bytes every frame starts with.
pub const FRAME_START: &[u8] = b"{0,16,";

/// Why a line that looked like a Tanita frame is not a valid one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FrameError {
    /// The checksum in the frame is not the sum of its bytes.
    #[error("checksum mismatch: the bytes sum to {expected:02X} but the frame says {actual:02X}")]
    ChecksumMismatch {
        /// What the bytes from `{` through the comma before `CS` sum to.
        expected: u8,
        /// What the frame carried after `CS,`.
        actual: u8,
    },
    /// No `,CS,HH` at the end: the frame was cut short (a disconnect, a lost byte).
    #[error("frame is truncated: no checksum at its end")]
    Truncated,
    /// The line does not begin with `{0,16,`.
    #[error("frame does not start with {{0,16,")]
    BadStart,
    /// A character that never occurs in a frame (control byte, non-ASCII).
    #[error("frame contains a byte that is not printable ASCII at offset {offset}")]
    BadByte {
        /// Offset of the byte within the line.
        offset: usize,
    },
    /// A key/value structure problem: odd token count, bad key, bad quoting.
    #[error("frame is malformed: {reason}")]
    Malformed {
        /// What is wrong, without any value from the frame.
        reason: &'static str,
    },
}

/// A two-character, case-sensitive field key (`Wk`, `fW`, `rB` …).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key([u8; 2]);

impl Key {
    /// A key from its two ASCII characters; `None` if they are not a letter then a letter or digit.
    pub fn new(text: &[u8]) -> Option<Key> {
        match text {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphanumeric() => Some(Key([*a, *b])),
            _ => None,
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII alphanumerics by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The two bytes.
    pub fn bytes(&self) -> [u8; 2] {
        self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One opaque "TANITA use only" control pair, e.g. `~0,1`.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct ControlPair {
    /// The digit after `~`.
    pub index: u8,
    /// The value as sent.
    pub value: CompactString,
}

impl fmt::Debug for ControlPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "~{},{}", self.index, self.value)
    }
}

/// A value as it appeared in the frame.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "text", rename_all = "snake_case")]
pub enum RawValue {
    /// A double-quoted string, without its quotes.
    Quoted(CompactString),
    /// A bare token (numbers, possibly negative, possibly without a decimal).
    Bare(CompactString),
}

impl fmt::Debug for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl RawValue {
    /// The text without quotes.
    pub fn text(&self) -> &str {
        match self {
            RawValue::Quoted(s) | RawValue::Bare(s) => s,
        }
    }
}

/// One `KEY,value` pair, kept exactly as sent (keys are case-sensitive).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct RawPair {
    /// The two-character key, e.g. `Wk`, `fW`, `rB`.
    pub key: Key,
    /// The value.
    pub value: RawValue,
}

impl fmt::Debug for RawPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={REDACTED}", self.key)
    }
}

/// A checksum-verified Tanita frame.
#[derive(Clone, PartialEq, Eq)]
pub struct TanitaFrame {
    raw: Vec<u8>,
    control: Vec<ControlPair>,
    pairs: Vec<RawPair>,
    checksum: u8,
    trailing_brace: bool,
}

impl fmt::Debug for TanitaFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TanitaFrame")
            .field("len", &self.raw.len())
            .field("control", &self.control)
            .field(
                "keys",
                &self.pairs.iter().map(|p| p.key).collect::<Vec<_>>(),
            )
            .field("checksum", &format_args!("{:02X}", self.checksum))
            .finish_non_exhaustive()
    }
}

impl TanitaFrame {
    /// Parses one line (no CR/LF) and verifies its checksum.
    pub fn parse(line: &[u8]) -> Result<Self, FrameError> {
        if !line.starts_with(b"{") {
            return Err(FrameError::BadStart);
        }
        // A branch-free pass (it vectorises) first; the offset is looked for only when needed.
        let clean = line
            .iter()
            .fold(true, |ok, b| ok & (0x20..0x7f).contains(b));
        if let Some(offset) = (!clean)
            .then(|| line.iter().position(|b| !(0x20..0x7f).contains(b)))
            .flatten()
        {
            return Err(FrameError::BadByte { offset });
        }
        if !line.starts_with(FRAME_START) {
            return Err(FrameError::BadStart);
        }
        let (body_end, carried, trailing_brace) = locate_checksum(line)?;
        let expected = sum8(&line[..=body_end]);
        if expected != carried {
            return Err(FrameError::ChecksumMismatch {
                expected,
                actual: carried,
            });
        }
        let (control, pairs) = split_pairs(&line[1..body_end])?;
        Ok(TanitaFrame {
            raw: line.to_vec(),
            control,
            pairs,
            checksum: carried,
            trailing_brace,
        })
    }

    /// The line exactly as received, without CR/LF.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The control pairs (`~0,1` …), opaque.
    pub fn control(&self) -> &[ControlPair] {
        &self.control
    }

    /// Every key/value pair in order, known keys and unknown.
    pub fn pairs(&self) -> &[RawPair] {
        &self.pairs
    }

    /// The first value for `key` (keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.pairs.iter().find(|p| p.key == key).map(|p| &p.value)
    }

    /// Takes the frame apart: (raw line, control pairs, pairs).
    pub fn into_parts(self) -> (Vec<u8>, Vec<ControlPair>, Vec<RawPair>) {
        (self.raw, self.control, self.pairs)
    }

    /// The verified checksum.
    pub fn checksum(&self) -> u8 {
        self.checksum
    }

    /// Whether the line ended in the `}` some files and simulators append.
    pub fn has_trailing_brace(&self) -> bool {
        self.trailing_brace
    }

    /// The value of control pair `~index`, if present.
    pub fn control_value(&self, index: u8) -> Option<&str> {
        self.control
            .iter()
            .find(|c| c.index == index)
            .map(|c| c.value.as_str())
    }
}

/// Finds `,CS,HH` (optionally followed by `}`) at the end of `line`. Returns the index of the
/// comma before `CS` (last byte the checksum covers), the carried value, and whether `}` ended it.
fn locate_checksum(line: &[u8]) -> Result<(usize, u8, bool), FrameError> {
    let (core, brace) = match line.strip_suffix(b"}") {
        Some(core) => (core, true),
        None => (line, false),
    };
    let n = core.len();
    if n < FRAME_START.len() + 6 || &core[n - 6..n - 2] != b",CS," {
        return Err(FrameError::Truncated);
    }
    let carried = parse_hex2(&core[n - 2..]).ok_or(FrameError::Malformed {
        reason: "checksum is not two hex digits",
    })?;
    Ok((n - 6, carried, brace))
}

/// The comma-separated tokens of a frame's inside (after `{`, before the final comma), read one
/// at a time, honouring quotes.
///
/// Works on bytes and hands out slices: no intermediate token vector, no `str::find(char)`
/// (which cost a `memcmp` per token) — the decoder's hottest path (docs/performance.md).
struct Tokens<'a> {
    text: &'a str,
    at: usize,
    done: bool,
}

/// One token: its text (without quotes) and whether it was quoted.
struct Token<'a> {
    text: &'a str,
    quoted: bool,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        Tokens {
            text,
            at: 0,
            done: false,
        }
    }

    fn next(&mut self) -> Result<Option<Token<'a>>, FrameError> {
        if self.done {
            return Ok(None);
        }
        let bytes = self.text.as_bytes();
        let at = self.at;
        let (token, after) = if bytes.get(at) == Some(&b'"') {
            let close = bytes[at + 1..]
                .iter()
                .position(|&b| b == b'"')
                .map(|i| at + 1 + i)
                .ok_or(FrameError::Malformed {
                    reason: "unterminated quoted value",
                })?;
            if !matches!(bytes.get(close + 1), None | Some(b',')) {
                return Err(FrameError::Malformed {
                    reason: "text after a closing quote",
                });
            }
            let text = &self.text[at + 1..close];
            (Token { text, quoted: true }, close + 1)
        } else {
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b',' || b == b'"')
                .map_or(bytes.len(), |i| at + i);
            if bytes.get(end) == Some(&b'"') {
                return Err(FrameError::Malformed {
                    reason: "stray quote in a value",
                });
            }
            let text = &self.text[at..end];
            (
                Token {
                    text,
                    quoted: false,
                },
                end,
            )
        };
        // bytes[after] is a comma, or the end.
        if after >= bytes.len() {
            self.done = true;
        } else {
            self.at = after + 1;
        }
        Ok(Some(token))
    }
}

impl Token<'_> {
    fn into_value(self) -> RawValue {
        if self.quoted {
            RawValue::Quoted(CompactString::from(self.text))
        } else {
            RawValue::Bare(CompactString::from(self.text))
        }
    }
}

/// Control pairs and key/value pairs of a frame's inside (after `{`, before the final comma).
fn split_pairs(inner: &[u8]) -> Result<(Vec<ControlPair>, Vec<RawPair>), FrameError> {
    let text = std::str::from_utf8(inner).map_err(|_| FrameError::Malformed {
        reason: "frame is not ASCII",
    })?;
    let mut tokens = Tokens::new(text);
    // "0" and "16" (checked by FRAME_START).
    tokens.next()?;
    tokens.next()?;
    let mut control = Vec::new();
    let mut pairs = Vec::with_capacity(inner.len() / 12);
    let mut pending_key = None;
    while let Some(t) = tokens.next()? {
        let digit = match t.text.strip_prefix('~') {
            Some(d) if !t.quoted => d,
            _ => {
                pending_key = Some(t);
                break;
            }
        };
        let index = match digit.as_bytes() {
            [d @ b'0'..=b'9'] => d - b'0',
            _ => {
                return Err(FrameError::Malformed {
                    reason: "bad control pair",
                })
            }
        };
        let value = tokens.next()?.ok_or(FrameError::Malformed {
            reason: "control pair without a value",
        })?;
        control.push(ControlPair {
            index,
            value: CompactString::from(value.text),
        });
    }
    let mut key_token = pending_key;
    while let Some(k) = key_token {
        let key = if k.quoted {
            None
        } else {
            Key::new(k.text.as_bytes())
        }
        .ok_or(FrameError::Malformed {
            reason: "a key is not two letters or digits",
        })?;
        let value = tokens.next()?.ok_or(FrameError::Malformed {
            reason: "a key without a value",
        })?;
        if !value.quoted && !is_bare_number(value.text) {
            return Err(FrameError::Malformed {
                reason: "an unquoted value is not a number",
            });
        }
        pairs.push(RawPair {
            key,
            value: value.into_value(),
        });
        key_token = tokens.next()?;
    }
    if pairs.is_empty() {
        return Err(FrameError::Malformed {
            reason: "frame has no fields",
        });
    }
    Ok((control, pairs))
}

/// `["-"] DIGITS ["." DIGITS]` — also `XX.YY.Y` (stone-pound weights on WB-3000), so dots are
/// allowed between digit groups.
fn is_bare_number(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v).as_bytes();
    // Non-empty digit groups separated by single dots.
    let mut group = 0usize;
    for &b in digits {
        match b {
            b'0'..=b'9' => group += 1,
            b'.' if group > 0 => group = 0,
            _ => return false,
        }
    }
    group > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const F6: &[u8] =
        b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS,D6";

    #[test]
    fn parses_control_and_pairs() {
        let f = TanitaFrame::parse(F6).unwrap();
        assert_eq!(f.control().len(), 1);
        assert_eq!(f.control_value(0), Some("1"));
        assert_eq!(f.pairs().len(), 6);
        assert_eq!(f.get("MO"), Some(&RawValue::Quoted("PW-650".into())));
        assert_eq!(f.get("Wk").map(RawValue::text), Some("58.1"));
        assert_eq!(f.checksum(), 0xD6);
        assert!(!f.has_trailing_brace());
    }

    #[test]
    fn debug_hides_values() {
        let f = TanitaFrame::parse(F6).unwrap();
        let dbg = format!("{f:?}");
        assert!(!dbg.contains("58.1"), "{dbg}");
        assert!(dbg.contains("Wk"));
    }

    #[test]
    fn checksum_mismatch_carries_both() {
        let mut bad = F6.to_vec();
        let n = bad.len();
        bad[n - 1] = b'7';
        assert_eq!(
            TanitaFrame::parse(&bad),
            Err(FrameError::ChecksumMismatch {
                expected: 0xD6,
                actual: 0xD7
            })
        );
    }

    #[test]
    fn a_cut_frame_is_truncated() {
        assert_eq!(TanitaFrame::parse(&F6[..40]), Err(FrameError::Truncated));
    }

    #[test]
    fn structure_errors_are_malformed() {
        use crate::scale::checksum::{format_hex2, sum8};
        let with_cs = |body: &[u8]| {
            let mut v = body.to_vec();
            v.extend_from_slice(b",CS,");
            let cs = sum8(&v[..v.len() - 3]);
            v.extend_from_slice(&format_hex2(cs));
            v
        };
        for body in [
            &b"{0,16,~0,1,MO"[..],
            b"{0,16,~0,1,MO,\"PW",
            b"{0,16,~0,1,Wk,5x",
            b"{0,16,~0,1,W-,58.1",
            b"{0,16,~0,1,MO,\"A\"B",
        ] {
            assert!(
                matches!(
                    TanitaFrame::parse(&with_cs(body)),
                    Err(FrameError::Malformed { .. })
                ),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
