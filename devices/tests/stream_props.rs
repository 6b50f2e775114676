//! Property tests for the streaming decoder against independent oracles.
//!
//! Generators build valid Tanita frames from typed fields (keys from reference §2.1, numbers
//! with one decimal, quoted strings) with the checksum computed here, plus weight lines, PC-mode
//! replies, status codes and noise. Properties: any chunking of any sequence decodes to the
//! same events as `decode_all`; each generated item comes out as the event it was built as, a
//! frame as a `Reading` whose raw bytes and pairs are the frame's own.
//!
//! Noise is what the decoder must skip without an event: a line that starts with a byte no
//! format starts with (a control byte, `~`, or a non-ASCII byte) and contains no `{` (which
//! always starts a frame), ended by CR, LF or CR LF. Anything else — say, `E2` or `@` — would
//! be a legal status or reply, not noise.

mod common;

use common::oracle_sum;
use hakaru_devices::scale::tanita::UnitSystem;
use hakaru_devices::scale::tanita::{FrameError, RawValue};
use hakaru_devices::scale::{decode_all, DecodeError, DecodeEvent, StreamDecoder, MAX_LINE};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Keys that carry quoted text (reference §2.1).
const STRING_KEYS: &[&str] = &["MO", "SN", "ID", "CC", "Da", "DT", "DA", "TI", "Ti", "DB"];

/// Keys that carry bare numbers (reference §2.1 tables), segment and impedance codes included.
/// `Ws` (stone-pounds, `XX.YY.Y`) is left out: one decimal is not its format.
const NUMBER_KEYS: &[&str] = &[
    "St", "Bt", "GE", "AG", "Hm", "Pt", "Ta", "AL", "gF", "Wk", "Wp", "Wg", "FW", "fW", "MW", "mW",
    "sW", "bW", "wW", "ww", "wI", "wO", "wo", "MI", "Sw", "OV", "Sf", "SM", "IF", "LP", "rb", "rB",
    "rJ", "rA", "rD", "RO", "ZF", "gW", "gf", "gt", "BA", "BF", "Ap", "mh", "mb", "AS", "ah", "ab",
    "FR", "fR", "MR", "mR", "SR", "sR", "FL", "mL", "Fr", "mr", "Fl", "ml", "FT", "fT", "mT", "sT",
    "GH", "HH", "RH", "XH", "JH", "KH", "aR", "cR", "RL", "XL", "Rr", "Xr", "Rl", "Xl", "RF", "XF",
    "RM", "XM", "LM", "iM", "jF", "pH", "pR", "pL", "pr", "pl", "pF", "pM", "Hf", "Gg", "Rg",
];

/// Control-data sets seen on real devices (reference §2).
const CONTROL_SETS: &[&str] = &[
    "~0,1,~1,1,~2,1",
    "~0,1",
    "~1,1",
    "~0,2,~1,2,~2,3,~3,4",
    "~0,3,~1,3,~2,3,~3,4",
    "~1,2,~3,4",
];

/// A pair as generated: key, value text as it goes on the wire (quotes included).
#[derive(Debug, Clone)]
struct Pair {
    key: String,
    wire: String,
}

/// One number with one decimal, possibly negative (`-5.8`, `0.0`, `1514.0`).
fn number() -> impl Strategy<Value = String> {
    (any::<bool>(), 0u32..10_000, 0u32..10)
        .prop_map(|(neg, int, tenth)| format!("{}{int}.{tenth}", if neg { "-" } else { "" }))
}

/// Text inside quotes: printable ASCII without `"`, `,` and `{` (reference §2 grammar; a `{`
/// would start a new frame on the wire).
fn quoted() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (0x20u8..0x7f).prop_filter("no quote, comma or brace", |b| !b"\",{".contains(b)),
        0..20,
    )
    .prop_map(|bytes| format!("\"{}\"", String::from_utf8(bytes).expect("ascii")))
}

