//! The station driver: the one place that carries out a [`Session`]'s actions against the
//! [`Store`] and feeds the answers back — look-ups, consent and measurement commits, the idle
//! WAL checkpoint — and hands the UI the session's events.
//!
//! Deliberately not here: the serial link and its clock (the async [`crate::scale_feed`] or
//! another caller performs each [`PresetRequest`] and reports back with `Input::Preset`), how a
//! card is checked (`cards`; [`Station::card_read`] only applies the verdict), the UI and
//! Tauri. It is synchronous and reads no clock: `now` (monotonic, for the session's deadlines)
//! and `wall` (UTC, for the records) come in with every call.
//!
//! ```text
//! UI / card / scale ──Input──▶ Station ──handle──▶ Session ──Action──▶ Station
//!                                 ▲                                      │ LookUp, RecordConsent,
//!                                 └──────────── Input (answer) ◀── Store ┘ Record, Wipe
//!                     PresetScale ──▶ PresetRequest for the caller (it owns the link)
//! ```

use crate::calibration::{Gate, GateReason};
use crate::cards::CardRejection;
use crate::domain::{Date, MeasurementId, ParticipantNumber};
use crate::session::{
    Action, ConfigError, Event, Inactive, Input, MeasuredValues, MeasurementMode,
    ParticipantRecord, Points, Session, SessionConfig, SessionId, Stage,
};
use crate::store::{new_id, Measured, NewMeasurement, Standing, Store, StoreError};
use hakaru_devices::scale::Preset;
use hakaru_devices::serial::AnalyzerIdentity;
use hakaru_wire::{ConsentAction, Timestamp};
use std::collections::VecDeque;
use std::time::Instant;

/// Why a [`Station`] could not be made or could not do its own work.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    /// The session configuration is not allowed.
    #[error(
        "測定の設定が正しくありません。技術者に連絡してください / the session settings are invalid ({0}): call a technician"
    )]
    Config(#[from] ConfigError),
    /// The store has no station identity, so nothing could be recorded.
    #[error(
        "この端末はまだ登録されていません。技術者が端末登録を行ってください / \
         this station has not been enrolled yet: a technician must enroll it"
    )]
    NotEnrolled,
    /// Participants may not measure now (calibration gate closed): nothing was started.
    #[error("{}", .0.message())]
    Blocked(GateReason),
    /// The store failed during maintenance (the idle checkpoint).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why [`Station::present_participant`] started nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The calibration gate is closed: show notice `measurements_blocked` with
    /// [`GateReason::code`].
    Blocked(GateReason),
    /// The store failed while checking the gate: nothing started; try again.
    CheckFailed,
}

impl Refusal {
    /// The notice code for the screen: `measurements_blocked` or `check_failed`.
    pub fn notice(self) -> &'static str {
        match self {
            Refusal::Blocked(_) => "measurements_blocked",
            Refusal::CheckFailed => "check_failed",
        }
    }

    /// The gate's reason code, when blocked.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Refusal::Blocked(r) => Some(r.code()),
            Refusal::CheckFailed => None,
        }
    }
}

/// The analyzer must be preset for this session; the caller owns the link, performs it (e.g.
/// [`hakaru_devices::serial::run_preset`]) and answers with [`Input::Preset`] for `session`.
/// `Debug` is redacted by [`Preset`].
#[derive(Debug, Clone, PartialEq)]
pub struct PresetRequest {
    /// The session that asked; put it in the answer.
    pub session: SessionId,
    /// The participant's values.
    pub preset: Preset,
    /// Composition, or weight only (never pass current through an implanted device).
    pub mode: MeasurementMode,
}

/// What the station asks of whoever owns the scale link.
#[derive(Debug, Clone, PartialEq)]
pub enum ScaleRequest {
    /// Preset the analyzer and start the measurement.
    Preset(PresetRequest),
    /// The session that had the analyzer started ended before a reading was recorded: cancel
    /// the measurement (`q`), so the next person is not measured under the old preset.
    Cancel {
        /// The ended session.
        session: SessionId,
    },
}

/// Counters for the kiosk's status screen and tests (no personal values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StationStats {
    /// Look-ups answered from the store.
    pub lookups: u64,
    /// Consent decisions committed.
    pub consents_saved: u64,
    /// Measurements committed.
    pub recorded: u64,
    /// Store operations that failed (each answered as a failure to the session).
    pub store_failures: u64,
    /// WAL checkpoints done after a session ended.
    pub checkpoints: u64,
}

