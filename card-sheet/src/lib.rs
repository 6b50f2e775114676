//! Printable sheets of participant cards: A4 pages of CR80 cards (QR code, program name,
//! participant number) with cut marks, as SVG and as PDF.
//!
//! Pure rendering: cards in, documents out. The only I/O is reading the font file for the PDF.
//! Deliberately not here: minting tokens (the program key), which participants get a card,
//! reissue and revocation, and where the documents are stored or sent — the caller does those.
//!
//! - [`layout`]: the page geometry (grid, cells, cut marks) and every card's contents, in mm.
//! - [`symbol`]: the QR symbol of a token as merged rectangles.
//! - [`text`]: text widths (IPAexGothic advances), shrinking and wrapping.
//! - [`svg`] and [`pdf`]: the two writers of a laid-out sheet.

pub mod layout;
pub mod pdf;
pub mod svg;
pub mod symbol;
pub mod text;

use std::fmt;
use std::path::PathBuf;

pub use layout::{lay_out, CardCell, Item, PageLayout, RectMm, SheetGeometry};
pub use pdf::render_pdf;
pub use qrcode::EcLevel;
pub use svg::render_svg;

/// Where Debian's `fonts-ipaexfont-gothic` puts IPAexGothic.
pub const DEFAULT_FONT_PATH: &str = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";
/// The font family SVG text asks for (viewers fall back to `sans-serif`).
pub const FONT_FAMILY: &str = "IPAexGothic";
/// The fixed line that says what the card is.
pub const CAPTION_JA: &str = "参加者カード";
/// The same in English.
pub const CAPTION_EN: &str = "Participant card";

/// One card to print.
#[derive(Clone, PartialEq, Eq)]
pub struct SheetCard {
    /// The card token as the QR code carries it (`CardToken::encode()`, 36 characters).
    pub token: String,
    /// The participant's pseudonymous number, printed beside the code for staff.
    pub participant: String,
    /// The program's name as participants know it (Japanese; shrunk or wrapped to fit).
    pub program_name: String,
}

impl fmt::Debug for SheetCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token and the number name a participant: never in logs.
        f.debug_struct("SheetCard")
            .field("token", &format_args!("<redacted>"))
            .field("participant", &format_args!("<redacted>"))
            .field("program_name", &self.program_name)
            .finish()
    }
}

/// How a sheet is laid out. [`Default`] is the recommended print (reference/qr-cards.md §4.3).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetOptions {
    /// Page width in mm. Default 210 (A4 portrait).
    pub page_width_mm: f64,
    /// Page height in mm. Default 297 (A4 portrait).
    pub page_height_mm: f64,
    /// Card width in mm. Default 85.6 (ISO/IEC 7810 ID-1, "CR80").
    pub card_width_mm: f64,
    /// Card height in mm. Default 54.
    pub card_height_mm: f64,
    /// Cards across a page. Default 2.
    pub columns: u32,
    /// Cards down a page. Default 5 (so 10 cards a page).
    pub rows: u32,
    /// Gap between columns, where the cut marks between cards go. Default 8 mm.
    pub column_gap_mm: f64,
    /// Gap between rows. Default 4 mm. The grid is centred on the page.
    pub row_gap_mm: f64,
    /// Side of the QR symbol without its quiet zone. Default 38 mm (≈ 1.31 mm a module at
    /// version 3, ≈ 4 px a module for a 720p wide-angle camera at 30 cm).
    pub symbol_mm: f64,
    /// Light modules around the symbol, kept free of print. Default 4 (the standard's minimum).
    pub quiet_zone_modules: u32,
    /// QR error correction. Default [`EcLevel::Q`] (a 36-character token gives version 3 and
    /// survives a thumb over 10 % of the code).
    pub ec_level: EcLevel,
    /// Draw each card's outline as a light grey line. Default true.
    pub card_outlines: bool,
    /// Draw cut marks at every card corner, in the margins and gaps only. Default true.
    pub cut_marks: bool,
    /// Longest cut mark. Default 5 mm (shorter where a gap is narrower).
    pub cut_mark_length_mm: f64,
    /// Space between a card's edge and its cut marks. Default 1 mm (less in narrow gaps).
    pub cut_mark_offset_mm: f64,
    /// The TrueType font embedded in the PDF (subsetted). Default [`DEFAULT_FONT_PATH`]; the
    /// text layout uses IPAexGothic's advances whichever font is given.
    pub font_path: PathBuf,
}

