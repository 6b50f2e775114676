//! The running camera reader: a capture thread that owns the [`FrameSource`] (made by a factory,
//! so it can be reopened) and its watchdog, a decode thread, and [`CameraReader`], the owner's
//! handle with the [`CameraEvent`] stream.
//!
//! ```text
//! source ──(grabber thread)──► capture thread ──► latest-frame slot ──► decode thread
//!                               │ supervisor: status, watchdog, backoff    │ decoder, dedup
//!                               ▼                                          ▼
//!                     Status, Preview (≤ 1 queued)                        Read
//! ```
//!
//! The source's blocking `next_frame` runs on a grabber thread of its own, so the capture thread
//! can declare a silent camera stalled, abandon it (a grabber stuck inside a driver call is
//! detached and ends when the call returns) and open a new one.
//!
//! Deliberately not here: the decisions themselves (sans-IO: [`super::supervisor`],
//! [`super::dedup`], [`super::preview`]) and what a read means (the station).

use super::dedup::ReadDedup;
use super::device::{NokhwaOptions, NokhwaSource};
use super::preview::{downscale, PreviewConfig, PreviewFrame, PreviewPacer};
use super::slot::LatestSlot;
use super::source::{FrameSource, SourceError};
use super::supervisor::{CameraStatus, Supervisor, SupervisorOptions};
use crate::card::decode::{CardDecoder, QrDecoder};
use crate::card::frame::GrayFrame;
use crate::card::{CardRead, ReadVia};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Makes (opens) a frame source; called again after every failure, with backoff.
pub type SourceFactory = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, SourceError> + Send>;

/// What the reader reports, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraEvent {
    /// A card (or another QR code) came into view: once per showing (see [`ReadDedup`]).
    /// `via` is always [`ReadVia::Camera`].
    Read(CardRead),
    /// The camera's status changed.
    Status(CameraStatus),
    /// A small grey picture for the UI. At most one waits in the queue: while the receiver has
    /// not taken it, newer previews are dropped.
    Preview(PreviewFrame),
}

/// How the reader runs. Defaults: stalled after 3 s without a frame, reopen after 1 s doubling
/// to 10 s, the same text within 3 s of its last sighting is one read, 320×180 previews at
/// 5 per second, 64 events buffered, 1 s for a capture call in progress when stopping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraConfig {
    /// Watchdog and reconnect timing.
    pub supervisor: SupervisorOptions,
    /// See [`ReadDedup`].
    pub dedup_window: Duration,
    /// `None`: no previews.
    pub preview: Option<PreviewConfig>,
    /// Reads and statuses buffered for a slow receiver before the threads wait for it.
    pub event_capacity: usize,
    /// How long [`CameraReader::stop`] waits for a source stuck in `next_frame` before leaving
    /// its thread behind.
    pub stop_grace: Duration,
}

impl Default for CameraConfig {
    fn default() -> CameraConfig {
        CameraConfig {
            supervisor: SupervisorOptions::default(),
            dedup_window: Duration::from_secs(3),
            preview: Some(PreviewConfig::default()),
            event_capacity: 64,
            stop_grace: Duration::from_secs(1),
        }
    }
}

/// Counters since the reader started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CameraStats {
    /// Frames the source delivered.
    pub frames_captured: u64,
    /// Frames replaced in the slot before the decoder took them.
    pub frames_dropped: u64,
    /// Frames the decoder ran on.
    pub frames_decoded: u64,
    /// Previews put in the event queue.
    pub previews_sent: u64,
    /// Previews due but dropped because the previous one was still queued.
    pub previews_dropped: u64,
    /// Sources opened successfully.
    pub opens: u64,
}

