//! Property test: random input sequences with random time steps, checked against invariants
//! that an independent model of the inputs decides (not the session's own bookkeeping).

use super::tests::{documents, number, origin, pid, purposes, valid_consent, TODAY};
use super::*;
use crate::domain::{
    ConsentDecision, ConsentMethod, Date, MeasurementId, ParticipantNumber, Profile, PurposeId,
};
use hakaru_devices::scale::tanita::frame::Key;
use hakaru_devices::scale::tanita::{BodyType, Impedance, ImpedanceComponent, ImpedancePath, Sex};
use hakaru_devices::scale::units::{Cm, Kg, Ohm, Percent};
use hakaru_devices::scale::{
    DeviceStatus, ErrorCode, ExchangeError, ExchangeEvent, Reading, WeightReading,
};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const PEOPLE: [&str; 3] = ["P-0000", "P-0001", "P-0002"];

/// The roster: person 2 has an implanted device.
fn roster(i: usize) -> Profile {
    let (sex, year, height, implanted) = match i {
        0 => (Sex::Female, 1953, 1525, false),
        1 => (Sex::Male, 1960, 1688, false),
        _ => (Sex::Female, 1949, 1490, true),
    };
    Profile {
        birth_date: Date {
            year,
            month: 4,
            day: 10,
        },
        sex,
        height_tenths_cm: height,
        body_type: BodyType::Standard,
        implanted_device: implanted,
    }
}

#[derive(Debug, Clone, Copy)]
enum OnFile {
    Nothing,
    Valid,
    RefusedRequired,
    Stale,
}

#[derive(Debug, Clone)]
enum Op {
    Wait,
    Scan(usize),
    Load {
        back: u64,
        who: usize,
        on_file: OnFile,
    },
    Unknown(u64),
    LookupFailed(u64),
    Answer {
        back: u64,
        grants: [bool; 3],
    },
    ConsentSaved(u64),
    ConsentSaveFailed(u64),
    Safety {
        back: u64,
        implanted: bool,
    },
    PresetOk(u64),
    PresetFailed(u64),
    Reading {
        of: usize,
        spoil: u8,
        impedance: bool,
        weight: Option<u16>,
    },
    Weight {
        stable: bool,
        tenths_kg: u16,
    },
    Status(u8),
    Recorded {
        back: u64,
        pending: bool,
    },
    RecordFailed(u64),
    Continue,
    Finish(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let back = prop_oneof![4 => Just(0u64), 1 => 1u64..3];
    let who = 0usize..3;
    let on_file = prop_oneof![
        Just(OnFile::Nothing),
        Just(OnFile::Valid),
        Just(OnFile::RefusedRequired),
        Just(OnFile::Stale)
    ];
    prop_oneof![
        2 => Just(Op::Wait),
        2 => who.clone().prop_map(Op::Scan),
        3 => (back.clone(), prop_oneof![4 => Just(None), 1 => Just(Some(()))], who.clone(), on_file)
            .prop_map(|(back, other, who, on_file)| Op::Load {
                back,
                // Usually the card's own participant; sometimes (other = Some) a given one.
                who: if other.is_some() { who } else { usize::MAX },
                on_file,
            }),
        1 => back.clone().prop_map(Op::Unknown),
        1 => back.clone().prop_map(Op::LookupFailed),
        3 => (back.clone(), any::<[bool; 3]>()).prop_map(|(back, grants)| Op::Answer { back, grants }),
        3 => back.clone().prop_map(Op::ConsentSaved),
        1 => back.clone().prop_map(Op::ConsentSaveFailed),
        3 => (back.clone(), any::<bool>()).prop_map(|(back, implanted)| Op::Safety { back, implanted }),
        3 => back.clone().prop_map(Op::PresetOk),
        1 => back.clone().prop_map(Op::PresetFailed),
        4 => (0usize..3, 0u8..6, any::<bool>(), prop_oneof![4 => (300u16..1500).prop_map(Some), 1 => Just(None)])
            .prop_map(|(of, spoil, impedance, weight)| Op::Reading { of, spoil, impedance, weight }),
        2 => (any::<bool>(), 0u16..1500).prop_map(|(stable, tenths_kg)| Op::Weight { stable, tenths_kg }),
        1 => (0u8..10).prop_map(Op::Status),
        3 => (back.clone(), any::<bool>()).prop_map(|(back, pending)| Op::Recorded { back, pending }),
        1 => back.clone().prop_map(Op::RecordFailed),
        2 => Just(Op::Continue),
        1 => back.prop_map(Op::Finish),
    ]
}

/// A walk along the happy path (card → look-up → consent → safety → preset → reading →
/// commit → finish) with random choices at each step and some steps dropped, so the random
/// sequences reach the later states often.
fn flow() -> impl Strategy<Value = Vec<(Op, Duration)>> {
    let on_file = prop_oneof![
        2 => Just(OnFile::Valid),
        2 => Just(OnFile::Nothing),
        1 => Just(OnFile::RefusedRequired),
        1 => Just(OnFile::Stale)
    ];
    let grants = prop_oneof![3 => Just([true, true, false]), 1 => any::<[bool; 3]>()];
    let spoil = prop_oneof![4 => Just(0u8), 1 => 0u8..6];
    let short = (0u64..5_000).prop_map(Duration::from_millis);
    (
        0usize..3,
        on_file,
        grants,
        any::<bool>(),
        spoil,
        any::<bool>(),
        prop::collection::vec((prop::bool::weighted(0.9), short), 10),
    )
        .prop_map(|(who, on_file, grants, implanted, spoil, pending, keep)| {
            let ops = [
                Op::Scan(who),
                Op::Load {
                    back: 0,
                    who: usize::MAX,
                    on_file,
                },
                Op::Answer { back: 0, grants },
                Op::ConsentSaved(0),
                Op::Safety { back: 0, implanted },
                Op::PresetOk(0),
                Op::Reading {
                    of: who,
                    spoil,
                    impedance: true,
                    weight: Some(612),
                },
                Op::Weight {
                    stable: true,
                    tenths_kg: 612,
                },
                Op::Recorded { back: 0, pending },
                Op::Finish(0),
            ];
            ops.into_iter()
                .zip(keep)
                .filter(|(_, (k, _))| *k)
                .map(|(op, (_, dt))| (op, dt))
                .collect()
        })
}

fn sequence() -> impl Strategy<Value = Vec<(Op, Duration)>> {
    let chunk = prop_oneof![
        2 => (op(), step()).prop_map(|x| vec![x]),
        1 => flow(),
    ];
    prop::collection::vec(chunk, 1..20).prop_map(|c| c.into_iter().flatten().collect())
}

fn step() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (0u64..3_000).prop_map(Duration::from_millis),
        1 => (0u64..200).prop_map(Duration::from_secs),
    ]
}

