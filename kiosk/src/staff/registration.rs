//! Explanation-session mode: registering a participant from the paper application (the
//! station checks it and stores it in one transaction), the registrations list, printing the
//! card the server issued, and the measuring queue (a queued person's session runs on the
//! participant window as if their card had been read).
//!
//! Deliberately not here: the eligibility rules and the registration's storage (the station's
//! `staff::registration` and store), the sheet itself ([`crate::printing`]). The queue lives in
//! memory only and is dropped at sign-out.

use super::{store_error, Desk, StaffConsole};
use crate::printing::CardToPrint;
use crate::staff_view::{
    ApplicationForm, PrintOutcome, QueueEntry, RegistrationOutcome, RegistrationView, StaffEvent,
};
use crate::view::CommandError;
use hakaru_station::domain::{Date, ParticipantNumber};
use hakaru_station::staff::{try_check_application, ApplicationInput, Need};
use hakaru_station::store::RegistrationRow;
use hakaru_station::FeedInput;
use hakaru_wire::Timestamp;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

/// Where a queued person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueState {
    Waiting,
    Measuring,
    Done,
}

/// One person in the queue (`Debug` shows no number).
#[derive(Clone)]
pub(crate) struct Queued {
    pub(crate) participant: ParticipantNumber,
    pub(crate) state: QueueState,
    pub(crate) weight_only: bool,
}

/// `YYYY-MM-DD HH:MM` station time.
pub(crate) fn local_minute(at: Timestamp, utc_offset_minutes: i32) -> String {
    let d = Date::local(at, utc_offset_minutes);
    let in_day = (at.as_unix_ms() + i64::from(utc_offset_minutes) * 60_000).rem_euclid(DAY_MS);
    let minutes = in_day / 60_000;
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.year,
        d.month,
        d.day,
        minutes / 60,
        minutes % 60
    )
}

fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn registration_view(row: &RegistrationRow, utc_offset_minutes: i32) -> RegistrationView {
    RegistrationView {
        participant: row.participant.as_str().to_owned(),
        registered_at: local_minute(row.registered_at, utc_offset_minutes),
        registered_by: row.registered_by.clone(),
        consent_method: serde_name(&row.consent_method),
        state: row.state.code().to_owned(),
        card_ready: row.card_ready,
        card_printed: row.card_printed,
        measured: row.measured,
    }
}

fn participant_number(text: &str) -> Result<ParticipantNumber, CommandError> {
    ParticipantNumber::new(text.trim()).map_err(|_| {
        CommandError::new(
            "bad_participant_number",
            "参加者番号が正しくありません / the participant number is not valid",
        )
    })
}

impl StaffConsole {
    /// Registers the application (or says why it cannot be), then queues the person and wakes
    /// the sync worker so the server judges it.
    pub(crate) fn register(
        &self,
        form: &ApplicationForm,
    ) -> Result<RegistrationOutcome, CommandError> {
        let mut desk = self.lock();
        let who = self.require(&mut desk, Need::Register)?;
        let input = ApplicationInput {
            participant: &form.participant,
            birth_date: &form.birth_date,
            sex: &form.sex,
            height_cm: form.height_cm,
            body_type: &form.body_type,
            implanted_device: form.implanted_device,
            lives_or_works_locally: form.lives_or_works_locally,
            applied_on: &form.applied_on,
            consent: &form.consent,
            paper_granted: &form.paper_granted,
        };
        let today = self.today();
        let app = match try_check_application(&desk.store, &input, today)
            .map_err(|e| store_error(&e))?
        {
            Ok(app) => app,
            Err(problems) => {
                let reasons: Vec<String> = problems.iter().map(|p| p.code().to_owned()).collect();
                self.audit(
                    &mut desk,
                    "registration_refused",
                    serde_json::json!({ "reasons": reasons }),
                );
                return Ok(RegistrationOutcome::Ineligible { reasons });
            }
        };
        let row = desk
            .store
            .register_participant(&app, &who.login, self.wall())
            .map_err(|e| store_error(&e))?;
        self.sync_wake.notify_one();
        let view = registration_view(&row, self.settings.utc_offset_minutes);
        Self::enqueue(&mut desk, row.participant.clone(), row.weight_only);
        self.publish_registrations(&desk);
        self.publish_queue(&desk);
        Ok(RegistrationOutcome::Registered { registration: view })
    }

