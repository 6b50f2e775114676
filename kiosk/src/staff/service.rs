//! Technician mode: the serial ports and model profiles, auto-detection of a port's line
//! settings (`hakaru_devices::serial::autodetect`), connecting the analyzer on another port or
//! as another model (the station's feed is relinked, and the choice is kept in the store's
//! settings so a restart uses it), the card-reader test, and the sync status with its backlog.
//!
//! Deliberately not here: speaking to the analyzer (`hakaru-devices`), the feed (the station),
//! and the calibration check (`calibration`).

use super::{store_error, Desk, StaffConsole};
use crate::assemble::sync_view;
use crate::present::card_code;
use crate::staff_view::{
    CardTestView, PortView, ScaleServiceView, StaffEvent, StaffSyncView, TapLine,
};
use crate::view::{CommandError, Text};
use hakaru_devices::scale::models::ModelProfile;
use hakaru_devices::scale::LinkSettings;
use hakaru_devices::serial::{
    autodetect, list_ports, AnalyzerIdentity, AutodetectOptions, Direction, Evidence, LinkOptions,
    ScaleLink,
};
use hakaru_station::scale_feed::TapFrame;
use hakaru_station::staff::Need;
use hakaru_station::sync::SyncStatus;
use hakaru_station::{CardVerdict, FeedInput};
use std::path::PathBuf;

/// The store settings that keep the technician's choice across restarts.
pub(crate) const PORT_SETTING: &str = "scale.port";
/// See [`PORT_SETTING`].
pub(crate) const MODEL_SETTING: &str = "scale.model";

/// The analyzer link as the technician sees it.
#[derive(Debug, Clone)]
pub(crate) struct LinkInfo {
    pub(crate) port: String,
    pub(crate) profile: &'static ModelProfile,
    pub(crate) connected: bool,
    pub(crate) identity: Option<AnalyzerIdentity>,
    pub(crate) detect: Option<Text>,
    /// The serial number on the plate, when the kiosk knows it without being told (demo
    /// mode's simulated analyzer).
    pub(crate) plate_serial: Option<String>,
    /// The serial ports as last listed.
    pub(crate) ports: Vec<PortView>,
}

/// How the kiosk opens an analyzer link (raw bytes reported for the technician's tap).
pub(crate) fn link_options(profile: &ModelProfile) -> LinkOptions {
    LinkOptions {
        dialect: profile.dialect.unwrap_or(LinkOptions::default().dialect),
        tap_raw: true,
        ..LinkOptions::default()
    }
}

/// `MC-780 SN 12345678`.
pub(crate) fn identity_text(id: &AnalyzerIdentity) -> Option<String> {
    match (&id.model, &id.serial_number) {
        (Some(m), Some(s)) => Some(format!("{m} SN {s}")),
        (None, Some(s)) => Some(format!("SN {s}")),
        (Some(m), None) => Some(m.clone()),
        (None, None) => None,
    }
}

fn ports() -> Vec<PortView> {
    match list_ports() {
        Ok(ports) => ports
            .into_iter()
            .map(|p| PortView {
                path: p.path.display().to_string(),
                description: p
                    .usb
                    .map(|u| {
                        let name = [u.manufacturer, u.product]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ");
                        format!("USB {:04x}:{:04x} {name}", u.vid, u.pid)
                            .trim()
                            .to_owned()
                    })
                    .unwrap_or_else(|| format!("{:?}", p.kind).to_lowercase()),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "the serial ports could not be listed");
            Vec::new()
        }
    }
}

impl StaffConsole {
    fn link_info(&self) -> std::sync::MutexGuard<'_, LinkInfo> {
        self.link
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The service view, with the ports listed now.
    pub(crate) fn publish_scale(&self, with_ports: bool) {
        if with_ports {
            let listed = ports();
            self.link_info().ports = listed;
        }
        let info = self.link_info().clone();
        let view = ScaleServiceView {
            port: info.port,
            model: info.profile.model.to_owned(),
            settings: info.profile.settings.to_string(),
            connected: info.connected,
            identity: info.identity.as_ref().and_then(identity_text),
            ports: info.ports,
            models: ModelProfile::names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            detect: info.detect,
        };
        self.publish(StaffEvent::Scale(view));
    }

    /// The link connected or went away.
    pub(crate) fn link_changed(&self, connected: bool) {
        self.link_info().connected = connected;
        self.publish_scale(false);
    }

