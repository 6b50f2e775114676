//! The camera's state and what to do next, sans-IO: when to (re)open the source, when a silent
//! source counts as stalled, the reconnect backoff (1 s doubling to 10 s), and the
//! [`CameraStatus`] the UI shows — reported only when it changes.
//!
//! Deliberately not here: threads, the clock and the source itself ([`super::reader`] drives
//! this with the time and tells it what happened).

use super::source::SourceError;
use crate::serial::{Backoff, BackoffState};
use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

/// What the UI shows about the camera. A missing or broken camera is a status like any other:
/// the kiosk keeps working with the handheld reader.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", content = "data", rename_all = "snake_case")]
pub enum CameraStatus {
    /// No camera is connected; the reader keeps looking for one.
    NoCamera,
    /// Opening the camera for the first time.
    Starting,
    /// Frames are arriving.
    Connected,
    /// The camera stopped delivering frames; it is dropped and reopened.
    Stalled,
    /// The camera went away; the next attempt to open it is within `in_secs` seconds
    /// (rounded up).
    Reconnecting {
        /// Seconds until the next attempt, rounded up.
        in_secs: u64,
    },
    /// A device is there but cannot capture; retried at the longest backoff.
    Unusable(String),
    /// A replayed or synthetic source has no more frames (tests, demo mode).
    Ended,
}

impl fmt::Display for CameraStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraStatus::NoCamera => f.write_str(
                "カメラがありません: ハンディリーダーでカードを読み取れます / \
                 no camera: cards can be read with the handheld reader",
            ),
            CameraStatus::Starting => f.write_str("カメラを起動しています / starting the camera"),
            CameraStatus::Connected => {
                f.write_str("カードをカメラにかざしてください / hold the card up to the camera")
            }
            CameraStatus::Stalled => f.write_str(
                "カメラの映像が止まりました: 再接続します / the camera stopped sending frames: reconnecting",
            ),
            CameraStatus::Reconnecting { in_secs } => write!(
                f,
                "カメラに {in_secs} 秒以内に再接続します: ケーブルを確認してください / \
                 reconnecting to the camera within {in_secs} s: check its cable"
            ),
            CameraStatus::Unusable(reason) => write!(
                f,
                "カメラを使えません ({reason}): ハンディリーダーを使ってください / \
                 the camera cannot be used ({reason}): use the handheld reader"
            ),
            CameraStatus::Ended => f.write_str("映像が終わりました / the frames have ended"),
        }
    }
}

/// Watchdog and reconnect timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisorOptions {
    /// No frame for this long → [`CameraStatus::Stalled`], the source is dropped and reopened.
    pub stall_after: Duration,
    /// Delays between attempts to open the camera.
    pub backoff: Backoff,
}

