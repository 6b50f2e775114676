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
//! other inputs wait in the channel; the session ignores answers for a session that ended.

use crate::cards::CardRejection;
use crate::domain::{Date, ParticipantNumber};
use crate::driver::{PresetRequest, ScaleRequest, Station};
use crate::session::{Event, Input, MeasurementMode};
use hakaru_devices::scale::exchange::{ExchangeError, ExchangeEvent, PresetExchange};
use hakaru_devices::scale::models::{ModelProfile, OutputKind};
use hakaru_devices::scale::Command;
use hakaru_devices::serial::{run_preset, PresetError, ScaleEvent, ScaleLink};
use hakaru_wire::Timestamp;
use std::time::Instant;
use tokio::sync::mpsc;

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
    /// [`Station::card_read`] on `today`, the station's local date.
    Card(CardText),
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
}

/// See the module documentation.
#[derive(Debug)]
pub struct ScaleFeed<C: Clock = SystemClock> {
    link: ScaleLink,
    profile: &'static ModelProfile,
    clock: C,
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
        ScaleFeed {
            link,
            profile,
            clock,
        }
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
        self.step_with(station, None).await
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
        loop {
            let mut verdict = None;
            let fed = self
                .step_with(&mut station, Some((&mut inputs, &mut verdict)))
                .await;
            let mut out = Vec::new();
            if let Some(v) = verdict {
                out.push(FeedOutput::Card(v));
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
                Some(FeedInput::Card(card)) => {
                    let v = match station.card_read(&card.text, card.today, self.clock.now(), self.clock.wall()) {
                        Ok(Ok(participant)) => CardVerdict::Accepted(participant),
                        Ok(Err(rejection)) => CardVerdict::Refused(rejection),
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
                None => Fed::InputsClosed,
            },
        }
    }

    /// Feeds one link event into the station.
    fn feed(&self, station: &mut Station, event: ScaleEvent) -> LinkNote {
        let note = note(&event);
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