/// Where the scale stands for the session that last asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScaleUse {
    /// A preset was requested (queued or handed out) and no reading is recorded yet.
    Started(SessionId),
    /// Nothing to cancel.
    Done,
}

/// See the module documentation. Drive it like the session it wraps: `handle(input, now,
/// wall)` / `handle_timeout(now, wall)`; then drain [`Station::poll_event`] for the UI and
/// [`Station::poll_scale_request`] for the link, call [`Station::idle_work`] when nothing else
/// is waiting, and wake up at [`Station::poll_timeout`].
pub struct Station {
    store: Store,
    session: Session,
    scale: VecDeque<ScaleRequest>,
    scale_use: ScaleUse,
    checkpoint_due: bool,
    stats: StationStats,
    /// Whether participants may measure (see [`crate::calibration`]).
    gate: Gate,
    /// The day the gate was last decided for (`None`: date rules not applied yet).
    gate_day: Option<Date>,
    /// The serial number of the analyzer the newest check was made on.
    checked_serial: Option<String>,
    /// The analyzer the link has identified, as far as it told.
    connected: Option<AnalyzerIdentity>,
    /// The other serial number last seen (persisted once, not per frame).
    swap_seen: Option<String>,
}

impl std::fmt::Debug for Station {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Station")
            .field("stage", &self.session.stage())
            .field("session", &self.session.current())
            .field("scale_requests", &self.scale.len())
            .field("checkpoint_due", &self.checkpoint_due)
            .field("stats", &self.stats)
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

impl Station {
    /// A station over an open, enrolled `store` with a session configured by `config`.
    pub fn new(store: Store, config: SessionConfig) -> Result<Station, StationError> {
        if store.station_id().is_none() {
            return Err(StationError::NotEnrolled);
        }
        let session = Session::new(config)?;
        // The date rules apply from the first call that brings today's date.
        let gate = store.gate_on(None, None)?;
        let checked_serial = store.newest_check()?.map(|c| c.serial);
        Ok(Station {
            store,
            session,
            scale: VecDeque::new(),
            scale_use: ScaleUse::Done,
            checkpoint_due: false,
            stats: StationStats::default(),
            gate,
            gate_day: None,
            checked_serial,
            connected: None,
            swap_seen: None,
        })
    }

    /// Whether participants may measure, as last decided.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Decides the gate again from the store for `today` (after a check was recorded, the
    /// analyzer dates changed, or the date changed).
    pub fn refresh_gate(&mut self, today: Date) -> Result<&Gate, StationError> {
        let gate = self.store.gate(self.connected.as_ref(), today)?;
        self.checked_serial = self.store.newest_check()?.map(|c| c.serial);
        if self.store.swapped_serial()?.is_none() {
            self.swap_seen = None;
        }
        if gate != self.gate {
            tracing::info!(?gate, "calibration gate changed");
        }
        self.gate = gate;
        self.gate_day = Some(today);
        Ok(&self.gate)
    }

    /// The analyzer the link identified (model and serial number), as far as known.
    pub fn connected_analyzer(&self) -> Option<&AnalyzerIdentity> {
        self.connected.as_ref()
    }

    /// The link identified the analyzer (or a later frame named another one). A serial number
    /// other than the checked one closes the gate (`analyzer_swapped`, persisted) and ends the
    /// session in progress with [`crate::session::EndReason::AnalyzerChanged`].
    pub fn analyzer_identified(
        &mut self,
        identity: AnalyzerIdentity,
        now: Instant,
        wall: Timestamp,
    ) {
        let serial = identity.serial_number.clone();
        self.connected = Some(identity);
        if let Some(serial) = serial {
            self.check_serial(&serial, now, wall);
        }
    }

    /// The link was replaced (another port or protocol): the analyzer is unknown until its
    /// frames name it.
    pub fn analyzer_forgotten(&mut self) {
        self.connected = None;
    }

