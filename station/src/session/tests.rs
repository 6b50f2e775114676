//! Unit tests of every transition and timeout of the session, with a fake clock; random
//! sequences are not here (see `proptests`).

use super::*;
use crate::domain::{
    ConsentDecision, ConsentMethod, Date, DocumentKind, DocumentVersion, MeasurementId,
    ParticipantNumber, Profile, Purpose, PurposeId,
};
use hakaru_devices::scale::tanita::frame::Key;
use hakaru_devices::scale::tanita::{
    BodyType, Impedance, ImpedanceComponent, ImpedancePath, PhaseAngle, Sex,
};
use hakaru_devices::scale::units::{Cm, Degrees, Kg, Ohm, Percent};
use hakaru_devices::scale::{
    DeviceStatus, ErrorCode, ExchangeError, ExchangeEvent, Reading, WeightReading,
};
use hakaru_wire::event::ConsentAction;
use std::time::{Duration, Instant};

pub(super) const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 1,
};

/// A driver that records everything the session says.
pub(super) struct Kiosk {
    pub s: Session,
    pub now: Instant,
    pub actions: Vec<Action>,
    pub events: Vec<Event>,
}

#[allow(clippy::disallowed_methods)] // tests need one real instant as the fake clock's origin
pub(super) fn origin() -> Instant {
    Instant::now()
}

impl Kiosk {
    pub fn new() -> Kiosk {
        Kiosk::with(SessionConfig::default())
    }

    pub fn with(config: SessionConfig) -> Kiosk {
        Kiosk {
            s: Session::new(config).unwrap(),
            now: origin(),
            actions: Vec::new(),
            events: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(a) = self.s.poll_action() {
            self.actions.push(a);
        }
        while let Some(e) = self.s.poll_event() {
            self.events.push(e);
        }
    }

    pub fn input(&mut self, input: Input) {
        self.s.handle(input, self.now);
        self.drain();
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.s.handle_timeout(self.now);
        self.drain();
    }

    /// Takes what was emitted since the last call.
    pub fn take(&mut self) -> (Vec<Action>, Vec<Event>) {
        (
            std::mem::take(&mut self.actions),
            std::mem::take(&mut self.events),
        )
    }

    pub fn scan(&mut self, who: &str) -> SessionId {
        self.input(Input::CardScanned {
            participant: number(who),
            today: TODAY,
        });
        self.s.current().unwrap()
    }

    pub fn load(&mut self, session: SessionId, record: ParticipantRecord) {
        self.input(Input::ParticipantLoaded {
            session,
            record: Box::new(record),
        });
    }

    /// Card → look-up (consent on file) → safety "no" → preset accepted: weighing.
    pub fn reach_weighing(&mut self, who: &str) -> SessionId {
        let s = self.scan(who);
        self.load(s, record(who, profile(false), Some(valid_consent())));
        self.input(Input::SafetyAnswered {
            session: s,
            implanted_device: false,
        });
        self.input(Input::Preset {
            session: s,
            event: ExchangeEvent::Measuring,
        });
        assert_eq!(self.s.stage(), Stage::Weighing);
        s
    }

    /// … → a matching reading → recorded: results.
    pub fn reach_results(&mut self, who: &str) -> SessionId {
        let s = self.reach_weighing(who);
        self.input(Input::Reading(Box::new(matching_reading())));
        self.input(Input::Recorded {
            session: s,
            measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
            points: Points::Awarded { points: 10 },
        });
        assert_eq!(self.s.stage(), Stage::Results);
        s
    }

    pub fn last_event(&self) -> &Event {
        self.events.last().expect("an event")
    }
}

pub(super) fn number(who: &str) -> ParticipantNumber {
    ParticipantNumber::new(who).unwrap()
}

/// Born 1953-06-02: 72 on 2026-06-01, 73 the next day.
pub(super) fn profile(implanted_device: bool) -> Profile {
    Profile {
        birth_date: Date {
            year: 1953,
            month: 6,
            day: 2,
        },
        sex: Sex::Female,
        height_tenths_cm: 1525,
        body_type: BodyType::Standard,
        implanted_device,
    }
}

pub(super) fn documents() -> Vec<DocumentVersion> {
    let mut out = Vec::new();
    for kind in [DocumentKind::Terms, DocumentKind::PrivacyPolicy] {
        for lang in ["ja", "en"] {
            out.push(DocumentVersion {
                kind,
                version: "v1".into(),
                language: lang.into(),
                effective: Date {
                    year: 2026,
                    month: 1,
                    day: 1,
                },
                content_hash: format!("{kind:?}-v1-{lang}"),
                needs_fresh_consent: false,
            });
        }
    }
    out
}

pub(super) fn purposes() -> Vec<Purpose> {
    let p = |id: &str, required| Purpose {
        id: PurposeId(id.into()),
        required,
        label_ja: "目的".into(),
        label_en: "purpose".into(),
    };
    vec![
        p("service", true),
        p("effect_analysis", true),
        p("research", false),
    ]
}

pub(super) fn pid(id: &str) -> PurposeId {
    PurposeId(id.into())
}

pub(super) fn valid_consent() -> ConsentDecision {
    ConsentDecision {
        document_hashes: vec!["Terms-v1-ja".into(), "PrivacyPolicy-v1-ja".into()],
        granted: vec![pid("service"), pid("effect_analysis")],
        refused: vec![pid("research")],
        method: ConsentMethod::OnScreen,
    }
}

pub(super) fn record(
    who: &str,
    profile: Profile,
    latest: Option<ConsentDecision>,
) -> ParticipantRecord {
    ParticipantRecord {
        participant: number(who),
        profile,
        documents: documents(),
        purposes: purposes(),
        latest_consent: latest,
    }
}

/// What an analyzer preset for `profile(false)` on TODAY echoes, with composition and
/// impedance values.
pub(super) fn matching_reading() -> Reading {
    let mut r = Reading::default();
    r.model = Some("MC-780".into());
    r.sex = Some(Sex::Female);
    r.age = Some(72);
    r.height = Some(Cm(152.5));
    r.weight = Some(Kg(51.2));
    r.fat_percent = Some(Percent(30.1));
    r.muscle_mass = Some(Kg(33.9));
    r.impedances.push(Impedance {
        frequency_khz: 50,
        component: ImpedanceComponent::Resistance,
        path: ImpedancePath::LeftHalf,
        ohms: Ohm(620.5),
        key: Key::new(b"RH").unwrap(),
    });
    r.phase_angles.push(PhaseAngle {
        path: ImpedancePath::WholeBody,
        degrees: Degrees(-5.6),
    });
    r.set_raw(b"{0,16,...RH,620.5,...}".to_vec());
    r
}

fn stable_weight() -> WeightReading {
    WeightReading::parse(b"ST,GS,+0051.20kg").unwrap()
}

fn recorded_actions(actions: &[Action]) -> Vec<&Action> {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Record { .. }))
        .collect()
}

