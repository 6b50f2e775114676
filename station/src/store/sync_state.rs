//! What the sync worker keeps in the store: a change-feed page (roster, cards, documents,
//! purposes, staff accounts) applied together with the feed cursor in ONE transaction, the
//! points the server answered per measurement, and staff accounts for offline sign-in.
//!
//! Deliberately not here: HTTP, retries, or deciding when to pull (the `sync` module).
//!
//! # A malformed change never wedges the feed
//! A change the station cannot store — a participant number or card serial of a form the
//! station does not accept, an impossible birth or effective date, a height or body type out of
//! range, a card for a participant this station does not hold — is **skipped**: counted in
//! [`AppliedChanges::skipped`], logged by feed position and kind only (never values), and
//! counted in the page's audit row; the cursor moves past it. Refusing the whole page instead
//! would hold back every later card revocation and withdrawal behind one bad entry until the
//! server is fixed, which is worse for participants than one entry missing until it changes
//! again. A database failure, by contrast, rolls the whole page back and the cursor with it.

use super::cards::{put_card as put_card_row, set_card_program};
use super::retention::{drop_acknowledged, purge_participant, InactiveDrop};
use super::roster::{content_hash, date_text, insert_document, parse_date, upsert_purpose};
use super::{audit, PurgeReport, Store, StoreError};
use crate::domain::{Date, ParticipantNumber};
use hakaru_wire::api::{
    CardState, ChangeKind, ChangesPage, ParticipantStatus, PointsAward, PolicyDocument, PurposeDef,
    RegistrationRules, RemovalReason, RosterEntry, StaffAccount, StaffRole,
};
use hakaru_wire::{Sex, Timestamp};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use std::fmt;
use uuid::Uuid;

/// What one page did to the store (counts only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AppliedChanges {
    /// Roster entries added or changed (withdrawn / stopped ones included).
    pub participants: u32,
    /// Participants removed, with everything the station held about them.
    pub removed: u32,
    /// Card states stored.
    pub cards: u32,
    /// Policy document versions stored.
    pub documents: u32,
    /// Purposes stored.
    pub purposes: u32,
    /// Staff accounts stored.
    pub staff: u32,
    /// Changes at or before the cursor (a replayed page): left alone.
    pub already_applied: u32,
    /// Malformed changes skipped (see the module docs).
    pub skipped: u32,
    /// The cursor after the page.
    pub cursor: u64,
}

impl AppliedChanges {
    /// Changes that were stored.
    pub fn applied(&self) -> u32 {
        self.participants + self.removed + self.cards + self.documents + self.purposes + self.staff
    }
}

/// The server's points answer for one measurement, as the results screen shows it.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct PointsAck {
    /// The measurement.
    pub measurement_id: Uuid,
    /// Points it earned.
    pub awarded: u32,
    /// The participant's balance right after.
    pub balance: i64,
    /// Rules that paid out, by id.
    pub rules: Vec<String>,
    /// Whether the monthly cap cut the award.
    pub capped: bool,
    /// When the station learned it.
    pub acked_at: Timestamp,
}

impl fmt::Debug for PointsAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PointsAck")
            .field("measurement_id", &self.measurement_id)
            .field("awarded", &self.awarded)
            .field("balance", &format_args!("<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Why one change was not stored.
enum ApplyError {
    /// The change itself is unusable; skip it (the message names the field, never its value).
    Malformed(&'static str),
    /// The database failed: roll the page back.
    Store(StoreError),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Store(e.into())
    }
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        ApplyError::Store(e)
    }
}

fn change_name(c: &ChangeKind) -> &'static str {
    match c {
        ChangeKind::Participant(_) => "participant",
        ChangeKind::ParticipantRemoved(_) => "participant_removed",
        ChangeKind::Card(_) => "card",
        ChangeKind::Document(_) => "document",
        ChangeKind::Purpose(_) => "purpose",
        ChangeKind::Staff(_) => "staff",
        ChangeKind::RegistrationRules(_) => "registration_rules",
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A real calendar date written exactly as `YYYY-MM-DD`.
fn calendar_date(text: &str) -> Option<Date> {
    let d = parse_date(text).ok()?;
    let real = (1900..=2999).contains(&d.year)
        && (1..=12).contains(&d.month)
        && d.day >= 1
        && d.day <= days_in_month(d.year, d.month);
    (real && date_text(d) == text).then_some(d)
}

fn participant_number(text: &str) -> Result<ParticipantNumber, ApplyError> {
    ParticipantNumber::new(text).map_err(|_| ApplyError::Malformed("participant number"))
}

/// Plausible standing heights, in tenths of a centimetre (50.0–250.0 cm).
const HEIGHT_RANGE: std::ops::RangeInclusive<u16> = 500..=2500;

fn cursor_in(conn: &rusqlite::Connection) -> Result<u64, StoreError> {
    let v: i64 = conn.query_row(
        "SELECT change_cursor FROM sync_state WHERE singleton = 1",
        [],
        |r| r.get(0),
    )?;
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("change cursor {v}")))
}

