//! A scanned card against the station's synced cards: every refusal reason, the driver starting
//! (or not starting) a session, and 100,000 random and tampered payloads with none accepted.

#![allow(clippy::unwrap_used)]

use hakaru_station::cards::{verify, CardRejection};
use hakaru_station::domain::Date;
use hakaru_station::session::{Event, SessionConfig, Stage};
use hakaru_station::store::testing::{self, participant, seeded, CARD_PROGRAM, T0};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::Station;
use hakaru_wire::api::CardStatus as WireCard;
use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
use std::time::Instant;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};
/// 2026-11-23 as a day number.
const TODAY_DAY: u16 = 20_780;

/// A store holding: participant 0 — holder 1, serial 1 replaced by serial 2; participant 1 —
/// holder 2, expired yesterday; participant 2 — holder 3, valid through today.
struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    current: CardToken,
    replaced: CardToken,
    expired: CardToken,
    last_day: CardToken,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(&StoreConfig::in_dir(dir.path()), 3).unwrap();
    let (replaced, old) = testing::card(&participant(0), 1, 1, WireCard::Revoked);
    let (current, new) = testing::card(&participant(0), 1, 2, WireCard::Active);
    let (expired, mut gone) = testing::card(&participant(1), 2, 1, WireCard::Active);
    gone.expires_day = Some(TODAY_DAY - 1);
    let (last_day, mut today) = testing::card(&participant(2), 3, 1, WireCard::Active);
    today.expires_day = Some(TODAY_DAY);
    testing::sync_cards(&mut store, &[old, new, gone, today], T0).unwrap();
    Fixture {
        _dir: dir,
        store,
        current,
        replaced,
        expired,
        last_day,
    }
}

fn check(f: &Fixture, text: &str) -> Result<String, CardRejection> {
    verify(&f.store, text, TODAY)
        .unwrap()
        .map(|c| c.participant.as_str().to_owned())
}

fn with(token: &CardToken, change: impl FnOnce(&mut CardFields)) -> String {
    let mut fields = token.fields();
    change(&mut fields);
    CardToken::from_parts(fields, *token.tag()).encode()
}

#[test]
fn the_current_card_names_its_participant_in_any_case_and_with_a_readers_line_end() {
    let f = fixture();
    let text = f.current.encode();
    let p0 = participant(0).as_str().to_owned();
    assert_eq!(check(&f, &text), Ok(p0.clone()));
    assert_eq!(check(&f, &text.to_lowercase()), Ok(p0.clone()));
    assert_eq!(check(&f, &format!("{text}\r\n")), Ok(p0));
    assert_eq!(
        check(&f, &f.last_day.encode()),
        Ok(participant(2).as_str().to_owned()),
        "valid through its last day"
    );
}

#[test]
fn each_refusal_has_its_own_reason() {
    let f = fixture();
    let c = &f.current;
    assert_eq!(
        check(&f, "https://example.jp/"),
        Err(CardRejection::NotOurs)
    );
    assert_eq!(check(&f, ""), Err(CardRejection::NotOurs));
    assert_eq!(check(&f, &c.encode()[..30]), Err(CardRejection::Malformed));
    assert_eq!(
        check(&f, &with(c, |x| x.program = CARD_PROGRAM + 1)),
        Err(CardRejection::OtherProgram)
    );
    assert_eq!(
        check(&f, &with(c, |x| x.holder = 99)),
        Err(CardRejection::UnknownParticipant)
    );
    assert_eq!(check(&f, &f.replaced.encode()), Err(CardRejection::Revoked));
    assert_eq!(
        check(&f, &with(c, |x| x.serial = 3)),
        Err(CardRejection::UnknownParticipant),
        "a serial newer than the roster"
    );
    assert_eq!(check(&f, &f.expired.encode()), Err(CardRejection::Expired));
    let mut tag = *c.tag();
    tag[TAG_LEN - 1] ^= 1;
    assert_eq!(
        check(&f, &CardToken::from_parts(c.fields(), tag).encode()),
        Err(CardRejection::BadSignature)
    );
    assert_eq!(
        check(&f, &with(c, |x| x.issued_day -= 1)),
        Err(CardRejection::BadSignature)
    );
    // Before the first roster page, nothing can be checked.
    let dir = tempfile::tempdir().unwrap();
    let empty = seeded(&StoreConfig::in_dir(dir.path()), 1).unwrap();
    assert_eq!(
        verify(&empty, &c.encode(), TODAY).unwrap().map(|_| ()),
        Err(CardRejection::NoRoster)
    );
}

