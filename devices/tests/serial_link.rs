//! The serial link end to end without the simulator: the one-step driver and the spawned
//! link over `tokio::io::duplex`, reconnect on a real pseudo-terminal that is unplugged and
//! replugged behind a stable symlink, and auto-detection on a pty whose far end garbles
//! everything except under one setting.
//!
//! No sleeps as synchronisation: every wait is for an event or a byte. The `within` guard only
//! turns a hang into a failure.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::pty::Pty;
use common::{framed, oracle_checksum, with_checksum, F1, F2, F5};
use hakaru_devices::scale::tanita::FrameError;
use hakaru_devices::scale::{Command, DecodeError, LinkSettings};
use hakaru_devices::serial::{
    autodetect, plug, AnalyzerIdentity, AutodetectOptions, AutodetectProgress, CandidateOutcome,
    Direction, DisconnectReason, Evidence, LinkDriver, LinkOptions, ScaleEvent, ScaleLink,
    SendError, Step,
};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// Fails the test instead of hanging when an awaited event never comes.
async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The next event that is not a failed connection attempt.
async fn next(link: &mut ScaleLink) -> ScaleEvent {
    loop {
        match within("a link event", link.next_event()).await {
            Some(ScaleEvent::ConnectFailed { .. }) => continue,
            Some(event) => return event,
            None => panic!("link ended"),
        }
    }
}

/// The next event that is neither a failed connection attempt nor raw traffic.
async fn next_decoded(link: &mut ScaleLink) -> ScaleEvent {
    loop {
        match next(link).await {
            ScaleEvent::Bytes { .. } => continue,
            event => return event,
        }
    }
}

fn drain<C: hakaru_devices::serial::Connector>(driver: &mut LinkDriver<C>) -> Vec<ScaleEvent> {
    std::iter::from_fn(|| driver.poll_event()).collect()
}

/// `frame` with its `SN` value replaced and the checksum recomputed by the test's oracle.
fn with_serial(frame: &[u8], sn: &str) -> Vec<u8> {
    let text = std::str::from_utf8(frame).unwrap();
    let start = text.find("SN,\"").unwrap() + 4;
    let end = start + text[start..].find('"').unwrap();
    let replaced = format!("{}{}{}", &text[..start], sn, &text[end..]);
    let cs = oracle_checksum(replaced.as_bytes());
    with_checksum(replaced.as_bytes(), cs)
}

fn weight_of(event: &ScaleEvent) -> Option<f64> {
    match event {
        ScaleEvent::Reading(r) => r.weight.map(|w| w.value()),
        _ => None,
    }
}

fn duplex_driver(
    options: LinkOptions,
) -> (
    LinkDriver<hakaru_devices::serial::PlugConnector<DuplexStream>>,
    hakaru_devices::serial::Plug<DuplexStream>,
    hakaru_devices::serial::CommandSender,
) {
    let (plug, connector) = plug();
    let (commands, rx) = hakaru_devices::serial::command_channel(options.dialect);
    (LinkDriver::new(connector, options, rx), plug, commands)
}

// ---------------------------------------------------------------------------------------
// Over tokio::io::duplex
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn frames_in_odd_chunkings_become_readings() {
    let (mut driver, plug, _commands) = duplex_driver(LinkOptions::default());
    let mut stream = Vec::new();
    for f in [F1, F2, F1] {
        stream.extend(framed(f));
    }
    for chunk_size in [1usize, 2, 3, 7, 64, 1273, 4096] {
        let (near, mut far) = tokio::io::duplex(8192);
        plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
        assert_eq!(driver.step().await, Step::Connected);
        let mut events = drain(&mut driver);
        for chunk in stream.chunks(chunk_size) {
            far.write_all(chunk).await.unwrap();
            // One step reads exactly what is there: the chunking the decoder sees is ours.
            assert_eq!(driver.step().await, Step::Read(chunk.len()));
            events.extend(drain(&mut driver));
        }
        drop(far);
        assert_eq!(driver.step().await, Step::Disconnected);
        events.extend(drain(&mut driver));

        let weights: Vec<f64> = events.iter().filter_map(weight_of).collect();
        assert_eq!(weights, [67.6, 67.8, 67.6], "chunk size {chunk_size}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, ScaleEvent::DecodeError { .. })),
            "chunk size {chunk_size}: {events:?}"
        );
        assert!(matches!(events[0], ScaleEvent::Connected { .. }));
        assert!(matches!(
            events.last(),
            Some(ScaleEvent::Disconnected {
                reason: DisconnectReason::DeviceGone
            })
        ));
    }
    // Identity is remembered across connections: only the very first frame identifies.
    // (Checked on a fresh driver so the count is exact.)
    let (mut driver, plug, _commands) = duplex_driver(LinkOptions::default());
    let (near, mut far) = tokio::io::duplex(8192);
    plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
    driver.step().await;
    far.write_all(&stream).await.unwrap();
    drop(far);
    while driver.step().await != Step::Disconnected {}
    let events = drain(&mut driver);
    let identified: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, ScaleEvent::Identified { .. }))
        .collect();
    assert_eq!(identified.len(), 1);
    assert!(matches!(
        identified[0],
        ScaleEvent::Identified { model: Some(m), serial_number: None } if m == "MC-780"
    ));
}