fn ended_with(events: &[Event]) -> Option<EndReason> {
    events.iter().find_map(|e| match e {
        Event::Ended { reason, .. } => Some(*reason),
        _ => None,
    })
}

// --- identification ----------------------------------------------------------------------

#[test]
fn card_scan_starts_lookup_for_that_participant() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    assert_eq!(k.s.stage(), Stage::LookingUp);
    assert_eq!(
        k.actions,
        [Action::LookUp {
            session: s,
            participant: number("A-0001")
        }]
    );
    assert!(matches!(k.events[..], [Event::Identifying { session, .. }] if session == s));
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(10)));
    assert!(k.s.has_personal_data());
}

#[test]
fn unknown_card_ends_session_with_staff_message() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.input(Input::ParticipantUnknown { session: s });
    assert_eq!(k.s.stage(), Stage::Closing);
    assert_eq!(ended_with(&k.events), Some(EndReason::CardUnknown));
    assert!(k.actions.contains(&Action::Wipe {
        session: s,
        reason: WipeReason::Ended(EndReason::CardUnknown)
    }));
    assert!(!k.s.has_personal_data());
}

#[test]
fn lookup_failure_ends_session_with_staff_message() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.input(Input::LookupFailed { session: s });
    assert_eq!(ended_with(&k.events), Some(EndReason::LookupFailed));
    assert_eq!(EndReason::LookupFailed.words().ja, words::LOOKUP_FAILED.ja);
}

#[test]
fn lookup_timeout_ends_session_with_staff_message() {
    let mut k = Kiosk::new();
    k.scan("A-0001");
    k.advance(Duration::from_millis(9_999));
    assert_eq!(k.s.stage(), Stage::LookingUp);
    k.advance(Duration::from_millis(1));
    assert_eq!(ended_with(&k.events), Some(EndReason::LookupFailed));
    assert!(!k.s.has_personal_data());
}

#[test]
fn lookup_answer_for_another_participant_is_never_used() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("B-0002", profile(false), Some(valid_consent())));
    assert_eq!(ended_with(&k.events), Some(EndReason::LookupFailed));
    assert!(!k
        .actions
        .iter()
        .any(|a| matches!(a, Action::PresetScale { .. })));
}

#[test]
fn lookup_answer_for_a_previous_session_is_ignored() {
    let mut k = Kiosk::new();
    let first = k.scan("A-0001");
    let second = k.scan("B-0002");
    k.load(
        first,
        record("A-0001", profile(false), Some(valid_consent())),
    );
    assert_eq!(k.s.stage(), Stage::LookingUp);
    assert_eq!(k.s.current(), Some(second));
}

// --- consent -----------------------------------------------------------------------------

#[test]
fn first_visit_asks_for_consent_with_every_purpose_and_document_in_force() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    assert_eq!(k.s.stage(), Stage::Consent);
    let Event::ConsentRequired {
        documents,
        purposes: shown,
        reasons,
        message,
        ..
    } = k.last_event()
    else {
        panic!("consent screen expected, got {:?}", k.last_event())
    };
    assert_eq!(documents.len(), 4);
    assert_eq!(shown, &purposes());
    assert_eq!(reasons, &[ConsentReason::FirstTime]);
    assert_eq!(*message, words::PLEASE_CONSENT);
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(90)));
}