    /// Today's registrations and any not yet settled, to the staff window.
    pub(crate) fn publish_registrations(&self, desk: &Desk) {
        let wall = self.wall();
        let offset = i64::from(self.settings.utc_offset_minutes) * 60_000;
        let midnight = wall.as_unix_ms() - (wall.as_unix_ms() + offset).rem_euclid(DAY_MS);
        match desk.store.registrations(Timestamp::from_unix_ms(midnight)) {
            Ok(rows) => self.publish(StaffEvent::Registrations(
                rows.iter()
                    .map(|r| registration_view(r, self.settings.utc_offset_minutes))
                    .collect(),
            )),
            Err(e) => tracing::warn!(error = %e, "the registrations could not be read"),
        }
    }

    pub(crate) fn publish_queue(&self, desk: &Desk) {
        self.publish(StaffEvent::Queue(
            desk.queue
                .iter()
                .map(|q| QueueEntry {
                    participant: q.participant.as_str().to_owned(),
                    state: match q.state {
                        QueueState::Waiting => "waiting",
                        QueueState::Measuring => "measuring",
                        QueueState::Done => "done",
                    }
                    .to_owned(),
                    weight_only: q.weight_only,
                })
                .collect(),
        ));
    }

    fn enqueue(desk: &mut Desk, participant: ParticipantNumber, weight_only: bool) {
        if let Some(q) = desk.queue.iter_mut().find(|q| q.participant == participant) {
            if q.state == QueueState::Done {
                q.state = QueueState::Waiting;
            }
            return;
        }
        desk.queue.push(Queued {
            participant,
            state: QueueState::Waiting,
            weight_only,
        });
    }

    /// Prints the card the server issued for a registration; records that it was printed.
    pub(crate) fn print_card(&self, participant: &str) -> Result<PrintOutcome, CommandError> {
        let number = participant_number(participant)?;
        let (card, who) = {
            let mut desk = self.lock();
            let who = self.require(&mut desk, Need::Register)?;
            let card = desk
                .store
                .registration_card(&number)
                .map_err(|e| store_error(&e))?
                .ok_or_else(|| {
                    CommandError::new(
                        "card_not_ready",
                        "カードはまだ発行されていません。サーバーと同期してからもう一度印刷してください / \
                         the card has not been issued yet: sync with the server, then print again",
                    )
                })?;
            (card, who)
        };
        // Rendering and `lp` run without the console's lock.
        let outcome = self
            .printer
            .print(&CardToPrint {
                card_id: card.card_id.clone(),
                token: card.token,
                participant: number.as_str().to_owned(),
            })
            .map_err(|e| CommandError::new("print_failed", e.to_string()))?;
        let mut desk = self.lock();
        let mode = match &outcome {
            PrintOutcome::Sent { .. } => "sent",
            PrintOutcome::Dialog { .. } => "dialog",
        };
        // A dialog may still be cancelled: only a card sent is known to be printed.
        if mode == "sent" {
            desk.store
                .mark_card_printed(&number, &who.login, self.wall())
                .map_err(|e| store_error(&e))?;
        }
        self.audit(&mut desk, "card_print", serde_json::json!({ "mode": mode }));
        self.publish_registrations(&desk);
        Ok(outcome)
    }

