//! The simulator on a real pseudo-terminal: a plain file opened at `path()` reads frames; the
//! link's termios is visible from the master; a wrong baud garbles honestly; pacing takes at
//! least the line time; unplug/replug re-points the stable path.

// Test helpers panic on a failed setup step, like the tests that call them.
#![allow(clippy::unwrap_used)]

use hakaru_devices::scale::{decode_all, DecodeEvent, LinkSettings, ModelProfile, Parity};
use hakaru_devices::sim::pty::PtyEnd;
use hakaru_devices::sim::{Fault, SimConfig, SimError, SimStatus, Simulator};
use nix::sys::termios::{
    cfmakeraw, cfsetspeed, tcflush, tcgetattr, tcsetattr, BaudRate, ControlFlags, FlushArg, SetArg,
    SpecialCharacterIndices,
};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// Opens `path` like a port: raw, `baud` 8N1, reads return after at most `tenths` × 0.1 s.
fn open_raw(path: &Path, baud: BaudRate, tenths: u8) -> File {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY)
        .open(path)
        .unwrap();
    set_line(&f, baud, tenths);
    f
}

fn set_line(f: &File, baud: BaudRate, tenths: u8) {
    let mut t = tcgetattr(f).unwrap();
    cfmakeraw(&mut t);
    cfsetspeed(&mut t, baud).unwrap();
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 0;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = tenths;
    tcsetattr(f, SetArg::TCSANOW, &t).unwrap();
}

/// Reads until a CR LF that ends a line starting with `{`, or until a read times out.
async fn read_frame(mut f: File) -> (File, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            let n = f.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if let Some(start) = got.iter().position(|b| *b == b'{') {
                if got[start..].windows(2).any(|w| w == b"\r\n") {
                    break;
                }
            }
        }
        (f, got)
    })
    .await
    .unwrap()
}

/// Reads until the first CR LF, or until a read times out.
async fn read_reply(mut f: File) -> (File, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while !got.ends_with(b"\r\n") {
            match f.read(&mut buf) {
                Ok(n @ 1..) => got.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        (f, got)
    })
    .await
    .unwrap()
}

/// Reads until a read times out (everything already sent).
async fn read_all(mut f: File) -> (File, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n @ 1..) = f.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        (f, got)
    })
    .await
    .unwrap()
}

fn fast(model: &str) -> SimConfig {
    let mut c = SimConfig::for_model(model).unwrap();
    c.pace = false;
    c.device.measure_time = Duration::ZERO;
    c
}

fn readings(bytes: &[u8]) -> usize {
    decode_all(bytes)
        .iter()
        .filter(|e| matches!(e, DecodeEvent::Reading { .. }))
        .count()
}

#[tokio::test]
async fn a_plain_file_at_the_stable_path_reads_a_verified_frame() {
    let sim = Simulator::start(fast("MC-780A")).unwrap();
    let target = std::fs::read_link(sim.path()).unwrap();
    assert!(target.starts_with("/dev/pts/"), "{}", target.display());
    assert!(sim
        .path()
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("hakaru-sim-"));
    let f = open_raw(sim.path(), BaudRate::B9600, 50);
    sim.measure().unwrap();
    let (_f, bytes) = read_frame(f).await;
    let line = &bytes[bytes.iter().position(|b| *b == b'{').unwrap()..];
    let cs = line.windows(4).rposition(|w| w == b",CS,").unwrap();
    let sum = line[..=cs].iter().fold(0u32, |a, b| a + u32::from(*b)) % 256;
    assert_eq!(format!("{sum:02X}").as_bytes(), &line[cs + 4..cs + 6]);
    assert_eq!(readings(&bytes), 1);
    let dir = sim.path().parent().unwrap().to_owned();
    let status = sim.stop().await.unwrap();
    assert_eq!(status.results_sent, 1);
    assert!(!dir.exists(), "stop removes the temporary directory");
}

#[tokio::test]
async fn commands_written_to_the_port_are_answered() {
    let sim = Simulator::start(fast("MC-780")).unwrap();
    let mut f = open_raw(sim.path(), BaudRate::B9600, 50);
    f.write_all(b"M1\r\n").unwrap();
    let (mut f, got) = read_reply(f).await;
    assert_eq!(got, b"@\r\n");
    f.write_all(b"D001.0\r\n").unwrap();
    let (_f, got) = read_reply(f).await;
    assert_eq!(got, b"D0,Pt,1.0\r\n");
    assert_eq!(sim.wait_for(|s| s.commands == 2).await.unwrap().commands, 2);
}

