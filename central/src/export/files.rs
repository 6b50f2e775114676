//! Writing an export's files into its output folder: `data.csv` (RFC 4180, UTF-8),
//! `manifest.json` (what it is, its items, how it was made) and, for anonymized exports,
//! `items.txt` — the Japanese notice of the items it contains, fit for public posting
//! (個人情報保護法 43条3項・4項). Files are created new: an earlier export is never overwritten.
//!
//! Deliberately not here: what the rows contain.

use super::ExportError;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// One field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The CSV text of a header and rows (CRLF line ends).
pub fn csv(columns: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for line in std::iter::once(columns).chain(rows.iter().map(Vec::as_slice)) {
        let fields: Vec<String> = line.iter().map(|f| field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Creates `dir` (and parents) if missing.
pub fn prepare_dir(dir: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_owned(),
        source,
    })
}

/// Writes a new file `name` in `dir`; refuses to replace one.
pub fn write_new(dir: &Path, name: &str, text: &str) -> Result<PathBuf, ExportError> {
    let path = dir.join(name);
    let io = |source| ExportError::Io {
        path: path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    Ok(path)
}
