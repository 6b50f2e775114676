//! `hakaru decode <capture>`: a byte capture → one JSON object per line on stdout, a summary on
//! stderr, exit code 1 if any frame was rejected.
//!
//! The bytes go through [`StreamDecoder`] in fixed-size chunks, exactly as the serial link feeds
//! it, so a capture decodes here the way it would have decoded live. Deliberately not here: any
//! parsing of its own, and any logging of values (logs name events and counts only; the JSON on
//! stdout is the technician's explicit request for the values).

use anyhow::{Context, Result};
use hakaru_devices::scale::{DecodeEvent, DecoderStats, StreamDecoder};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Bytes read per chunk.
const CHUNK: usize = 8192;

/// `hakaru decode` の引数 / Arguments of `hakaru decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// キャプチャファイル(`-` で標準入力) / Capture file (`-` for stdin)
    #[arg(value_name = "CAPTURE-FILE")]
    pub capture: PathBuf,
}

/// What one run saw, beyond the decoder's own counters.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    readings: u64,
    weights: u64,
    replies: u64,
    statuses: u64,
    rejected: u64,
}

impl Tally {
    fn count(&mut self, event: &DecodeEvent) {
        match event {
            DecodeEvent::Reading { .. } => self.readings += 1,
            DecodeEvent::Weight { .. } => self.weights += 1,
            DecodeEvent::Reply { .. } => self.replies += 1,
            DecodeEvent::Status { .. } => self.statuses += 1,
            DecodeEvent::Rejected { .. } => self.rejected += 1,
        }
    }

    fn events(&self) -> u64 {
        self.readings + self.weights + self.replies + self.statuses + self.rejected
    }
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let from_stdin = args.capture.as_os_str() == "-";
    let name = if from_stdin {
        "<stdin>".to_owned()
    } else {
        args.capture.display().to_string()
    };
    let input: Box<dyn Read> = if from_stdin {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&args.capture).with_context(|| {
            format!(
                "キャプチャファイル {name} を開けません。パスを確認してください(標準入力は -) / \
                 cannot open capture file {name}: check the path (use - for stdin)"
            )
        })?)
    };
    tracing::info!(source = %name, "decoding capture");

    let stdout = io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let (tally, stats) = match decode(input, &mut out, &name) {
        Ok(done) => done,
        Err(Failure::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            // `hakaru decode x | head`: the reader has what it wanted.
            tracing::debug!("stdout closed early");
            return Ok(ExitCode::SUCCESS);
        }
        Err(Failure::Output(e)) => {
            return Err(e).context(
                "結果を標準出力に書けません / cannot write results to stdout: \
                 check the disk or the pipe",
            )
        }
        Err(Failure::Input(e)) => {
            return Err(e).with_context(|| {
                format!(
                    "{name} を読み込めません。ファイルが壊れていないか確認してください / \
                     cannot read {name}: check that the file is readable and complete"
                )
            })
        }
    };

    summarise(&tally, &stats);
    Ok(if tally.rejected > 0 {
        ExitCode::from(crate::EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

enum Failure {
    Input(io::Error),
    Output(io::Error),
}

fn decode(
    mut input: impl Read,
    out: &mut impl Write,
    name: &str,
) -> Result<(Tally, DecoderStats), Failure> {
    let mut decoder = StreamDecoder::new();
    let mut tally = Tally::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Input(e)),
        };
        decoder.push(&buf[..n]);
        drain(&mut decoder, &mut tally, out)?;
    }
    decoder.finish();
    drain(&mut decoder, &mut tally, out)?;
    out.flush().map_err(Failure::Output)?;
    tracing::info!(source = %name, events = tally.events(), "capture decoded");
    Ok((tally, decoder.stats()))
}

fn drain(
    decoder: &mut StreamDecoder,
    tally: &mut Tally,
    out: &mut impl Write,
) -> Result<(), Failure> {
    while let Some(event) = decoder.poll_event() {
        tally.count(&event);
        write_event(&event, out).map_err(Failure::Output)?;
    }
    Ok(())
}

/// One JSON object and a newline. A rejection also carries the error's text (`reason`) and what
/// to do about it (`advice`).
fn write_event(event: &DecodeEvent, out: &mut impl Write) -> io::Result<()> {
    match event {
        DecodeEvent::Rejected { error, bytes } => {
            tracing::warn!(bytes, "frame rejected: {error}");
            let mut value = serde_json::to_value(event).map_err(io::Error::other)?;
            if let Some(map) = value.as_object_mut() {
                map.insert("reason".into(), error.to_string().into());
                map.insert("advice".into(), error.advice().into());
            }
            serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
        }
        other => {
            tracing::debug!(kind = event_kind(other), "event");
            serde_json::to_writer(&mut *out, other).map_err(io::Error::other)?;
        }
    }
    out.write_all(b"\n")
}

fn event_kind(event: &DecodeEvent) -> &'static str {
    match event {
        DecodeEvent::Reading { .. } => "reading",
        DecodeEvent::Weight { .. } => "weight",
        DecodeEvent::Reply { .. } => "reply",
        DecodeEvent::Status { .. } => "status",
        DecodeEvent::Rejected { .. } => "rejected",
    }
}

/// The summary line on stderr (and a hint when the capture held nothing we know).
fn summarise(tally: &Tally, stats: &DecoderStats) {
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "概要 / summary: フレーム {f} 件・棄却 {r} 件・読み飛ばし {s} バイト / \
         {f} frames, {r} rejected, {s} bytes skipped \
         (weight {w}, reply {p}, status {t}; {b} bytes read)",
        f = tally.readings,
        r = tally.rejected,
        s = stats.skipped_bytes,
        w = tally.weights,
        p = tally.replies,
        t = tally.statuses,
        b = stats.bytes_in,
    );
    if tally.events() == 0 && stats.bytes_in > 0 {
        let _ = writeln!(
            err,
            "ヒント: 認識できるデータがありません。通信設定(ボーレート・パリティ)を確認してください / \
             hint: nothing recognisable; check the baud rate and parity the capture was taken with"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_reader_gives_every_event_once() {
        let frame: &[u8] =
            b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS,D6\r\n";
        let input: Vec<u8> = frame.repeat(CHUNK / frame.len() * 3);
        let mut out = Vec::new();
        let (tally, stats) = match decode(&input[..], &mut out, "test") {
            Ok(done) => done,
            Err(_) => panic!("decode failed"),
        };
        let expected = (CHUNK / frame.len() * 3) as u64;
        assert_eq!(tally.readings, expected);
        assert_eq!(stats.skipped_bytes, 0);
        let lines = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
        assert_eq!(lines as u64, expected);
    }
}
