//! Pure pieces of the storage promises that every backend shares, so the rules are written once:
//! batch checks, which participant and data item an event carries, the ledger entries of a
//! transfer, what a registration or card event does given what is stored, and the points bodies.
//!
//! Deliberately not here: SQL, transactions and the clock. Backends load what these functions
//! need, call them, and write what they return.

use super::{
    CardId, CardIssue, CardRecord, Direction, LedgerEntry, StationContext, StorageError,
    ENTRUSTED_TRANSFER,
};
use crate::cards::key::CardKey;
use crate::civil_date;
use crate::points::{Decision, PointsRules};
use hakaru_wire::api::{
    Ack, AckOutcome, CardState, CardStatus, Change, ChangeKind, HeldReason,
    IssuedCard as WireIssuedCard, ParticipantStatus, PointsAward, PointsBalance, RegistrationRules,
    RosterEntry, UploadRequest,
};
use hakaru_wire::card::{CardFields, CardToken, TagHash};
use hakaru_wire::{
    ConsentAction, EventId, EventKind, OutboxEvent, ParticipantRegistered, Timestamp,
};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The most events one upload may carry; more is [`StorageError::Invalid`].
pub const MAX_BATCH_EVENTS: usize = 1000;

/// The most changes one change-feed page carries; a larger `limit` is cut to this.
pub const MAX_CHANGE_PAGE: u32 = 1000;

/// The most readings one history answer carries; a larger `limit` is cut to this.
pub const MAX_HISTORY: u32 = 1000;

/// Ledger item names, as stored.
pub mod item {
    /// A reading.
    pub const MEASUREMENT: &str = "measurement";
    /// A consent decision.
    pub const CONSENT: &str = "consent";
    /// The roster profile (birth date, sex, height, body type, device flag, status).
    pub const ROSTER_PROFILE: &str = "roster_profile";
    /// A card's serial and state.
    pub const CARD: &str = "card";
    /// A points balance.
    pub const POINTS: &str = "points";
    /// Every item above: what the public statements must name (a test checks them all).
    pub const ALL: &[&str] = &[MEASUREMENT, CONSENT, ROSTER_PROFILE, CARD, POINTS];
}

/// Checks a batch before anything is written: at most [`MAX_BATCH_EVENTS`] events, and every
/// event names the caller's station.
pub fn check_batch(caller: &StationContext, batch: &UploadRequest) -> Result<(), StorageError> {
    if batch.events.len() > MAX_BATCH_EVENTS {
        return Err(StorageError::Invalid(format!(
            "1 回の送信は {MAX_BATCH_EVENTS} 件までです（{} 件）。分けて送ってください / \
             at most {MAX_BATCH_EVENTS} events per upload ({} sent): split the batch",
            batch.events.len(),
            batch.events.len()
        )));
    }
    if let Some(e) = batch
        .events
        .iter()
        .find(|e| e.station != caller.station.as_str())
    {
        return Err(StorageError::Forbidden(format!(
            "イベント {} は別の端末のものです。端末の設定を確認してください / \
             event {} names another station than {}: check the station's enrollment",
            e.id, e.id, caller.station
        )));
    }
    Ok(())
}

/// The refusal for an event id already stored for another station.
pub fn event_of_another_station(id: EventId) -> StorageError {
    StorageError::Forbidden(format!(
        "イベント {id} は別の端末から受信済みです / event {id} was already received from another station"
    ))
}

/// The participant number an event carries, if any.
pub fn event_participant(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::MeasurementRecorded(m) => Some(&m.participant),
        EventKind::ConsentRecorded(c) => Some(&c.participant),
        EventKind::CardRevoked(c) => Some(&c.participant),
        EventKind::ParticipantRegistered(p) => Some(&p.participant),
        EventKind::CalibrationRecorded(_) => None,
    }
}

/// The ledger item an event moves, if it is personal.
pub fn ledger_item(kind: &EventKind) -> Option<&'static str> {
    match kind {
        EventKind::MeasurementRecorded(_) => Some(item::MEASUREMENT),
        EventKind::ConsentRecorded(_) => Some(item::CONSENT),
        EventKind::ParticipantRegistered(_) => Some(item::ROSTER_PROFILE),
        EventKind::CardRevoked(_) => Some(item::CARD),
        EventKind::CalibrationRecorded(_) => None,
    }
}

/// A ledger entry for one transfer: participants and items sorted and distinct; `None` when no
/// participant's data moved.
pub fn ledger_entry<P, I>(
    caller: &StationContext,
    direction: Direction,
    participants: P,
    items: I,
    at: Timestamp,
) -> Option<LedgerEntry>
where
    P: IntoIterator,
    P::Item: Into<String>,
    I: IntoIterator<Item = &'static str>,
{
    let participants: BTreeSet<String> = participants.into_iter().map(Into::into).collect();
    if participants.is_empty() {
        return None;
    }
    let items: BTreeSet<&'static str> = items.into_iter().collect();
    Some(LedgerEntry {
        at,
        station: caller.station.clone(),
        program: caller.program.clone(),
        direction,
        label: ENTRUSTED_TRANSFER.to_owned(),
        participants: participants.into_iter().collect(),
        items: items.into_iter().map(str::to_owned).collect(),
    })
}

/// The ledger entry of an upload: the events of the request (new and replayed) that are kept,
/// direction [`Direction::Received`]. Leave out the ones [`kept_out_of_ledger`] names.
pub fn upload_ledger_entry<'a, I>(
    caller: &StationContext,
    events: I,
    now: Timestamp,
) -> Option<LedgerEntry>
where
    I: IntoIterator<Item = &'a OutboxEvent>,
{
    let events: Vec<&OutboxEvent> = events.into_iter().collect();
    ledger_entry(
        caller,
        Direction::Received,
        events.iter().filter_map(|e| event_participant(&e.kind)),
        events.iter().filter_map(|e| ledger_item(&e.kind)),
        now,
    )
}