#[test]
fn consent_on_file_goes_straight_to_safety_question() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    assert_eq!(k.s.stage(), Stage::SafetyQuestion);
    assert!(k.events.iter().any(|e| matches!(
        e,
        Event::ConsentOnFile { updated, message: None, .. } if updated.is_empty()
    )));
    assert!(matches!(k.last_event(), Event::SafetyQuestion { .. }));
    assert!(!k
        .actions
        .iter()
        .any(|a| matches!(a, Action::RecordConsent { .. })));
}

#[test]
fn notify_only_update_is_pointed_out_without_asking_again() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    let mut r = record("A-0001", profile(false), Some(valid_consent()));
    let mut v2 = r.documents[0].clone();
    v2.version = "v2".into();
    v2.effective.month = 5;
    v2.content_hash = "Terms-v2-ja".into();
    r.documents.push(v2);
    k.load(s, r);
    assert!(k.events.iter().any(|e| matches!(
        e,
        Event::ConsentOnFile { updated, message: Some(_), .. } if updated == &[DocumentKind::Terms]
    )));
    assert_eq!(k.s.stage(), Stage::SafetyQuestion);
}

#[test]
fn newer_version_needing_fresh_consent_asks_again() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    let mut r = record("A-0001", profile(false), Some(valid_consent()));
    let mut v2 = r.documents[2].clone();
    v2.version = "v2".into();
    v2.effective.month = 5;
    v2.content_hash = "PrivacyPolicy-v2-ja".into();
    v2.needs_fresh_consent = true;
    r.documents.push(v2);
    k.load(s, r);
    assert_eq!(k.s.stage(), Stage::Consent);
    assert!(matches!(
        k.last_event(),
        Event::ConsentRequired { reasons, documents, .. }
            if reasons == &[ConsentReason::FreshConsentRequired(DocumentKind::PrivacyPolicy)]
            && documents.iter().any(|d| d.content_hash == "PrivacyPolicy-v2-ja")
    ));
}

#[test]
fn no_documents_in_force_ends_session() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    let mut r = record("A-0001", profile(false), Some(valid_consent()));
    r.documents.clear();
    k.load(s, r);
    assert_eq!(ended_with(&k.events), Some(EndReason::NoDocumentsInForce));
}

#[test]
fn granting_required_purposes_records_consent_and_waits_until_it_is_saved() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.take();
    k.input(Input::ConsentAnswered {
        session: s,
        granted: vec![pid("service"), pid("effect_analysis"), pid("research")],
        method: ConsentMethod::OnScreen,
    });
    let Action::RecordConsent {
        session,
        participant,
        action,
        decision,
    } = &k.actions[0]
    else {
        panic!("consent must be recorded first")
    };
    assert_eq!((*session, participant), (s, &number("A-0001")));
    assert_eq!(*action, ConsentAction::Given);
    assert_eq!(decision.granted.len(), 3);
    assert!(decision.refused.is_empty());
    assert_eq!(decision.document_hashes.len(), 4);
    assert_eq!(k.s.stage(), Stage::SavingConsent);
    // Nothing goes on until the decision is committed.
    k.input(Input::Reading(Box::new(matching_reading())));
    assert!(recorded_actions(&k.actions).is_empty());
    k.input(Input::ConsentSaved { session: s });
    assert_eq!(k.s.stage(), Stage::SafetyQuestion);
}

#[test]
fn refusing_optional_purpose_still_measures() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.input(Input::ConsentAnswered {
        session: s,
        granted: vec![pid("service"), pid("effect_analysis")],
        method: ConsentMethod::StaffWitnessedPaper,
    });
    k.input(Input::ConsentSaved { session: s });
    assert_eq!(k.s.stage(), Stage::SafetyQuestion);
    assert!(k.actions.iter().any(|a| matches!(
        a,
        Action::RecordConsent { decision, .. }
            if decision.refused == [pid("research")]
            && decision.method == ConsentMethod::StaffWitnessedPaper
    )));
}

#[test]
fn refusing_required_purpose_ends_session_with_explanation() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.take();
    k.input(Input::ConsentAnswered {
        session: s,
        granted: vec![pid("service"), pid("research")],
        method: ConsentMethod::OnScreen,
    });
    // The refusal itself is recorded (the server must learn it) …
    assert!(matches!(
        &k.actions[0],
        Action::RecordConsent { decision, action: ConsentAction::Refused, .. }
            if decision.refused == [pid("effect_analysis")]
    ));
    // … and the session ends with an explanation in both languages, holding nothing personal.
    let Some(Event::Ended {
        reason, message, ..
    }) = k.events.first()
    else {
        panic!("explanation expected: {:?}", k.events)
    };
    assert_eq!(*reason, EndReason::RequiredPurposeRefused);
    assert!(message.ja.contains("同意") && message.en.contains("agreement"));
    assert_eq!(k.s.stage(), Stage::Closing);
    assert!(!k.s.has_personal_data());
    assert!(!k
        .actions
        .iter()
        .any(|a| matches!(a, Action::PresetScale { .. })));
    // The explanation stays for the configured time, then the screen is cleared.
    k.advance(Duration::from_secs(20));
    assert!(matches!(
        k.last_event(),
        Event::Wiped {
            reason: WipeReason::Ended(EndReason::RequiredPurposeRefused),
            ..
        }
    ));
    assert_eq!(k.s.stage(), Stage::Idle);
}

