//! The thin tokio layer: one task owns the [`Device`], the pty and the clock, paces the
//! device's lines onto the wire, garbles them when the link's baud differs, and carries out
//! unplug/replug; [`Simulator`] is the handle that talks to it over a channel. Frame contents
//! and protocol decisions are deliberately not here ([`super::device`]).

use crate::scale::models::ModelProfile;
use crate::scale::settings::LinkSettings;
use crate::sim::body::{Person, PersonError};
use crate::sim::device::{Action, Device, DeviceConfig, TransmitKind};
use crate::sim::fault::Fault;
use crate::sim::pacing::Pacer;
use crate::sim::pty::{PtyEnd, PtyError, StablePath};
use crate::sim::uart;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Stop writing while the host has this many unread bytes queued (the pty would otherwise
/// block us; a real line would lose them).
pub const HOST_QUEUE_LIMIT: usize = 3072;
/// How long to wait before retrying when the host is not reading.
const RETRY: Duration = Duration::from_millis(5);
/// Aim for writes of about this much line time when pacing.
const CHUNK_TIME: Duration = Duration::from_millis(4);

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The device: model, person, seed, timings.
    pub device: DeviceConfig,
    /// Send at the real line rate (`nanos_per_char` of the device's settings). Off for fast
    /// tests: every line is written at once.
    pub pace: bool,
    /// Garble what is sent when the baud the link configured on the pty differs from the
    /// device's (data bits and parity are not observable on a pty).
    pub honour_host_settings: bool,
    /// Where to make the `hakaru-sim-XXXXXX` directory (default: the system temp dir).
    pub temp_dir: Option<PathBuf>,
}

impl SimConfig {
    /// Paced, honouring the host's baud, with [`DeviceConfig::new`] defaults.
    pub fn new(model: &'static ModelProfile) -> SimConfig {
        SimConfig {
            device: DeviceConfig::new(model),
            pace: true,
            honour_host_settings: true,
            temp_dir: None,
        }
    }

    /// As [`SimConfig::new`], looking the model up by name (`MC-780A`, `dc-320` …).
    pub fn for_model(name: &str) -> Result<SimConfig, SimError> {
        ModelProfile::find(name)
            .map(SimConfig::new)
            .ok_or_else(|| SimError::UnknownModel(name.to_owned()))
    }
}

/// Why the simulator could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// No such model in [`ModelProfile::ALL`].
    #[error("unknown analyzer model `{0}`; known models: {models}", models = ModelProfile::names().join(", "))]
    UnknownModel(String),
    /// Called outside a tokio runtime.
    #[error("the simulator must be started inside a tokio runtime with I/O and time enabled")]
    NoRuntime,
    /// The pseudo-terminal or its path.
    #[error(transparent)]
    Pty(#[from] PtyError),
    /// The configured person is out of range.
    #[error("invalid simulated person: {0}")]
    Person(#[from] PersonError),
    /// The simulator task has ended.
    #[error("the simulator has stopped")]
    Stopped,
    /// The simulator task panicked or was cancelled.
    #[error("the simulator task failed: {0}")]
    Task(String),
}

/// What the simulator is doing, for tests and the CLI (no health data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimStatus {
    /// Whether the pty currently exists (not unplugged).
    pub plugged: bool,
    /// How many ptys were created: 1 after start, +1 per replug.
    pub plug_count: u64,
    /// The current `/dev/pts/N`, when plugged.
    pub slave: Option<PathBuf>,
    /// The device's own line settings.
    pub device_settings: LinkSettings,
    /// What the link configured on the pty, when known.
    pub host_settings: Option<LinkSettings>,
    /// Bytes written to the pty.
    pub bytes_written: u64,
    /// Bytes the device sent while unplugged (lost).
    pub bytes_lost: u64,
    /// Complete frames and weight lines fully written.
    pub results_sent: u64,
    /// Lines sent garbled because the link's baud differed.
    pub garbled_lines: u64,
    /// Command lines the device received.
    pub commands: u64,
}