/// A key this decoder may not know: a letter then a letter or digit.
fn other_key() -> impl Strategy<Value = String> {
    let letters: Vec<char> = ('A'..='Z').chain('a'..='z').collect();
    let second: Vec<char> = letters.iter().copied().chain('0'..='9').collect();
    (
        proptest::sample::select(letters),
        proptest::sample::select(second),
    )
        .prop_map(|(a, b)| format!("{a}{b}"))
        .prop_filter("not CS, not a text key, not Ws", |k| {
            k != "CS" && k != "Ws" && !STRING_KEYS.contains(&k.as_str())
        })
}

fn pair() -> impl Strategy<Value = Pair> {
    prop_oneof![
        2 => (proptest::sample::select(STRING_KEYS), quoted())
            .prop_map(|(k, v)| Pair { key: k.to_owned(), wire: v }),
        6 => (proptest::sample::select(NUMBER_KEYS), number())
            .prop_map(|(k, v)| Pair { key: k.to_owned(), wire: v }),
        1 => (other_key(), number()).prop_map(|(key, wire)| Pair { key, wire }),
    ]
}

/// A valid frame, without line end, and the pairs it was built from.
#[derive(Debug, Clone)]
struct Frame {
    bytes: Vec<u8>,
    pairs: Vec<Pair>,
    imperial: bool,
}

fn frame() -> impl Strategy<Value = Frame> {
    (
        proptest::sample::select(CONTROL_SETS),
        proptest::collection::vec(pair(), 1..40),
        any::<bool>(),
    )
        .prop_map(|(control, pairs, brace)| {
            // A key twice with different values is an error by design: keep the first.
            let mut seen = BTreeSet::new();
            let pairs: Vec<Pair> = pairs
                .into_iter()
                .filter(|p| seen.insert(p.key.clone()))
                .collect();
            let mut text = format!("{{0,16,{control}");
            for p in &pairs {
                text.push_str(&format!(",{},{}", p.key, p.wire));
            }
            text.push_str(",CS,");
            let cs = oracle_sum(&text.as_bytes()[..text.len() - 3]);
            text.push_str(&format!("{cs:02X}"));
            if brace {
                text.push('}');
            }
            Frame {
                bytes: text.into_bytes(),
                pairs,
                imperial: control.starts_with("~0,3"),
            }
        })
}

/// A weight line in one of the formats of reference §4.
fn weight_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // A&D standard: H1,H2,sign + 7 chars + unit(2)
        (
            proptest::sample::select(&["ST", "US"][..]),
            proptest::sample::select(&["GS", "NT", "TR"][..]),
            0u32..10_000,
            0u32..100,
        )
            .prop_map(|(h1, h2, int, frac)| {
                let data = format!("{int}.{frac:02}");
                format!("{h1},{h2},+{data:0>7}kg").into_bytes()
            }),
        // Tanita WB-100/110: header(2), 2 spaces, 6-byte right-aligned weight, unit(2)
        (
            proptest::sample::select(&["S ", "SD"][..]),
            0u32..1000,
            0u32..10,
        )
            .prop_map(
                |(h, int, tenth)| format!("{h}  {:>6}kg", format!("{int}.{tenth}")).into_bytes()
            ),
        // DC-320 weight-only reply
        (0u32..300, 0u32..10).prop_map(|(i, t)| format!("F0,Wk,{i}.{t}").into_bytes()),
    ]
}

/// A PC-mode reply (reference §3 and §6 PC-mode fixtures).
fn reply_line() -> impl Strategy<Value = Vec<u8>> {
    let fixed: &[&[u8]] = &[
        b"@",
        b"!",
        b"#",
        b"S6",
        b"S0",
        b"G1",
        b"U0",
        b"M1",
        b"D0",
        b"D3",
        b"D3!",
        b"D6!",
        b"D0,Pt,1.0",
        b"D2,Bt,0",
        b"D1,GE,",
        b"D01.5,D11,D20,D3175.4,D430,D50000012345,D620",
        b"D000.0,D1!,D2!,D3!,D4!,D5!,D6!",
    ];
    proptest::sample::select(fixed).prop_map(<[u8]>::to_vec)
}

