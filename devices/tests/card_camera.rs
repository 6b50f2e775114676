//! The camera reader end to end without a camera: synthetic and scripted frame sources through
//! the real capture and decode threads, the real QR decoder and the real nokhwa conversion and
//! error paths (this machine has no /dev/video*; reference/qr-cards.md §2.3).
#![allow(clippy::unwrap_used)]

use hakaru_devices::card::camera::{
    buffer_to_gray, CameraConfig, CameraEvent, CameraReader, CameraStatus, FrameSource,
    NokhwaOptions, NokhwaSource, PreviewConfig, ReplaySource, SourceError, SourceFactory,
    SupervisorOptions, SyntheticOptions, SyntheticSource,
};
use hakaru_devices::card::decode::CardDecoder;
use hakaru_devices::card::frame::GrayFrame;
use hakaru_devices::card::synth::{background_frame, card_frame, Variant};
use hakaru_devices::card::ReadVia;
use hakaru_devices::serial::Backoff;
use nokhwa::utils::{FrameFormat, Resolution};
use nokhwa::Buffer;
use std::collections::VecDeque;
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const CARD_A: &str = "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU";
const CARD_B: &str = "K1AEACUAAB4KAAAA2OEAG7XRQC3J2XUWPLMA";
const W: u32 = 1280;
const H: u32 = 720;

#[allow(clippy::disallowed_methods)] // the tests measure real elapsed time of real threads
fn now() -> Instant {
    Instant::now()
}

/// Short timings so the tests take well under a second each.
fn quick_config() -> CameraConfig {
    CameraConfig {
        supervisor: SupervisorOptions {
            stall_after: Duration::from_millis(300),
            backoff: Backoff {
                initial: Duration::from_millis(10),
                max: Duration::from_millis(40),
            },
        },
        dedup_window: Duration::from_secs(3),
        preview: None,
        event_capacity: 64,
        stop_grace: Duration::from_millis(50),
    }
}

fn boxed(source: impl FrameSource + 'static) -> Box<dyn FrameSource> {
    Box::new(source)
}

/// A reader over `source` that ends when it does (the factory gives it once, then
/// `EndOfStream`), with the real decoder on the camera schedule and [`quick_config`].
fn start_once(source: impl FrameSource + 'static) -> CameraReader {
    let mut source = Some(source);
    CameraReader::start(
        move || source.take().map(boxed).ok_or(SourceError::EndOfStream),
        Box::new(CardDecoder::for_camera()),
        quick_config(),
    )
    .unwrap()
}

/// Reads and statuses (previews left out) until `done` says so or `limit` passes.
async fn events_until(
    reader: &mut CameraReader,
    limit: Duration,
    mut done: impl FnMut(&[CameraEvent]) -> bool,
) -> Vec<CameraEvent> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        while let Some(event) = reader.next_event().await {
            if !matches!(event, CameraEvent::Preview(_)) {
                seen.push(event);
                if done(&seen) {
                    break;
                }
            }
        }
    })
    .await;
    seen
}

fn reads(events: &[CameraEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            CameraEvent::Read(r) => {
                assert_eq!(r.via, ReadVia::Camera);
                Some(r.text.as_str())
            }
            _ => None,
        })
        .collect()
}

