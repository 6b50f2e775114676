//! The measurement session as a sans-IO state machine: inputs and `now` in, actions, events and
//! the next deadline out.
//!
//! Deliberately not here: I/O of any kind, reading a clock, the consent rules
//! ([`super::consent`]), the echo check and weight-only filter ([`super::measurement`]), and the
//! words on screen ([`super::words`]). Personal data lives only inside [`State::Active`]; every
//! way out of a session drops it.

use super::config::{ConfigError, SessionConfig};
use super::consent::{self, ConsentNeed};
use super::input::{Inactive, Input, ParticipantRecord, Points, SessionId};
use super::measurement::{self, Measurement, MeasurementMode, RefusalReason};
use super::output::{Action, EndReason, Event, Stage, WipeReason};
use super::words;
use crate::domain::{
    ConsentDecision, ConsentMethod, Date, DocumentVersion, MeasurementId, ParticipantNumber,
    Profile, Purpose, PurposeId,
};
use hakaru_devices::scale::{DeviceStatus, ExchangeEvent, Preset, Reading, WeightReading};
use hakaru_wire::event::ConsentAction;
use std::collections::VecDeque;
use std::time::Instant;

/// See the module documentation. Drive it like quinn-proto's `Connection`:
/// `handle(input, now)` / `handle_timeout(now)`, then drain `poll_action`, `poll_event`, and
/// sleep until `poll_timeout`.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    state: State,
    next_id: u64,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
    /// The last refusal shown in this step, so a streaming scale does not flood the screen.
    last_refusal: Option<RefusalReason>,
}

#[derive(Debug)]
enum State {
    /// Nobody identified.
    Idle,
    /// Someone identified: the only place personal data lives.
    Active(Box<Active>),
    /// An explanation or thank-you on screen; nothing personal held.
    Closing {
        session: SessionId,
        reason: EndReason,
        until: Instant,
    },
}

#[derive(Debug)]
struct Active {
    session: SessionId,
    participant: ParticipantNumber,
    today: Date,
    timer: Timer,
    step: Step,
}

/// At most one deadline at a time.
#[derive(Debug, Clone, Copy)]
enum Timer {
    /// A machine step: when it passes, the session ends with this reason.
    Hard { at: Instant, on_expiry: EndReason },
    /// A participant step: when it passes, the idle warning starts.
    Idle { at: Instant },
    /// The idle warning: when it passes, the session is wiped.
    Warning { until: Instant },
}

#[derive(Debug)]
enum Step {
    LookingUp,
    Consent(Box<ConsentStep>),
    SavingConsent(Box<Known>),
    Safety(Box<Known>),
    Presetting(Box<Prepared>),
    Weighing(Box<Prepared>),
    Recording(Box<Measurement>),
    Results,
}

#[derive(Debug)]
struct ConsentStep {
    profile: Profile,
    in_force: Vec<DocumentVersion>,
    purposes: Vec<Purpose>,
}

/// A participant whose consent covers every required purpose.
#[derive(Debug)]
struct Known {
    profile: Profile,
    consent: ConsentDecision,
}

/// A participant the analyzer is being (or has been) preset for.
#[derive(Debug)]
struct Prepared {
    consent: ConsentDecision,
    preset: Preset,
    mode: MeasurementMode,
}