    /// Whether `serial` is another analyzer than the checked one; if so, handles the swap.
    fn check_serial(&mut self, serial: &str, now: Instant, wall: Timestamp) -> bool {
        if self.checked_serial.as_deref().is_none_or(|c| c == serial) {
            return false;
        }
        // A check may have been recorded over another connection since: read it again before
        // calling this a swap.
        if let Ok(newest) = self.store.newest_check() {
            self.checked_serial = newest.map(|c| c.serial);
        }
        let Some(checked) = self.checked_serial.clone() else {
            return false;
        };
        if serial == checked {
            return false;
        }
        if self.swap_seen.as_deref() != Some(serial) {
            tracing::warn!(seen = serial, checked = %checked, "analyzer swapped: measurements blocked until checked");
            match self.store.mark_analyzer_swapped(serial, &checked, wall) {
                Ok(()) => self.swap_seen = Some(serial.to_owned()),
                Err(e) => {
                    // The gate still closes now; only a restart would not remember it.
                    self.stats.store_failures += 1;
                    tracing::warn!(error = %e, "could not persist the analyzer swap");
                }
            }
        }
        self.gate = Gate::Closed(GateReason::AnalyzerSwapped);
        self.session.handle(Input::AnalyzerChanged, now);
        self.run_actions(now, wall);
        true
    }

    /// Brings the gate to `today` if it was decided for another day (or none).
    fn gate_for(&mut self, today: Date) -> Result<Gate, StationError> {
        if self.gate_day != Some(today) {
            self.refresh_gate(today)?;
        }
        Ok(self.gate)
    }

    /// Starts a session for a roster participant without a card: staff identified them (the
    /// queue of an explanation session). Refused, with nothing started, while the gate is
    /// closed. Ends any session in progress, like a card.
    pub fn present_participant(
        &mut self,
        participant: ParticipantNumber,
        today: Date,
        now: Instant,
        wall: Timestamp,
    ) -> Result<(), Refusal> {
        match self.gate_for(today) {
            Ok(Gate::Open) => {}
            Ok(Gate::Closed(reason)) => return Err(Refusal::Blocked(reason)),
            Err(e) => {
                tracing::warn!(error = %e, "gate check failed: nothing started");
                return Err(Refusal::CheckFailed);
            }
        }
        self.session
            .handle(Input::CardScanned { participant, today }, now);
        self.run_actions(now, wall);
        Ok(())
    }

    /// One input (card scan, a UI answer, a scale reading or status, a preset's outcome) at
    /// `now`; every action it causes is carried out before this returns, so a commit is durable
    /// before its event can be polled.
    ///
    /// The calibration gate holds here too: a `CardScanned` while it is closed starts nothing
    /// (use [`Station::card_read`] / [`Station::present_participant`] to learn why), and a
    /// reading from another analyzer than the checked one is never recorded: the session ends
    /// with `AnalyzerChanged` and the gate closes.
    pub fn handle(&mut self, input: Input, now: Instant, wall: Timestamp) {
        match &input {
            Input::CardScanned { today, .. } => {
                let open = matches!(self.gate_for(*today), Ok(Gate::Open));
                if !open {
                    tracing::info!(gate = ?self.gate, "card scan ignored: measurements blocked");
                    return;
                }
            }
            Input::Reading(reading) => {
                if let Some(serial) = reading.serial_number.clone() {
                    if self.check_serial(&serial, now, wall) {
                        return;
                    }
                }
            }
            _ => {}
        }
        self.session.handle(input, now);
        self.run_actions(now, wall);
    }

    /// A card reader delivered `text`: it is checked against the synced cards
    /// ([`crate::cards::verify`]); a genuine, current card starts its participant's session
    /// (ending any session in progress). A refusal changes nothing and comes back for the
    /// screen; the outer error is the store failing or [`StationError::Blocked`] while the
    /// calibration gate is closed (nothing starts). An accepted card gives its participant
    /// number (the session's events do not carry it; the screen shows it).
    pub fn card_read(
        &mut self,
        text: &str,
        today: Date,
        now: Instant,
        wall: Timestamp,
    ) -> Result<Result<ParticipantNumber, CardRejection>, StationError> {
        // The gate first: while measurements are blocked no card starts anything.
        if let Gate::Closed(reason) = self.gate_for(today)? {
            tracing::info!(reason = reason.code(), "card refused: measurements blocked");
            return Err(StationError::Blocked(reason));
        }
        match crate::cards::verify(&self.store, text, today)? {
            Ok(card) => {
                self.handle(
                    Input::CardScanned {
                        participant: card.participant.clone(),
                        today,
                    },
                    now,
                    wall,
                );
                Ok(Ok(card.participant))
            }
            Err(rejection) => {
                tracing::info!(?rejection, "card refused");
                Ok(Err(rejection))
            }
        }
    }