#[test]
fn consent_save_failure_ends_session() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.input(Input::ConsentAnswered {
        session: s,
        granted: vec![pid("service"), pid("effect_analysis")],
        method: ConsentMethod::OnScreen,
    });
    k.input(Input::ConsentSaveFailed { session: s });
    assert_eq!(ended_with(&k.events), Some(EndReason::ConsentNotSaved));
}

#[test]
fn consent_save_timeout_ends_session() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.input(Input::ConsentAnswered {
        session: s,
        granted: vec![pid("service"), pid("effect_analysis")],
        method: ConsentMethod::OnScreen,
    });
    k.advance(Duration::from_secs(10));
    assert_eq!(ended_with(&k.events), Some(EndReason::ConsentNotSaved));
}

#[test]
fn consent_answer_from_a_previous_sessions_screen_is_ignored() {
    let mut k = Kiosk::new();
    let old = k.scan("A-0001");
    let s = k.scan("B-0002");
    k.load(s, record("B-0002", profile(false), None));
    k.input(Input::ConsentAnswered {
        session: old,
        granted: vec![pid("service"), pid("effect_analysis")],
        method: ConsentMethod::OnScreen,
    });
    assert_eq!(k.s.stage(), Stage::Consent);
}

// --- safety question and preset ----------------------------------------------------------

#[test]
fn no_implanted_device_presets_composition_with_age_on_measurement_day() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: false,
    });
    let Some(Action::PresetScale { preset, mode, .. }) = k.actions.last() else {
        panic!("preset expected")
    };
    assert_eq!(*mode, MeasurementMode::Composition);
    assert_eq!(preset.age, 72, "birthday is tomorrow");
    assert_eq!(preset.sex, Sex::Female);
    assert_eq!(preset.height_tenths_cm, 1525);
    assert_eq!(preset.clothes_tenths_kg, 10);
    assert_eq!(k.s.stage(), Stage::Presetting);
    assert!(matches!(k.last_event(), Event::PreparingScale { .. }));
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(30)));

    // On the birthday itself the age is one more.
    let mut k = Kiosk::new();
    k.input(Input::CardScanned {
        participant: number("A-0001"),
        today: Date {
            year: 2026,
            month: 6,
            day: 2,
        },
    });
    let s = k.s.current().unwrap();
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: false,
    });
    assert!(
        matches!(k.actions.last(), Some(Action::PresetScale { preset, .. }) if preset.age == 73)
    );
}

#[test]
fn answering_yes_to_the_safety_question_means_weight_only() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: true,
    });
    assert!(k
        .events
        .iter()
        .any(|e| matches!(e, Event::WeightOnly { .. })));
    assert!(matches!(
        k.actions.last(),
        Some(Action::PresetScale {
            mode: MeasurementMode::WeightOnly,
            ..
        })
    ));
}

#[test]
fn roster_implanted_device_skips_the_question_and_presets_weight_only() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(true), Some(valid_consent())));
    assert!(!k
        .events
        .iter()
        .any(|e| matches!(e, Event::SafetyQuestion { .. })));
    assert_eq!(k.s.stage(), Stage::Presetting);
    assert!(matches!(
        k.actions.last(),
        Some(Action::PresetScale {
            mode: MeasurementMode::WeightOnly,
            ..
        })
    ));
}

#[test]
fn implanted_device_strips_impedance() {
    for roster in [true, false] {
        let mut k = Kiosk::new();
        let s = k.scan("A-0001");
        k.load(s, record("A-0001", profile(roster), Some(valid_consent())));
        if !roster {
            k.input(Input::SafetyAnswered {
                session: s,
                implanted_device: true,
            });
        }
        k.input(Input::Preset {
            session: s,
            event: ExchangeEvent::Measuring,
        });
        assert!(matches!(
            k.last_event(),
            Event::StepOn { mode: MeasurementMode::WeightOnly, message, .. }
                if *message == words::STEP_ON_WEIGHT_ONLY
        ));
        // The analyzer sends a full composition frame anyway.
        k.input(Input::Reading(Box::new(matching_reading())));
        let records = recorded_actions(&k.actions);
        let [Action::Record { measurement, .. }] = records[..] else {
            panic!("one record expected")
        };
        assert_eq!(measurement.mode, MeasurementMode::WeightOnly);
        assert!(!measurement.carries_impedance());
        assert_eq!(measurement.weight(), Some(Kg(51.2)));
        let MeasuredValues::Frame(r) = &measurement.values else {
            panic!("frame")
        };
        assert!(r.impedances.is_empty() && r.phase_angles.is_empty() && r.raw().is_empty());
        assert!(r.fat_percent.is_none() && r.muscle_mass.is_none());
    }
}