#[tokio::test]
async fn a_frame_cut_by_a_disconnect_is_a_decode_error_never_a_reading() {
    let (mut driver, plug, _commands) = duplex_driver(LinkOptions::default());
    let (near, mut far) = tokio::io::duplex(8192);
    plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
    assert_eq!(driver.step().await, Step::Connected);
    far.write_all(&F1[..600]).await.unwrap();
    assert_eq!(driver.step().await, Step::Read(600));
    drop(far);
    assert_eq!(driver.step().await, Step::Disconnected);
    let events = drain(&mut driver);
    assert!(!events.iter().any(|e| matches!(e, ScaleEvent::Reading(_))));
    assert!(matches!(
        events[1],
        ScaleEvent::DecodeError {
            error: DecodeError::Frame(FrameError::Truncated),
            bytes: 600
        }
    ));
    assert!(matches!(
        events[2],
        ScaleEvent::Disconnected {
            reason: DisconnectReason::DeviceGone
        }
    ));
    assert_eq!(events.len(), 3);
    assert!(!driver.is_connected());
}

#[tokio::test]
async fn a_changed_serial_number_raises_analyzer_changed_even_across_a_reconnect() {
    let (mut driver, plug, _commands) = duplex_driver(LinkOptions::default());
    let (near, mut far) = tokio::io::duplex(8192);
    plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
    driver.step().await;
    far.write_all(&framed(F5)).await.unwrap();
    far.write_all(&framed(F5)).await.unwrap();
    drop(far);
    while driver.step().await != Step::Disconnected {}

    // Another SC-240 is plugged in while the link waits to reconnect.
    let swapped = with_serial(F5, "00000003");
    let (near, mut far) = tokio::io::duplex(8192);
    plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
    assert_eq!(driver.step().await, Step::Connected);
    far.write_all(&framed(&swapped)).await.unwrap();
    let n = swapped.len() + 2;
    assert_eq!(driver.step().await, Step::Read(n));

    let events = drain(&mut driver);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            ScaleEvent::Connected { .. } => "connected",
            ScaleEvent::Identified { .. } => "identified",
            ScaleEvent::AnalyzerChanged { .. } => "changed",
            ScaleEvent::Reading(_) => "reading",
            ScaleEvent::Disconnected { .. } => "disconnected",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "connected",
            "identified",
            "reading",
            "reading",
            "disconnected",
            "connected",
            "changed",
            "reading"
        ]
    );
    let sc240 = |sn: &str| AnalyzerIdentity {
        model: Some("SC-240".into()),
        serial_number: Some(sn.into()),
    };
    assert!(matches!(
        &events[1],
        ScaleEvent::Identified { model: Some(m), serial_number: Some(s) }
            if m == "SC-240" && s == "00000002"
    ));
    let ScaleEvent::AnalyzerChanged { previous, current } = &events[6] else {
        panic!("{:?}", events[6])
    };
    assert_eq!(previous, &sc240("00000002"));
    assert_eq!(current, &sc240("00000003"));
    assert_eq!(driver.state().identity(), Some(&sc240("00000003")));
}