#[derive(Debug, Default)]
struct Counters {
    frames_captured: AtomicU64,
    frames_dropped: AtomicU64,
    frames_decoded: AtomicU64,
    previews_sent: AtomicU64,
    previews_dropped: AtomicU64,
    opens: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// State shared by the handle and the threads.
#[derive(Debug, Default)]
struct Shared {
    stop: AtomicBool,
    slot: LatestSlot,
    counters: Counters,
    /// A preview is in the event queue and not yet received.
    preview_queued: AtomicBool,
}

/// Messages to the capture thread.
enum Inbox {
    Opened { generation: u64 },
    Frame { generation: u64, frame: GrayFrame },
    Failed { generation: u64, error: SourceError },
    Stop,
}

/// Handle to a running reader. Dropping it stops and joins the threads (like
/// [`CameraReader::stop`]).
#[derive(Debug)]
pub struct CameraReader {
    events: mpsc::Receiver<CameraEvent>,
    shared: Arc<Shared>,
    inbox: std_mpsc::SyncSender<Inbox>,
    capture: Option<JoinHandle<()>>,
    decode: Option<JoinHandle<()>>,
}

/// The camera threads' clock. They are real-time drivers of the sans-IO parts, which get the
/// time from here and nowhere else.
fn clock() -> Instant {
    #[allow(clippy::disallowed_methods)] // the capture/decode threads are the real-time drivers
    Instant::now()
}

impl CameraReader {
    /// Starts the threads: `factory` opens the source (again after each failure), `decoder`
    /// runs on every frame the decode thread gets to. Needs no tokio runtime; the events are
    /// read with [`CameraReader::next_event`] (async) or [`CameraReader::try_next_event`].
    ///
    /// # Errors
    /// The operating system refused to start a thread.
    pub fn start<F>(
        factory: F,
        decoder: Box<dyn QrDecoder>,
        config: CameraConfig,
    ) -> std::io::Result<CameraReader>
    where
        F: FnMut() -> Result<Box<dyn FrameSource>, SourceError> + Send + 'static,
    {
        let (events_tx, events) = mpsc::channel(config.event_capacity.max(2));
        let shared = Arc::new(Shared::default());
        let (inbox, inbox_rx) = std_mpsc::sync_channel(2);
        let decode = {
            let shared = Arc::clone(&shared);
            let events = events_tx.clone();
            let window = config.dedup_window;
            std::thread::Builder::new()
                .name("camera-decode".into())
                .spawn(move || run_decode(&shared, decoder, &events, window))?
        };
        let capture = {
            let shared = Arc::clone(&shared);
            let inbox = inbox.clone();
            let run = Capture {
                factory: Arc::new(Mutex::new(Box::new(factory))),
                shared,
                inbox,
                inbox_rx,
                events: events_tx,
                config,
            };
            std::thread::Builder::new()
                .name("camera-capture".into())
                .spawn(move || run.run())
        };
        let capture = match capture {
            Ok(handle) => handle,
            Err(e) => {
                shared.slot.close();
                let _ = decode.join();
                return Err(e);
            }
        };
        Ok(CameraReader {
            events,
            shared,
            inbox,
            capture: Some(capture),
            decode: Some(decode),
        })
    }

    /// A reader on the real camera ([`NokhwaSource`]) with the project's decoder
    /// ([`CardDecoder::for_camera`]: fallback pass on every third empty frame).
    ///
    /// # Errors
    /// The operating system refused to start a thread.
    pub fn with_camera(
        options: NokhwaOptions,
        config: CameraConfig,
    ) -> std::io::Result<CameraReader> {
        CameraReader::start(
            move || NokhwaSource::open(&options).map(|s| Box::new(s) as Box<dyn FrameSource>),
            Box::new(CardDecoder::for_camera()),
            config,
        )
    }

    /// The next event; `None` once the reader has stopped.
    pub async fn next_event(&mut self) -> Option<CameraEvent> {
        let event = self.events.recv().await;
        self.received(event.as_ref());
        event
    }

    /// The next event if one is ready, without waiting.
    pub fn try_next_event(&mut self) -> Option<CameraEvent> {
        let event = self.events.try_recv().ok();
        self.received(event.as_ref());
        event
    }