#[tokio::test]
async fn the_master_sees_the_baud_the_link_set_but_not_its_data_bits_or_parity() {
    let pty = PtyEnd::open().unwrap();
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_NOCTTY)
        .open(pty.slave_path())
        .unwrap();
    // Ask for 2400 7E1: the Linux pty driver forces CS8 and clears PARENB.
    let mut t = tcgetattr(&f).unwrap();
    cfmakeraw(&mut t);
    cfsetspeed(&mut t, BaudRate::B2400).unwrap();
    t.control_flags.remove(ControlFlags::CSIZE);
    t.control_flags
        .insert(ControlFlags::CS7 | ControlFlags::PARENB);
    tcsetattr(&f, SetArg::TCSANOW, &t).unwrap();
    let mut asked = tcgetattr(&f).unwrap().control_flags;
    asked.remove(ControlFlags::CBAUD | ControlFlags::CIBAUD);
    assert!(
        !asked.contains(ControlFlags::PARENB),
        "the kernel cleared PARENB"
    );
    let seen = pty.host_settings().unwrap();
    assert_eq!(seen.baud, 2400);
    assert_eq!((seen.data_bits, seen.parity), (8, Parity::None));
    // A link that sets speeds with termios2 (serialport's BOTHER) is seen too.
    drop(f);
    let port = serialport::new(pty.slave_path().to_string_lossy(), 19200)
        .open_native()
        .unwrap();
    assert_eq!(pty.host_settings().unwrap().baud, 19200);
    drop(port);
}

#[tokio::test]
async fn at_the_wrong_baud_nothing_decodes_and_at_the_right_one_it_does() {
    let sim = Simulator::start(fast("MC-780")).unwrap();
    let f = open_raw(sim.path(), BaudRate::B4800, 3);
    sim.measure().unwrap();
    sim.wait_for(|s| s.results_sent == 1).await.unwrap();
    let (f, garbled) = read_all(f).await;
    assert!(!garbled.is_empty());
    assert_eq!(readings(&garbled), 0);
    let s = sim.status();
    assert_eq!(s.garbled_lines, 1);
    assert_eq!(s.host_settings.map(|h| h.baud), Some(4800));

    // Auto-detection's next candidate: retune to 9600 on the open port.
    set_line(&f, BaudRate::B9600, 50);
    tcflush(&f, FlushArg::TCIOFLUSH).unwrap();
    sim.measure().unwrap();
    let (_f, good) = read_frame(f).await;
    assert_eq!(readings(&good), 1);
    assert_eq!(sim.status().garbled_lines, 1);
}

#[tokio::test]
async fn the_device_switching_its_own_baud_garbles_until_the_link_follows() {
    let sim = Simulator::start(fast("SC-240")).unwrap();
    let f = open_raw(sim.path(), BaudRate::B9600, 3);
    sim.inject(Fault::WrongBaud(Some(LinkSettings::new_8n1(19200))))
        .unwrap();
    sim.measure().unwrap();
    sim.wait_for(|s| s.results_sent == 1).await.unwrap();
    let (f, garbled) = read_all(f).await;
    assert_eq!(readings(&garbled), 0);
    set_line(&f, BaudRate::B19200, 50);
    sim.measure().unwrap();
    let (_f, good) = read_frame(f).await;
    assert_eq!(readings(&good), 1);
}

#[tokio::test]
async fn a_paced_frame_takes_at_least_its_line_time() {
    let mut c = SimConfig::for_model("MC-780").unwrap();
    c.device.measure_time = Duration::ZERO;
    let sim = Simulator::start(c).unwrap();
    let f = open_raw(sim.path(), BaudRate::B9600, 50);
    let t0 = tokio::time::Instant::now();
    sim.measure().unwrap();
    let (_f, bytes) = read_frame(f).await;
    let elapsed = t0.elapsed();
    let line_time =
        Duration::from_nanos(LinkSettings::TANITA_DEFAULT.nanos_per_char() * bytes.len() as u64);
    assert_eq!(readings(&bytes), 1);
    assert!(bytes.len() > 1200);
    assert!(
        elapsed >= line_time,
        "{} bytes in {elapsed:?}, line time {line_time:?}",
        bytes.len()
    );
}

#[tokio::test]
async fn unplug_closes_the_line_and_replug_repoints_the_path() {
    let sim = Simulator::start(fast("PW-650")).unwrap();
    let first = std::fs::read_link(sim.path()).unwrap();
    let f = open_raw(sim.path(), BaudRate::B9600, 50);
    sim.inject("unplug:1s".parse().unwrap()).unwrap();
    let (_f, after_unplug) = read_all(f).await;
    assert!(after_unplug.is_empty(), "the line ends: EOF or EIO");
    let s = sim.wait_for(|s| !s.plugged).await.unwrap();
    assert_eq!(s.slave, None);
    assert!(std::fs::symlink_metadata(sim.path()).is_err(), "path gone");
    let s: SimStatus = sim.wait_for(|s| s.plug_count == 2).await.unwrap();
    assert!(s.plugged);
    let second = std::fs::read_link(sim.path()).unwrap();
    assert!(second.starts_with("/dev/pts/"));
    assert_eq!(s.slave.as_deref(), Some(second.as_path()));
    let _ = first; // the kernel may reuse the pts number; the path is what stays stable
    let f = open_raw(sim.path(), BaudRate::B9600, 50);
    sim.measure().unwrap();
    let (_f, bytes) = read_frame(f).await;
    assert_eq!(readings(&bytes), 1);
}

#[test]
fn starting_outside_a_runtime_is_a_typed_error() {
    let c = SimConfig::new(ModelProfile::find("SC-240").unwrap());
    assert!(matches!(Simulator::start(c), Err(SimError::NoRuntime)));
    assert!(matches!(
        SimConfig::for_model("XX-1"),
        Err(SimError::UnknownModel(_))
    ));
}