#[derive(Debug)]
enum Control {
    Measure,
    Inject(Fault),
    SetPerson(Person),
    PlaceWeight(Option<f64>),
    Stop,
}

/// A running virtual analyzer on a pty. Dropping it stops the task (best effort); prefer
/// [`Simulator::stop`], which waits and reports.
#[derive(Debug)]
pub struct Simulator {
    path: PathBuf,
    control: mpsc::UnboundedSender<Control>,
    status: watch::Receiver<SimStatus>,
    task: Option<JoinHandle<Result<(), SimError>>>,
}

impl Simulator {
    /// Creates the pty and its stable path and starts the device task. Must be called inside
    /// a tokio runtime.
    pub fn start(config: SimConfig) -> Result<Simulator, SimError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| SimError::NoRuntime)?;
        config.device.person.validate()?;
        let stable = StablePath::new(config.temp_dir.as_deref())?;
        let port = PtyEnd::open()?;
        stable.point_to(port.slave_path())?;
        let path = stable.path().to_owned();
        let device = Device::new(config.device);
        let status = SimStatus {
            plugged: true,
            plug_count: 1,
            slave: Some(port.slave_path().to_owned()),
            device_settings: device.settings(),
            host_settings: port.host_settings(),
            bytes_written: 0,
            bytes_lost: 0,
            results_sent: 0,
            garbled_lines: 0,
            commands: 0,
        };
        let (status_tx, status_rx) = watch::channel(status.clone());
        let (control_tx, control_rx) = mpsc::unbounded_channel();
        tracing::info!(model = device.model().model, path = %path.display(), "simulator started");
        let runner = Runner {
            device,
            pace: config.pace,
            honour: config.honour_host_settings,
            stable,
            port: Some(port),
            reading: true,
            replug_at: None,
            current: None,
            next_start: Duration::ZERO,
            blocked: false,
            epoch: Instant::now(),
            status,
            status_tx,
            control: control_rx,
        };
        Ok(Simulator {
            path,
            control: control_tx,
            status: status_rx,
            task: Some(handle.spawn(runner.run())),
        })
    }

    /// The stable path to open, e.g. `/tmp/hakaru-sim-a1B2c3/tty` (a symlink to `/dev/pts/N`;
    /// absent while unplugged).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A person steps on.
    pub fn measure(&self) -> Result<(), SimError> {
        self.send(Control::Measure)
    }

    /// Injects a fault.
    pub fn inject(&self, fault: Fault) -> Result<(), SimError> {
        self.send(Control::Inject(fault))
    }

    /// Puts a reference mass of `kg` on the platform (see [`super::Device::place_weight`]).
    pub fn place_weight(&self, kg: f64) -> Result<(), SimError> {
        self.send(Control::PlaceWeight(Some(kg)))
    }

    /// Takes the reference mass off the platform.
    pub fn clear_weight(&self) -> Result<(), SimError> {
        self.send(Control::PlaceWeight(None))
    }

    /// Changes who steps on next.
    pub fn set_person(&self, person: Person) -> Result<(), SimError> {
        person.validate()?;
        self.send(Control::SetPerson(person))
    }

    /// The latest status.
    pub fn status(&self) -> SimStatus {
        self.status.borrow().clone()
    }

    /// Waits until the status satisfies `pred` (e.g. unplugged, replugged, a frame sent).
    pub async fn wait_for(
        &self,
        pred: impl FnMut(&SimStatus) -> bool,
    ) -> Result<SimStatus, SimError> {
        let mut rx = self.status.clone();
        let s = rx.wait_for(pred).await.map_err(|_| SimError::Stopped)?;
        Ok(s.clone())
    }

    /// Stops the task, removes the path, and returns the final status.
    pub async fn stop(mut self) -> Result<SimStatus, SimError> {
        let _ = self.control.send(Control::Stop);
        if let Some(task) = self.task.take() {
            task.await.map_err(|e| SimError::Task(e.to_string()))??;
        }
        Ok(self.status.borrow().clone())
    }

    fn send(&self, c: Control) -> Result<(), SimError> {
        self.control.send(c).map_err(|_| SimError::Stopped)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if self.task.is_some() {
            let _ = self.control.send(Control::Stop);
        }
    }
}