/// Stores a roster entry with its status; when it is withdrawn or stopped, also drops what the
/// station holds of them that the server already has (`drop_acknowledged`), adding to `dropped`.
fn upsert_participant(
    tx: &Transaction<'_>,
    e: &RosterEntry,
    now: Timestamp,
    dropped: &mut InactiveDrop,
) -> Result<(), ApplyError> {
    let number = participant_number(&e.participant)?;
    let birth = calendar_date(&e.birth_date).ok_or(ApplyError::Malformed("birth date"))?;
    if !HEIGHT_RANGE.contains(&e.height_tenths_cm) {
        return Err(ApplyError::Malformed("height"));
    }
    if !matches!(e.body_type, 0 | 2) {
        return Err(ApplyError::Malformed("body type"));
    }
    let sex: u8 = match e.sex {
        Sex::Male => 1,
        Sex::Female => 2,
    };
    tx.prepare_cached(
        "INSERT INTO participants (number, birth_date, sex, height_tenths_cm, body_type, implanted_device, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (number) DO UPDATE SET birth_date = excluded.birth_date, sex = excluded.sex,
             height_tenths_cm = excluded.height_tenths_cm, body_type = excluded.body_type,
             implanted_device = excluded.implanted_device, status = excluded.status,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        number.as_str(),
        date_text(birth),
        sex,
        e.height_tenths_cm,
        e.body_type,
        e.implanted_device,
        e.status.name(),
        now.as_unix_ms()
    ])?;
    if e.status != ParticipantStatus::Active {
        drop_acknowledged(tx, &number, dropped)?;
    }
    Ok(())
}

fn put_card(tx: &Transaction<'_>, c: &CardState, now: Timestamp) -> Result<(), ApplyError> {
    let number = participant_number(&c.participant)?;
    if c.card.holder == 0 || c.card.serial == 0 {
        return Err(ApplyError::Malformed("card holder or serial"));
    }
    let known = tx
        .prepare_cached("SELECT 1 FROM participants WHERE number = ?1")?
        .exists([number.as_str()])?;
    if !known {
        return Err(ApplyError::Malformed(
            "card for a participant this station does not hold",
        ));
    }
    put_card_row(tx, &number, c, now)?;
    Ok(())
}

fn put_document(tx: &Transaction<'_>, d: &PolicyDocument) -> Result<(), ApplyError> {
    let effective = calendar_date(&d.effective).ok_or(ApplyError::Malformed("effective date"))?;
    if d.version.is_empty() || d.language.is_empty() || d.full_text.is_empty() {
        return Err(ApplyError::Malformed("document version, language or text"));
    }
    // The same version again is a no-op, as in `Store::put_document`.
    insert_document(
        tx,
        &content_hash(&d.full_text),
        d.kind.name(),
        &d.version,
        &d.language,
        effective,
        &d.full_text,
        d.needs_fresh_consent,
    )?;
    Ok(())
}

fn put_purpose(tx: &Transaction<'_>, p: &PurposeDef) -> Result<(), ApplyError> {
    if p.id.is_empty() || p.label_ja.is_empty() {
        return Err(ApplyError::Malformed("purpose id or label"));
    }
    upsert_purpose(tx, &p.id, p.required, &p.label_ja, &p.label_en)?;
    Ok(())
}

fn put_staff(tx: &Transaction<'_>, s: &StaffAccount, now: Timestamp) -> Result<(), ApplyError> {
    if s.login.is_empty() || s.login.len() > 64 || s.password_hash.is_empty() {
        return Err(ApplyError::Malformed("staff login or password hash"));
    }
    tx.prepare_cached(
        "INSERT INTO staff_accounts (login, display_name, role, password_hash, active, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (login) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
             password_hash = excluded.password_hash, active = excluded.active,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        s.login,
        s.display_name,
        s.role.name(),
        s.password_hash,
        s.active,
        now.as_unix_ms()
    ])?;
    Ok(())
}

