//! The assembled kiosk through its public API only — what the Tauri shell sees: a real
//! encrypted store in a temporary directory (seeded with documents, purposes, the roster and
//! synced cards), the in-process simulated analyzer on its pty (demo mode), the card check, the
//! session and the screens. Every wait is for an event, bounded by [`support::WAIT`].

#![allow(clippy::unwrap_used)]

mod support;

use hakaru_kiosk::view::{Answer, EndCode, KioskEvent, PointsView, Screen, Text, WedgeKey};
use hakaru_kiosk::Kiosk;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{
    consent_screen, grant_service, identifying, measure, next, next_screen, next_within, replayed,
    safety_question, seeded_store_with_card, start, write_demo_settings, STATION, WHO,
};

/// A demo-mode settings file over a seeded store; returns the config path and the card token.
fn setup(dir: &Path, extra_session: &str) -> (PathBuf, String) {
    let data = dir.join("data");
    let token = seeded_store_with_card(&data);
    (
        write_demo_settings(dir, &data, &token, extra_session, ""),
        token,
    )
}

/// The keys a wedge reader types for `text` (US layout), 8 ms apart, then Enter.
fn type_card(kiosk: &Kiosk, text: &str) {
    let mut at = 1000.0;
    for c in text.chars() {
        let (code, shift) = if c.is_ascii_digit() {
            (format!("Digit{c}"), false)
        } else {
            (
                format!("Key{}", c.to_ascii_uppercase()),
                c.is_ascii_uppercase(),
            )
        };
        kiosk.wedge_key(WedgeKey {
            code,
            shift,
            at_ms: at,
        });
        at += 8.0;
    }
    kiosk.wedge_key(WedgeKey {
        code: "Enter".into(),
        shift: false,
        at_ms: at,
    });
}