    fn received(&self, event: Option<&CameraEvent>) {
        if let Some(CameraEvent::Preview(_)) = event {
            self.shared.preview_queued.store(false, Ordering::Release);
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> CameraStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CameraStats {
            frames_captured: get(&c.frames_captured),
            frames_dropped: get(&c.frames_dropped),
            frames_decoded: get(&c.frames_decoded),
            previews_sent: get(&c.previews_sent),
            previews_dropped: get(&c.previews_dropped),
            opens: get(&c.opens),
        }
    }

    /// Stops both threads and waits for them: at most about [`CameraConfig::stop_grace`] plus
    /// one decode. Events already queued can still be received, then [`CameraReader::next_event`]
    /// returns `None`. Calling it again does nothing.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        // Wake the capture thread (if the inbox is full it sees the flag on its next message).
        let _ = self.inbox.try_send(Inbox::Stop);
        self.shared.slot.close();
        // Threads waiting for room in the event queue give up.
        self.events.close();
        for handle in [self.capture.take(), self.decode.take()]
            .into_iter()
            .flatten()
        {
            if handle.join().is_err() {
                tracing::error!("a camera thread panicked");
            }
        }
    }
}

impl Drop for CameraReader {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends a read or status, waiting for room; false when the receiver is gone.
fn send(events: &mpsc::Sender<CameraEvent>, event: CameraEvent) -> bool {
    events.blocking_send(event).is_ok()
}

fn run_decode(
    shared: &Shared,
    mut decoder: Box<dyn QrDecoder>,
    events: &mpsc::Sender<CameraEvent>,
    window: Duration,
) {
    let mut dedup = ReadDedup::new(window);
    while let Some(frame) = shared.slot.take() {
        let texts = match catch_unwind(AssertUnwindSafe(|| decoder.decode(&frame))) {
            Ok(texts) => texts,
            Err(_) => {
                tracing::error!("the QR decoder panicked on a frame; frame skipped");
                Vec::new()
            }
        };
        bump(&shared.counters.frames_decoded);
        let now = clock();
        for text in texts {
            if dedup.accept(&text, now) {
                tracing::debug!("camera read a code");
                let read = CardRead {
                    text,
                    via: ReadVia::Camera,
                };
                if !send(events, CameraEvent::Read(read)) {
                    return;
                }
            }
        }
    }
}

/// The grabber thread of one attempt: it opens the source (the factory may block in a driver
/// call too) and then reads frames from it.
struct Grabber {
    abandon: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

fn spawn_grabber(
    generation: u64,
    factory: Arc<Mutex<SourceFactory>>,
    inbox: std_mpsc::SyncSender<Inbox>,
) -> std::io::Result<Grabber> {
    let abandon = Arc::new(AtomicBool::new(false));
    let handle = {
        let abandon = Arc::clone(&abandon);
        std::thread::Builder::new()
            .name("camera-grab".into())
            .spawn(move || grab(generation, &factory, &inbox, &abandon))?
    };
    Ok(Grabber { abandon, handle })
}

fn grab(
    generation: u64,
    factory: &Mutex<SourceFactory>,
    inbox: &std_mpsc::SyncSender<Inbox>,
    abandon: &AtomicBool,
) {
    let opened = catch_unwind(AssertUnwindSafe(|| {
        let mut factory = factory.lock().unwrap_or_else(PoisonError::into_inner);
        (factory)()
    }));
    let mut source = match opened {
        Ok(Ok(source)) => source,
        Ok(Err(error)) => {
            let _ = inbox.send(Inbox::Failed { generation, error });
            return;
        }
        Err(_) => {
            let error = SourceError::Unusable(
                "カメラを開く処理が異常終了しました / opening the camera panicked".into(),
            );
            let _ = inbox.send(Inbox::Failed { generation, error });
            return;
        }
    };
    if abandon.load(Ordering::Acquire) || inbox.send(Inbox::Opened { generation }).is_err() {
        let _ = catch_unwind(AssertUnwindSafe(move || drop(source)));
        return;
    }
    while !abandon.load(Ordering::Acquire) {
        let message = match catch_unwind(AssertUnwindSafe(|| source.next_frame())) {
            Ok(Ok(frame)) => Inbox::Frame { generation, frame },
            Ok(Err(error)) => Inbox::Failed { generation, error },
            Err(_) => Inbox::Failed {
                generation,
                error: SourceError::Disconnected(
                    "取り込みが異常終了しました / capture panicked".into(),
                ),
            },
        };
        let failed = matches!(message, Inbox::Failed { .. });
        if inbox.send(message).is_err() || failed {
            break;
        }
    }
    // Closing a device may itself misbehave: never let it escape the thread.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(source)));
}

impl Grabber {
    /// Asks the grabber to end after its current frame and waits up to `grace` for it;
    /// a grabber stuck in the driver is left behind (it ends when the call returns).
    fn retire(self, grace: Duration) {
        self.abandon.store(true, Ordering::Release);
        let deadline = clock() + grace;
        while !self.handle.is_finished() && clock() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        if self.handle.is_finished() {
            let _ = self.handle.join();
        } else {
            tracing::warn!("camera capture call did not return; its thread is left behind");
        }
    }
}

struct Capture {
    factory: Arc<Mutex<SourceFactory>>,
    shared: Arc<Shared>,
    inbox: std_mpsc::SyncSender<Inbox>,
    inbox_rx: std_mpsc::Receiver<Inbox>,
    events: mpsc::Sender<CameraEvent>,
    config: CameraConfig,
}

impl Capture {
    fn run(self) {
        let mut supervisor = Supervisor::new(self.config.supervisor, clock());
        let mut pacer = self.config.preview.map(|p| PreviewPacer::new(p.interval));
        let mut grabber: Option<Grabber> = None;
        let mut generation = 0u64;
        'run: loop {
            while let Some(status) = supervisor.poll_status() {
                tracing::info!(%status, "camera status");
                if !send(&self.events, CameraEvent::Status(status)) {
                    break 'run;
                }
            }
            if self.shared.stop.load(Ordering::Acquire) {
                break;
            }
            let now = clock();
            if grabber.is_none() && supervisor.should_open(now) {
                generation += 1;
                match spawn_grabber(generation, Arc::clone(&self.factory), self.inbox.clone()) {
                    // The attempt runs on the grabber; a hung open stalls like a hung stream.
                    Ok(g) => {
                        grabber = Some(g);
                        supervisor.opened(now);
                    }
                    Err(e) => {
                        let error = SourceError::Unusable(format!("thread: {e}"));
                        supervisor.failed(&error, now);
                    }
                }
                continue;
            }
            // Nothing due (the source ended): wait for the stop message.
            let wait = supervisor
                .deadline()
                .map_or(Duration::from_secs(3600), |d| {
                    d.saturating_duration_since(now)
                });
            match self.inbox_rx.recv_timeout(wait) {
                Ok(Inbox::Stop) | Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
                Ok(Inbox::Opened { generation: g }) if g == generation => {
                    bump(&self.shared.counters.opens);
                }
                Ok(Inbox::Frame {
                    generation: g,
                    frame,
                }) if g == generation => {
                    let now = clock();
                    supervisor.frame(now);
                    self.frame(frame, now, pacer.as_mut());
                }
                Ok(Inbox::Failed {
                    generation: g,
                    error,
                }) if g == generation => {
                    tracing::info!(%error, "camera source failed");
                    if let Some(g) = grabber.take() {
                        g.retire(self.config.stop_grace);
                    }
                    supervisor.failed(&error, clock());
                }
                // From a grabber already abandoned.
                Ok(Inbox::Opened { .. } | Inbox::Frame { .. } | Inbox::Failed { .. }) => {}
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    if supervisor.tick(clock()) {
                        tracing::warn!("camera stalled; reopening");
                        if let Some(g) = grabber.take() {
                            g.retire(Duration::ZERO);
                        }
                    }
                }
            }
        }
        self.shared.slot.close();
        if let Some(g) = grabber.take() {
            // Unblock a grabber waiting to hand over a frame, then give it the grace period.
            drop(self.inbox_rx);
            g.retire(self.config.stop_grace);
        }
    }

    fn frame(&self, frame: GrayFrame, now: Instant, pacer: Option<&mut PreviewPacer>) {
        let counters = &self.shared.counters;
        bump(&counters.frames_captured);
        if let (Some(pacer), Some(config)) = (pacer, self.config.preview) {
            if pacer.due(now) {
                self.preview(&frame, config);
            }
        }
        if self.shared.slot.put(frame) {
            bump(&counters.frames_dropped);
        }
    }

    fn preview(&self, frame: &GrayFrame, config: PreviewConfig) {
        let counters = &self.shared.counters;
        if self.shared.preview_queued.swap(true, Ordering::AcqRel) {
            bump(&counters.previews_dropped);
            return;
        }
        let preview = downscale(frame, config.max_width, config.max_height);
        if self.events.try_send(CameraEvent::Preview(preview)).is_ok() {
            bump(&counters.previews_sent);
        } else {
            self.shared.preview_queued.store(false, Ordering::Release);
            bump(&counters.previews_dropped);
        }
    }
}
