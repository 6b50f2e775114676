//! Finding which line settings a port speaks by listening: try each candidate in turn,
//! optionally provoke a reply with a harmless probe (`D?`), and accept the first setting under
//! which a line verifies — a Tanita frame with a good checksum, a recognised reply or status,
//! or a weight line. Rejected frames or a run of noise under a setting mean "try the next".
//!
//! Deliberately not here: keeping the port open afterwards (open a [`super::ScaleLink`] with
//! the result) and guessing from USB IDs (see [`super::ports`]). The port stays open across
//! candidates and is retuned, so a simulator or adapter is not unplugged between tries.

use super::error::LinkError;
use super::port::{Retune, SerialPort};
use crate::scale::{Command, DecodeEvent, Dialect, LinkSettings, ModelProfile, StreamDecoder};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// How to listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutodetectOptions {
    /// How long to listen under each candidate when nothing decisive arrives.
    pub listen_for: Duration,
    /// Sent after switching to each candidate to provoke a reply; `None` to only listen.
    pub probe: Option<Command>,
    /// Dialect the probe is encoded in.
    pub dialect: Dialect,
    /// Rejected frames after which a candidate is abandoned.
    pub max_rejections: u64,
    /// Bytes of unrecognised noise after which a candidate is abandoned.
    pub max_noise_bytes: u64,
}

impl Default for AutodetectOptions {
    /// 3 s per candidate, probe with `D?` (read presets: changes nothing on the analyzer),
    /// give up a candidate after 2 rejected frames or 512 bytes of noise.
    fn default() -> AutodetectOptions {
        AutodetectOptions {
            listen_for: Duration::from_secs(3),
            probe: Some(Command::ReadPresets),
            dialect: Dialect::JpDc,
            max_rejections: 2,
            max_noise_bytes: 512,
        }
    }
}

/// What verified a setting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A Tanita frame with a good checksum.
    Frame {
        /// Its `MO`.
        model: Option<String>,
        /// Its `SN`.
        serial_number: Option<String>,
    },
    /// A weight line.
    Weight,
    /// A PC-mode reply (e.g. to the probe).
    Reply,
    /// A device status (`E0`…`E9`).
    Status,
}

/// How one candidate went.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CandidateOutcome {
    /// A line verified.
    Matched {
        /// What verified it.
        evidence: Evidence,
    },
    /// Only rejected frames or noise arrived.
    Garbled {
        /// Rejected frames.
        rejected: u64,
        /// Bytes of noise.
        noise_bytes: u64,
    },
    /// Nothing arrived while listening.
    Silent,
    /// The port would not take the setting.
    Failed {
        /// Why.
        #[serde(serialize_with = "display")]
        error: LinkError,
    },
}

/// Progress, reported once before and once after each candidate.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "progress", rename_all = "snake_case")]
pub enum AutodetectProgress {
    /// About to listen under `settings` (`index` counts from 0).
    Trying {
        /// Position in the candidate list.
        index: usize,
        /// Number of candidates.
        total: usize,
        /// The setting.
        settings: LinkSettings,
    },
    /// Done with `settings`.
    Tried {
        /// The setting.
        settings: LinkSettings,
        /// How it went.
        outcome: CandidateOutcome,
    },
}

/// The setting that verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detected {
    /// The settings to open the port with.
    pub settings: LinkSettings,
    /// What verified them.
    pub evidence: Evidence,
    /// The model, when a frame named it.
    pub model: Option<String>,
    /// The analyzer's profile, when the model is one this crate knows.
    #[serde(skip)]
    pub profile: Option<&'static ModelProfile>,
}

/// Auto-detection found nothing.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AutodetectError {
    /// The port could not be opened at all.
    #[error(transparent)]
    Open(LinkError),
    /// No candidate produced a verified line.
    #[error(
        "通信設定を特定できませんでした({tried} 通り試行): 体組成計の電源とケーブルを確認し、\
         検出中に測定を行ってください / no line settings verified ({tried} tried): check power and \
         cable, and take a measurement while detection is listening",
        tried = .tried.len()
    )]
    NoMatch {
        /// Every candidate and how it went.
        tried: Vec<(LinkSettings, CandidateOutcome)>,
    },
}

/// Opens `path` and finds which of `candidates` it speaks (usually
/// [`LinkSettings::AUTODETECT_CANDIDATES`]). `progress` sees each candidate before and after.
pub async fn autodetect(
    path: impl AsRef<Path>,
    candidates: &[LinkSettings],
    options: &AutodetectOptions,
    progress: impl FnMut(&AutodetectProgress),
) -> Result<Detected, AutodetectError> {
    let first = candidates
        .first()
        .copied()
        .unwrap_or(LinkSettings::TANITA_DEFAULT);
    let mut port = SerialPort::open(path, &first).map_err(AutodetectError::Open)?;
    autodetect_on(&mut port, candidates, options, progress).await
}

/// [`autodetect`] on a port that is already open (any stream that can be retuned).
pub async fn autodetect_on<P>(
    port: &mut P,
    candidates: &[LinkSettings],
    options: &AutodetectOptions,
    mut progress: impl FnMut(&AutodetectProgress),
) -> Result<Detected, AutodetectError>
where
    P: AsyncRead + AsyncWrite + Retune + Unpin,
{
    let mut tried = Vec::with_capacity(candidates.len());
    for (index, settings) in candidates.iter().enumerate() {
        progress(&AutodetectProgress::Trying {
            index,
            total: candidates.len(),
            settings: *settings,
        });
        let outcome = match port.retune(settings) {
            Ok(()) => listen(port, options).await,
            Err(error) => CandidateOutcome::Failed { error },
        };
        tracing::info!(%settings, ?outcome, "auto-detect candidate");
        progress(&AutodetectProgress::Tried {
            settings: *settings,
            outcome: outcome.clone(),
        });
        if let CandidateOutcome::Matched { evidence } = outcome {
            let model = match &evidence {
                Evidence::Frame { model, .. } => model.clone(),
                _ => None,
            };
            let profile = model.as_deref().and_then(ModelProfile::find);
            return Ok(Detected {
                settings: *settings,
                evidence,
                model,
                profile,
            });
        }
        tried.push((*settings, outcome));
    }
    Err(AutodetectError::NoMatch { tried })
}

