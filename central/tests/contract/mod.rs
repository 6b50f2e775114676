//! The storage contract: what every [`Storage`] backend must do, as cases run against a fresh,
//! migrated database each. A backend's test file includes this module and calls
//! [`contract_tests!`] with an async expression making its storage:
//!
//! ```ignore
//! #[macro_use]
//! mod contract;
//! contract_tests!(fresh_storage()); // async: Arc<dyn Storage>, or (Arc<dyn Storage>, guard)
//! ```
//!
//! The guard (a temporary directory, a database to drop…) lives until the case ends.
//! Deliberately not here: anything backend-specific (files, connection strings, crash tests).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use hakaru_central::ids::{CredentialId, MunicipalityId, ProgramId, StationId};
use hakaru_central::points::{Period, PointsRules, Rule};
use hakaru_central::storage::{
    CardId, CardIssue, Direction, IssuedCard, LedgerEntry, NewMunicipality, NewProgram, NewStation,
    StationContext, Storage, StorageError, ENTRUSTED_TRANSFER,
};
use hakaru_wire::api::{
    Ack, AckOutcome, CardState, CardStatus, ChangeKind, DocumentKind, HeldReason,
    ParticipantStatus, PolicyDocument, PurposeDef, RosterEntry, StaffAccount, StaffRole,
    UploadRequest, UploadResponse,
};
use hakaru_wire::{
    CalibrationRecorded, CardEvent, ConsentAction, ConsentMethod, ConsentRecorded, EventId,
    EventKind, MeasurementRecorded, OutboxEvent, ParticipantRegistered, Sex, Timestamp,
};
use std::any::Any;
use std::sync::Arc;
use uuid::Uuid;

mod cases;
pub use cases::*;

/// What a backend's `make` expression may return: the storage alone, or with a guard that must
/// outlive the case (a temporary directory, a database to drop).
pub trait IntoFresh {
    /// The storage and its guard.
    fn into_fresh(self) -> (Arc<dyn Storage>, Box<dyn Any + Send>);
}

impl IntoFresh for Arc<dyn Storage> {
    fn into_fresh(self) -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
        (self, Box::new(()))
    }
}

impl<G: Send + 'static> IntoFresh for (Arc<dyn Storage>, G) {
    fn into_fresh(self) -> (Arc<dyn Storage>, Box<dyn Any + Send>) {
        (self.0, Box::new(self.1))
    }
}

/// One `#[tokio::test]` per contract case, each on a fresh storage from `$make` (awaited).
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@cases $make;
            migrate_twice_and_ping,
            structure_refuses_duplicates_and_missing_parents,
            rules_are_stored_and_replaced,
            credentials_are_looked_up_and_revoked,
            replaying_a_batch_returns_the_same_acks_and_writes_nothing,
            reordered_and_overlapping_batches_keep_the_first_acks,
            a_repeated_id_within_a_batch_gets_the_first_ack,
            an_event_naming_another_station_is_forbidden_and_nothing_is_written,
            an_event_id_of_another_station_is_forbidden_and_nothing_is_written,
            a_batch_over_the_limit_is_invalid,
            registrations_insert_repeat_or_are_held,
            consent_for_an_unknown_participant_is_held,
            measurement_of_an_unknown_participant_is_held,
            measurement_of_an_inactive_participant_is_held,
            measurement_without_consent_before_it_is_held,
            consent_from_another_station_of_the_program_counts,
            held_events_are_listed_for_the_administrator,
            points_pay_once_per_day_and_once_per_month,
            the_monthly_cap_cuts_awards,
            acks_carry_the_balance_after_each_award,
            cancelled_awards_keep_their_period_but_leave_the_balance,
            exchanges_take_whole_units_and_refuse_a_short_balance,
            the_office_balance_matches_the_station_view_without_a_ledger_entry,
            points_answer_balance_units_and_this_month,
            cards_are_issued_signed_reissued_and_revoked,
            stations_revoke_cards_by_id,
            calibrations_are_accepted_without_a_ledger_entry,
            uploads_are_in_the_ledger,
            admin_writes_append_to_the_change_feed_in_order,
            change_pages_follow_cursor_limit_and_more,
            change_feeds_are_per_program,
            change_pages_with_personal_data_are_in_the_ledger,
            cards_are_issued_only_to_active_participants_on_the_roster,
            publishing_a_document_twice_is_refused,
            unknown_programs_are_not_found,
            history_is_newest_first_limited_and_in_the_ledger,
            another_programs_station_sees_nothing,
            sync_status_reports_each_station,
            touch_station_sets_last_seen,
            concurrent_uploads_for_one_participant_respect_the_rules,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (storage, guard) = $crate::contract::IntoFresh::into_fresh($make.await);
                $crate::contract::$case(storage).await;
                drop(guard);
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------
// Fixed times and the world the cases start from.

