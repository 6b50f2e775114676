//! Each program's privacy profile on SQLite: its column (part of schema version 3) and the
//! statement source query.
//!
//! Deliberately not here: the rules (`storage::statement`).

use super::rows::{corrupt, require_program};
use super::SqliteStorage;
use crate::ids::ProgramId;
use crate::storage::audit::AuditEntry;
use crate::storage::statement::{DocumentVersionInfo, StatementSource, StatementStorage};
use crate::storage::StorageError;
use hakaru_wire::api::{DocumentKind, PurposeDef};
use hakaru_wire::Timestamp;
use rusqlite::params;

/// The column.
pub(super) const SCHEMA: &str = "ALTER TABLE programs ADD COLUMN privacy_profile TEXT;";

#[async_trait::async_trait]
impl StatementStorage for SqliteStorage {
    async fn set_privacy_profile(
        &self,
        program: &ProgramId,
        profile_toml: &str,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let (program, text) = (program.clone(), profile_toml.to_owned());
        let actor = self.actor().clone();
        self.write(move |c| {
            require_program(c, &program)?;
            c.execute(
                "UPDATE programs SET privacy_profile = ?2, updated_at = ?3 WHERE id = ?1",
                params![program.as_str(), text, now.as_unix_ms()],
            )?;
            let entry = AuditEntry::new(
                &actor,
                "privacy_profile_set",
                serde_json::json!({ "program": program.as_str() }),
            );
            super::audit::append(c, &entry, now)?;
            Ok(())
        })
        .await
    }

    async fn statement_source(&self, program: &ProgramId) -> Result<StatementSource, StorageError> {
        let program = program.clone();
        self.read(move |c| {
            require_program(c, &program)?;
            let (program_name_ja, profile) = c.query_row(
                "SELECT name_ja, privacy_profile FROM programs WHERE id = ?1",
                [program.as_str()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )?;
            let purposes = c
                .prepare("SELECT id, required, label_ja, label_en FROM purposes WHERE program = ?1 ORDER BY id")?
                .query_map([program.as_str()], |r| {
                    Ok(PurposeDef {
                        id: r.get(0)?,
                        required: r.get(1)?,
                        label_ja: r.get(2)?,
                        label_en: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut documents = Vec::new();
            let mut stmt = c.prepare(
                "SELECT kind, version, language, effective FROM documents WHERE program = ?1
                 ORDER BY effective, version, language",
            )?;
            let mut rows = stmt.query([program.as_str()])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(0)?;
                documents.push(DocumentVersionInfo {
                    kind: DocumentKind::from_name(&kind).ok_or_else(|| corrupt("document kind", &kind))?,
                    version: r.get(1)?,
                    language: r.get(2)?,
                    effective: r.get(3)?,
                });
            }
            Ok(StatementSource {
                program_name_ja,
                profile,
                purposes,
                documents,
            })
        })
        .await
    }
}
