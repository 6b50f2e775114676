//! Each program's privacy profile on PostgreSQL: its column (part of schema version 3) and the
//! statement source query.
//!
//! Deliberately not here: the rules (`storage::statement`).

use super::{codec, db_error, ensure_program, PgResult, PostgresStorage};
use crate::ids::ProgramId;
use crate::storage::audit::AuditEntry;
use crate::storage::statement::{DocumentVersionInfo, StatementSource, StatementStorage};
use hakaru_wire::api::{DocumentKind, PurposeDef};
use hakaru_wire::Timestamp;

/// The column.
pub(super) const SCHEMA: &str = "ALTER TABLE programs ADD COLUMN privacy_profile TEXT;";

#[async_trait::async_trait]
impl StatementStorage for PostgresStorage {
    async fn set_privacy_profile(
        &self,
        program: &ProgramId,
        profile_toml: &str,
        now: Timestamp,
    ) -> PgResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        ensure_program(&tx, program).await?;
        tx.execute(
            "UPDATE programs SET privacy_profile = $2 WHERE id = $1",
            &[&program.as_str(), &profile_toml],
        )
        .await
        .map_err(db_error)?;
        let entry = AuditEntry::new(
            self.actor(),
            "privacy_profile_set",
            serde_json::json!({ "program": program.as_str() }),
        );
        super::audit::append(&tx, &entry, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn statement_source(&self, program: &ProgramId) -> PgResult<StatementSource> {
        let client = self.client().await?;
        ensure_program(&client, program).await?;
        let row = client
            .query_one(
                "SELECT name_ja, privacy_profile FROM programs WHERE id = $1",
                &[&program.as_str()],
            )
            .await
            .map_err(db_error)?;
        let purposes = client
            .query(
                "SELECT id, required, label_ja, label_en FROM purposes WHERE program = $1 ORDER BY id",
                &[&program.as_str()],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| PurposeDef {
                id: r.get(0),
                required: r.get(1),
                label_ja: r.get(2),
                label_en: r.get(3),
            })
            .collect();
        let documents = client
            .query(
                "SELECT kind, version, language, effective FROM documents WHERE program = $1 \
                 ORDER BY effective, version, language",
                &[&program.as_str()],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let kind: String = r.get(0);
                Ok(DocumentVersionInfo {
                    kind: DocumentKind::from_name(&kind)
                        .ok_or_else(|| codec::corrupt("document kind"))?,
                    version: r.get(1),
                    language: r.get(2),
                    effective: r.get(3),
                })
            })
            .collect::<PgResult<Vec<_>>>()?;
        Ok(StatementSource {
            program_name_ja: row.get(0),
            profile: row.get(1),
            purposes,
            documents,
        })
    }
}