    /// Time passed: fire the session's deadline if it is due.
    pub fn handle_timeout(&mut self, now: Instant, wall: Timestamp) {
        self.session.handle_timeout(now);
        self.run_actions(now, wall);
    }

    /// When [`Station::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// The next event for the UI. Only `Event::Results` carries body values (redacted in
    /// `Debug`); a wipe drops undelivered ones.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.session.poll_event()
    }

    /// The next thing the scale link's owner must do.
    pub fn poll_scale_request(&mut self) -> Option<ScaleRequest> {
        self.scale.pop_front()
    }

    /// The session's step (no data).
    pub fn stage(&self) -> Stage {
        self.session.stage()
    }

    /// The session in progress (identified or closing), if any.
    pub fn current_session(&self) -> Option<SessionId> {
        self.session.current()
    }

    /// Whether anything personal is held in memory (see [`Session::has_personal_data`]).
    pub fn has_personal_data(&self) -> bool {
        self.session.has_personal_data()
    }

    /// Counters.
    pub fn stats(&self) -> StationStats {
        self.stats
    }

    /// The store, for reading (history for the results screen, status).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for the sync worker (`next_batch` / `acknowledge`) between sessions.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Gives the store back (shutdown).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Whether [`Station::idle_work`] has something to do now: a session ended and nobody is
    /// being served (the attract or the closing screen).
    pub fn has_idle_work(&self) -> bool {
        self.checkpoint_due && matches!(self.session.stage(), Stage::Idle | Stage::Closing)
    }

    /// Maintenance for the quiet time after a session: copies the WAL back into the database
    /// file (the slow commit the store's author keeps out of recordings). Returns whether it
    /// did anything. A failure is reported and tried again after the next session.
    pub fn idle_work(&mut self) -> Result<bool, StationError> {
        if !self.has_idle_work() {
            return Ok(false);
        }
        self.checkpoint_due = false;
        self.store.checkpoint()?;
        self.stats.checkpoints += 1;
        tracing::debug!("idle checkpoint done");
        Ok(true)
    }

    fn run_actions(&mut self, now: Instant, wall: Timestamp) {
        // An answer can cause further actions (a look-up answered → a consent to record …).
        while let Some(action) = self.session.poll_action() {
            if let Some(answer) = self.execute(action, wall) {
                self.session.handle(answer, now);
            }
        }
    }

    /// Carries out one action; returns the session's answer, if it is due now.
    fn execute(&mut self, action: Action, wall: Timestamp) -> Option<Input> {
        match action {
            Action::LookUp {
                session,
                participant,
            } => {
                self.stats.lookups += 1;
                Some(match self.look_up(&participant) {
                    Ok(Found::Active(record)) => Input::ParticipantLoaded { session, record },
                    Ok(Found::Inactive(standing)) => {
                        tracing::info!(%session, ?standing, "participant not active: nothing measured");
                        Input::ParticipantInactive { session, standing }
                    }
                    Ok(Found::Nobody) => Input::ParticipantUnknown { session },
                    Err(e) => {
                        self.failed(session, "look_up", &e);
                        Input::LookupFailed { session }
                    }
                })
            }
            Action::RecordConsent {
                session,
                participant,
                action,
                decision,
            } => match self
                .store
                .record_consent(&participant, action, &decision, wall)
            {
                Ok(_) => {
                    self.stats.consents_saved += 1;
                    tracing::info!(%session, action = action.name(), "consent committed");
                    Some(Input::ConsentSaved { session })
                }
                Err(e) => {
                    self.failed(session, "record_consent", &e);
                    Some(Input::ConsentSaveFailed { session })
                }
            },
            Action::PresetScale {
                session,
                preset,
                mode,
            } => {
                self.scale.push_back(ScaleRequest::Preset(PresetRequest {
                    session,
                    preset,
                    mode,
                }));
                self.scale_use = ScaleUse::Started(session);
                None
            }
            Action::Record {
                session,
                participant,
                measurement,
                consent: _,
            } => {
                let reading = match &measurement.values {
                    MeasuredValues::Frame(r) => Measured::Composition(r),
                    MeasuredValues::WeightLine(w) => Measured::Weight(w),
                };
                let new = NewMeasurement {
                    id: new_id(wall),
                    participant: &participant,
                    reading,
                    weight_only: measurement.mode == MeasurementMode::WeightOnly,
                };
                match self.store.record_measurement(&new, wall) {
                    Ok(recorded) => {
                        self.stats.recorded += 1;
                        if self.scale_use == ScaleUse::Started(session) {
                            self.scale_use = ScaleUse::Done;
                        }
                        tracing::info!(%session, weight_only = recorded.weight_only, "measurement committed");
                        Some(Input::Recorded {
                            session,
                            measurement_id: MeasurementId(recorded.measurement_id),
                            points: Points::Pending,
                        })
                    }
                    Err(e) => {
                        self.failed(session, "record_measurement", &e);
                        Some(Input::RecordFailed { session })
                    }
                }
            }
            Action::Wipe { session, reason } => {
                tracing::debug!(%session, ?reason, "session wiped: scale released");
                let before = self.scale.len();
                self.scale
                    .retain(|r| !matches!(r, ScaleRequest::Preset(p) if p.session == session));
                let unsent = before != self.scale.len();
                if self.scale_use == ScaleUse::Started(session) {
                    self.scale_use = ScaleUse::Done;
                    if !unsent {
                        self.scale.push_back(ScaleRequest::Cancel { session });
                    }
                }
                self.checkpoint_due = true;
                None
            }
        }
    }

