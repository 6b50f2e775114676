//! 仮名加工 (pseudonymisation) for the program's own effect analysis: each participant number is
//! replaced by HMAC-SHA256(key, program ‖ 0x00 ‖ number), hex, first 32 digits (128 bits). The
//! same person gets the same pseudonym in every export made with the same key, so an analyst can
//! follow them over time; without the key nobody can go back to the number (nor test a guess).
//!
//! What is kept and why: birth YEAR (age to the year is what an effect analysis adjusts for; the
//! full date adds nothing to it and is a strong quasi-identifier), sex, the municipality of the
//! measuring station (the program's unit of comparison), the local measurement DATE (time series;
//! the time of day and the station are dropped — with the place they tell who stood there), the
//! weight-only flag and the whole-body values unrounded ([`super::items`]). Dropped: participant
//! numbers, card numbers, station ids, analyzer serials, raw frames, height and every other echo.
//!
//! The key lives in a file of its own (mode 0600), made on first use, never in the database nor
//! in an export; whoever holds exports must not hold the key (安全管理措置 for 仮名加工情報).
//!
//! Deliberately not here: anonymization ([`super::anonymize`]) and writing files ([`super::files`]).

use super::dates::Date;
use super::items::{trim, VALUE_ITEMS};
use super::{ExportError, Table};
use crate::storage::export::ExportSourceRow;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

/// Hex digits of a pseudonym.
pub const PSEUDONYM_HEX: usize = 32;

/// The pseudonymisation key (32 bytes). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey([u8; 32]);

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

/// Whether the key was read or made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Read from the file.
    Existing,
    /// The file did not exist: a new key was written to it.
    Created,
}

fn key_error(path: &Path, reason: impl fmt::Display) -> ExportError {
    ExportError::Key {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

impl PseudonymKey {
    /// A key from its bytes (tests; files go through [`PseudonymKey::load_or_create`]).
    pub fn from_bytes(bytes: [u8; 32]) -> PseudonymKey {
        PseudonymKey(bytes)
    }

    /// Reads the key file (64 hex digits), or makes one with a fresh random key (mode 0600)
    /// when it does not exist. A file others may read is refused.
    pub fn load_or_create(path: &Path) -> Result<(PseudonymKey, KeyOrigin), ExportError> {
        match std::fs::metadata(path) {
            Ok(meta) => {
                if meta.permissions().mode() & 0o077 != 0 {
                    return Err(key_error(
                        path,
                        "ほかの利用者が読める権限です。chmod 600 で所有者だけにしてください / \
                         others may read it: restrict it with chmod 600",
                    ));
                }
                let text = std::fs::read_to_string(path).map_err(|e| key_error(path, e))?;
                let bytes = decode_hex(text.trim()).ok_or_else(|| {
                    key_error(
                        path,
                        "鍵は 64 桁の 16 進数でなければなりません。別の鍵で作った仮名とはつながりません / \
                         the key must be 64 hex digits (a new key makes pseudonyms that do not match earlier exports)",
                    )
                })?;
                Ok((PseudonymKey(bytes), KeyOrigin::Existing))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| key_error(path, e))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| key_error(path, e))?;
                }
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| key_error(path, e))?;
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                file.write_all(format!("{hex}\n").as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| key_error(path, e))?;
                Ok((PseudonymKey(bytes), KeyOrigin::Created))
            }
            Err(e) => Err(key_error(path, e)),
        }
    }

    /// The pseudonym of a participant of a program.
    pub fn pseudonym(&self, program: &str, participant: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(program.as_bytes());
        mac.update(&[0]);
        mac.update(participant.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex[..PSEUDONYM_HEX].to_owned()
    }
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The fixed columns, before the values.
pub const COLUMNS: &[&str] = &[
    "pseudonym",
    "birth_year",
    "sex",
    "municipality",
    "date",
    "weight_only",
];

/// The pseudonymised table of the source rows (dates local at `offset_minutes`).
pub fn pseudonymise(
    program: &str,
    key: &PseudonymKey,
    offset_minutes: i32,
    rows: &[ExportSourceRow],
) -> Table {
    let mut columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    columns.extend(VALUE_ITEMS.iter().map(|v| v.key.to_owned()));
    let mut participants = BTreeSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        participants.insert(r.participant.clone());
        let birth_year =
            Date::parse(&r.birth_date).map_or_else(String::new, |d| d.year.to_string());
        let mut row = vec![
            key.pseudonym(program, &r.participant),
            birth_year,
            r.sex.clone(),
            r.municipality.clone(),
            Date::of(r.taken_at, offset_minutes).day_key(),
            u8::from(r.weight_only).to_string(),
        ];
        row.extend(VALUE_ITEMS.iter().map(|v| {
            v.read(&r.reading, r.weight_only)
                .map_or_else(String::new, trim)
        }));
        out.push(row);
    }
    Table {
        columns,
        rows: out,
        participants: participants.into_iter().collect(),
        suppressed: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_per_key_and_program_and_differ_otherwise() {
        let k1 = PseudonymKey::from_bytes([1; 32]);
        let k2 = PseudonymKey::from_bytes([2; 32]);
        let p = k1.pseudonym("prog-a", "A-1");
        assert_eq!(p.len(), PSEUDONYM_HEX);
        assert_eq!(p, k1.pseudonym("prog-a", "A-1"));
        assert_ne!(p, k2.pseudonym("prog-a", "A-1"));
        assert_ne!(p, k1.pseudonym("prog-b", "A-1"));
        // The separator: ("prog-a", "1") is not ("prog-a1", "").
        assert_ne!(k1.pseudonym("prog-a", "1"), k1.pseudonym("prog-a1", ""));
    }

    #[test]
    fn a_missing_key_file_is_created_owner_only_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys").join("pseudonym.key");
        let (made, origin) = PseudonymKey::load_or_create(&path).expect("created");
        assert_eq!(origin, KeyOrigin::Created);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (read, origin) = PseudonymKey::load_or_create(&path).expect("read");
        assert_eq!(origin, KeyOrigin::Existing);
        assert_eq!(made, read);
        assert_eq!(format!("{read:?}"), "PseudonymKey(<redacted>)");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let refused = PseudonymKey::load_or_create(&path).expect_err("world-readable");
        assert!(refused.to_string().contains("chmod 600"), "{refused}");
    }
}