impl Session {
    /// A session machine with `config` (checked).
    pub fn new(config: SessionConfig) -> Result<Session, ConfigError> {
        config.validate()?;
        Ok(Session {
            config,
            state: State::Idle,
            next_id: 1,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            last_refusal: None,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next thing the UI must render.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Idle => None,
            State::Closing { until, .. } => Some(*until),
            State::Active(a) => Some(match a.timer {
                Timer::Hard { at, .. } | Timer::Idle { at } => at,
                Timer::Warning { until } => until,
            }),
        }
    }

    /// The current step (no data).
    pub fn stage(&self) -> Stage {
        match &self.state {
            State::Idle => Stage::Idle,
            State::Closing { .. } => Stage::Closing,
            State::Active(a) => match a.step {
                Step::LookingUp => Stage::LookingUp,
                Step::Consent(_) => Stage::Consent,
                Step::SavingConsent(_) => Stage::SavingConsent,
                Step::Safety(_) => Stage::SafetyQuestion,
                Step::Presetting(_) => Stage::Presetting,
                Step::Weighing(_) => Stage::Weighing,
                Step::Recording(_) => Stage::Recording,
                Step::Results => Stage::Results,
            },
        }
    }

    /// The session in progress (identified or closing), if any.
    pub fn current(&self) -> Option<SessionId> {
        match &self.state {
            State::Idle => None,
            State::Closing { session, .. } => Some(*session),
            State::Active(a) => Some(a.session),
        }
    }

    /// Whether the idle warning is showing.
    pub fn is_warning(&self) -> bool {
        matches!(&self.state, State::Active(a) if matches!(a.timer, Timer::Warning { .. }))
    }

    /// Whether anything personal is held: an identified participant (number, profile, consent,
    /// preset, measurement) or an undelivered event with body values. Actions already emitted
    /// belong to the driver and are not counted.
    pub fn has_personal_data(&self) -> bool {
        matches!(self.state, State::Active(_)) || self.events.iter().any(Event::is_personal)
    }

    /// Time passed: fire the deadline if it is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        // Each firing schedules its successor after `now`, so this ends after a few rounds.
        for _ in 0..4 {
            match self.poll_timeout() {
                Some(at) if at <= now => self.fire(now),
                _ => return,
            }
        }
    }

    fn fire(&mut self, now: Instant) {
        match &mut self.state {
            State::Idle => {}
            State::Closing {
                session, reason, ..
            } => {
                let (session, reason) = (*session, *reason);
                tracing::info!(%session, "session closed");
                self.state = State::Idle;
                self.events.push_back(Event::Wiped {
                    session,
                    reason: WipeReason::Ended(reason),
                });
            }
            State::Active(a) => match a.timer {
                Timer::Hard { on_expiry, .. } => {
                    tracing::warn!(session = %a.session, ?on_expiry, "step timed out");
                    self.end(on_expiry, now);
                }
                Timer::Idle { .. } => {
                    let remaining = self.config.warning;
                    a.timer = Timer::Warning {
                        until: now + remaining,
                    };
                    let session = a.session;
                    tracing::info!(%session, "idle warning");
                    self.events.push_back(Event::IdleWarning {
                        session,
                        remaining,
                        message: words::STILL_THERE,
                    });
                }
                Timer::Warning { .. } => {
                    tracing::info!(session = %a.session, "idle timeout");
                    self.wipe(WipeReason::IdleTimeout);
                }
            },
        }
    }

    /// One input at `now`. Overdue deadlines fire first, so a late input never acts on a
    /// session that should already be gone.
    pub fn handle(&mut self, input: Input, now: Instant) {
        self.handle_timeout(now);
        tracing::debug!(input = input.name(), stage = ?self.stage(), "session input");
        match input {
            Input::CardScanned { participant, today } => self.card(participant, today, now),
            Input::ParticipantLoaded { session, record } => self.loaded(session, *record, now),
            Input::ParticipantUnknown { session } => {
                if self.is_step(session, Stage::LookingUp) {
                    self.end(EndReason::CardUnknown, now);
                }
            }
            Input::ParticipantInactive { session, standing } => {
                if self.is_step(session, Stage::LookingUp) {
                    self.end(
                        match standing {
                            Inactive::Withdrawn => EndReason::ConsentWithdrawn,
                            Inactive::Stopped => EndReason::UseStopped,
                        },
                        now,
                    );
                }
            }
            Input::LookupFailed { session } => {
                if self.is_step(session, Stage::LookingUp) {
                    self.end(EndReason::LookupFailed, now);
                }
            }
            Input::ConsentAnswered {
                session,
                granted,
                method,
            } => self.consent_answered(session, &granted, method, now),
            Input::ConsentSaved { session } => self.consent_saved(session, now),
            Input::ConsentSaveFailed { session } => {
                if self.is_step(session, Stage::SavingConsent) {
                    self.end(EndReason::ConsentNotSaved, now);
                }
            }
            Input::SafetyAnswered {
                session,
                implanted_device,
            } => self.safety_answered(session, implanted_device, now),
            Input::Preset { session, event } => self.preset_event(session, event, now),
            Input::Reading(reading) => self.reading(*reading, now),
            Input::Weight(weight) => self.weight(weight, now),
            Input::ScaleStatus(status) => self.scale_status(status, now),
            Input::Recorded {
                session,
                measurement_id,
                points,
            } => self.recorded(session, measurement_id, points, now),
            Input::RecordFailed { session } => {
                if self.is_step(session, Stage::Recording) {
                    self.end(EndReason::RecordFailed, now);
                }
            }
            Input::AnalyzerChanged => {
                if matches!(self.state, State::Active(_)) {
                    self.end(EndReason::AnalyzerChanged, now);
                }
            }
            Input::Continue => self.continue_(now),
            Input::Finish { session } => self.finish(session, now),
        }
    }

