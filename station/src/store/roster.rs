//! Roster, policy documents and purposes: what the store keeps about who may measure and what
//! they are asked to agree to (cards: `cards`). Pseudonymous: no names or addresses, ever.
//!
//! Deliberately not here: fetching them from the server (the sync issue).

use super::{audit, Store, StoreError};
use crate::domain::{
    BodyType, Date, DocumentKind, DocumentVersion, ParticipantNumber, Profile, Purpose, PurposeId,
    Sex,
};
use hakaru_wire::Timestamp;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

pub(crate) fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

pub(crate) fn parse_date(s: &str) -> Result<Date, StoreError> {
    let bad = || StoreError::Corrupt(format!("date {s:?}"));
    let mut it = s.splitn(3, '-');
    let mut next = || it.next().ok_or_else(bad);
    let (y, m, d) = (next()?, next()?, next()?);
    Ok(Date {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
        day: d.parse().map_err(|_| bad())?,
    })
}

fn kind_name(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::Terms => "terms",
        DocumentKind::PrivacyPolicy => "privacy_policy",
        DocumentKind::MeasurementNotice => "measurement_notice",
    }
}

fn kind_from(s: &str) -> Result<DocumentKind, StoreError> {
    Ok(match s {
        "terms" => DocumentKind::Terms,
        "privacy_policy" => DocumentKind::PrivacyPolicy,
        "measurement_notice" => DocumentKind::MeasurementNotice,
        other => return Err(StoreError::Corrupt(format!("document kind {other:?}"))),
    })
}

/// SHA-256 of a document's full text, hex.
pub fn content_hash(full_text: &str) -> String {
    super::hex(&Sha256::digest(full_text.as_bytes()))
}

impl Store {
    /// Stores a policy document version with its full text; the text must hash to
    /// `doc.content_hash`. Storing the same version again is a no-op.
    pub fn put_document(
        &mut self,
        doc: &DocumentVersion,
        full_text: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if content_hash(full_text) != doc.content_hash {
            return Err(StoreError::DocumentHashMismatch {
                kind: kind_name(doc.kind).into(),
                version: doc.version.clone(),
            });
        }
        let tx = self.conn.transaction()?;
        let n = insert_document(
            &tx,
            &doc.content_hash,
            kind_name(doc.kind),
            &doc.version,
            &doc.language,
            doc.effective,
            full_text,
            doc.needs_fresh_consent,
        )?;
        if n > 0 {
            audit::append(
                &tx,
                now,
                "document_stored",
                &serde_json::json!({
                    "kind": kind_name(doc.kind), "version": doc.version,
                    "language": doc.language, "content_hash": doc.content_hash,
                }),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// For each kind, the version in `language` in force on `on` (latest effective date ≤ `on`).
    pub fn current_documents(
        &self,
        language: &str,
        on: Date,
    ) -> Result<Vec<DocumentVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, version, language, effective, content_hash, needs_fresh_consent
             FROM documents d
             WHERE language = ?1 AND effective <= ?2
               AND effective = (SELECT max(effective) FROM documents d2
                                WHERE d2.kind = d.kind AND d2.language = ?1 AND d2.effective <= ?2)
             ORDER BY kind",
        )?;
        let rows = stmt.query_map(params![language, date_text(on)], DocumentRow::read)?;
        rows.map(|row| row?.into_version()).collect()
    }

    /// Every stored version of every document, all languages, history included, oldest first
    /// — what the session's consent decision needs to see a "needs fresh consent" version
    /// between the one accepted and the one in force.
    pub fn documents(&self) -> Result<Vec<DocumentVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, version, language, effective, content_hash, needs_fresh_consent
             FROM documents ORDER BY effective, kind, version, language",
        )?;
        let rows = stmt.query_map([], DocumentRow::read)?;
        rows.map(|row| row?.into_version()).collect()
    }

    /// A document's full text by content hash.
    pub fn document_text(&self, content_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT full_text FROM documents WHERE content_hash = ?1",
                [content_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Adds or updates a purpose of use.
    pub fn put_purpose(&mut self, purpose: &Purpose, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        upsert_purpose(
            &tx,
            &purpose.id.0,
            purpose.required,
            &purpose.label_ja,
            &purpose.label_en,
        )?;
        audit::append(
            &tx,
            now,
            "purpose_stored",
            &serde_json::json!({ "purpose": purpose.id.0, "required": purpose.required }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every purpose, by id.
    pub fn purposes(&self) -> Result<Vec<Purpose>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, required, label_ja, label_en FROM purposes ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Purpose {
                id: PurposeId(r.get(0)?),
                required: r.get(1)?,
                label_ja: r.get(2)?,
                label_en: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or updates roster members (as the roster sync delivers them), marking them active.
    /// One audit row with the count.
    pub fn upsert_participants(
        &mut self,
        members: &[(ParticipantNumber, Profile)],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO participants (number, birth_date, sex, height_tenths_cm, body_type, implanted_device, status, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7)
                 ON CONFLICT (number) DO UPDATE SET birth_date = excluded.birth_date, sex = excluded.sex,
                     height_tenths_cm = excluded.height_tenths_cm, body_type = excluded.body_type,
                     implanted_device = excluded.implanted_device, status = 'active',
                     updated_at = excluded.updated_at",
            )?;
            for (number, p) in members {
                stmt.execute(params![
                    number.as_str(),
                    date_text(p.birth_date),
                    p.sex.code(),
                    p.height_tenths_cm,
                    p.body_type.code(),
                    p.implanted_device,
                    now.as_unix_ms()
                ])?;
            }
        }
        audit::append(
            &tx,
            now,
            "roster_updated",
            &serde_json::json!({ "participants": members.len() }),
        )?;
        tx.commit()?;
        Ok(members.len())
    }

    /// An active participant's profile (`None` for someone withdrawn, stopped or unknown; see
    /// [`Store::participant_standing`] to tell those apart).
    pub fn participant(&self, number: &ParticipantNumber) -> Result<Option<Profile>, StoreError> {
        Ok(match self.participant_standing(number)? {
            Some(Standing::Active(profile)) => Some(profile),
            _ => None,
        })
    }

    /// Where a participant stands on this station's roster: active with their profile, or
    /// withdrawn / stopped (the roster entry is kept so the kiosk can say why it will not
    /// measure), or `None` when the roster does not hold them at all.
    pub fn participant_standing(
        &self,
        number: &ParticipantNumber,
    ) -> Result<Option<Standing>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT birth_date, sex, height_tenths_cm, body_type, implanted_device, status
                 FROM participants WHERE number = ?1",
            )?
            .query_row([number.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u8>(1)?,
                    r.get::<_, u16>(2)?,
                    r.get::<_, u8>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        let Some((birth, sex, height, body, implanted, status)) = row else {
            return Ok(None);
        };
        match status.as_str() {
            "active" => {}
            "withdrawn" => return Ok(Some(Standing::Withdrawn)),
            "stopped" => return Ok(Some(Standing::Stopped)),
            other => return Err(StoreError::Corrupt(format!("participant status {other:?}"))),
        }
        Ok(Some(Standing::Active(Profile {
            birth_date: parse_date(&birth)?,
            sex: match sex {
                1 => Sex::Male,
                2 => Sex::Female,
                other => return Err(StoreError::Corrupt(format!("sex code {other}"))),
            },
            height_tenths_cm: height,
            body_type: match body {
                0 => BodyType::Standard,
                2 => BodyType::Athletic,
                other => BodyType::Other(other),
            },
            implanted_device: implanted,
        })))
    }
}

/// Where a participant stands on the station's roster ([`Store::participant_standing`]).
#[derive(Clone, PartialEq, Eq)]
pub enum Standing {
    /// On the roster and may measure: their profile.
    Active(Profile),
    /// Withdrew their consent (同意の撤回): no new measurements.
    Withdrawn,
    /// Asked for use of their data to stop (利用停止): no new measurements.
    Stopped,
}

impl std::fmt::Debug for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The profile is personal: never printed.
        f.write_str(match self {
            Standing::Active(_) => "Active(<redacted>)",
            Standing::Withdrawn => "Withdrawn",
            Standing::Stopped => "Stopped",
        })
    }
}

/// Stores a document version unless that (kind, version, language) is there already; returns
/// how many rows were written (0 or 1). Shared by [`Store::put_document`] and the change feed.
#[allow(clippy::too_many_arguments)] // one per column
pub(crate) fn insert_document(
    conn: &rusqlite::Connection,
    content_hash: &str,
    kind: &str,
    version: &str,
    language: &str,
    effective: Date,
    full_text: &str,
    needs_fresh_consent: bool,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO documents (content_hash, kind, version, language, effective, full_text, needs_fresh_consent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            content_hash,
            kind,
            version,
            language,
            date_text(effective),
            full_text,
            needs_fresh_consent
        ])?)
}