fn status_line() -> impl Strategy<Value = Vec<u8>> {
    (0u8..10).prop_map(|d| vec![b'E', b'0' + d])
}

/// Noise: see the module documentation.
fn noise_line() -> impl Strategy<Value = Vec<u8>> {
    let first = prop_oneof![0x00u8..0x09, Just(b'~'), 0x80u8..=0xff];
    let rest = proptest::collection::vec(
        any::<u8>().prop_filter("no frame start, no line end", |b| !b"{\r\n".contains(b)),
        0..60,
    );
    (first, rest).prop_map(|(f, mut r)| {
        r.insert(0, f);
        r
    })
}

const LINE_ENDS: &[&[u8]] = &[b"\r\n", b"\n", b"\r"];

fn line_end() -> impl Strategy<Value = &'static [u8]> {
    proptest::sample::select(LINE_ENDS)
}

/// One thing on the wire.
#[derive(Debug, Clone)]
enum Item {
    Frame(Frame),
    Weight(Vec<u8>),
    Reply(Vec<u8>),
    Status(Vec<u8>),
    Noise(Vec<u8>),
}

fn item() -> impl Strategy<Value = (Item, &'static [u8])> {
    (
        prop_oneof![
            4 => frame().prop_map(Item::Frame),
            2 => weight_line().prop_map(Item::Weight),
            2 => reply_line().prop_map(Item::Reply),
            1 => status_line().prop_map(Item::Status),
            2 => noise_line().prop_map(Item::Noise),
        ],
        line_end(),
    )
}

