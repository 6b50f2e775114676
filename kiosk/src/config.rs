//! The kiosk's settings file (`kiosk.toml`): where it is, what it may say, its documented
//! defaults (`kiosk/kiosk.example.toml` is the commented copy), and each problem worded for the
//! "not configured yet" screen.
//!
//! Deliberately not here: acting on the settings (opening ports, the store, the camera — that is
//! [`crate::runtime`]). The `[sync]` section is the station's own [`SyncConfig`] (its defaults
//! and checks live there) plus one kiosk key, `points_wait_secs`.

use crate::view::{Lang, Text};
use hakaru_station::session::SessionConfig;
use hakaru_station::sync::SyncConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable naming the settings file when `--config` is not given.
pub const CONFIG_ENV: &str = "HAKARU_KIOSK_CONFIG";

/// The whole settings file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    /// `[station]`.
    pub station: StationSection,
    /// `[scale]`.
    pub scale: ScaleSection,
    /// `[cards]`.
    pub cards: CardsSection,
    /// `[sync]`, when the kiosk talks to a server (absent: offline kiosk, points "later").
    pub sync: Option<SyncSection>,
    /// `[session]`, as the station's session configuration.
    pub session: SessionConfig,
    /// `[window]`.
    pub window: WindowSection,
    /// `[demo]`, demo mode only.
    pub demo: Option<DemoSection>,
    /// `[staff]`: staff sign-in.
    pub staff: StaffSection,
    /// `[printer]`: how participant cards are printed.
    pub printer: PrinterSection,
    /// `[calibration]`: the reference-weight check.
    pub calibration: CalibrationSection,
}

/// `[station]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationSection {
    /// The station's id as enrolled at the central server (e.g. `kita-community-01`). Required.
    pub id: String,
    /// Where the encrypted store and its key live (default: the platform data directory,
    /// `~/.local/share/hakaru-station`).
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// The language each session starts in (`ja` or `en`; default `ja`).
    #[serde(default)]
    pub language: Lang,
    /// Minutes the local time is ahead of UTC, for "today" on cards and the trend's days
    /// (default 540, Japan Standard Time).
    #[serde(default = "defaults::utc_offset_minutes")]
    pub utc_offset_minutes: i32,
}

/// `[scale]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSection {
    /// The analyzer model (e.g. `MC-780`, `DC-320`). Default `MC-780`.
    #[serde(default = "defaults::model")]
    pub model: String,
    /// The serial port (e.g. `/dev/ttyUSB0`, or a `/dev/serial/by-id/…` path). Required unless
    /// `simulate = true`.
    #[serde(default)]
    pub port: Option<PathBuf>,
    /// Demo only: a simulated analyzer inside the kiosk instead of a port.
    #[serde(default)]
    pub simulate: bool,
}

/// Which camera reads cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CameraSetting {
    /// The first camera, if one exists (default).
    #[default]
    Auto,
    /// No camera.
    Off,
    /// `/dev/video<n>`.
    Index(u32),
}

impl<'de> Deserialize<'de> for CameraSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CameraSetting, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            Index(u32),
        }
        match Raw::deserialize(d)? {
            Raw::Word(w) if w == "auto" => Ok(CameraSetting::Auto),
            Raw::Word(w) if w == "off" => Ok(CameraSetting::Off),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "camera must be \"auto\", \"off\" or a number (/dev/videoN), not \"{w}\""
            ))),
            Raw::Index(i) => Ok(CameraSetting::Index(i)),
        }
    }
}

/// `[cards]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardsSection {
    /// `"auto"` (default), `"off"` or a camera number.
    #[serde(default)]
    pub camera: CameraSetting,
    /// A handheld reader in serial mode (e.g. `/dev/ttyACM0`); none by default.
    #[serde(default)]
    pub handheld_port: Option<PathBuf>,
    /// Accept a handheld reader typing as a keyboard (default true).
    #[serde(default = "defaults::yes")]
    pub wedge: bool,
}