/// The payload an event whose participant was erased is stored with: nothing of theirs.
pub const ERASED_PAYLOAD: &str = "{}";

/// Whether a new event naming a participant number is discarded because a deletion request (消去)
/// of the same program was carried out for that number: `erased_at` is the latest such
/// carrying-out (`None`: never erased), `on_roster` whether the number is on the roster now.
///
/// Discarded: every event of an erased number that is not on the roster (a station that had not
/// synced the removal yet uploads what it queued — readings, consents, card events, even a
/// registration, which must not bring the person back), and every event that occurred at or
/// before the erasure even if the office has since put the number on the roster again (what
/// was asked to be erased stays erased). Kept: events after the erasure of a number the office
/// registered again (a new enrolment under that number).
pub fn erased_event(occurred_at: Timestamp, erased_at: Option<Timestamp>, on_roster: bool) -> bool {
    match erased_at {
        None => false,
        Some(at) => !on_roster || occurred_at <= at,
    }
}

/// The acknowledgement of an event discarded by [`erased_event`]: held as
/// [`HeldReason::ParticipantErased`], so the station drops it from its outbox and never resends.
pub fn erased(id: EventId) -> Ack {
    held(id, HeldReason::ParticipantErased)
}

/// The payload an event is stored with: [`ERASED_PAYLOAD`] when its acknowledgement says its
/// participant was erased, else the event's body.
pub fn stored_payload(kind: &EventKind, ack: &Ack) -> Result<String, StorageError> {
    if held_reason(ack) == Some(HeldReason::ParticipantErased) {
        return Ok(ERASED_PAYLOAD.to_owned());
    }
    serde_json::to_string(kind).map_err(|e| StorageError::Backend(format!("event to JSON: {e}")))
}

/// Whether an event of an upload stays out of the upload's ledger entry because nothing of it is
/// kept: discarded as its participant's (its acknowledgement says so), or a replay of an event
/// from before its participant's erasure (`erased_at`, as for [`erased_event`]). A transfer
/// record naming an erased person for data the server threw away would itself be data about
/// them; the event row (id, kind, station, times, acknowledgement) records that it came.
pub fn kept_out_of_ledger(event: &OutboxEvent, ack: &Ack, erased_at: Option<Timestamp>) -> bool {
    held_reason(ack) == Some(HeldReason::ParticipantErased)
        || erased_at.is_some_and(|at| event.occurred_at <= at)
}

/// The ledger entry of a change-feed page: participants of its roster and card changes,
/// direction [`Direction::Sent`]; `None` when the page carries none.
pub fn changes_ledger_entry(
    caller: &StationContext,
    changes: &[Change],
    now: Timestamp,
) -> Option<LedgerEntry> {
    let mut participants = Vec::new();
    let mut items = Vec::new();
    for c in changes {
        match &c.change {
            ChangeKind::Participant(e) => {
                participants.push(e.participant.as_str());
                items.push(item::ROSTER_PROFILE);
            }
            ChangeKind::ParticipantRemoved(r) => {
                participants.push(r.participant.as_str());
                items.push(item::ROSTER_PROFILE);
            }
            ChangeKind::Card(card) => {
                participants.push(card.participant.as_str());
                items.push(item::CARD);
            }
            ChangeKind::Document(_)
            | ChangeKind::Purpose(_)
            | ChangeKind::Staff(_)
            | ChangeKind::RegistrationRules(_) => {}
        }
    }
    ledger_entry(caller, Direction::Sent, participants, items, now)
}

/// The ledger entry of one participant's data sent to a station (history or points).
pub fn sent_ledger_entry(
    caller: &StationContext,
    participant: &str,
    item: &'static str,
    now: Timestamp,
) -> Option<LedgerEntry> {
    ledger_entry(caller, Direction::Sent, [participant], [item], now)
}

/// A change page's limit: at most [`MAX_CHANGE_PAGE`], at least 1 (a page of nothing with
/// `more` set would loop a station for ever).
pub fn change_page_limit(limit: u32) -> u32 {
    limit.clamp(1, MAX_CHANGE_PAGE)
}

/// A history answer's limit: at most [`MAX_HISTORY`].
pub fn history_limit(limit: u32) -> u32 {
    limit.min(MAX_HISTORY)
}

/// An accepted acknowledgement.
pub fn accepted(id: EventId, points: Option<PointsAward>) -> Ack {
    Ack {
        id,
        outcome: AckOutcome::Accepted,
        points,
        card: None,
    }
}

/// A held acknowledgement.
pub fn held(id: EventId, reason: HeldReason) -> Ack {
    Ack {
        id,
        outcome: AckOutcome::Held { reason },
        points: None,
        card: None,
    }
}

/// The reason an acknowledgement was held, if it was.
pub fn held_reason(ack: &Ack) -> Option<HeldReason> {
    match ack.outcome {
        AckOutcome::Held { reason } => Some(reason),
        AckOutcome::Accepted => None,
    }
}

/// An acknowledgement as stored with its event.
pub fn ack_to_json(ack: &Ack) -> Result<String, StorageError> {
    serde_json::to_string(ack).map_err(|e| StorageError::Backend(format!("ack to JSON: {e}")))
}