/// 2026-11-23 10:00 JST (a Monday).
pub const NOV23: i64 = 1_795_395_600_000;
/// One hour in ms.
pub const HOUR: i64 = 3_600_000;
/// One day in ms.
pub const DAY: i64 = 24 * HOUR;

/// `NOV23` plus whole days and hours.
pub fn t(days: i64, hours: i64) -> Timestamp {
    Timestamp::from_unix_ms(NOV23 + days * DAY + hours * HOUR)
}

/// The server's clock for most requests: an hour after the readings.
pub fn now() -> Timestamp {
    t(0, 1)
}

/// Program A (default rules: 10/day, 50/month, cap 300, unit 500) with two stations in two
/// municipalities, and program B with one station.
pub struct World {
    /// The storage under test.
    pub s: Arc<dyn Storage>,
    /// Program A.
    pub pa: ProgramId,
    /// Program B.
    pub pb: ProgramId,
    /// Station kita-01 of program A.
    pub a1: StationContext,
    /// Station minami-02 of program A (another municipality).
    pub a2: StationContext,
    /// Station sato-01 of program B.
    pub b1: StationContext,
}

pub fn program_id(s: &str) -> ProgramId {
    ProgramId::new(s).unwrap()
}

pub fn station_id(s: &str) -> StationId {
    StationId::new(s).unwrap()
}

pub fn municipality_id(s: &str) -> MunicipalityId {
    MunicipalityId::new(s).unwrap()
}

/// Creates the two programs, three municipalities and three stations.
pub async fn seed(s: Arc<dyn Storage>) -> World {
    let at = t(-30, 0);
    for (p, name) in [
        ("prog-a", "くまもと健康ポイント"),
        ("prog-b", "さとやま健康ポイント"),
    ] {
        s.create_program(
            &NewProgram {
                id: program_id(p),
                name_ja: name.into(),
                name_en: p.into(),
                rules: PointsRules::default_rules(),
            },
            at,
        )
        .await
        .unwrap();
    }
    for (m, p) in [("kita", "prog-a"), ("minami", "prog-a"), ("sato", "prog-b")] {
        s.create_municipality(
            &NewMunicipality {
                id: municipality_id(m),
                program: program_id(p),
                name_ja: format!("{m}市"),
                name_en: m.into(),
            },
            at,
        )
        .await
        .unwrap();
    }
    for (st, m) in [
        ("kita-01", "kita"),
        ("minami-02", "minami"),
        ("sato-01", "sato"),
    ] {
        s.create_station(
            &NewStation {
                id: station_id(st),
                municipality: municipality_id(m),
                place: format!("{m}公民館"),
            },
            at,
        )
        .await
        .unwrap();
    }
    World::of(s)
}

impl World {
    /// The world's names over a storage [`seed`] already filled (e.g. a reopened file).
    pub fn of(s: Arc<dyn Storage>) -> World {
        let ctx = |st: &str, p: &str| StationContext {
            station: station_id(st),
            program: program_id(p),
        };
        World {
            pa: program_id("prog-a"),
            pb: program_id("prog-b"),
            a1: ctx("kita-01", "prog-a"),
            a2: ctx("minami-02", "prog-a"),
            b1: ctx("sato-01", "prog-b"),
            s,
        }
    }

    /// Issues a card in program A to `participant` on [`ISSUE_DAY`], without expiry.
    pub async fn issue(&self, participant: &str) -> IssuedCard {
        self.issue_in(&self.pa, participant).await
    }

    /// Issues a card in `program` to `participant` on [`ISSUE_DAY`], without expiry.
    pub async fn issue_in(&self, program: &ProgramId, participant: &str) -> IssuedCard {
        let issue = CardIssue {
            issued_day: ISSUE_DAY,
            expires_day: None,
        };
        self.s
            .issue_card(program, participant, issue, now())
            .await
            .unwrap()
    }

