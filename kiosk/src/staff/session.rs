//! Opening staff mode, signing in and out, and the idle timer. Staff mode opens only from the
//! attract screen with no session running; while it is open the station ignores cards
//! (`FeedInput::Hold(true)`) and the participant window says `staff_in_use`. Closing the staff
//! window always signs out; so does inactivity (warned [`IDLE_WARNING`] before), and a sign-in
//! form nobody uses closes after the same time.
//!
//! Deliberately not here: the checks of a sign-in (the station's `StaffDesk`).

use super::{Desk, StaffConsole, IDLE_WARNING};
use crate::staff_view::{RulesView, StaffEvent, StaffSessionView};
use crate::view::{CommandError, PurposeView, Text};
use hakaru_station::staff::{SignInError, SignOutReason, SignedIn};
use hakaru_station::FeedInput;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

fn session_view(who: &SignedIn, idle_timeout_secs: u64) -> StaffSessionView {
    StaffSessionView {
        login: who.login.clone(),
        display_name: who.display_name.clone(),
        role: who.role.name().to_owned(),
        may_register: who.role.may_register(),
        may_service: who.role.may_service(),
        idle_timeout_secs: u32::try_from(idle_timeout_secs).unwrap_or(u32::MAX),
    }
}

impl StaffConsole {
    /// The hidden gesture on the attract screen: opens staff mode at the sign-in form.
    pub(crate) fn open_sign_in(&self) -> Result<(), CommandError> {
        let mut desk = self.lock();
        if desk.open {
            return Ok(());
        }
        if !self.kiosk_hub.on_attract() {
            return Err(CommandError::new(
                "busy",
                "a participant session is running: staff mode opens from the attract screen only",
            ));
        }
        self.feed(FeedInput::Hold(true))?;
        desk.open = true;
        self.staff_open
            .store(true, std::sync::atomic::Ordering::SeqCst);
        desk.opened_at = Some(self.now());
        drop(desk);
        self.publish_availability(true);
        self.publish(StaffEvent::Session(None));
        self.window.send_replace(true);
        self.idle_wake.notify_one();
        tracing::info!("staff mode opened");
        Ok(())
    }

    /// Checks the login and secret; on success sends the session and everything staff see.
    pub(crate) fn sign_in(&self, login: &str, secret: &str) -> Result<(), CommandError> {
        let mut desk = self.lock();
        if !desk.open {
            return Err(CommandError::new(
                "not_open",
                "staff mode is not open: use the gesture on the attract screen",
            ));
        }
        let (now, wall) = (self.now(), self.wall());
        let Desk { store, desk: d, .. } = &mut *desk;
        let who = d.sign_in(store, login, secret, now, wall).map_err(|e| {
            let code = match &e {
                SignInError::Refused => "sign_in_refused",
                SignInError::Locked { .. } => "locked",
                SignInError::Store(_) => "store_failed",
            };
            CommandError::new(code, e.to_string())
        })?;
        desk.opened_at = None;
        let view = session_view(&who, self.settings.policy.idle_timeout.as_secs());
        self.publish(StaffEvent::Session(Some(view)));
        self.publish_shared(&desk);
        self.after_sign_in(&mut desk, &who);
        drop(desk);
        self.after_sign_in_unlocked(&who);
        self.idle_wake.notify_one();
        Ok(())
    }

    /// Rules and purposes (not personal).
    fn publish_shared(&self, desk: &Desk) {
        match desk.store.registration_rules() {
            Ok(rules) => {
                let from_server = matches!(desk.store.setting("registration_rules"), Ok(Some(_)));
                self.publish(StaffEvent::Rules(RulesView {
                    min_age_years: rules.min_age_years,
                    residency_required: rules.residency_required,
                    enrolment_cap: rules.enrolment_cap,
                    from_server,
                }));
            }
            Err(e) => tracing::warn!(error = %e, "the registration rules could not be read"),
        }
        match desk.store.purposes() {
            Ok(mut purposes) => {
                purposes.sort_by_key(|p| !p.required);
                self.publish(StaffEvent::Purposes(
                    purposes
                        .into_iter()
                        .map(|p| PurposeView {
                            id: p.id.0,
                            required: p.required,
                            label: Text::new(p.label_ja, p.label_en),
                        })
                        .collect(),
                ));
            }
            Err(e) => tracing::warn!(error = %e, "the purposes could not be read"),
        }
    }

    /// Activity in the staff window: the idle clock starts again.
    pub(crate) fn touch(&self) {
        let mut desk = self.lock();
        if desk.desk.current().is_some() {
            desk.desk.touch(self.now());
            drop(desk);
            self.publish(StaffEvent::Idle { remaining_ms: None });
            self.idle_wake.notify_one();
        }
    }

    /// Signs out (if someone is signed in) and closes staff mode: the window hides, cards
    /// start sessions again.
    pub(crate) fn sign_out(&self, reason: SignOutReason) {
        let mut desk = self.lock();
        self.close_locked(&mut desk, reason, false);
    }