/// A stored acknowledgement back.
pub fn ack_from_json(text: &str) -> Result<Ack, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::Backend(format!("stored ack: {e}")))
}

/// A registration as a roster entry (active).
pub fn roster_entry(reg: &ParticipantRegistered) -> RosterEntry {
    RosterEntry {
        participant: reg.participant.clone(),
        birth_date: reg.birth_date.clone(),
        sex: reg.sex,
        height_tenths_cm: reg.height_tenths_cm,
        body_type: reg.body_type,
        implanted_device: reg.implanted_device,
        status: ParticipantStatus::Active,
    }
}

/// What a `participant_registered` event does, given what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStep {
    /// Eligible, new, within the cap: insert (active), append a change, issue the first card.
    Insert,
    /// Held for the program office, for this reason; the station's later consents and readings
    /// for the number are held as [`HeldReason::RegistrationUnresolved`].
    Held(HeldReason),
}

/// What a registration is judged against: the program's rules, the roster entry stored under
/// its number, how many participants the roster holds, and the program's UTC offset (for the
/// application date when the event carries none).
#[derive(Debug, Clone, Copy)]
pub struct RegistrationContext<'a> {
    /// The program's registration rules ([`RegistrationRules::default`] when none were set).
    pub rules: &'a RegistrationRules,
    /// The roster entry under the registration's number, if any (whatever its status).
    pub existing: Option<&'a RosterEntry>,
    /// Participants on the program's roster now (every status).
    pub enrolled: u64,
    /// The program's offset from UTC, minutes.
    pub utc_offset_minutes: i32,
}

/// Whole years from `birth` to `on` (both days since 1970-01-01): the birthday counts on the day
/// itself (a person born on 29 February turns a year older on 1 March in other years).
pub fn age_in_years(birth: i64, on: i64) -> i64 {
    let (by, bm, bd) = civil_date::civil_from_days(birth);
    let (oy, om, od) = civil_date::civil_from_days(on);
    oy - by - i64::from((om, od) < (bm, bd))
}

/// The day (since 1970-01-01) a registration applies on: its `applied_on`, or when that is
/// empty the local date it occurred on.
fn application_day(
    reg: &ParticipantRegistered,
    occurred_at: Timestamp,
    utc_offset_minutes: i32,
) -> Option<i64> {
    if reg.applied_on.trim().is_empty() {
        let local = occurred_at.as_unix_ms() + i64::from(utc_offset_minutes) * 60_000;
        Some(local.div_euclid(civil_date::MS_PER_DAY))
    } else {
        civil_date::parse_days(reg.applied_on.trim())
    }
}

/// Judges a registration, in this order: (a) eligibility — age in whole years on the
/// application date below the minimum, or the area rule not met (a birth or application date
/// that does not parse cannot show the age: ineligible) → [`HeldReason::Ineligible`]; (b) one
/// registration per person — any roster entry under the number, whatever its details or status
/// → [`HeldReason::ParticipantExists`] (a conflict, never merged); (c) the enrolment cap — the
/// roster at or over it → [`HeldReason::EnrolmentFull`] (first come, first served in ingest
/// order); (d) otherwise [`RegistrationStep::Insert`].
pub fn registration_step(
    ctx: &RegistrationContext<'_>,
    reg: &ParticipantRegistered,
    occurred_at: Timestamp,
) -> RegistrationStep {
    let old_enough = match (
        civil_date::parse_days(reg.birth_date.trim()),
        application_day(reg, occurred_at, ctx.utc_offset_minutes),
    ) {
        (Some(birth), Some(on)) => age_in_years(birth, on) >= i64::from(ctx.rules.min_age_years),
        _ => false,
    };
    if !old_enough || (ctx.rules.residency_required && !reg.lives_or_works_locally) {
        return RegistrationStep::Held(HeldReason::Ineligible);
    }
    if ctx.existing.is_some() {
        return RegistrationStep::Held(HeldReason::ParticipantExists);
    }
    if ctx
        .rules
        .enrolment_cap
        .is_some_and(|cap| ctx.enrolled >= u64::from(cap))
    {
        return RegistrationStep::Held(HeldReason::EnrolmentFull);
    }
    RegistrationStep::Insert
}

/// Whether an event is held because its participant's registration at the sending station was
/// held: consents and readings only (`registration_held`: such a held registration is stored
/// for this station and number). Checked before anything else of the event.
pub fn unresolved_registration(kind: &EventKind, registration_held: bool) -> bool {
    registration_held
        && matches!(
            kind,
            EventKind::ConsentRecorded(_) | EventKind::MeasurementRecorded(_)
        )
}

/// The card a registration's ack carries, from the card just issued.
pub fn ack_card(token: &CardToken, expires_day: Option<u16>) -> WireIssuedCard {
    let f = token.fields();
    WireIssuedCard {
        card_id: CardId::of(&f).to_string(),
        token: token.encode(),
        expires_on: expires_day.map(|d| civil_date::format_days(i64::from(d))),
    }
}

/// When a registration's first card is issued: today in the program's time zone, without an
/// expiry (as `admin card issue` without `--valid-days`).
pub fn registration_card_issue(
    points_rules: &PointsRules,
    now: Timestamp,
) -> Result<CardIssue, StorageError> {
    let local = now.as_unix_ms() + i64::from(points_rules.utc_offset_minutes) * 60_000;
    let day = u16::try_from(local.div_euclid(civil_date::MS_PER_DAY))
        .map_err(|_| StorageError::Invalid("日付が範囲外です / the date is out of range".into()))?;
    Ok(CardIssue {
        issued_day: day,
        expires_day: None,
    })
}

