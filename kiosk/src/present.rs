//! What the UI is shown for each thing the station does: session events, card verdicts and link
//! changes in, [`KioskEvent`]s out — screens, notices, the idle warning, results with their
//! ranges and trend, and the points once the server answers (or "later").
//!
//! It holds the only personal data the runtime keeps outside the station (the participant
//! number and the results on screen), and drops it at every end and wipe. Deliberately not here:
//! deciding anything about the session (the station), what a value means (`crate::ranges`), and
//! talking to the server (the sync worker; this only reads what it stored).

use crate::ranges::{self, Person};
use crate::runtime::{initial_points, Hub};
use crate::view::{
    ConsentView, DocumentView, EndCode, GuidanceStep, GuidanceView, IdleView, KioskEvent, Notice,
    PointsUpdate, PointsView, PurposeView, ResultValue, ResultsView, Screen, Text, TrendPoint,
};
use hakaru_devices::scale::tanita::Sex;
use hakaru_station::cards::CardRejection;
use hakaru_station::domain::{Date, MeasurementId, ParticipantNumber};
use hakaru_station::session::{
    EndReason, Event, MeasuredValues, Measurement, MeasurementMode, RefusalReason, SessionId,
};
use hakaru_station::store::Store;
use hakaru_station::{CardVerdict, Clock, FeedOutput, LinkNote, Refusal, SystemClock};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Earlier readings on the trend chart (this one included).
const TREND_LEN: u32 = 10;
/// How often the store is asked for points while waiting (besides each sync status change).
const POINTS_POLL: Duration = Duration::from_millis(150);

/// The session on screen. Dropped at every end and wipe.
struct Current {
    session: SessionId,
    participant: ParticipantNumber,
    weight_only: bool,
}

/// Points being waited for.
struct PendingPoints {
    session: SessionId,
    measurement: MeasurementId,
}

/// See the module documentation.
pub(crate) struct Presenter {
    hub: Arc<Hub>,
    /// The presenter's own read connection (history, documents, points answers).
    store: Store,
    utc_offset_minutes: i32,
    /// `None`: no `[sync]`; points are always "later".
    points_wait: Option<Duration>,
    /// A verified card's participant, until its session's first event.
    accepted: Option<ParticipantNumber>,
    current: Option<Current>,
    pending: Option<PendingPoints>,
    model: String,
    /// A queue session staff started (no card read): its participant, until its first event.
    presenting: Arc<Mutex<Option<ParticipantNumber>>>,
}

impl std::fmt::Debug for Presenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presenter")
            .field("session", &self.current.as_ref().map(|c| c.session))
            .finish_non_exhaustive()
    }
}

pub(crate) fn card_code(v: &CardVerdict) -> &'static str {
    match v {
        CardVerdict::Accepted(_) => "card_accepted",
        CardVerdict::Refused(r) => match r {
            CardRejection::NotOurs => "card_not_ours",
            CardRejection::Malformed => "card_malformed",
            CardRejection::OtherProgram => "card_other_program",
            CardRejection::UnknownParticipant => "card_unknown_participant",
            CardRejection::Revoked => "card_revoked",
            CardRejection::Expired => "card_expired",
            CardRejection::BadSignature => "card_bad_signature",
            CardRejection::NoRoster => "card_no_roster",
        },
        CardVerdict::CheckFailed => "card_check_failed",
        CardVerdict::Blocked(_) => "measurements_blocked",
        CardVerdict::Held => "staff_in_use",
    }
}

fn end_code(reason: EndReason) -> (EndCode, Option<String>) {
    let code = match reason {
        EndReason::CardUnknown => EndCode::CardUnknown,
        EndReason::LookupFailed => EndCode::LookupFailed,
        EndReason::NoDocumentsInForce => EndCode::NoDocumentsInForce,
        EndReason::RequiredPurposeRefused => EndCode::RequiredPurposeRefused,
        EndReason::ConsentNotSaved => EndCode::ConsentNotSaved,
        EndReason::ScaleNotReady => EndCode::ScaleNotReady,
        EndReason::ScaleFault(code) => return (EndCode::ScaleFault, Some(code.code())),
        EndReason::RecordFailed => EndCode::RecordFailed,
        EndReason::Stopped => EndCode::Stopped,
        EndReason::Finished => EndCode::Finished,
        EndReason::ConsentWithdrawn => EndCode::ConsentWithdrawn,
        EndReason::UseStopped => EndCode::UseStopped,
        EndReason::AnalyzerChanged => EndCode::AnalyzerChanged,
    };
    (code, None)
}