#[test]
fn preset_failure_ends_session_with_staff_message() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: false,
    });
    k.input(Input::Preset {
        session: s,
        event: ExchangeEvent::Failed(ExchangeError::NoReply { command: "D3" }),
    });
    assert_eq!(ended_with(&k.events), Some(EndReason::ScaleNotReady));
    assert!(!k.s.has_personal_data());
}

#[test]
fn preset_timeout_ends_session() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: false,
    });
    k.advance(Duration::from_secs(30));
    assert_eq!(ended_with(&k.events), Some(EndReason::ScaleNotReady));
}

#[test]
fn late_preset_answer_for_a_previous_session_is_ignored() {
    let mut k = Kiosk::new();
    let old = k.scan("A-0001");
    k.load(old, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: old,
        implanted_device: false,
    });
    let s = k.scan("B-0002");
    k.load(s, record("B-0002", profile(false), Some(valid_consent())));
    k.input(Input::SafetyAnswered {
        session: s,
        implanted_device: false,
    });
    k.input(Input::Preset {
        session: old,
        event: ExchangeEvent::Measuring,
    });
    assert_eq!(k.s.stage(), Stage::Presetting);
}

// --- readings ------------------------------------------------------------------------------

#[test]
fn reading_without_session_is_refused() {
    let mut k = Kiosk::new();
    k.input(Input::Reading(Box::new(matching_reading())));
    assert!(recorded_actions(&k.actions).is_empty());
    assert!(matches!(
        k.last_event(),
        Event::ReadingRefused { session: None, reason: RefusalReason::NoSession, message }
            if *message == words::READING_NO_SESSION
    ));
    assert!(!k.s.has_personal_data());
}

#[test]
fn stable_weight_without_session_is_refused_once_not_per_line() {
    let mut k = Kiosk::new();
    for _ in 0..5 {
        k.input(Input::Weight(stable_weight()));
    }
    let refusals = k
        .events
        .iter()
        .filter(|e| matches!(e, Event::ReadingRefused { .. }))
        .count();
    assert_eq!(refusals, 1);
}

#[test]
fn reading_before_the_scale_is_preset_is_refused_as_not_ready() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), Some(valid_consent())));
    k.input(Input::Reading(Box::new(matching_reading())));
    assert!(matches!(
        k.last_event(),
        Event::ReadingRefused { session: Some(x), reason: RefusalReason::NotReady, .. } if *x == s
    ));
    assert!(recorded_actions(&k.actions).is_empty());
    assert_eq!(k.s.stage(), Stage::SafetyQuestion);
}

#[test]
fn contradicting_echoed_profile_is_refused() {
    type Spoil = fn(&mut Reading);
    let cases: [(&str, Spoil, EchoField); 3] = [
        ("sex", |r| r.sex = Some(Sex::Male), EchoField::Sex),
        ("age", |r| r.age = Some(45), EchoField::Age),
        ("height", |r| r.height = Some(Cm(171.0)), EchoField::Height),
    ];
    for (name, spoil, field) in cases {
        let mut k = Kiosk::new();
        let s = k.reach_weighing("A-0001");
        let mut r = matching_reading();
        spoil(&mut r);
        k.input(Input::Reading(Box::new(r)));
        assert!(recorded_actions(&k.actions).is_empty(), "{name}");
        assert!(
            matches!(
                k.last_event(),
                Event::ReadingRefused { session: Some(x), reason: RefusalReason::ProfileMismatch(f), .. }
                    if *x == s && *f == field
            ),
            "{name}: {:?}",
            k.last_event()
        );
        assert_eq!(k.s.stage(), Stage::Weighing, "{name}");
    }
}

#[test]
fn matching_reading_is_recorded_for_the_identified_participant_with_their_consent() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.take();
    k.input(Input::Reading(Box::new(matching_reading())));
    let [Action::Record {
        session,
        participant,
        measurement,
        consent,
    }] = &k.actions[..]
    else {
        panic!("one record: {:?}", k.actions)
    };
    assert_eq!(*session, s);
    assert_eq!(participant, &number("A-0001"));
    assert_eq!(measurement.mode, MeasurementMode::Composition);
    assert!(measurement.carries_impedance());
    assert_eq!(consent, &valid_consent());
    assert_eq!(k.s.stage(), Stage::Recording);
    assert!(matches!(k.last_event(), Event::Saving { .. }));
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(15)));
}

#[test]
fn stable_weight_line_is_a_valid_reading() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.input(Input::Weight(stable_weight()));
    let records = recorded_actions(&k.actions);
    assert!(matches!(
        records[..],
        [Action::Record {
            measurement: Measurement {
                values: MeasuredValues::WeightLine(_),
                ..
            },
            ..
        }]
    ));
}

#[test]
fn unsettled_and_empty_platform_weight_lines_are_ignored() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.take();
    for line in [
        &b"US,GS,+0051.20kg"[..],
        b"ST,GS,+0000.00kg",
        b"OL,GS,+    .  kg",
    ] {
        k.input(Input::Weight(WeightReading::parse(line).unwrap()));
    }
    assert!(k.actions.is_empty() && k.events.is_empty());
    assert_eq!(k.s.stage(), Stage::Weighing);
}

