//! The async adapter between a running [`ScaleLink`] and a [`Station`]: it feeds the link's
//! readings, weights and statuses in as inputs, performs the station's preset requests with
//! [`run_preset`] (or the weight-only exchange), cancels a started measurement whose session
//! ended, wakes the station at its deadlines and runs its idle work.
//!
//! It is the one place in this crate that reads the clock (through [`Clock`], so tests may
//! supply their own). Deliberately not here: deciding anything about a participant (the
//! session), the store (the station), and the link itself (`hakaru-devices`).
//!
//! Two ways to drive it: [`ScaleFeed::step`] does one thing and returns what it was (tests and
//! callers that own the station interleave their own inputs), and [`ScaleFeed::run`] owns the
//! station, takes UI inputs and card reads ([`FeedInput`]) from a channel and forwards events,
//! card verdicts and link changes ([`FeedOutput`]) to one (the kiosk app).
//! While a preset exchange runs (a few hundred ms, at most ~21 s when the analyzer is silent)
//! or a calibration weighing waits for its weight (at most the weigh timeout, 60 s by default)
//! other inputs wait in the channel; the session ignores answers for a session that ended.
//!
//! For the technician: [`FeedInput::Weigh`] weighs a reference mass while nobody is measured,
//! [`FeedInput::Relink`] moves to another port or protocol, and [`ScaleFeed::tap`] shows the
//! traffic live ([`TapFrame`]): statuses always, raw bytes (with `LinkOptions::tap_raw`) and
//! decoded frames only while no participant session runs. Nothing is kept for the tap when
//! nobody subscribes.

use crate::calibration::{Gate, GateReason};
use crate::cards::CardRejection;
use crate::domain::{Date, ParticipantNumber};
use crate::driver::{PresetRequest, Refusal, ScaleRequest, Station, StationError};
use crate::session::{Event, Input, MeasurementMode, Stage};
use hakaru_devices::redact::REDACTED;
use hakaru_devices::scale::exchange::{ExchangeError, ExchangeEvent, PresetExchange};
use hakaru_devices::scale::models::{ModelProfile, OutputKind};
use hakaru_devices::scale::{Command, Dialect, Stability, StartCommand};
use hakaru_devices::serial::{
    run_preset, AnalyzerIdentity, Direction, PresetError, ScaleEvent, ScaleLink,
};
use hakaru_wire::Timestamp;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot};

/// How long [`FeedInput::Weigh`] waits for a weight by default.
pub const DEFAULT_WEIGH_TIMEOUT: Duration = Duration::from_secs(60);

/// Frames kept for a slow tap subscriber before the oldest are dropped.
const TAP_CAPACITY: usize = 512;

/// Where the adapter gets time from.
pub trait Clock {
    /// Monotonic time, for the session's deadlines.
    fn now(&self) -> Instant;
    /// Wall time (UTC), for what is recorded.
    fn wall(&self) -> Timestamp;
}

/// The system clocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the async adapter injects time into the sans-IO core
    fn now(&self) -> Instant {
        Instant::now()
    }

    #[allow(clippy::disallowed_methods)] // likewise for wall time
    fn wall(&self) -> Timestamp {
        Timestamp::from_system_time(std::time::SystemTime::now())
    }
}

/// A link event as far as the station is concerned (no values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkNote {
    /// The port opened.
    Connected,
    /// The port went away (the link reconnects by itself).
    Disconnected,
    /// A verified frame, fed in as `Input::Reading`.
    Reading,
    /// A weight line, fed in as `Input::Weight`.
    Weight,
    /// A device status, fed in as `Input::ScaleStatus`.
    Status,
    /// Bytes that did not decode (bad checksum, cut frame): never a reading.
    DecodeError,
    /// Anything else (identity, replies outside an exchange, raw bytes).
    Other,
}

/// What one [`ScaleFeed::step`] did (no values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fed {
    /// A link event arrived (and, for readings, weights and statuses, was fed in).
    Link(LinkNote),
    /// A preset request was carried out and its outcome fed in.
    Preset {
        /// Whether the analyzer is measuring (otherwise the exchange failed).
        measuring: bool,
    },
    /// A started measurement was cancelled because its session ended.
    Cancelled,
    /// The station's deadline passed and was handled.
    Deadline,
    /// An input from the channel was handled ([`ScaleFeed::run`] only).
    Input,
    /// The station's idle work (checkpoint) ran.
    IdleWork,
    /// The link has stopped for good.
    LinkClosed,
    /// The input channel closed ([`ScaleFeed::run`] only).
    InputsClosed,
}

