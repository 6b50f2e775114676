//! What the session benchmarks share: the real `hakaru-central` seeded with a program, this
//! station, documents, one required purpose and a few participants with cards; a simulated
//! analyzer on a pty run by the bench itself (the sans-IO [`Device`] with our own I/O loop, so
//! the bench reads `CLOCK_MONOTONIC` right after the `write` that put a result frame's last byte
//! on the line); the kiosk in its real window under Xvfb + matchbox, driven through
//! tauri-driver/WebKitWebDriver; the app's "screen painted" log lines (screen name and
//! `CLOCK_MONOTONIC` ns, see `src-tauri/src/startup.rs`) followed from the driver's log; a driver
//! of one participant's visit; PSS of a process tree; and summary statistics.
//!
//! Deliberately not here: what each benchmark measures and prints (`session_latency.rs`,
//! `session_memory.rs`).

#![allow(dead_code)] // each bench uses a part

#[path = "../../tests/support/cards.rs"]
pub mod cards;
#[path = "../../tests/support/display.rs"]
pub mod display;

use display::{free_port, tools_or_skip, wait_for_port, Display, HandheldReader, Proc, Tools};
use fantoccini::{Client, ClientBuilder, Locator};
use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::sim::pty::{PtyEnd, StablePath};
use hakaru_devices::sim::{Device, DeviceConfig, TransmitKind};
use hakaru_e2e::central_process::{admin, Server};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

pub const PROGRAM: &str = "prog-bench";
pub const STATION: &str = "bench-kiosk-01";

/// How long after a card read the kiosk must paint a session screen before the card is read
/// again.
pub const RESCAN_AFTER: Duration = Duration::from_secs(5);

/// How long any one screen may take before the bench gives up.
pub const SCREEN_WAIT: Duration = Duration::from_secs(30);

/// `CLOCK_MONOTONIC` now, in ns (the clock the app's "screen painted" lines use).
pub fn monotonic_ns() -> u64 {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).unwrap();
    t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64
}

/// An env var as a number, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `cargo test --benches` / nextest listing: nothing to run as a test.
pub fn listing_only() -> bool {
    std::env::args().any(|a| a == "--list" || a == "--test")
}

// --- the central server ---------------------------------------------------------------------

/// A central server with one program, this station, documents in both languages, one required
/// purpose, and `participants` participants with a card each. Returns the station credential.
pub fn seed(db: &Path, docs: &Path, participants: usize) -> String {
    admin(
        db,
        &[
            "program",
            "create",
            "--id",
            PROGRAM,
            "--name-ja",
            "ベンチ市",
            "--name-en",
            "Bench City",
        ],
    );
    admin(
        db,
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
    );
    admin(
        db,
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
    );
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
                format!("{kind}（ベンチ）\n\n測定結果は健康ポイントのために使います。"),
            ),
            (
                "en",
                format!("{kind} (bench)\n\nReadings are used for health points."),
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
    for i in 0..participants {
        let number = format!("B-{:04}", i + 1);
        admin(
            db,
            &[
                "participant",
                "put",
                "--program",
                PROGRAM,
                "--number",
                &number,
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
                &number,
            ],
        );
    }
    credential.trim().to_owned()
}

fn toml_str(path: &Path) -> String {
    serde_json::to_string(path.to_str().unwrap()).unwrap()
}

/// The kiosk's settings: this server, the analyzer's pty, the handheld reader's path,
/// fullscreen, and `session` (extra `[session]` lines, e.g. a 1 s thank-you).
pub fn write_settings(
    dir: &Path,
    server: &str,
    credential: &str,
    scale: &Path,
    reader: &Path,
    session: &str,
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
         [session]\n{session}\n\n[window]\nfullscreen = true\n",
        data = toml_str(&dir.join("station")),
        scale = toml_str(scale),
        reader = toml_str(reader),
        cred = toml_str(&credential_file),
    );
    std::fs::write(&settings, text).unwrap();
    calibrated(&dir.join("station"));
    settings
}

/// Enrolls the kiosk's store and records a passing calibration check of the simulated analyzer
/// today, so the calibration gate lets participants measure.
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

// --- the simulated analyzer -----------------------------------------------------------------