/// An accepted registration's acknowledgement with its first card.
pub fn accepted_with_card(id: EventId, card: Option<WireIssuedCard>) -> Ack {
    Ack {
        id,
        outcome: AckOutcome::Accepted,
        points: None,
        card,
    }
}

/// Whether a measurement may be applied: the participant's roster status (`None` if not on the
/// roster) and their latest consent decided at or before the reading (`None` if none).
pub fn measurement_gate(
    status: Option<ParticipantStatus>,
    latest_consent: Option<ConsentAction>,
) -> Result<(), HeldReason> {
    match status {
        None => Err(HeldReason::UnknownParticipant),
        Some(ParticipantStatus::Withdrawn | ParticipantStatus::Stopped) => {
            Err(HeldReason::ParticipantInactive)
        }
        Some(ParticipantStatus::Active) => match latest_consent {
            Some(ConsentAction::Given) => Ok(()),
            _ => Err(HeldReason::NoConsent),
        },
    }
}

/// A stored card: its owner and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCard<'a> {
    /// The participant it belongs to (for ever).
    pub participant: &'a str,
    /// Active or revoked.
    pub status: CardStatus,
}

/// What a station's `card_revoked` event does, given the card stored under its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStep {
    /// Known, same participant, active: set revoked and append a change.
    Revoke,
    /// Nothing to write: already revoked, or a card the server never issued (it cannot be
    /// scanned anywhere, so there is nothing to revoke).
    Nothing,
    /// The card belongs to another participant: hold.
    Conflict,
}

/// Decides a station's `card_revoked` for a participant known to be on the roster. A card is
/// never re-activated by an event: only the central server issues cards.
pub fn card_step(existing: Option<StoredCard<'_>>, participant: &str) -> CardStep {
    match existing {
        None => CardStep::Nothing,
        Some(c) if c.participant != participant => CardStep::Conflict,
        Some(c) if c.status == CardStatus::Active => CardStep::Revoke,
        Some(_) => CardStep::Nothing,
    }
}

/// The serial of a holder's next card, after the highest one issued so far.
pub fn next_card_serial(highest: Option<i64>) -> Result<u16, StorageError> {
    let next = highest.unwrap_or(0) + 1;
    u16::try_from(next).map_err(|_| {
        StorageError::Invalid(
            "この参加者のカードは発行できる上限に達しました。新しい参加者番号で登録してください / \
             this participant has had the most cards one holder number allows: register them again"
                .into(),
        )
    })
}

/// A card-holder number as stored (1 ..= u32::MAX).
pub fn card_holder(stored: i64) -> Result<u32, StorageError> {
    u32::try_from(stored)
        .ok()
        .filter(|h| *h >= 1)
        .ok_or_else(|| {
            StorageError::Backend(format!("stored card holder {stored} is out of range"))
        })
}

/// A 16-bit number as stored (card code, serial, day).
pub fn stored_u16(what: &str, stored: i64) -> Result<u16, StorageError> {
    u16::try_from(stored)
        .map_err(|_| StorageError::Backend(format!("stored {what} {stored} is out of range")))
}

/// The feed body of a card.
pub fn card_state(
    participant: &str,
    token: &CardToken,
    expires_day: Option<u16>,
    status: CardStatus,
) -> CardState {
    CardState {
        participant: participant.to_owned(),
        card: token.fields(),
        tag_sha256: token.tag_hash(),
        expires_day,
        status,
    }
}

/// A card row as both backends store it.
#[derive(Clone, PartialEq, Eq)]
pub struct CardRow {
    /// Pseudonymous participant number.
    pub participant: String,
    /// Card-holder number.
    pub holder: i64,
    /// Serial.
    pub serial: i64,
    /// Issue day.
    pub issued_day: i64,
    /// Last day of use.
    pub expires_day: Option<i64>,
    /// SHA-256 of the tag, hex.
    pub tag_sha256: String,
    /// Active or revoked.
    pub status: CardStatus,
}

impl std::fmt::Debug for CardRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardRow")
            .field("holder", &self.holder)
            .field("serial", &self.serial)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The feed body of a stored card, in the program with this card code.
pub fn card_state_from_row(code: u16, row: CardRow) -> Result<CardState, StorageError> {
    Ok(CardState {
        card: CardFields {
            program: code,
            holder: card_holder(row.holder)?,
            serial: stored_u16("serial", row.serial)?,
            issued_day: stored_u16("issued day", row.issued_day)?,
        },
        tag_sha256: TagHash::from_hex(&row.tag_sha256)
            .ok_or_else(|| StorageError::Backend("stored card tag hash is damaged".into()))?,
        expires_day: row
            .expires_day
            .map(|d| stored_u16("expiry day", d))
            .transpose()?,
        status: row.status,
        participant: row.participant,
    })
}

/// A stored card row (holder, serial, issued day, expiry day as stored) as the admin tools see
/// it, its token made again with the program's key.
pub fn card_record(
    key: &CardKey,
    code: u16,
    participant: String,
    (holder, serial, issued_day, expires_day): (i64, i64, i64, Option<i64>),
    status: CardStatus,
) -> Result<CardRecord, StorageError> {
    let token = key.mint(CardFields {
        program: code,
        holder: card_holder(holder)?,
        serial: stored_u16("serial", serial)?,
        issued_day: stored_u16("issued day", issued_day)?,
    });
    Ok(CardRecord {
        participant,
        token,
        expires_day: expires_day
            .map(|d| stored_u16("expiry day", d))
            .transpose()?,
        status,
    })
}

