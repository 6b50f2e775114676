//! Fixtures shared by the store's tests, the crash-recorder binary and the benches: verified
//! analyzer frames (reference/scale-protocols.md §6) and a store seeded with one enrolled
//! station, a roster and consents. Not part of the API; hidden from the docs.

use super::{new_id, Store, StoreConfig, StoreError};
use crate::domain::{
    BodyType, ConsentDecision, ConsentMethod, Date, ParticipantNumber, Profile, PurposeId, Sex,
    StationId,
};
use hakaru_devices::scale::{Reading, TanitaFrame};
use hakaru_wire::{ConsentAction, Timestamp};

/// Verified analyzer frames: F1 (MC-780A with impedances), F2 (MC-780A scale mode), F5 (SC-240).
pub use hakaru_devices::scale::fixtures::{F1, F2, F5};

/// Decodes a fixture frame.
pub fn reading(frame: &[u8]) -> Reading {
    let f = TanitaFrame::parse(frame).expect("fixture frames are verified");
    Reading::from_frame(f).expect("fixture frames decode")
}

/// 2026-06-03T06:00:00Z.
pub const T0: Timestamp = Timestamp::from_unix_ms(1_780_466_400_000);

/// The station id the fixtures enroll.
pub fn station() -> StationId {
    StationId::new("kita-community-01").expect("valid")
}

/// A participant number `P-` + six digits.
pub fn participant(i: u32) -> ParticipantNumber {
    ParticipantNumber::new(&format!("P-{i:06}")).expect("valid")
}

/// A plausible profile; `implanted` sets the implanted-device flag.
pub fn profile(implanted: bool) -> Profile {
    Profile {
        birth_date: Date {
            year: 1958,
            month: 6,
            day: 15,
        },
        sex: Sex::Male,
        height_tenths_cm: 1755,
        body_type: BodyType::Standard,
        implanted_device: implanted,
    }
}

/// A consent to everything, on screen.
pub fn consent_all() -> ConsentDecision {
    ConsentDecision {
        document_hashes: vec![super::roster::content_hash("terms v1")],
        granted: vec![PurposeId("service".into())],
        refused: vec![],
        method: ConsentMethod::OnScreen,
    }
}

/// Opens (or creates) a store, enrolls the station if needed and makes sure participants
/// `0..participants` exist (participant 1 has an implanted device) with consent given.
pub fn seeded(config: &StoreConfig, participants: u32) -> Result<Store, StoreError> {
    let mut store = Store::open(config)?;
    if store.station_id().is_none() {
        store.enroll(&station(), T0)?;
    }
    for i in 0..participants {
        let p = participant(i);
        if store.participant(&p)?.is_none() {
            store.upsert_participants(&[(p.clone(), profile(i == 1))], T0)?;
        }
        let has = store.latest_consent(&p)?.map(|c| c.action) == Some(ConsentAction::Given);
        if !has {
            store.record_consent(&p, ConsentAction::Given, &consent_all(), T0)?;
        }
    }
    Ok(store)
}

/// Bulk-inserts synthetic measurements straight into the table (no outbox, no audit) for the
/// history benchmark's 1,000,000-row fixture: `per_participant` readings for each of
/// participants `0..participants`, one minute apart. One transaction.
pub fn fill_history(
    store: &mut Store,
    participants: u32,
    per_participant: u32,
    values_json: &str,
) -> Result<(), StoreError> {
    let station = station();
    let tx = store.conn.transaction()?;
    {
        let mut roster = tx.prepare(
            "INSERT INTO participants (number, birth_date, sex, height_tenths_cm, body_type, implanted_device, updated_at)
             VALUES (?1, '1958-06-15', 1, 1755, 0, 0, ?2) ON CONFLICT DO NOTHING",
        )?;
        for i in 0..participants {
            roster.execute(rusqlite::params![participant(i).as_str(), T0.as_unix_ms()])?;
        }
        let mut stmt = tx.prepare(
            "INSERT INTO measurements (id, participant, station, analyzer_model, analyzer_serial,
                 taken_at, weight_only, reading_json, raw_frame, raw_frame_dropped)
             VALUES (?1, ?2, ?3, 'MC-780', NULL, ?4, 0, ?5, NULL, 0)",
        )?;
        for k in 0..per_participant {
            for i in 0..participants {
                let at = Timestamp::from_unix_ms(
                    T0.as_unix_ms()
                        + (i64::from(k) * i64::from(participants) + i64::from(i)) * 60_000,
                );
                stmt.execute(rusqlite::params![
                    new_id(at).to_string(),
                    participant(i).as_str(),
                    station.as_str(),
                    at.as_unix_ms(),
                    values_json
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Measurement rows in the store.
pub fn measurement_count(store: &Store) -> Result<u64, StoreError> {
    Ok(store
        .conn
        .query_row("SELECT count(*) FROM measurements", [], |r| {
            r.get::<_, i64>(0)
        })? as u64)
}

/// The single number a counting query (`SELECT count(*) …`) answers.
pub fn count(store: &Store, sql: &str) -> Result<i64, StoreError> {
    Ok(store.conn.query_row(sql, [], |r| r.get(0))?)
}

/// The program card code the card fixtures use.
pub const CARD_PROGRAM: u16 = 7;

/// A card of `participant` as the central server would issue it: the token to print and the
/// change-feed body. The tag is made from the fields here (the station never sees a key; it only
/// compares hashes, so any fixed bytes stand for the server's MAC).
pub fn card(
    participant: &ParticipantNumber,
    holder: u32,
    serial: u16,
    status: hakaru_wire::api::CardStatus,
) -> (hakaru_wire::card::CardToken, hakaru_wire::api::CardState) {
    use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
    let fields = CardFields {
        program: CARD_PROGRAM,
        holder,
        serial,
        issued_day: 20_780,
    };
    let mut tag = [0u8; TAG_LEN];
    tag[..4].copy_from_slice(&holder.to_be_bytes());
    tag[4..6].copy_from_slice(&serial.to_be_bytes());
    tag[6..].copy_from_slice(b"TAG!");
    let token = CardToken::from_parts(fields, tag);
    let state = hakaru_wire::api::CardState {
        participant: participant.as_str().to_owned(),
        card: fields,
        tag_sha256: token.tag_hash(),
        expires_day: None,
        status,
    };
    (token, state)
}

/// Gives the store cards as the change feed would: one page at seqs after the current cursor.
pub fn sync_cards(
    store: &mut Store,
    cards: &[hakaru_wire::api::CardState],
    now: Timestamp,
) -> Result<(), StoreError> {
    use hakaru_wire::api::{Change, ChangeKind, ChangesPage};
    let start = store.sync_cursor()?;
    let changes: Vec<Change> = cards
        .iter()
        .zip(start + 1..)
        .map(|(c, seq)| Change {
            seq,
            change: ChangeKind::Card(c.clone()),
        })
        .collect();
    let page = ChangesPage {
        card_program: CARD_PROGRAM,
        next_cursor: start + changes.len() as u64,
        changes,
        more: false,
    };
    store.apply_changes(&page, now)?;
    Ok(())
}
