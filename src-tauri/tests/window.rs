//! The kiosk in its real window, end to end: the `hakaru-kiosk` binary under a private Xvfb
//! display with a window manager, driven through WebDriver (tauri-driver + Debian's
//! WebKitWebDriver), with a simulated analyzer on a pty, a handheld card reader on a pty and
//! the real `hakaru-central` server on loopback. A participant's card is read → consent (the
//! required purpose agreed, the optional one refused) → safety question → guidance → the
//! analyzer measures → results with the points the server awarded → finish → thank you →
//! attract; then the server is asked what it received. A screenshot of every screen goes to
//! `target/kiosk-screenshots/`.
//!
//! Needs Xvfb, matchbox-window-manager, webkit2gtk-driver and tauri-driver
//! (`scripts/setup --test`). Without them the test is skipped with the reason printed — except
//! under CI (`CI` set), where a missing tool fails it. `hakaru-central` must be built
//! (`cargo nextest run --workspace` builds it; alone: `cargo build -p hakaru-central`).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "support/cards.rs"]
mod cards;
#[path = "support/display.rs"]
mod display;

use display::{png_size, start_driver, tools_or_skip, wait_for_port, Display, HandheldReader};
use fantoccini::{Client, ClientBuilder, Locator};
use hakaru_devices::sim::{SimConfig, Simulator};
use hakaru_e2e::central_process::{admin, Server};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PROGRAM: &str = "prog-w";
const STATION: &str = "window-kiosk-01";
const PARTICIPANT: &str = "W-0001";

/// How long any one screen may take to appear (debug build, 2 shared cores).
const SCREEN_WAIT: Duration = Duration::from_secs(30);