#[test]
fn every_refusal_has_japanese_then_english_words_without_personal_data() {
    for r in [
        CardRejection::NotOurs,
        CardRejection::Malformed,
        CardRejection::OtherProgram,
        CardRejection::UnknownParticipant,
        CardRejection::Revoked,
        CardRejection::Expired,
        CardRejection::BadSignature,
        CardRejection::NoRoster,
    ] {
        let w = r.words();
        assert!(
            w.ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{r:?}: {}",
            w.ja
        );
        assert!(w.en.is_ascii() && !w.en.is_empty(), "{r:?}: {}", w.en);
    }
}

#[test]
fn the_driver_starts_a_session_only_for_a_verified_card() {
    let f = fixture();
    let mut store = f.store;
    // Not a test of the calibration gate: the analyzer passed its check today.
    hakaru_station::calibration::testing::calibrated(&mut store, "00000001", TODAY).unwrap();
    let mut station = Station::new(store, SessionConfig::default()).unwrap();
    #[allow(clippy::disallowed_methods)] // the test drives the session's deadlines from here
    let now = Instant::now();
    let refused = station
        .card_read(&f.replaced.encode(), TODAY, now, T0)
        .unwrap();
    assert_eq!(refused, Err(CardRejection::Revoked));
    assert_eq!(station.stage(), Stage::Idle);
    assert!(
        station.poll_event().is_none(),
        "a refused card starts nothing"
    );
    station
        .card_read(&f.current.encode(), TODAY, now, T0)
        .unwrap()
        .unwrap();
    assert!(
        matches!(station.poll_event(), Some(Event::Identifying { .. })),
        "a verified card starts a session"
    );
}

/// splitmix64: deterministic randomness for the tamper run (no dependency, reproducible).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn a_hundred_thousand_random_forged_and_tampered_payloads_are_all_refused() {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const ANY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz-._ :/";
    let f = fixture();
    let genuine = [&f.current, &f.last_day];
    let mut rng = Rng(0x4841_4B41_5255);
    let mut reasons = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..100_000u32 {
        let text = match i % 4 {
            // 1–3 base32 characters substituted in a genuine token.
            0 | 1 => {
                let original = genuine[rng.below(2)].encode().into_bytes();
                let mut bytes = original.clone();
                let mut changed = Vec::new();
                while changed.len() <= rng.below(3) {
                    let at = 2 + rng.below(bytes.len() - 2);
                    if changed.contains(&at) {
                        continue;
                    }
                    changed.push(at);
                    while bytes[at] == original[at] {
                        bytes[at] = BASE32[rng.below(BASE32.len())];
                    }
                }
                String::from_utf8(bytes).unwrap()
            }
            // Forged: a real holder and serial of this program, a guessed tag.
            2 => {
                let mut tag = [0u8; TAG_LEN];
                for b in &mut tag {
                    *b = rng.next() as u8;
                }
                let fields = genuine[rng.below(2)].fields();
                CardToken::from_parts(fields, tag).encode()
            }
            // Random text, sometimes with the right prefix and length.
            _ => {
                let len = if rng.below(2) == 0 { 36 } else { rng.below(60) };
                let mut s: String = (0..len)
                    .map(|_| ANY[rng.below(ANY.len())] as char)
                    .collect();
                if rng.below(2) == 0 && len >= 2 {
                    s.replace_range(..2, "K1");
                }
                s
            }
        };
        match check(&f, &text) {
            Ok(p) => panic!("payload {i} ({text}) was accepted as {p}"),
            Err(r) => *reasons.entry(format!("{r:?}")).or_default() += 1,
        }
    }
    // Every kind of payload met its check (not just the syntax one).
    for reason in ["BadSignature", "Malformed", "NotOurs"] {
        assert!(
            reasons.get(reason).copied().unwrap_or(0) > 1_000,
            "{reasons:?}"
        );
    }
}
