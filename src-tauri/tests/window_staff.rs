//! Staff and technician modes in the real windows, end to end: the `hakaru-kiosk` binary in demo
//! mode (its simulated analyzer inside) under a private Xvfb display with a window manager,
//! driven through WebDriver (tauri-driver + Debian's WebKitWebDriver) across both of its windows
//! — the participant window (`kiosk`) and the staff window (`staff`) — with the real
//! `hakaru-central` server on loopback, seeded through its admin CLI with registration rules, a
//! technician and a staff account.
//!
//! The station starts with no calibration check: the participant window says the analyzer needs
//! a check → the hidden staff key → sign-in (a wrong password refused) → the technician's menu →
//! the technician screen with the live monitor → the analyzer's dates and the reference-weight
//! check through every step (合格) → sign out → staff: a too-young applicant refused with the
//! reason, then a paper application registered, accepted by the server with a card, the card
//! printed (PDF into a folder) → registrations → queue → 測定: the participant window runs the
//! session (consent, safety, guidance, results) → the staff window is back at the queue → sign
//! out; then the server is asked for the calibration record and the participant's card. A
//! screenshot of every screen goes to `target/kiosk-screenshots/staff-*.png`.
//!
//! Needs what `window.rs` needs (Xvfb, matchbox-window-manager, webkit2gtk-driver, tauri-driver,
//! a built `hakaru-central`); without the tools it is skipped with the reason printed, except
//! under CI.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

#[path = "support/display.rs"]
#[allow(dead_code)] // the handheld reader is window.rs's
mod display;

use display::{start_driver, tools_or_skip, wait_for_port, Display};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::key::Key;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hakaru_e2e::central_process::{admin, central_binary, Server};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PROGRAM: &str = "prog-st";
const STATION: &str = "staff-kiosk-01";
const TECHNICIAN: &str = "tanaka";
const STAFF: &str = "sato";
/// Both accounts' password (set through `HAKARU_STAFF_PASSWORD`, never on a command line).
const PASSWORD: &str = "hakaru-staff-2468";
/// The applicant registered from the paper application.
const APPLICANT: &str = "S-0001";

/// How long any one screen may take to appear (debug build, 2 shared cores).
const SCREEN_WAIT: Duration = Duration::from_secs(30);

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/kiosk-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[allow(clippy::disallowed_methods)] // dates of the seed and the form are today's, by the real clock
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let (y, m, d) = hakaru_wire::card::calendar_date(u16::try_from(days).unwrap());
    format!("{y:04}-{m:02}-{d:02}")
}

/// `admin staff put`: the password goes through the environment, as a script would pass it.
fn put_staff(db: &Path, login: &str, name: &str, role: &str) {
    let out = Command::new(central_binary())
        .args(["admin", "--database"])
        .arg(db)
        .args([
            "staff",
            "put",
            "--program",
            PROGRAM,
            "--login",
            login,
            "--display-name",
            name,
            "--role",
            role,
        ])
        .env("HAKARU_STAFF_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin staff put {login}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A program with this station, its documents and purposes, registration rules (20 or older,
/// residents or workers, 100 places), a technician and a staff account. No participants: the
/// one measured is registered at the kiosk. Returns the station credential.
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
            "minami",
            "--program",
            PROGRAM,
            "--name-ja",
            "南区",
            "--name-en",
            "Minami",
        ],
        &[
            "station",
            "create",
            "--id",
            STATION,
            "--municipality",
            "minami",
            "--place",
            "南公民館",
        ],
        &[
            "registration-rules",
            "set",
            "--program",
            PROGRAM,
            "--min-age",
            "20",
            "--residency",
            "required",
            "--cap",
            "100",
        ],
    ] {
        admin(db, args);
    }
    let credential = admin(db, &["credential", "issue", "--station", STATION]);
    std::fs::create_dir_all(docs).unwrap();
    let today = today();
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
    for (id, required, ja, en) in [
        (
            "measurement",
            true,
            "測定結果を記録し、ポイントを付与するため",
            "To record readings and award points",
        ),
        ("statistics", false, "統計に使うため", "For statistics"),
    ] {
        let mut args = vec!["purpose", "put", "--program", PROGRAM, "--id", id];
        if required {
            args.push("--required");
        }
        args.extend(["--label-ja", ja, "--label-en", en]);
        admin(db, &args);
    }
    put_staff(db, TECHNICIAN, "田中 技師", "technician");
    put_staff(db, STAFF, "佐藤 係員", "staff");
    credential.trim().to_owned()
}