/// The snake_case name serde gives a unit-like enum value (or its tag).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map
            .values()
            .next()
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// Every value the reading has, by the keys `ranges::SHOWN` uses.
fn values_of(m: &Measurement) -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    match &m.values {
        MeasuredValues::Frame(r) => {
            let candidates: [(&'static str, Option<f64>); 9] = [
                ("weight", r.weight.map(|v| v.0)),
                ("bmi", r.bmi),
                ("fat_percent", r.fat_percent.map(|v| v.0)),
                ("muscle_mass", r.muscle_mass.map(|v| v.0)),
                ("visceral_fat", r.visceral_fat_rating),
                ("bmr", r.bmr_kcal.map(|v| v.0)),
                ("body_water_percent", r.body_water_percent.map(|v| v.0)),
                ("bone_mass", r.bone_mass.map(|v| v.0)),
                ("metabolic_age", r.metabolic_age.map(f64::from)),
            ];
            out.extend(
                candidates
                    .into_iter()
                    .filter_map(|(k, v)| v.filter(|v| v.is_finite()).map(|v| (k, v))),
            );
        }
        MeasuredValues::WeightLine(w) => {
            if let Some(kg) = w.weight {
                out.push(("weight", kg.0));
            }
        }
    }
    out
}

/// A number from a stored reading's JSON.
fn json_number(values: &serde_json::Value, key: &str) -> Option<f64> {
    values.get(key).and_then(serde_json::Value::as_f64)
}

fn day_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

impl Presenter {
    pub(crate) fn new(
        hub: Arc<Hub>,
        store: Store,
        utc_offset_minutes: i32,
        points_wait: Option<Duration>,
        model: String,
        presenting: Arc<Mutex<Option<ParticipantNumber>>>,
    ) -> Presenter {
        Presenter {
            hub,
            store,
            utc_offset_minutes,
            points_wait,
            accepted: None,
            current: None,
            pending: None,
            model,
            presenting,
        }
    }

    fn publish_screen(&self, screen: Screen) {
        self.hub.publish(KioskEvent::Screen(screen));
    }

    fn notice(&self, code: &str, detail: Option<String>) {
        self.hub.publish(KioskEvent::Notice(Notice {
            code: code.to_owned(),
            detail,
        }));
    }

    /// Drops everything personal this presenter holds about the session that ended. The next
    /// card's participant (`accepted`) stays: a card read during the thank-you screen ends the
    /// previous session (its `Ended`/`Wiped` come first) and its own `Identifying` follows in
    /// the same batch, which takes it.
    fn forget(&mut self) {
        self.current = None;
        self.pending = None;
    }

    fn participant_of(&self, session: SessionId) -> Option<String> {
        self.current
            .as_ref()
            .filter(|c| c.session == session)
            .map(|c| c.participant.as_str().to_owned())
    }