impl Default for CardsSection {
    fn default() -> CardsSection {
        CardsSection {
            camera: CameraSetting::Auto,
            handheld_port: None,
            wedge: true,
        }
    }
}

/// `[sync]`: the station's sync settings and how long the results screen waits for points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSection {
    /// The station's `[sync]` settings.
    pub sync: SyncConfig,
    /// How long the results screen waits for the server's points before "later" (default 4 s).
    pub points_wait: Duration,
}

/// `[window]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSection {
    /// Fullscreen and undecorated (default true; demo configurations set false).
    #[serde(default = "defaults::yes")]
    pub fullscreen: bool,
}

impl Default for WindowSection {
    fn default() -> WindowSection {
        WindowSection { fullscreen: true }
    }
}

/// `[demo]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSection {
    /// A TOML file listing the demo cards: `[[card]] token, participant, note_ja, note_en`.
    /// Relative paths are relative to the settings file.
    pub cards_file: PathBuf,
    /// The printable sheet of the demo cards (PDF), shown in the demo panel.
    #[serde(default)]
    pub sheet: Option<PathBuf>,
    /// When no calibration check is on record, check the simulated analyzer with the
    /// configured reference weights at start-up (technician `demo-auto`), so the demo can
    /// measure at once (default false: a technician runs the check from the staff window).
    #[serde(default)]
    pub check_at_start: bool,
}

/// `[staff]`: staff sign-in and the automatic sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSection {
    /// Automatic sign-out after this many seconds without activity (default 300; the warning
    /// shows 30 s before, or at once when the timeout is shorter). 5 to 86400.
    #[serde(default = "defaults::idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// Failed sign-ins (within `lockout_minutes`) that lock a login (default 5).
    #[serde(default = "defaults::lockout_failures")]
    pub lockout_failures: u32,
    /// How long a locked login stays locked, and the window failures are counted in, in
    /// minutes (default 15).
    #[serde(default = "defaults::lockout_minutes")]
    pub lockout_minutes: u64,
}

impl Default for StaffSection {
    fn default() -> StaffSection {
        StaffSection {
            idle_timeout_secs: defaults::idle_timeout_secs(),
            lockout_failures: defaults::lockout_failures(),
            lockout_minutes: defaults::lockout_minutes(),
        }
    }
}

/// How cards are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintMode {
    /// The staff window opens the system print dialog with the card page (default).
    #[default]
    Dialog,
    /// The kiosk renders a PDF and sends it to `printer` (CUPS, `lp`) or writes it into `folder`.
    Pdf,
}

/// `[printer]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSection {
    /// `"dialog"` (default) or `"pdf"`.
    #[serde(default)]
    pub mode: PrintMode,
    /// `mode = "pdf"`: the CUPS printer's name (`lpstat -p` lists them).
    #[serde(default)]
    pub printer: Option<String>,
    /// `mode = "pdf"`: write the PDF into this folder instead of printing (demo and tests).
    #[serde(default)]
    pub folder: Option<PathBuf>,
    /// The program's name printed on the card (default `健康ポイント`).
    #[serde(default = "defaults::program_name")]
    pub program_name: String,
    /// The TrueType font embedded in the PDF (default Debian's IPAexGothic).
    #[serde(default = "defaults::font_path")]
    pub font_path: PathBuf,
}

impl Default for PrinterSection {
    fn default() -> PrinterSection {
        PrinterSection {
            mode: PrintMode::Dialog,
            printer: None,
            folder: None,
            program_name: defaults::program_name(),
            font_path: defaults::font_path(),
        }
    }
}

