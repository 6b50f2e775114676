//! The assembled kiosk's two device card readers through its public API: a handheld reader in
//! serial mode on a real pseudo-terminal behind a stable symlink (`[cards] handheld_port`), and
//! the camera path fed by a frame source instead of nokhwa ([`Kiosk::start_with_camera`]) — the
//! real capture and decode threads, the real QR decoder, synthetic frames of a real card.
//!
//! Proves: a genuine card's line opens that participant's session; a damaged one is a `card_*`
//! notice and no session; unplugging the handheld reader is a status change the kiosk survives,
//! and the replugged reader reads again. A card in the camera's view opens a session; the
//! camera reports "running"; previews reach the attract screen and never follow a session
//! screen (no camera picture over a participant's screen) until the attract screen is back; an
//! empty room opens nothing. Every wait is for an event or a status, bounded.

#![allow(clippy::unwrap_used)]

mod support;

use hakaru_devices::card::camera::{
    FrameSource, SourceError, SourceFactory, SyntheticOptions, SyntheticSource,
};
use hakaru_devices::card::frame::GrayFrame;
use hakaru_devices::card::handheld::ReaderStatus;
use hakaru_devices::card::synth::{background_frame, card_frame, Variant};
use hakaru_devices::sim::pty::{PtyEnd, StablePath};
use hakaru_kiosk::view::{Answer, EndCode, KioskEvent, Screen};
use hakaru_kiosk::{Kiosk, KioskSetup};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{
    consent_screen, identifying, next, seeded_store_with_card, start, write_settings, Sections,
    WAIT,
};
use tokio::sync::{broadcast, watch};

const W: u32 = 1280;
const H: u32 = 720;
/// A camera's frame period.
const FRAME: Duration = Duration::from_millis(33);

/// What a test's kiosk runs on: its settings file, the card's token, and the analyzer's pty
/// (plugged in and silent: these tests never weigh anyone).
struct Setup {
    config: PathBuf,
    token: String,
    _scale: PtyEnd,
}

/// A store seeded with documents, purposes, the roster and the participant's synced card, and
/// a settings file over it; `cards` is the `[cards]` section's body.
fn setup(dir: &Path, cards: &str) -> Setup {
    let data = dir.join("data");
    let token = seeded_store_with_card(&data);
    let scale = PtyEnd::open().unwrap();
    let config = write_settings(
        dir,
        &data,
        &Sections {
            scale: &format!("port = \"{}\"", scale.slave_path().display()),
            cards: &format!("wedge = false\n{cards}"),
            session: "explanation_secs = 1",
            more: "",
        },
    );
    Setup {
        config,
        token,
        _scale: scale,
    }
}