fn wire(items: &[(Item, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (item, end) in items {
        let body = match item {
            Item::Frame(f) => &f.bytes,
            Item::Weight(l) | Item::Reply(l) | Item::Status(l) | Item::Noise(l) => l,
        };
        out.extend_from_slice(body);
        out.extend_from_slice(end);
    }
    out
}

/// Pushes `bytes` in chunks of the given sizes (cycled), then finishes.
fn decode_chunked(bytes: &[u8], sizes: &[usize]) -> (Vec<DecodeEvent>, StreamDecoder) {
    let mut d = StreamDecoder::new();
    let mut rest = bytes;
    let mut events = Vec::new();
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = (*size).min(rest.len());
        d.push(&rest[..n]);
        assert!(d.buffered() <= MAX_LINE);
        rest = &rest[n..];
        // Interleave polling with pushing, as the serial link does.
        events.extend(std::iter::from_fn(|| d.poll_event()));
    }
    d.finish();
    events.extend(std::iter::from_fn(|| d.poll_event()));
    (events, d)
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..300, 1..20)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any chunking of any generated sequence decodes to the same events as `decode_all`, and
    /// each item to the event it was built as.
    #[test]
    fn any_chunking_gives_the_events_each_item_was_built_as(
        items in proptest::collection::vec(item(), 0..25),
        sizes in chunk_sizes(),
    ) {
        let bytes = wire(&items);
        let whole = decode_all(&bytes);
        let (chunked, d) = decode_chunked(&bytes, &sizes);
        prop_assert_eq!(&chunked, &whole);

        let expected: Vec<&Item> = items
            .iter()
            .map(|(i, _)| i)
            .filter(|i| !matches!(i, Item::Noise(_)))
            .collect();
        prop_assert_eq!(whole.len(), expected.len(), "events: {:?}", whole);
        for (event, item) in whole.iter().zip(&expected) {
            match (event, item) {
                (DecodeEvent::Reading { reading }, Item::Frame(f)) => {
                    prop_assert_eq!(reading.raw(), &f.bytes[..]);
                    let got: Vec<(String, &str, bool)> = reading
                        .pairs()
                        .iter()
                        .map(|p| (p.key.to_string(), p.value.text(), matches!(p.value, RawValue::Quoted(_))))
                        .collect();
                    let want: Vec<(String, &str, bool)> = f
                        .pairs
                        .iter()
                        .map(|p| (p.key.to_string(), p.wire.trim_matches('"'), p.wire.starts_with('"')))
                        .collect();
                    prop_assert_eq!(got, want);
                    let unit = if f.imperial { UnitSystem::Imperial } else { UnitSystem::Metric };
                    prop_assert_eq!(reading.unit_system, unit);
                    let other_weight = f.pairs.iter().any(|p| p.key == "Wp" || p.key == "Wg");
                    if let (Some(wk), false) = (f.pairs.iter().find(|p| p.key == "Wk"), f.imperial || other_weight) {
                        let sent: f64 = wk.wire.parse().expect("number");
                        prop_assert_eq!(reading.weight.map(|w| w.0), Some(sent));
                    }
                }
                (DecodeEvent::Weight { weight }, Item::Weight(l)) => {
                    prop_assert_eq!(&weight.raw, l);
                }
                (DecodeEvent::Reply { .. }, Item::Reply(_)) => {}
                (DecodeEvent::Status { .. }, Item::Status(_)) => {}
                (event, item) => {
                    prop_assert!(false, "{:?} decoded as {:?}", item, event);
                }
            }
        }
        let noise: usize = items
            .iter()
            .filter_map(|(i, _)| match i {
                Item::Noise(n) => Some(n.len()),
                _ => None,
            })
            .sum();
        prop_assert_eq!(d.stats().rejected, 0);
        prop_assert_eq!(d.stats().skipped_bytes, noise as u64);
        prop_assert_eq!(d.stats().bytes_in, bytes.len() as u64);
    }

    /// A frame whose carried checksum is not the oracle's is rejected with both numbers.
    #[test]
    fn a_wrong_checksum_is_rejected_with_both_numbers(f in frame(), delta in 1u8..=255) {
        let mut bytes = f.bytes.clone();
        let brace = usize::from(bytes.last() == Some(&b'}'));
        let n = bytes.len() - brace;
        let right = u8::from_str_radix(std::str::from_utf8(&bytes[n - 2..n]).unwrap(), 16).unwrap();
        let wrong = right.wrapping_add(delta);
        bytes.splice(n - 2..n, format!("{wrong:02X}").bytes());
        bytes.extend_from_slice(b"\r\n");
        let events = decode_all(&bytes);
        prop_assert_eq!(
            events,
            vec![DecodeEvent::Rejected {
                error: DecodeError::Frame(FrameError::ChecksumMismatch {
                    expected: right,
                    actual: wrong,
                }),
                bytes: bytes.len() - 2,
            }]
        );
    }

    /// Arbitrary bytes: chunking never changes the result and the buffer stays bounded.
    #[test]
    fn arbitrary_bytes_decode_the_same_in_any_chunking(
        bytes in proptest::collection::vec(any::<u8>(), 0..3000),
        sizes in chunk_sizes(),
    ) {
        let whole = decode_all(&bytes);
        let (chunked, _) = decode_chunked(&bytes, &sizes);
        prop_assert_eq!(chunked, whole);
    }

    /// A frame cut anywhere and followed by the whole frame: one truncation, then the reading.
    #[test]
    fn a_cut_frame_then_the_whole_one(f in frame(), cut in 1usize..1000, sizes in chunk_sizes()) {
        let cut = cut % f.bytes.len();
        prop_assume!(cut > 0);
        let mut bytes = f.bytes[..cut].to_vec();
        bytes.extend_from_slice(&f.bytes);
        bytes.extend_from_slice(b"\r\n");
        let (events, _) = decode_chunked(&bytes, &sizes);
        prop_assert_eq!(events.len(), 2, "{:?}", events);
        let truncated = matches!(
            &events[0],
            DecodeEvent::Rejected { error: DecodeError::Frame(FrameError::Truncated), bytes } if *bytes == cut
        );
        prop_assert!(truncated, "{:?}", events[0]);
        let reading_ok = matches!(&events[1], DecodeEvent::Reading { reading } if reading.raw() == f.bytes);
        prop_assert!(reading_ok);
    }
}