/// What [`ScaleFeed::run`] takes in.
#[derive(Debug)]
pub enum FeedInput {
    /// A UI answer (or any other session input).
    Input(Input),
    /// A card reader delivered `text` (`Debug` never shows it): verified with
    /// [`Station::card_read`] on `today`, the station's local date. Ignored while held.
    Card(CardText),
    /// Staff start a session for a roster participant without a card (the queue):
    /// [`Station::present_participant`]; answered with [`FeedOutput::Present`].
    Present {
        /// Who.
        participant: ParticipantNumber,
        /// The station's local date.
        today: Date,
    },
    /// Weigh what is on the platform (a reference mass) while no participant session runs;
    /// the weight in kg, or why not, goes to `reply`.
    Weigh {
        /// Where the answer goes.
        reply: oneshot::Sender<Result<f64, WeighError>>,
    },
    /// Decide the calibration gate again for `today` (after a check, a date change, new
    /// analyzer dates); a change comes out as [`FeedOutput::Gate`].
    RefreshGate {
        /// The station's local date.
        today: Date,
    },
    /// Use another link (the technician chose another port or protocol); the old one closes.
    Relink {
        /// The new link.
        link: ScaleLink,
        /// The model it talks to.
        profile: &'static ModelProfile,
    },
    /// `true` while staff are signed in: card reads are ignored (verdict
    /// [`CardVerdict::Held`]) and start nothing.
    Hold(bool),
}

/// Why [`FeedInput::Weigh`] gave no weight. Messages are Japanese first and say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeighError {
    /// A participant session is running.
    #[error("利用者の測定中は分銅を量れません。測定が終わってからやり直してください / a participant is being measured: weigh after their session ends")]
    SessionActive,
    /// No stable weight came in time.
    #[error("時間内に安定した重さが届きませんでした。分銅を載せ直し、接続を確かめてやり直してください / no stable weight arrived in time: put the weight on again, check the cable and retry")]
    Timeout,
    /// The analyzer did not accept the weight-only command.
    #[error("測定器が計量の指示を受け付けませんでした（{0}）。接続と機種の設定を確かめてください / the analyzer did not start weighing ({0}): check the cable and the model setting")]
    Exchange(String),
    /// The link has stopped.
    #[error("測定器との接続が終了しています。ポートの設定を確かめてください / the scale link has stopped: check the port settings")]
    LinkClosed,
}

/// One thing seen on the link, for the technician's live view. `Debug` hides bytes and
/// frame text (they carry body values).
#[derive(Clone, PartialEq, Eq)]
pub enum TapFrame {
    /// Raw traffic (only when the link was opened with `tap_raw`).
    Bytes {
        /// Which way.
        direction: Direction,
        /// The bytes as they went over the wire.
        data: Vec<u8>,
    },
    /// A decoded frame or weight line as `key=value` text, values included.
    Frame {
        /// `reading`, `weight` or `reply`.
        kind: &'static str,
        /// `key=value` pairs separated by spaces.
        text: String,
    },
    /// A link status (connected, disconnected, identified, decode error, device status).
    Status {
        /// What happened (no body values).
        text: String,
    },
}

impl std::fmt::Debug for TapFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TapFrame::Bytes { direction, data } => f
                .debug_struct("Bytes")
                .field("direction", direction)
                .field("len", &data.len())
                .finish_non_exhaustive(),
            TapFrame::Frame { kind, .. } => f
                .debug_struct("Frame")
                .field("kind", kind)
                .field("text", &format_args!("{REDACTED}"))
                .finish(),
            TapFrame::Status { text } => f.debug_struct("Status").field("text", text).finish(),
        }
    }
}

/// `key=value` text of anything serialisable as a flat JSON object.
fn kv_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                v => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

/// Text a card reader delivered, with the station's local date. `Debug` hides the text.
#[derive(Clone, PartialEq, Eq)]
pub struct CardText {
    /// Exactly what the reader delivered.
    pub text: String,
    /// The station's local date.
    pub today: Date,
}

impl std::fmt::Debug for CardText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardText")
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