/// The program's card key from its stored bytes.
pub fn card_key(stored: &[u8]) -> Result<CardKey, StorageError> {
    CardKey::from_bytes(stored).map_err(|e| StorageError::Backend(e.to_string()))
}

/// A new card key for a program's first issuance.
pub fn new_card_key() -> Result<CardKey, StorageError> {
    CardKey::generate().map_err(|e| StorageError::Unavailable(e.to_string()))
}

/// The refusal to issue a card to a participant who is not taking part.
pub fn card_for_inactive_participant() -> StorageError {
    StorageError::Invalid(
        "参加を終了した参加者にはカードを発行できません。先に参加者の状態を戻してください / \
         cards are issued only to active participants: restore the participant first"
            .into(),
    )
}

/// The points part of a measurement's acknowledgement.
pub fn points_award(decision: &Decision, balance_after: i64) -> PointsAward {
    PointsAward {
        awarded: decision.total(),
        balance: balance_after,
        rules: decision.awards.iter().map(|a| a.rule_id.clone()).collect(),
        capped: decision.capped,
    }
}

/// A participant's points answer from their balance and this month's (non-cancelled) points.
pub fn points_balance(
    participant: &str,
    balance: i64,
    this_month: i64,
    rules: &PointsRules,
) -> PointsBalance {
    let (exchangeable_units, carry_over) = rules.exchangeable(balance);
    PointsBalance {
        participant: participant.to_owned(),
        balance,
        exchange_unit: rules.exchange_unit,
        exchangeable_units,
        carry_over,
        this_month,
    }
}

/// The points an exchange of `units` costs, or [`StorageError::Invalid`] when the balance is
/// short or nothing is asked for.
pub fn exchange_cost(units: u32, balance: i64, rules: &PointsRules) -> Result<i64, StorageError> {
    if units == 0 {
        return Err(StorageError::Invalid(
            "交換する単位数は 1 以上にしてください / exchange at least one unit".into(),
        ));
    }
    let cost = i64::from(units) * i64::from(rules.exchange_unit);
    if cost > balance {
        return Err(StorageError::Invalid(format!(
            "ポイント残高が足りません（残高 {balance}、必要 {cost}）。交換する単位数を減らしてください / \
             the balance is short ({balance} held, {cost} needed): exchange fewer units"
        )));
    }
    Ok(cost)
}

/// The refusal to cancel an award twice.
pub fn already_cancelled(award: Uuid) -> StorageError {
    StorageError::Invalid(format!(
        "付与 {award} は取消済みです / award {award} is already cancelled"
    ))
}

/// A new UUIDv7 whose timestamp is `now` (the random part comes from the OS).
pub fn new_id(now: Timestamp) -> Uuid {
    let ms = u64::try_from(now.as_unix_ms()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        ms / 1000,
        u32::try_from((ms % 1000) * 1_000_000).unwrap_or(0),
    );
    Uuid::new_v7(ts)
}

