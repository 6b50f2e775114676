//! Staff sign-in at the station: who is signed in, with which role, until when (the idle clock);
//! checking a typed login and password/PIN against the synced account's argon2 hash; the
//! lockout after repeated failures; and the audit rows of all of it.
//!
//! A wrong login, a wrong secret and a disabled account give the same [`SignInError::Refused`]
//! after the same work (an unknown login is checked against a fixed dummy hash), and failures
//! are counted and locked per *typed* login, so neither the error, the time it takes nor the
//! lockout tells whether an account exists. Time is always a parameter: `now` (monotonic) for
//! the idle clock, `wall` for what is recorded and for locks, which survive restarts.
//!
//! Deliberately not here: the accounts themselves (synced from the server), the screens, and
//! what a signed-in person may do beyond the role check ([`Need`]).

use crate::store::{FailureOutcome, LockRule, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hakaru_wire::api::StaffRole;
use hakaru_wire::Timestamp;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The lockout and idle rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failures (within `failure_window`) that lock a login.
    pub max_failures: u32,
    /// Failures are counted from the first one for this long.
    pub failure_window: Duration,
    /// How long a locked login stays locked.
    pub lockout: Duration,
    /// Signed out after this long without activity.
    pub idle_timeout: Duration,
}

impl Default for SignInPolicy {
    /// 5 failures within 15 minutes lock the login for 15 minutes; idle sign-out after 300 s.
    fn default() -> Self {
        SignInPolicy {
            max_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account's login.
    pub login: String,
    /// The name shown while signed in.
    pub display_name: String,
    /// Staff, technician or admin.
    pub role: StaffRole,
}

/// What a staff screen needs the signed-in person to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Register participants, take consent, print cards, run the queue (staff, admin).
    Register,
    /// Connect, configure and check the analyzer (technician, admin).
    Service,
}

impl Need {
    /// `register` or `service`.
    pub fn code(self) -> &'static str {
        match self {
            Need::Register => "register",
            Need::Service => "service",
        }
    }

    fn allows(self, role: StaffRole) -> bool {
        match self {
            Need::Register => role.may_register(),
            Need::Service => role.may_service(),
        }
    }
}

/// Why a staff session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutReason {
    /// They signed out.
    ByUser,
    /// No activity for the idle timeout.
    Idle,
    /// The account was disabled or its role changed (by the roster sync).
    AccountChanged,
}

impl SignOutReason {
    /// `by_user`, `idle` or `account_changed`.
    pub fn code(self) -> &'static str {
        match self {
            SignOutReason::ByUser => "by_user",
            SignOutReason::Idle => "idle",
            SignOutReason::AccountChanged => "account_changed",
        }
    }
}

fn secs_until(until: Timestamp, wall: Timestamp) -> u64 {
    let ms = until.as_unix_ms().saturating_sub(wall.as_unix_ms());
    u64::try_from(ms).unwrap_or(0).div_ceil(1000)
}

fn minutes(secs: u64) -> u64 {
    secs.div_ceil(60).max(1)
}

/// Why a sign-in did not succeed. The same words whether or not the account exists.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong login or secret, or a disabled account (deliberately not told apart).
    #[error(
        "ログイン名またはパスワード（PIN）が正しくありません。確かめてもう一度入力してください / \
         the login or password (PIN) is not right: check both and type them again"
    )]
    Refused,
    /// Too many failures: the typed login is locked for a while.
    #[error(
        "失敗が続いたため、サインインを一時的に止めています。{}分後にもう一度お試しください / \
         sign-in is paused after repeated failures: try again in {} minutes",
        minutes(*retry_after_secs), minutes(*retry_after_secs)
    )]
    Locked {
        /// Seconds until the lock ends.
        retry_after_secs: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a staff command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    /// Nobody is signed in (or the idle timeout passed).
    #[error(
        "サインインしていません。もう一度サインインしてください / \
         nobody is signed in: sign in again"
    )]
    NotSignedIn,
    /// The signed-in role may not do this.
    #[error(
        "この操作はいまの役割（{role}）ではできません。{}のアカウントでサインインしてください / \
         your role ({role}) may not do this: sign in with {} account",
        match need { Need::Register => "職員または管理者", Need::Service => "技術者または管理者" },
        match need { Need::Register => "a staff or admin", Need::Service => "a technician or admin" }
    )]
    NotAllowed {
        /// What was needed.
        need: Need,
        /// The signed-in role's name.
        role: &'static str,
    },
}

