//! Helpers the kiosk's integration tests share: the settings file and seeded store they start
//! from, starting a kiosk, waiting for its events (every wait bounded so a hang fails instead
//! of stalling CI), and the steps of a visit by the resident P-000001 that every suite checks
//! the same way.
//!
//! Deliberately not here: servers and device stand-ins (each suite makes its own) and
//! assertions about a particular scenario.

// Each suite compiles this module and uses only some of it.
#![allow(dead_code)]

use hakaru_e2e::{resident, seed_store};
use hakaru_kiosk::view::{Answer, ConsentView, GuidanceStep, KioskEvent, ResultsView, Screen};
use hakaru_kiosk::{Kiosk, KioskSetup};
use hakaru_station::store::testing::{card, sync_cards};
use hakaru_station::store::StoreConfig;
use hakaru_wire::api::CardStatus;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::broadcast;

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The station every suite's kiosk is.
pub const STATION: &str = "kita-community-01";
/// The participant who visits ([`resident`]).
pub const WHO: &str = "P-000001";

/// Creates the store in `data`, seeded by [`seed_store`] and holding the resident's synced
/// active card; returns that card's token.
pub fn seeded_store_with_card(data: &Path) -> String {
    std::fs::create_dir_all(data).unwrap();
    let mut store = seed_store(&StoreConfig::in_dir(data));
    let (who, _) = resident();
    let (token, state) = card(&who, 41, 1, CardStatus::Active);
    sync_cards(&mut store, &[state], hakaru_e2e::SYNCED).unwrap();
    calibrated(&mut store);
    token.encode()
}

/// The serial number the simulated analyzer reports (`SimConfig`'s default).
pub const SIM_SERIAL: &str = "00000001";

/// Records a passing calibration check of the simulated analyzer today (station time), so the
/// calibration gate lets participants measure.
pub fn calibrated(store: &mut hakaru_station::store::Store) {
    #[allow(clippy::disallowed_methods)] // the test's fixture is dated today
    let now = hakaru_wire::Timestamp::from_system_time(std::time::SystemTime::now());
    let today = hakaru_station::domain::Date::local(now, 540);
    hakaru_station::calibration::testing::calibrated(store, SIM_SERIAL, today).unwrap();
}

/// The sections of a settings file that differ between suites: each field is the rest of its
/// section's body (`scale` after the model, `session` after the thank-you time); `more` is
/// whole further sections.
#[derive(Default)]
pub struct Sections<'a> {
    pub scale: &'a str,
    pub cards: &'a str,
    pub session: &'a str,
    pub more: &'a str,
}

/// Writes `dir/kiosk.toml` for [`STATION`] over the store in `data`: an MC-780, a one-second
/// thank-you screen, a window that is not full screen, and `sections`. Returns its path.
pub fn write_settings(dir: &Path, data: &Path, sections: &Sections<'_>) -> PathBuf {
    let Sections {
        scale,
        cards,
        session,
        more,
    } = sections;
    let config = dir.join("kiosk.toml");
    // A short thank-you keeps tests quick, unless the test sets its own.
    let thank_you = if session.contains("thank_you_secs") {
        ""
    } else {
        "thank_you_secs = 1\n"
    };
    std::fs::write(
        &config,
        format!(
            "[station]\nid = \"{STATION}\"\ndata_dir = \"{}\"\n\
             [scale]\nmodel = \"MC-780\"\n{scale}\n\
             [cards]\n{cards}\n\
             [session]\n{thank_you}{session}\n\
             [window]\nfullscreen = false\n\
             {more}\n",
            data.display()
        ),
    )
    .unwrap();
    config
}

/// Writes demo-mode settings (simulated analyzer, no camera, no device reader) with `dir/cards.toml`
/// as the demo card file listing `token` as [`WHO`]'s card; `session` and `more` as in
/// [`Sections`]. Returns the settings file's path.
pub fn write_demo_settings(
    dir: &Path,
    data: &Path,
    token: &str,
    session: &str,
    more: &str,
) -> PathBuf {
    std::fs::write(
        dir.join("cards.toml"),
        format!(
            "[[card]]\ntoken = \"{token}\"\nparticipant = \"{WHO}\"\nnote_ja = \"住民\"\nnote_en = \"Resident\"\n"
        ),
    )
    .unwrap();
    write_settings(
        dir,
        data,
        &Sections {
            scale: "simulate = true",
            cards: "camera = \"off\"",
            session,
            more: &format!("{more}\n[demo]\ncards_file = \"cards.toml\""),
        },
    )
}

/// Starts the kiosk from the settings file at `config` on the test's runtime.
pub fn start(config: PathBuf) -> Kiosk {
    Kiosk::start(
        KioskSetup::load(Some(config)),
        &tokio::runtime::Handle::current(),
    )
}

/// The next screen the kiosk shows.
pub async fn next_screen(live: &mut broadcast::Receiver<KioskEvent>, what: &str) -> Screen {
    next(live, what, |e| match e {
        KioskEvent::Screen(s) => Some(s.clone()),
        _ => None,
    })
    .await
}