#[test]
fn reading_without_weight_is_refused() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    let mut r = matching_reading();
    r.weight = None;
    k.input(Input::Reading(Box::new(r)));
    assert!(matches!(
        k.last_event(),
        Event::ReadingRefused {
            reason: RefusalReason::NoWeight,
            ..
        }
    ));
}

#[test]
fn second_reading_while_saving_is_refused() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    k.input(Input::Reading(Box::new(matching_reading())));
    assert_eq!(recorded_actions(&k.actions).len(), 1);
    assert!(matches!(
        k.last_event(),
        Event::ReadingRefused {
            reason: RefusalReason::AlreadyMeasured,
            ..
        }
    ));
}

#[test]
fn scale_error_the_participant_can_fix_is_shown_and_weighing_goes_on() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.input(Input::ScaleStatus(DeviceStatus::Error(
        ErrorCode::ImpedanceError,
    )));
    assert!(matches!(
        k.last_event(),
        Event::ScaleMessage { code: ErrorCode::ImpedanceError, message, .. }
            if message.ja.contains("素足") && message.en.contains("barefoot")
    ));
    assert_eq!(k.s.stage(), Stage::Weighing);
}

#[test]
fn scale_fault_needing_a_technician_ends_session() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.input(Input::ScaleStatus(DeviceStatus::Error(
        ErrorCode::InternalTrouble,
    )));
    assert_eq!(
        ended_with(&k.events),
        Some(EndReason::ScaleFault(ErrorCode::InternalTrouble))
    );
    assert_eq!(
        EndReason::ScaleFault(ErrorCode::InternalTrouble).words(),
        words::CALL_STAFF
    );
}

// --- recording and results -----------------------------------------------------------------

#[test]
fn results_are_shown_only_after_the_record_is_committed() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    assert!(!k.events.iter().any(|e| matches!(e, Event::Results { .. })));
    k.input(Input::Recorded {
        session: s,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
        points: Points::Awarded { points: 10 },
    });
    let Event::Results {
        measurement_id,
        measurement,
        points,
        points_message,
        ..
    } = k.last_event()
    else {
        panic!("results expected")
    };
    assert_eq!(
        measurement_id,
        &MeasurementId(uuid::Uuid::from_u128(0x0190_0001))
    );
    assert_eq!(measurement.weight(), Some(Kg(51.2)));
    assert_eq!(*points, Points::Awarded { points: 10 });
    assert_eq!(*points_message, None);
    assert_eq!(k.s.stage(), Stage::Results);
}

#[test]
fn offline_points_are_shown_as_pending() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    k.input(Input::Recorded {
        session: s,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
        points: Points::Pending,
    });
    assert!(matches!(
        k.last_event(),
        Event::Results { points: Points::Pending, points_message: Some(m), .. }
            if *m == words::POINTS_PENDING
    ));
}

#[test]
fn record_failure_ends_session_without_results() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    k.input(Input::RecordFailed { session: s });
    assert_eq!(ended_with(&k.events), Some(EndReason::RecordFailed));
    assert!(!k.events.iter().any(|e| matches!(e, Event::Results { .. })));
    assert!(!k.s.has_personal_data());
}

#[test]
fn record_timeout_ends_session_without_results_and_a_late_commit_is_not_shown() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    k.advance(Duration::from_secs(15));
    assert_eq!(ended_with(&k.events), Some(EndReason::RecordFailed));
    k.input(Input::Recorded {
        session: s,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
        points: Points::Pending,
    });
    assert!(!k.events.iter().any(|e| matches!(e, Event::Results { .. })));
}

#[test]
fn commit_for_a_previous_session_is_never_shown_to_the_next_person() {
    let mut k = Kiosk::new();
    let old = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    let s = k.reach_weighing("B-0002");
    k.input(Input::Reading(Box::new(matching_reading())));
    k.input(Input::Recorded {
        session: old,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_000a)),
        points: Points::Pending,
    });
    assert_eq!(k.s.stage(), Stage::Recording);
    assert!(!k.events.iter().any(|e| matches!(e, Event::Results { .. })));
    k.input(Input::Recorded {
        session: s,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_000b)),
        points: Points::Pending,
    });
    assert!(matches!(
        k.last_event(),
        Event::Results { measurement_id, .. } if measurement_id.0 == uuid::Uuid::from_u128(0x0190_000b)
    ));
}

#[test]
fn results_show_for_the_configured_time_then_warn_then_wipe() {
    let mut k = Kiosk::new();
    let s = k.reach_results("A-0001");
    k.take();
    k.advance(Duration::from_secs(59));
    assert!(k.events.is_empty());
    k.advance(Duration::from_secs(1));
    assert!(matches!(k.last_event(), Event::IdleWarning { .. }));
    k.advance(Duration::from_secs(30));
    assert_eq!(
        k.last_event(),
        &Event::Wiped {
            session: s,
            reason: WipeReason::IdleTimeout
        }
    );
    assert!(!k.s.has_personal_data());
    assert_eq!(k.s.stage(), Stage::Idle);
}