    /// One thing from the station.
    pub(crate) fn handle(&mut self, output: FeedOutput) {
        match output {
            FeedOutput::Card(CardVerdict::Accepted(p)) => self.accepted = Some(p),
            // Staff mode is open: the participant window already says so.
            FeedOutput::Card(CardVerdict::Held) => {}
            FeedOutput::Card(CardVerdict::Blocked(reason)) => {
                self.notice("measurements_blocked", Some(reason.code().to_owned()));
            }
            FeedOutput::Card(v) => self.notice(card_code(&v), None),
            FeedOutput::Present(Err(refusal)) => {
                let detail = match refusal {
                    Refusal::Blocked(reason) => Some(reason.code().to_owned()),
                    Refusal::CheckFailed => None,
                };
                self.notice(refusal.notice(), detail);
            }
            FeedOutput::Present(Ok(())) | FeedOutput::Identity(_) => {}
            // What participants are told about the gate comes from the staff console (it
            // knows whether staff mode is open too).
            FeedOutput::Gate(_) => {}
            FeedOutput::Link(note) => self.hub.publish(KioskEvent::Scale(crate::view::ScaleView {
                connected: note == LinkNote::Connected,
                model: self.model.clone(),
            })),
            FeedOutput::Event(e) => self.event(e),
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Identifying { session, .. } => {
                let presented = || {
                    self.presenting
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take()
                };
                let Some(participant) = self.accepted.take().or_else(presented) else {
                    tracing::warn!(%session, "a session started without a verified card");
                    return;
                };
                self.pending = None;
                self.current = Some(Current {
                    session,
                    participant: participant.clone(),
                    weight_only: false,
                });
                self.publish_screen(Screen::Identifying {
                    session: session.0,
                    participant: participant.as_str().to_owned(),
                });
            }
            Event::ConsentRequired {
                session,
                documents,
                purposes,
                reasons,
                ..
            } => {
                let Some(participant) = self.participant_of(session) else {
                    return;
                };
                let documents = documents
                    .iter()
                    .map(|d| DocumentView {
                        kind: serde_name(&d.kind),
                        version: d.version.clone(),
                        language: d.language.clone(),
                        text: match self.store.document_text(&d.content_hash) {
                            Ok(Some(text)) => text,
                            Ok(None) | Err(_) => {
                                tracing::warn!("a document's text is missing from the store");
                                String::new()
                            }
                        },
                    })
                    .collect();
                let purposes = purposes
                    .iter()
                    .map(|p| PurposeView {
                        id: p.id.0.clone(),
                        required: p.required,
                        label: Text::new(p.label_ja.clone(), p.label_en.clone()),
                    })
                    .collect();
                self.publish_screen(Screen::Consent(ConsentView {
                    session: session.0,
                    participant,
                    documents,
                    purposes,
                    reasons: reasons.iter().map(serde_name).collect(),
                }));
            }
            Event::SavingConsent { session } => {
                if let Some(participant) = self.participant_of(session) {
                    self.publish_screen(Screen::SavingConsent {
                        session: session.0,
                        participant,
                    });
                }
            }
            Event::ConsentOnFile { .. } => {}
            Event::SafetyQuestion { session, .. } => {
                if let Some(participant) = self.participant_of(session) {
                    self.publish_screen(Screen::Safety {
                        session: session.0,
                        participant,
                    });
                }
            }
            Event::WeightOnly { session, .. } => {
                if let Some(c) = self.current.as_mut().filter(|c| c.session == session) {
                    c.weight_only = true;
                }
            }
            Event::PreparingScale { session, mode, .. } => {
                self.guidance(session, GuidanceStep::Preparing, Some(mode));
            }
            Event::StepOn { session, mode, .. } => {
                self.guidance(session, GuidanceStep::StepOn, Some(mode));
            }
            Event::Saving { session, .. } => self.guidance(session, GuidanceStep::Saving, None),
            Event::ScaleMessage { code, .. } => self.notice("scale_message", Some(code.code())),
            Event::ReadingRefused { reason, .. } => {
                let detail = match reason {
                    RefusalReason::NoSession => "no_session".to_owned(),
                    other => serde_name(&other),
                };
                self.notice("reading_refused", Some(detail));
            }
            Event::Results {
                session,
                measurement_id,
                measurement,
                ..
            } => self.results(session, measurement_id, &measurement),
            Event::IdleWarning {
                session, remaining, ..
            } => self.hub.publish(KioskEvent::Idle(IdleView {
                session: session.0,
                remaining_ms: Some(u32::try_from(remaining.as_millis()).unwrap_or(u32::MAX)),
            })),
            Event::Continued { session } => self.hub.publish(KioskEvent::Idle(IdleView {
                session: session.0,
                remaining_ms: None,
            })),
            Event::Ended { reason, .. } => {
                self.forget();
                let (reason, scale_code) = end_code(reason);
                self.publish_screen(Screen::Ended { reason, scale_code });
            }
            Event::Wiped { .. } => {
                self.forget();
                self.publish_screen(Screen::Attract);
            }
        }
    }

