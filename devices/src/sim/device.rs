//! The simulated analyzer as a sans-IO state machine: commands in ([`Device::handle_input`]),
//! "a person steps on" ([`Device::measure`]), faults ([`Device::inject`]) and time
//! ([`Device::handle_timeout`]) go in; lines to send ([`Device::poll_transmit`]), link actions
//! ([`Device::poll_action`]) and the next deadline ([`Device::poll_timeout`]) come out.
//! Pacing, garbling at a wrong baud and the pty are deliberately not here ([`super::runner`]).
//! Time is a `Duration` since the simulator started.

use crate::redact::REDACTED;
use crate::scale::models::{ModelProfile, OutputKind};
use crate::scale::pc_mode::{Dialect, StartCommand};
use crate::scale::settings::LinkSettings;
use crate::scale::status::ErrorCode;
use crate::scale::tanita::{BodyType, Sex};
use crate::sim::body::{round1, round2, Body, Person};
use crate::sim::clock::DeviceClock;
use crate::sim::fault::Fault;
use crate::sim::frames::{self, FrameContext};
use crate::sim::rng::Rng;
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// Longest command line kept; longer input is dropped and answered with `!`.
pub const MAX_COMMAND: usize = 64;
/// Interval between `US` lines while an A&D indicator settles.
pub const SETTLE_STEP: Duration = Duration::from_millis(200);
/// Delay of the WB-3000-style junk byte after a frame ends.
pub const JUNK_DELAY: Duration = Duration::from_millis(100);

/// How the simulated analyzer behaves.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// The model to imitate.
    pub model: &'static ModelProfile,
    /// Who steps on it.
    pub person: Person,
    /// Seed for the measurement variation; same seed ⇒ same bytes.
    pub seed: u64,
    /// `SN` for models that print one.
    pub serial_number: String,
    /// From stepping on (or a start command) to the result.
    pub measure_time: Duration,
    /// Measure on its own every so often (a queue of people), if set.
    pub auto_measure: Option<Duration>,
    /// The device's hand-set clock at start.
    pub clock: DeviceClock,
    /// Send a junk byte ~100 ms after each frame (WB-3000 behaviour) from the start.
    pub junk_after_frame: bool,
}

impl DeviceConfig {
    /// Defaults for `model`: person of fixture F1, seed 1, serial `00000001`, 3 s measurement.
    pub fn new(model: &'static ModelProfile) -> DeviceConfig {
        DeviceConfig {
            model,
            person: Person::default(),
            seed: 1,
            serial_number: "00000001".to_owned(),
            measure_time: Duration::from_secs(3),
            auto_measure: None,
            clock: DeviceClock::default(),
            junk_after_frame: false,
        }
    }
}

/// What a transmitted line is, for counters and logs (never its content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransmitKind {
    /// A complete measurement frame.
    Frame,
    /// A frame cut short (fault).
    TruncatedFrame,
    /// A weight line (A&D, WB-110, DC-320 `F0`).
    Weight,
    /// A PC-mode reply.
    Reply,
    /// An `E<n>` status.
    Status,
    /// Line noise (fault).
    Noise,
    /// The post-frame junk byte.
    Junk,
}

/// Bytes the device puts on the line, in order, at its own line settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Transmit {
    /// What it is.
    pub kind: TransmitKind,
    /// The bytes, line end included where the device sends one.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Transmit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Transmit {{ kind: {:?}, len: {}, bytes: {REDACTED} }}",
            self.kind,
            self.bytes.len()
        )
    }
}

/// Something the link around the device must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Pull the cable for this long, then plug it back in.
    Unplug(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    Pc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `measure()` or the auto-measure timer.
    StepOn,
    /// A PC-mode start command.
    PcStart,
    /// DC-320 `F0`.
    WeightOnly,
    /// A reference mass was put on the platform (reported as a weight-only line).
    Reference,
}

#[derive(Debug, Clone, Copy)]
struct Measurement {
    via: Via,
    done_at: Duration,
    next_sample: Duration,
    gross: f64,
}

/// The PC-mode presets (`D0`…`D6`). `Debug` is redacted.
#[derive(Clone, Default, PartialEq, Eq)]
struct Presets {
    clothes_tenths: Option<u16>,
    sex: Option<Sex>,
    body_type: Option<BodyType>,
    height_text: Option<String>,
    height_tenths: Option<u16>,
    age: Option<u8>,
    id: Option<String>,
    target_fat: Option<u8>,
}