/// Demo mode's settings: the simulated analyzer inside the kiosk (no demo cards), this server
/// polled every second, cards printed as PDF into `printed/`, the default four reference steps.
fn write_settings(dir: &Path, server: &str, credential: &str) -> PathBuf {
    let credential_file = dir.join("credential");
    std::fs::write(&credential_file, credential).unwrap();
    std::fs::set_permissions(&credential_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(dir.join("demo-cards.toml"), "").unwrap();
    let settings = dir.join("kiosk.toml");
    let text = format!(
        "[station]\nid = \"{STATION}\"\ndata_dir = \"station\"\nlanguage = \"ja\"\n\n\
         [scale]\nmodel = \"MC-780\"\nsimulate = true\n\n\
         [cards]\ncamera = \"off\"\nwedge = false\n\n\
         [sync]\nserver_url = \"{server}\"\ncredential_file = \"credential\"\npoll_interval_secs = 1\n\n\
         [window]\nfullscreen = true\n\n\
         [printer]\nmode = \"pdf\"\nfolder = \"printed\"\n\n\
         [calibration]\nsteps_kg = [0, 20, 50, 100]\ntolerance_kg = 0.2\nvalid_days = 30\n\n\
         [demo]\ncards_file = \"demo-cards.toml\"\n",
    );
    std::fs::write(&settings, text).unwrap();
    settings
}

/// The WebDriver session and the two windows' handles.
struct Ui {
    c: Client,
    kiosk: WindowHandle,
    staff: Option<WindowHandle>,
}

impl Ui {
    async fn switch_to_kiosk(&self) {
        self.c.switch_to_window(self.kiosk.clone()).await.unwrap();
    }

    async fn switch_to_staff(&mut self) {
        if self.staff.is_none() {
            self.staff = Some(find_window(&self.c, true).await);
        }
        self.c
            .switch_to_window(self.staff.clone().unwrap())
            .await
            .unwrap();
    }
}

/// The handle of the staff window (`staff.html`) or the participant window (`/` or
/// `index.html`), switching to each in turn; bounded.
async fn find_window(c: &Client, staff: bool) -> WindowHandle {
    let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
    let mut seen = Vec::new();
    loop {
        seen.clear();
        for handle in c.windows().await.unwrap() {
            c.switch_to_window(handle.clone()).await.unwrap();
            let path = c
                .execute("return location.pathname;", vec![])
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let is_staff = path.ends_with("/staff.html");
            let is_kiosk = path == "/" || path.ends_with("/index.html");
            if (staff && is_staff) || (!staff && is_kiosk) {
                return handle;
            }
            seen.push(path);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {} window within {SCREEN_WAIT:?}; pages: {seen:?}",
            if staff { "staff" } else { "participant" }
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `css` matches an element, failing with a screenshot of what is on screen instead.
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

/// Waits until at least `n` elements match `css`.
async fn wait_for_count(c: &Client, css: &str, n: usize, what: &str) -> usize {
    let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
    loop {
        let found = c
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0);
        if found >= n {
            return found;
        }
        if tokio::time::Instant::now() > deadline {
            save_screenshot(c, &format!("FAILED-waiting-for-{what}")).await;
            panic!("{what}: {found} of {n} ({css}) within {SCREEN_WAIT:?}");
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

/// Waits until what the DOM shows is painted: fonts loaded, then two animation frames.
async fn painted(c: &Client) {
    // Bounded: a hidden window paints no frames.
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        c.execute_async(
            "const done = arguments[arguments.length - 1];\n\
             document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
            vec![],
        ),
    )
    .await;
}

async fn save_screenshot(c: &Client, name: &str) -> (u32, u32) {
    painted(c).await;
    let png = tokio::time::timeout(SCREEN_WAIT, c.screenshot())
        .await
        .unwrap_or_else(|_| panic!("no screenshot {name} within {SCREEN_WAIT:?}"))
        .unwrap();
    let path = screenshots_dir().join(format!("staff-{name}.png"));
    std::fs::write(&path, &png).unwrap();
    println!("screenshot: {}", path.display());
    display::png_size(&png)
}

async fn click(c: &Client, css: &str) {
    let e = wait_for(
        c,
        css,
        &format!("click-{}", css.replace(['[', ']', '"', ' ', '='], "_")),
    )
    .await;
    e.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Types into a text input (keyboard events, as a person types).
async fn type_into(c: &Client, css: &str, text: &str) {
    let e = wait_for(c, css, "input").await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Sets an `<input type=date>` (WebKitGTK's date field takes no typed ISO text), with the
/// `input` event the page listens to.
async fn set_date(c: &Client, css: &str, date: &str) {
    wait_for(c, css, "date input").await;
    c.execute(
        "const [css, v] = arguments; const el = document.querySelector(css);\n\
         Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v);\n\
         el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![css.into(), date.into()],
    )
    .await
    .unwrap();
}

/// Scrolls the page back to its top (clicks scroll what they touch into view).
async fn scroll_to_top(c: &Client) {
    c.execute(
        "window.scrollTo(0, 0); document.querySelectorAll('*').forEach((e) => { if (e.scrollTop) e.scrollTop = 0; });",
        vec![],
    )
    .await
    .unwrap();
}

/// Signs in on the staff window's form; the accounts reach the station by its first roster
/// sync, so a refusal is retried a little (fewer tries than the lockout's five).
async fn sign_in(c: &Client, login: &str) {
    for attempt in 0..3 {
        wait_for(c, "[data-screen=staff-sign-in]", "sign-in form").await;
        type_into(c, "[data-testid=login]", login).await;
        type_into(c, "[data-testid=secret]", PASSWORD).await;
        click(c, "[data-testid=sign-in]").await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if c.find(Locator::Css("[data-screen=staff-home]"))
                .await
                .is_ok()
            {
                return;
            }
            if c.find(Locator::Css("[data-testid=sign-in-error]"))
                .await
                .is_ok()
                || tokio::time::Instant::now() > deadline
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let code = match c.find(Locator::Css("[data-testid=sign-in-error]")).await {
            Ok(e) => e.attr("data-code").await.ok().flatten().unwrap_or_default(),
            Err(_) => "(no answer)".to_owned(),
        };
        println!(
            "sign-in of {login}: {code} (attempt {attempt}); the roster may not be synced yet"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    save_screenshot(c, "FAILED-sign-in").await;
    panic!("{login} could not sign in");
}

/// The participant window's hidden staff key: Ctrl+Alt+S on the attract screen.
async fn staff_key(c: &Client) {
    let chord = KeyActions::new("staff-key".into())
        .then(KeyAction::Down {
            value: Key::Control.into(),
        })
        .then(KeyAction::Down {
            value: Key::Alt.into(),
        })
        .then(KeyAction::Down { value: 's' })
        .then(KeyAction::Up { value: 's' })
        .then(KeyAction::Up {
            value: Key::Alt.into(),
        })
        .then(KeyAction::Up {
            value: Key::Control.into(),
        });
    c.perform_actions(chord).await.unwrap();
    c.release_actions().await.unwrap();
}

/// Demo mode's simulated person steps on the analyzer: what the participant window's
/// 「乗る（デモ）」 button does (`demo_step_on`, granted to that window), called from it while
/// its attract screen shows, as the button is only on the guidance screen. Ends back in the
/// staff window.
async fn step_on_analyzer(ui: &mut Ui) {
    ui.switch_to_kiosk().await;
    let out = ui
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             window.__TAURI_INTERNALS__.invoke('demo_step_on').then(() => done('ok'), (e) => done(JSON.stringify(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(out, "ok", "demo_step_on");
    ui.switch_to_staff().await;
}

/// The participant window's other hidden gesture: a 3-second press in the invisible area at the
/// top-left corner of the attract screen (held a little longer than the 3 s).
async fn staff_corner_press(c: &Client) {
    let press = MouseActions::new("staff-corner".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: 30.0,
            y: 30.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(3_500),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(press).await.unwrap();
    c.release_actions().await.unwrap();
}

/// Waits until the admin command's output contains every one of `wanted`.
async fn server_has(db: &Path, args: &[&str], wanted: &[&str]) -> String {
    let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
    loop {
        let out = admin(db, args);
        if wanted.iter().all(|w| out.contains(w)) {
            return out;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server's `admin {args:?}` lacks {wanted:?} after {SCREEN_WAIT:?}:\n{out}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_technician_screens_in_the_real_windows() {
    let Some(tools) = tools_or_skip("staff window e2e") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let credential = seed(&db, &dir.path().join("docs"));
    let server = Server::start(&db);
    let settings = write_settings(dir.path(), &server.base, &credential);

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
    let kiosk = find_window(&c, false).await;
    let mut ui = Ui {
        c,
        kiosk,
        staff: None,
    };
    ui.switch_to_kiosk().await;
    let c = ui.c.clone();

    // No check recorded yet: the participant window says the analyzer needs one.
    wait_for(
        &c,
        "[data-screen=attract] [data-testid=unavailable][data-reason=never_checked]",
        "attract: analyzer needs a check",
    )
    .await;
    let size = save_screenshot(&c, "01-attract-needs-check").await;
    assert_eq!(
        size,
        display::SCREEN,
        "the participant window fills the screen"
    );

    // The hidden key opens the staff window at its sign-in form; the participant window says
    // staff are using the station.
    staff_key(&c).await;
    wait_for(
        &c,
        "[data-testid=unavailable][data-reason=staff_in_use]",
        "attract: staff in use",
    )
    .await;
    ui.switch_to_staff().await;
    wait_for(&c, "[data-screen=staff-sign-in]", "staff sign-in").await;
    let size = save_screenshot(&c, "02-sign-in").await;
    assert_eq!(size, display::SCREEN, "the staff window fills the screen");

    // A wrong password: refused without saying whether the account exists.
    type_into(&c, "[data-testid=login]", TECHNICIAN).await;
    type_into(&c, "[data-testid=secret]", "not-the-password").await;
    click(&c, "[data-testid=sign-in]").await;
    wait_for(
        &c,
        "[data-testid=sign-in-error][data-code=sign_in_refused]",
        "sign-in refused",
    )
    .await;
    let secret = c
        .find(Locator::Css("[data-testid=secret]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(secret.is_empty(), "the refused password stayed in the form");
    save_screenshot(&c, "03-sign-in-refused").await;

    // The technician: the menu offers technician work only.
    sign_in(&c, TECHNICIAN).await;
    wait_for(
        &c,
        "[data-testid=gate-closed][data-reason=never_checked]",
        "menu: gate closed",
    )
    .await;
    assert!(c
        .find(Locator::Css("[data-testid=menu-register]"))
        .await
        .is_err());
    save_screenshot(&c, "04-menu-technician").await;

    // Technician screen: the analyzer and the live monitor.
    click(&c, "[data-testid=menu-technician]").await;
    wait_for(&c, "[data-screen=staff-technician]", "technician screen").await;
    click(&c, "[data-testid=tap-toggle]").await;
    wait_for(
        &c,
        "[data-testid=tap-toggle][aria-pressed=true]",
        "monitor on",
    )
    .await;
    // An MC-780 is silent until someone stands on it: a person steps on the simulated analyzer
    // (nothing starts: staff hold the station).
    step_on_analyzer(&mut ui).await;
    wait_for_count(&c, "[data-testid=tap-lines] li", 3, "monitor lines").await;
    wait_for(
        &c,
        "[data-testid=tap-lines] li[data-kind=received]",
        "raw bytes received",
    )
    .await;
    wait_for(
        &c,
        "[data-testid=tap-lines] li[data-kind=decoded]",
        "a decoded frame",
    )
    .await;
    // The monitor follows the newest line; shown from its first line, with the whole panel.
    c.execute(
        "const box = document.querySelector('[data-testid=tap-lines]'); box.scrollTop = 0;\n\
         document.querySelector('[data-testid=tech-monitor]').scrollIntoView({ block: 'end' });",
        vec![],
    )
    .await
    .unwrap();
    save_screenshot(&c, "05-technician-monitor").await;

    // Calibration: the analyzer's legal-metrology dates, then every reference step.
    click(&c, "[data-testid=nav-home]").await;
    click(&c, "[data-testid=menu-calibration]").await;
    wait_for(&c, "[data-screen=staff-calibration]", "calibration screen").await;
    set_date(&c, "[data-testid=cal-verified]", "2025-04-01").await;
    set_date(&c, "[data-testid=cal-last]", "2025-10-01").await;
    set_date(&c, "[data-testid=cal-due]", "2027-09-30").await;
    click(&c, "[data-testid=cal-save-dates]").await;
    wait_for(&c, "[data-testid=cal-dates-saved]", "dates saved").await;
    save_screenshot(&c, "06-calibration-dates").await;
    click(&c, "[data-testid=cal-start]").await;
    wait_for(
        &c,
        "[data-testid=cal-run][data-state=waiting_for_weight]",
        "first step",
    )
    .await;
    for step in 1..=4 {
        click(&c, "[data-testid=cal-read]:not([disabled])").await;
        wait_for_count(&c, "[data-testid=cal-step]", step, "a step read").await;
        if step == 2 {
            wait_for(&c, "[data-testid=cal-prompt]", "the next step's prompt").await;
            save_screenshot(&c, "07-calibration-step").await;
        }
    }
    wait_for(&c, "[data-testid=cal-verdict][data-passed=true]", "合格").await;
    assert_eq!(
        c.find_all(Locator::Css("[data-testid=cal-step][data-ok=true]"))
            .await
            .unwrap()
            .len(),
        4
    );
    wait_for(&c, "[data-testid=gate-open]", "gate open").await;
    save_screenshot(&c, "08-calibration-passed").await;

    // Signing out closes staff mode: the staff window hides and the participant window, its
    // analyzer checked, takes cards again. The staff open it again with the other gesture, the
    // 3-second press in the top-left corner.
    click(&c, "[data-testid=sign-out]").await;
    wait_for(&c, "[data-screen=staff-sign-in]", "sign-in after sign-out").await;
    ui.switch_to_kiosk().await;
    wait_for(
        &c,
        "[data-screen=attract][data-available=true]",
        "attract, open",
    )
    .await;
    save_screenshot(&c, "09-attract-open").await;
    staff_corner_press(&c).await;
    wait_for(
        &c,
        "[data-testid=unavailable][data-reason=staff_in_use]",
        "attract: staff in use again",
    )
    .await;
    ui.switch_to_staff().await;
    sign_in(&c, STAFF).await;
    wait_for(&c, "[data-testid=menu-register]", "menu: register").await;
    assert!(c
        .find(Locator::Css("[data-testid=menu-calibration]"))
        .await
        .is_err());
    save_screenshot(&c, "10-menu-staff").await;

    // A paper application: first with a birth date that makes the applicant 15.
    click(&c, "[data-testid=menu-register]").await;
    wait_for(&c, "[data-screen=staff-register]", "register form").await;
    wait_for(&c, "[data-testid=rule-cap]", "rules").await;
    type_into(&c, "[data-testid=f-participant]", APPLICANT).await;
    let young = format!("{}-04-01", &today()[..4].parse::<u32>().unwrap() - 15);
    set_date(&c, "[data-testid=f-birth]", &young).await;
    click(&c, "[data-testid=choice-sex] [data-value=female]").await;
    type_into(&c, "[data-testid=f-height]", "158.5").await;
    click(&c, "[data-testid=choice-body] [data-value=standard]").await;
    click(&c, "[data-testid=choice-implanted] [data-value=false]").await;
    click(&c, "[data-testid=choice-local] [data-value=true]").await;
    click(&c, "[data-testid=choice-consent] [data-value=on_screen]").await;
    click(&c, "[data-testid=register-submit]:not([disabled])").await;
    wait_for(&c, "[data-testid=ineligible] [data-reason]", "ineligible").await;
    save_screenshot(&c, "11-register-too-young").await;

    // The right birth date: the form as filled, then registered.
    set_date(&c, "[data-testid=f-birth]", "1975-05-05").await;
    scroll_to_top(&c).await;
    save_screenshot(&c, "12-register-filled").await;
    click(&c, "[data-testid=register-submit]:not([disabled])").await;
    wait_for(&c, "[data-screen=staff-registered]", "registered").await;
    // The sync worker sends it; the server accepts it and issues the card.
    wait_for(
        &c,
        "[data-testid=registered][data-state=accepted]",
        "registration accepted",
    )
    .await;
    wait_for(
        &c,
        "[data-screen=staff-registered] [data-testid=print-card]",
        "card ready",
    )
    .await;
    save_screenshot(&c, "13-registered-accepted").await;

    // The card, printed as a PDF into the folder.
    click(
        &c,
        "[data-screen=staff-registered] [data-testid=print-card]",
    )
    .await;
    wait_for(
        &c,
        "[data-testid=print-confirm][data-mode=sent]",
        "card sent",
    )
    .await;
    let printed = dir.path().join("printed");
    let pdf = std::fs::read_dir(&printed)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap_or_else(|| panic!("no PDF in {}", printed.display()));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
    save_screenshot(&c, "14-card-printed").await;
    click(&c, "[data-testid=print-close]").await;

    // The registrations list, then the queue.
    click(&c, "[data-testid=nav-home]").await;
    click(&c, "[data-testid=menu-registrations]").await;
    let row =
        format!("[data-testid=registration][data-participant={APPLICANT}][data-state=accepted]");
    wait_for(&c, &row, "registrations list").await;
    save_screenshot(&c, "15-registrations").await;
    click(&c, &format!("{row} [data-testid=queue-add]")).await;
    click(&c, "[data-testid=nav-home]").await;
    click(&c, "[data-testid=menu-queue]").await;
    let queued = format!("[data-testid=queued][data-participant={APPLICANT}]");
    wait_for(&c, &format!("{queued}[data-state=waiting]"), "queue").await;
    save_screenshot(&c, "16-queue").await;

    // 測定: the participant window runs the session.
    click(&c, &format!("{queued} [data-testid=measure]")).await;
    ui.switch_to_kiosk().await;
    wait_for(&c, "[data-screen=consent]", "participant: consent").await;
    let who = wait_for(&c, "[data-testid=participant]", "participant number")
        .await
        .text()
        .await
        .unwrap();
    assert!(who.contains(APPLICANT), "{who}");
    save_screenshot(&c, "17-participant-consent").await;
    click(&c, "[data-purpose=measurement] [data-choice=agree]").await;
    click(&c, "[data-purpose=statistics] [data-choice=disagree]").await;
    click(&c, "[data-testid=consent-confirm]").await;
    wait_for(&c, "[data-screen=safety]", "participant: safety").await;
    click(&c, "[data-testid=safety-no]").await;
    wait_for(
        &c,
        "[data-screen=guidance][data-step=step_on]",
        "participant: step on",
    )
    .await;
    save_screenshot(&c, "18-participant-guidance").await;
    click(&c, "[data-testid=demo-step-on]").await;
    wait_for(&c, "[data-screen=results]", "participant: results").await;
    save_screenshot(&c, "19-participant-results").await;
    click(&c, "[data-testid=finish]").await;
    wait_for(&c, "[data-screen=attract]", "participant: attract").await;

    // The staff window is back, at the queue, the person measured.
    ui.switch_to_staff().await;
    wait_for(&c, "[data-screen=staff-queue]", "staff queue again").await;
    wait_for(
        &c,
        &format!("{queued}:not([data-state=waiting]):not([data-state=measuring])"),
        "queue: measured",
    )
    .await;
    save_screenshot(&c, "20-queue-after-measuring").await;
    click(&c, "[data-testid=sign-out]").await;
    wait_for(&c, "[data-screen=staff-sign-in]", "signed out").await;

    // Staff mode over: the participant window is open for cards again.
    ui.switch_to_kiosk().await;
    wait_for(
        &c,
        "[data-screen=attract][data-available=true]",
        "attract, open",
    )
    .await;
    save_screenshot(&c, "21-attract-after-staff").await;
    c.close().await.unwrap();

    // The server has the technician's passed check and the registration with its card.
    let checks = server_has(
        &db,
        &["calibrations", "--program", PROGRAM],
        &[TECHNICIAN, "合格 / passed", "2027-09-30"],
    )
    .await;
    println!("server calibrations:\n{checks}");
    let cards = server_has(
        &db,
        &[
            "card",
            "list",
            "--program",
            PROGRAM,
            "--participant",
            APPLICANT,
        ],
        &[APPLICANT, "1 枚 / cards"],
    )
    .await;
    println!("server cards:\n{cards}");
    let held = admin(&db, &["registrations", "held", "--program", PROGRAM]);
    assert!(
        !held.contains(APPLICANT),
        "the registration is held: {held}"
    );
    // The queue measurement reached the server too (it awarded the points shown).
    let balance = server_has(
        &db,
        &[
            "points",
            "balance",
            "--program",
            PROGRAM,
            "--participant",
            APPLICANT,
        ],
        &["balance: "],
    )
    .await;
    let points: u32 = balance
        .split("balance: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the balance: {balance}"));
    assert!(points > 0, "no points on the server: {balance}");
    drop(server);
}