#[test]
fn finish_on_results_says_thank_you_then_wipes() {
    let mut k = Kiosk::new();
    let s = k.reach_results("A-0001");
    k.input(Input::Finish { session: s });
    assert!(matches!(
        k.last_event(),
        Event::Ended { reason: EndReason::Finished, message, .. } if *message == words::THANK_YOU
    ));
    assert!(!k.s.has_personal_data());
    k.advance(Duration::from_secs(5));
    assert!(matches!(k.last_event(), Event::Wiped { .. }));
    assert_eq!(k.s.stage(), Stage::Idle);
}

#[test]
fn stop_before_results_ends_session() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Finish { session: s });
    assert_eq!(ended_with(&k.events), Some(EndReason::Stopped));
    assert!(k.actions.contains(&Action::Wipe {
        session: s,
        reason: WipeReason::Ended(EndReason::Stopped)
    }));
}

#[test]
fn finish_on_the_explanation_clears_it_early() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.input(Input::ParticipantUnknown { session: s });
    k.input(Input::Finish { session: s });
    assert!(matches!(k.last_event(), Event::Wiped { .. }));
    assert_eq!(k.s.stage(), Stage::Idle);
}

// --- idle warning, wipes, new card -------------------------------------------------------

#[test]
fn idle_warning_gives_at_least_20_seconds() {
    let config = SessionConfig {
        warning: MIN_WARNING,
        ..SessionConfig::default()
    };
    let mut k = Kiosk::with(config);
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.take();
    k.advance(Duration::from_secs(90));
    let Event::IdleWarning {
        remaining, message, ..
    } = k.last_event()
    else {
        panic!("warning expected")
    };
    assert!(*remaining >= Duration::from_secs(20));
    assert_eq!(*message, words::STILL_THERE);
    assert!(k.s.is_warning());
    k.advance(Duration::from_millis(19_999));
    assert_eq!(k.s.stage(), Stage::Consent, "still time to continue");
    k.advance(Duration::from_millis(1));
    assert_eq!(k.s.stage(), Stage::Idle);
}

#[test]
fn a_late_timer_still_gives_the_full_warning() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    // The driver wakes up long after the idle deadline: the warning starts now, not then.
    k.advance(Duration::from_secs(600));
    assert_eq!(k.s.stage(), Stage::Consent);
    assert!(k.s.is_warning());
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(30)));
}

#[test]
fn continue_resets_the_idle_warning() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.advance(Duration::from_secs(90));
    k.advance(Duration::from_secs(25));
    k.input(Input::Continue);
    assert_eq!(k.last_event(), &Event::Continued { session: s });
    assert!(!k.s.is_warning());
    assert_eq!(k.s.poll_timeout(), Some(k.now + Duration::from_secs(90)));
    k.advance(Duration::from_secs(89));
    assert_eq!(k.s.stage(), Stage::Consent);
}

#[test]
fn touching_the_screen_before_the_warning_restarts_the_idle_time() {
    let mut k = Kiosk::new();
    let s = k.scan("A-0001");
    k.load(s, record("A-0001", profile(false), None));
    k.advance(Duration::from_secs(80));
    k.input(Input::Continue);
    k.advance(Duration::from_secs(80));
    assert!(!k.s.is_warning());
    assert_eq!(k.s.stage(), Stage::Consent);
}

#[test]
fn continue_does_not_extend_machine_steps() {
    let mut k = Kiosk::new();
    k.scan("A-0001");
    k.advance(Duration::from_secs(9));
    k.input(Input::Continue);
    k.advance(Duration::from_secs(1));
    assert_eq!(ended_with(&k.events), Some(EndReason::LookupFailed));
}

#[test]
fn idle_timeout_wipes_at_every_participant_step() {
    // (how to get there, idle time of that step)
    type Setup = fn(&mut Kiosk);
    let steps: [(&str, Setup, u64); 4] = [
        (
            "consent",
            |k| {
                let s = k.scan("A-0001");
                k.load(s, record("A-0001", profile(false), None));
            },
            90,
        ),
        (
            "safety",
            |k| {
                let s = k.scan("A-0001");
                k.load(s, record("A-0001", profile(false), Some(valid_consent())));
            },
            90,
        ),
        (
            "weighing",
            |k| {
                k.reach_weighing("A-0001");
            },
            120,
        ),
        (
            "results",
            |k| {
                k.reach_results("A-0001");
            },
            60,
        ),
    ];
    for (name, setup, idle) in steps {
        let mut k = Kiosk::new();
        setup(&mut k);
        let s = k.s.current().unwrap();
        k.take();
        k.advance(Duration::from_secs(idle - 1));
        assert!(k.events.is_empty(), "{name}: nothing before the idle time");
        k.advance(Duration::from_secs(1));
        assert!(
            matches!(k.last_event(), Event::IdleWarning { .. }),
            "{name}"
        );
        k.advance(Duration::from_secs(30));
        assert_eq!(
            k.last_event(),
            &Event::Wiped {
                session: s,
                reason: WipeReason::IdleTimeout
            },
            "{name}"
        );
        assert!(k.actions.contains(&Action::Wipe {
            session: s,
            reason: WipeReason::IdleTimeout
        }));
        assert!(!k.s.has_personal_data(), "{name}");
        assert_eq!(k.s.poll_timeout(), None, "{name}");
    }
}