impl fmt::Debug for Presets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Presets({REDACTED})")
    }
}

/// Counters since the device was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Complete frames and weight results produced.
    pub results: u64,
    /// Command lines received.
    pub commands: u64,
    /// Faults injected.
    pub faults: u64,
}

/// See the module documentation.
pub struct Device {
    model: &'static ModelProfile,
    person: Person,
    rng: Rng,
    serial_number: String,
    measure_time: Duration,
    auto_measure: Option<Duration>,
    next_auto: Option<Duration>,
    clock: DeviceClock,
    settings: LinkSettings,
    mode: Mode,
    presets: Presets,
    measuring: Option<Measurement>,
    /// WB-110: what the platform shows, and until when it is still settling.
    platform: Option<(f64, Duration)>,
    /// A reference mass on the platform (calibration check), kg; weighed instead of a person.
    load: Option<f64>,
    /// Kg added to every weight reported ([`Fault::Drift`]).
    drift_kg: f64,
    silent_until: Option<Duration>,
    truncate_next: bool,
    corrupt_next: bool,
    junk_after_frame: bool,
    junk_at: Option<Duration>,
    input: Vec<u8>,
    discarding_input: bool,
    tx: VecDeque<Transmit>,
    actions: VecDeque<Action>,
    stats: DeviceStats,
}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("model", &self.model.model)
            .field("settings", &self.settings)
            .field("mode", &self.mode)
            .field("measuring", &self.measuring.map(|m| m.via))
            .field("queued", &self.tx.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// A device at power-on (normal mode, no presets) at time zero.
    pub fn new(config: DeviceConfig) -> Device {
        Device {
            model: config.model,
            person: config.person,
            rng: Rng::new(config.seed),
            serial_number: config.serial_number,
            measure_time: config.measure_time,
            auto_measure: config.auto_measure.filter(|d| !d.is_zero()),
            next_auto: config.auto_measure.filter(|d| !d.is_zero()),
            clock: config.clock,
            settings: config.model.settings,
            mode: Mode::Normal,
            presets: Presets::default(),
            measuring: None,
            platform: None,
            load: None,
            drift_kg: 0.0,
            silent_until: None,
            truncate_next: false,
            corrupt_next: false,
            junk_after_frame: config.junk_after_frame,
            junk_at: None,
            input: Vec::new(),
            discarding_input: false,
            tx: VecDeque::new(),
            actions: VecDeque::new(),
            stats: DeviceStats::default(),
        }
    }

    /// The model it imitates.
    pub fn model(&self) -> &'static ModelProfile {
        self.model
    }

    /// The line settings it currently transmits at (changed by [`Fault::WrongBaud`]).
    pub fn settings(&self) -> LinkSettings {
        self.settings
    }

    /// Counters.
    pub fn stats(&self) -> DeviceStats {
        self.stats
    }

    /// Whether a measurement is in progress.
    pub fn is_measuring(&self) -> bool {
        self.measuring.is_some()
    }

    /// Replaces who steps on next.
    pub fn set_person(&mut self, person: Person) {
        self.person = person;
    }

    /// Puts a reference mass of `kg` on the platform (a calibration check): from now on every
    /// measurement weighs exactly it (plus any [`Fault::Drift`]) instead of the person. Models
    /// with a weight-only command (DC-320 `F0`) wait for it; the others report it at once as a
    /// stable weight-only line, as a platform scale does when a load settles.
    pub fn place_weight(&mut self, kg: f64, now: Duration) {
        self.load = Some(kg.max(0.0));
        let commanded =
            self.model.dialect == Some(Dialect::JpDc) && self.model.start == Some(StartCommand::G0);
        if !commanded && !self.silent(now) && self.measuring.is_none() {
            self.start(Via::Reference, now);
        }
    }

    /// Takes the reference mass off: people are weighed again.
    pub fn clear_weight(&mut self) {
        self.load = None;
    }

    fn silent(&self, now: Duration) -> bool {
        self.silent_until.is_some_and(|t| now < t)
    }

    /// A person steps on: a measurement starts (ignored while one runs or while silent).
    pub fn measure(&mut self, now: Duration) {
        if self.silent(now) || self.measuring.is_some() {
            tracing::debug!(model = self.model.model, "measure ignored: busy or silent");
            return;
        }
        self.start(Via::StepOn, now);
    }

    fn start(&mut self, via: Via, now: Duration) {
        let gross = match self.load {
            Some(kg) => kg,
            None => self.person.weight_kg + self.rng.symmetric(0.15),
        } + self.drift_kg;
        self.measuring = Some(Measurement {
            via,
            done_at: now + self.measure_time,
            next_sample: now,
            gross,
        });
        if self.model.output == OutputKind::TanitaLegacy {
            self.platform = Some((gross, now + self.measure_time));
        }
        tracing::debug!(model = self.model.model, ?via, "measurement started");
        self.handle_timeout(now);
    }

    /// Bytes the host wrote to the device (commands, CR LF terminated; LF alone also ends one).
    pub fn handle_input(&mut self, bytes: &[u8], now: Duration) {
        if self.silent(now) {
            return;
        }
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    if self.discarding_input {
                        self.discarding_input = false;
                        self.input.clear();
                        continue;
                    }
                    if !self.input.is_empty() {
                        let line = std::mem::take(&mut self.input);
                        self.handle_line(&line, now);
                    }
                }
                _ if self.discarding_input => {}
                _ if self.input.len() >= MAX_COMMAND => {
                    self.input.clear();
                    self.discarding_input = true;
                    if self.model.dialect.is_some() {
                        self.reply("!");
                    }
                }
                _ => self.input.push(b),
            }
        }
    }

    /// Injects a fault.
    pub fn inject(&mut self, fault: Fault, now: Duration) {
        tracing::info!(model = self.model.model, %fault, "fault injected");
        self.stats.faults += 1;
        match fault {
            Fault::Noise => {
                let n = 16 + self.rng.index(33);
                let mut bytes = Vec::with_capacity(n + 2);
                while bytes.len() < n {
                    let b = (self.rng.next_u64() & 0xff) as u8;
                    if !matches!(b, b'{' | b'\r' | b'\n') {
                        bytes.push(b);
                    }
                }
                bytes.extend_from_slice(b"\r\n");
                self.push(TransmitKind::Noise, bytes);
            }
            Fault::Truncate => self.truncate_next = true,
            Fault::BadChecksum => self.corrupt_next = true,
            Fault::WrongBaud(to) => {
                self.settings = to.unwrap_or_else(|| {
                    let c = &LinkSettings::AUTODETECT_CANDIDATES;
                    let i = c.iter().position(|s| *s == self.settings);
                    match i {
                        Some(i) => c[(i + 1) % c.len()],
                        None => c[0],
                    }
                });
                tracing::info!(model = self.model.model, settings = %self.settings, "device line settings changed");
            }
            Fault::Unplug(d) => self.actions.push_back(Action::Unplug(d)),
            Fault::Silence(d) => {
                self.silent_until = Some(now + d);
                self.input.clear();
            }
            Fault::Error(code) => {
                if self.measuring.take().is_some() {
                    tracing::debug!(model = self.model.model, "measurement aborted by error");
                }
                self.push(
                    TransmitKind::Status,
                    format!("{}\r\n", code.code()).into_bytes(),
                );
            }
            Fault::SerialNumber(s) => self.serial_number = s,
            Fault::Junk => self.junk_after_frame = true,
            Fault::Drift(kg) => self.drift_kg = kg,
        }
    }

    /// Advances time: ends silence, runs auto-measurement, settles and completes measurements.
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.silent_until.is_some_and(|t| now >= t) {
            self.silent_until = None;
        }
        if let (Some(at), Some(every)) = (self.next_auto, self.auto_measure) {
            if now >= at {
                let mut next = at;
                while next <= now {
                    next += every;
                }
                self.next_auto = Some(next);
                self.measure(now);
            }
        }
        if let Some(at) = self.junk_at {
            if now >= at {
                self.junk_at = None;
                if !self.silent(now) {
                    self.push(TransmitKind::Junk, vec![0x00]);
                }
            }
        }
        let Some(mut m) = self.measuring else { return };
        if self.silent(now) {
            return;
        }
        if now >= m.done_at {
            self.measuring = None;
            self.complete(m, now);
            return;
        }
        if self.model.output == OutputKind::AndStandard && now >= m.next_sample {
            // Settling: a damped swing towards the final weight.
            let left = (m.done_at - now).as_secs_f64() / self.measure_time.as_secs_f64().max(1e-3);
            let shown = m.gross * (1.0 - 0.3 * left * left) + self.rng.symmetric(0.2) * left;
            self.push(
                TransmitKind::Weight,
                frames::and_standard(false, round2(shown)),
            );
            while m.next_sample <= now {
                m.next_sample += SETTLE_STEP;
            }
            self.measuring = Some(m);
        }
    }

    /// The next time [`Device::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut t: Option<Duration> = None;
        let mut take = |d: Option<Duration>| {
            if let Some(d) = d {
                t = Some(t.map_or(d, |t| t.min(d)));
            }
        };
        take(self.silent_until);
        take(self.next_auto);
        take(self.junk_at);
        if let Some(m) = self.measuring {
            take(Some(m.done_at));
            if self.model.output == OutputKind::AndStandard {
                take(Some(m.next_sample));
            }
        }
        t
    }

    /// The next line to put on the wire.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.tx.pop_front()
    }

    /// The next link action.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn push(&mut self, kind: TransmitKind, bytes: Vec<u8>) {
        self.tx.push_back(Transmit { kind, bytes });
    }

    fn reply(&mut self, text: &str) {
        self.push(TransmitKind::Reply, format!("{text}\r\n").into_bytes());
    }

    fn effective_person(&self) -> Person {
        let mut p = self.person.clone();
        let s = &self.presets;
        if let Some(sex) = s.sex {
            p.sex = sex;
        }
        if let Some(age) = s.age {
            p.age = age;
        }
        if let Some(h) = s.height_tenths {
            p.height_cm = f64::from(h) / 10.0;
        }
        if let Some(bt) = s.body_type {
            p.body_type = bt;
        }
        p
    }

    fn frame_context(&self, now: Duration) -> FrameContext {
        let width = if self.model.model.starts_with("MC-") {
            16
        } else {
            10
        };
        let id = self.presets.id.clone().unwrap_or_default();
        FrameContext {
            serial_number: self.serial_number.clone(),
            id: format!("{id:0>width$}"),
            clock: self.clock.after(now),
        }
    }

    fn clothes(&self) -> f64 {
        self.presets
            .clothes_tenths
            .map_or(0.0, |t| f64::from(t) / 10.0)
    }

    fn frame(&mut self, gross: f64, now: Duration, corrupt: bool) -> Vec<u8> {
        let mut person = self.effective_person();
        person.weight_kg = gross;
        let body = Body::measure(
            &person,
            self.clothes(),
            self.presets.target_fat,
            &mut self.rng,
        );
        let ctx = self.frame_context(now);
        let m = self.model;
        match (m.model, m.output) {
            ("MC-780", _) => frames::mc780(m, &body, &ctx, corrupt),
            (_, OutputKind::SegmentalComposition) => frames::mc980(m, &body, &ctx, corrupt),
            ("SC-240", _) => frames::sc240(m, &body, &ctx, corrupt),
            (_, OutputKind::Composition) => frames::dc320(m, &body, &ctx, corrupt),
            _ => frames::pw650(m, &body, &ctx, corrupt),
        }
    }

    fn complete(&mut self, m: Measurement, now: Duration) {
        self.stats.results += 1;
        tracing::debug!(model = self.model.model, via = ?m.via, "measurement complete");
        match self.model.output {
            OutputKind::TanitaLegacy => {
                // Not pushed: the host asks with `DR`.
                self.platform = Some((m.gross, now));
            }
            OutputKind::AndStandard => {
                let mut line = frames::and_standard(true, round2(m.gross));
                if std::mem::take(&mut self.truncate_next) {
                    let cut = 3 + self.rng.index(line.len() - 6);
                    line.truncate(cut);
                    self.push(TransmitKind::TruncatedFrame, line);
                    line = frames::and_standard(true, round2(m.gross));
                }
                self.push(TransmitKind::Weight, line);
            }
            _ if m.via == Via::WeightOnly => {
                let kg = round1(m.gross - self.clothes());
                self.push(TransmitKind::Weight, frames::dc_weight_only(kg));
            }
            _ if m.via == Via::Reference || self.load.is_some() => {
                self.push(
                    TransmitKind::Weight,
                    frames::dc_weight_only(round1(m.gross)),
                );
            }
            _ => {
                if std::mem::take(&mut self.truncate_next) {
                    let mut cut = self.frame(m.gross, now, false);
                    let at = cut.len() / 4 + self.rng.index(cut.len() / 2);
                    cut.truncate(at);
                    self.push(TransmitKind::TruncatedFrame, cut);
                }
                let corrupt = std::mem::take(&mut self.corrupt_next);
                let frame = self.frame(m.gross, now, corrupt);
                if self.junk_after_frame {
                    let line_time =
                        Duration::from_nanos(self.settings.nanos_per_char() * frame.len() as u64);
                    self.junk_at = Some(now + line_time + JUNK_DELAY);
                }
                self.push(TransmitKind::Frame, frame);
            }
        }
    }

    fn busy_reply(&mut self, dialect: Dialect) {
        match dialect {
            Dialect::JpDc => self.reply("#"),
            Dialect::Mc980 | Dialect::Bc418 => self.reply("!"),
        }
    }

    fn handle_line(&mut self, line: &[u8], now: Duration) {
        self.stats.commands += 1;
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        if self.model.output == OutputKind::TanitaLegacy {
            if text == "DR" {
                let (kg, settled_at) = self.platform.unwrap_or((0.0, Duration::ZERO));
                let stable = now >= settled_at;
                let shown = if stable {
                    kg
                } else {
                    kg * 0.9 + self.rng.symmetric(0.5)
                };
                self.push(
                    TransmitKind::Weight,
                    frames::tanita_legacy(stable, round1(shown)),
                );
            }
            return;
        }
        let Some(dialect) = self.model.dialect else {
            return; // push-only models ignore the host
        };
        if self.measuring.is_some() && text != "q" {
            tracing::debug!(model = self.model.model, "command refused while measuring");
            self.busy_reply(dialect);
            return;
        }
        let jp = dialect == Dialect::JpDc;
        let start_text = match self.model.start {
            Some(StartCommand::G) => Some("G"),
            Some(StartCommand::G0) => Some("G0"),
            Some(StartCommand::G1) => Some("G1"),
            None => None,
        };
        match text {
            "M1" => {
                self.mode = Mode::Pc;
                self.reply(if jp { "@" } else { "M1" });
            }
            "M0" => {
                self.mode = Mode::Normal;
                self.reply(if jp { "@" } else { "M0" });
            }
            "q" => {
                if self.measuring.take().is_some() {
                    tracing::debug!(model = self.model.model, "measurement cancelled");
                }
            }
            "D?" => {
                let r = self.readback();
                self.reply(&r);
            }
            "F0" if jp && self.model.start == Some(StartCommand::G0) => {
                if self.mode != Mode::Pc {
                    self.reply("!");
                } else {
                    self.reply("@");
                    self.start(Via::WeightOnly, now);
                }
            }
            t if Some(t) == start_text => {
                let p = &self.presets;
                if self.mode != Mode::Pc {
                    self.reply("!");
                } else if p.sex.is_none() || p.age.is_none() || p.height_tenths.is_none() {
                    self.reply(&ErrorCode::MissingPersonalData.code());
                } else {
                    let ack = match (jp, self.model.start) {
                        (true, Some(StartCommand::G0)) => "@",
                        _ => "S6",
                    };
                    self.reply(ack);
                    self.start(Via::PcStart, now);
                }
            }
            t if t.len() >= 2 && t.starts_with('D') && (b'0'..=b'6').contains(&t.as_bytes()[1]) => {
                let slot = t.as_bytes()[1] - b'0';
                if self.mode != Mode::Pc {
                    self.reply("!");
                    return;
                }
                match self.set_preset(slot, &t[2..]) {
                    Some(echo) if jp => self.reply(&format!("D{slot},{echo}")),
                    Some(_) => self.reply(&format!("D{slot}")),
                    None => self.reply(&format!("D{slot}!")),
                }
            }
            _ => self.reply("!"),
        }
    }

    /// Stores a preset; returns the JP-dialect echo `KEY,value`, or `None` for a bad parameter.
    fn set_preset(&mut self, slot: u8, param: &str) -> Option<String> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        // `XX.X` / `XXX.X` fixed width → tenths.
        let fixed = |s: &str, int_len: usize| -> Option<u16> {
            let (i, f) = s.split_once('.')?;
            (i.len() == int_len && f.len() == 1 && digits(i) && digits(f))
                .then(|| {
                    i.parse::<u16>()
                        .ok()
                        .map(|i| i * 10 + f.parse::<u16>().unwrap_or(0))
                })
                .flatten()
        };
        let p = &mut self.presets;
        match slot {
            0 => {
                let t = fixed(param, 2).filter(|t| *t <= 100)?;
                p.clothes_tenths = Some(t);
                Some(format!("Pt,{}.{}", t / 10, t % 10))
            }
            1 => {
                let sex = match param {
                    "1" => Sex::Male,
                    "2" => Sex::Female,
                    _ => return None,
                };
                p.sex = Some(sex);
                Some(format!("GE,{}", sex.code()))
            }
            2 => {
                let bt = match param {
                    "0" => BodyType::Standard,
                    "2" => BodyType::Athletic,
                    _ => return None,
                };
                p.body_type = Some(bt);
                Some(format!("Bt,{}", bt.code()))
            }
            3 => {
                let t = fixed(param, 3).filter(|t| (900..=2499).contains(t))?;
                p.height_tenths = Some(t);
                p.height_text = Some(param.to_owned());
                Some(format!("Hm,{}.{}", t / 10, t % 10))
            }
            4 => {
                let age: u8 = (param.len() == 2 && digits(param))
                    .then(|| param.parse().ok())
                    .flatten()
                    .filter(|a| (5..=99).contains(a))?;
                p.age = Some(age);
                Some(format!("AG,{age}"))
            }
            5 => {
                let id = param.trim_matches('"');
                if !(10..=16).contains(&id.len()) || !digits(id) {
                    return None;
                }
                p.id = Some(id.to_owned());
                Some(format!("ID,{id}"))
            }
            _ => {
                let t: u8 = (param.len() == 2 && digits(param))
                    .then(|| param.parse().ok())
                    .flatten()
                    .filter(|t| (5..=99).contains(t))?;
                p.target_fat = Some(t);
                Some(format!("gF,{t}"))
            }
        }
    }

    /// `D?`: `D01.5,D11,D20,D3175.4,D430,D50000012345,D620`; unset slots `Dn!` (D0 `D000.0`).
    fn readback(&self) -> String {
        let p = &self.presets;
        let opt = |i: u8, v: Option<String>| match v {
            Some(v) => format!("D{i}{v}"),
            None => format!("D{i}!"),
        };
        [
            match p.clothes_tenths {
                Some(t) => format!("D0{}.{}", t / 10, t % 10),
                None => "D000.0".to_owned(),
            },
            opt(1, p.sex.map(|s| s.code().to_string())),
            opt(2, p.body_type.map(|b| b.code().to_string())),
            opt(3, p.height_text.clone()),
            opt(4, p.age.map(|a| format!("{a:02}"))),
            opt(5, p.id.clone()),
            opt(6, p.target_fat.map(|t| format!("{t:02}"))),
        ]
        .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::models::ModelProfile;

    fn lines(d: &mut Device) -> Vec<String> {
        std::iter::from_fn(|| d.poll_transmit())
            .map(|t| String::from_utf8_lossy(&t.bytes).into_owned())
            .collect()
    }

    fn finish(d: &mut Device, now: Duration) -> Vec<String> {
        d.handle_timeout(now + Duration::from_secs(10));
        lines(d)
    }

    #[test]
    fn a_reference_mass_is_reported_exactly_plus_any_drift() {
        let profile = ModelProfile::find("MC-780").expect("known");
        let mut d = Device::new(DeviceConfig::new(profile));
        d.place_weight(50.0, Duration::ZERO);
        assert_eq!(finish(&mut d, Duration::ZERO), ["F0,Wk,50.0\r\n"]);
        d.inject(Fault::Drift(0.5), Duration::from_secs(20));
        d.place_weight(20.0, Duration::from_secs(20));
        assert_eq!(finish(&mut d, Duration::from_secs(20)), ["F0,Wk,20.5\r\n"]);
        d.inject(Fault::Drift(0.0), Duration::from_secs(40));
        d.place_weight(0.0, Duration::from_secs(40));
        assert_eq!(finish(&mut d, Duration::from_secs(40)), ["F0,Wk,0.0\r\n"]);
    }

    #[test]
    fn a_weight_only_model_waits_for_f0_and_weighs_the_reference() {
        let profile = ModelProfile::find("DC-320").expect("known");
        let mut d = Device::new(DeviceConfig::new(profile));
        d.place_weight(100.0, Duration::ZERO);
        assert!(!d.is_measuring(), "waits for the host's command");
        d.handle_input(b"M1\r\nD000.0\r\nF0\r\n", Duration::ZERO);
        let out = finish(&mut d, Duration::ZERO);
        assert_eq!(
            out.last().map(String::as_str),
            Some("F0,Wk,100.0\r\n"),
            "{out:?}"
        );
        d.clear_weight();
        d.measure(Duration::from_secs(20));
        let out = finish(&mut d, Duration::from_secs(20));
        assert!(
            out.last().is_some_and(|f| f.contains("SN,")),
            "a person again: {out:?}"
        );
    }
}