/// A simulated MC-780 on a pty, run by this process: `measure()` steps a person on; every
/// complete result frame's last-byte time (`CLOCK_MONOTONIC` ns, read right after the `write`
/// that carried it) arrives on `frames`. Lines are written whole, unpaced (the link reads
/// them at once; "last byte" is what counts here).
pub struct Analyzer {
    pub path: PathBuf,
    measure: mpsc::UnboundedSender<()>,
    pub frames: mpsc::UnboundedReceiver<u64>,
    _task: tokio::task::JoinHandle<()>,
}

impl Analyzer {
    pub fn start(measure_time: Duration) -> Analyzer {
        let mut config = DeviceConfig::new(ModelProfile::find("MC-780").unwrap());
        config.measure_time = measure_time;
        let stable = StablePath::new(None).unwrap();
        let port = PtyEnd::open().unwrap();
        stable.point_to(port.slave_path()).unwrap();
        let path = stable.path().to_owned();
        let (measure_tx, measure_rx) = mpsc::unbounded_channel();
        let (frames_tx, frames_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run_analyzer(
            Device::new(config),
            stable,
            port,
            measure_rx,
            frames_tx,
        ));
        Analyzer {
            path,
            measure: measure_tx,
            frames: frames_rx,
            _task: task,
        }
    }

    /// A person steps on.
    pub fn measure(&self) {
        self.measure.send(()).unwrap();
    }
}

async fn run_analyzer(
    mut device: Device,
    _stable: StablePath,
    mut port: PtyEnd,
    mut measure: mpsc::UnboundedReceiver<()>,
    frames: mpsc::UnboundedSender<u64>,
) {
    let epoch = tokio::time::Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        device.handle_timeout(epoch.elapsed());
        while device.poll_action().is_some() {} // no faults are injected
        while let Some(t) = device.poll_transmit() {
            let mut sent = 0;
            while sent < t.bytes.len() {
                match port.try_write(&t.bytes[sent..]) {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(1)).await,
                    Ok(n) => sent += n,
                    Err(e) => panic!("analyzer pty write: {e}"),
                }
            }
            if t.kind == TransmitKind::Frame {
                let _ = frames.send(monotonic_ns());
            }
        }
        let wake = device.poll_timeout();
        let sleep = async {
            match wake {
                Some(w) => tokio::time::sleep_until(epoch + w).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            m = measure.recv() => match m {
                Some(()) => device.measure(epoch.elapsed()),
                None => return,
            },
            r = port.read(&mut buf) => match r {
                Ok(n) => device.handle_input(&buf[..n], epoch.elapsed()),
                Err(e) => panic!("analyzer pty read: {e}"),
            },
            () = sleep => {}
        }
    }
}

// --- the app's "screen painted" lines -------------------------------------------------------

/// One "screen painted" line of the app: the screen (guidance with its step) and when.
#[derive(Debug, Clone)]
pub struct Painted {
    pub screen: String,
    pub monotonic_ns: u64,
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.split(&format!(" {name}=")).nth(1)?;
    Some(rest.split_whitespace().next()?.trim_matches('"'))
}

/// Follows `log` (the driver's log, where the app's stderr goes) from its start and sends every
/// "screen painted" line; other lines are passed to `other` when it is set (for failures).
pub fn follow_painted(log: PathBuf) -> mpsc::UnboundedReceiver<Painted> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let file = loop {
            if let Ok(f) = std::fs::File::open(&log) {
                break f;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        loop {
            match reader.read_line(&mut line) {
                Ok(0) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                Ok(_) if !line.ends_with('\n') => continue, // the rest is still being written
                Ok(_) => {}
                Err(_) => return,
            }
            let clean = strip_ansi(&line);
            line.clear();
            if !clean.contains("screen painted") {
                continue;
            }
            let (Some(screen), Some(ns)) = (field(&clean, "screen"), field(&clean, "monotonic_ns"))
            else {
                continue;
            };
            let painted = Painted {
                screen: screen.to_owned(),
                monotonic_ns: ns.parse().unwrap_or(0),
            };
            if tx.send(painted).is_err() {
                return;
            }
        }
    });
    rx
}

// --- the kiosk in its window ----------------------------------------------------------------