fn statuses(events: &[CameraEvent]) -> Vec<CameraStatus> {
    events
        .iter()
        .filter_map(|e| match e {
            CameraEvent::Status(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn ended(events: &[CameraEvent]) -> bool {
    events.contains(&CameraEvent::Status(CameraStatus::Ended))
}

/// Frames (or errors) in order; when they run out it either ends or hangs the way a stalled
/// V4L2 stream does, until the test lets go of `release`.
struct Scripted {
    steps: VecDeque<Result<GrayFrame, SourceError>>,
    interval: Duration,
    hang: Option<std_mpsc::Receiver<()>>,
}

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Result<GrayFrame, SourceError>>) -> Scripted {
        Scripted {
            steps: steps.into_iter().collect(),
            interval: Duration::from_millis(5),
            hang: None,
        }
    }
}

impl FrameSource for Scripted {
    fn next_frame(&mut self) -> Result<GrayFrame, SourceError> {
        std::thread::sleep(self.interval);
        match self.steps.pop_front() {
            Some(step) => step,
            None => {
                if let Some(release) = &self.hang {
                    let _ = release.recv();
                }
                Err(SourceError::EndOfStream)
            }
        }
    }
}

/// A factory handing out the given attempts in order, then "no camera".
fn attempts(
    list: Vec<Result<Box<dyn FrameSource>, SourceError>>,
) -> (SourceFactory, Arc<Mutex<usize>>) {
    let calls = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&calls);
    let mut list: VecDeque<_> = list.into();
    let factory = move || {
        *counter.lock().unwrap() += 1;
        list.pop_front().unwrap_or(Err(SourceError::NoCamera))
    };
    (Box::new(factory), calls)
}

// ---- nokhwa: no camera, conversions ----

#[test]
fn nokhwa_without_a_camera_is_no_camera() {
    let any_video_node = std::fs::read_dir("/dev").unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("video")
    });
    if any_video_node {
        eprintln!("skipped: this machine has a /dev/video* node");
        return;
    }
    let err = NokhwaSource::open(&NokhwaOptions::default()).unwrap_err();
    assert_eq!(err, SourceError::NoCamera);
    assert!(err.to_string().contains("handheld reader"), "{err}");
}

#[test]
fn yuyv_gray_and_nv12_buffers_give_their_luma_plane() {
    // YUYV: Y0 U Y1 V per two pixels; 4×2 pixels.
    let yuyv = [
        10, 128, 20, 130, 30, 128, 40, 126, //
        50, 128, 60, 130, 70, 128, 80, 126,
    ];
    let frame = buffer_to_gray(&Buffer::new(
        Resolution::new(4, 2),
        &yuyv,
        FrameFormat::YUYV,
    ))
    .unwrap();
    assert_eq!((frame.width, frame.height), (4, 2));
    assert_eq!(frame.data, [10, 20, 30, 40, 50, 60, 70, 80]);

    let gray = [1, 2, 3, 4, 5, 6];
    let frame = buffer_to_gray(&Buffer::new(
        Resolution::new(3, 2),
        &gray,
        FrameFormat::GRAY,
    ))
    .unwrap();
    assert_eq!(frame.data, gray);

    // NV12: the Y plane, then interleaved UV at quarter resolution (ignored).
    let nv12 = [9, 8, 7, 6, 5, 4, 3, 2, 128, 128, 128, 128];
    let frame = buffer_to_gray(&Buffer::new(
        Resolution::new(4, 2),
        &nv12,
        FrameFormat::NV12,
    ))
    .unwrap();
    assert_eq!(frame.data, [9, 8, 7, 6, 5, 4, 3, 2]);

    let short = buffer_to_gray(&Buffer::new(
        Resolution::new(4, 2),
        &yuyv[..10],
        FrameFormat::YUYV,
    ));
    assert!(matches!(short, Err(SourceError::Unusable(m)) if m.contains("too short")));
}

/// A 32×16 greyscale JPEG — left half level 40, right half level 200 — made outside this code
/// base: a two-rectangle PDF rendered with `pdftoppm -r 72 -gray -jpeg -jpegopt quality=95`.
const TWO_LEVELS_JPEG: &[u8] = &[
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x00, 0x48,
    0x00, 0x48, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x02, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02,
    0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0x02, 0x04, 0x03, 0x02, 0x02, 0x02, 0x02, 0x05, 0x04,
    0x04, 0x03, 0x04, 0x06, 0x05, 0x06, 0x06, 0x06, 0x05, 0x06, 0x06, 0x06, 0x07, 0x09, 0x08, 0x06,
    0x07, 0x09, 0x07, 0x06, 0x06, 0x08, 0x0b, 0x08, 0x09, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x06, 0x08,
    0x0b, 0x0c, 0x0b, 0x0a, 0x0c, 0x09, 0x0a, 0x0a, 0x0a, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x02, 0x02,
    0x02, 0x02, 0x02, 0x02, 0x05, 0x03, 0x03, 0x05, 0x0a, 0x07, 0x06, 0x07, 0x0a, 0x0a, 0x0a, 0x0a,
    0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a,
    0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a,
    0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
    0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05,
    0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21,
    0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23,
    0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
    0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
    0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
    0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5,
    0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1,
    0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00, 0x1f, 0x01, 0x00, 0x03,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00,
    0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00,
    0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13,
    0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15,
    0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
    0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4,
    0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
    0xfa, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0xfc,
    0x9f, 0xa2, 0x8a, 0x28, 0x03, 0xfa, 0x80, 0xa2, 0x8a, 0x28, 0x03, 0xff, 0xd9,
];