/// Listens under the current setting until a line verifies, the setting proves wrong, or
/// time is up.
async fn listen<P>(port: &mut P, options: &AutodetectOptions) -> CandidateOutcome
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = Instant::now() + options.listen_for;
    if let Some(probe) = &options.probe {
        if let Ok(bytes) = probe.encode(options.dialect) {
            let written = tokio::time::timeout_at(deadline, async {
                port.write_all(&bytes).await?;
                port.flush().await
            })
            .await;
            if let Ok(Err(e)) = written {
                tracing::debug!(error = %e, "probe not written");
            }
        }
    }
    let mut decoder = StreamDecoder::new();
    let mut buf = [0u8; 512];
    loop {
        let n = match tokio::time::timeout_at(deadline, port.read(&mut buf)).await {
            Err(_elapsed) => break,
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => n,
        };
        decoder.push(&buf[..n]);
        while let Some(event) = decoder.poll_event() {
            let evidence = match event {
                DecodeEvent::Reading { reading } => Evidence::Frame {
                    model: reading.model.clone(),
                    serial_number: reading.serial_number.clone(),
                },
                DecodeEvent::Weight { .. } => Evidence::Weight,
                DecodeEvent::Reply { .. } => Evidence::Reply,
                DecodeEvent::Status { .. } => Evidence::Status,
                DecodeEvent::Rejected { .. } => continue,
            };
            return CandidateOutcome::Matched { evidence };
        }
        let stats = decoder.stats();
        if stats.rejected >= options.max_rejections
            || stats.skipped_bytes >= options.max_noise_bytes
        {
            break;
        }
    }
    let stats = decoder.stats();
    if stats.bytes_in == 0 {
        CandidateOutcome::Silent
    } else {
        CandidateOutcome::Garbled {
            rejected: stats.rejected,
            noise_bytes: stats.skipped_bytes,
        }
    }
}

fn display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tokio::io::{DuplexStream, ReadBuf};

    /// An in-memory port whose far end is a test-controlled duplex; remembers retunes.
    struct FakePort {
        io: DuplexStream,
        tuned: Vec<LinkSettings>,
    }

    impl Retune for FakePort {
        fn retune(&mut self, settings: &LinkSettings) -> Result<(), LinkError> {
            if settings.baud == 300 {
                return Err(LinkError::UnsupportedSettings {
                    settings: *settings,
                    what: "test",
                });
            }
            self.tuned.push(*settings);
            Ok(())
        }
    }

    impl AsyncRead for FakePort {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.io).poll_read(cx, buf)
        }
    }

    impl AsyncWrite for FakePort {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Pin::new(&mut self.io).poll_write(cx, buf)
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.io).poll_flush(cx)
        }
        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.io).poll_shutdown(cx)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_port_reports_every_candidate_and_says_what_to_do() {
        let (near, _far) = tokio::io::duplex(1024);
        let mut port = FakePort {
            io: near,
            tuned: vec![],
        };
        let options = AutodetectOptions {
            probe: None,
            ..AutodetectOptions::default()
        };
        let mut seen = vec![];
        let candidates = [
            LinkSettings::TANITA_DEFAULT,
            LinkSettings::new_8n1(300),
            LinkSettings::LEGACY_7E1,
        ];
        let err = autodetect_on(&mut port, &candidates, &options, |p| seen.push(p.clone()))
            .await
            .unwrap_err();
        let AutodetectError::NoMatch { tried } = &err else {
            panic!("{err:?}")
        };
        assert!(matches!(tried[0].1, CandidateOutcome::Silent));
        assert!(matches!(tried[1].1, CandidateOutcome::Failed { .. }));
        assert!(matches!(tried[2].1, CandidateOutcome::Silent));
        assert_eq!(port.tuned, [candidates[0], candidates[2]]);
        assert_eq!(seen.len(), 6, "before and after each candidate");
        assert!(err.to_string().contains("take a measurement"));
    }

    #[tokio::test(start_paused = true)]
    async fn garbage_moves_on_and_a_probe_reply_verifies() {
        let (near, mut far) = tokio::io::duplex(4096);
        let mut port = FakePort {
            io: near,
            tuned: vec![],
        };
        // The far end answers the first probe with two corrupt frames, the second with `!`.
        let device = tokio::spawn(async move {
            let mut line = [0u8; 4];
            far.read_exact(&mut line).await.unwrap();
            assert_eq!(&line, b"D?\r\n");
            far.write_all(b"{0,16,~0,1,MO,\"X\",CS,00\r\n{0,16,\x81\x82\r\n")
                .await
                .unwrap();
            far.read_exact(&mut line).await.unwrap();
            far.write_all(b"!\r\n").await.unwrap();
            far
        });
        let detected = autodetect_on(
            &mut port,
            &LinkSettings::AUTODETECT_CANDIDATES,
            &AutodetectOptions::default(),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(detected.settings, LinkSettings::AUTODETECT_CANDIDATES[1]);
        assert_eq!(detected.evidence, Evidence::Reply);
        assert_eq!(detected.model, None);
        drop(device.await.unwrap());
    }
}