impl Default for SupervisorOptions {
    /// Stalled after 3 s; reopen after 1 s doubling to 10 s (reference §2.2).
    fn default() -> SupervisorOptions {
        SupervisorOptions {
            stall_after: Duration::from_secs(3),
            backoff: Backoff {
                initial: Duration::from_secs(1),
                max: Duration::from_secs(10),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No source; open one at `at`.
    Closed { at: Instant },
    /// A source is open; `last` is when it opened or last delivered a frame.
    Open { last: Instant, streaming: bool },
    /// The source said it has no more frames.
    Ended,
}

/// See the module documentation. Drive it with [`Supervisor::should_open`],
/// [`Supervisor::opened`], [`Supervisor::frame`], [`Supervisor::failed`] and
/// [`Supervisor::tick`]; wait until [`Supervisor::deadline`]; report
/// [`Supervisor::poll_status`].
#[derive(Debug)]
pub struct Supervisor {
    stall_after: Duration,
    backoff: BackoffState,
    phase: Phase,
    shown: Option<CameraStatus>,
    pending: VecDeque<CameraStatus>,
}

impl Supervisor {
    /// Starts with [`CameraStatus::Starting`] and an open due at `now`.
    pub fn new(options: SupervisorOptions, now: Instant) -> Supervisor {
        let mut s = Supervisor {
            stall_after: options.stall_after,
            backoff: BackoffState::new(options.backoff),
            phase: Phase::Closed { at: now },
            shown: None,
            pending: VecDeque::new(),
        };
        s.show(CameraStatus::Starting);
        s
    }

    /// Whether the source should be opened now.
    pub fn should_open(&self, now: Instant) -> bool {
        matches!(self.phase, Phase::Closed { at } if now >= at)
    }

    /// A source was opened at `now` (frames not yet seen: the status stays until the first).
    pub fn opened(&mut self, now: Instant) {
        self.phase = Phase::Open {
            last: now,
            streaming: false,
        };
    }

    /// A frame arrived at `now`.
    pub fn frame(&mut self, now: Instant) {
        if let Phase::Open { last, streaming } = self.phase {
            self.phase = Phase::Open {
                last: last.max(now),
                streaming: true,
            };
            if !streaming {
                self.backoff.reset();
                self.show(CameraStatus::Connected);
            }
        }
    }

    /// Opening failed, or the open source failed, at `now`.
    pub fn failed(&mut self, error: &SourceError, now: Instant) {
        match error {
            SourceError::EndOfStream => {
                self.phase = Phase::Ended;
                self.show(CameraStatus::Ended);
            }
            SourceError::NoCamera => {
                // Keep looking quietly: the status stays "no camera" until one appears.
                let delay = self.backoff.next_delay();
                self.phase = Phase::Closed { at: now + delay };
                self.show(CameraStatus::NoCamera);
            }
            SourceError::Unusable(reason) => {
                // A person must fix this: retry, but only at the longest delay.
                self.backoff.give_up_quick_retries();
                let delay = self.backoff.next_delay();
                self.phase = Phase::Closed { at: now + delay };
                self.show(CameraStatus::Unusable(reason.clone()));
            }
            SourceError::Disconnected(_) => self.reconnect(now),
        }
    }

    /// Time passed: whether the open source has been silent for the stall limit and must be
    /// dropped now (the status becomes [`CameraStatus::Stalled`], then reconnecting).
    pub fn tick(&mut self, now: Instant) -> bool {
        match self.phase {
            Phase::Open { last, .. } if now.saturating_duration_since(last) >= self.stall_after => {
                self.show(CameraStatus::Stalled);
                self.reconnect(now);
                true
            }
            _ => false,
        }
    }

    /// When [`Supervisor::tick`] or [`Supervisor::should_open`] next has something to do
    /// (`None`: nothing ever, the source ended).
    pub fn deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Closed { at } => Some(at),
            Phase::Open { last, .. } => Some(last + self.stall_after),
            Phase::Ended => None,
        }
    }

    /// The next status change to report.
    pub fn poll_status(&mut self) -> Option<CameraStatus> {
        self.pending.pop_front()
    }

    /// The status last reported (or about to be).
    pub fn status(&self) -> Option<&CameraStatus> {
        self.shown.as_ref()
    }

    fn reconnect(&mut self, now: Instant) {
        let delay = self.backoff.next_delay();
        self.phase = Phase::Closed { at: now + delay };
        self.show(CameraStatus::Reconnecting {
            in_secs: ceil_secs(delay),
        });
    }

    fn show(&mut self, status: CameraStatus) {
        if self.shown.as_ref() != Some(&status) {
            self.shown = Some(status.clone());
            self.pending.push_back(status);
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Instant {
        #[allow(clippy::disallowed_methods)] // a fixed base; every later time is t0 + offset
        Instant::now()
    }

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn drain(sup: &mut Supervisor) -> Vec<CameraStatus> {
        std::iter::from_fn(|| sup.poll_status()).collect()
    }

    #[test]
    fn connects_on_the_first_frame_and_stalls_after_silence() {
        let t = t0();
        let mut sup = Supervisor::new(SupervisorOptions::default(), t);
        assert!(sup.should_open(t));
        sup.opened(t);
        assert_eq!(drain(&mut sup), [CameraStatus::Starting]);
        sup.frame(t + Duration::from_millis(40));
        sup.frame(t + Duration::from_millis(80));
        assert_eq!(drain(&mut sup), [CameraStatus::Connected]);
        assert_eq!(sup.deadline(), Some(t + Duration::from_millis(80) + s(3)));
        assert!(!sup.tick(t + s(3)), "2.92 s of silence is not a stall");
        assert!(sup.tick(t + Duration::from_millis(3080)));
        assert_eq!(
            drain(&mut sup),
            [
                CameraStatus::Stalled,
                CameraStatus::Reconnecting { in_secs: 1 }
            ]
        );
        assert!(!sup.should_open(t + Duration::from_millis(4079)));
        assert!(sup.should_open(t + Duration::from_millis(4080)));
    }

    #[test]
    fn a_source_that_never_delivers_stalls_too() {
        let t = t0();
        let mut sup = Supervisor::new(SupervisorOptions::default(), t);
        sup.opened(t);
        assert!(sup.tick(t + s(3)));
        assert!(drain(&mut sup).contains(&CameraStatus::Stalled));
    }

    #[test]
    fn reconnect_backoff_doubles_to_ten_seconds_and_resets_once_frames_flow() {
        let t = t0();
        let mut sup = Supervisor::new(SupervisorOptions::default(), t);
        let mut now = t;
        let mut delays = Vec::new();
        for _ in 0..6 {
            sup.failed(&SourceError::Disconnected("os error 5".into()), now);
            let at = sup.deadline().unwrap();
            delays.push((at - now).as_secs());
            now = at;
            assert!(sup.should_open(now));
        }
        assert_eq!(delays, [1, 2, 4, 8, 10, 10]);
        let statuses = drain(&mut sup);
        assert_eq!(
            statuses.last(),
            Some(&CameraStatus::Reconnecting { in_secs: 10 })
        );
        sup.opened(now);
        sup.frame(now);
        assert_eq!(drain(&mut sup), [CameraStatus::Connected]);
        sup.failed(&SourceError::Disconnected("os error 5".into()), now);
        assert_eq!(
            sup.deadline(),
            Some(now + s(1)),
            "backoff reset by the frames"
        );
    }

    #[test]
    fn no_camera_is_reported_once_while_the_reader_keeps_looking() {
        let t = t0();
        let mut sup = Supervisor::new(SupervisorOptions::default(), t);
        let mut now = t;
        for _ in 0..5 {
            assert!(sup.should_open(now));
            sup.failed(&SourceError::NoCamera, now);
            now = sup.deadline().unwrap();
        }
        assert_eq!(
            drain(&mut sup),
            [CameraStatus::Starting, CameraStatus::NoCamera]
        );
    }

    #[test]
    fn unusable_retries_at_the_longest_delay_and_end_of_stream_stops() {
        let t = t0();
        let mut sup = Supervisor::new(SupervisorOptions::default(), t);
        sup.failed(&SourceError::Unusable("not a capture device".into()), t);
        assert_eq!(sup.deadline(), Some(t + s(10)));
        sup.opened(t + s(10));
        sup.failed(&SourceError::EndOfStream, t + s(11));
        assert_eq!(sup.deadline(), None);
        assert!(!sup.tick(t + s(100)));
        assert!(!sup.should_open(t + s(100)));
        assert_eq!(
            drain(&mut sup),
            [
                CameraStatus::Starting,
                CameraStatus::Unusable("not a capture device".into()),
                CameraStatus::Ended
            ]
        );
    }

    #[test]
    fn reconnect_seconds_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(10)), 1);
        assert_eq!(ceil_secs(s(2)), 2);
        assert_eq!(ceil_secs(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn statuses_read_in_both_languages_and_serialise_with_a_tag() {
        let text = CameraStatus::NoCamera.to_string();
        assert!(text.contains("ハンディリーダー") && text.contains("handheld reader"));
        let json = serde_json::to_value(CameraStatus::Reconnecting { in_secs: 4 }).unwrap();
        assert_eq!(json["status"], "reconnecting");
        assert_eq!(json["data"]["in_secs"], 4);
    }
}