#[test]
fn mjpeg_buffers_decode_through_nokhwa_to_grey() {
    let buffer = Buffer::new(Resolution::new(32, 16), TWO_LEVELS_JPEG, FrameFormat::MJPEG);
    let frame = buffer_to_gray(&buffer).unwrap();
    assert_eq!((frame.width, frame.height), (32, 16));
    for (i, &v) in frame.data.iter().enumerate() {
        let want: i16 = if i % 32 < 16 { 40 } else { 200 };
        assert!(
            (i16::from(v) - want).abs() <= 3,
            "pixel {i}: {v}, want ≈{want}"
        );
    }
    // A cut frame (a USB hiccup) is an error, not a panic.
    let cut = Buffer::new(
        Resolution::new(32, 16),
        &TWO_LEVELS_JPEG[..40],
        FrameFormat::MJPEG,
    );
    assert!(buffer_to_gray(&cut).is_err());
}

// ---- the reader ----

#[tokio::test]
async fn one_read_per_card_shown_and_another_card_is_another_read() {
    // A, gap, B, gap — twice, all within the 3 s window: A once, B once.
    let source = SyntheticSource::new(SyntheticOptions {
        tokens: vec![CARD_A.into(), CARD_B.into()],
        width: W,
        height: H,
        card_frames: 30, // 150 ms in view: a slow decode on a busy machine still sees it
        gap_frames: 10,
        loops: Some(2),
        frame_interval: Duration::from_millis(5),
        ..SyntheticOptions::default()
    });
    let mut reader = start_once(source);
    let events = events_until(&mut reader, Duration::from_secs(20), ended).await;
    assert_eq!(reads(&events), [CARD_A, CARD_B], "{events:?}");
    assert_eq!(
        statuses(&events),
        [
            CameraStatus::Starting,
            CameraStatus::Connected,
            CameraStatus::Ended
        ]
    );
    let stats = reader.stats();
    assert_eq!(
        stats.frames_captured, 160,
        "2 passes × 2 cards × (30 + 10) frames"
    );
    assert!(
        stats.frames_decoded >= 4 && stats.frames_decoded <= 160,
        "{stats:?}"
    );
    assert_eq!(stats.opens, 1);
}

#[tokio::test]
async fn the_same_card_shown_again_after_the_window_is_a_second_read() {
    let source = SyntheticSource::new(SyntheticOptions {
        tokens: vec![CARD_A.into()],
        width: W,
        height: H,
        card_frames: 30,
        gap_frames: 60, // 300 ms away from the camera, window 100 ms
        loops: Some(2),
        frame_interval: Duration::from_millis(5),
        ..SyntheticOptions::default()
    });
    let mut source = Some(source);
    let config = CameraConfig {
        dedup_window: Duration::from_millis(100),
        ..quick_config()
    };
    let mut reader = CameraReader::start(
        move || source.take().map(boxed).ok_or(SourceError::EndOfStream),
        Box::new(CardDecoder::for_camera()),
        config,
    )
    .unwrap();
    let events = events_until(&mut reader, Duration::from_secs(20), ended).await;
    assert_eq!(reads(&events), [CARD_A, CARD_A], "{events:?}");
}