#[test]
fn reading_after_an_idle_wipe_is_refused_with_no_session() {
    let mut k = Kiosk::new();
    k.reach_weighing("A-0001");
    k.advance(Duration::from_secs(120));
    k.advance(Duration::from_secs(30));
    assert_eq!(k.s.stage(), Stage::Idle);
    k.input(Input::Reading(Box::new(matching_reading())));
    assert!(recorded_actions(&k.actions).is_empty());
    assert!(matches!(
        k.last_event(),
        Event::ReadingRefused {
            session: None,
            reason: RefusalReason::NoSession,
            ..
        }
    ));
}

#[test]
fn overdue_deadline_fires_before_a_late_answer_even_if_the_timer_was_late() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    // The driver never called handle_timeout; the commit comes after the record deadline.
    k.now += Duration::from_secs(16);
    k.input(Input::Recorded {
        session: s,
        measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
        points: Points::Pending,
    });
    assert_eq!(ended_with(&k.events), Some(EndReason::RecordFailed));
    assert!(!k.events.iter().any(|e| matches!(e, Event::Results { .. })));
}

#[test]
fn new_card_scan_ends_previous_session_immediately() {
    let mut k = Kiosk::new();
    let old = k.reach_results("A-0001");
    k.take();
    let s = k.scan("B-0002");
    assert_ne!(old, s);
    assert_eq!(
        k.actions,
        [
            Action::Wipe {
                session: old,
                reason: WipeReason::NextCard
            },
            Action::LookUp {
                session: s,
                participant: number("B-0002")
            }
        ]
    );
    assert!(matches!(
        k.events[..],
        [
            Event::Wiped { session: a, reason: WipeReason::NextCard },
            Event::Identifying { session: b, .. }
        ] if a == old && b == s
    ));
    assert_eq!(k.s.stage(), Stage::LookingUp);
}

#[test]
fn new_card_during_an_explanation_clears_it_and_starts_over() {
    let mut k = Kiosk::new();
    let old = k.scan("A-0001");
    k.input(Input::ParticipantUnknown { session: old });
    k.take();
    let s = k.scan("B-0002");
    assert!(matches!(
        k.events[..],
        [Event::Wiped { session: a, reason: WipeReason::NextCard }, Event::Identifying { .. }]
            if a == old
    ));
    assert_eq!(k.s.current(), Some(s));
}

#[test]
fn wipe_leaves_nothing_personal() {
    let mut k = Kiosk::new();
    let s = k.reach_weighing("A-0001");
    k.input(Input::Reading(Box::new(matching_reading())));
    // The results are queued but not yet drawn when the next card comes.
    k.s.handle(
        Input::Recorded {
            session: s,
            measurement_id: MeasurementId(uuid::Uuid::from_u128(0x0190_0001)),
            points: Points::Pending,
        },
        k.now,
    );
    assert!(k.s.has_personal_data());
    k.s.handle(Input::Finish { session: s }, k.now);
    assert!(
        !k.s.has_personal_data(),
        "the queued results must not survive the end"
    );
    k.drain();
    assert!(!k.events.iter().any(Event::is_personal));
    let dump = format!("{:?}", k.s);
    for secret in ["A-0001", "51.2", "152.5", "1953", "620.5"] {
        assert!(!dump.contains(secret), "{secret} in {dump}");
    }
}

#[test]
fn debug_output_of_actions_and_events_is_redacted() {
    let mut k = Kiosk::new();
    k.reach_results("A-0001");
    let dump = format!("{:?} {:?}", k.actions, k.events);
    for secret in ["A-0001", "51.2", "152.5", "1525", "620.5", "30.1"] {
        assert!(!dump.contains(secret), "{secret} leaked: {dump}");
    }
}

#[test]
fn every_end_reason_speaks_japanese_first_then_english() {
    for r in [
        EndReason::CardUnknown,
        EndReason::LookupFailed,
        EndReason::NoDocumentsInForce,
        EndReason::RequiredPurposeRefused,
        EndReason::ConsentNotSaved,
        EndReason::ScaleNotReady,
        EndReason::ScaleFault(ErrorCode::SettingMemoryError),
        EndReason::RecordFailed,
        EndReason::Stopped,
        EndReason::Finished,
    ] {
        let w = r.words();
        assert!(!w.ja.is_ascii() && w.en.is_ascii(), "{r:?}");
    }
}

#[test]
fn a_configuration_with_a_short_warning_is_refused() {
    let config = SessionConfig {
        warning: Duration::from_secs(10),
        ..SessionConfig::default()
    };
    assert!(Session::new(config).is_err());
}

#[test]
fn idle_kiosk_has_no_deadline_and_nothing_personal() {
    let mut k = Kiosk::new();
    assert_eq!(k.s.poll_timeout(), None);
    assert_eq!(k.s.stage(), Stage::Idle);
    k.input(Input::Continue);
    k.input(Input::ConsentSaved {
        session: SessionId(1),
    });
    assert!(k.actions.is_empty() && k.events.is_empty());
    assert!(!k.s.has_personal_data());
}