fn is_personal(e: &KioskEvent) -> bool {
    match e {
        KioskEvent::Screen(s) => s.is_personal(),
        KioskEvent::Idle(_) | KioskEvent::Points(_) => true,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wedge_card_is_measured_and_shown_with_ranges_and_trend_then_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let (config, token) = setup(dir.path(), "");
    let kiosk = start(config);
    let sub = kiosk.subscribe();
    let mut live = sub.live;
    assert!(
        matches!(sub.replay[0], KioskEvent::Hello(ref h) if h.station == STATION && h.demo.as_ref().unwrap().cards.len() == 1)
    );
    assert!(sub.replay.contains(&KioskEvent::Screen(Screen::Attract)));
    assert!(!kiosk.window().fullscreen);

    type_card(&kiosk, &token);
    let session = identifying(&mut live).await;
    let consent = consent_screen(&mut live, session).await;
    assert!(consent
        .documents
        .iter()
        .any(|d| d.text == "利用規約 2026年4月版"));
    assert!(consent
        .purposes
        .iter()
        .any(|p| p.id == "service" && p.required));
    assert_eq!(consent.reasons, vec!["first_time".to_owned()]);
    grant_service(&kiosk, &mut live, session).await;
    safety_question(&mut live).await;
    let results = measure(&kiosk, &mut live, session).await;
    let keys: Vec<&str> = results.values.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(&keys[..3], ["weight", "bmi", "fat_percent"], "{keys:?}");
    let bmi = results.values.iter().find(|v| v.key == "bmi").unwrap();
    assert!(bmi.range.is_some(), "BMI has a published range for adults");
    let weight = results.values[0].value;
    assert_eq!(results.trend.len(), 1, "first visit: this reading only");
    assert_eq!(results.trend[0].weight, Some(weight));
    assert_eq!(results.points, PointsView::Later, "no [sync]: later");

    kiosk.answer(Answer::Finish { session }).await.unwrap();
    assert_eq!(
        next_screen(&mut live, "thank you").await,
        Screen::Ended {
            reason: EndCode::Finished,
            scale_code: None
        }
    );
    assert_eq!(next_screen(&mut live, "attract").await, Screen::Attract);
    let replay = kiosk.subscribe().replay;
    assert!(
        !replay.iter().any(is_personal),
        "nothing personal is replayed"
    );

    // The second visit, by the demo card: consent is on file, so the safety question is next.
    kiosk.demo_scan(0).await.unwrap();
    identifying(&mut live).await;
    safety_question(&mut live).await;
    assert_eq!(kiosk.demo_scan(5).await.unwrap_err().code, "no_such_card");
    kiosk.shutdown().await;
}

/// A queue: the next person shows their card while "thank you" is still on screen. The
/// previous session ends at once and the new one is shown (it used to stay on attract).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_read_on_the_thank_you_screen_starts_the_next_session_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _token) = setup(dir.path(), "thank_you_secs = 60\n");
    let kiosk = start(config);
    let mut live = kiosk.subscribe().live;

    kiosk.demo_scan(0).await.unwrap();
    let first = identifying(&mut live).await;
    consent_screen(&mut live, first).await;
    grant_service(&kiosk, &mut live, first).await;
    safety_question(&mut live).await;
    measure(&kiosk, &mut live, first).await;
    kiosk
        .answer(Answer::Finish { session: first })
        .await
        .unwrap();
    assert!(matches!(
        next_screen(&mut live, "thank you").await,
        Screen::Ended {
            reason: EndCode::Finished,
            ..
        }
    ));

    kiosk.demo_scan(0).await.unwrap();
    assert_eq!(next_screen(&mut live, "attract").await, Screen::Attract);
    let second = identifying(&mut live).await;
    assert_ne!(second, first, "a new session");
    safety_question(&mut live).await;
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_answers_the_idle_warning_and_everything_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = setup(dir.path(), "idle_secs = 1\nwarning_secs = 20\n");
    let kiosk = start(config);
    let mut live = kiosk.subscribe().live;
    kiosk.demo_scan(0).await.unwrap();
    identifying(&mut live).await;
    let idle = next(&mut live, "the idle warning", |e| match e {
        KioskEvent::Idle(i) => Some(i.clone()),
        _ => None,
    })
    .await;
    let ms = idle.remaining_ms.unwrap();
    assert!((20_000..=20_100).contains(&ms), "{ms}");
    // While it shows, a new subscriber (a reloaded UI) sees the warning too.
    assert!(kiosk
        .subscribe()
        .replay
        .iter()
        .any(|e| matches!(e, KioskEvent::Idle(_))));
    let screen = next_within(
        Duration::from_secs(30),
        &mut live,
        "the wipe",
        |e| match e {
            KioskEvent::Screen(s) => Some(s.clone()),
            _ => None,
        },
    )
    .await;
    assert_eq!(screen, Screen::Attract);
    let replay = kiosk.subscribe().replay;
    assert!(!replay.iter().any(is_personal), "nothing personal is left");
    // The hello lists the demo cards (demo people, not real ones); nothing else names anyone.
    let rest: Vec<_> = replay
        .iter()
        .filter(|e| !matches!(e, KioskEvent::Hello(_)))
        .collect();
    let text = serde_json::to_string(&rest).unwrap();
    assert!(!text.contains(WHO), "{text}");
    assert!(rest.contains(&&KioskEvent::Screen(Screen::Attract)));
    kiosk.shutdown().await;
}

/// The first screen a new subscriber is told, which must be "not configured": the settings
/// file's path, what is wrong and what to do.
fn not_configured(kiosk: &Kiosk) -> (String, Text, Text) {
    let screen = replayed(kiosk, "a screen", |e| match e {
        KioskEvent::Screen(s) => Some(s),
        _ => None,
    });
    let Screen::NotConfigured {
        config_path,
        problem,
        what_to_do,
    } = screen
    else {
        panic!("not configured: {screen:?}")
    };
    (config_path, problem, what_to_do)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_settings_file_says_to_copy_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    let kiosk = start(path.clone());
    let (config_path, problem, what_to_do) = not_configured(&kiosk);
    assert_eq!(config_path, path.display().to_string());
    assert!(problem.ja.contains("設定されていません"));
    assert!(what_to_do.en.contains("kiosk.example.toml"));
    assert!(what_to_do.en.contains("[station] id"));
    assert_eq!(kiosk.demo_scan(0).await.unwrap_err().code, "not_running");
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_settings_file_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(
        &path,
        "[station]\nid = \"k-1\"\n[scale]\nmodel = \"MC-780\"\n",
    )
    .unwrap();
    let kiosk = start(path);
    let (_, problem, what_to_do) = not_configured(&kiosk);
    assert!(problem.en.contains("[scale] port"), "{}", problem.en);
    assert!(what_to_do.ja.contains("[scale] port"), "{}", what_to_do.ja);
    kiosk.shutdown().await;
}