/// What a card read came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardVerdict {
    /// Verified: a session for this participant started (its events follow).
    Accepted(ParticipantNumber),
    /// Refused: nothing changed.
    Refused(CardRejection),
    /// The calibration gate is closed: nothing started (notice `measurements_blocked`).
    Blocked(GateReason),
    /// Staff are signed in ([`FeedInput::Hold`]): ignored, nothing started.
    Held,
    /// The store failed while checking: nothing changed.
    CheckFailed,
}

/// What [`ScaleFeed::run`] sends out, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedOutput {
    /// A session event for the UI.
    Event(Event),
    /// A card read's verdict; an accepted card's session events follow it.
    Card(CardVerdict),
    /// The link connected or disconnected ([`LinkNote::Connected`] / [`LinkNote::Disconnected`]).
    Link(LinkNote),
    /// The calibration gate, at the start and whenever it changes.
    Gate(Gate),
    /// The analyzer identified itself (model, serial number) or another one appeared.
    Identity(AnalyzerIdentity),
    /// The answer to [`FeedInput::Present`]: started, or refused with nothing started.
    Present(Result<(), Refusal>),
}

/// See the module documentation.
#[derive(Debug)]
pub struct ScaleFeed<C: Clock = SystemClock> {
    link: ScaleLink,
    profile: &'static ModelProfile,
    clock: C,
    tap: broadcast::Sender<TapFrame>,
    held: bool,
    weigh_timeout: Duration,
    /// Outputs besides events and card verdicts, for [`ScaleFeed::run`].
    pending: Vec<FeedOutput>,
}

fn note(event: &ScaleEvent) -> LinkNote {
    match event {
        ScaleEvent::Connected { .. } => LinkNote::Connected,
        ScaleEvent::Disconnected { .. } => LinkNote::Disconnected,
        ScaleEvent::Reading(_) => LinkNote::Reading,
        ScaleEvent::Weight(_) => LinkNote::Weight,
        ScaleEvent::Status(_) => LinkNote::Status,
        ScaleEvent::DecodeError { .. } => LinkNote::DecodeError,
        _ => LinkNote::Other,
    }
}

/// Whether the model only ever weighs (no electrodes): weight-only is its normal mode.
fn weighs_only(profile: &ModelProfile) -> bool {
    matches!(
        profile.output,
        OutputKind::KeyValueWeight | OutputKind::AndStandard | OutputKind::TanitaLegacy
    )
}

impl<C: Clock> ScaleFeed<C> {
    /// An adapter over `link`, which talks to an analyzer of model `profile`.
    pub fn new(link: ScaleLink, profile: &'static ModelProfile, clock: C) -> ScaleFeed<C> {
        let (tap, _) = broadcast::channel(TAP_CAPACITY);
        ScaleFeed {
            link,
            profile,
            clock,
            tap,
            held: false,
            weigh_timeout: DEFAULT_WEIGH_TIMEOUT,
            pending: Vec::new(),
        }
    }

    /// How long [`FeedInput::Weigh`] waits for a stable weight (default 60 s).
    pub fn with_weigh_timeout(mut self, timeout: Duration) -> ScaleFeed<C> {
        self.weigh_timeout = timeout;
        self
    }

    /// A live view of the link for the technician screen (see [`TapFrame`]). Frames are only
    /// produced while someone subscribes.
    pub fn tap(&self) -> broadcast::Receiver<TapFrame> {
        self.tap.subscribe()
    }