/// tauri-driver on free ports, on `display`, its output (and the app's, which inherits the
/// driver's environment and stderr) to `log`, with the app's "screen painted" lines on.
fn start_driver_logging(tools: &Tools, display: &Display, log: &Path) -> (Proc, u16) {
    let port = free_port();
    let native = free_port();
    let log = std::fs::File::create(log).unwrap();
    let child = std::process::Command::new(&tools.tauri_driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .env(
            "HAKARU_LOG",
            std::env::var("HAKARU_BENCH_APP_LOG")
                .unwrap_or_else(|_| "info,hakaru_kiosk_app::painted=debug".to_owned()),
        )
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    (Proc(child), port)
}

/// Everything one benchmark run holds: keep it alive for the run.
pub struct Rig {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub server: Server,
    pub analyzer: Analyzer,
    pub reader: HandheldReader,
    pub tokens: Vec<String>,
    pub client: Client,
    pub painted: mpsc::UnboundedReceiver<Painted>,
    pub driver: Proc,
    pub display: Display,
    /// How many sessions needed the consent screen.
    pub consents: usize,
    /// How many card reads the kiosk did not take (read again).
    pub rescans: usize,
}

impl Rig {
    /// Seeds the server with `participants`, starts everything and waits for the attract screen
    /// to be painted. `None` when the window tools are missing (skipped, reason printed).
    pub async fn start(
        bench: &str,
        participants: usize,
        measure_time: Duration,
        session: &str,
    ) -> Option<Rig> {
        let tools = tools_or_skip(bench)?;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("central.db");
        let credential = seed(&db, &dir.path().join("docs"), participants);
        let mut tokens: Vec<String> = cards::active_cards(&db, PROGRAM)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.token)
            .collect();
        tokens.sort();
        assert_eq!(tokens.len(), participants);
        let server = Server::start(&db);
        let analyzer = Analyzer::start(measure_time);
        let reader_path = dir.path().join("handheld");
        let reader = HandheldReader::plug(&reader_path);
        let settings = write_settings(
            dir.path(),
            &server.base,
            &credential,
            &analyzer.path,
            &reader_path,
            session,
        );
        let display = Display::start(&tools);
        let log = dir.path().join("tauri-driver.log");
        let (driver, port) = start_driver_logging(&tools, &display, &log);
        let painted = follow_painted(log);
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
        // The first session request sometimes meets a driver not quite up: try again.
        let mut tries = 0;
        let client = loop {
            tries += 1;
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if tries < 3 => {
                    eprintln!("WebDriver session failed ({e}); trying again");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => {
                    panic!("WebDriver session (tauri-driver → WebKitWebDriver → hakaru-kiosk): {e}")
                }
            }
        };
        let mut rig = Rig {
            dir,
            db,
            server,
            analyzer,
            reader,
            tokens,
            client,
            painted,
            driver,
            display,
            consents: 0,
            rescans: 0,
        };
        rig.wait_painted(&["attract"]).await;
        Some(rig)
    }

    /// The next painted screen among `screens` within `within`, if any (others are skipped).
    async fn painted_within(&mut self, screens: &[&str], within: Duration) -> Option<Painted> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.painted.recv()).await {
                Ok(Some(p)) if screens.contains(&p.screen.as_str()) => return Some(p),
                Ok(Some(_)) => {}
                Ok(None) => panic!("the log follower stopped"),
                Err(_) => return None,
            }
        }
    }

    /// The next painted screen among `screens` (others are skipped); fails after SCREEN_WAIT.
    pub async fn wait_painted(&mut self, screens: &[&str]) -> Painted {
        let deadline = tokio::time::Instant::now() + SCREEN_WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.painted.recv()).await {
                Ok(Some(p)) if screens.contains(&p.screen.as_str()) => return p,
                Ok(Some(_)) => {}
                Ok(None) => panic!("the log follower stopped"),
                Err(_) => {
                    self.keep_log();
                    panic!(
                        "none of {screens:?} painted within {SCREEN_WAIT:?}; log: {}",
                        self.dir.path().join("tauri-driver.log").display()
                    )
                }
            }
        }
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// One participant's visit, from the card to the thank-you screen painted: card → (consent
    /// the first time) → safety "no" → guidance → the analyzer measures → results → finish →
    /// thank you. Returns when the result frame's last byte was written and the screens after
    /// it were painted. The kiosk stays on the thank-you screen (the next card may come now, as
    /// in a queue); [`Rig::wait_attract`] waits out the thank-you.
    pub async fn visit(&mut self, participant: usize) -> Visit {
        let token = self.tokens[participant % self.tokens.len()].clone();
        // A card the kiosk did not take (nothing painted) is read again, as a person would.
        let mut scans = 0;
        loop {
            self.reader.scan(&token);
            scans += 1;
            let first = ["identifying", "consent", "safety"];
            if self.painted_within(&first, RESCAN_AFTER).await.is_some() {
                break;
            }
            if scans >= 5 {
                self.keep_log();
                panic!("the kiosk took none of {scans} card reads");
            }
            self.rescans += 1;
        }
        loop {
            let p = self
                .wait_painted(&["consent", "safety", "guidance_step_on", "ended"])
                .await;
            match p.screen.as_str() {
                "consent" => {
                    self.consents += 1;
                    self.click("[data-purpose=measurement] [data-choice=agree]")
                        .await;
                    self.click("[data-testid=consent-confirm]").await;
                }
                "safety" => self.click("[data-testid=safety-no]").await,
                "guidance_step_on" => break,
                _ => panic!("the session ended before the measurement"),
            }
        }
        // Drop any earlier frame time, then step on.
        while self.analyzer.frames.try_recv().is_ok() {}
        self.analyzer.measure();
        let last_byte = tokio::time::timeout(SCREEN_WAIT, self.analyzer.frames.recv())
            .await
            .expect("the analyzer sent no frame")
            .unwrap();
        let mut saving = None;
        let results = loop {
            let p = self
                .wait_painted(&["guidance_saving", "results", "ended"])
                .await;
            match p.screen.as_str() {
                "guidance_saving" => saving = Some(p.monotonic_ns),
                "results" => break p.monotonic_ns,
                _ => panic!("the session ended instead of showing results"),
            }
        };
        self.click("[data-testid=finish]").await;
        self.wait_painted(&["ended"]).await;
        Visit {
            last_byte,
            saving,
            results,
        }
    }

    /// Copies the driver's log (with the app's) to `$HAKARU_BENCH_KEEP_LOG`, when set.
    pub fn keep_log(&self) {
        if let Some(to) = std::env::var_os("HAKARU_BENCH_KEEP_LOG") {
            std::fs::copy(self.dir.path().join("tauri-driver.log"), &to).unwrap();
            println!("log kept: {}", Path::new(&to).display());
        }
    }

    /// Waits for the attract screen after a thank-you.
    pub async fn wait_attract(&mut self) {
        self.wait_painted(&["attract"]).await;
    }

    /// The kiosk app's pid: the `hakaru-kiosk` process under the driver.
    pub fn app_pid(&self) -> u32 {
        let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_hakaru-kiosk")).unwrap();
        descendants(self.driver.0.id())
            .into_iter()
            .find(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok().as_ref() == Some(&exe))
            .expect("the hakaru-kiosk process under tauri-driver")
    }
}