/// `[calibration]`: the reference-weight check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSection {
    /// The reference masses, kg, in the order they are put on (default 0, 20, 50, 100).
    #[serde(default = "defaults::steps_kg")]
    pub steps_kg: Vec<f64>,
    /// Largest deviation a step may have, kg (default 0.2).
    #[serde(default = "defaults::tolerance_kg")]
    pub tolerance_kg: f64,
    /// Days a passed check keeps the station open (default 30).
    #[serde(default = "defaults::valid_days")]
    pub valid_days: u32,
    /// Seconds one step waits for a stable weight (default 60).
    #[serde(default = "defaults::weigh_timeout_secs")]
    pub weigh_timeout_secs: u64,
}

impl Default for CalibrationSection {
    fn default() -> CalibrationSection {
        CalibrationSection {
            steps_kg: defaults::steps_kg(),
            tolerance_kg: defaults::tolerance_kg(),
            valid_days: defaults::valid_days(),
            weigh_timeout_secs: defaults::weigh_timeout_secs(),
        }
    }
}

/// `[session]`: timeouts in seconds (defaults are the station's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSection {
    lookup_secs: Option<u64>,
    idle_secs: Option<u64>,
    weighing_idle_secs: Option<u64>,
    warning_secs: Option<u64>,
    save_consent_secs: Option<u64>,
    preset_secs: Option<u64>,
    record_secs: Option<u64>,
    results_secs: Option<u64>,
    explanation_secs: Option<u64>,
    thank_you_secs: Option<u64>,
    clothes_tenths_kg: Option<u16>,
}

impl SessionSection {
    fn apply(self) -> SessionConfig {
        let mut c = SessionConfig::default();
        let set = |d: &mut Duration, v: Option<u64>| {
            if let Some(s) = v {
                *d = Duration::from_secs(s);
            }
        };
        set(&mut c.lookup, self.lookup_secs);
        set(&mut c.idle, self.idle_secs);
        set(&mut c.weighing_idle, self.weighing_idle_secs);
        set(&mut c.warning, self.warning_secs);
        set(&mut c.save_consent, self.save_consent_secs);
        set(&mut c.preset, self.preset_secs);
        set(&mut c.record, self.record_secs);
        set(&mut c.results, self.results_secs);
        set(&mut c.explanation, self.explanation_secs);
        set(&mut c.thank_you, self.thank_you_secs);
        if let Some(t) = self.clothes_tenths_kg {
            c.clothes_tenths_kg = t;
        }
        c
    }
}

mod defaults {
    pub fn model() -> String {
        "MC-780".to_owned()
    }
    pub fn yes() -> bool {
        true
    }
    pub const POINTS_WAIT_SECS: u64 = 4;
    pub fn utc_offset_minutes() -> i32 {
        540
    }
    pub fn idle_timeout_secs() -> u64 {
        300
    }
    pub fn lockout_failures() -> u32 {
        5
    }
    pub fn lockout_minutes() -> u64 {
        15
    }
    pub fn program_name() -> String {
        "健康ポイント".to_owned()
    }
    pub fn font_path() -> std::path::PathBuf {
        std::path::PathBuf::from(hakaru_card_sheet::DEFAULT_FONT_PATH)
    }
    pub fn steps_kg() -> Vec<f64> {
        vec![0.0, 20.0, 50.0, 100.0]
    }
    pub fn tolerance_kg() -> f64 {
        0.2
    }
    pub fn valid_days() -> u32 {
        30
    }
    pub fn weigh_timeout_secs() -> u64 {
        60
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    station: Option<StationSection>,
    #[serde(default)]
    scale: Option<ScaleSection>,
    #[serde(default)]
    cards: Option<CardsSection>,
    #[serde(default)]
    sync: Option<toml::Table>,
    #[serde(default)]
    session: Option<SessionSection>,
    #[serde(default)]
    window: Option<WindowSection>,
    #[serde(default)]
    demo: Option<DemoSection>,
    #[serde(default)]
    staff: Option<StaffSection>,
    #[serde(default)]
    printer: Option<PrinterSection>,
    #[serde(default)]
    calibration: Option<CalibrationSection>,
}

/// Why the settings cannot be used. [`ConfigError::problem`] and [`ConfigError::what_to_do`]
/// word it for the "not configured yet" screen; `Display` gives both, Japanese first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// There is no settings file.
    #[error("設定ファイル {path} がありません / there is no settings file at {path}")]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// It exists but cannot be read.
    #[error("設定ファイル {path} を読めません（{detail}） / cannot read the settings file {path} ({detail})")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        detail: String,
    },
    /// Not TOML, or a wrong or unknown key (the parser's text names the key and line).
    #[error("設定ファイル {path} が正しくありません: {detail} / the settings file {path} is not valid: {detail}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's description (settings are never personal).
        detail: String,
    },
    /// A required setting is missing or a value is not allowed.
    #[error("設定 {key} が正しくありません（{rule}） / the setting {key} is not valid ({rule})")]
    Invalid {
        /// `section.key`.
        key: String,
        /// What is allowed.
        rule: String,
    },
}

