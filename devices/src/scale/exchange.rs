//! The preset exchange: presetting a participant's sex, age, height, body type and clothes
//! weight in PC mode and starting the measurement — as a sans-IO state machine.
//!
//! Input: [`PresetExchange::handle_reply`], [`PresetExchange::handle_status`],
//! [`PresetExchange::handle_timeout`], all with the caller's `now`. Output:
//! [`PresetExchange::poll_transmit`] (bytes to write), [`PresetExchange::poll_timeout`] (when to
//! call back), [`PresetExchange::poll_event`]. It honours the MC-980 timing rule of ≥100 ms
//! between commands and waits for each acknowledgement before the next. Reading the result
//! frame that follows is not its business: the decoder reports it like any other frame.

use crate::scale::models::ModelProfile;
use crate::scale::pc_mode::{Command, CommandError, Dialect, Reply, StartCommand};
use crate::scale::status::{DeviceStatus, ErrorCode};
use crate::scale::tanita::{BodyType, Sex};
use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

/// Minimum gap between two commands (reference §3: "≥100 ms between commands").
pub const COMMAND_SPACING: Duration = Duration::from_millis(100);
/// How long to wait for an acknowledgement before sending the command once more.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(1500);
/// How many times a command is sent before the exchange gives up.
pub const ATTEMPTS: u8 = 2;

/// The participant's values the analyzer needs. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Preset {
    /// Sex.
    pub sex: Sex,
    /// Age in years.
    pub age: u8,
    /// Height in tenths of a centimetre.
    pub height_tenths_cm: u16,
    /// Standard or athletic.
    pub body_type: BodyType,
    /// Clothes weight in tenths of a kilogram.
    pub clothes_tenths_kg: u16,
}

impl fmt::Debug for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Preset(<redacted>)")
    }
}

/// What the exchange reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeEvent {
    /// Every preset was accepted and the start command acknowledged: the person may step on.
    Measuring,
    /// The exchange stopped; the measurement cannot go ahead as preset.
    Failed(ExchangeError),
}

/// Why a preset exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// This model cannot be preset from the host.
    #[error(
        "この機種はPCから設定できません / this model ({0}) has no PC mode: measure in its own mode"
    )]
    NoPcMode(&'static str),
    /// A value is out of the analyzer's range.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The analyzer refused a command (`Dn!` or `!`).
    #[error("体組成計が {command} を受け付けませんでした / the analyzer refused {command}: check the preset values")]
    Refused {
        /// The command's name, e.g. `D3`.
        command: &'static str,
    },
    /// No acknowledgement after every attempt.
    #[error("体組成計が {command} に応答しません / no answer to {command}: check the cable and that the analyzer is on")]
    NoReply {
        /// The command's name.
        command: &'static str,
    },
    /// The analyzer reported an error code.
    #[error("{0}")]
    Device(ErrorCode),
    /// This model cannot be told to weigh without passing current through the body.
    #[error(
        "この機種は体重のみの測定ができません。係員を呼んでください / \
         this model ({0}) cannot measure weight only: call a staff member"
    )]
    NoWeightOnly(&'static str),
}

#[derive(Debug)]
struct Pending {
    command: Command,
    attempts: u8,
    deadline: Instant,
}

/// See the module documentation.
#[derive(Debug)]
pub struct PresetExchange {
    dialect: Dialect,
    queue: VecDeque<Command>,
    pending: Option<Pending>,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<ExchangeEvent>,
    /// Not before this instant may the next command go out.
    next_send: Instant,
    done: bool,
}

impl PresetExchange {
    /// Plans the commands for `profile` and `preset`; nothing is sent until polled.
    pub fn new(
        profile: &ModelProfile,
        preset: &Preset,
        now: Instant,
    ) -> Result<Self, ExchangeError> {
        let (Some(dialect), Some(start)) = (profile.dialect, profile.start) else {
            return Err(ExchangeError::NoPcMode(profile.model));
        };
        let mut queue = VecDeque::new();
        if dialect == Dialect::Bc418 {
            queue.push_back(Command::MetricUnits);
        } else {
            queue.push_back(Command::EnterPcMode);
        }
        queue.extend([
            Command::ClothesWeight {
                tenths_kg: preset.clothes_tenths_kg,
            },
            Command::Sex(preset.sex),
            Command::BodyType(preset.body_type),
            Command::Height {
                tenths_cm: preset.height_tenths_cm,
            },
            Command::Age(preset.age),
            Command::Start(start),
        ]);
        Self::planned(dialect, queue, now)
    }