struct InFlight {
    bytes: Vec<u8>,
    pacer: Pacer,
    kind: TransmitKind,
}

struct Runner {
    device: Device,
    pace: bool,
    honour: bool,
    stable: StablePath,
    port: Option<PtyEnd>,
    reading: bool,
    replug_at: Option<Duration>,
    current: Option<InFlight>,
    next_start: Duration,
    blocked: bool,
    epoch: Instant,
    status: SimStatus,
    status_tx: watch::Sender<SimStatus>,
    control: mpsc::UnboundedReceiver<Control>,
}

async fn read_port(port: Option<&mut PtyEnd>, buf: &mut [u8]) -> std::io::Result<usize> {
    match port {
        Some(p) => p.read(buf).await,
        None => std::future::pending().await,
    }
}

impl Runner {
    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    async fn run(mut self) -> Result<(), SimError> {
        let result = self.run_loop().await;
        self.port = None;
        if let Err(e) = self.stable.remove() {
            tracing::warn!(error = %e, "could not remove the simulator's port path");
        }
        self.status.plugged = false;
        self.status.slave = None;
        self.publish();
        tracing::info!(model = self.device.model().model, "simulator stopped");
        result
    }

    async fn run_loop(&mut self) -> Result<(), SimError> {
        let mut buf = [0u8; 1024];
        loop {
            let now = self.now();
            self.device.handle_timeout(now);
            self.apply_actions(now);
            if self.replug_at.is_some_and(|t| now >= t) {
                self.replug(now)?;
            }
            self.transmit(now);
            self.publish();
            let wake = self.next_wake(now);
            let sleep = async {
                match wake {
                    Some(w) => tokio::time::sleep_until(self.epoch + w).await,
                    None => std::future::pending().await,
                }
            };
            let port = if self.reading {
                self.port.as_mut()
            } else {
                None
            };
            tokio::select! {
                c = self.control.recv() => {
                    let now = self.epoch.elapsed();
                    match c {
                        None | Some(Control::Stop) => return Ok(()),
                        Some(Control::Measure) => self.device.measure(now),
                        Some(Control::Inject(f)) => self.device.inject(f, now),
                        Some(Control::SetPerson(p)) => self.device.set_person(p),
                        Some(Control::PlaceWeight(Some(kg))) => self.device.place_weight(kg, now),
                        Some(Control::PlaceWeight(None)) => self.device.clear_weight(),
                    }
                }
                r = read_port(port, &mut buf) => {
                    let now = self.epoch.elapsed();
                    match r {
                        Ok(n) => self.device.handle_input(&buf[..n], now),
                        Err(e) => {
                            tracing::warn!(error = %e, "pty read failed; not reading until replug");
                            self.reading = false;
                        }
                    }
                }
                () = sleep => {}
            }
        }
    }

    fn apply_actions(&mut self, now: Duration) {
        while let Some(Action::Unplug(d)) = self.device.poll_action() {
            if self.port.take().is_some() {
                tracing::info!(for_ms = d.as_millis() as u64, "unplugged");
                if let Err(e) = self.stable.remove() {
                    tracing::warn!(error = %e, "could not remove the port path");
                }
                if let Some(mut c) = self.current.take() {
                    self.status.bytes_lost += (c.bytes.len() - c.pacer.take(now).end) as u64;
                }
                self.status.plugged = false;
                self.status.slave = None;
                self.status.host_settings = None;
            }
            let at = now + d;
            self.replug_at = Some(self.replug_at.map_or(at, |t| t.max(at)));
        }
    }