/// The times of one visit, `CLOCK_MONOTONIC` ns.
#[derive(Debug, Clone, Copy)]
pub struct Visit {
    /// The result frame's last byte written to the analyzer's line.
    pub last_byte: u64,
    /// The guidance screen's "saving" step painted (absent when the results came in the same
    /// frame).
    pub saving: Option<u64>,
    /// The results screen painted.
    pub results: u64,
}

impl Drop for Rig {
    /// tauri-driver's WebKitWebDriver outlives a killed tauri-driver and ignores SIGTERM: kill
    /// everything the driver started (the app and its WebKit processes too).
    fn drop(&mut self) {
        let driver = self.driver.0.id();
        for pid in descendants(driver).into_iter().filter(|p| *p != driver) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

// --- processes and figures ------------------------------------------------------------------

/// `pid` and every process below it.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        let after = &stat[stat.rfind(')').unwrap_or(0) + 1..];
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse::<u32>().ok())
        {
            parent_of.push((p, ppid));
        }
    }
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    all
}

/// One process's PSS in kB (`/proc/PID/smaps_rollup`), with its command name.
pub fn pss_kb(pid: u32) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let kb = text
        .lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    Some((name, kb))
}

/// PSS of `pid` and its descendants: the total in kB and each process (name, kB).
pub fn pss_tree(pid: u32) -> (u64, Vec<(String, u64)>) {
    let each: Vec<(String, u64)> = descendants(pid).into_iter().filter_map(pss_kb).collect();
    (each.iter().map(|(_, kb)| kb).sum(), each)
}

/// Sorted copy's value at quantile `q` (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
