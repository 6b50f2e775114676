//! Demo mode's cards: the file `scripts/demo` writes (`[[card]] token, participant, note_ja,
//! note_en`), read once at start. Demo participants are not real people; their tokens still go
//! through the station's full card check when "scanned".
//!
//! Deliberately not here: making the cards (the central server issues them) and scanning them
//! (`crate::assemble` sends the token the same way a reader would).

use crate::view::{DemoCard, Text};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One demo card.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCardEntry {
    /// The card token (`K1…`), as its QR code holds it.
    pub token: String,
    /// The participant number printed on the card.
    pub participant: String,
    /// What is special about this participant, Japanese.
    pub note_ja: String,
    /// The same in English.
    pub note_en: String,
}

impl std::fmt::Debug for DemoCardEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCardEntry")
            .field("participant", &self.participant)
            .finish_non_exhaustive()
    }
}

impl DemoCardEntry {
    /// As the demo panel lists it (no token).
    pub fn view(&self) -> DemoCard {
        DemoCard {
            participant: self.participant.clone(),
            note: Text::new(self.note_ja.clone(), self.note_en.clone()),
        }
    }
}

/// The demo cards and the printable sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCards {
    /// In order; `demo_scan(i)` scans `cards[i]`.
    pub cards: Vec<DemoCardEntry>,
    /// The sheet (PDF), if configured.
    pub sheet: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    card: Vec<DemoCardEntry>,
}

/// Why the demo cards file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Missing or unreadable.
    #[error("デモカードのファイル {path} を読めません（{detail}） / cannot read the demo cards file {path} ({detail})")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        detail: String,
    },
    /// Not the expected TOML.
    #[error("デモカードのファイル {path} が正しくありません（{detail}） / the demo cards file {path} is not valid ({detail})")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's text.
        detail: String,
    },
}

/// Reads the demo cards file.
pub fn load(path: &Path, sheet: Option<&Path>) -> Result<DemoCards, DemoError> {
    let text = std::fs::read_to_string(path).map_err(|e| DemoError::Read {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    let file: File = toml::from_str(&text).map_err(|e| DemoError::Parse {
        path: path.to_owned(),
        detail: e.to_string().replace('\n', " ").trim().to_owned(),
    })?;
    Ok(DemoCards {
        cards: file.card,
        sheet: sheet.map(Path::to_owned),
    })
}
