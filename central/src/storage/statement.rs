//! Each program's privacy profile (controller, desk, contractors, data location): what the public
//! statements are generated from, with the program's purposes and policy documents — the storage
//! side, implemented by every backend.
//!
//! Deliberately not here: SQL (the backends' `statement` modules), parsing or checking the
//! profile (`crate::statement::profile`; storage keeps the checked TOML text as given).

use super::StorageError;
use crate::ids::ProgramId;
use hakaru_wire::api::{DocumentKind, PurposeDef};
use hakaru_wire::Timestamp;

/// A published policy document's identity (no text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentVersionInfo {
    /// Which document.
    pub kind: DocumentKind,
    /// Its version.
    pub version: String,
    /// Its language.
    pub language: String,
    /// When it takes effect, `YYYY-MM-DD`.
    pub effective: String,
}

/// What a statement is made from, as stored.
#[derive(Debug, Clone)]
pub struct StatementSource {
    /// The program's Japanese name.
    pub program_name_ja: String,
    /// The privacy profile (TOML), if one was set.
    pub profile: Option<String>,
    /// The consent purposes, by id.
    pub purposes: Vec<PurposeDef>,
    /// Every published document version, oldest effective date first.
    pub documents: Vec<DocumentVersionInfo>,
}

/// What every backend provides for the statements.
#[async_trait::async_trait]
pub trait StatementStorage: Send + Sync {
    /// Stores the program's privacy profile (already checked), with an audit row.
    async fn set_privacy_profile(
        &self,
        program: &ProgramId,
        profile_toml: &str,
        now: Timestamp,
    ) -> Result<(), StorageError>;
    /// The program's profile, purposes and documents; `NotFound` for an unknown program.
    async fn statement_source(&self, program: &ProgramId) -> Result<StatementSource, StorageError>;
}

/// The newest document of each kind in `language` in force on `day` (`YYYY-MM-DD`).
pub fn documents_in_force<'a>(
    documents: &'a [DocumentVersionInfo],
    language: &str,
    day: &str,
) -> Vec<&'a DocumentVersionInfo> {
    let mut out: Vec<&DocumentVersionInfo> = Vec::new();
    for d in documents
        .iter()
        .filter(|d| d.language == language && d.effective.as_str() <= day)
    {
        match out.iter_mut().find(|o| o.kind == d.kind) {
            Some(o)
                if (o.effective.as_str(), o.version.as_str())
                    < (d.effective.as_str(), d.version.as_str()) =>
            {
                *o = d
            }
            Some(_) => {}
            None => out.push(d),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(
        kind: DocumentKind,
        version: &str,
        language: &str,
        effective: &str,
    ) -> DocumentVersionInfo {
        DocumentVersionInfo {
            kind,
            version: version.into(),
            language: language.into(),
            effective: effective.into(),
        }
    }

    #[test]
    fn the_newest_version_in_force_is_chosen_per_kind() {
        let docs = vec![
            doc(DocumentKind::Terms, "1", "ja", "2026-01-01"),
            doc(DocumentKind::Terms, "2", "ja", "2026-06-01"),
            doc(DocumentKind::Terms, "3", "ja", "2027-01-01"),
            doc(DocumentKind::Terms, "2", "en", "2026-06-01"),
            doc(DocumentKind::PrivacyPolicy, "1", "ja", "2026-01-01"),
        ];
        let chosen = documents_in_force(&docs, "ja", "2026-11-23");
        assert_eq!(chosen.len(), 2);
        assert!(chosen.contains(&&docs[1]));
        assert!(chosen.contains(&&docs[4]));
    }
}