    fn guidance(&mut self, session: SessionId, step: GuidanceStep, mode: Option<MeasurementMode>) {
        let Some(c) = self.current.as_mut().filter(|c| c.session == session) else {
            return;
        };
        if mode == Some(MeasurementMode::WeightOnly) {
            c.weight_only = true;
        }
        let view = GuidanceView {
            session: session.0,
            participant: c.participant.as_str().to_owned(),
            step,
            weight_only: c.weight_only,
        };
        self.publish_screen(Screen::Guidance(view));
    }

    /// Sex and age for the ranges: the roster profile, else what the analyzer echoed.
    fn person(&self, participant: &ParticipantNumber, m: &Measurement, today: Date) -> Person {
        let (mut sex, mut age): (Option<Sex>, Option<u16>) = (None, None);
        if let MeasuredValues::Frame(r) = &m.values {
            sex = r.sex;
            age = r.age.map(u16::from);
        }
        if let Ok(Some(profile)) = self.store.participant(participant) {
            sex = Some(profile.sex);
            age = Some(profile.birth_date.age_on(today));
        }
        Person { sex, age }
    }

    fn results(&mut self, session: SessionId, id: MeasurementId, m: &Measurement) {
        let Some(c) = self.current.as_ref().filter(|c| c.session == session) else {
            return;
        };
        let participant = c.participant.clone();
        let today = Date::local(SystemClock.wall(), self.utc_offset_minutes);
        let person = self.person(&participant, m, today);
        let measured = values_of(m);
        let values = ranges::SHOWN
            .iter()
            .filter_map(|&(key, unit, decimals)| {
                let (_, value) = measured.iter().find(|(k, _)| *k == key)?;
                Some(ResultValue {
                    key: key.to_owned(),
                    value: *value,
                    unit: unit.to_owned(),
                    decimals,
                    range: ranges::judge(key, *value, &person),
                })
            })
            .collect();
        let mut trend: Vec<TrendPoint> = match self.store.history(&participant, TREND_LEN) {
            Ok(history) => history
                .iter()
                .rev()
                .map(|h| TrendPoint {
                    day: day_text(Date::local(h.taken_at, self.utc_offset_minutes)),
                    weight: json_number(&h.values.0, "weight"),
                    fat_percent: json_number(&h.values.0, "fat_percent"),
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "history could not be read for the trend");
                Vec::new()
            }
        };
        if trend.is_empty() {
            // The store always has this reading; if it could not be read, show it alone.
            trend.push(TrendPoint {
                day: day_text(today),
                weight: m.weight().map(|w| w.0),
                fat_percent: measured
                    .iter()
                    .find(|(k, _)| *k == "fat_percent")
                    .map(|(_, v)| *v),
            });
        }
        let points = initial_points(self.points_wait.is_some());
        self.publish_screen(Screen::Results(ResultsView {
            session: session.0,
            participant: participant.as_str().to_owned(),
            weight_only: m.mode == MeasurementMode::WeightOnly,
            values,
            trend,
            points,
        }));
        if self.points_wait.is_some() {
            self.pending = Some(PendingPoints {
                session,
                measurement: id,
            });
            // An answer already stored (a fast server) is shown at once.
            self.check_points();
        }
    }

    /// Whether points are being waited for, and how long at most.
    pub(crate) fn waiting_for_points(&self) -> Option<Duration> {
        self.pending.as_ref().and(self.points_wait)
    }

    pub(crate) const fn points_poll() -> Duration {
        POINTS_POLL
    }

    /// Looks for the server's answer; publishes it and stops waiting when it is there.
    pub(crate) fn check_points(&mut self) {
        let Some(p) = &self.pending else { return };
        match self.store.points_for(p.measurement.as_uuid()) {
            Ok(Some(ack)) => {
                let session = p.session;
                self.pending = None;
                self.hub.publish(KioskEvent::Points(PointsUpdate {
                    session: session.0,
                    points: PointsView::Awarded {
                        earned: ack.awarded,
                        balance: ack.balance,
                    },
                }));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "points could not be read"),
        }
    }

    /// The wait is over without an answer: "later".
    pub(crate) fn points_later(&mut self) {
        if let Some(p) = self.pending.take() {
            self.hub.publish(KioskEvent::Points(PointsUpdate {
                session: p.session.0,
                points: PointsView::Later,
            }));
        }
    }
}