    /// Puts `participant` on program A's roster (admin) and uploads their consent, given a day
    /// before [`NOV23`], from station a1. Event id `consent_event`.
    pub async fn enrol(&self, participant: &str, consent_event: u128) {
        self.s
            .put_participant(&self.pa, &roster(participant), t(-2, 0))
            .await
            .unwrap();
        let acks = self
            .upload(
                &self.a1,
                vec![consent(
                    &self.a1,
                    consent_event,
                    participant,
                    ConsentAction::Given,
                    t(-1, 0),
                )],
                t(-1, 0),
            )
            .await;
        assert_eq!(acks.acks[0].outcome, AckOutcome::Accepted);
    }

    /// Uploads events from `who` at server time `at`; panics on a refusal.
    pub async fn upload(
        &self,
        who: &StationContext,
        events: Vec<OutboxEvent>,
        at: Timestamp,
    ) -> UploadResponse {
        self.s.ingest(who, &batch(events), at).await.unwrap()
    }

    /// Program A's ledger, oldest first.
    pub async fn ledger_a(&self) -> Vec<LedgerEntry> {
        self.s
            .ledger(&self.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap()
    }

    /// The balance program A reports for a participant.
    pub async fn balance(&self, participant: &str) -> i64 {
        self.s
            .points(&self.a1, participant, now())
            .await
            .unwrap()
            .expect("on the roster")
            .balance
    }

    /// Events received from a station, per sync status.
    pub async fn received(&self, station: &StationContext) -> u64 {
        self.s
            .sync_status(None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.station == station.station)
            .expect("station listed")
            .events_received
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies.

pub fn batch(events: Vec<OutboxEvent>) -> UploadRequest {
    UploadRequest {
        events,
        backlog_after: 0,
        last_error: None,
    }
}

pub fn roster(participant: &str) -> RosterEntry {
    RosterEntry {
        participant: participant.into(),
        birth_date: "1950-04-01".into(),
        sex: Sex::Female,
        height_tenths_cm: 1555,
        body_type: 0,
        implanted_device: false,
        status: ParticipantStatus::Active,
    }
}

pub fn eid(n: u128) -> EventId {
    EventId(Uuid::from_u128(n))
}

/// The measurement id of the measurement event `n`.
pub fn mid(n: u128) -> Uuid {
    Uuid::from_u128((1 << 64) + n)
}

fn event(who: &StationContext, n: u128, at: Timestamp, kind: EventKind) -> OutboxEvent {
    OutboxEvent {
        id: eid(n),
        station: who.station.to_string(),
        occurred_at: at,
        kind,
    }
}

pub fn measurement(
    who: &StationContext,
    n: u128,
    participant: &str,
    taken_at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        n,
        taken_at,
        EventKind::MeasurementRecorded(MeasurementRecorded {
            measurement_id: mid(n),
            participant: participant.into(),
            analyzer_model: Some("MC-780".into()),
            analyzer_serial: Some("SN-1".into()),
            taken_at,
            weight_only: false,
            values: serde_json::json!({ "weight_kg": 60.0 + (n % 100) as f64 / 10.0 }),
            raw_frame: Some("{0,16,~0,1,Wk,60.0".into()),
            raw_frame_dropped: false,
        }),
    )
}

pub fn consent(
    who: &StationContext,
    n: u128,
    participant: &str,
    action: ConsentAction,
    at: Timestamp,
) -> OutboxEvent {
    event(
        who,
        n,
        at,
        EventKind::ConsentRecorded(ConsentRecorded {
            consent_id: Uuid::from_u128((2 << 64) + n),
            participant: participant.into(),
            action,
            document_hashes: vec!["ab".repeat(32)],
            granted: vec!["measurement".into()],
            refused: vec![],
            method: ConsentMethod::OnScreen,
        }),
    )
}

pub fn registration(who: &StationContext, n: u128, entry: &RosterEntry) -> OutboxEvent {
    event(
        who,
        n,
        t(-1, 0),
        EventKind::ParticipantRegistered(ParticipantRegistered {
            participant: entry.participant.clone(),
            birth_date: entry.birth_date.clone(),
            sex: entry.sex,
            height_tenths_cm: entry.height_tenths_cm,
            body_type: entry.body_type,
            implanted_device: entry.implanted_device,
            applied_on: "2026-11-01".into(),
            lives_or_works_locally: true,
            registered_by: "staff-1".into(),
        }),
    )
}

pub fn card_revoked(
    who: &StationContext,
    n: u128,
    card_id: &str,
    participant: &str,
) -> OutboxEvent {
    event(
        who,
        n,
        t(0, 0),
        EventKind::CardRevoked(CardEvent {
            card_id: card_id.into(),
            participant: participant.into(),
        }),
    )
}

pub fn calibration(who: &StationContext, n: u128) -> OutboxEvent {
    event(
        who,
        n,
        t(0, 0),
        EventKind::CalibrationRecorded(CalibrationRecorded {
            analyzer_model: "MC-780".into(),
            analyzer_serial: "SN-1".into(),
            last_inspection: Some("2026-04-01".into()),
            next_due: Some("2028-04-01".into()),
            reference_checks: vec![],
            technician: "tech-1".into(),
            tolerance_kg: 0.2,
            passed: true,
            next_check_due: "2027-05-01".into(),
            verified_on: None,
        }),
    )
}

pub fn document(version: &str) -> PolicyDocument {
    PolicyDocument {
        kind: DocumentKind::Terms,
        version: version.into(),
        language: "ja".into(),
        effective: "2026-04-01".into(),
        full_text: format!("利用規約 {version}"),
        needs_fresh_consent: false,
    }
}

pub fn purpose(id: &str) -> PurposeDef {
    PurposeDef {
        id: id.into(),
        required: true,
        label_ja: "測定".into(),
        label_en: "Measurement".into(),
    }
}

pub fn staff(login: &str) -> StaffAccount {
    StaffAccount {
        login: login.into(),
        display_name: "田中".into(),
        role: StaffRole::Staff,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        active: true,
    }
}

/// The day the contract tests issue cards on (2026-11-23).
pub const ISSUE_DAY: u16 = 20_780;

/// The feed body a card issued as `issued` has, in this status.
pub fn card(issued: &IssuedCard, participant: &str, status: CardStatus) -> CardState {
    CardState {
        participant: participant.into(),
        card: issued.token.fields(),
        tag_sha256: issued.token.tag_hash(),
        expires_day: None,
        status,
    }
}

/// Rules paying `daily` once a day and `monthly` once a month, with an optional cap.
pub fn rules(daily: u32, monthly: u32, cap: Option<u32>) -> PointsRules {
    let rule = |id: &str, points, once_per| Rule {
        id: id.into(),
        points,
        once_per,
        label_ja: String::new(),
        label_en: String::new(),
    };
    PointsRules {
        exchange_unit: 500,
        monthly_cap: cap,
        utc_offset_minutes: 540,
        rules: vec![
            rule("daily-measurement", daily, Period::Day),
            rule("monthly-bonus", monthly, Period::Month),
        ],
    }
}

pub fn held_reason(ack: &Ack) -> Option<HeldReason> {
    match ack.outcome {
        AckOutcome::Held { reason } => Some(reason),
        AckOutcome::Accepted => None,
    }
}

/// Asserts a storage error's kind.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StorageError>) {
    assert!(
        matches!(r, Err(StorageError::NotFound { .. })),
        "expected NotFound, got {r:?}"
    );
}

#[track_caller]
pub fn assert_already_exists<T: std::fmt::Debug>(r: Result<T, StorageError>) {
    assert!(
        matches!(r, Err(StorageError::AlreadyExists { .. })),
        "expected AlreadyExists, got {r:?}"
    );
}

#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(r: Result<T, StorageError>) {
    assert!(
        matches!(r, Err(StorageError::Invalid(_))),
        "expected Invalid, got {r:?}"
    );
}