/// The first live event `pick` accepts, within [`WAIT`].
pub async fn next<T>(
    live: &mut broadcast::Receiver<KioskEvent>,
    what: &str,
    pick: impl FnMut(&KioskEvent) -> Option<T>,
) -> T {
    next_within(WAIT, live, what, pick).await
}

/// The first live event `pick` accepts, within `limit`; a lagging or closed channel fails.
pub async fn next_within<T>(
    limit: Duration,
    live: &mut broadcast::Receiver<KioskEvent>,
    what: &str,
    mut pick: impl FnMut(&KioskEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(limit, async {
        loop {
            let e = live
                .recv()
                .await
                .unwrap_or_else(|e| panic!("the live channel failed waiting for {what}: {e}"));
            if let Some(t) = pick(&e) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The first event in a new subscriber's replay that `pick` accepts; fails if there is none.
pub fn replayed<T>(kiosk: &Kiosk, what: &str, pick: impl FnMut(KioskEvent) -> Option<T>) -> T {
    kiosk
        .subscribe()
        .replay
        .into_iter()
        .find_map(pick)
        .unwrap_or_else(|| panic!("{what} is not replayed"))
}

/// The next screen is the identifying screen for [`WHO`]; returns its session.
pub async fn identifying(live: &mut broadcast::Receiver<KioskEvent>) -> u64 {
    let Screen::Identifying {
        session,
        participant,
    } = next_screen(live, "identifying").await
    else {
        panic!("identifying first")
    };
    assert_eq!(participant, WHO);
    session
}

/// The next screen is the consent screen of a first visit, for `session` and [`WHO`].
pub async fn consent_screen(
    live: &mut broadcast::Receiver<KioskEvent>,
    session: u64,
) -> ConsentView {
    let Screen::Consent(consent) = next_screen(live, "consent").await else {
        panic!("consent: first visit")
    };
    assert_eq!(
        (consent.session, consent.participant.as_str()),
        (session, WHO)
    );
    consent
}

/// Consents to the required purpose only; the next screen says the consent is being saved.
pub async fn grant_service(
    kiosk: &Kiosk,
    live: &mut broadcast::Receiver<KioskEvent>,
    session: u64,
) {
    kiosk
        .answer(Answer::Consent {
            session,
            granted: vec!["service".into()],
        })
        .await
        .unwrap();
    assert!(matches!(
        next_screen(live, "saving consent").await,
        Screen::SavingConsent { .. }
    ));
}

/// The next screen is the safety question.
pub async fn safety_question(live: &mut broadcast::Receiver<KioskEvent>) {
    assert!(matches!(
        next_screen(live, "safety").await,
        Screen::Safety { .. }
    ));
}

/// Answers "no implanted device", waits for "step on", the simulated person steps on: the
/// results screen for `session` and [`WHO`].
pub async fn measure(
    kiosk: &Kiosk,
    live: &mut broadcast::Receiver<KioskEvent>,
    session: u64,
) -> ResultsView {
    kiosk
        .answer(Answer::Safety {
            session,
            implanted_device: false,
        })
        .await
        .unwrap();
    next(live, "step on", |e| match e {
        KioskEvent::Screen(Screen::Guidance(g)) if g.step == GuidanceStep::StepOn => Some(()),
        _ => None,
    })
    .await;
    kiosk.demo_step_on().await.unwrap();
    let results = next(live, "results", |e| match e {
        KioskEvent::Screen(Screen::Results(r)) => Some(r.clone()),
        _ => None,
    })
    .await;
    assert_eq!(
        (results.session, results.participant.as_str()),
        (session, WHO)
    );
    results
}

/// Renders page 1 of `pdf` with poppler (`pdftoppm`, 150 dpi, grey) into `dir` and decodes its
/// QR code with the camera's decoder (a printed card's token).
pub fn qr_of_pdf(pdf: &Path, dir: &Path) -> String {
    let out = dir.join("page");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-singlefile"])
        .arg(pdf)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) runs: scripts/setup --test");
    assert!(status.success());
    let pgm = std::fs::read(dir.join("page.pgm")).unwrap();
    // P5 <w> <h> 255, then the bytes.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    let (width, height): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    hakaru_devices::card::decode::decode_plain(&hakaru_devices::card::frame::GrayFrame {
        width,
        height,
        data: pgm[at + 1..].to_vec(),
    })
    .expect("the printed card's QR code decodes")
}

/// Publishes the consent texts every server-backed suite uses on the program's server: the terms
/// and privacy policy in Japanese and English ([`hakaru_e2e::policy_documents`]) and the one
/// required purpose, `service`.
pub async fn publish_terms_and_service(
    storage: &dyn hakaru_central::storage::Storage,
    program: &hakaru_central::ids::ProgramId,
    at: hakaru_wire::Timestamp,
) {
    for document in hakaru_e2e::policy_documents() {
        storage
            .publish_document(program, &document, at)
            .await
            .unwrap();
    }
    storage
        .put_purpose(
            program,
            &hakaru_wire::api::PurposeDef {
                id: "service".into(),
                required: true,
                label_ja: "測定とポイント付与".into(),
                label_en: "Measuring and points".into(),
            },
            at,
        )
        .await
        .unwrap();
}