    /// The model the link talks to.
    pub fn profile(&self) -> &'static ModelProfile {
        self.profile
    }

    /// Weighs what is on the platform (a reference mass) while no participant session runs:
    /// models with a weight-only command (DC-320 `F0`) are told to weigh; the others are
    /// waited on for their next stable weight line or frame. At most the weigh timeout.
    pub async fn weigh(&mut self, station: &mut Station) -> Result<f64, WeighError> {
        if !matches!(station.stage(), Stage::Idle | Stage::Closing) {
            return Err(WeighError::SessionActive);
        }
        let commanded = self.profile.dialect == Some(Dialect::JpDc)
            && self.profile.start == Some(StartCommand::G0);
        let timeout = self.weigh_timeout;
        let work = async {
            if commanded {
                let exchange = PresetExchange::weight_only(self.profile, 0, self.clock.now())
                    .map_err(|e| WeighError::Exchange(e.to_string()))?;
                match run_preset(&mut self.link, exchange).await {
                    Ok(others) => {
                        for event in others {
                            if let Some(kg) = self.observe(station, &event) {
                                return Ok(kg);
                            }
                        }
                    }
                    Err((e, _)) => return Err(WeighError::Exchange(e.to_string())),
                }
            }
            loop {
                let Some(event) = self.link.next_event().await else {
                    return Err(WeighError::LinkClosed);
                };
                if let Some(kg) = self.observe(station, &event) {
                    return Ok(kg);
                }
            }
        };
        tokio::time::timeout(timeout, work)
            .await
            .unwrap_or(Err(WeighError::Timeout))
    }

    /// A link event while weighing: to the tap and the station's identity, and the weight if
    /// it is a stable one.
    fn observe(&mut self, station: &mut Station, event: &ScaleEvent) -> Option<f64> {
        self.to_tap(station, event);
        self.identity(station, event);
        match event {
            ScaleEvent::Weight(w) if w.stability == Stability::Stable => {
                w.weight.map(|kg| kg.value())
            }
            ScaleEvent::Reading(r) => r.weight.map(|kg| kg.value()),
            _ => None,
        }
    }

    /// Tells the station which analyzer is connected (closing the gate on a swap).
    fn identity(&mut self, station: &mut Station, event: &ScaleEvent) {
        let identity = match event {
            ScaleEvent::Identified {
                model,
                serial_number,
            } => AnalyzerIdentity {
                model: model.clone(),
                serial_number: serial_number.clone(),
            },
            ScaleEvent::AnalyzerChanged { current, .. } => current.clone(),
            _ => return,
        };
        station.analyzer_identified(identity.clone(), self.clock.now(), self.clock.wall());
        self.pending.push(FeedOutput::Identity(identity));
    }

    /// Copies an event to the tap, if anyone listens: statuses always, traffic and decoded
    /// values only while no participant session runs.
    fn to_tap(&self, station: &Station, event: &ScaleEvent) {
        if self.tap.receiver_count() == 0 {
            return;
        }
        let private = station.current_session().is_some() || station.has_personal_data();
        let frame = match event {
            ScaleEvent::Bytes { direction, data } if !private => TapFrame::Bytes {
                direction: *direction,
                data: data.0.clone(),
            },
            ScaleEvent::Reading(r) if !private => TapFrame::Frame {
                kind: "reading",
                text: kv_text(r.as_ref()),
            },
            ScaleEvent::Weight(w) if !private => TapFrame::Frame {
                kind: "weight",
                text: String::from_utf8_lossy(&w.raw).into_owned(),
            },
            ScaleEvent::Reply(r) if !private => TapFrame::Frame {
                kind: "reply",
                text: kv_text(r),
            },
            ScaleEvent::Bytes { .. }
            | ScaleEvent::Reading(_)
            | ScaleEvent::Weight(_)
            | ScaleEvent::Reply(_) => return,
            ScaleEvent::Connected { path, settings } => TapFrame::Status {
                text: format!("connected {} {settings}", path.display()),
            },
            ScaleEvent::ConnectFailed { error, retry_in } => TapFrame::Status {
                text: format!("connect failed: {error} (retry in {retry_in:?})"),
            },
            ScaleEvent::Identified {
                model,
                serial_number,
            } => TapFrame::Status {
                text: format!(
                    "identified {}",
                    AnalyzerIdentity {
                        model: model.clone(),
                        serial_number: serial_number.clone()
                    }
                ),
            },
            ScaleEvent::AnalyzerChanged { previous, current } => TapFrame::Status {
                text: format!("analyzer changed: {previous} → {current}"),
            },
            ScaleEvent::Status(status) => TapFrame::Status {
                text: format!("status {status:?}"),
            },
            ScaleEvent::DecodeError { error, bytes } => TapFrame::Status {
                text: format!("decode error ({bytes} bytes): {error}"),
            },
            ScaleEvent::Disconnected { reason } => TapFrame::Status {
                text: format!("disconnected: {reason:?}"),
            },
            _ => return,
        };
        // No subscriber left in between: nothing is kept.
        let _ = self.tap.send(frame);
    }

    /// The link (e.g. to close it).
    pub fn link(&self) -> &ScaleLink {
        &self.link
    }

    /// Gives the link back.
    pub fn into_link(self) -> ScaleLink {
        self.link
    }

    /// Does one thing, in this order of priority: a scale request from the station, the
    /// station's idle work, or else waits for the next link event or the station's deadline
    /// and feeds it in. Drain [`Station::poll_event`] afterwards.
    pub async fn step(&mut self, station: &mut Station) -> Fed {
        let fed = self.step_with(station, None).await;
        // Only `run` forwards these; the caller of `step` reads the station itself.
        self.pending.clear();
        fed
    }

    /// Owns `station` until the link or the input channel closes: UI inputs and card reads
    /// come from `inputs`; events, card verdicts and link changes go to `outputs`. Returns the
    /// station (to close the store).
    pub async fn run(
        mut self,
        mut station: Station,
        mut inputs: mpsc::Receiver<FeedInput>,
        outputs: mpsc::Sender<FeedOutput>,
    ) -> Station {
        let mut gate = *station.gate();
        if outputs.send(FeedOutput::Gate(gate)).await.is_err() {
            return station;
        }
        loop {
            let mut verdict = None;
            let fed = self
                .step_with(&mut station, Some((&mut inputs, &mut verdict)))
                .await;
            let mut out = std::mem::take(&mut self.pending);
            if let Some(v) = verdict {
                out.push(FeedOutput::Card(v));
            }
            if *station.gate() != gate {
                gate = *station.gate();
                out.push(FeedOutput::Gate(gate));
            }
            if let Fed::Link(note @ (LinkNote::Connected | LinkNote::Disconnected)) = fed {
                out.push(FeedOutput::Link(note));
            }
            while let Some(event) = station.poll_event() {
                out.push(FeedOutput::Event(event));
            }
            for o in out {
                if outputs.send(o).await.is_err() {
                    return station;
                }
            }
            if matches!(fed, Fed::LinkClosed | Fed::InputsClosed) {
                return station;
            }
        }
    }

    async fn step_with(
        &mut self,
        station: &mut Station,
        inputs: Option<(&mut mpsc::Receiver<FeedInput>, &mut Option<CardVerdict>)>,
    ) -> Fed {
        match station.poll_scale_request() {
            Some(ScaleRequest::Preset(request)) => return self.preset(station, request).await,
            Some(ScaleRequest::Cancel { session }) => {
                if self.profile.dialect.is_some() {
                    if let Err(e) = self.link.send(&Command::Cancel).await {
                        tracing::warn!(%session, error = %e, "could not cancel the measurement");
                    }
                }
                return Fed::Cancelled;
            }
            None => {}
        }
        if station.has_idle_work() {
            if let Err(e) = station.idle_work() {
                tracing::warn!(error = %e, "idle work failed");
            }
            return Fed::IdleWork;
        }
        let deadline = station.poll_timeout();
        let sleep = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
                None => std::future::pending().await,
            }
        };
        let (rx, verdict) = match inputs {
            Some((rx, verdict)) => (Some(rx), Some(verdict)),
            None => (None, None),
        };
        let input = async {
            match rx {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = self.link.next_event() => match event {
                Some(event) => Fed::Link(self.feed(station, event)),
                None => Fed::LinkClosed,
            },
            () = sleep => {
                station.handle_timeout(self.clock.now(), self.clock.wall());
                Fed::Deadline
            }
            input = input => match input {
                Some(FeedInput::Input(input)) => {
                    station.handle(input, self.clock.now(), self.clock.wall());
                    Fed::Input
                }
                Some(FeedInput::Card(_)) if self.held => {
                    tracing::info!("card read ignored: staff signed in");
                    if let Some(slot) = verdict {
                        *slot = Some(CardVerdict::Held);
                    }
                    Fed::Input
                }
                Some(FeedInput::Card(card)) => {
                    let v = match station.card_read(&card.text, card.today, self.clock.now(), self.clock.wall()) {
                        Ok(Ok(participant)) => CardVerdict::Accepted(participant),
                        Ok(Err(rejection)) => CardVerdict::Refused(rejection),
                        Err(StationError::Blocked(reason)) => CardVerdict::Blocked(reason),
                        Err(e) => {
                            tracing::warn!(error = %e, "card check failed");
                            CardVerdict::CheckFailed
                        }
                    };
                    if let Some(slot) = verdict {
                        *slot = Some(v);
                    }
                    Fed::Input
                }
                Some(FeedInput::Present { participant, today }) => {
                    let r = station.present_participant(participant, today, self.clock.now(), self.clock.wall());
                    self.pending.push(FeedOutput::Present(r));
                    Fed::Input
                }
                Some(FeedInput::Weigh { reply }) => {
                    let r = self.weigh(station).await;
                    if let Err(e) = &r {
                        tracing::info!(error = %e, "calibration weighing gave no weight");
                    }
                    let _ = reply.send(r);
                    Fed::Input
                }
                Some(FeedInput::RefreshGate { today }) => {
                    if let Err(e) = station.refresh_gate(today) {
                        tracing::warn!(error = %e, "gate check failed");
                    }
                    Fed::Input
                }
                Some(FeedInput::Relink { link, profile }) => {
                    tracing::info!(model = profile.model, "scale link replaced");
                    self.link = link;
                    self.profile = profile;
                    station.analyzer_forgotten();
                    Fed::Input
                }
                Some(FeedInput::Hold(held)) => {
                    self.held = held;
                    Fed::Input
                }
                None => Fed::InputsClosed,
            },
        }
    }

    /// Feeds one link event into the station.
    fn feed(&mut self, station: &mut Station, event: ScaleEvent) -> LinkNote {
        let note = note(&event);
        self.to_tap(station, &event);
        self.identity(station, &event);
        let input = match event {
            ScaleEvent::Reading(r) => Some(Input::Reading(r)),
            ScaleEvent::Weight(w) => Some(Input::Weight(w)),
            ScaleEvent::Status(s) => Some(Input::ScaleStatus(s)),
            ScaleEvent::DecodeError { error, bytes } => {
                // The error's Display names the fault (checksum, truncation), never a value.
                tracing::warn!(%error, bytes, "scale bytes did not decode: not a reading");
                None
            }
            ScaleEvent::Connected { .. } => {
                tracing::info!("scale connected");
                None
            }
            ScaleEvent::Disconnected { .. } => {
                tracing::warn!("scale disconnected: reconnecting");
                None
            }
            _ => None,
        };
        if let Some(input) = input {
            station.handle(input, self.clock.now(), self.clock.wall());
        }
        note
    }

    /// Carries out a preset request and reports its outcome for the request's session.
    async fn preset(&mut self, station: &mut Station, request: PresetRequest) -> Fed {
        let PresetRequest {
            session,
            preset,
            mode,
        } = request;
        let now = self.clock.now();
        let planned = match mode {
            MeasurementMode::Composition => match PresetExchange::new(self.profile, &preset, now) {
                // A push-only analyzer is set up on its own panel; the echo check guards it.
                Err(ExchangeError::NoPcMode(_)) => None,
                other => Some(other),
            },
            MeasurementMode::WeightOnly if weighs_only(self.profile) => None,
            MeasurementMode::WeightOnly => Some(
                PresetExchange::weight_only(self.profile, preset.clothes_tenths_kg, now).map_err(
                    |e| match e {
                        // Never let a composition analyzer run unsupervised for them.
                        ExchangeError::NoPcMode(model) => ExchangeError::NoWeightOnly(model),
                        e => e,
                    },
                ),
            ),
        };
        let (outcome, others) = match planned {
            None => (ExchangeEvent::Measuring, Vec::new()),
            Some(Err(e)) => (ExchangeEvent::Failed(e), Vec::new()),
            Some(Ok(exchange)) => match run_preset(&mut self.link, exchange).await {
                Ok(others) => (ExchangeEvent::Measuring, others),
                Err((e, others)) => {
                    tracing::warn!(%session, error = %e, "preset exchange failed");
                    let e = match e {
                        PresetError::Exchange(e) => e,
                        // The session only needs to know the analyzer did not start.
                        PresetError::Send(_) | PresetError::LinkClosed => {
                            ExchangeError::NoReply { command: "M1" }
                        }
                    };
                    (ExchangeEvent::Failed(e), others)
                }
            },
        };
        // What came over the link during the exchange happened before its outcome.
        for event in others {
            self.feed(station, event);
        }
        let measuring = outcome == ExchangeEvent::Measuring;
        station.handle(
            Input::Preset {
                session,
                event: outcome,
            },
            self.clock.now(),
            self.clock.wall(),
        );
        Fed::Preset { measuring }
    }
}