/// `token` with one character of its tag changed (still in the token alphabet).
fn damaged(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let at = chars.len() - 6;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// The handheld reader in serial mode
// ---------------------------------------------------------------------------------------

/// A handheld reader plugged in at a stable path (like `/dev/serial/by-id/…`).
struct Handheld {
    path: StablePath,
    pty: Option<PtyEnd>,
}

impl Handheld {
    fn plug() -> Handheld {
        let mut h = Handheld {
            path: StablePath::new(None).unwrap(),
            pty: None,
        };
        h.replug();
        h
    }

    fn replug(&mut self) {
        let pty = PtyEnd::open().unwrap();
        self.path.point_to(pty.slave_path()).unwrap();
        self.pty = Some(pty);
    }

    /// The reader is pulled out: its device node goes and so does the path.
    fn unplug(&mut self) {
        self.pty = None;
        self.path.remove().unwrap();
    }

    /// What the reader sends for a scanned card: the text and CR.
    fn scan(&mut self, text: &str) {
        let bytes = format!("{text}\r").into_bytes();
        let pty = self.pty.as_mut().expect("plugged in");
        let mut sent = 0;
        while sent < bytes.len() {
            let n = pty.try_write(&bytes[sent..]).unwrap();
            assert!(
                n > 0,
                "the pty took nothing (a 37-byte line fits its queue)"
            );
            sent += n;
        }
    }
}

/// Waits until the kiosk's handheld reader reports a status `pick` accepts.
async fn reader_status(
    status: &mut watch::Receiver<Option<ReaderStatus>>,
    what: &str,
    pick: impl Fn(&ReaderStatus) -> bool,
) -> ReaderStatus {
    let got = tokio::time::timeout(WAIT, status.wait_for(|s| s.as_ref().is_some_and(&pick)))
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for the reader to be {what}"))
        .expect("the reader's status ended");
    got.clone().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handheld_reader_opens_a_session_rejects_a_damaged_card_and_survives_an_unplug() {
    let dir = tempfile::tempdir().unwrap();
    let mut reader = Handheld::plug();
    let s = setup(
        dir.path(),
        &format!(
            "camera = \"off\"\nhandheld_port = \"{}\"",
            reader.path.path().display()
        ),
    );
    let kiosk = start(s.config.clone());
    let mut live = kiosk.subscribe().live;
    let mut status = kiosk
        .handheld_status()
        .expect("a handheld reader is configured");
    reader_status(&mut status, "connected", ReaderStatus::is_connected).await;

    // A damaged card: a notice, and no session (the genuine card's screens come next).
    reader.scan(&damaged(&s.token));
    let notice = next(&mut live, "the damaged card's notice", |e| match e {
        KioskEvent::Notice(n) => Some(n.clone()),
        KioskEvent::Screen(s) => panic!("a damaged card changed the screen: {s:?}"),
        _ => None,
    })
    .await;
    assert_eq!(notice.code, "card_bad_signature");

    // Unplugged: the reader says so, the kiosk keeps running and showing the attract screen.
    reader.unplug();
    let gone = reader_status(&mut status, "disconnected", |s| {
        matches!(s, ReaderStatus::Disconnected { .. })
    })
    .await;
    assert!(!gone.is_connected());
    let replay = kiosk.subscribe().replay;
    assert!(replay.contains(&KioskEvent::Screen(Screen::Attract)));

    // Plugged in again at the same path: it reconnects and the genuine card opens a session.
    reader.replug();
    reader_status(&mut status, "reconnected", ReaderStatus::is_connected).await;
    reader.scan(&s.token);
    let session = identifying(&mut live).await;
    consent_screen(&mut live, session).await;

    kiosk.shutdown().await;
    let stopped = reader_status(&mut status, "stopped", |s| {
        matches!(s, ReaderStatus::Stopped)
    })
    .await;
    assert!(!stopped.is_connected());
}

// ---------------------------------------------------------------------------------------
// The camera
// ---------------------------------------------------------------------------------------

/// A camera over a room where the test decides when a card is held up; it counts the frames
/// it delivered.
struct Scripted {
    card: GrayFrame,
    room: GrayFrame,
    show: Arc<AtomicBool>,
    frames: watch::Sender<u64>,
}

impl FrameSource for Scripted {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        // The camera's frame period (not synchronisation: nothing waits for this).
        std::thread::sleep(FRAME);
        self.frames.send_modify(|n| *n += 1);
        Ok(if self.show.load(Ordering::Relaxed) {
            self.card.clone()
        } else {
            self.room.clone()
        })
    }
}

/// A factory giving `source` the first time and "no camera" after (nothing here fails).
fn once(source: impl FrameSource + 'static) -> SourceFactory {
    let mut source = Some(source);
    Box::new(move || {
        source
            .take()
            .map(|s| Box::new(s) as Box<dyn FrameSource>)
            .ok_or(SourceError::NoCamera)
    })
}

fn start_with(config: PathBuf, camera: SourceFactory) -> Kiosk {
    Kiosk::start_with_camera(
        KioskSetup::load(Some(config)),
        &tokio::runtime::Handle::current(),
        camera,
    )
}

/// Waits until the camera says "running" (in the replay, or later).
async fn camera_running(kiosk: &Kiosk, live: &mut broadcast::Receiver<KioskEvent>) {
    let replay = kiosk.subscribe().replay;
    let state = replay.iter().find_map(|e| match e {
        KioskEvent::Camera(c) => Some(c.state.clone()),
        _ => None,
    });
    assert!(
        matches!(state.as_deref(), Some("starting" | "running")),
        "{state:?}"
    );
    if state.as_deref() != Some("running") {
        next(live, "the camera running", |e| match e {
            KioskEvent::Camera(c) if c.state == "running" => Some(()),
            KioskEvent::Camera(c) if c.state != "starting" => panic!("camera {}", c.state),
            _ => None,
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_in_the_cameras_view_opens_that_participants_session() {
    let dir = tempfile::tempdir().unwrap();
    let s = setup(dir.path(), "camera = \"off\"");
    let source = SyntheticSource::new(SyntheticOptions {
        tokens: vec![s.token.clone()],
        variant: Variant::Clean,
        card_frames: 20,
        gap_frames: 100_000,
        frame_interval: FRAME,
        ..SyntheticOptions::default()
    });
    // `camera = "off"` in the file: the given source replaces it.
    let kiosk = start_with(s.config.clone(), once(source));
    let sub = kiosk.subscribe();
    let mut live = sub.live;
    assert!(matches!(&sub.replay[0], KioskEvent::Hello(h) if h.camera));
    let session = identifying(&mut live).await;
    consent_screen(&mut live, session).await;
    camera_running(&kiosk, &mut live).await;
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_show_on_the_attract_screen_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = setup(dir.path(), "");
    let show = Arc::new(AtomicBool::new(false));
    let (frames_tx, mut frames) = watch::channel(0u64);
    let source = Scripted {
        card: card_frame(&s.token, Variant::Clean, W, H, 7),
        room: background_frame(W, H, 7),
        show: Arc::clone(&show),
        frames: frames_tx,
    };
    let kiosk = start_with(s.config.clone(), once(source));
    let mut live = kiosk.subscribe().live;
    camera_running(&kiosk, &mut live).await;

    // The empty room: previews reach the attract screen.
    for i in 0..2 {
        let image = next(&mut live, "a preview", |e| match e {
            KioskEvent::Preview(p) => Some(p.clone()),
            KioskEvent::Screen(s) => panic!("the empty room changed the screen: {s:?}"),
            _ => None,
        })
        .await;
        assert!(image.data_url.starts_with("data:image/png;base64,"), "{i}");
        assert!(image.width > 0 && image.width <= W && image.height <= H);
    }

    // A card is held up: the session opens, and from its first screen no preview follows.
    show.store(true, Ordering::Relaxed);
    let session = identifying(&mut live).await;
    show.store(false, Ordering::Relaxed);
    let mut seen = Vec::new();
    let consent = next(&mut live, "consent", |e| {
        seen.push(e.clone());
        match e {
            KioskEvent::Screen(s @ Screen::Consent(_)) => Some(s.clone()),
            _ => None,
        }
    })
    .await;
    assert!(consent.is_personal());
    // The participant reads the consent screen while the camera keeps filming the room: eight
    // preview intervals' worth of frames (2 s), then they decline the required purpose.
    let from = *frames.borrow_and_update();
    let more = 8 * 250 / 33;
    tokio::time::timeout(WAIT, frames.wait_for(|n| *n >= from + more))
        .await
        .expect("the camera stopped delivering frames")
        .unwrap();
    kiosk
        .answer(Answer::Consent {
            session,
            granted: vec![],
        })
        .await
        .unwrap();
    next(&mut live, "the attract screen again", |e| {
        seen.push(e.clone());
        match e {
            KioskEvent::Screen(Screen::Attract) => Some(()),
            _ => None,
        }
    })
    .await;
    assert!(
        seen.iter().any(|e| matches!(
            e,
            KioskEvent::Screen(Screen::Ended {
                reason: EndCode::RequiredPurposeRefused,
                ..
            })
        )),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|e| matches!(e, KioskEvent::Preview(_))),
        "a camera picture was sent after a session screen: {seen:?}"
    );
    // Back on the attract screen the previews resume (the camera never stopped).
    next(&mut live, "a preview after the session", |e| match e {
        KioskEvent::Preview(_) => Some(()),
        _ => None,
    })
    .await;
    kiosk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_room_opens_no_session() {
    let dir = tempfile::tempdir().unwrap();
    let s = setup(dir.path(), "camera = \"off\"");
    let source = SyntheticSource::new(SyntheticOptions {
        tokens: Vec::new(),
        frame_interval: FRAME,
        ..SyntheticOptions::default()
    });
    let kiosk = start_with(s.config.clone(), once(source));
    let mut live = kiosk.subscribe().live;
    camera_running(&kiosk, &mut live).await;
    // Eight previews (two seconds of frames, each decoded or replaced by a newer one): no
    // screen, no notice.
    for _ in 0..8 {
        next(&mut live, "a preview", |e| match e {
            KioskEvent::Preview(_) => Some(()),
            KioskEvent::Screen(_) | KioskEvent::Notice(_) => panic!("the empty room did {e:?}"),
            _ => None,
        })
        .await;
    }
    assert!(kiosk
        .subscribe()
        .replay
        .contains(&KioskEvent::Screen(Screen::Attract)));
    kiosk.shutdown().await;
}