/// The setting under which the program's registration rules are kept (JSON).
const REGISTRATION_RULES: &str = "registration_rules";

fn put_registration_rules(tx: &Transaction<'_>, r: &RegistrationRules) -> Result<(), ApplyError> {
    let json = serde_json::to_string(r).map_err(|_| ApplyError::Malformed("registration rules"))?;
    tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![REGISTRATION_RULES, json])?;
    Ok(())
}

impl Store {
    /// The program's registration rules as the change feed last said, or the defaults (20 or
    /// older, living or working in the area, no cap known) before it said anything.
    pub fn registration_rules(&self) -> Result<RegistrationRules, StoreError> {
        Ok(match self.setting(REGISTRATION_RULES)? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("registration rules: {e}")))?,
            None => RegistrationRules::default(),
        })
    }

    /// The change-feed cursor: pass it as `since` to the next pull.
    pub fn sync_cursor(&self) -> Result<u64, StoreError> {
        cursor_in(&self.conn)
    }

    /// Applies one change-feed page and moves the cursor to `page.next_cursor` in the SAME
    /// transaction, with one audit row of counts: after a crash the page is either applied
    /// with the cursor moved, or neither. Changes at or before the stored cursor (a replayed
    /// page) are left alone, and the cursor never moves back. Malformed changes are skipped
    /// and counted (module docs).
    ///
    /// Participant → roster entry with its status (withdrawn / stopped ones stay, and the
    /// session refuses them and says why; what the server already has of them is dropped, what
    /// is still unsent stays queued: one `inactive_participants_dropped` audit row of counts); ParticipantRemoved → everything held about them is deleted, as
    /// [`Store::purge_participants`] does; Card, Document, Purpose and Staff → stored.
    pub fn apply_changes(
        &mut self,
        page: &ChangesPage,
        now: Timestamp,
    ) -> Result<AppliedChanges, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = cursor_in(&tx)?;
        let mut out = AppliedChanges::default();
        let mut purged = PurgeReport::default();
        let mut removal_reasons = Vec::new();
        let mut dropped = InactiveDrop::default();
        let mut inactive_reasons = Vec::new();
        for c in &page.changes {
            if c.seq <= before {
                out.already_applied += 1;
                continue;
            }
            let result = match &c.change {
                ChangeKind::Participant(e) => {
                    upsert_participant(&tx, e, now, &mut dropped).map(|()| {
                        out.participants += 1;
                        let status = e.status.name();
                        if e.status != ParticipantStatus::Active
                            && !inactive_reasons.contains(&status)
                        {
                            inactive_reasons.push(status);
                        }
                    })
                }
                ChangeKind::ParticipantRemoved(r) => participant_number(&r.participant)
                    .and_then(|n| Ok(purge_participant(&tx, &n, &mut purged)?))
                    .map(|()| {
                        out.removed += 1;
                        let reason = match r.reason {
                            RemovalReason::Withdrawn => "withdrawn",
                            RemovalReason::Stopped => "stopped",
                            RemovalReason::Erased => "erased",
                        };
                        if !removal_reasons.contains(&reason) {
                            removal_reasons.push(reason);
                        }
                    }),
                ChangeKind::Card(card) => put_card(&tx, card, now).map(|()| out.cards += 1),
                ChangeKind::Document(d) => put_document(&tx, d).map(|()| out.documents += 1),
                ChangeKind::Purpose(p) => put_purpose(&tx, p).map(|()| out.purposes += 1),
                ChangeKind::Staff(s) => put_staff(&tx, s, now).map(|()| out.staff += 1),
                ChangeKind::RegistrationRules(r) => put_registration_rules(&tx, r),
            };
            match result {
                Ok(()) => {}
                Err(ApplyError::Malformed(field)) => {
                    out.skipped += 1;
                    tracing::warn!(
                        seq = c.seq,
                        kind = change_name(&c.change),
                        field,
                        "change feed entry skipped: malformed"
                    );
                }
                Err(ApplyError::Store(e)) => return Err(e),
            }
        }
        if page.card_program != 0 {
            set_card_program(&tx, page.card_program)?;
        }
        let after = before.max(page.next_cursor);
        out.cursor = after;
        let stored = i64::try_from(after)
            .map_err(|_| StoreError::Corrupt(format!("change cursor {after}")))?;
        if after != before || out.applied() > 0 || out.skipped > 0 {
            tx.execute(
                "UPDATE sync_state SET change_cursor = ?1, updated_at = ?2 WHERE singleton = 1",
                params![stored, now.as_unix_ms()],
            )?;
            audit::append(
                &tx,
                now,
                "changes_applied",
                &serde_json::json!({
                    "from": before, "to": after,
                    "participants": out.participants, "removed": out.removed,
                    "cards": out.cards, "documents": out.documents, "purposes": out.purposes,
                    "staff": out.staff, "skipped": out.skipped,
                    "already_applied": out.already_applied,
                }),
            )?;
        }
        if out.removed > 0 {
            audit::append(
                &tx,
                now,
                "participants_purged",
                &serde_json::json!({
                    "reason": removal_reasons, "participants": purged.participants,
                    "measurements": purged.measurements, "consents": purged.consents,
                    "cards": purged.cards, "outbox_events": purged.outbox_events,
                }),
            )?;
        }
        if dropped.participants > 0 {
            // Counts only: who it was is in the roster entry, not in the log.
            audit::append(
                &tx,
                now,
                "inactive_participants_dropped",
                &serde_json::json!({
                    "status": inactive_reasons, "participants": dropped.participants,
                    "measurements": dropped.measurements, "points": dropped.points,
                    "consents": dropped.consents, "outbox_events": dropped.outbox_events,
                    "kept_unsent_events": dropped.kept_unsent,
                }),
            )?;
        }
        tx.commit()?;
        if out.applied() > 0 || out.skipped > 0 {
            tracing::info!(
                applied = out.applied(),
                skipped = out.skipped,
                cursor = after,
                "change feed page applied"
            );
        }
        Ok(out)
    }

    /// Records the server's points answer for one measurement (see [`Store::record_points_acks`]).
    pub fn record_points_ack(
        &mut self,
        measurement_id: Uuid,
        award: &PointsAward,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.record_points_acks(&[(measurement_id, award)], now)
    }

    /// Records the server's points answers for measurements, one transaction and one audit row
    /// (measurement ids and points, no balances). The server answers a replayed event with the
    /// same award, so recording one twice leaves the same row.
    pub fn record_points_acks(
        &mut self,
        awards: &[(Uuid, &PointsAward)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if awards.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO points_acks (measurement_id, awarded, balance, rules, capped, acked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (measurement_id) DO UPDATE SET awarded = excluded.awarded,
                     balance = excluded.balance, rules = excluded.rules, capped = excluded.capped,
                     acked_at = excluded.acked_at",
            )?;
            for (id, a) in awards {
                stmt.execute(params![
                    id.to_string(),
                    a.awarded,
                    a.balance,
                    serde_json::to_string(&a.rules)?,
                    a.capped,
                    now.as_unix_ms()
                ])?;
            }
        }
        let total: u64 = awards.iter().map(|(_, a)| u64::from(a.awarded)).sum();
        audit::append(
            &tx,
            now,
            "points_acknowledged",
            &serde_json::json!({ "measurements": awards.len(), "points": total }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The server's points answer for a measurement, once it came.
    pub fn points_for(&self, measurement_id: Uuid) -> Result<Option<PointsAck>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT awarded, balance, rules, capped, acked_at FROM points_acks WHERE measurement_id = ?1",
                [measurement_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(awarded, balance, rules, capped, at)| {
            Ok(PointsAck {
                measurement_id,
                awarded,
                balance,
                rules: serde_json::from_str(&rules)?,
                capped,
                acked_at: Timestamp::from_unix_ms(at),
            })
        })
        .transpose()
    }

    /// A staff account as last synced (active or disabled), for offline sign-in.
    pub fn staff_account(&self, login: &str) -> Result<Option<StaffAccount>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT login, display_name, role, password_hash, active FROM staff_accounts WHERE login = ?1",
                [login],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(login, display_name, role, password_hash, active)| {
            Ok(StaffAccount {
                role: StaffRole::from_name(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("staff role {role:?}")))?,
                login,
                display_name,
                password_hash,
                active,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::T0;
    use super::super::StoreConfig;
    use super::*;
    use hakaru_wire::api::{Change, ParticipantStatus};
    use rstest::rstest;

    fn entry(number: &str) -> RosterEntry {
        RosterEntry {
            participant: number.into(),
            birth_date: "1950-04-01".into(),
            sex: Sex::Male,
            height_tenths_cm: 1700,
            body_type: 0,
            implanted_device: false,
            status: ParticipantStatus::Active,
        }
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_database_failure_mid_page_applies_nothing_and_keeps_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&StoreConfig::in_dir(dir.path())).unwrap();
        // A real SQLite failure on the page's third change (not a validation skip).
        s.conn
            .execute_batch(
                "CREATE TEMP TRIGGER fail_purpose BEFORE INSERT ON purposes
                 WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
            )
            .unwrap();
        let audit_before = count(&s, "SELECT count(*) FROM audit_log");
        let page = ChangesPage {
            card_program: 7,
            changes: vec![
                Change {
                    seq: 1,
                    change: ChangeKind::Participant(entry("A-1")),
                },
                Change {
                    seq: 2,
                    change: ChangeKind::Participant(entry("A-2")),
                },
                Change {
                    seq: 3,
                    change: ChangeKind::Purpose(PurposeDef {
                        id: "boom".into(),
                        required: true,
                        label_ja: "測定".into(),
                        label_en: "measurement".into(),
                    }),
                },
            ],
            next_cursor: 3,
            more: false,
        };
        let err = s.apply_changes(&page, T0).unwrap_err();
        assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
        assert_eq!(s.sync_cursor().unwrap(), 0, "the cursor did not move");
        assert_eq!(
            count(&s, "SELECT count(*) FROM participants"),
            0,
            "nothing applied"
        );
        assert_eq!(count(&s, "SELECT count(*) FROM audit_log"), audit_before);
        // Once the failure is gone the same page applies whole.
        s.conn.execute_batch("DROP TRIGGER fail_purpose").unwrap();
        let applied = s.apply_changes(&page, T0).unwrap();
        assert_eq!(
            (applied.participants, applied.purposes, applied.cursor),
            (2, 1, 3)
        );
        s.verify_audit().unwrap();
    }

    #[test]
    fn a_version_2_file_gains_the_sync_tables_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = StoreConfig::in_dir(dir.path());
        {
            let mut v2 = Store::open_at_version(&cfg, 2).unwrap();
            assert_eq!(v2.schema_version().unwrap(), 2);
            v2.set_retention_days(14, T0).unwrap();
        }
        let s = Store::open(&cfg).unwrap();
        assert_eq!(s.schema_version().unwrap(), super::super::SCHEMA_VERSION);
        assert_eq!(s.retention_days().unwrap(), 14);
        assert_eq!(s.sync_cursor().unwrap(), 0);
        assert_eq!(s.staff_account("x").unwrap(), None);
        s.verify_audit().unwrap();
    }

    #[test]
    fn a_version_3_file_drops_its_unsigned_cards_and_keeps_the_roster() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = StoreConfig::in_dir(dir.path());
        {
            let v3 = Store::open_at_version(&cfg, 3).unwrap();
            v3.conn
                .execute_batch(
                    "INSERT INTO participants (number, birth_date, sex, height_tenths_cm,
                         body_type, implanted_device, updated_at)
                     VALUES ('A-1', '1950-01-01', 1, 1600, 0, 0, 0);
                     INSERT INTO cards (serial, participant, status, updated_at)
                     VALUES ('CARD-OLD', 'A-1', 'active', 0);
                     UPDATE sync_state SET change_cursor = 12;",
                )
                .unwrap();
        }
        let s = Store::open(&cfg).unwrap();
        assert_eq!(count(&s, "SELECT count(*) FROM cards"), 0);
        assert_eq!(count(&s, "SELECT count(*) FROM participants"), 1);
        assert_eq!(
            s.card_program().unwrap(),
            None,
            "known again at the next pull"
        );
        assert_eq!(s.sync_cursor().unwrap(), 12);
    }

    #[rstest]
    #[case::ordinary("1958-06-15", true)]
    #[case::leap_day("2024-02-29", true)]
    #[case::not_a_leap_year("2023-02-29", false)]
    #[case::century_not_leap("1900-02-29", false)]
    #[case::month_13("1958-13-01", false)]
    #[case::day_zero("1958-06-00", false)]
    #[case::day_31_in_june("1958-06-31", false)]
    #[case::unpadded("1958-6-5", false)]
    #[case::slashes("1958/06/15", false)]
    #[case::trailing_text("1958-06-15x", false)]
    #[case::empty("", false)]
    fn calendar_dates(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(calendar_date(text).is_some(), ok, "{text}");
    }
}