    fn replug(&mut self, now: Duration) -> Result<(), SimError> {
        let port = PtyEnd::open()?;
        self.stable.point_to(port.slave_path())?;
        tracing::info!("replugged");
        self.status.plugged = true;
        self.status.plug_count += 1;
        self.status.slave = Some(port.slave_path().to_owned());
        self.port = Some(port);
        self.reading = true;
        self.replug_at = None;
        self.next_start = now;
        Ok(())
    }

    fn start_next(&mut self, now: Duration) -> bool {
        let Some(t) = self.device.poll_transmit() else {
            return false;
        };
        let Some(port) = self.port.as_ref() else {
            self.status.bytes_lost += t.bytes.len() as u64;
            return true;
        };
        let dev = self.device.settings();
        let host = port.host_settings();
        self.status.host_settings = host;
        let line_nanos = dev.nanos_per_char().saturating_mul(t.bytes.len() as u64);
        let bytes = match host {
            Some(h) if self.honour && !uart::compatible(&dev, &h) => {
                self.status.garbled_lines += 1;
                tracing::debug!(device = %dev, host = %h, "line settings differ: garbling");
                uart::receive(&t.bytes, &dev, &h)
            }
            _ => t.bytes,
        };
        let (start, npb) = if self.pace {
            (
                now.max(self.next_start),
                line_nanos / (bytes.len().max(1) as u64),
            )
        } else {
            (now, 0)
        };
        let pacer = Pacer::new(start, npb, bytes.len());
        self.next_start = if self.pace {
            start + Duration::from_nanos(line_nanos)
        } else {
            now
        };
        self.current = Some(InFlight {
            bytes,
            pacer,
            kind: t.kind,
        });
        true
    }

    fn transmit(&mut self, now: Duration) {
        self.blocked = false;
        loop {
            if self.current.is_none() && !self.start_next(now) {
                return;
            }
            let (Some(c), Some(port)) = (self.current.as_mut(), self.port.as_mut()) else {
                continue;
            };
            let range = c.pacer.take(now);
            if !range.is_empty() {
                let room = HOST_QUEUE_LIMIT.saturating_sub(port.host_backlog());
                let want = range.len();
                let chunk = &c.bytes[range.start..range.start + want.min(room)];
                let written = if chunk.is_empty() {
                    0
                } else {
                    match port.try_write(chunk) {
                        Ok(n) => n,
                        Err(e) => {
                            tracing::warn!(error = %e, "pty write failed; line dropped");
                            self.status.bytes_lost += (c.bytes.len() - range.start) as u64;
                            self.current = None;
                            continue;
                        }
                    }
                };
                c.pacer.unrelease(want - written);
                self.status.bytes_written += written as u64;
                if written < want {
                    self.blocked = true;
                    return;
                }
            }
            if !c.pacer.done() {
                return;
            }
            if matches!(c.kind, TransmitKind::Frame | TransmitKind::Weight) {
                self.status.results_sent += 1;
            }
            self.current = None;
        }
    }

    fn next_wake(&self, now: Duration) -> Option<Duration> {
        let mut wake = self.device.poll_timeout();
        let mut take = |d: Duration| wake = Some(wake.map_or(d, |w: Duration| w.min(d)));
        if let Some(t) = self.replug_at {
            take(t);
        }
        if self.blocked {
            take(now + RETRY);
        } else if let Some(c) = &self.current {
            let npb = self.device.settings().nanos_per_char().max(1);
            let chunk = (CHUNK_TIME.as_nanos() / u128::from(npb)).max(1) as usize;
            take(c.pacer.next_wake(chunk));
        }
        wake
    }

    fn publish(&mut self) {
        let stats = self.device.stats();
        self.status.commands = stats.commands;
        self.status.device_settings = self.device.settings();
        let new = self.status.clone();
        self.status_tx.send_if_modified(|s| {
            if *s == new {
                false
            } else {
                *s = new;
                true
            }
        });
    }
}