/// Marks the resident `status` in the store under `dir/data` as the roster sync would, and
/// returns (pending outbox events, consents, measurements, audit rows) after it.
fn mark_resident(dir: &Path, status: hakaru_wire::api::ParticipantStatus) -> [i64; 4] {
    use hakaru_station::store::testing::count;
    use hakaru_station::store::{Store, StoreConfig};
    use hakaru_wire::api::{Change, ChangeKind, ChangesPage, RosterEntry};
    let mut store = Store::open(&StoreConfig::in_dir(&dir.join("data"))).unwrap();
    let seq = store.sync_cursor().unwrap() + 1;
    let page = ChangesPage {
        card_program: hakaru_station::store::testing::CARD_PROGRAM,
        changes: vec![Change {
            seq,
            change: ChangeKind::Participant(RosterEntry {
                participant: WHO.into(),
                birth_date: "1954-03-10".into(),
                sex: hakaru_wire::Sex::Female,
                height_tenths_cm: 1524,
                body_type: 0,
                implanted_device: false,
                status,
            }),
        }],
        next_cursor: seq,
        more: false,
    };
    store.apply_changes(&page, hakaru_e2e::SYNCED).unwrap();
    [
        "SELECT count(*) FROM outbox WHERE acked_at IS NULL",
        "SELECT count(*) FROM consents",
        "SELECT count(*) FROM measurements",
        "SELECT count(*) FROM audit_log",
    ]
    .map(|sql| count(&store, sql).unwrap())
}

/// The resident's card, after the roster marked them `status`: identified, then at once the
/// explanation `reason` — no consent screen, no question, no scale — then the attract screen;
/// nothing stored, queued or audited.
async fn explains(status: hakaru_wire::api::ParticipantStatus, reason: EndCode) {
    let dir = tempfile::tempdir().unwrap();
    let (config, token) = setup(dir.path(), "explanation_secs = 1\n");
    let before = mark_resident(dir.path(), status);
    let kiosk = start(config);
    let mut live = kiosk.subscribe().live;
    type_card(&kiosk, &token);
    identifying(&mut live).await;
    assert_eq!(
        next_screen(&mut live, "the explanation").await,
        Screen::Ended {
            reason,
            scale_code: None
        },
        "straight from identifying to the explanation"
    );
    assert_eq!(next_screen(&mut live, "attract").await, Screen::Attract);
    // The demo card (the same resident) is explained the same way.
    kiosk.demo_scan(0).await.unwrap();
    identifying(&mut live).await;
    assert_eq!(
        next_screen(&mut live, "the explanation again").await,
        Screen::Ended {
            reason,
            scale_code: None
        }
    );
    kiosk.shutdown().await;
    let after = mark_resident(dir.path(), status);
    // The second marking adds its own audit row; nothing else changed in between.
    assert_eq!(after[..3], before[..3], "nothing stored or queued");
    assert_eq!(after[3], before[3] + 2, "only the sync's own audit rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_explains_a_withdrawal_to_the_participant() {
    explains(
        hakaru_wire::api::ParticipantStatus::Withdrawn,
        EndCode::ConsentWithdrawn,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_explains_a_stop_of_use_to_the_participant() {
    explains(
        hakaru_wire::api::ParticipantStatus::Stopped,
        EndCode::UseStopped,
    )
    .await;
}