/// Inserts or replaces a purpose row. Shared by [`Store::put_purpose`] and the change feed.
pub(crate) fn upsert_purpose(
    conn: &rusqlite::Connection,
    id: &str,
    required: bool,
    label_ja: &str,
    label_en: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO purposes (id, required, label_ja, label_en) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET required = excluded.required,
             label_ja = excluded.label_ja, label_en = excluded.label_en",
    )?
    .execute(params![id, required, label_ja, label_en])?;
    Ok(())
}

/// One `documents` row as selected by the queries above (`kind, version, language, effective,
/// content_hash, needs_fresh_consent`), before its text columns are interpreted.
struct DocumentRow {
    kind: String,
    version: String,
    language: String,
    effective: String,
    content_hash: String,
    needs_fresh_consent: bool,
}

impl DocumentRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
        Ok(DocumentRow {
            kind: r.get(0)?,
            version: r.get(1)?,
            language: r.get(2)?,
            effective: r.get(3)?,
            content_hash: r.get(4)?,
            needs_fresh_consent: r.get(5)?,
        })
    }

    fn into_version(self) -> Result<DocumentVersion, StoreError> {
        Ok(DocumentVersion {
            kind: kind_from(&self.kind)?,
            version: self.version,
            language: self.language,
            effective: parse_date(&self.effective)?,
            content_hash: self.content_hash,
            needs_fresh_consent: self.needs_fresh_consent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_as_iso_text() {
        let d = Date {
            year: 1958,
            month: 6,
            day: 5,
        };
        assert_eq!(date_text(d), "1958-06-05");
        assert_eq!(parse_date("1958-06-05").unwrap(), d);
        assert!(parse_date("1958/06").is_err());
    }
}