impl ConfigError {
    fn invalid(key: &str, rule: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: key.to_owned(),
            rule: rule.into(),
        }
    }

    /// What is wrong, for the screen.
    pub fn problem(&self) -> Text {
        match self {
            ConfigError::Missing { path } => Text::new(
                format!(
                    "この端末はまだ設定されていません（設定ファイル {} がありません）。",
                    path.display()
                ),
                format!(
                    "This kiosk is not configured yet (there is no settings file at {}).",
                    path.display()
                ),
            ),
            ConfigError::Read { path, detail } => Text::new(
                format!("設定ファイル {} を読めません（{detail}）。", path.display()),
                format!(
                    "The settings file {} cannot be read ({detail}).",
                    path.display()
                ),
            ),
            ConfigError::Parse { path, detail } => Text::new(
                format!("設定ファイル {} に誤りがあります: {detail}", path.display()),
                format!(
                    "The settings file {} has a mistake: {detail}",
                    path.display()
                ),
            ),
            ConfigError::Invalid { key, rule } => Text::new(
                format!("設定 {key} が正しくありません（{rule}）。"),
                format!("The setting {key} is not valid ({rule})."),
            ),
        }
    }

    /// What to do about it, for the screen (staff or a technician reads it).
    pub fn what_to_do(&self) -> Text {
        match self {
            ConfigError::Missing { path } => Text::new(
                format!(
                    "技術者が kiosk/kiosk.example.toml を {} にコピーし、[station] の id（中央サーバーで登録した端末 ID）と [scale] の model・port を設定してから、アプリを再起動してください。",
                    path.display()
                ),
                format!(
                    "A technician copies kiosk/kiosk.example.toml to {}, sets [station] id (the station id enrolled at the central server) and [scale] model and port, then restarts the app.",
                    path.display()
                ),
            ),
            ConfigError::Read { path, .. } => Text::new(
                format!("{} の場所と読み取り権限を確認し、アプリを再起動してください。", path.display()),
                format!("Check the path and read permission of {}, then restart the app.", path.display()),
            ),
            ConfigError::Parse { path, .. } => Text::new(
                format!(
                    "{} の該当行を kiosk/kiosk.example.toml の説明どおりに直し、アプリを再起動してください。",
                    path.display()
                ),
                format!(
                    "Correct that line of {} as kiosk/kiosk.example.toml describes, then restart the app.",
                    path.display()
                ),
            ),
            ConfigError::Invalid { key, .. } => Text::new(
                format!("設定ファイルの {key} を直し、アプリを再起動してください。"),
                format!("Correct {key} in the settings file, then restart the app."),
            ),
        }
    }
}

/// The settings file to read: `explicit` (`--config`), else `$HAKARU_KIOSK_CONFIG`, else
/// `kiosk.toml` in the platform config directory (`~/.config/hakaru/kiosk.toml`).
pub fn config_path(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(p) = explicit {
        return p;
    }
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    match directories::BaseDirs::new() {
        Some(dirs) => dirs.config_dir().join("hakaru").join("kiosk.toml"),
        None => PathBuf::from("/etc/hakaru/kiosk.toml"),
    }
}