    /// The analyzer said who it is.
    pub(crate) fn identity_seen(&self, identity: AnalyzerIdentity) {
        let changed = {
            let mut info = self.link_info();
            let changed = info.identity.as_ref() != Some(&identity);
            info.identity = Some(identity);
            changed
        };
        if changed {
            self.publish_scale(false);
            self.identity_changed.notify_waiters();
            self.publish_analyzer();
        }
    }

    /// Ports and models again.
    pub(crate) fn service_refresh(&self) -> Result<(), CommandError> {
        let mut desk = self.lock();
        self.require(&mut desk, Need::Service)?;
        drop(desk);
        self.publish_scale(true);
        Ok(())
    }

    /// Listens on `port` under each usual setting and says what answered (blocking: up to
    /// ~3 s a setting).
    pub(crate) fn service_autodetect(&self, port: &str) -> Result<(), CommandError> {
        {
            let mut desk = self.lock();
            self.require(&mut desk, Need::Service)?;
            self.audit(
                &mut desk,
                "service_autodetect",
                serde_json::json!({ "port": port }),
            );
        }
        let options = AutodetectOptions::default();
        let result = tokio::runtime::Handle::current().block_on(autodetect(
            port,
            &LinkSettings::AUTODETECT_CANDIDATES,
            &options,
            |_| {},
        ));
        let text = match result {
            Ok(found) => {
                let what = match &found.evidence {
                    Evidence::Frame { .. } => "計測データ / a result frame",
                    Evidence::Weight => "重量データ / a weight line",
                    Evidence::Reply => "応答 / a reply",
                    Evidence::Status => "状態コード / a status",
                };
                let model = found.model.clone().unwrap_or_else(|| "?".to_owned());
                let (ja, en) = what.split_once(" / ").unwrap_or((what, what));
                Text::new(
                    format!(
                        "{port}: {} で{ja}を受信しました（機種 {model}）。",
                        found.settings
                    ),
                    format!(
                        "{port}: {en} verified at {} (model {model}).",
                        found.settings
                    ),
                )
            }
            Err(e) => Text::new(
                format!(
                    "{port}: 体組成計の応答がありません（{e}）。ケーブルと電源を確認してください。"
                ),
                format!("{port}: no analyzer answered ({e}); check the cable and power."),
            ),
        };
        self.link_info().detect = Some(text);
        self.publish_scale(true);
        Ok(())
    }

    /// Connects the analyzer on `port` as `model`: the feed is relinked and the choice kept.
    pub(crate) fn service_connect(&self, port: &str, model: &str) -> Result<(), CommandError> {
        let mut desk = self.lock();
        self.require(&mut desk, Need::Service)?;
        let profile: &'static ModelProfile = ModelProfile::find(model)
            .ok_or_else(|| {
                CommandError::new(
                    "unknown_model",
                    format!("機種 {model} には対応していません。一覧から選んでください / unknown model {model}: choose one from the list"),
                )
            })?;
        if port.trim().is_empty() || !port.starts_with('/') {
            return Err(CommandError::new(
                "bad_port",
                "一覧から /dev/… のポートを選んでください / choose a /dev/… port from the list",
            ));
        }
        // The view first: the new link's "connected" may come before this returns.
        {
            let mut info = self.link_info();
            info.port = port.to_owned();
            info.profile = profile;
            info.connected = false;
            info.identity = None;
            info.plate_serial = None;
        }
        let link = ScaleLink::open(PathBuf::from(port), profile.settings, link_options(profile));
        self.feed(FeedInput::Relink { link, profile })?;
        let wall = self.wall();
        let Desk { store, .. } = &mut *desk;
        store
            .set_setting(PORT_SETTING, port, wall)
            .and_then(|()| store.set_setting(MODEL_SETTING, profile.model, wall))
            .map_err(|e| store_error(&e))?;
        self.audit(
            &mut desk,
            "service_connect",
            serde_json::json!({ "port": port, "model": profile.model }),
        );
        drop(desk);
        self.publish_scale(true);
        Ok(())
    }

    /// The card-reader test on or off: while on, reads are checked and shown, never started.
    pub(crate) fn card_test(&self, on: bool) -> Result<(), CommandError> {
        let mut desk = self.lock();
        self.require(&mut desk, Need::Service)?;
        self.card_testing
            .store(on, std::sync::atomic::Ordering::SeqCst);
        self.audit(&mut desk, "card_test", serde_json::json!({ "on": on }));
        Ok(())
    }