#[tokio::test(start_paused = true)]
async fn commands_are_written_with_cr_lf_and_tapped() {
    let (plug, connector) = plug();
    let options = LinkOptions {
        tap_raw: true,
        ..LinkOptions::default()
    };
    let mut link = ScaleLink::spawn(connector, options);

    // Not connected yet: refused at once, nothing queued for later.
    let refused = link.send(&Command::ReadPresets).await;
    assert!(
        matches!(refused, Err(SendError::NotConnected)),
        "{refused:?}"
    );
    // Out of range: refused before it reaches the link.
    let bad = link.send(&Command::Age(3)).await;
    assert!(matches!(bad, Err(SendError::Encode(_))), "{bad:?}");

    let (near, mut far) = tokio::io::duplex(8192);
    plug.plug_in(near, "duplex", LinkSettings::TANITA_DEFAULT);
    assert!(matches!(
        next(&mut link).await,
        ScaleEvent::Connected { .. }
    ));

    link.send(&Command::Height { tenths_cm: 1754 })
        .await
        .unwrap();
    link.send(&Command::Age(30)).await.unwrap();
    let mut wire = [0u8; 15];
    far.read_exact(&mut wire).await.unwrap();
    assert_eq!(&wire, b"D3175.4\r\nD430\r\n");

    // The analyzer answers; the reply and the raw bytes both arrive, in order.
    far.write_all(b"D3,Hm,175.4\r\n").await.unwrap();
    let mut sent = Vec::new();
    loop {
        match next(&mut link).await {
            ScaleEvent::Bytes {
                direction: Direction::Sent,
                data,
            } => sent.push(data.into_inner()),
            ScaleEvent::Bytes {
                direction: Direction::Received,
                data,
            } => {
                assert_eq!(data.expose().as_slice(), b"D3,Hm,175.4\r\n");
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(sent, [b"D3175.4\r\n".to_vec(), b"D430\r\n".to_vec()]);
    assert!(matches!(next(&mut link).await, ScaleEvent::Reply(_)));

    // Closing ends the stream with Disconnected (closed), then nothing.
    link.close();
    assert!(matches!(
        next(&mut link).await,
        ScaleEvent::Disconnected {
            reason: DisconnectReason::Closed
        }
    ));
    assert!(within("the end", link.next_event()).await.is_none());
}

#[tokio::test(start_paused = true)]
async fn the_spawned_link_reconnects_after_the_stream_ends() {
    let (plug, connector) = plug();
    let mut link = ScaleLink::spawn(connector, LinkOptions::default());
    for round in 0..3 {
        let (near, mut far) = tokio::io::duplex(8192);
        plug.plug_in(
            near,
            format!("duplex-{round}"),
            LinkSettings::TANITA_DEFAULT,
        );
        let ScaleEvent::Connected { path, .. } = next(&mut link).await else {
            panic!("expected Connected")
        };
        assert_eq!(path, PathBuf::from(format!("duplex-{round}")));
        far.write_all(&framed(F2)).await.unwrap();
        let mut event = next(&mut link).await;
        if round == 0 {
            assert!(matches!(event, ScaleEvent::Identified { .. }));
            event = next(&mut link).await;
        }
        assert_eq!(weight_of(&event), Some(67.8));
        drop(far);
        assert!(matches!(
            next(&mut link).await,
            ScaleEvent::Disconnected {
                reason: DisconnectReason::DeviceGone
            }
        ));
    }
}

// ---------------------------------------------------------------------------------------
// On real pseudo-terminals
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn unplug_and_replug_on_a_pty_reconnects_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tty");
    let mut pty = Pty::plug(&path);
    let options = LinkOptions {
        tap_raw: true,
        backoff: hakaru_devices::serial::Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(50),
        },
        ..LinkOptions::default()
    };
    let mut link = ScaleLink::open(&path, LinkSettings::TANITA_DEFAULT, options);
    let ScaleEvent::Connected { path: p, settings } = next(&mut link).await else {
        panic!("expected Connected")
    };
    assert_eq!(
        (p.as_path(), settings),
        (path.as_path(), LinkSettings::TANITA_DEFAULT)
    );

    pty.write(&framed(F2));
    assert!(matches!(
        next_decoded(&mut link).await,
        ScaleEvent::Identified { .. }
    ));
    assert_eq!(weight_of(&next_decoded(&mut link).await), Some(67.8));

    // Unplug in the middle of a frame. Wait (on the raw tap) until the link holds all of the
    // partial frame, then close the master: the cut frame is an error, then Disconnected.
    pty.write(&F1[..300]);
    let mut received = 0;
    while received < 300 {
        match next(&mut link).await {
            ScaleEvent::Bytes {
                direction: Direction::Received,
                data,
            } => received += data.expose().len(),
            other => panic!("unexpected {other:?}"),
        }
    }
    drop(pty);
    assert!(matches!(
        next(&mut link).await,
        ScaleEvent::DecodeError {
            error: DecodeError::Frame(FrameError::Truncated),
            bytes: 300
        }
    ));
    assert!(matches!(
        next(&mut link).await,
        ScaleEvent::Disconnected {
            reason: DisconnectReason::DeviceGone
        }
    ));

    // Replug: a new pty behind the same path.
    let mut pty = Pty::plug(&path);
    let ScaleEvent::Connected { path: p, .. } = next(&mut link).await else {
        panic!("expected Connected again")
    };
    assert_eq!(p, path);
    pty.write(&framed(F2));
    assert_eq!(weight_of(&next_decoded(&mut link).await), Some(67.8));
    pty.write(&framed(F1));
    assert_eq!(weight_of(&next_decoded(&mut link).await), Some(67.6));
}

/// A fake analyzer on a pty master: answers each `D?` with a verified frame when the port is
/// set to `speaks`, and with corrupt frames otherwise (what a wrong baud rate looks like).
fn spawn_picky_device(master: std::fs::File, speaks: nix::sys::termios::BaudRate) {
    use nix::sys::termios::{cfgetospeed, tcgetattr};
    use std::io::{Read, Write};
    std::thread::spawn(move || {
        let mut master = master;
        let mut pending = Vec::new();
        let mut buf = [0u8; 256];
        // Ends when the port side closes (EIO on the master).
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                return;
            }
            pending.extend_from_slice(&buf[..n]);
            while let Some(at) = pending.windows(4).position(|w| w == b"D?\r\n") {
                pending.drain(..at + 4);
                let speed = cfgetospeed(&tcgetattr(&master).unwrap());
                let answer = if speed == speaks {
                    framed(F5)
                } else {
                    let mut bad = framed(&with_checksum(F5, 0x00));
                    bad.extend(b"{0,16,\x8f\x03\xfe\r\n");
                    bad
                };
                if master.write_all(&answer).is_err() {
                    return;
                }
            }
        }
    });
}