fn screenshots_dir() -> PathBuf {
    // src-tauri/ → the workspace's target/
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/kiosk-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A central server with one program, this station, documents in both languages, a required
/// and an optional purpose, and one participant with a card. Returns the station credential.
fn seed(db: &Path, docs: &Path) -> String {
    for args in [
        &[
            "program",
            "create",
            "--id",
            PROGRAM,
            "--name-ja",
            "はかる市 健康ポイント",
            "--name-en",
            "Hakaru City health points",
        ][..],
        &[
            "municipality",
            "create",
            "--id",
            "kita",
            "--program",
            PROGRAM,
            "--name-ja",
            "北区",
            "--name-en",
            "Kita",
        ],
        &[
            "station",
            "create",
            "--id",
            STATION,
            "--municipality",
            "kita",
            "--place",
            "北公民館",
        ],
    ] {
        admin(db, args);
    }
    let credential = admin(db, &["credential", "issue", "--station", STATION]);
    std::fs::create_dir_all(docs).unwrap();
    #[allow(clippy::disallowed_methods)] // documents take effect today, by the real clock
    let today = {
        let days = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 86_400;
        let (y, m, d) = hakaru_wire::card::calendar_date(u16::try_from(days).unwrap());
        format!("{y:04}-{m:02}-{d:02}")
    };
    for kind in ["terms", "privacy-policy", "measurement-notice"] {
        for (lang, text) in [
            (
                "ja",
                format!("{kind}（試験）\n\n測定結果は健康ポイントのために使います。"),
            ),
            (
                "en",
                format!("{kind} (test)\n\nReadings are used for health points."),
            ),
        ] {
            let file = docs.join(format!("{kind}.{lang}.txt"));
            std::fs::write(&file, text).unwrap();
            admin(
                db,
                &[
                    "document",
                    "publish",
                    "--program",
                    PROGRAM,
                    "--kind",
                    kind,
                    "--version",
                    &today,
                    "--language",
                    lang,
                    "--effective",
                    &today,
                    "--file",
                    file.to_str().unwrap(),
                ],
            );
        }
    }
    admin(
        db,
        &[
            "purpose",
            "put",
            "--program",
            PROGRAM,
            "--id",
            "measurement",
            "--required",
            "--label-ja",
            "測定結果を記録し、ポイントを付与するため",
            "--label-en",
            "To record readings and award points",
        ],
    );
    admin(
        db,
        &[
            "purpose",
            "put",
            "--program",
            PROGRAM,
            "--id",
            "statistics",
            "--label-ja",
            "統計に使うため",
            "--label-en",
            "For statistics",
        ],
    );
    admin(
        db,
        &[
            "participant",
            "put",
            "--program",
            PROGRAM,
            "--number",
            PARTICIPANT,
            "--birth-date",
            "1952-04-01",
            "--sex",
            "female",
            "--height-cm",
            "152.4",
        ],
    );
    admin(
        db,
        &[
            "card",
            "issue",
            "--program",
            PROGRAM,
            "--participant",
            PARTICIPANT,
        ],
    );
    credential.trim().to_owned()
}

/// Enrolls the kiosk's store and records a passing calibration check of the simulated analyzer
/// today, so the calibration gate lets the participant measure (staff modes test the check).
fn calibrated(data: &Path) {
    use hakaru_station::store::{Store, StoreConfig};
    std::fs::create_dir_all(data).unwrap();
    let mut store = Store::open(&StoreConfig::in_dir(data)).unwrap();
    #[allow(clippy::disallowed_methods)] // the fixture is dated today
    let now = hakaru_wire::Timestamp::from_system_time(std::time::SystemTime::now());
    store
        .enroll(
            &hakaru_station::domain::StationId::new(STATION).unwrap(),
            now,
        )
        .unwrap();
    let today = hakaru_station::domain::Date::local(now, 540);
    hakaru_station::calibration::testing::calibrated(&mut store, "00000001", today).unwrap();
}

/// The kiosk's settings: this server, the simulator's pty, the handheld reader's path, fullscreen.
fn write_settings(
    dir: &Path,
    server: &str,
    credential: &str,
    scale: &Path,
    reader: &Path,
) -> PathBuf {
    let credential_file = dir.join("credential");
    std::fs::write(&credential_file, credential).unwrap();
    std::fs::set_permissions(&credential_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let settings = dir.join("kiosk.toml");
    let text = format!(
        "[station]\nid = \"{STATION}\"\ndata_dir = {data}\nlanguage = \"ja\"\n\n\
         [scale]\nmodel = \"MC-780\"\nport = {scale}\n\n\
         [cards]\ncamera = \"off\"\nhandheld_port = {reader}\nwedge = false\n\n\
         [sync]\nserver_url = \"{server}\"\ncredential_file = {cred}\npoll_interval_secs = 2\n\n\
         [window]\nfullscreen = true\n",
        data = toml_str(&dir.join("station")),
        scale = toml_str(scale),
        reader = toml_str(reader),
        cred = toml_str(&credential_file),
    );
    std::fs::write(&settings, text).unwrap();
    settings
}

fn toml_str(path: &Path) -> String {
    serde_json::to_string(path.to_str().unwrap()).unwrap()
}

/// Waits until `css` matches an element, failing with what is on screen instead.
async fn wait_for(c: &Client, css: &str, what: &str) -> fantoccini::elements::Element {
    let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            return e;
        }
        if tokio::time::Instant::now() > deadline {
            let shown = current_screen(c).await;
            save_screenshot(c, &format!("FAILED-waiting-for-{what}")).await;
            panic!("{what} ({css}) did not appear within {SCREEN_WAIT:?}; on screen: {shown}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn current_screen(c: &Client) -> String {
    match c.find(Locator::Css("[data-screen]")).await {
        Ok(e) => e
            .attr("data-screen")
            .await
            .ok()
            .flatten()
            .unwrap_or_default(),
        Err(_) => "(no screen element)".to_owned(),
    }
}

/// Waits until what the DOM shows is painted: fonts loaded, then two animation frames (a DOM
/// change is on screen only after the next frame).
async fn painted(c: &Client) {
    c.execute_async(
        "const done = arguments[arguments.length - 1];\n\
         document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
        vec![],
    )
    .await
    .unwrap();
}

async fn save_screenshot(c: &Client, name: &str) -> (u32, u32) {
    painted(c).await;
    let png = c.screenshot().await.unwrap();
    let path = screenshots_dir().join(format!("{name}.png"));
    std::fs::write(&path, &png).unwrap();
    println!("screenshot: {}", path.display());
    png_size(&png)
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_is_measured_in_the_real_window_and_the_reading_reaches_the_server() {
    let Some(tools) = tools_or_skip("kiosk window e2e") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let credential = seed(&db, &dir.path().join("docs"));
    let token = cards::active_cards(&db, PROGRAM).await.unwrap();
    assert_eq!(token.len(), 1);
    let token = token[0].token.clone();
    let server = Server::start(&db);

    let mut sim_config = SimConfig::for_model("MC-780").unwrap();
    sim_config.pace = false;
    let sim = Simulator::start(sim_config).unwrap();
    let reader_path = dir.path().join("handheld");
    let mut reader = HandheldReader::plug(&reader_path);
    let settings = write_settings(
        dir.path(),
        &server.base,
        &credential,
        sim.path(),
        &reader_path,
    );
    calibrated(&dir.path().join("station"));

    let display = Display::start(&tools);
    let (_driver, port) = start_driver(&tools, &display, &dir.path().join("tauri-driver.log"));
    wait_for_port(port, Duration::from_secs(20)).await;

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": env!("CARGO_BIN_EXE_hakaru-kiosk"),
            "args": ["--config", settings.to_str().unwrap()],
        }),
    );
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let c = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session (tauri-driver → WebKitWebDriver → hakaru-kiosk)");

    // Attract, fullscreen: the webview fills the whole screen.
    wait_for(&c, "[data-screen=attract]", "attract screen").await;
    let size = save_screenshot(&c, "01-attract").await;
    assert_eq!(size, display::SCREEN, "the kiosk window fills the screen");

    // The card, read by the handheld reader. The kiosk may still be pulling its roster from the
    // server at first, so the reader is tried again until the session starts.
    let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
    loop {
        reader.scan(&token);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let shown = current_screen(&c).await;
        if shown != "attract" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the card was not accepted within {SCREEN_WAIT:?}"
        );
    }

    // Consent: the required purpose agreed, the optional one refused.
    wait_for(&c, "[data-screen=consent]", "consent screen").await;
    let participant = wait_for(&c, "[data-testid=participant]", "participant number")
        .await
        .text()
        .await
        .unwrap();
    assert!(participant.contains(PARTICIPANT), "{participant}");
    save_screenshot(&c, "02-consent").await;
    click(&c, "[data-purpose=measurement] [data-choice=agree]").await;
    click(&c, "[data-purpose=statistics] [data-choice=disagree]").await;
    save_screenshot(&c, "03-consent-chosen").await;
    click(&c, "[data-testid=consent-confirm]").await;

    // Safety: no implanted device.
    wait_for(&c, "[data-screen=safety]", "safety question").await;
    save_screenshot(&c, "04-safety").await;
    click(&c, "[data-testid=safety-no]").await;

    // Guidance: once the analyzer has the participant's values, the person steps on.
    wait_for(
        &c,
        "[data-screen=guidance][data-step=step_on]",
        "guidance: step on",
    )
    .await;
    save_screenshot(&c, "05-guidance").await;
    sim.measure().unwrap();

    // Results, then the points the server awarded.
    wait_for(&c, "[data-screen=results]", "results").await;
    save_screenshot(&c, "06-results").await;
    let values = c
        .find_all(Locator::Css("[data-testid=result-value]"))
        .await
        .unwrap();
    assert!(
        values.len() >= 5,
        "weight, BMI, fat %, muscle, … shown: {}",
        values.len()
    );
    let points_text = wait_for(
        &c,
        "[data-testid=points][data-status=awarded]",
        "points awarded",
    )
    .await
    .text()
    .await
    .unwrap();
    save_screenshot(&c, "07-results-points").await;

    // Finish → thank you → attract, nothing personal left.
    click(&c, "[data-testid=finish]").await;
    wait_for(&c, "[data-screen=ended]", "thank-you screen").await;
    save_screenshot(&c, "08-thank-you").await;
    wait_for(&c, "[data-screen=attract]", "attract again").await;
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !body.contains(PARTICIPANT),
        "participant number left on the attract screen"
    );
    save_screenshot(&c, "09-attract-again").await;

    c.close().await.unwrap();

    // The server received the reading and awarded its points.
    let balance = admin(
        &db,
        &[
            "points",
            "balance",
            "--program",
            PROGRAM,
            "--participant",
            PARTICIPANT,
        ],
    );
    println!("server: {balance}");
    let balance: u32 = balance
        .split("balance: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the balance: {balance}"));
    assert!(balance > 0, "no points on the server");
    assert!(
        points_text.contains(&balance.to_string()),
        "the kiosk showed {points_text:?}, the server has a balance of {balance}"
    );
    let awards = admin(
        &db,
        &[
            "points",
            "awards",
            "--program",
            PROGRAM,
            "--participant",
            PARTICIPANT,
        ],
    );
    assert!(awards.contains("daily-measurement"), "{awards}");
    drop(sim);
    drop(server);
}