    /// Adds someone on the roster to the queue.
    pub(crate) fn queue_add(&self, participant: &str) -> Result<(), CommandError> {
        let number = participant_number(participant)?;
        let mut desk = self.lock();
        self.require(&mut desk, Need::Register)?;
        let profile = desk
            .store
            .participant(&number)
            .map_err(|e| store_error(&e))?
            .ok_or_else(|| {
                CommandError::new(
                    "unknown_participant",
                    "この参加者番号は名簿にありません / this participant number is not on the roster",
                )
            })?;
        Self::enqueue(&mut desk, number, profile.implanted_device);
        self.audit(&mut desk, "queue_add", serde_json::json!({}));
        self.publish_queue(&desk);
        Ok(())
    }

    /// Takes someone off the queue.
    pub(crate) fn queue_remove(&self, participant: &str) -> Result<(), CommandError> {
        let number = participant_number(participant)?;
        let mut desk = self.lock();
        self.require(&mut desk, Need::Register)?;
        desk.queue.retain(|q| q.participant != number);
        self.audit(&mut desk, "queue_remove", serde_json::json!({}));
        self.publish_queue(&desk);
        Ok(())
    }

    /// Starts a queued person's session on the participant window; the staff window hides
    /// until the participant window is back on the attract screen.
    pub(crate) fn measure(&self, participant: &str) -> Result<(), CommandError> {
        let number = participant_number(participant)?;
        let mut desk = self.lock();
        self.require(&mut desk, Need::Register)?;
        if desk.queue.iter().any(|q| q.state == QueueState::Measuring) {
            return Err(CommandError::new("busy", "someone is measuring already"));
        }
        if !self.kiosk_hub.on_attract() {
            return Err(CommandError::new(
                "busy",
                "the participant screen is in use",
            ));
        }
        if !desk.queue.iter().any(|q| q.participant == number) {
            Self::enqueue(&mut desk, number.clone(), false);
        }
        *self
            .presenting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(number.clone());
        self.feed(FeedInput::Present {
            participant: number.clone(),
            today: self.today(),
        })?;
        for q in desk.queue.iter_mut().filter(|q| q.participant == number) {
            q.state = QueueState::Measuring;
        }
        desk.measuring_since = Some(self.now());
        self.audit(&mut desk, "queue_measure", serde_json::json!({}));
        self.publish_queue(&desk);
        drop(desk);
        self.window.send_replace(false);
        Ok(())
    }

    /// The participant window showed `on_attract`: a queue session that ran has ended (or
    /// one that never started, after [`MEASURE_START`]); the staff window shows again.
    pub(crate) fn participant_screen(&self, on_attract: bool) {
        let mut desk = self.lock();
        let Some(since) = desk.measuring_since else {
            // A card read just before staff mode held the readers started a session: the staff
            // window steps aside until the participant window is back on attract.
            if !on_attract && desk.open && !desk.interrupted {
                desk.interrupted = true;
                self.window.send_replace(false);
            } else if on_attract && desk.interrupted {
                desk.interrupted = false;
                if desk.open {
                    self.window.send_replace(true);
                }
            }
            return;
        };
        if !on_attract {
            desk.measuring_started = true;
            return;
        }
        let gave_up = !desk.measuring_started && self.now() >= since + MEASURE_START;
        if !desk.measuring_started && !gave_up {
            return;
        }
        let ran = desk.measuring_started;
        desk.measuring_since = None;
        desk.measuring_started = false;
        for q in desk
            .queue
            .iter_mut()
            .filter(|q| q.state == QueueState::Measuring)
        {
            q.state = if ran {
                QueueState::Done
            } else {
                QueueState::Waiting
            };
        }
        self.publish_queue(&desk);
        self.publish_registrations(&desk);
        if desk.open && desk.desk.current().is_some() {
            // Measuring was staff's doing: the idle clock starts again as they come back.
            desk.desk.touch(self.now());
            self.idle_wake.notify_one();
            self.window.send_replace(true);
        }
    }
}

/// How long a queue session may take to show its first screen before the staff window comes
/// back (the station refused it: the gate is closed, or the person is not on the roster).
pub(crate) const MEASURE_START: Duration = Duration::from_secs(5);