#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(r: Result<T, StorageError>) {
    assert!(
        matches!(r, Err(StorageError::Forbidden(_))),
        "expected Forbidden, got {r:?}"
    );
}

/// Asserts a ledger entry's shape.
#[track_caller]
pub fn assert_entry(
    e: &LedgerEntry,
    station: &StationContext,
    direction: Direction,
    participants: &[&str],
    items: &[&str],
) {
    assert_eq!(e.station, station.station);
    assert_eq!(e.program, station.program);
    assert_eq!(e.direction, direction);
    assert_eq!(e.label, ENTRUSTED_TRANSFER);
    assert_eq!(e.participants, participants);
    assert_eq!(e.items, items);
}

pub fn credential_id(s: &str) -> CredentialId {
    CredentialId::new(s).unwrap()
}

pub fn change_types(kinds: &[ChangeKind]) -> Vec<&'static str> {
    kinds
        .iter()
        .map(|k| match k {
            ChangeKind::Participant(_) => "participant",
            ChangeKind::ParticipantRemoved(_) => "participant_removed",
            ChangeKind::Card(_) => "card",
            ChangeKind::Document(_) => "document",
            ChangeKind::Purpose(_) => "purpose",
            ChangeKind::Staff(_) => "staff",
            ChangeKind::RegistrationRules(_) => "registration_rules",
        })
        .collect()
}
