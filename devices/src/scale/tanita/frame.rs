//! One Tanita key/value line, checksum-verified and tokenised — but not yet interpreted.
//!
//! Grammar (reference/scale-protocols.md §2):
//! `{0,16` control pairs `,~n,v`… then `KEY,value` pairs, then `,CS,HH`, an optional `}`.
//! The line handed in has no CR/LF. Mapping keys to meanings lives in [`super::reading`];
//! normalising manual-printed samples (spaces, typographic quotes) is deliberately absent.

use crate::redact::REDACTED;
use crate::scale::checksum::{parse_hex2, sum8};
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

/// Where a value sits in the bytes of its frame: a byte range and whether it was quoted.
///
/// Values are not copied out of the frame: a pair is its key and this span, and its text is read
/// through the bytes it was cut from ([`TanitaFrame::pairs`], [`super::Reading::pairs`]).
/// `Debug` shows the offsets only, never the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValueSpan {
    start: u32,
    end: u32,
    quoted: bool,
}

impl ValueSpan {
    /// The span of `start..end` (without quotes), quoted or bare.
    pub(crate) fn new(start: usize, end: usize, quoted: bool) -> ValueSpan {
        // Frames are lines of a serial protocol, far below 4 GiB (the decoder caps line length).
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        ValueSpan {
            start: at(start),
            end: at(end),
            quoted,
        }
    }

    /// The byte range of the text (without quotes).
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether the value was double-quoted.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// The value in `text`, the bytes the span was cut from. A span that does not fit `text`
    /// (bytes it was not cut from) reads as empty rather than panicking.
    pub fn resolve<'a>(&self, text: &'a [u8]) -> RawValue<'a> {
        let s = text
            .get(self.range())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        if self.quoted {
            RawValue::Quoted(s)
        } else {
            RawValue::Bare(s)
        }
    }
}

/// One opaque "TANITA use only" control pair, e.g. `~0,1`: its index and where its value sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControlPair {
    /// The digit after `~`.
    pub index: u8,
    /// Where the value sits in the frame's bytes.
    pub value: ValueSpan,
}

/// A control pair read through its frame's bytes.
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Control<'a> {
    /// The digit after `~`.
    pub index: u8,
    /// The value as sent (quotes removed).
    pub value: &'a str,
}

impl fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Control pairs are the device's own settings (reference §2), not health data.
        write!(f, "~{},{}", self.index, self.value)
    }
}

/// A value as it appeared in the frame, borrowed from the frame's bytes.
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "text", rename_all = "snake_case")]
pub enum RawValue<'a> {
    /// A double-quoted string, without its quotes.
    Quoted(&'a str),
    /// A bare token (numbers, possibly negative, possibly without a decimal).
    Bare(&'a str),
}

impl fmt::Debug for RawValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'a> RawValue<'a> {
    /// The text without quotes.
    pub fn text(&self) -> &'a str {
        match *self {
            RawValue::Quoted(s) | RawValue::Bare(s) => s,
        }
    }
}

/// One `KEY,value` pair, kept exactly as sent (keys are case-sensitive): the key and where the
/// value sits in the frame's bytes. `Debug` never shows the value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawPair {
    /// The two-character key, e.g. `Wk`, `fW`, `rB`.
    pub key: Key,
    /// Where the value sits in the frame's bytes.
    pub value: ValueSpan,
}

impl fmt::Debug for RawPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={REDACTED}", self.key)
    }
}

/// A pair read through its frame's bytes; serialises as `{"key", "value": {"type", "text"}}`.
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pair<'a> {
    /// The two-character key.
    pub key: Key,
    /// The value as sent.
    pub value: RawValue<'a>,
}

impl fmt::Debug for Pair<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={REDACTED}", self.key)
    }
}

/// A span-carrying item that can be read through the bytes it was cut from.
pub trait Resolve: Copy {
    /// The item with its text.
    type Resolved<'a>;
    /// The item read through `text`.
    fn resolve<'a>(&self, text: &'a [u8]) -> Self::Resolved<'a>;
}