#[tokio::test]
async fn a_camera_that_disconnects_is_reopened_and_reads_continue() {
    let a = card_frame(CARD_A, Variant::Clean, W, H, 1);
    let b = card_frame(CARD_B, Variant::Clean, W, H, 2);
    let first = Scripted::new(std::iter::repeat_n(Ok(a), 6).chain([Err(
        SourceError::Disconnected("Input/output error (os error 5)".into()),
    )]));
    let room = background_frame(W, H, 3);
    let third =
        Scripted::new(std::iter::repeat_n(Ok(b), 30).chain(std::iter::repeat_n(Ok(room), 20)));
    let (factory, calls) = attempts(vec![
        Ok(boxed(first)),
        Err(SourceError::Disconnected("still unplugged".into())),
        Ok(boxed(third)),
    ]);
    let mut reader =
        CameraReader::start(factory, Box::new(CardDecoder::for_camera()), quick_config()).unwrap();
    let events = events_until(&mut reader, Duration::from_secs(20), ended).await;
    assert_eq!(reads(&events), [CARD_A, CARD_B], "{events:?}");
    assert_eq!(
        statuses(&events),
        [
            CameraStatus::Starting,
            CameraStatus::Connected,
            CameraStatus::Reconnecting { in_secs: 1 },
            CameraStatus::Connected,
            CameraStatus::Ended,
        ]
    );
    // The reconnecting status came before the second card's read.
    let reconnecting = events
        .iter()
        .position(|e| matches!(e, CameraEvent::Status(CameraStatus::Reconnecting { .. })))
        .unwrap();
    let read_b = events
        .iter()
        .position(|e| matches!(e, CameraEvent::Read(r) if r.text == CARD_B))
        .unwrap();
    assert!(reconnecting < read_b);
    assert_eq!(*calls.lock().unwrap(), 3);
    assert_eq!(reader.stats().opens, 2);
}

#[tokio::test]
async fn no_camera_is_a_status_and_the_reader_keeps_looking() {
    let any_video_node = std::fs::read_dir("/dev").unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("video")
    });
    if any_video_node {
        eprintln!("skipped: this machine has a /dev/video* node");
        return;
    }
    let calls = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&calls);
    let options = NokhwaOptions::default();
    let mut reader = CameraReader::start(
        move || {
            *counter.lock().unwrap() += 1;
            NokhwaSource::open(&options).map(boxed)
        },
        Box::new(CardDecoder::for_camera()),
        quick_config(),
    )
    .unwrap();
    let events = events_until(&mut reader, Duration::from_millis(400), |_| false).await;
    assert_eq!(
        statuses(&events),
        [CameraStatus::Starting, CameraStatus::NoCamera],
        "reported once, however often it looks"
    );
    assert!(*calls.lock().unwrap() >= 3, "retried with backoff");
    assert_eq!(reader.stats().opens, 0);
    let t = now();
    reader.stop();
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(reader.next_event().await, None);
}

#[tokio::test]
async fn the_real_camera_reader_without_a_camera_reports_no_camera() {
    let any_video_node = std::fs::read_dir("/dev").unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("video")
    });
    if any_video_node {
        eprintln!("skipped: this machine has a /dev/video* node");
        return;
    }
    let mut reader =
        CameraReader::with_camera(NokhwaOptions::default(), CameraConfig::default()).unwrap();
    let events = events_until(&mut reader, Duration::from_secs(5), |seen| seen.len() >= 2).await;
    assert_eq!(
        statuses(&events),
        [CameraStatus::Starting, CameraStatus::NoCamera]
    );
    drop(reader); // joins without waiting for the 1 s retry
}

