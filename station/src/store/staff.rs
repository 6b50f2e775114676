//! What the store keeps for staff sign-in: failed sign-ins counted per typed login (as a SHA-256
//! of the trimmed, lowercased login, so a mistyped or unknown login is never stored in clear)
//! with the lock they lead to, and the audit rows of sign-ins, refusals, lock-outs, sign-outs
//! and staff actions (naming the staff login, never a participant value or a typed secret).
//!
//! Deliberately not here: checking passwords and the idle clock (`crate::staff::sign_in`), and
//! the accounts themselves (synced by the change feed, `sync_state`).

use super::{audit, Store, StoreError};
use hakaru_wire::Timestamp;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// SHA-256 (hex) of the trimmed, lowercased login: the key failures are counted under.
pub(crate) fn login_key(login: &str) -> String {
    super::hex(&Sha256::digest(login.trim().to_lowercase().as_bytes()))
}

/// The first 12 hex digits of [`login_key`]: all an audit row says about a refused login.
fn key_prefix(key: &str) -> &str {
    key.get(..12).unwrap_or(key)
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The lockout's numbers, as the store needs them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockRule {
    /// Failures that lock the login.
    pub max_failures: u32,
    /// Failures older than this (counted from the first) start the count again.
    pub failure_window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

/// What a failed sign-in led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureOutcome {
    /// Counted; not locked yet.
    Counted,
    /// This failure locked the login until the given time.
    LockedUntil(Timestamp),
}

impl Store {
    /// The time the login typed as `key` is locked until, if it is locked at `wall`.
    pub(crate) fn sign_in_locked_until(
        &self,
        key: &str,
        wall: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let until: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT locked_until FROM staff_sign_in_failures WHERE login_sha256 = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        Ok(until
            .flatten()
            .filter(|&u| u > wall.as_unix_ms())
            .map(Timestamp::from_unix_ms))
    }

    /// Records an attempt refused because the login is locked (nothing counted).
    pub(crate) fn record_sign_in_while_locked(
        &mut self,
        key: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        audit::append(
            &tx,
            wall,
            "staff_sign_in_locked",
            &serde_json::json!({ "login_sha256": key_prefix(key) }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Counts one failed sign-in for `key` and, at the limit, locks it — with the audit rows
    /// (refusal; lock-out) in the same transaction. A lock that has run out, or failures older
    /// than the window, start the count again.
    pub(crate) fn record_sign_in_failure(
        &mut self,
        key: &str,
        rule: LockRule,
        wall: Timestamp,
    ) -> Result<FailureOutcome, StoreError> {
        let now = wall.as_unix_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(u32, i64, Option<i64>)> = tx
            .query_row(
                "SELECT failures, first_failed_at, locked_until FROM staff_sign_in_failures
                 WHERE login_sha256 = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let fresh = match row {
            None => true,
            Some((_, _, Some(until))) => until <= now,
            Some((_, first, None)) => now.saturating_sub(first) > ms(rule.failure_window),
        };
        let (failures, first) = match row {
            Some((n, first, _)) if !fresh => (n.saturating_add(1), first),
            _ => (1, now),
        };
        let locked_until =
            (failures >= rule.max_failures.max(1)).then(|| now.saturating_add(ms(rule.lockout)));
        tx.execute(
            "INSERT INTO staff_sign_in_failures (login_sha256, failures, first_failed_at, locked_until)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (login_sha256) DO UPDATE SET failures = excluded.failures,
                 first_failed_at = excluded.first_failed_at, locked_until = excluded.locked_until",
            params![key, failures, first, locked_until],
        )?;
        audit::append(
            &tx,
            wall,
            "staff_sign_in_refused",
            &serde_json::json!({ "login_sha256": key_prefix(key), "failures": failures }),
        )?;
        if let Some(until) = locked_until {
            audit::append(
                &tx,
                wall,
                "staff_locked_out",
                &serde_json::json!({
                    "login_sha256": key_prefix(key),
                    "failures": failures,
                    "minutes": rule.lockout.as_secs().div_ceil(60),
                }),
            )?;
            tx.commit()?;
            return Ok(FailureOutcome::LockedUntil(Timestamp::from_unix_ms(until)));
        }
        tx.commit()?;
        Ok(FailureOutcome::Counted)
    }

    /// A successful sign-in: clears the login's failures and writes the audit row.
    pub(crate) fn record_sign_in(
        &mut self,
        key: &str,
        login: &str,
        role: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM staff_sign_in_failures WHERE login_sha256 = ?1",
            [key],
        )?;
        audit::append(
            &tx,
            wall,
            "staff_signed_in",
            &serde_json::json!({ "staff": login, "role": role }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A sign-out, with its reason code.
    pub(crate) fn record_sign_out(
        &mut self,
        login: &str,
        reason: &str,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        self.record_staff_action(
            login,
            "staff_signed_out",
            serde_json::json!({ "reason": reason }),
            wall,
        )
    }

    /// Any other staff action: one audit row naming the staff login and `detail` (which must
    /// hold no participant value).
    pub(crate) fn record_staff_action(
        &mut self,
        login: &str,
        action: &str,
        detail: serde_json::Value,
        wall: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let detail = match detail {
            serde_json::Value::Object(mut map) => {
                map.insert("staff".into(), login.into());
                serde_json::Value::Object(map)
            }
            serde_json::Value::Null => serde_json::json!({ "staff": login }),
            other => serde_json::json!({ "staff": login, "detail": other }),
        };
        audit::append(&tx, wall, action, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Failed sign-ins counted for a typed login now (0 when none; for tests and support).
    pub fn sign_in_failures(&self, login: &str) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT failures FROM staff_sign_in_failures WHERE login_sha256 = ?1",
                [login_key(login)],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_ignores_case_and_surrounding_spaces_and_is_not_the_login() {
        let k = login_key("  Tanaka ");
        assert_eq!(k, login_key("tanaka"));
        assert_eq!(k.len(), 64);
        assert!(!k.contains("tanaka"));
        assert_ne!(k, login_key("tanaka2"));
        assert_eq!(key_prefix(&k).len(), 12);
    }
}
