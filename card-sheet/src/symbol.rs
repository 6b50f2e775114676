//! The QR symbol of a card token as rectangles: each row's runs of dark modules merged into one
//! rectangle, in module units.
//!
//! Deliberately not here: placement and size on the card (`layout`), and drawing (the writers).

use qrcode::{Color, EcLevel, QrCode, Version};
use std::fmt;

/// A horizontal run of dark modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Row, from the top (0-based, without the quiet zone).
    pub row: usize,
    /// First dark module's column.
    pub col: usize,
    /// Dark modules in a row from `col`.
    pub len: usize,
}

/// A QR symbol ready to draw.
#[derive(Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The QR version the encoder chose (the smallest that holds the text).
    pub version: Version,
    /// Modules per side, without the quiet zone (21 + 4 per version step).
    pub modules: usize,
    /// The dark modules, row by row.
    pub runs: Vec<Run>,
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The runs are the token: never in logs.
        f.debug_struct("Symbol")
            .field("version", &self.version)
            .field("modules", &self.modules)
            .finish_non_exhaustive()
    }
}

impl Symbol {
    /// Encodes `text` at `ec_level` in the smallest normal QR version that holds it. A card
    /// token (`0-9A-Z` only) is encoded in alphanumeric mode.
    pub fn encode(text: &str, ec_level: EcLevel) -> Result<Symbol, qrcode::types::QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), ec_level)?;
        let modules = code.width();
        let colors = code.to_colors();
        let mut runs = Vec::new();
        for (row, line) in colors.chunks(modules).enumerate() {
            let mut col = 0;
            while col < modules {
                if line[col] == Color::Dark {
                    let len = line[col..]
                        .iter()
                        .take_while(|c| **c == Color::Dark)
                        .count();
                    runs.push(Run { row, col, len });
                    col += len;
                } else {
                    col += 1;
                }
            }
        }
        Ok(Symbol {
            version: code.version(),
            modules,
            runs,
        })
    }

    /// The normal QR version number (1–40), or `None` for a Micro QR symbol.
    pub fn version_number(&self) -> Option<i16> {
        match self.version {
            Version::Normal(v) => Some(v),
            Version::Micro(_) => None,
        }
    }

    /// Whether the module at (`row`, `col`) is dark.
    pub fn is_dark(&self, row: usize, col: usize) -> bool {
        self.runs
            .iter()
            .any(|r| r.row == row && (r.col..r.col + r.len).contains(&col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU";

    #[test]
    fn a_card_token_at_level_q_is_version_3() {
        let symbol = Symbol::encode(TOKEN, EcLevel::Q).expect("encodes");
        assert_eq!(symbol.version_number(), Some(3));
        assert_eq!(symbol.modules, 29);
        let m = Symbol::encode(TOKEN, EcLevel::M).expect("encodes");
        assert_eq!(m.version_number(), Some(2));
    }

    #[test]
    fn runs_are_exactly_the_dark_modules_and_maximal() {
        let symbol = Symbol::encode(TOKEN, EcLevel::Q).expect("encodes");
        let code = QrCode::with_error_correction_level(TOKEN, EcLevel::Q).expect("encodes");
        let n = code.width();
        for row in 0..n {
            for col in 0..n {
                assert_eq!(
                    symbol.is_dark(row, col),
                    code[(col, row)] == Color::Dark,
                    "module ({row}, {col})"
                );
            }
        }
        // Merged: no two runs touch in a row.
        for pair in symbol.runs.windows(2) {
            if pair[0].row == pair[1].row {
                assert!(pair[0].col + pair[0].len < pair[1].col);
            }
        }
        // The finder pattern's top row is one run of 7 at each top corner.
        assert!(symbol.runs.contains(&Run {
            row: 0,
            col: 0,
            len: 7
        }));
        assert!(symbol.runs.contains(&Run {
            row: 0,
            col: n - 7,
            len: 7
        }));
    }

    #[test]
    fn debug_hides_the_modules() {
        let symbol = Symbol::encode(TOKEN, EcLevel::Q).expect("encodes");
        let shown = format!("{symbol:?}");
        assert!(!shown.contains("runs") && !shown.contains(TOKEN));
    }
}