    /// Plans a weight-only measurement for a person with an implanted electronic device: PC
    /// mode, the clothes weight, then `F0` (weigh, no current through the body). Only models
    /// with a weight-only command (JP DC dialect with a `G0` start, e.g. DC-320) can do it;
    /// others fail with [`ExchangeError::NoWeightOnly`] rather than measuring impedance.
    pub fn weight_only(
        profile: &ModelProfile,
        clothes_tenths_kg: u16,
        now: Instant,
    ) -> Result<Self, ExchangeError> {
        let (Some(dialect), Some(start)) = (profile.dialect, profile.start) else {
            return Err(ExchangeError::NoPcMode(profile.model));
        };
        if dialect != Dialect::JpDc || start != StartCommand::G0 {
            return Err(ExchangeError::NoWeightOnly(profile.model));
        }
        let queue = VecDeque::from([
            Command::EnterPcMode,
            Command::ClothesWeight {
                tenths_kg: clothes_tenths_kg,
            },
            Command::WeightOnly,
        ]);
        Self::planned(dialect, queue, now)
    }

    /// Starts an exchange of `queue`, validating every command first so a bad value fails
    /// before anything is sent.
    fn planned(
        dialect: Dialect,
        queue: VecDeque<Command>,
        now: Instant,
    ) -> Result<Self, ExchangeError> {
        for c in &queue {
            c.encode(dialect)?;
        }
        let mut x = PresetExchange {
            dialect,
            queue,
            pending: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            next_send: now,
            done: false,
        };
        x.advance(now);
        Ok(x)
    }