    // --- transitions -------------------------------------------------------------------

    fn card(&mut self, participant: ParticipantNumber, today: Date, now: Instant) {
        if self.current().is_some() {
            self.wipe(WipeReason::NextCard);
        }
        let session = SessionId(self.next_id);
        self.next_id += 1;
        tracing::info!(%session, "card scanned: session started");
        self.actions.push_back(Action::LookUp {
            session,
            participant: participant.clone(),
        });
        self.events.push_back(Event::Identifying {
            session,
            message: words::CARD_READ,
        });
        self.state = State::Active(Box::new(Active {
            session,
            participant,
            today,
            timer: hard(now, self.config.lookup, EndReason::LookupFailed),
            step: Step::LookingUp,
        }));
        self.last_refusal = None;
    }

    fn loaded(&mut self, session: SessionId, record: ParticipantRecord, now: Instant) {
        if !self.is_step(session, Stage::LookingUp) {
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        if record.participant != a.participant {
            // Never proceed with someone other than the card's participant.
            tracing::warn!(%session, "look-up answered for a different participant");
            self.end(EndReason::LookupFailed, now);
            return;
        }
        let need = consent::consent_needed(
            &record.documents,
            &record.purposes,
            record.latest_consent.as_ref(),
            a.today,
        );
        tracing::info!(%session, need = need_name(&need), "participant loaded");
        match need {
            ConsentNeed::NoDocumentsInForce => self.end(EndReason::NoDocumentsInForce, now),
            ConsentNeed::Needed { reasons } => {
                let in_force: Vec<DocumentVersion> =
                    consent::documents_in_force(&record.documents, a.today)
                        .into_iter()
                        .cloned()
                        .collect();
                self.events.push_back(Event::ConsentRequired {
                    session,
                    documents: in_force.clone(),
                    purposes: record.purposes.clone(),
                    reasons,
                    message: words::PLEASE_CONSENT,
                });
                a.timer = Timer::Idle {
                    at: now + self.config.idle,
                };
                a.step = Step::Consent(Box::new(ConsentStep {
                    profile: record.profile,
                    in_force,
                    purposes: record.purposes,
                }));
                self.last_refusal = None;
            }
            ConsentNeed::OnFile { updated } => {
                let Some(consent) = record.latest_consent else {
                    // consent_needed never reports OnFile without a decision.
                    self.end(EndReason::LookupFailed, now);
                    return;
                };
                let message = (!updated.is_empty()).then_some(words::POLICY_UPDATED);
                self.events.push_back(Event::ConsentOnFile {
                    session,
                    updated,
                    message,
                });
                self.after_consent(
                    Known {
                        profile: record.profile,
                        consent,
                    },
                    now,
                );
            }
        }
    }

    fn consent_answered(
        &mut self,
        session: SessionId,
        granted: &[PurposeId],
        method: ConsentMethod,
        now: Instant,
    ) {
        if !self.is_step(session, Stage::Consent) {
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        let Step::Consent(step) = std::mem::replace(&mut a.step, Step::LookingUp) else {
            return;
        };
        let decision =
            consent::decision_from_answer(&step.in_force, &step.purposes, granted, method);
        let complete = consent::grants_all_required(&decision, &step.purposes);
        self.actions.push_back(Action::RecordConsent {
            session,
            participant: a.participant.clone(),
            action: if complete {
                ConsentAction::Given
            } else {
                ConsentAction::Refused
            },
            decision: decision.clone(),
        });
        if !complete {
            tracing::info!(%session, "required purpose refused");
            self.end(EndReason::RequiredPurposeRefused, now);
            return;
        }
        a.step = Step::SavingConsent(Box::new(Known {
            profile: step.profile,
            consent: decision,
        }));
        a.timer = hard(now, self.config.save_consent, EndReason::ConsentNotSaved);
        self.events.push_back(Event::SavingConsent { session });
        self.last_refusal = None;
    }

    fn consent_saved(&mut self, session: SessionId, now: Instant) {
        if !self.is_step(session, Stage::SavingConsent) {
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        let Step::SavingConsent(known) = std::mem::replace(&mut a.step, Step::LookingUp) else {
            return;
        };
        self.after_consent(*known, now);
    }

    /// Consent covers every required purpose: ask the safety question, unless the roster
    /// already says weight only.
    fn after_consent(&mut self, known: Known, now: Instant) {
        let State::Active(a) = &mut self.state else {
            return;
        };
        let session = a.session;
        if known.profile.implanted_device {
            self.events.push_back(Event::WeightOnly {
                session,
                message: words::WEIGHT_ONLY,
            });
            self.preset(known, MeasurementMode::WeightOnly, now);
            return;
        }
        a.step = Step::Safety(Box::new(known));
        a.timer = Timer::Idle {
            at: now + self.config.idle,
        };
        self.last_refusal = None;
        self.events.push_back(Event::SafetyQuestion {
            session,
            message: words::SAFETY_QUESTION,
        });
    }

    fn safety_answered(&mut self, session: SessionId, implanted: bool, now: Instant) {
        if !self.is_step(session, Stage::SafetyQuestion) {
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        let Step::Safety(known) = std::mem::replace(&mut a.step, Step::LookingUp) else {
            return;
        };
        let mode = if implanted {
            self.events.push_back(Event::WeightOnly {
                session,
                message: words::WEIGHT_ONLY,
            });
            MeasurementMode::WeightOnly
        } else {
            MeasurementMode::Composition
        };
        self.preset(*known, mode, now);
    }

    fn preset(&mut self, known: Known, mode: MeasurementMode, now: Instant) {
        let State::Active(a) = &mut self.state else {
            return;
        };
        let session = a.session;
        let age = known.profile.birth_date.age_on(a.today);
        let preset = Preset {
            sex: known.profile.sex,
            age: u8::try_from(age).unwrap_or(u8::MAX),
            height_tenths_cm: known.profile.height_tenths_cm,
            body_type: known.profile.body_type,
            clothes_tenths_kg: self.config.clothes_tenths_kg,
        };
        self.actions.push_back(Action::PresetScale {
            session,
            preset: preset.clone(),
            mode,
        });
        self.events.push_back(Event::PreparingScale {
            session,
            mode,
            message: words::PREPARING_SCALE,
        });
        a.step = Step::Presetting(Box::new(Prepared {
            consent: known.consent,
            preset,
            mode,
        }));
        a.timer = hard(now, self.config.preset, EndReason::ScaleNotReady);
        self.last_refusal = None;
    }

    fn preset_event(&mut self, session: SessionId, event: ExchangeEvent, now: Instant) {
        if !self.is_step(session, Stage::Presetting) {
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        match event {
            ExchangeEvent::Measuring => {
                let Step::Presetting(prepared) = std::mem::replace(&mut a.step, Step::LookingUp)
                else {
                    return;
                };
                let mode = prepared.mode;
                a.step = Step::Weighing(prepared);
                a.timer = Timer::Idle {
                    at: now + self.config.weighing_idle,
                };
                self.last_refusal = None;
                let message = match mode {
                    MeasurementMode::Composition => words::STEP_ON,
                    MeasurementMode::WeightOnly => words::STEP_ON_WEIGHT_ONLY,
                };
                self.events.push_back(Event::StepOn {
                    session,
                    mode,
                    message,
                });
            }
            ExchangeEvent::Failed(error) => {
                tracing::warn!(%session, kind = exchange_error_kind(&error), "preset failed");
                self.end(EndReason::ScaleNotReady, now);
            }
        }
    }

    fn reading(&mut self, reading: Reading, now: Instant) {
        let tolerance = self.config.height_tolerance_tenths_cm;
        self.measured(now, |p| {
            measurement::from_reading(reading, &p.preset, p.mode, tolerance)
        });
    }

    fn weight(&mut self, weight: WeightReading, now: Instant) {
        // Unsettled, empty-platform and out-of-range lines stream all the time: not readings.
        let settled = weight.stability == hakaru_devices::scale::Stability::Stable
            && weight.weight.is_some_and(|w| w.value() > 0.0);
        if !settled {
            return;
        }
        self.measured(now, |p| measurement::from_weight(weight, p.mode));
    }

    /// A reading arrived: attach it to the weighing session or refuse it with a reason.
    fn measured(
        &mut self,
        now: Instant,
        make: impl FnOnce(&Prepared) -> Result<Measurement, RefusalReason>,
    ) {
        let State::Active(a) = &mut self.state else {
            self.refuse(None, RefusalReason::NoSession);
            return;
        };
        let session = a.session;
        let outcome = match &a.step {
            Step::Weighing(prepared) => make(prepared).map(|m| (m, prepared.consent.clone())),
            Step::Recording(_) | Step::Results => Err(RefusalReason::AlreadyMeasured),
            _ => Err(RefusalReason::NotReady),
        };
        match outcome {
            Err(reason) => self.refuse(Some(session), reason),
            Ok((measurement, consent)) => {
                tracing::info!(%session, mode = ?measurement.mode, "reading accepted");
                self.actions.push_back(Action::Record {
                    session,
                    participant: a.participant.clone(),
                    measurement: measurement.clone(),
                    consent,
                });
                a.step = Step::Recording(Box::new(measurement));
                a.timer = hard(now, self.config.record, EndReason::RecordFailed);
                self.last_refusal = None;
                self.events.push_back(Event::Saving {
                    session,
                    message: words::SAVING,
                });
            }
        }
    }

    fn refuse(&mut self, session: Option<SessionId>, reason: RefusalReason) {
        tracing::info!(?session, ?reason, "reading refused");
        if self.last_refusal == Some(reason) {
            return;
        }
        self.last_refusal = Some(reason);
        self.events.push_back(Event::ReadingRefused {
            session,
            reason,
            message: reason.words(),
        });
    }

    fn scale_status(&mut self, status: DeviceStatus, now: Instant) {
        let DeviceStatus::Error(code) = status;
        let State::Active(a) = &self.state else {
            return;
        };
        if !matches!(a.step, Step::Presetting(_) | Step::Weighing(_)) {
            return;
        }
        let session = a.session;
        if code.needs_technician() {
            self.end(EndReason::ScaleFault(code), now);
        } else {
            self.events.push_back(Event::ScaleMessage {
                session,
                code,
                message: words::Words::from_pair(code.message()),
            });
        }
    }

    fn recorded(
        &mut self,
        session: SessionId,
        measurement_id: MeasurementId,
        points: Points,
        now: Instant,
    ) {
        if !self.is_step(session, Stage::Recording) {
            tracing::info!(%session, "recorded answer for no waiting session");
            return;
        }
        let State::Active(a) = &mut self.state else {
            return;
        };
        let Step::Recording(measurement) = std::mem::replace(&mut a.step, Step::Results) else {
            return;
        };
        a.timer = Timer::Idle {
            at: now + self.config.results,
        };
        self.last_refusal = None;
        self.events.push_back(Event::Results {
            session,
            measurement_id,
            measurement: *measurement,
            points,
            message: words::RESULTS,
            points_message: (points == Points::Pending).then_some(words::POINTS_PENDING),
        });
    }

    fn continue_(&mut self, now: Instant) {
        let State::Active(a) = &mut self.state else {
            return;
        };
        let idle = match a.step {
            Step::Consent(_) | Step::Safety(_) => self.config.idle,
            Step::Weighing(_) => self.config.weighing_idle,
            Step::Results => self.config.results,
            // Machine steps are not the participant's to extend.
            _ => return,
        };
        let was_warning = matches!(a.timer, Timer::Warning { .. });
        a.timer = Timer::Idle { at: now + idle };
        if was_warning {
            self.events
                .push_back(Event::Continued { session: a.session });
        }
    }

    fn finish(&mut self, session: SessionId, now: Instant) {
        if self.current() != Some(session) {
            return;
        }
        match self.stage() {
            Stage::Closing => {
                // Leave the explanation early.
                if let State::Closing { reason, .. } = self.state {
                    self.state = State::Idle;
                    self.events.push_back(Event::Wiped {
                        session,
                        reason: WipeReason::Ended(reason),
                    });
                }
            }
            Stage::Results => self.end(EndReason::Finished, now),
            _ => self.end(EndReason::Stopped, now),
        }
    }

    // --- ways out ------------------------------------------------------------------------

    /// Ends the session with an explanation: personal data goes now, the screen after
    /// `explanation` (or `thank_you`).
    fn end(&mut self, reason: EndReason, now: Instant) {
        let State::Active(a) = &self.state else {
            return;
        };
        let session = a.session;
        tracing::info!(%session, ?reason, "session ended");
        self.drop_personal();
        self.actions.push_back(Action::Wipe {
            session,
            reason: WipeReason::Ended(reason),
        });
        self.events.push_back(Event::Ended {
            session,
            reason,
            message: reason.words(),
        });
        let display = if reason == EndReason::Finished {
            self.config.thank_you
        } else {
            self.config.explanation
        };
        self.state = State::Closing {
            session,
            reason,
            until: now + display,
        };
    }

    /// Discards everything at once and clears the screen.
    fn wipe(&mut self, reason: WipeReason) {
        let session = match &self.state {
            State::Idle => return,
            State::Active(a) => a.session,
            State::Closing { session, .. } => *session,
        };
        if matches!(self.state, State::Active(_)) {
            self.actions.push_back(Action::Wipe { session, reason });
        }
        tracing::info!(%session, ?reason, "session wiped");
        self.drop_personal();
        self.state = State::Idle;
        self.events.push_back(Event::Wiped { session, reason });
    }

    /// Drops the identified participant and any undelivered event with body values.
    fn drop_personal(&mut self) {
        self.state = State::Idle;
        self.events.retain(|e| !e.is_personal());
        self.last_refusal = None;
    }

    // --- helpers -------------------------------------------------------------------------

    /// Whether `session` is the active one and at `stage`; answers for anything else are stale.
    fn is_step(&self, session: SessionId, stage: Stage) -> bool {
        let ok = matches!(&self.state, State::Active(a) if a.session == session)
            && self.stage() == stage;
        if !ok {
            tracing::debug!(%session, ?stage, "stale or out-of-step answer ignored");
        }
        ok
    }
}

fn hard(now: Instant, after: std::time::Duration, on_expiry: EndReason) -> Timer {
    Timer::Hard {
        at: now + after,
        on_expiry,
    }
}

fn need_name(need: &ConsentNeed) -> &'static str {
    match need {
        ConsentNeed::OnFile { .. } => "on_file",
        ConsentNeed::Needed { .. } => "needed",
        ConsentNeed::NoDocumentsInForce => "no_documents",
    }
}

fn exchange_error_kind(e: &hakaru_devices::scale::ExchangeError) -> &'static str {
    use hakaru_devices::scale::ExchangeError as E;
    match e {
        E::NoPcMode(_) => "no_pc_mode",
        E::Command(_) => "command",
        E::Refused { .. } => "refused",
        E::NoReply { .. } => "no_reply",
        E::Device(_) => "device",
        E::NoWeightOnly(_) => "no_weight_only",
    }
}