/// A fixed argon2id hash (same parameters as the server's `Argon2::default()`): an unknown login
/// is checked against it, so it costs the same time as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::from_b64("aGFrYXJ1LWR1bW15LXNhbHQ").expect("a valid fixed salt");
        Argon2::default()
            .hash_password(b"hakaru-no-such-account", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Whether `secret` matches the PHC string `phc` (a malformed string never matches, after the
/// same work as a real check).
fn verify(phc: &str, secret: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(secret.as_bytes(), &hash)
            .is_ok(),
        Err(_) => {
            if let Ok(dummy) = PasswordHash::new(dummy_hash()) {
                let _ = Argon2::default().verify_password(secret.as_bytes(), &dummy);
            }
            false
        }
    }
}

/// The station's staff desk: who is signed in and the idle clock. One per kiosk.
#[derive(Debug)]
pub struct StaffDesk {
    policy: SignInPolicy,
    current: Option<SignedIn>,
    last_activity: Option<Instant>,
}

impl StaffDesk {
    /// Nobody signed in. Prepares the dummy hash now, so the first unknown login takes no longer
    /// than any other.
    pub fn new(policy: SignInPolicy) -> StaffDesk {
        let _ = dummy_hash();
        StaffDesk {
            policy,
            current: None,
            last_activity: None,
        }
    }

    /// The rules in use.
    pub fn policy(&self) -> &SignInPolicy {
        &self.policy
    }

    fn lock_rule(&self) -> LockRule {
        LockRule {
            max_failures: self.policy.max_failures,
            failure_window: self.policy.failure_window,
            lockout: self.policy.lockout,
        }
    }

    /// Checks `login` and `secret` against the synced account. On success the previous person
    /// (if any) is signed out, the login's failures are cleared, and the idle clock starts at
    /// `now`. Every outcome is audited (a refusal names only a short hash of the typed login).
    pub fn sign_in(
        &mut self,
        store: &mut Store,
        login: &str,
        secret: &str,
        now: Instant,
        wall: Timestamp,
    ) -> Result<SignedIn, SignInError> {
        let key = crate::store::login_key(login);
        if let Some(until) = store.sign_in_locked_until(&key, wall)? {
            store.record_sign_in_while_locked(&key, wall)?;
            return Err(SignInError::Locked {
                retry_after_secs: secs_until(until, wall),
            });
        }
        let typed = login.trim();
        let mut account = store.staff_account(typed)?;
        if account.is_none() && typed != typed.to_lowercase() {
            account = store.staff_account(&typed.to_lowercase())?;
        }
        let ok = match &account {
            Some(a) => verify(&a.password_hash, secret) && a.active,
            None => {
                verify(dummy_hash(), secret);
                false
            }
        };
        let Some(account) = account.filter(|_| ok) else {
            return match store.record_sign_in_failure(&key, self.lock_rule(), wall)? {
                FailureOutcome::Counted => Err(SignInError::Refused),
                FailureOutcome::LockedUntil(until) => Err(SignInError::Locked {
                    retry_after_secs: secs_until(until, wall),
                }),
            };
        };
        if self.current.is_some() {
            self.sign_out(store, SignOutReason::ByUser, wall);
        }
        store.record_sign_in(&key, &account.login, account.role.name(), wall)?;
        let who = SignedIn {
            login: account.login,
            display_name: account.display_name,
            role: account.role,
        };
        tracing::info!(role = who.role.name(), "staff signed in");
        self.current = Some(who.clone());
        self.last_activity = Some(now);
        Ok(who)
    }

    /// Signs out whoever is signed in (audited with the reason); returns who it was. A failure
    /// to write the audit row is logged; the person is signed out regardless.
    pub fn sign_out(
        &mut self,
        store: &mut Store,
        reason: SignOutReason,
        wall: Timestamp,
    ) -> Option<SignedIn> {
        let who = self.current.take()?;
        self.last_activity = None;
        if let Err(e) = store.record_sign_out(&who.login, reason.code(), wall) {
            tracing::error!(error = %e, "the sign-out could not be written to the audit log");
        }
        tracing::info!(reason = reason.code(), "staff signed out");
        Some(who)
    }

    /// Who is signed in.
    pub fn current(&self) -> Option<&SignedIn> {
        self.current.as_ref()
    }

    /// Activity: postpones the idle sign-out.
    pub fn touch(&mut self, now: Instant) {
        if self.current.is_some() {
            self.last_activity = Some(now);
        }
    }

    /// When [`StaffDesk::check_idle`] will sign out (`None` when nobody is signed in).
    pub fn idle_deadline(&self) -> Option<Instant> {
        self.current.as_ref()?;
        self.last_activity
            .map(|at| at.checked_add(self.policy.idle_timeout).unwrap_or(at))
    }

    fn idle_passed(&self, now: Instant) -> bool {
        self.idle_deadline().is_some_and(|deadline| now >= deadline)
    }

    /// Signs out (reason `idle`) when the idle timeout has passed at `now`; returns who it was.
    pub fn check_idle(
        &mut self,
        store: &mut Store,
        now: Instant,
        wall: Timestamp,
    ) -> Option<SignedIn> {
        if self.idle_passed(now) {
            self.sign_out(store, SignOutReason::Idle, wall)
        } else {
            None
        }
    }

    /// Signs out (reason `account_changed`) when the signed-in account was disabled, removed or
    /// given another role since sign-in (call it after a roster sync); returns who it was.
    pub fn check_account(&mut self, store: &mut Store, wall: Timestamp) -> Option<SignedIn> {
        let who = self.current.as_ref()?;
        let changed = match store.staff_account(&who.login) {
            Ok(Some(a)) => !a.active || a.role != who.role,
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(error = %e, "staff account could not be read; kept signed in");
                false
            }
        };
        if changed {
            self.sign_out(store, SignOutReason::AccountChanged, wall)
        } else {
            None
        }
    }

    /// Checks that someone is signed in whose role allows `need`, and counts it as activity.
    /// After the idle timeout this says [`StaffError::NotSignedIn`] (the kiosk's
    /// [`StaffDesk::check_idle`] writes the sign-out).
    pub fn require(&mut self, need: Need, now: Instant) -> Result<SignedIn, StaffError> {
        if self.idle_passed(now) {
            return Err(StaffError::NotSignedIn);
        }
        let who = self.current.as_ref().ok_or(StaffError::NotSignedIn)?;
        if !need.allows(who.role) {
            return Err(StaffError::NotAllowed {
                need,
                role: who.role.name(),
            });
        }
        let who = who.clone();
        self.last_activity = Some(now);
        Ok(who)
    }

    /// Audits a staff action (`action`, e.g. `queue_started`) naming the signed-in login (or
    /// none); `detail` must hold ids and counts only, never a participant value.
    pub fn record_action(
        &self,
        store: &mut Store,
        action: &str,
        detail: serde_json::Value,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let login = self.current.as_ref().map_or("", |w| w.login.as_str());
        store.record_staff_action(login, action, detail, wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_meet_needs() {
        assert!(Need::Register.allows(StaffRole::Staff));
        assert!(!Need::Service.allows(StaffRole::Staff));
        assert!(Need::Service.allows(StaffRole::Technician));
        assert!(!Need::Register.allows(StaffRole::Technician));
        assert!(Need::Register.allows(StaffRole::Admin) && Need::Service.allows(StaffRole::Admin));
    }

    #[test]
    fn errors_say_what_to_do_in_japanese_first() {
        let locked = SignInError::Locked {
            retry_after_secs: 14 * 60 + 1,
        }
        .to_string();
        assert!(locked.starts_with("失敗"), "{locked}");
        assert!(
            locked.contains("15分後にもう一度お試しください"),
            "{locked}"
        );
        assert!(locked.contains("try again in 15 minutes"), "{locked}");
        let refused = SignInError::Refused.to_string();
        assert!(refused.contains(" / ") && refused.contains("type them again"));
        let na = StaffError::NotAllowed {
            need: Need::Service,
            role: "staff",
        }
        .to_string();
        assert!(na.contains("技術者") && na.contains("technician"), "{na}");
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash_that_matches_nothing_typed() {
        assert!(dummy_hash().starts_with("$argon2id$"), "{}", dummy_hash());
        assert!(!verify(dummy_hash(), ""));
        assert!(!verify("not a phc string", "x"));
    }
}