    /// Whether card reads go to the test instead of the station.
    pub(crate) fn card_test_on(&self) -> bool {
        self.card_testing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A card read during the test: checked against the synced cards, shown, nothing started.
    pub(crate) fn card_tested(&self, text: &str, via: &str) {
        let desk = self.lock();
        let verdict = match hakaru_station::cards::verify(&desk.store, text, self.today()) {
            Ok(Ok(card)) => (
                "valid".to_owned(),
                Some(format!("{}-{}", card.holder, card.serial)),
            ),
            Ok(Err(rejection)) => (card_code(&CardVerdict::Refused(rejection)).to_owned(), None),
            Err(e) => {
                tracing::warn!(error = %e, "the card test could not read the store");
                (card_code(&CardVerdict::CheckFailed).to_owned(), None)
            }
        };
        drop(desk);
        self.publish(StaffEvent::CardTest(CardTestView {
            via: via.to_owned(),
            verdict: verdict.0,
            card_id: verdict.1,
        }));
    }

    /// The sync status for staff (after each change).
    pub(crate) fn sync_changed(&self, status: &SyncStatus) {
        let desk = self.lock();
        // The server may have judged registrations meanwhile.
        if desk.desk.current().is_some_and(|w| w.role.may_register()) {
            self.publish_registrations(&desk);
        }
        let registrations_pending = desk.store.registrations_pending().unwrap_or(0);
        let calibrations_pending = desk
            .store
            .calibrations(100)
            .map(|c| c.iter().filter(|c| !c.synced).count() as u64)
            .unwrap_or(0);
        drop(desk);
        self.publish(StaffEvent::Sync(StaffSyncView {
            sync: sync_view(status),
            registrations_pending,
            calibrations_pending,
            last_success: status
                .last_success
                .map(|t| super::registration::local_minute(t, self.settings.utc_offset_minutes)),
        }));
    }
}

/// `\r`, `\n`, `\x02` escaped; printable text as it is.
fn escaped(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len());
    for &b in data {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

fn tap_line(frame: TapFrame, at_ms: u64) -> TapLine {
    let (kind, text) = match frame {
        TapFrame::Bytes { direction, data } => (
            match direction {
                Direction::Received => "received",
                _ => "sent",
            },
            escaped(&data),
        ),
        TapFrame::Frame {
            kind: "reading" | "weight" | "reply",
            text,
        } => ("decoded", text),
        TapFrame::Frame { text, .. } => ("decoded", text),
        TapFrame::Status { text } if text.contains("decode") => ("decode_error", text),
        TapFrame::Status { text } => ("status", text),
    };
    TapLine {
        kind: kind.to_owned(),
        at_ms,
        text,
    }
}

impl StaffConsole {
    /// The live traffic on or off (technician). Lines go to the staff window only while on.
    pub(crate) fn service_tap(&self, on: bool) -> Result<(), CommandError> {
        let mut desk = self.lock();
        self.require(&mut desk, Need::Service)?;
        self.audit(&mut desk, "service_tap", serde_json::json!({ "on": on }));
        drop(desk);
        self.stop_tap();
        if !on {
            return Ok(());
        }
        let Some(mut frames) = self
            .tap_source
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(tokio::sync::broadcast::Receiver::resubscribe)
        else {
            return Err(CommandError::new(
                "not_running",
                "no analyzer feed to watch",
            ));
        };
        let hub = std::sync::Arc::clone(&self.hub);
        let started = self.now();
        let clock = hakaru_station::SystemClock;
        let task = tokio::runtime::Handle::current().spawn(async move {
            use hakaru_station::Clock as _;
            loop {
                match frames.recv().await {
                    Ok(frame) => {
                        let at_ms = u64::try_from(clock.now().duration_since(started).as_millis())
                            .unwrap_or(u64::MAX);
                        hub.publish(StaffEvent::Tap(tap_line(frame, at_ms)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::debug!(missed = n, "the tap fell behind");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        *self
            .tap_task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
        Ok(())
    }

    /// Stops the live traffic (sign-out, tap off).
    pub(crate) fn stop_tap(&self) {
        if let Some(task) = self
            .tap_task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }
}