impl Resolve for RawPair {
    type Resolved<'a> = Pair<'a>;
    fn resolve<'a>(&self, text: &'a [u8]) -> Pair<'a> {
        Pair {
            key: self.key,
            value: self.value.resolve(text),
        }
    }
}

impl Resolve for ControlPair {
    type Resolved<'a> = Control<'a>;
    fn resolve<'a>(&self, text: &'a [u8]) -> Control<'a> {
        Control {
            index: self.index,
            value: self.value.resolve(text).text(),
        }
    }
}

/// A list of pairs (or control pairs) together with the bytes their values are read from:
/// what [`TanitaFrame::pairs`], [`super::Reading::pairs`] and friends hand out.
///
/// Serialises as a sequence of the items with their text (as the owned pairs did before values
/// became spans); `Debug` lists keys only.
#[derive(Clone, Copy)]
pub struct Resolved<'a, T> {
    text: &'a [u8],
    items: &'a [T],
}

/// Key/value pairs with their text.
pub type Pairs<'a> = Resolved<'a, RawPair>;
/// Control pairs with their text.
pub type Controls<'a> = Resolved<'a, ControlPair>;

impl<'a, T: Resolve> Resolved<'a, T> {
    /// `items`, read through `text` (the bytes their spans were cut from).
    pub fn new(text: &'a [u8], items: &'a [T]) -> Self {
        Resolved { text, items }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`-th, with its text.
    pub fn get(&self, i: usize) -> Option<T::Resolved<'a>> {
        self.items.get(i).map(|p| p.resolve(self.text))
    }

    /// Each in order, with its text.
    pub fn iter(&self) -> ResolvedIter<'a, T> {
        ResolvedIter {
            text: self.text,
            items: self.items.iter(),
        }
    }

    /// The spans, without their text.
    pub fn spans(&self) -> &'a [T] {
        self.items
    }

    /// The bytes the spans point into.
    pub fn text(&self) -> &'a [u8] {
        self.text
    }
}

impl<'a> Resolved<'a, RawPair> {
    /// The first value for `key` (keys are case-sensitive).
    pub fn value(&self, key: &str) -> Option<RawValue<'a>> {
        self.items
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.resolve(self.text))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = Key> + 'a {
        self.items.iter().map(|p| p.key)
    }
}

impl<'a> Resolved<'a, ControlPair> {
    /// The value of control pair `~index`, if present.
    pub fn value(&self, index: u8) -> Option<&'a str> {
        self.items
            .iter()
            .find(|c| c.index == index)
            .map(|c| c.value.resolve(self.text).text())
    }
}

impl<'a, T: Resolve> IntoIterator for Resolved<'a, T> {
    type Item = T::Resolved<'a>;
    type IntoIter = ResolvedIter<'a, T>;
    fn into_iter(self) -> ResolvedIter<'a, T> {
        self.iter()
    }
}

/// The items of a [`Resolved`] list, each with its text.
#[derive(Debug, Clone)]
pub struct ResolvedIter<'a, T> {
    text: &'a [u8],
    items: std::slice::Iter<'a, T>,
}

impl<'a, T: Resolve> Iterator for ResolvedIter<'a, T> {
    type Item = T::Resolved<'a>;
    fn next(&mut self) -> Option<T::Resolved<'a>> {
        self.items.next().map(|p| p.resolve(self.text))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<T: Resolve> ExactSizeIterator for ResolvedIter<'_, T> {}

impl<'a, T: Resolve> serde::Serialize for Resolved<'a, T>
where
    T::Resolved<'a>: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'a, T: Resolve> fmt::Debug for Resolved<'a, T>
where
    T::Resolved<'a>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Resolve> PartialEq for Resolved<'a, T>
where
    T::Resolved<'a>: PartialEq,
{
    /// Equal when the items read the same (wherever their bytes sit).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
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
            .field("control", &self.control())
            .field("keys", &self.pairs().keys().collect::<Vec<_>>())
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
        let (control, pairs) = split_pairs(&line[..body_end])?;
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
    pub fn control(&self) -> Controls<'_> {
        Resolved::new(&self.raw, &self.control)
    }

    /// Every key/value pair in order, known keys and unknown.
    pub fn pairs(&self) -> Pairs<'_> {
        Resolved::new(&self.raw, &self.pairs)
    }

    /// The first value for `key` (keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<RawValue<'_>> {
        self.pairs().value(key)
    }

    /// Takes the frame apart: (raw line, control pairs, pairs). The spans point into the line.
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
        self.control().value(index)
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
/// Works on bytes and hands out spans (offsets into the line): no token vector, no copies — the
/// decoder's hottest path (docs/performance.md).
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
    done: bool,
}

/// One token: where its text (without quotes) sits in the line, and whether it was quoted.
#[derive(Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    quoted: bool,
}

impl<'a> Tokens<'a> {
    /// The tokens of `bytes[at..]`.
    fn new(bytes: &'a [u8], at: usize) -> Tokens<'a> {
        Tokens {
            bytes,
            at,
            done: false,
        }
    }

    fn text(&self, t: Token) -> &'a [u8] {
        &self.bytes[t.start..t.end]
    }

    fn next(&mut self) -> Result<Option<Token>, FrameError> {
        if self.done {
            return Ok(None);
        }
        let bytes = self.bytes;
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
            let token = Token {
                start: at + 1,
                end: close,
                quoted: true,
            };
            (token, close + 1)
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
            let token = Token {
                start: at,
                end,
                quoted: false,
            };
            (token, end)
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

impl Token {
    fn span(self) -> ValueSpan {
        ValueSpan::new(self.start, self.end, self.quoted)
    }
}

/// Control pairs and key/value pairs of a frame: `line` runs from `{` to just before the comma
/// that precedes `CS`; the spans are offsets into `line` (and so into the whole frame).
fn split_pairs(line: &[u8]) -> Result<(Vec<ControlPair>, Vec<RawPair>), FrameError> {
    let mut tokens = Tokens::new(line, 1);
    // "0" and "16" (checked by FRAME_START).
    tokens.next()?;
    tokens.next()?;
    // Analyzers send one to four control pairs. A pair takes at least 5 bytes (`Kk,1,`), so
    // the pairs never outgrow this capacity (a 1.3 KB F1 frame has 159 pairs: `len / 12`, as
    // before, reallocated once per frame).
    let mut control = Vec::with_capacity(4);
    let mut pairs = Vec::with_capacity(line.len() / 5 + 1);
    let mut pending_key = None;
    while let Some(t) = tokens.next()? {
        let digit = match tokens.text(t).strip_prefix(b"~") {
            Some(d) if !t.quoted => d,
            _ => {
                pending_key = Some(t);
                break;
            }
        };
        let index = match digit {
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
            value: value.span(),
        });
    }
    let mut key_token = pending_key;
    while let Some(k) = key_token {
        let key = if k.quoted {
            None
        } else {
            Key::new(tokens.text(k))
        }
        .ok_or(FrameError::Malformed {
            reason: "a key is not two letters or digits",
        })?;
        let value = tokens.next()?.ok_or(FrameError::Malformed {
            reason: "a key without a value",
        })?;
        if !value.quoted && !is_bare_number(tokens.text(value)) {
            return Err(FrameError::Malformed {
                reason: "an unquoted value is not a number",
            });
        }
        pairs.push(RawPair {
            key,
            value: value.span(),
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
fn is_bare_number(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
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
        assert_eq!(f.get("MO"), Some(RawValue::Quoted("PW-650")));
        assert_eq!(f.get("Wk").map(|v| v.text()), Some("58.1"));
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