impl KioskConfig {
    /// Reads and checks the settings file at `path`.
    pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::Missing {
                    path: path.to_owned(),
                })
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    detail: e.to_string(),
                })
            }
        };
        KioskConfig::from_toml(&text, path)
    }

    /// Parses and checks settings text; `path` is named in errors and relative paths in
    /// `[demo]` are resolved against its directory.
    pub fn from_toml(text: &str, path: &Path) -> Result<KioskConfig, ConfigError> {
        let parse = |e: toml::de::Error| ConfigError::Parse {
            path: path.to_owned(),
            detail: e.to_string().replace('\n', " ").trim().to_owned(),
        };
        let file: File = toml::from_str(text).map_err(parse)?;
        let station = file.station.ok_or_else(|| {
            ConfigError::invalid(
                "[station] id",
                "required: the station id enrolled at the central server",
            )
        })?;
        hakaru_station::domain::StationId::new(&station.id).map_err(|_| {
            ConfigError::invalid(
                "[station] id",
                "letters, digits, '-', '_' or '.', as enrolled at the central server",
            )
        })?;
        if !(-720..=840).contains(&station.utc_offset_minutes) {
            return Err(ConfigError::invalid(
                "[station] utc_offset_minutes",
                "-720 to 840 (Japan: 540)",
            ));
        }
        let scale = file.scale.unwrap_or(ScaleSection {
            model: defaults::model(),
            port: None,
            simulate: false,
        });
        if hakaru_devices::scale::models::ModelProfile::find(&scale.model).is_none() {
            return Err(ConfigError::invalid(
                "[scale] model",
                format!(
                    "unknown model \"{}\"; one of: {}",
                    scale.model,
                    hakaru_devices::scale::models::ModelProfile::names().join(", ")
                ),
            ));
        }
        if scale.port.is_none() && !scale.simulate {
            return Err(ConfigError::invalid(
                "[scale] port",
                "required: the analyzer's serial port, e.g. /dev/ttyUSB0",
            ));
        }
        let sync = file
            .sync
            .map(|mut table| {
                let wait = match table.remove("points_wait_secs") {
                    None => defaults::POINTS_WAIT_SECS,
                    Some(toml::Value::Integer(s)) if (0..=60).contains(&s) => s.unsigned_abs(),
                    Some(_) => {
                        return Err(ConfigError::invalid(
                            "[sync] points_wait_secs",
                            "a whole number of seconds, 0–60",
                        ))
                    }
                };
                let sync: SyncConfig =
                    table
                        .try_into()
                        .map_err(|e: toml::de::Error| ConfigError::Parse {
                            path: path.to_owned(),
                            detail: format!("[sync]: {}", e.to_string().replace('\n', " ").trim()),
                        })?;
                sync.validate()
                    .map_err(|e| ConfigError::invalid("[sync]", e.to_string()))?;
                Ok(SyncSection {
                    sync,
                    points_wait: Duration::from_secs(wait),
                })
            })
            .transpose()?;
        let session = file.session.map(SessionSection::apply).unwrap_or_default();
        session
            .validate()
            .map_err(|e| ConfigError::invalid("[session]", e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut station = station;
        station.data_dir = station.data_dir.map(|d| base.join(d));
        let sync = sync.map(|mut s| {
            s.sync.credential_file = base.join(&s.sync.credential_file);
            s
        });
        let demo = file.demo.map(|mut d| {
            d.cards_file = base.join(&d.cards_file);
            d.sheet = d.sheet.map(|s| base.join(s));
            d
        });
        let staff = file.staff.unwrap_or_default();
        check_staff(&staff)?;
        let mut printer = file.printer.unwrap_or_default();
        check_printer(&printer)?;
        printer.folder = printer.folder.map(|f| base.join(f));
        printer.font_path = base.join(&printer.font_path);
        let calibration = file.calibration.unwrap_or_default();
        check_calibration(&calibration)?;
        if scale.simulate && demo.is_none() {
            return Err(ConfigError::invalid(
                "[scale] simulate",
                "the simulated analyzer is for demo mode only: add a [demo] section or set simulate = false",
            ));
        }
        Ok(KioskConfig {
            station,
            scale,
            cards: file.cards.unwrap_or_default(),
            sync,
            session,
            window: file.window.unwrap_or_default(),
            demo,
            staff,
            printer,
            calibration,
        })
    }
}

fn check_staff(staff: &StaffSection) -> Result<(), ConfigError> {
    if !(5..=86_400).contains(&staff.idle_timeout_secs) {
        return Err(ConfigError::invalid(
            "[staff] idle_timeout_secs",
            "5 to 86400 seconds (default 300)",
        ));
    }
    if !(1..=100).contains(&staff.lockout_failures) {
        return Err(ConfigError::invalid(
            "[staff] lockout_failures",
            "1 to 100 (default 5)",
        ));
    }
    if !(1..=1440).contains(&staff.lockout_minutes) {
        return Err(ConfigError::invalid(
            "[staff] lockout_minutes",
            "1 to 1440 minutes (default 15)",
        ));
    }
    Ok(())
}

fn check_printer(printer: &PrinterSection) -> Result<(), ConfigError> {
    match printer.mode {
        PrintMode::Dialog if printer.printer.is_some() || printer.folder.is_some() => {
            Err(ConfigError::invalid(
                "[printer] mode",
                "printer and folder are for mode = \"pdf\"",
            ))
        }
        PrintMode::Pdf if printer.printer.is_some() == printer.folder.is_some() => {
            Err(ConfigError::invalid(
                "[printer]",
                "mode = \"pdf\" needs exactly one of printer (a CUPS name) or folder",
            ))
        }
        _ if printer.printer.as_deref().is_some_and(|p| {
            p.is_empty() || p.starts_with('-') || p.contains(char::is_whitespace)
        }) =>
        {
            Err(ConfigError::invalid(
                "[printer] printer",
                "a CUPS printer name as lpstat -p lists it",
            ))
        }
        _ if printer.program_name.trim().is_empty() => Err(ConfigError::invalid(
            "[printer] program_name",
            "the program's name as participants know it",
        )),
        _ => Ok(()),
    }
}

fn check_calibration(c: &CalibrationSection) -> Result<(), ConfigError> {
    if c.steps_kg.is_empty()
        || c.steps_kg.len() > 10
        || c.steps_kg.iter().any(|s| !(0.0..=300.0).contains(s))
    {
        return Err(ConfigError::invalid(
            "[calibration] steps_kg",
            "1 to 10 reference masses, each 0–300 kg (default [0, 20, 50, 100])",
        ));
    }
    if !(c.tolerance_kg > 0.0 && c.tolerance_kg <= 5.0) {
        return Err(ConfigError::invalid(
            "[calibration] tolerance_kg",
            "more than 0 and at most 5 kg (default 0.2)",
        ));
    }
    if !(1..=366).contains(&c.valid_days) {
        return Err(ConfigError::invalid(
            "[calibration] valid_days",
            "1 to 366 days (default 30)",
        ));
    }
    if !(5..=600).contains(&c.weigh_timeout_secs) {
        return Err(ConfigError::invalid(
            "[calibration] weigh_timeout_secs",
            "5 to 600 seconds (default 60)",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
        KioskConfig::from_toml(text, Path::new("/etc/hakaru/kiosk.toml"))
    }

    #[test]
    fn the_example_file_parses_with_its_documented_defaults() {
        let text = include_str!("../kiosk.example.toml");
        let c = parse(text).unwrap();
        assert_eq!(c.station.id, "kita-community-01");
        assert_eq!(c.station.language, Lang::Ja);
        assert_eq!(c.scale.model, "MC-780");
        assert_eq!(c.cards, CardsSection::default());
        assert_eq!(c.session, SessionConfig::default());
        assert!(c.window.fullscreen);
        let sync = c.sync.unwrap();
        assert_eq!(sync.points_wait, Duration::from_secs(4));
        assert_eq!(sync.sync.poll_interval_secs, 30);
        assert!(c.demo.is_none());
        assert_eq!(c.staff, StaffSection::default());
        assert_eq!(c.staff.idle_timeout_secs, 300);
        assert_eq!(c.staff.lockout_failures, 5);
        assert_eq!(c.staff.lockout_minutes, 15);
        assert_eq!(c.printer, PrinterSection::default());
        assert_eq!(c.printer.mode, PrintMode::Dialog);
        assert_eq!(c.calibration, CalibrationSection::default());
        assert_eq!(c.calibration.steps_kg, vec![0.0, 20.0, 50.0, 100.0]);
        assert!((c.calibration.tolerance_kg - 0.2).abs() < 1e-9);
        assert_eq!(c.calibration.valid_days, 30);
        assert_eq!(c.calibration.weigh_timeout_secs, 60);
    }

    #[test]
    fn staff_printer_and_calibration_sections_are_read() {
        let c = parse(
            "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n\
             [staff]\nidle_timeout_secs = 60\nlockout_failures = 3\nlockout_minutes = 1\n\
             [printer]\nmode = \"pdf\"\nfolder = \"cards\"\n\
             [calibration]\nsteps_kg = [0, 10]\ntolerance_kg = 0.5\nvalid_days = 7\nweigh_timeout_secs = 5\n",
        )
        .unwrap();
        assert_eq!(c.staff.idle_timeout_secs, 60);
        assert_eq!(c.staff.lockout_failures, 3);
        assert_eq!(c.printer.mode, PrintMode::Pdf);
        assert_eq!(c.printer.folder, Some(PathBuf::from("/etc/hakaru/cards")));
        assert_eq!(c.calibration.steps_kg, vec![0.0, 10.0]);
        assert_eq!(c.calibration.valid_days, 7);
    }

    #[test]
    fn the_smallest_file_is_an_id_and_a_port() {
        let c = parse("[station]\nid = \"k-1\"\n[scale]\nport = \"/dev/ttyUSB0\"\n").unwrap();
        assert_eq!(c.scale.model, "MC-780");
        assert_eq!(c.sync, None);
        assert_eq!(c.station.data_dir, None);
        assert_eq!(c.cards.camera, CameraSetting::Auto);
    }

    #[test]
    fn seconds_and_camera_choices_are_read() {
        let c = parse(
            "[station]\nid = \"k\"\nlanguage = \"en\"\n[scale]\nsimulate = true\n[cards]\ncamera = 2\nwedge = false\n\
             [session]\nidle_secs = 5\nwarning_secs = 20\n[window]\nfullscreen = false\n[demo]\ncards_file = \"demo/cards.toml\"\n",
        )
        .unwrap();
        assert_eq!(c.station.language, Lang::En);
        assert_eq!(c.cards.camera, CameraSetting::Index(2));
        assert!(!c.cards.wedge);
        assert_eq!(c.session.idle, Duration::from_secs(5));
        assert_eq!(c.session.warning, Duration::from_secs(20));
        assert!(!c.window.fullscreen);
        assert_eq!(
            c.demo.unwrap().cards_file,
            PathBuf::from("/etc/hakaru/demo/cards.toml")
        );
    }

    #[rstest::rstest]
    #[case::no_station("[scale]\nport = \"/dev/x\"\n", "[station] id")]
    #[case::bad_id(
        "[station]\nid = \"has space\"\n[scale]\nport = \"/dev/x\"\n",
        "[station] id"
    )]
    #[case::no_port("[station]\nid = \"k\"\n", "[scale] port")]
    #[case::bad_model(
        "[station]\nid = \"k\"\n[scale]\nmodel = \"XY-1\"\nport = \"/dev/x\"\n",
        "[scale] model"
    )]
    #[case::sim_without_demo(
        "[station]\nid = \"k\"\n[scale]\nsimulate = true\n",
        "[scale] simulate"
    )]
    #[case::short_warning(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[session]\nwarning_secs = 5\n",
        "[session]"
    )]
    #[case::bad_points_wait("[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[sync]\nserver_url = \"http://h\"\ncredential_file = \"c\"\npoints_wait_secs = \"x\"\n", "points_wait_secs")]
    #[case::misspelt(
        "[station]\nid = \"k\"\nlangauge = \"ja\"\n[scale]\nport = \"/dev/x\"\n",
        "langauge"
    )]
    #[case::bad_camera(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[cards]\ncamera = \"front\"\n",
        "camera"
    )]
    #[case::sync_misspelt("[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[sync]\nserver_url = \"http://h\"\ncredential_file = \"c\"\nbatchsize = 3\n", "batchsize")]
    #[case::not_toml("[station\n", "kiosk.toml")]
    #[case::short_staff_idle(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[staff]\nidle_timeout_secs = 4\n",
        "idle_timeout_secs"
    )]
    #[case::pdf_without_target(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[printer]\nmode = \"pdf\"\n",
        "[printer]"
    )]
    #[case::printer_with_dialog(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[printer]\nprinter = \"office\"\n",
        "[printer] mode"
    )]
    #[case::printer_option_injection(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[printer]\nmode = \"pdf\"\nprinter = \"-o x\"\n",
        "[printer] printer"
    )]
    #[case::no_steps(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[calibration]\nsteps_kg = []\n",
        "steps_kg"
    )]
    #[case::zero_tolerance(
        "[station]\nid = \"k\"\n[scale]\nport = \"/dev/x\"\n[calibration]\ntolerance_kg = 0\n",
        "tolerance_kg"
    )]
    fn a_bad_file_names_what_to_fix(#[case] text: &str, #[case] names: &str) {
        let e = parse(text).unwrap_err();
        let all = format!("{} {} {}", e, e.problem().en, e.what_to_do().en);
        assert!(all.contains(names), "{all}");
        assert!(!e.problem().ja.is_empty() && !e.what_to_do().ja.is_empty());
    }

    #[test]
    fn a_missing_file_says_to_copy_the_example_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        let e = KioskConfig::load(&path).unwrap_err();
        assert!(matches!(e, ConfigError::Missing { .. }));
        let todo = e.what_to_do();
        assert!(todo.en.contains("kiosk.example.toml"), "{}", todo.en);
        assert!(todo.en.contains(&path.display().to_string()));
        assert!(todo.ja.contains("[station] の id"));
    }

    #[test]
    fn relative_paths_are_relative_to_the_settings_file() {
        let text = "[station]\nid = \"k\"\ndata_dir = \"data\"\n[scale]\nport = \"/dev/x\"\n\
                    [sync]\nserver_url = \"http://h\"\ncredential_file = \"credential\"\n";
        let c = KioskConfig::from_toml(text, Path::new("/etc/hakaru/kiosk.toml")).unwrap();
        assert_eq!(c.station.data_dir, Some(PathBuf::from("/etc/hakaru/data")));
        let sync = c.sync.expect("[sync]");
        assert_eq!(
            sync.sync.credential_file,
            PathBuf::from("/etc/hakaru/credential")
        );
        // Absolute paths stay as written.
        let text = text.replace("\"data\"", "\"/var/lib/hakaru\"");
        let c = KioskConfig::from_toml(&text, Path::new("/etc/hakaru/kiosk.toml")).unwrap();
        assert_eq!(c.station.data_dir, Some(PathBuf::from("/var/lib/hakaru")));
    }

    #[test]
    fn the_path_comes_from_the_flag_first() {
        assert_eq!(
            config_path(Some(PathBuf::from("/x/k.toml"))),
            PathBuf::from("/x/k.toml")
        );
        assert!(config_path(None).ends_with("kiosk.toml"));
    }
}