impl Default for SheetOptions {
    fn default() -> Self {
        SheetOptions {
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            card_width_mm: 85.6,
            card_height_mm: 54.0,
            columns: 2,
            rows: 5,
            column_gap_mm: 8.0,
            row_gap_mm: 4.0,
            symbol_mm: 38.0,
            quiet_zone_modules: 4,
            ec_level: EcLevel::Q,
            card_outlines: true,
            cut_marks: true,
            cut_mark_length_mm: 5.0,
            cut_mark_offset_mm: 1.0,
            font_path: PathBuf::from(DEFAULT_FONT_PATH),
        }
    }
}

/// Why a sheet could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The font file is not there.
    #[error(
        "フォントファイル {path} がありません。`apt install fonts-ipaexfont-gothic` でインストールするか、\
         --font で TrueType フォントを指定してください / the font file {path} does not exist: install it \
         with `apt install fonts-ipaexfont-gothic` or pass --font with a TrueType font"
    )]
    FontMissing {
        /// The path that was tried.
        path: PathBuf,
    },
    /// The font file exists but could not be read.
    #[error(
        "フォントファイル {path} を読めません（{source}）。権限を確認するか、--font で別のフォントを\
         指定してください / cannot read the font file {path} ({source}): check its permissions or pass \
         --font with another font"
    )]
    FontUnreadable {
        /// The path that was tried.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a font the PDF writer can use.
    #[error(
        "{path} は使えるフォントではありません。TrueType/OpenType のフォント（例: IPAexGothic の \
         ipaexg.ttf）を --font で指定してください / {path} is not a usable font: pass --font with a \
         TrueType/OpenType font (e.g. IPAexGothic's ipaexg.ttf)"
    )]
    FontInvalid {
        /// The path that was tried.
        path: PathBuf,
    },
    /// No cards were given.
    #[error(
        "印刷するカードがありません。カードを作る参加者を選んでください / there are no cards to \
         print: choose the participants to make cards for"
    )]
    NoCards,
    /// The options describe a sheet that cannot exist (cards off the page, a symbol larger
    /// than a card, no rows…).
    #[error(
        "用紙の設定が合いません: {0}。既定の設定（A4・CR80・2×5）を使ってください / the sheet \
         settings do not fit: {0}; use the default settings (A4, CR80, 2×5)"
    )]
    DoesNotFit(String),
    /// A token cannot be a QR code of the chosen kind (far too long, or the symbol would not
    /// fit on the card). Which card is given by its position only.
    #[error(
        "{card} 枚目のカードの QR コードを作れません（{reason}）。トークンを発行し直してください / \
         cannot make the QR code of card {card} ({reason}): issue its token again"
    )]
    Symbol {
        /// 1-based position of the card in the input.
        card: usize,
        /// What went wrong (no token text).
        reason: String,
    },
    /// A participant number too long to print legibly beside the code.
    #[error(
        "{card} 枚目のカードの参加者番号が長すぎて印刷できません（{chars} 文字）。参加者番号を\
         確認してください / the participant number of card {card} is too long to print ({chars} \
         characters): check the participant number"
    )]
    ParticipantTooLong {
        /// 1-based position of the card in the input.
        card: usize,
        /// Its length in characters.
        chars: usize,
    },
    /// The PDF writer failed.
    #[error(
        "PDF を作れませんでした（{0}）。フォントを --font で変えて試してください / the PDF could not \
         be written ({0}): try another font with --font"
    )]
    Pdf(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_names_no_participant() {
        let card = SheetCard {
            token: "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU".to_string(),
            participant: "0012345".to_string(),
            program_name: "はかる市".to_string(),
        };
        let shown = format!("{card:?}");
        assert!(
            !shown.contains("K1AE") && !shown.contains("0012345"),
            "{shown}"
        );
        assert!(shown.contains("はかる市"));
    }

    #[test]
    fn the_defaults_are_the_recommended_print() {
        let o = SheetOptions::default();
        assert_eq!((o.page_width_mm, o.page_height_mm), (210.0, 297.0));
        assert_eq!((o.card_width_mm, o.card_height_mm), (85.6, 54.0));
        assert_eq!(o.columns * o.rows, 10);
        assert_eq!(o.symbol_mm, 38.0);
        assert_eq!(o.quiet_zone_modules, 4);
        assert_eq!(o.ec_level, EcLevel::Q);
        assert_eq!(o.font_path, PathBuf::from(DEFAULT_FONT_PATH));
    }
}