    /// Closes staff mode; `signed_out` when the desk already signed them out itself (idle,
    /// account changed).
    pub(crate) fn close_locked(&self, desk: &mut Desk, reason: SignOutReason, signed_out: bool) {
        let wall = self.wall();
        let was_open = desk.open;
        self.before_sign_out(desk);
        let Desk { store, desk: d, .. } = &mut *desk;
        let signed_out = d.sign_out(store, reason, wall).is_some() || signed_out;
        desk.open = false;
        self.staff_open
            .store(false, std::sync::atomic::Ordering::SeqCst);
        desk.opened_at = None;
        // The window hides before anyone is told staff mode closed.
        self.window.send_replace(false);
        if signed_out {
            self.publish(StaffEvent::SignedOut {
                reason: reason.code().to_owned(),
            });
        }
        self.publish(StaffEvent::Session(None));
        if was_open {
            if let Err(e) = self.feed(FeedInput::Hold(false)) {
                tracing::warn!(
                    detail = e.detail,
                    "the station did not take the end of staff mode"
                );
            }
            self.publish_availability(false);
            tracing::info!(reason = reason.code(), "staff mode closed");
        }
        self.idle_wake.notify_one();
    }

    /// The server disabled or changed the signed-in account (after a sync): sign out.
    pub(crate) fn check_account(&self) {
        let mut desk = self.lock();
        let wall = self.wall();
        let Desk { store, desk: d, .. } = &mut *desk;
        if d.check_account(store, wall).is_some() {
            // The desk has signed them out and audited it; close the rest.
            self.close_locked(&mut desk, SignOutReason::AccountChanged, true);
        }
    }

    /// When the idle timer must act next: the desk's idle deadline, or an unused sign-in
    /// form's.
    fn idle_deadline(&self) -> Option<(Instant, bool)> {
        let desk = self.lock();
        if let Some(at) = desk.desk.idle_deadline() {
            return Some((at, true));
        }
        let opened = desk.opened_at.filter(|_| desk.open)?;
        Some((opened + self.settings.policy.idle_timeout, false))
    }

    /// The deadline passed (checked again under the lock).
    fn idle_due(&self) {
        let mut desk = self.lock();
        let (now, wall) = (self.now(), self.wall());
        let Desk { store, desk: d, .. } = &mut *desk;
        if d.check_idle(store, now, wall).is_some() {
            self.close_locked(&mut desk, SignOutReason::Idle, true);
            return;
        }
        let unused_form = desk.desk.current().is_none()
            && desk.open
            && desk
                .opened_at
                .is_some_and(|at| now >= at + self.settings.policy.idle_timeout);
        if unused_form {
            self.close_locked(&mut desk, SignOutReason::Idle, false);
        }
    }

    /// Whether the staff window should show (the shell follows it).
    pub(crate) fn window(&self) -> watch::Receiver<bool> {
        self.window.subscribe()
    }
}

/// Follows the participant window's screens for the queue: when a queue session is over (back
/// on the attract screen) the staff window shows again.
pub(crate) async fn follow_screens(
    console: Arc<StaffConsole>,
    down: impl std::future::Future<Output = ()>,
) {
    use crate::view::{KioskEvent, Screen};
    tokio::pin!(down);
    let mut live = console.kiosk_hub.subscribe_live();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    loop {
        let attract = tokio::select! {
            event = live.recv() => match event {
                Ok(KioskEvent::Screen(screen)) => matches!(screen, Screen::Attract),
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => console.kiosk_hub.on_attract(),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            _ = tick.tick() => {
                if console.lock().measuring_since.is_none() {
                    continue;
                }
                console.kiosk_hub.on_attract()
            }
            () = &mut down => return,
        };
        console.participant_screen(attract);
    }
}

/// The idle timer: warns, then signs out, until `down`.
pub(crate) async fn idle_timer(
    console: Arc<StaffConsole>,
    down: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(down);
    loop {
        let next = console.idle_deadline();
        let Some((deadline, signed_in)) = next else {
            tokio::select! {
                () = console.idle_wake.notified() => continue,
                () = &mut down => return,
            }
        };
        let now = console.now();
        let warn_at = deadline.checked_sub(IDLE_WARNING).unwrap_or(deadline);
        if signed_in && now < warn_at {
            tokio::select! {
                () = tokio::time::sleep_until(warn_at.into()) => {}
                () = console.idle_wake.notified() => {}
                () = &mut down => return,
            }
            continue;
        }
        if signed_in && now < deadline {
            let remaining = deadline - now;
            console.publish(StaffEvent::Idle {
                remaining_ms: Some(u32::try_from(remaining.as_millis()).unwrap_or(u32::MAX)),
            });
        }
        if now < deadline {
            tokio::select! {
                () = tokio::time::sleep_until(deadline.into()) => {}
                () = console.idle_wake.notified() => continue,
                () = &mut down => return,
            }
        }
        let c = Arc::clone(&console);
        if tokio::task::spawn_blocking(move || c.idle_due())
            .await
            .is_err()
        {
            tracing::error!("the idle sign-out failed");
        }
    }
}