    fn look_up(&self, participant: &crate::domain::ParticipantNumber) -> Result<Found, StoreError> {
        let profile = match self.store.participant_standing(participant)? {
            None => return Ok(Found::Nobody),
            Some(Standing::Withdrawn) => return Ok(Found::Inactive(Inactive::Withdrawn)),
            Some(Standing::Stopped) => return Ok(Found::Inactive(Inactive::Stopped)),
            Some(Standing::Active(profile)) => profile,
        };
        // A withdrawal leaves no decision to build on: they consent afresh.
        let latest_consent = self
            .store
            .latest_consent(participant)?
            .filter(|c| c.action != ConsentAction::Withdrawn)
            .map(|c| c.decision);
        Ok(Found::Active(Box::new(ParticipantRecord {
            participant: participant.clone(),
            profile,
            documents: self.store.documents()?,
            purposes: self.store.purposes()?,
            latest_consent,
        })))
    }

    fn failed(&mut self, session: SessionId, what: &'static str, e: &StoreError) {
        self.stats.store_failures += 1;
        // StoreError messages carry no personal values (see its module documentation).
        tracing::warn!(%session, what, error = %e, transient = e.is_transient(), "store operation failed");
    }
}

/// What a look-up found.
enum Found {
    /// An active participant: what the session needs.
    Active(Box<ParticipantRecord>),
    /// On the roster, withdrawn or stopped.
    Inactive(Inactive),
    /// Not on the roster.
    Nobody,
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // a base instant for the injected clock
mod tests {
    use super::*;
    use crate::domain::{Date, DocumentKind, DocumentVersion, Purpose, PurposeId};
    use crate::store::testing::{participant, seeded, T0};
    use crate::store::{content_hash, StoreConfig};
    use hakaru_devices::scale::ExchangeEvent;

    const TODAY: Date = Date {
        year: 2026,
        month: 6,
        day: 3,
    };

    /// A station whose participant 0 has consent on file for the one document in force.
    fn station(dir: &tempfile::TempDir) -> Station {
        let mut store = seeded(&StoreConfig::in_dir(dir.path()), 1).unwrap();
        let terms = DocumentVersion {
            kind: DocumentKind::Terms,
            version: "v1".into(),
            language: "ja".into(),
            effective: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            content_hash: content_hash("terms v1"),
            needs_fresh_consent: true,
        };
        store.put_document(&terms, "terms v1", T0).unwrap();
        let service = Purpose {
            id: PurposeId("service".into()),
            required: true,
            label_ja: "測定".into(),
            label_en: "Measuring".into(),
        };
        store.put_purpose(&service, T0).unwrap();
        crate::calibration::testing::calibrated(&mut store, "00000001", TODAY).unwrap();
        Station::new(store, SessionConfig::default()).unwrap()
    }