    /// The next bytes to write, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ExchangeEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.done {
            return None;
        }
        match &self.pending {
            Some(p) => Some(p.deadline),
            None if !self.queue.is_empty() => Some(self.next_send),
            None => None,
        }
    }

    /// Whether the exchange has finished (measuring or failed).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Time passed: send the next command when due, resend or give up on a silent one.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.done {
            return;
        }
        if let Some(p) = &mut self.pending {
            if now < p.deadline {
                return;
            }
            // MC-980's reply to M1 is not documented: silence there is taken as consent.
            if p.command == Command::EnterPcMode && self.dialect == Dialect::Mc980 {
                self.acknowledged(now);
                return;
            }
            if p.attempts >= ATTEMPTS {
                let command = p.command.ack_name();
                self.fail(ExchangeError::NoReply { command });
                return;
            }
            p.attempts += 1;
            p.deadline = now + REPLY_TIMEOUT;
            let bytes = p.command.encode(self.dialect).unwrap_or_default();
            self.transmit.push_back(bytes);
            return;
        }
        self.advance(now);
    }

    /// A reply line arrived.
    pub fn handle_reply(&mut self, reply: &Reply, now: Instant) {
        let Some(p) = &self.pending else { return };
        let name = p.command.ack_name();
        let is_start = matches!(p.command, Command::Start(_) | Command::WeightOnly);
        match reply {
            Reply::Nak => self.fail(ExchangeError::Refused { command: name }),
            Reply::Refused { command } if command == name => {
                self.fail(ExchangeError::Refused { command: name })
            }
            Reply::Accepted { command, .. } if command == name => self.acknowledged(now),
            Reply::Ready if p.command == Command::EnterPcMode || is_start => self.acknowledged(now),
            Reply::State(6) if is_start => self.acknowledged(now),
            // `#` busy, `S<n>`, or an echo of something else: keep waiting.
            _ => {}
        }
    }

    /// A device status arrived (as a reply or unsolicited).
    pub fn handle_status(&mut self, status: DeviceStatus, _now: Instant) {
        let DeviceStatus::Error(code) = status;
        if !self.done {
            self.fail(ExchangeError::Device(code));
        }
    }

    fn acknowledged(&mut self, now: Instant) {
        let Some(p) = self.pending.take() else { return };
        if matches!(p.command, Command::Start(_) | Command::WeightOnly) {
            self.done = true;
            self.events.push_back(ExchangeEvent::Measuring);
            return;
        }
        self.next_send = now + COMMAND_SPACING;
        self.advance(now);
    }

    fn advance(&mut self, now: Instant) {
        if self.pending.is_some() || now < self.next_send {
            return;
        }
        let Some(command) = self.queue.pop_front() else {
            return;
        };
        match command.encode(self.dialect) {
            Ok(bytes) => {
                self.transmit.push_back(bytes);
                self.pending = Some(Pending {
                    command,
                    attempts: 1,
                    deadline: now + REPLY_TIMEOUT,
                });
            }
            Err(e) => self.fail(e.into()),
        }
    }

    fn fail(&mut self, e: ExchangeError) {
        self.done = true;
        self.pending = None;
        self.queue.clear();
        self.events.push_back(ExchangeEvent::Failed(e));
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // a base instant for the injected clock
mod tests {
    use super::*;

    fn preset() -> Preset {
        Preset {
            sex: Sex::Female,
            age: 68,
            height_tenths_cm: 1552,
            body_type: BodyType::Standard,
            clothes_tenths_kg: 10,
        }
    }

    fn profile(name: &str) -> &'static ModelProfile {
        ModelProfile::find(name).unwrap()
    }

    fn sent(x: &mut PresetExchange) -> Vec<String> {
        std::iter::from_fn(|| x.poll_transmit())
            .map(|b| String::from_utf8(b).unwrap().trim_end().to_owned())
            .collect()
    }

    /// Drives a JP DC exchange with the replies reference §3 records for DC-320.
    #[test]
    fn jp_dc_sequence_with_spacing() {
        let t0 = Instant::now();
        let mut x = PresetExchange::new(profile("DC-320"), &preset(), t0).unwrap();
        let replies = [
            ("M1", Reply::Ready),
            ("D001.0", Reply::parse(b"D0,Pt,1.0").unwrap()),
            ("D12", Reply::parse(b"D1,GE,2").unwrap()),
            ("D20", Reply::parse(b"D2,Bt,0").unwrap()),
            ("D3155.2", Reply::parse(b"D3,Hm,155.2").unwrap()),
            ("D468", Reply::parse(b"D4,AG,68").unwrap()),
            ("G0", Reply::Ready),
        ];
        let mut now = t0;
        for (i, (expected, reply)) in replies.iter().enumerate() {
            if i > 0 {
                // Nothing goes out before the spacing has passed.
                assert_eq!(sent(&mut x), Vec::<String>::new());
                let due = x.poll_timeout().unwrap();
                assert!(due >= now + COMMAND_SPACING);
                now = due;
                x.handle_timeout(now);
            }
            assert_eq!(sent(&mut x), vec![expected.to_string()]);
            x.handle_reply(reply, now);
        }
        assert_eq!(x.poll_event(), Some(ExchangeEvent::Measuring));
        assert!(x.is_done());
        assert_eq!(x.poll_timeout(), None);
    }

    #[test]
    fn refusal_fails_with_the_command() {
        let t0 = Instant::now();
        let mut x = PresetExchange::new(profile("MC-980"), &preset(), t0).unwrap();
        assert_eq!(sent(&mut x), ["M1"]);
        // MC-980: silence after M1 is accepted.
        let t1 = x.poll_timeout().unwrap();
        x.handle_timeout(t1);
        x.handle_timeout(x.poll_timeout().unwrap());
        assert_eq!(sent(&mut x), ["D001.0"]);
        x.handle_reply(
            &Reply::Refused {
                command: "D0".into(),
            },
            t1,
        );
        assert_eq!(
            x.poll_event(),
            Some(ExchangeEvent::Failed(ExchangeError::Refused {
                command: "D0"
            }))
        );
    }

    #[test]
    fn silence_is_retried_then_fails() {
        let t0 = Instant::now();
        let mut x = PresetExchange::new(profile("MC-780"), &preset(), t0).unwrap();
        assert_eq!(sent(&mut x), ["M1"]);
        x.handle_timeout(x.poll_timeout().unwrap());
        assert_eq!(sent(&mut x), ["M1"], "resent once");
        x.handle_timeout(x.poll_timeout().unwrap());
        assert_eq!(
            x.poll_event(),
            Some(ExchangeEvent::Failed(ExchangeError::NoReply {
                command: "M1"
            }))
        );
    }

    #[test]
    fn device_error_stops_the_exchange() {
        let t0 = Instant::now();
        let mut x = PresetExchange::new(profile("MC-780"), &preset(), t0).unwrap();
        x.handle_status(DeviceStatus::Error(ErrorCode::MissingPersonalData), t0);
        assert_eq!(
            x.poll_event(),
            Some(ExchangeEvent::Failed(ExchangeError::Device(
                ErrorCode::MissingPersonalData
            )))
        );
    }

    #[test]
    fn weight_only_sends_f0_instead_of_a_start_and_only_where_the_model_has_it() {
        let t0 = Instant::now();
        let mut x = PresetExchange::weight_only(profile("DC-320"), 10, t0).unwrap();
        let mut now = t0;
        let replies = [
            ("M1", Reply::Ready),
            ("D001.0", Reply::parse(b"D0,Pt,1.0").unwrap()),
            ("F0", Reply::Ready),
        ];
        for (i, (expected, reply)) in replies.iter().enumerate() {
            if i > 0 {
                now = x.poll_timeout().unwrap();
                x.handle_timeout(now);
            }
            assert_eq!(sent(&mut x), vec![expected.to_string()]);
            x.handle_reply(reply, now);
        }
        assert_eq!(x.poll_event(), Some(ExchangeEvent::Measuring));
        // No model without a weight-only command is ever started with current.
        assert!(matches!(
            PresetExchange::weight_only(profile("MC-780"), 10, t0),
            Err(ExchangeError::NoWeightOnly("MC-780"))
        ));
        assert!(matches!(
            PresetExchange::weight_only(profile("SC-240"), 10, t0),
            Err(ExchangeError::NoPcMode("SC-240"))
        ));
    }

    #[test]
    fn bad_values_and_push_only_models_fail_up_front() {
        let t0 = Instant::now();
        let tall = Preset {
            height_tenths_cm: 2600,
            ..preset()
        };
        assert!(matches!(
            PresetExchange::new(profile("MC-780"), &tall, t0),
            Err(ExchangeError::Command(_))
        ));
        assert!(matches!(
            PresetExchange::new(profile("SC-240"), &preset(), t0),
            Err(ExchangeError::NoPcMode("SC-240"))
        ));
        assert_eq!(format!("{:?}", preset()), "Preset(<redacted>)");
    }
}