#[tokio::test]
async fn a_stalled_camera_is_dropped_and_reopened_and_stop_does_not_wait_for_it() {
    let a = card_frame(CARD_A, Variant::Clean, W, H, 1);
    let b = card_frame(CARD_B, Variant::Clean, W, H, 2);
    let (release, hang) = std_mpsc::channel::<()>();
    let mut stuck = Scripted::new(std::iter::repeat_n(Ok(a), 30));
    stuck.hang = Some(hang);
    let (release2, hang2) = std_mpsc::channel::<()>();
    let mut second = Scripted::new(std::iter::repeat_n(Ok(b), 30));
    second.hang = Some(hang2);
    let (factory, _calls) = attempts(vec![Ok(boxed(stuck)), Ok(boxed(second))]);
    let config = CameraConfig {
        supervisor: SupervisorOptions {
            stall_after: Duration::from_millis(150),
            ..quick_config().supervisor
        },
        ..quick_config()
    };
    let mut reader =
        CameraReader::start(factory, Box::new(CardDecoder::for_camera()), config).unwrap();
    let events = events_until(&mut reader, Duration::from_secs(20), |seen| {
        reads(seen).len() == 2
    })
    .await;
    assert_eq!(reads(&events), [CARD_A, CARD_B], "{events:?}");
    assert_eq!(
        statuses(&events),
        [
            CameraStatus::Starting,
            CameraStatus::Connected,
            CameraStatus::Stalled,
            CameraStatus::Reconnecting { in_secs: 1 },
            CameraStatus::Connected,
        ]
    );
    // The second source is now stuck too, inside next_frame: stop still returns promptly.
    let t = now();
    reader.stop();
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    drop((release, release2));
}

#[tokio::test]
async fn stop_joins_a_running_reader_quickly() {
    let source = SyntheticSource::new(SyntheticOptions {
        tokens: vec![CARD_A.into()],
        width: W,
        height: H,
        frame_interval: Duration::from_millis(5),
        ..SyntheticOptions::default()
    });
    let mut reader = start_once(source);
    let events = events_until(&mut reader, Duration::from_secs(20), |seen| {
        !reads(seen).is_empty()
    })
    .await;
    assert_eq!(reads(&events), [CARD_A]);
    let t = now();
    reader.stop();
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(reader.next_event().await, None);
    let frames = reader.stats().frames_captured;
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        reader.stats().frames_captured,
        frames,
        "nothing runs after stop"
    );
    reader.stop(); // again: nothing to do
}

#[tokio::test]
async fn previews_come_at_the_configured_rate_and_are_dropped_when_not_read() {
    let room = background_frame(640, 360, 3);
    let frames = std::iter::repeat_n(room, 400);
    let mut source = Some(ReplaySource::new(frames).with_interval(Duration::from_millis(5)));
    let config = CameraConfig {
        preview: Some(PreviewConfig {
            interval: Duration::from_millis(50),
            max_width: 320,
            max_height: 180,
        }),
        ..quick_config()
    };
    let mut reader = CameraReader::start(
        move || source.take().map(boxed).ok_or(SourceError::EndOfStream),
        Box::new(CardDecoder::for_camera()),
        config,
    )
    .unwrap();
    // Read everything for 600 ms: about 12 previews (one per 50 ms), each 320×180.
    let mut previews = 0;
    let t = now();
    while t.elapsed() < Duration::from_millis(600) {
        if let Ok(Some(CameraEvent::Preview(p))) =
            tokio::time::timeout(Duration::from_millis(20), reader.next_event()).await
        {
            assert_eq!((p.width, p.height), (320, 180));
            assert_eq!(
                format!("{p:?}"),
                "PreviewFrame(320×180)",
                "no pixels in Debug"
            );
            previews += 1;
        }
    }
    assert!(
        (7..=14).contains(&previews),
        "{previews} previews in 600 ms at 50 ms"
    );
    // Stop reading for 400 ms: the previews due meanwhile are dropped, at most one waits.
    let dropped_before = reader.stats().previews_dropped;
    std::thread::sleep(Duration::from_millis(400));
    let stats = reader.stats();
    assert!(stats.previews_dropped - dropped_before >= 4, "{stats:?}");
    let mut queued = 0;
    while let Some(event) = reader.try_next_event() {
        if matches!(event, CameraEvent::Preview(_)) {
            queued += 1;
        }
    }
    assert!(queued <= 1, "{queued} previews were queued");
    // Reading again brings previews again.
    let more = events_with_previews(&mut reader, Duration::from_millis(300)).await;
    assert!(more >= 2, "{more}");
}

async fn events_with_previews(reader: &mut CameraReader, limit: Duration) -> usize {
    let mut n = 0;
    let _ = tokio::time::timeout(limit, async {
        while let Some(event) = reader.next_event().await {
            if matches!(event, CameraEvent::Preview(_)) {
                n += 1;
            }
        }
    })
    .await;
    n
}