    /// Card → consent on file → safety answered: a preset request is waiting.
    fn presetting(s: &mut Station, now: Instant) -> SessionId {
        s.handle(
            Input::CardScanned {
                participant: participant(0),
                today: TODAY,
            },
            now,
            T0,
        );
        let session = s.current_session().unwrap();
        assert_eq!(s.stage(), Stage::SafetyQuestion, "consent is on file");
        s.handle(
            Input::SafetyAnswered {
                session,
                implanted_device: false,
            },
            now,
            T0,
        );
        assert_eq!(s.stage(), Stage::Presetting);
        session
    }

    #[test]
    fn a_store_without_a_station_identity_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::in_dir(dir.path())).unwrap();
        assert!(matches!(
            Station::new(store, SessionConfig::default()),
            Err(StationError::NotEnrolled)
        ));
    }

    #[test]
    fn the_look_up_answers_from_the_store_and_the_preset_is_handed_to_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = station(&dir);
        let session = presetting(&mut s, Instant::now());
        assert_eq!(s.stats().lookups, 1);
        let Some(ScaleRequest::Preset(request)) = s.poll_scale_request() else {
            panic!("a preset request")
        };
        assert_eq!(request.session, session);
        assert_eq!(request.mode, MeasurementMode::Composition);
        // Born 1958-06-15: 67 on 2026-06-03.
        assert_eq!(request.preset.age, 67);
        assert_eq!(request.preset.height_tenths_cm, 1755);
        assert!(!format!("{request:?} {s:?}").contains("1755"));
        assert_eq!(s.poll_scale_request(), None);
    }

    #[test]
    fn a_session_that_ends_after_its_preset_cancels_the_measurement_and_checkpoints_later() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = station(&dir);
        let now = Instant::now();
        let session = presetting(&mut s, now);
        assert!(matches!(
            s.poll_scale_request(),
            Some(ScaleRequest::Preset(_))
        ));
        s.handle(
            Input::Preset {
                session,
                event: ExchangeEvent::Measuring,
            },
            now,
            T0,
        );
        assert!(!s.has_idle_work(), "nothing heavy while someone is served");
        s.handle(Input::Finish { session }, now, T0);
        assert_eq!(
            s.poll_scale_request(),
            Some(ScaleRequest::Cancel { session })
        );
        assert!(s.has_idle_work());
        assert!(s.idle_work().unwrap());
        assert!(!s.idle_work().unwrap(), "once per ended session");
        assert_eq!(s.stats().checkpoints, 1);
    }

    #[test]
    fn a_preset_not_yet_performed_is_withdrawn_when_the_next_card_comes() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = station(&dir);
        let now = Instant::now();
        let first = presetting(&mut s, now);
        s.handle(
            Input::CardScanned {
                participant: participant(0),
                today: TODAY,
            },
            now,
            T0,
        );
        assert_ne!(s.current_session(), Some(first));
        // The first session's preset is gone; nothing was started, so nothing to cancel.
        assert_eq!(s.poll_scale_request(), None);
    }

    #[test]
    fn a_reading_from_another_serial_is_never_recorded_and_closes_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = station(&dir);
        assert_eq!(*s.gate(), Gate::Open);
        let now = Instant::now();
        let session = presetting(&mut s, now);
        s.handle(
            Input::Preset {
                session,
                event: ExchangeEvent::Measuring,
            },
            now,
            T0,
        );
        // F5 comes from analyzer SN 00000002; the check was made on 00000001.
        let reading = crate::store::testing::reading(crate::store::testing::F5);
        s.handle(Input::Reading(Box::new(reading)), now, T0);
        let events: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Ended {
                reason: crate::session::EndReason::AnalyzerChanged,
                ..
            }
        )));
        assert!(!events.iter().any(|e| matches!(e, Event::Saving { .. })));
        assert_eq!(s.stats().recorded, 0);
        assert_eq!(*s.gate(), Gate::Closed(GateReason::AnalyzerSwapped));
        assert_eq!(
            s.store().swapped_serial().unwrap().as_deref(),
            Some("00000002")
        );
        assert_eq!(
            s.present_participant(participant(0), TODAY, now, T0),
            Err(Refusal::Blocked(GateReason::AnalyzerSwapped))
        );
    }
}
