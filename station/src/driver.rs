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

use crate::cards::CardRejection;
use crate::domain::{Date, MeasurementId, ParticipantNumber};
use crate::session::{
    Action, ConfigError, Event, Inactive, Input, MeasuredValues, MeasurementMode,
    ParticipantRecord, Points, Session, SessionConfig, SessionId, Stage,
};
use crate::store::{new_id, Measured, NewMeasurement, Standing, Store, StoreError};
use hakaru_devices::scale::Preset;
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
    /// The store failed during maintenance (the idle checkpoint).
    #[error(transparent)]
    Store(#[from] StoreError),
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
}

impl std::fmt::Debug for Station {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Station")
            .field("stage", &self.session.stage())
            .field("session", &self.session.current())
            .field("scale_requests", &self.scale.len())
            .field("checkpoint_due", &self.checkpoint_due)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Station {
    /// A station over an open, enrolled `store` with a session configured by `config`.
    pub fn new(store: Store, config: SessionConfig) -> Result<Station, StationError> {
        if store.station_id().is_none() {
            return Err(StationError::NotEnrolled);
        }
        Ok(Station {
            store,
            session: Session::new(config)?,
            scale: VecDeque::new(),
            scale_use: ScaleUse::Done,
            checkpoint_due: false,
            stats: StationStats::default(),
        })
    }

    /// One input (card scan, a UI answer, a scale reading or status, a preset's outcome) at
    /// `now`; every action it causes is carried out before this returns, so a commit is durable
    /// before its event can be polled.
    pub fn handle(&mut self, input: Input, now: Instant, wall: Timestamp) {
        self.session.handle(input, now);
        self.run_actions(now, wall);
    }

    /// A card reader delivered `text`: it is checked against the synced cards
    /// ([`crate::cards::verify`]); a genuine, current card starts its participant's session
    /// (ending any session in progress). A refusal changes nothing and comes back for the
    /// screen; the outer error is the store failing. An accepted card gives its participant
    /// number (the session's events do not carry it; the screen shows it).
    pub fn card_read(
        &mut self,
        text: &str,
        today: Date,
        now: Instant,
        wall: Timestamp,
    ) -> Result<Result<ParticipantNumber, CardRejection>, StationError> {
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
}
