//! The real-window harness: the tools the test needs (found, or a clear reason why not), a
//! private X display (Xvfb on a free display number, with matchbox as the window manager so the
//! kiosk window really goes fullscreen), tauri-driver on free ports, and a handheld card reader
//! as a pseudo-terminal.
//!
//! Deliberately not here: the kiosk's settings, the server and the flow (`window.rs`).

#![allow(clippy::unwrap_used)] // a failure here fails the calling test

use std::io::{BufRead, BufReader, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The screen the kiosk is tested on (a common 10" kiosk panel).
pub const SCREEN: (u32, u32) = (1280, 800);

/// The external programs the test drives.
#[derive(Debug)]
pub struct Tools {
    pub xvfb: PathBuf,
    pub matchbox: PathBuf,
    pub tauri_driver: PathBuf,
}

/// Finds every tool, or says which are missing and how to install them. Under CI (`CI` set) a
/// missing tool fails the test; on a developer machine the test is skipped with that reason.
pub fn tools_or_skip(test: &str) -> Option<Tools> {
    let mut missing = Vec::new();
    let mut find = |name: &str, package: &str| {
        let found = which(name);
        if found.is_none() {
            missing.push(format!("{name} ({package})"));
        }
        found
    };
    let xvfb = find("Xvfb", "apt: xvfb");
    let matchbox = find("matchbox-window-manager", "apt: matchbox-window-manager");
    let driver = find("WebKitWebDriver", "apt: webkit2gtk-driver");
    let tauri_driver = find("tauri-driver", "cargo install tauri-driver --locked");
    if missing.is_empty() {
        let _ = driver;
        return Some(Tools {
            xvfb: xvfb.unwrap(),
            matchbox: matchbox.unwrap(),
            tauri_driver: tauri_driver.unwrap(),
        });
    }
    let reason = format!(
        "{test}: 必要なツールがありません / missing tools: {}. scripts/setup --test で入ります / \
         scripts/setup --test installs them",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{reason} (CI: a missing tool is a failure, not a skip)");
    }
    // Shown even where test output is captured: libtest captures only the print macros, and
    // nextest shows a passing test's output only on request, so the terminal is told directly.
    let line = format!("SKIPPED {reason}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = tty.write_all(line.as_bytes());
    }
    None
}

/// `name` on `PATH`, or in `~/.cargo/bin` (cargo-installed tools).
fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// A child process killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X display with a window manager.
#[derive(Debug)]
pub struct Display {
    /// `:N`.
    pub name: String,
    // Dropped in order: the window manager before the X server.
    _wm: Proc,
    _xvfb: Proc,
}

impl Display {
    /// Starts Xvfb on a free display number (`-displayfd`) and matchbox on it.
    pub fn start(tools: &Tools) -> Display {
        let screen = format!("{}x{}x24", SCREEN.0, SCREEN.1);
        // -displayfd 1: Xvfb picks a free display and writes its number to our pipe.
        let mut xvfb = Command::new(&tools.xvfb)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &screen,
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not report its display: {line:?}"));
        let xvfb = Proc(xvfb);
        let name = format!(":{number}");
        let wm = Command::new(&tools.matchbox)
            .args(["-use_titlebar", "no"])
            .env("DISPLAY", &name)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Display {
            name,
            _wm: Proc(wm),
            _xvfb: xvfb,
        }
    }
}

/// A free loopback TCP port (bound, then released for the program that will use it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// tauri-driver (which starts WebKitWebDriver) on free ports, on `display`.
pub fn start_driver(tools: &Tools, display: &Display, log: &Path) -> (Proc, u16) {
    let port = free_port();
    let native = free_port();
    let log = std::fs::File::create(log).unwrap();
    let child = Command::new(&tools.tauri_driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    (Proc(child), port)
}

/// Waits until a TCP port accepts connections.
pub async fn wait_for_port(port: u16, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing listens on port {port} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A handheld card reader in serial mode: a pty whose slave is reachable at a symlink (as
/// `/dev/serial/by-id/…` would be); the test types cards into the master.
#[derive(Debug)]
pub struct HandheldReader {
    master: std::fs::File,
    _slave: OwnedFd,
}

impl HandheldReader {
    /// Plugs a new reader in at `link`.
    pub fn plug(link: &Path) -> HandheldReader {
        let pair = nix::pty::openpty(None, None).unwrap();
        let slave = nix::unistd::ttyname(&pair.slave).unwrap();
        std::os::unix::fs::symlink(&slave, link).unwrap();
        HandheldReader {
            master: std::fs::File::from(pair.master),
            _slave: pair.slave,
        }
    }

    /// Reads a card: the reader sends its text and a carriage return.
    pub fn scan(&mut self, token: &str) {
        self.master.write_all(token.as_bytes()).unwrap();
        self.master.write_all(b"\r").unwrap();
        self.master.flush().unwrap();
    }
}

/// Width and height of a PNG (from its IHDR chunk).
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}