fn consent_on_file(kind: OnFile) -> (Option<ConsentDecision>, bool) {
    match kind {
        OnFile::Nothing => (None, false),
        OnFile::Valid => (Some(valid_consent()), true),
        OnFile::RefusedRequired => {
            let mut d = valid_consent();
            d.granted = vec![pid("service")];
            d.refused = vec![pid("effect_analysis"), pid("research")];
            (Some(d), false)
        }
        OnFile::Stale => {
            let mut d = valid_consent();
            d.document_hashes = vec!["Terms-v0-ja".into()];
            (Some(d), false)
        }
    }
}

fn reading(of: usize, spoil: u8, impedance: bool, weight: Option<u16>) -> Reading {
    let p = roster(of);
    let mut r = Reading::default();
    r.sex = Some(p.sex);
    r.age = u8::try_from(p.birth_date.age_on(TODAY)).ok();
    r.height = Some(Cm(f64::from(p.height_tenths_cm) / 10.0));
    match spoil {
        1 => r.sex = Some(Sex::Male),
        2 => r.age = Some(30),
        3 => r.height = Some(Cm(120.0)),
        4 => {
            r.sex = None;
            r.age = None;
            r.height = None;
        }
        _ => {}
    }
    r.weight = weight.map(|w| Kg(f64::from(w) / 10.0));
    if impedance {
        r.fat_percent = Some(Percent(28.0));
        r.impedances.push(Impedance {
            frequency_khz: 50,
            component: ImpedanceComponent::Resistance,
            path: ImpedancePath::LeftHalf,
            ohms: Ohm(610.0),
            key: Key::new(b"RH").unwrap(),
        });
        r.set_raw(b"{0,16,RH,610.0}".to_vec());
    }
    r
}

/// What the inputs alone say, per session.
#[derive(Default)]
struct Model {
    /// Session → the participant whose card started it.
    scanned: HashMap<SessionId, ParticipantNumber>,
    /// Sessions with a look-up answer (for the right participant) showing valid consent.
    consent_on_file: HashSet<SessionId>,
    /// Sessions where an answer granting every required purpose was given …
    answered_all_required: HashSet<SessionId>,
    /// … and after it, a saved confirmation came.
    consent_saved_after_answer: HashSet<SessionId>,
    /// Sessions preset weight-only.
    preset_weight_only: HashSet<SessionId>,
    /// Sessions a `Recorded` was fed for, with the id.
    committed: HashMap<SessionId, Vec<MeasurementId>>,
    /// Sessions with a `Record` action.
    record_asked: HashSet<SessionId>,
    /// Latest idle warning per session.
    warned_at: HashMap<SessionId, Instant>,
}