#[tokio::test]
async fn autodetect_finds_the_one_setting_that_verifies_on_a_pty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tty");
    let (master, _slave) = Pty::plug(&path).split();
    spawn_picky_device(master, nix::sys::termios::BaudRate::B4800);

    let mut progress = Vec::new();
    let detected = within(
        "auto-detection",
        autodetect(
            &path,
            &LinkSettings::AUTODETECT_CANDIDATES,
            &AutodetectOptions::default(),
            |p| progress.push(p.clone()),
        ),
    )
    .await
    .unwrap();
    assert_eq!(detected.settings, LinkSettings::new_8n1(4800));
    assert_eq!(detected.model.as_deref(), Some("SC-240"));
    assert_eq!(detected.profile.map(|p| p.model), Some("SC-240"));
    assert!(matches!(
        &detected.evidence,
        Evidence::Frame { serial_number: Some(sn), .. } if sn == "00000002"
    ));

    // 9600 was tried first and rejected as garbled; then 4800 matched; nothing after.
    assert_eq!(progress.len(), 4, "{progress:?}");
    assert!(matches!(
        &progress[1],
        AutodetectProgress::Tried {
            settings,
            outcome: CandidateOutcome::Garbled { rejected: 2.., .. }
        } if *settings == LinkSettings::TANITA_DEFAULT
    ));
    assert!(matches!(
        &progress[2],
        AutodetectProgress::Trying {
            index: 1,
            total: 4,
            ..
        }
    ));
    assert!(matches!(
        &progress[3],
        AutodetectProgress::Tried {
            outcome: CandidateOutcome::Matched { .. },
            ..
        }
    ));
}