/// A stored count or cursor back as `u64` (databases store signed integers).
pub fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A `u64` to store (saturating at `i64::MAX`).
pub fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ProgramId, StationId};
    use crate::points::decide;
    use hakaru_wire::api::{ParticipantRemoved, PurposeDef, RemovalReason};
    use hakaru_wire::{
        CalibrationRecorded, CardEvent, ConsentMethod, ConsentRecorded, MeasurementRecorded, Sex,
    };

    const NOV23: i64 = 1_795_395_600_000;

    fn caller() -> StationContext {
        StationContext {
            station: StationId::new("kita-01").unwrap(),
            program: ProgramId::new("kumamoto").unwrap(),
        }
    }

    fn event(n: u128, station: &str, kind: EventKind) -> OutboxEvent {
        OutboxEvent {
            id: EventId(Uuid::from_u128(n)),
            station: station.into(),
            occurred_at: Timestamp::from_unix_ms(NOV23),
            kind,
        }
    }

    fn measurement(p: &str) -> EventKind {
        EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: Uuid::from_u128(99),
            participant: p.into(),
            analyzer_model: None,
            analyzer_serial: None,
            taken_at: Timestamp::from_unix_ms(NOV23),
            weight_only: false,
            values: serde_json::json!({"weight": 60.0}),
            raw_frame: None,
            raw_frame_dropped: false,
        })
    }

    fn consent(p: &str) -> EventKind {
        EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: Uuid::from_u128(5),
            participant: p.into(),
            action: ConsentAction::Given,
            document_hashes: vec![],
            granted: vec![],
            refused: vec![],
            method: ConsentMethod::OnScreen,
        })
    }

    fn card(p: &str) -> EventKind {
        EventKind::CardRevoked(CardEvent {
            card_id: "12-1".into(),
            participant: p.into(),
        })
    }

    fn calibration() -> EventKind {
        EventKind::CalibrationRecorded(CalibrationRecorded {
            analyzer_model: "MC-780".into(),
            analyzer_serial: "1".into(),
            last_inspection: None,
            next_due: None,
            reference_checks: vec![],
            technician: "tech-1".into(),
            tolerance_kg: 0.2,
            passed: true,
            next_check_due: "2027-05-01".into(),
            verified_on: None,
        })
    }

    fn registration(p: &str) -> ParticipantRegistered {
        ParticipantRegistered {
            participant: p.into(),
            birth_date: "1950-04-01".into(),
            sex: Sex::Female,
            height_tenths_cm: 1555,
            body_type: 0,
            implanted_device: false,
            applied_on: "2026-11-01".into(),
            lives_or_works_locally: true,
            registered_by: "staff-1".into(),
        }
    }

    fn batch(events: Vec<OutboxEvent>) -> UploadRequest {
        UploadRequest {
            events,
            backlog_after: 0,
            last_error: None,
        }
    }

    #[test]
    fn a_batch_naming_another_station_is_forbidden() {
        let ok = batch(vec![event(1, "kita-01", calibration())]);
        assert!(check_batch(&caller(), &ok).is_ok());
        let bad = batch(vec![
            event(1, "kita-01", calibration()),
            event(2, "minami-02", calibration()),
        ]);
        let e = check_batch(&caller(), &bad).unwrap_err();
        assert!(matches!(e, StorageError::Forbidden(_)), "{e}");
    }

    #[test]
    fn a_batch_over_the_limit_is_invalid_and_one_at_the_limit_is_not() {
        let at = batch(
            (0..MAX_BATCH_EVENTS as u128)
                .map(|n| event(n, "kita-01", calibration()))
                .collect(),
        );
        assert!(check_batch(&caller(), &at).is_ok());
        let mut over = at;
        over.events.push(event(5000, "kita-01", calibration()));
        let e = check_batch(&caller(), &over).unwrap_err();
        assert!(matches!(e, StorageError::Invalid(_)), "{e}");
        assert!(e.to_string().contains("1000"), "{e}");
    }

    #[test]
    fn each_kind_names_its_participant_and_item() {
        assert_eq!(event_participant(&measurement("A-1")), Some("A-1"));
        assert_eq!(ledger_item(&measurement("A-1")), Some("measurement"));
        assert_eq!(ledger_item(&consent("A-1")), Some("consent"));
        assert_eq!(ledger_item(&card("A-1")), Some("card"));
        let reg = EventKind::ParticipantRegistered(registration("A-2"));
        assert_eq!(event_participant(&reg), Some("A-2"));
        assert_eq!(ledger_item(&reg), Some("roster_profile"));
        assert_eq!(event_participant(&calibration()), None);
        assert_eq!(ledger_item(&calibration()), None);
    }

    #[test]
    fn the_upload_entry_lists_distinct_sorted_participants_and_items() {
        let events = vec![
            event(1, "kita-01", measurement("B-2")),
            event(2, "kita-01", consent("A-1")),
            event(3, "kita-01", measurement("A-1")),
            event(4, "kita-01", calibration()),
        ];
        let at = Timestamp::from_unix_ms(NOV23);
        let e = upload_ledger_entry(&caller(), &events, at).unwrap();
        assert_eq!(e.participants, ["A-1", "B-2"]);
        assert_eq!(e.items, ["consent", "measurement"]);
        assert_eq!(e.direction, Direction::Received);
        assert_eq!(e.label, ENTRUSTED_TRANSFER);
        assert_eq!(e.at, at);
        assert_eq!(e.station, caller().station);
        assert_eq!(e.program, caller().program);
        let none = upload_ledger_entry(&caller(), &[event(4, "kita-01", calibration())], at);
        assert_eq!(none, None);
    }

    #[test]
    fn the_changes_entry_covers_roster_and_cards_only() {
        let at = Timestamp::from_unix_ms(NOV23);
        let changes = vec![
            Change {
                seq: 1,
                change: ChangeKind::Participant(roster_entry(&registration("A-1"))),
            },
            Change {
                seq: 2,
                change: ChangeKind::Purpose(PurposeDef {
                    id: "measurement".into(),
                    required: true,
                    label_ja: "測定".into(),
                    label_en: "Measurement".into(),
                }),
            },
            Change {
                seq: 3,
                change: ChangeKind::Card(card_state(
                    "B-2",
                    &CardToken::from_parts(
                        hakaru_wire::card::CardFields {
                            program: 1,
                            holder: 12,
                            serial: 1,
                            issued_day: 20_780,
                        },
                        [3; hakaru_wire::card::TAG_LEN],
                    ),
                    None,
                    CardStatus::Active,
                )),
            },
            Change {
                seq: 4,
                change: ChangeKind::ParticipantRemoved(ParticipantRemoved {
                    participant: "C-3".into(),
                    reason: RemovalReason::Erased,
                }),
            },
        ];
        let e = changes_ledger_entry(&caller(), &changes, at).unwrap();
        assert_eq!(e.participants, ["A-1", "B-2", "C-3"]);
        assert_eq!(e.items, ["card", "roster_profile"]);
        assert_eq!(e.direction, Direction::Sent);
        assert_eq!(changes_ledger_entry(&caller(), &changes[1..2], at), None);
        let s = sent_ledger_entry(&caller(), "A-1", item::POINTS, at).unwrap();
        assert_eq!(
            (s.participants, s.items),
            (vec!["A-1".into()], vec!["points".into()])
        );
    }

    fn judge(
        rules: &RegistrationRules,
        existing: Option<&RosterEntry>,
        enrolled: u64,
        reg: &ParticipantRegistered,
    ) -> RegistrationStep {
        let ctx = RegistrationContext {
            rules,
            existing,
            enrolled,
            utc_offset_minutes: 540,
        };
        registration_step(&ctx, reg, Timestamp::from_unix_ms(NOV23))
    }

    #[test]
    fn registrations_are_judged_eligibility_then_duplicate_then_cap() {
        let rules = RegistrationRules::default();
        let reg = registration("A-1");
        assert_eq!(judge(&rules, None, 0, &reg), RegistrationStep::Insert);
        let held = RegistrationStep::Held;
        // One registration per person: any entry under the number, same details or not.
        let mut stored = roster_entry(&reg);
        assert_eq!(
            judge(&rules, Some(&stored), 1, &reg),
            held(HeldReason::ParticipantExists)
        );
        stored.status = ParticipantStatus::Withdrawn;
        stored.height_tenths_cm += 1;
        assert_eq!(
            judge(&rules, Some(&stored), 1, &reg),
            held(HeldReason::ParticipantExists)
        );
        // Age on the application date: 20 on the birthday, 19 the day before.
        let mut young = registration("A-2");
        young.birth_date = "2006-11-01".into();
        assert_eq!(judge(&rules, None, 0, &young), RegistrationStep::Insert);
        young.applied_on = "2026-10-31".into();
        assert_eq!(judge(&rules, None, 0, &young), held(HeldReason::Ineligible));
        // No application date: the local date the event occurred on (2026-11-23).
        young.applied_on = String::new();
        young.birth_date = "2006-11-24".into();
        assert_eq!(judge(&rules, None, 0, &young), held(HeldReason::Ineligible));
        young.birth_date = "2006-11-23".into();
        assert_eq!(judge(&rules, None, 0, &young), RegistrationStep::Insert);
        young.birth_date = "not a date".into();
        assert_eq!(judge(&rules, None, 0, &young), held(HeldReason::Ineligible));
        // The area rule, and a program that does not ask for it.
        let mut away = registration("A-3");
        away.lives_or_works_locally = false;
        assert_eq!(judge(&rules, None, 0, &away), held(HeldReason::Ineligible));
        let open = RegistrationRules {
            residency_required: false,
            ..RegistrationRules::default()
        };
        assert_eq!(judge(&open, None, 0, &away), RegistrationStep::Insert);
        // Eligibility comes before the duplicate, the duplicate before the cap.
        assert_eq!(
            judge(&rules, Some(&stored), 1, &away),
            held(HeldReason::Ineligible)
        );
        let capped = RegistrationRules {
            enrolment_cap: Some(2),
            ..RegistrationRules::default()
        };
        assert_eq!(judge(&capped, None, 1, &reg), RegistrationStep::Insert);
        assert_eq!(
            judge(&capped, None, 2, &reg),
            held(HeldReason::EnrolmentFull)
        );
        assert_eq!(
            judge(&capped, Some(&stored), 2, &reg),
            held(HeldReason::ParticipantExists)
        );
    }

    #[test]
    fn ages_count_whole_years_and_leap_day_birthdays_turn_on_the_first_of_march() {
        let d = |t: &str| crate::civil_date::parse_days(t).unwrap();
        assert_eq!(age_in_years(d("2000-02-29"), d("2020-02-28")), 19);
        assert_eq!(age_in_years(d("2000-02-29"), d("2020-02-29")), 20);
        assert_eq!(age_in_years(d("2000-02-29"), d("2021-02-28")), 20);
        assert_eq!(age_in_years(d("2000-02-29"), d("2021-03-01")), 21);
        assert_eq!(age_in_years(d("1950-04-01"), d("2026-11-01")), 76);
    }

    #[test]
    fn only_consents_and_readings_wait_for_an_unresolved_registration() {
        assert!(unresolved_registration(&consent("A-1"), true));
        assert!(unresolved_registration(&measurement("A-1"), true));
        assert!(!unresolved_registration(&measurement("A-1"), false));
        assert!(!unresolved_registration(&card("A-1"), true));
        let reg = EventKind::ParticipantRegistered(registration("A-1"));
        assert!(!unresolved_registration(&reg, true));
    }

    #[test]
    fn a_registration_card_is_issued_today_in_the_program_zone_and_acked_with_its_id() {
        let rules = PointsRules::default_rules();
        // 2026-11-23 10:00 JST; 23:30 UTC on the 22nd is already the 23rd in Japan.
        let issue = registration_card_issue(&rules, Timestamp::from_unix_ms(NOV23)).unwrap();
        assert_eq!(issue.expires_day, None);
        assert_eq!(
            crate::civil_date::format_days(i64::from(issue.issued_day)),
            "2026-11-23"
        );
        let late = Timestamp::from_unix_ms(NOV23 - 90 * 60_000);
        assert_eq!(registration_card_issue(&rules, late).unwrap(), issue);
        let key = CardKey::from_bytes(&[7; 32]).unwrap();
        let token = key.mint(CardFields {
            program: 1,
            holder: 12,
            serial: 1,
            issued_day: issue.issued_day,
        });
        let card = ack_card(&token, Some(issue.issued_day + 30));
        assert_eq!(card.card_id, "12-1");
        assert_eq!(card.token, token.encode());
        assert_eq!(card.expires_on.as_deref(), Some("2026-12-23"));
        let ack = accepted_with_card(EventId(Uuid::from_u128(1)), Some(card.clone()));
        assert_eq!(
            ack_from_json(&ack_to_json(&ack).unwrap()).unwrap().card,
            Some(card)
        );
    }

    #[test]
    fn measurements_need_an_active_participant_with_consent_given() {
        use ParticipantStatus::*;
        assert_eq!(
            measurement_gate(None, Some(ConsentAction::Given)),
            Err(HeldReason::UnknownParticipant)
        );
        for s in [Withdrawn, Stopped] {
            assert_eq!(
                measurement_gate(Some(s), Some(ConsentAction::Given)),
                Err(HeldReason::ParticipantInactive)
            );
        }
        for c in [
            None,
            Some(ConsentAction::Refused),
            Some(ConsentAction::Withdrawn),
        ] {
            assert_eq!(
                measurement_gate(Some(Active), c),
                Err(HeldReason::NoConsent)
            );
        }
        assert_eq!(
            measurement_gate(Some(Active), Some(ConsentAction::Given)),
            Ok(())
        );
    }

    #[test]
    fn events_of_an_erased_participant_are_discarded_unless_enrolled_again_after() {
        let gone = Timestamp::from_unix_ms(NOV23);
        let before = Timestamp::from_unix_ms(NOV23 - 1);
        let after = Timestamp::from_unix_ms(NOV23 + 1);
        assert!(!erased_event(before, None, false), "never erased");
        assert!(!erased_event(before, None, true));
        for at in [before, gone, after] {
            assert!(erased_event(at, Some(gone), false), "off the roster");
        }
        assert!(
            erased_event(before, Some(gone), true),
            "from before the erasure"
        );
        assert!(erased_event(gone, Some(gone), true));
        assert!(!erased_event(after, Some(gone), true), "enrolled again");

        let e = event(7, "kita-01", measurement("A-1"));
        let ack = erased(e.id);
        assert_eq!(held_reason(&ack), Some(HeldReason::ParticipantErased));
        assert_eq!(stored_payload(&e.kind, &ack).unwrap(), ERASED_PAYLOAD);
        let kept = accepted(e.id, None);
        assert!(stored_payload(&e.kind, &kept).unwrap().contains("A-1"));
        assert!(kept_out_of_ledger(&e, &ack, None));
        assert!(
            kept_out_of_ledger(&e, &kept, Some(after)),
            "a replay from before"
        );
        assert!(!kept_out_of_ledger(&e, &kept, Some(before)));
        assert!(!kept_out_of_ledger(&e, &kept, None));
    }

    #[test]
    fn a_stations_revocation_follows_the_card_owner_and_never_reactivates() {
        let active = |p| StoredCard {
            participant: p,
            status: CardStatus::Active,
        };
        let revoked = |p| StoredCard {
            participant: p,
            status: CardStatus::Revoked,
        };
        assert_eq!(card_step(None, "A"), CardStep::Nothing);
        assert_eq!(card_step(Some(active("A")), "A"), CardStep::Revoke);
        assert_eq!(card_step(Some(revoked("A")), "A"), CardStep::Nothing);
        assert_eq!(card_step(Some(active("B")), "A"), CardStep::Conflict);
        assert_eq!(card_step(Some(revoked("B")), "A"), CardStep::Conflict);
    }

    #[test]
    fn serials_count_from_one_and_stop_at_the_token_limit() {
        assert_eq!(next_card_serial(None).unwrap(), 1);
        assert_eq!(next_card_serial(Some(4)).unwrap(), 5);
        assert!(next_card_serial(Some(65_535)).is_err());
        assert!(card_holder(0).is_err());
        assert_eq!(card_holder(4_294_967_295).unwrap(), u32::MAX);
        assert!(card_holder(4_294_967_296).is_err());
    }

    #[test]
    fn points_bodies_follow_the_decision_and_the_rules() {
        let rules = PointsRules::default_rules();
        let d = decide(&rules, Timestamp::from_unix_ms(NOV23), &[]);
        let award = points_award(&d, 1_060);
        assert_eq!(award.awarded, 60);
        assert_eq!(award.balance, 1_060);
        assert_eq!(award.rules, ["daily-measurement", "monthly-bonus"]);
        assert!(!award.capped);
        let b = points_balance("A-1", 1_234, 60, &rules);
        assert_eq!(
            (
                b.balance,
                b.exchange_unit,
                b.exchangeable_units,
                b.carry_over,
                b.this_month
            ),
            (1_234, 500, 2, 234, 60)
        );
        assert_eq!(b.participant, "A-1");
    }

    #[test]
    fn exchanges_cost_whole_units_and_refuse_a_short_balance() {
        let rules = PointsRules::default_rules();
        assert_eq!(exchange_cost(2, 1_000, &rules).unwrap(), 1_000);
        let e = exchange_cost(3, 1_000, &rules).unwrap_err();
        assert!(matches!(e, StorageError::Invalid(_)));
        assert!(e.to_string().contains("balance is short"), "{e}");
        assert!(matches!(
            exchange_cost(0, 1_000, &rules),
            Err(StorageError::Invalid(_))
        ));
    }

    #[test]
    fn acks_round_trip_through_their_stored_json() {
        let id = EventId(Uuid::from_u128(3));
        let a = held(id, HeldReason::CardConflict);
        assert_eq!(held_reason(&a), Some(HeldReason::CardConflict));
        assert_eq!(ack_from_json(&ack_to_json(&a).unwrap()).unwrap(), a);
        let rules = PointsRules::default_rules();
        let d = decide(&rules, Timestamp::from_unix_ms(NOV23), &[]);
        let b = accepted(id, Some(points_award(&d, 60)));
        assert_eq!(held_reason(&b), None);
        assert_eq!(ack_from_json(&ack_to_json(&b).unwrap()).unwrap(), b);
        assert!(matches!(ack_from_json("{"), Err(StorageError::Backend(_))));
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(change_page_limit(0), 1);
        assert_eq!(change_page_limit(50), 50);
        assert_eq!(change_page_limit(5_000), MAX_CHANGE_PAGE);
        assert_eq!(history_limit(5_000), MAX_HISTORY);
        assert_eq!(history_limit(3), 3);
    }

    #[test]
    fn new_ids_are_v7_at_the_given_time_and_distinct() {
        let now = Timestamp::from_unix_ms(NOV23 + 123);
        let a = new_id(now);
        let b = new_id(now);
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 7);
        let (secs, nanos) = a.get_timestamp().unwrap().to_unix();
        assert_eq!(
            secs * 1000 + u64::from(nanos / 1_000_000),
            (NOV23 + 123) as u64
        );
    }
}