fn index_of(p: &ParticipantNumber) -> usize {
    PEOPLE
        .iter()
        .position(|n| *n == p.as_str())
        .unwrap_or(usize::MAX)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_never_break_the_session_invariants(
        ops in sequence()
    ) {
        let mut s = Session::new(SessionConfig::default()).unwrap();
        let mut now = origin();
        let mut model = Model::default();
        let mut latest: u64 = 0;
        let mut measurement_ids = 0u32;
        let required: Vec<PurposeId> =
            purposes().into_iter().filter(|p| p.required).map(|p| p.id).collect();
        let target = |back: u64, latest: u64| SessionId(latest.saturating_sub(back).max(1));

        for (op, dt) in ops {
            now += dt;
            let input = match op {
                Op::Wait => None,
                Op::Scan(i) => Some(Input::CardScanned { participant: number(PEOPLE[i]), today: TODAY }),
                Op::Load { back, who, on_file } => {
                    let session = target(back, latest);
                    let card = model.scanned.get(&session).cloned();
                    let who = if who == usize::MAX {
                        card.as_ref().map_or(0, index_of)
                    } else {
                        who
                    };
                    let (latest_consent, valid) = consent_on_file(on_file);
                    if valid && card.as_ref().is_some_and(|c| index_of(c) == who) {
                        model.consent_on_file.insert(session);
                    }
                    Some(Input::ParticipantLoaded {
                        session,
                        record: Box::new(ParticipantRecord {
                            participant: number(PEOPLE[who.min(2)]),
                            profile: roster(who),
                            documents: documents(),
                            purposes: purposes(),
                            latest_consent,
                        }),
                    })
                }
                Op::Unknown(back) => Some(Input::ParticipantUnknown { session: target(back, latest) }),
                Op::LookupFailed(back) => Some(Input::LookupFailed { session: target(back, latest) }),
                Op::Answer { back, grants } => {
                    let session = target(back, latest);
                    let granted: Vec<PurposeId> = purposes()
                        .into_iter()
                        .zip(grants)
                        .filter(|(_, g)| *g)
                        .map(|(p, _)| p.id)
                        .collect();
                    if required.iter().all(|r| granted.contains(r)) {
                        model.answered_all_required.insert(session);
                    }
                    Some(Input::ConsentAnswered { session, granted, method: ConsentMethod::OnScreen })
                }
                Op::ConsentSaved(back) => {
                    let session = target(back, latest);
                    if model.answered_all_required.contains(&session) {
                        model.consent_saved_after_answer.insert(session);
                    }
                    Some(Input::ConsentSaved { session })
                }
                Op::ConsentSaveFailed(back) => Some(Input::ConsentSaveFailed { session: target(back, latest) }),
                Op::Safety { back, implanted } => Some(Input::SafetyAnswered { session: target(back, latest), implanted_device: implanted }),
                Op::PresetOk(back) => Some(Input::Preset { session: target(back, latest), event: ExchangeEvent::Measuring }),
                Op::PresetFailed(back) => Some(Input::Preset {
                    session: target(back, latest),
                    event: ExchangeEvent::Failed(ExchangeError::Refused { command: "D1" }),
                }),
                Op::Reading { of, spoil, impedance, weight } => {
                    Some(Input::Reading(Box::new(reading(of, spoil, impedance, weight))))
                }
                Op::Weight { stable, tenths_kg } => {
                    let line = format!(
                        "{},GS,+{:04}.{}0kg",
                        if stable { "ST" } else { "US" },
                        tenths_kg / 10,
                        tenths_kg % 10
                    );
                    WeightReading::parse(line.as_bytes()).map(Input::Weight)
                }
                Op::Status(d) => ErrorCode::from_digit(d).map(|c| Input::ScaleStatus(DeviceStatus::Error(c))),
                Op::Recorded { back, pending } => {
                    let session = target(back, latest);
                    measurement_ids += 1;
                    let id = MeasurementId(uuid::Uuid::from_u128(u128::from(measurement_ids)));
                    model.committed.entry(session).or_default().push(id);
                    Some(Input::Recorded {
                        session,
                        measurement_id: id,
                        points: if pending { Points::Pending } else { Points::Awarded { points: 5 } },
                    })
                }
                Op::RecordFailed(back) => Some(Input::RecordFailed { session: target(back, latest) }),
                Op::Continue => Some(Input::Continue),
                Op::Finish(back) => Some(Input::Finish { session: target(back, latest) }),
            };
            let scanned = matches!(input, Some(Input::CardScanned { .. }));
            let who = match &input {
                Some(Input::CardScanned { participant, .. }) => Some(participant.clone()),
                _ => None,
            };
            match input {
                Some(input) => s.handle(input, now),
                None => s.handle_timeout(now),
            }
            if scanned {
                let id = s.current().expect("a scan always starts a session");
                prop_assert!(id.0 > latest, "session ids only grow");
                latest = id.0;
                model.scanned.insert(id, who.expect("scanned"));
            }

            while let Some(action) = s.poll_action() {
                match action {
                    Action::PresetScale { session, mode, preset } => {
                        let who = &model.scanned[&session];
                        let p = roster(index_of(who));
                        prop_assert_eq!(preset.sex, p.sex);
                        prop_assert_eq!(u16::from(preset.age), p.birth_date.age_on(TODAY));
                        prop_assert_eq!(preset.height_tenths_cm, p.height_tenths_cm);
                        if p.implanted_device {
                            prop_assert_eq!(mode, MeasurementMode::WeightOnly);
                        }
                        if mode == MeasurementMode::WeightOnly {
                            model.preset_weight_only.insert(session);
                        }
                    }
                    Action::Record { session, participant, measurement, consent } => {
                        // Never for anyone but the card's participant.
                        prop_assert_eq!(Some(&participant), model.scanned.get(&session));
                        // Never without consent to every required purpose, as the inputs say.
                        prop_assert!(
                            model.consent_on_file.contains(&session)
                                || model.consent_saved_after_answer.contains(&session),
                            "recorded without consent"
                        );
                        prop_assert!(required.iter().all(|r| consent.granted.contains(r)));
                        // Weight only means no impedance, ever.
                        let implanted = roster(index_of(&participant)).implanted_device;
                        if implanted || model.preset_weight_only.contains(&session) {
                            prop_assert_eq!(measurement.mode, MeasurementMode::WeightOnly);
                            prop_assert!(!measurement.carries_impedance());
                        }
                        // An echoed profile agrees with the participant's.
                        if let MeasuredValues::Frame(r) = &measurement.values {
                            let p = roster(index_of(&participant));
                            prop_assert!(r.sex.is_none_or(|x| x == p.sex));
                            prop_assert!(r.age.is_none_or(|a| u16::from(a) == p.birth_date.age_on(TODAY)));
                        }
                        model.record_asked.insert(session);
                    }
                    Action::LookUp { session, participant } => {
                        prop_assert_eq!(Some(&participant), model.scanned.get(&session));
                    }
                    Action::RecordConsent { session, participant, .. } => {
                        prop_assert_eq!(Some(&participant), model.scanned.get(&session));
                    }
                    Action::Wipe { .. } => {}
                }
            }
            let mut last = None;
            while let Some(event) = s.poll_event() {
                match &event {
                    Event::Results { session, measurement_id, .. } => {
                        // Shown only after its own commit.
                        prop_assert!(model.record_asked.contains(session));
                        prop_assert!(model.committed.get(session).is_some_and(|ids| ids.contains(measurement_id)));
                    }
                    Event::IdleWarning { session, remaining, .. } => {
                        prop_assert!(*remaining >= MIN_WARNING);
                        model.warned_at.insert(*session, now);
                    }
                    Event::Wiped { session, reason: WipeReason::IdleTimeout } => {
                        let warned = model.warned_at.get(session).copied();
                        prop_assert!(warned.is_some_and(|w| now.duration_since(w) >= MIN_WARNING),
                            "wiped without a full warning");
                    }
                    _ => {}
                }
                last = Some(event);
            }
            // Personal data lives exactly as long as someone is identified.
            let identified = !matches!(s.stage(), Stage::Idle | Stage::Closing);
            prop_assert_eq!(s.has_personal_data(), identified);
            if matches!(last, Some(Event::Wiped { .. }) | Some(Event::Ended { .. })) {
                prop_assert!(!s.has_personal_data());
            }
            // Deadlines always lie ahead.
            prop_assert!(s.poll_timeout().is_none_or(|t| t > now));
            prop_assert_eq!(s.poll_timeout().is_none(), s.stage() == Stage::Idle);
            // Debug output never shows who.
            let dump = format!("{s:?}");
            for n in PEOPLE {
                prop_assert!(!dump.contains(n));
            }
        }
    }
}
