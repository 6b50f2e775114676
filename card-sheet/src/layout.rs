//! Where everything goes on a sheet, in millimetres from the page's top-left corner (y down):
//! the grid of card cells, the cut marks in the margins and gaps, and each card's QR symbol and
//! lines of text. Both writers draw exactly this, and tests crop scans by the same geometry.
//!
//! Deliberately not here: QR encoding (`symbol`), text measurement (`text`), and any output
//! format (`svg`, `pdf`).

use super::symbol::Symbol;
use super::text::{self, Fitted, ASCENT_EM, DESCENT_EM, LINE_HEIGHT_EM};
use super::{SheetCard, SheetError, SheetOptions, CAPTION_EN, CAPTION_JA};
use std::fmt;

/// Space kept free inside a card's right, top and bottom edges, in mm.
pub const CARD_PADDING_MM: f64 = 3.0;
/// Space between the QR quiet zone and the text column, in mm.
const TEXT_GAP_MM: f64 = 0.5;
/// The text column must be at least this wide, in mm.
const MIN_TEXT_WIDTH_MM: f64 = 20.0;
/// Program name: largest and smallest font size (mm) and most lines.
const PROGRAM_SIZE_MM: (f64, f64) = (3.6, 2.2);
const PROGRAM_LINES: usize = 3;
/// Participant number: largest and smallest font size (mm).
const NUMBER_SIZE_MM: (f64, f64) = (9.0, 3.0);
/// Caption lines (Japanese, English): font size in mm.
const CAPTION_SIZE_MM: (f64, f64) = (2.8, 2.4);
/// Space between text blocks, in mm.
const BLOCK_GAP_MM: f64 = 1.5;
/// Cut marks shorter than this are left out (no room), in mm.
const MIN_MARK_MM: f64 = 0.5;
/// Cut marks stop this far from the paper's edge (at most), in mm.
const PAGE_EDGE_CLEARANCE_MM: f64 = 1.5;

/// A rectangle in mm, top-left origin, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectMm {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl RectMm {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// Whether the two rectangles share any area (touching edges do not count).
    pub fn overlaps(&self, other: &RectMm) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// Whether `other` lies entirely inside this rectangle (edges included).
    pub fn contains(&self, other: &RectMm) -> bool {
        const EPS: f64 = 1e-9;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }
}

/// A straight line (cut mark) in mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineMm {
    /// Start x.
    pub x1: f64,
    /// Start y.
    pub y1: f64,
    /// End x.
    pub x2: f64,
    /// End y.
    pub y2: f64,
}

impl LineMm {
    /// The line as a zero-width or zero-height rectangle.
    pub fn bounds(&self) -> RectMm {
        RectMm {
            x: self.x1.min(self.x2),
            y: self.y1.min(self.y2),
            w: (self.x2 - self.x1).abs(),
            h: (self.y2 - self.y1).abs(),
        }
    }

    /// Length in mm.
    pub fn length(&self) -> f64 {
        (self.x2 - self.x1).hypot(self.y2 - self.y1)
    }
}

/// One card position on a sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardCell {
    /// Page, 0-based.
    pub page: usize,
    /// Position on the page, 0-based, row by row (left to right, then top to bottom).
    pub slot: usize,
    /// Column, 0-based from the left.
    pub column: u32,
    /// Row, 0-based from the top.
    pub row: u32,
    /// The card's edges (where it is cut).
    pub rect: RectMm,
}

/// The grid of a sheet: page size, card cells and cut marks (the same on every page).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetGeometry {
    /// Page width in mm.
    pub page_width_mm: f64,
    /// Page height in mm.
    pub page_height_mm: f64,
    columns: u32,
    slots: Vec<RectMm>,
    cut_marks: Vec<LineMm>,
}

impl SheetGeometry {
    /// The grid the options describe: cards centred on the page with the given gaps.
    pub fn new(options: &SheetOptions) -> Result<SheetGeometry, SheetError> {
        let o = options;
        let lengths = [
            ("page width", o.page_width_mm),
            ("page height", o.page_height_mm),
            ("card width", o.card_width_mm),
            ("card height", o.card_height_mm),
            ("symbol size", o.symbol_mm),
        ];
        for (what, value) in lengths {
            if !(value.is_finite() && value > 0.0) {
                return Err(SheetError::DoesNotFit(format!("{what} {value} mm")));
            }
        }
        let gaps = [
            ("column gap", o.column_gap_mm),
            ("row gap", o.row_gap_mm),
            ("cut mark length", o.cut_mark_length_mm),
            ("cut mark offset", o.cut_mark_offset_mm),
        ];
        for (what, value) in gaps {
            if !(value.is_finite() && value >= 0.0) {
                return Err(SheetError::DoesNotFit(format!("{what} {value} mm")));
            }
        }
        if o.columns == 0 || o.rows == 0 {
            return Err(SheetError::DoesNotFit(format!(
                "{} × {} cards",
                o.columns, o.rows
            )));
        }
        let (cols, rows) = (f64::from(o.columns), f64::from(o.rows));
        let grid_w = cols * o.card_width_mm + (cols - 1.0) * o.column_gap_mm;
        let grid_h = rows * o.card_height_mm + (rows - 1.0) * o.row_gap_mm;
        if grid_w > o.page_width_mm || grid_h > o.page_height_mm {
            return Err(SheetError::DoesNotFit(format!(
                "{grid_w:.1} × {grid_h:.1} mm of cards on a {} × {} mm page",
                o.page_width_mm, o.page_height_mm
            )));
        }
        let left = (o.page_width_mm - grid_w) / 2.0;
        let top = (o.page_height_mm - grid_h) / 2.0;
        let mut slots = Vec::new();
        for row in 0..o.rows {
            for column in 0..o.columns {
                slots.push(RectMm {
                    x: left + f64::from(column) * (o.card_width_mm + o.column_gap_mm),
                    y: top + f64::from(row) * (o.card_height_mm + o.row_gap_mm),
                    w: o.card_width_mm,
                    h: o.card_height_mm,
                });
            }
        }
        let mut geometry = SheetGeometry {
            page_width_mm: o.page_width_mm,
            page_height_mm: o.page_height_mm,
            columns: o.columns,
            slots,
            cut_marks: Vec::new(),
        };
        if o.cut_marks {
            geometry.cut_marks = geometry.marks(o, left, top);
        }
        Ok(geometry)
    }

    /// Cards on one page.
    pub fn per_page(&self) -> usize {
        self.slots.len()
    }

    /// Pages needed for `cards` cards.
    pub fn pages_for(&self, cards: usize) -> usize {
        cards.div_ceil(self.per_page())
    }

    /// The card rectangles of one page, in slot order.
    pub fn slots(&self) -> &[RectMm] {
        &self.slots
    }

    /// Where the `index`-th card (0-based, in input order) goes.
    pub fn cell(&self, index: usize) -> CardCell {
        let slot = index % self.per_page();
        let columns = self.columns as usize;
        CardCell {
            page: index / self.per_page(),
            slot,
            column: (slot % columns) as u32,
            row: (slot / columns) as u32,
            rect: self.slots[slot],
        }
    }

    /// The cut marks of a page (every page has all of them, whether or not its cells are used).
    pub fn cut_marks(&self) -> &[LineMm] {
        &self.cut_marks
    }

    /// Two marks per card corner, continuing the card's edges outwards: into the page margin
    /// (stopping short of the paper's edge) or into the gap between cards (shared with the
    /// neighbour's mark, which lies on the same line).
    fn marks(&self, o: &SheetOptions, left: f64, top: f64) -> Vec<LineMm> {
        let columns = o.columns as usize;
        let rows = self.slots.len() / columns;
        // (start, end) distances from the card edge for a mark into a space of `room` mm.
        let span = |room: f64, is_gap: bool| -> Option<(f64, f64)> {
            let (start, end) = if is_gap {
                let offset = o.cut_mark_offset_mm.min(room / 4.0);
                (offset, (offset + o.cut_mark_length_mm).min(room - offset))
            } else {
                let offset = o.cut_mark_offset_mm.min(room / 4.0);
                let clearance = PAGE_EDGE_CLEARANCE_MM.min(room / 4.0);
                (
                    offset,
                    (offset + o.cut_mark_length_mm).min(room - clearance),
                )
            };
            (end - start >= MIN_MARK_MM).then_some((start, end))
        };
        let mut marks: Vec<LineMm> = Vec::new();
        let mut push = |line: LineMm| {
            let same = |a: &LineMm| {
                (a.x1 - line.x1).abs() < 1e-6
                    && (a.y1 - line.y1).abs() < 1e-6
                    && (a.x2 - line.x2).abs() < 1e-6
                    && (a.y2 - line.y2).abs() < 1e-6
            };
            if !marks.iter().any(same) {
                marks.push(line);
            }
        };
        for (i, card) in self.slots.iter().enumerate() {
            let (column, row) = (i % columns, i / columns);
            let left_room = if column == 0 {
                (left, false)
            } else {
                (o.column_gap_mm, true)
            };
            let right_room = if column + 1 == columns {
                (left, false)
            } else {
                (o.column_gap_mm, true)
            };
            let top_room = if row == 0 {
                (top, false)
            } else {
                (o.row_gap_mm, true)
            };
            let bottom_room = if row + 1 == rows {
                (top, false)
            } else {
                (o.row_gap_mm, true)
            };
            for y in [card.y, card.bottom()] {
                if let Some((s, e)) = span(left_room.0, left_room.1) {
                    push(LineMm {
                        x1: card.x - e,
                        y1: y,
                        x2: card.x - s,
                        y2: y,
                    });
                }
                if let Some((s, e)) = span(right_room.0, right_room.1) {
                    push(LineMm {
                        x1: card.right() + s,
                        y1: y,
                        x2: card.right() + e,
                        y2: y,
                    });
                }
            }
            for x in [card.x, card.right()] {
                if let Some((s, e)) = span(top_room.0, top_room.1) {
                    push(LineMm {
                        x1: x,
                        y1: card.y - e,
                        x2: x,
                        y2: card.y - s,
                    });
                }
                if let Some((s, e)) = span(bottom_room.0, bottom_room.1) {
                    push(LineMm {
                        x1: x,
                        y1: card.bottom() + s,
                        x2: x,
                        y2: card.bottom() + e,
                    });
                }
            }
        }
        marks
    }
}

/// What a line of text on a card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A line of the program's name.
    ProgramName,
    /// The participant number.
    Participant,
    /// The fixed caption ("参加者カード", "Participant card").
    Caption,
}

/// A line of text, left-aligned at `x`.
#[derive(Clone, PartialEq)]
pub struct TextItem {
    /// Left end of the baseline, mm.
    pub x: f64,
    /// Baseline, mm from the top.
    pub baseline: f64,
    /// Font size (em square) in mm.
    pub size_mm: f64,
    /// The text.
    pub text: String,
    /// Which line it is.
    pub kind: TextKind,
}

impl TextItem {
    /// The space the line may take: advance width by ascent + descent.
    pub fn bounds(&self) -> RectMm {
        RectMm {
            x: self.x,
            y: self.baseline - ASCENT_EM * self.size_mm,
            w: text::width_em(&self.text) * self.size_mm,
            h: (ASCENT_EM + DESCENT_EM) * self.size_mm,
        }
    }
}

impl fmt::Debug for TextItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("TextItem");
        s.field("kind", &self.kind)
            .field("x", &self.x)
            .field("baseline", &self.baseline)
            .field("size_mm", &self.size_mm);
        if self.kind == TextKind::Participant {
            s.field("text", &format_args!("<redacted>"));
        } else {
            s.field("text", &self.text);
        }
        s.finish()
    }
}

/// Something to draw.
#[derive(Clone, PartialEq)]
pub enum Item {
    /// One QR symbol's dark modules, to be filled as one black shape.
    Modules(Vec<RectMm>),
    /// A card outline (light grey line).
    Outline(RectMm),
    /// A cut mark (thin black line).
    CutMark(LineMm),
    /// A line of black text.
    Text(TextItem),
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The modules spell the token.
            Item::Modules(rects) => write!(f, "Modules({} rectangles)", rects.len()),
            Item::Outline(r) => f.debug_tuple("Outline").field(r).finish(),
            Item::CutMark(l) => f.debug_tuple("CutMark").field(l).finish(),
            Item::Text(t) => t.fmt(f),
        }
    }
}

/// Where one card's parts went.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedCard {
    /// Index of the card in the input.
    pub index: usize,
    /// Its cell on the sheet.
    pub cell: CardCell,
    /// The QR symbol with its quiet zone (kept free of print).
    pub quiet_zone: RectMm,
    /// The QR symbol itself (its outer modules' edges).
    pub symbol: RectMm,
    /// Side of one module in mm.
    pub module_mm: f64,
    /// The QR version used.
    pub version: Option<i16>,
    /// Where the text lines may go.
    pub text_box: RectMm,
}

/// One page, ready for a writer.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLayout {
    /// Page width in mm.
    pub width_mm: f64,
    /// Page height in mm.
    pub height_mm: f64,
    /// The cards on this page.
    pub cards: Vec<PlacedCard>,
    /// Everything to draw, in drawing order.
    pub items: Vec<Item>,
}

/// Lays out `cards` in order, [`SheetGeometry::per_page`] to a page. An empty list is an error.
pub fn lay_out(cards: &[SheetCard], options: &SheetOptions) -> Result<Vec<PageLayout>, SheetError> {
    if cards.is_empty() {
        return Err(SheetError::NoCards);
    }
    let geometry = SheetGeometry::new(options)?;
    let mut pages: Vec<PageLayout> = (0..geometry.pages_for(cards.len()))
        .map(|_| PageLayout {
            width_mm: geometry.page_width_mm,
            height_mm: geometry.page_height_mm,
            cards: Vec::new(),
            items: geometry
                .cut_marks()
                .iter()
                .copied()
                .map(Item::CutMark)
                .collect(),
        })
        .collect();
    for (index, card) in cards.iter().enumerate() {
        let cell = geometry.cell(index);
        let page = &mut pages[cell.page];
        let placed = lay_out_card(index, card, cell, options, &mut page.items)?;
        page.cards.push(placed);
    }
    Ok(pages)
}

fn lay_out_card(
    index: usize,
    card: &SheetCard,
    cell: CardCell,
    o: &SheetOptions,
    items: &mut Vec<Item>,
) -> Result<PlacedCard, SheetError> {
    let symbol_error = |reason: String| SheetError::Symbol {
        card: index + 1,
        reason,
    };
    let rect = cell.rect;
    if o.card_outlines {
        items.push(Item::Outline(rect));
    }

    // The symbol, left, with its quiet zone centred on the card's height.
    let symbol =
        Symbol::encode(&card.token, o.ec_level).map_err(|e| symbol_error(format!("{e:?}")))?;
    let module = o.symbol_mm / symbol.modules as f64;
    let quiet = f64::from(o.quiet_zone_modules) * module;
    let outer = o.symbol_mm + 2.0 * quiet;
    let inset = (rect.h - outer) / 2.0;
    let text_x = rect.x + inset + outer + TEXT_GAP_MM;
    let text_w = rect.right() - CARD_PADDING_MM - text_x;
    if inset < 0.0 || text_w < MIN_TEXT_WIDTH_MM {
        return Err(symbol_error(format!(
            "a {outer:.1} mm symbol with its quiet zone leaves no room on a {:.1} × {:.1} mm card",
            rect.w, rect.h
        )));
    }
    let quiet_zone = RectMm {
        x: rect.x + inset,
        y: rect.y + inset,
        w: outer,
        h: outer,
    };
    let origin = (quiet_zone.x + quiet, quiet_zone.y + quiet);
    items.push(Item::Modules(
        symbol
            .runs
            .iter()
            .map(|run| RectMm {
                x: origin.0 + run.col as f64 * module,
                y: origin.1 + run.row as f64 * module,
                w: run.len as f64 * module,
                h: module,
            })
            .collect(),
    ));

    // The text column: program name at the top, caption at the bottom, number between.
    let text_box = RectMm {
        x: text_x,
        y: rect.y + CARD_PADDING_MM,
        w: text_w,
        h: rect.h - 2.0 * CARD_PADDING_MM,
    };
    let program = text::fit(
        &card.program_name,
        text_w,
        PROGRAM_LINES,
        PROGRAM_SIZE_MM.0,
        PROGRAM_SIZE_MM.1,
    );
    let program_bottom = push_lines(items, &program, text_x, text_box.y, TextKind::ProgramName);

    let caption_en = single_line(CAPTION_EN, text_w, CAPTION_SIZE_MM.1);
    let caption_ja = single_line(CAPTION_JA, text_w, CAPTION_SIZE_MM.0);
    let en_baseline = text_box.bottom() - DESCENT_EM * caption_en.size_mm;
    let ja_baseline =
        en_baseline - ASCENT_EM * caption_en.size_mm - 0.8 - DESCENT_EM * caption_ja.size_mm;
    let caption_top = ja_baseline - ASCENT_EM * caption_ja.size_mm;

    let room_top = if card.program_name.trim().is_empty() {
        text_box.y
    } else {
        program_bottom + BLOCK_GAP_MM
    };
    let room_bottom = caption_top - BLOCK_GAP_MM;
    let number = card.participant.trim();
    let size = NUMBER_SIZE_MM
        .0
        .min(text_w / text::width_em(number).max(1e-9))
        .min((room_bottom - room_top) / (ASCENT_EM + DESCENT_EM));
    if size < NUMBER_SIZE_MM.1 {
        return Err(SheetError::ParticipantTooLong {
            card: index + 1,
            chars: number.chars().count(),
        });
    }
    let middle = (room_top + room_bottom) / 2.0;
    items.push(Item::Text(TextItem {
        x: text_x,
        baseline: middle + size * (ASCENT_EM - DESCENT_EM) / 2.0,
        size_mm: size,
        text: number.to_string(),
        kind: TextKind::Participant,
    }));
    for (fitted, baseline) in [(caption_ja, ja_baseline), (caption_en, en_baseline)] {
        for line in fitted.lines {
            items.push(Item::Text(TextItem {
                x: text_x,
                baseline,
                size_mm: fitted.size_mm,
                text: line,
                kind: TextKind::Caption,
            }));
        }
    }

    Ok(PlacedCard {
        index,
        cell,
        quiet_zone,
        symbol: RectMm {
            x: origin.0,
            y: origin.1,
            w: o.symbol_mm,
            h: o.symbol_mm,
        },
        module_mm: module,
        version: symbol.version_number(),
        text_box,
    })
}

/// `text` on one line at `size_mm`, or smaller if it is wider than `width_mm`.
fn single_line(text: &str, width_mm: f64, size_mm: f64) -> Fitted {
    Fitted {
        size_mm: size_mm.min(width_mm / text::width_em(text).max(1e-9)),
        lines: vec![text.to_string()],
    }
}

/// Pushes fitted lines from `top` down; returns the bottom of the last line's descent.
fn push_lines(items: &mut Vec<Item>, fitted: &Fitted, x: f64, top: f64, kind: TextKind) -> f64 {
    let first = top + ASCENT_EM * fitted.size_mm;
    for (i, line) in fitted.lines.iter().enumerate() {
        items.push(Item::Text(TextItem {
            x,
            baseline: first + i as f64 * LINE_HEIGHT_EM * fitted.size_mm,
            size_mm: fitted.size_mm,
            text: line.clone(),
            kind,
        }));
    }
    top + fitted.height_mm()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU";

    fn cards(n: usize) -> Vec<SheetCard> {
        (0..n)
            .map(|i| SheetCard {
                token: TOKEN.to_string(),
                participant: format!("{:06}", 100_000 + i * 7),
                program_name: "はかる市 健康ポイント事業".to_string(),
            })
            .collect()
    }

    #[test]
    fn ten_cards_fit_a_page_and_eleven_take_two() {
        let options = SheetOptions::default();
        let geometry = SheetGeometry::new(&options).expect("default geometry");
        assert_eq!(geometry.per_page(), 10);
        assert_eq!(lay_out(&cards(10), &options).expect("lays out").len(), 1);
        let pages = lay_out(&cards(11), &options).expect("lays out");
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].cards.len(), 10);
        assert_eq!(pages[1].cards.len(), 1);
        assert_eq!(pages[1].cards[0].index, 10);
        assert_eq!(pages[1].cards[0].cell.slot, 0);
        assert_eq!(geometry.cell(13).page, 1);
        assert_eq!(geometry.cell(13).slot, 3);
        assert_eq!((geometry.cell(13).column, geometry.cell(13).row), (1, 1));
        assert!(matches!(lay_out(&[], &options), Err(SheetError::NoCards)));
    }

    #[test]
    fn cards_are_cr80_centred_and_never_overlap() {
        let options = SheetOptions::default();
        let geometry = SheetGeometry::new(&options).expect("default geometry");
        let page = RectMm {
            x: 0.0,
            y: 0.0,
            w: 210.0,
            h: 297.0,
        };
        let slots = geometry.slots();
        for (i, a) in slots.iter().enumerate() {
            assert!((a.w - 85.6).abs() < 1e-9 && (a.h - 54.0).abs() < 1e-9);
            assert!(page.contains(a));
            for b in &slots[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        let min_x = slots.iter().map(|r| r.x).fold(f64::MAX, f64::min);
        let max_x = slots.iter().map(|r| r.right()).fold(f64::MIN, f64::max);
        let min_y = slots.iter().map(|r| r.y).fold(f64::MAX, f64::min);
        let max_y = slots.iter().map(|r| r.bottom()).fold(f64::MIN, f64::max);
        assert!((min_x - (210.0 - max_x)).abs() < 1e-9, "centred across");
        assert!((min_y - (297.0 - max_y)).abs() < 1e-9, "centred down");
    }

    #[test]
    fn cut_marks_sit_at_every_corner_outside_every_card() {
        let options = SheetOptions::default();
        let geometry = SheetGeometry::new(&options).expect("default geometry");
        let page = RectMm {
            x: 0.0,
            y: 0.0,
            w: 210.0,
            h: 297.0,
        };
        let marks = geometry.cut_marks();
        for mark in marks {
            assert!(mark.length() >= 0.5);
            assert!(page.contains(&mark.bounds()));
            // Half the stroke width either side must still miss every card.
            let b = mark.bounds();
            let stroked = RectMm {
                x: b.x - 0.1,
                y: b.y - 0.1,
                w: b.w + 0.2,
                h: b.h + 0.2,
            };
            for card in geometry.slots() {
                assert!(!stroked.overlaps(card), "{mark:?} is on {card:?}");
            }
        }
        // Each corner has a horizontal and a vertical mark on the lines of the card's edges.
        for card in geometry.slots() {
            for (x, y) in [
                (card.x, card.y),
                (card.right(), card.y),
                (card.x, card.bottom()),
                (card.right(), card.bottom()),
            ] {
                let horizontal = marks.iter().any(|m| {
                    m.y1 == y && m.y2 == y && (m.x1 - x).abs().min((m.x2 - x).abs()) <= 1.0 + 1e-9
                });
                let vertical = marks.iter().any(|m| {
                    m.x1 == x && m.x2 == x && (m.y1 - y).abs().min((m.y2 - y).abs()) <= 1.0 + 1e-9
                });
                assert!(horizontal && vertical, "corner ({x}, {y})");
            }
        }
        let none = SheetOptions {
            cut_marks: false,
            ..SheetOptions::default()
        };
        assert!(SheetGeometry::new(&none)
            .expect("geometry")
            .cut_marks()
            .is_empty());
    }

    #[test]
    fn the_symbol_is_38_mm_version_3_with_its_quiet_zone_on_the_card() {
        let pages = lay_out(&cards(3), &SheetOptions::default()).expect("lays out");
        for placed in &pages[0].cards {
            assert_eq!(placed.version, Some(3));
            assert!((placed.symbol.w - 38.0).abs() < 1e-9);
            assert!((placed.module_mm - 38.0 / 29.0).abs() < 1e-9);
            assert!((placed.quiet_zone.w - (38.0 + 8.0 * 38.0 / 29.0)).abs() < 1e-9);
            assert!(placed.cell.rect.contains(&placed.quiet_zone));
            assert!(placed.cell.rect.contains(&placed.text_box));
            assert!(!placed.quiet_zone.overlaps(&placed.text_box));
        }
        // Every dark module lies inside its symbol; the quiet zone has none.
        let mut symbols = pages[0].cards.iter().map(|c| c.symbol);
        for item in &pages[0].items {
            if let Item::Modules(rects) = item {
                let symbol = symbols.next().expect("one symbol per card");
                assert!(rects.iter().all(|r| symbol.contains(r)));
            }
        }
    }

    #[test]
    fn text_stays_in_its_column_and_the_number_is_large() {
        let mut cards = cards(2);
        cards[1].program_name =
            "令和七年度 はかる市・はかる町・はかる村 共同 健康づくりポイント事業（からだ測定）"
                .repeat(2);
        let pages = lay_out(&cards, &SheetOptions::default()).expect("lays out");
        let page = &pages[0];
        let texts: Vec<&TextItem> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        for t in &texts {
            let placed = page
                .cards
                .iter()
                .find(|c| {
                    c.text_box.contains(&RectMm {
                        h: 0.0,
                        w: 0.0,
                        ..t.bounds()
                    })
                })
                .expect("text starts in a card's text box");
            assert!(placed.text_box.contains(&t.bounds()), "{t:?}");
            assert!(!t.bounds().overlaps(&placed.quiet_zone));
        }
        let numbers: Vec<_> = texts
            .iter()
            .filter(|t| t.kind == TextKind::Participant)
            .collect();
        assert_eq!(numbers.len(), 2);
        assert_eq!(numbers[0].text, "100000");
        assert!(numbers.iter().all(|n| n.size_mm >= 7.0), "large digits");
        // The long name was shrunk and cut to three lines ending in "…".
        let long: Vec<_> = texts
            .iter()
            .filter(|t| t.kind == TextKind::ProgramName && t.x > 100.0)
            .collect();
        assert_eq!(long.len(), 3);
        assert!(long[2].text.ends_with('…'));
        // Lines of one card never overlap each other.
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert!(!a.bounds().overlaps(&b.bounds()), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn a_participant_number_too_long_to_print_is_refused() {
        let mut cards = cards(1);
        cards[0].participant = "1".repeat(40);
        assert!(matches!(
            lay_out(&cards, &SheetOptions::default()),
            Err(SheetError::ParticipantTooLong { card: 1, chars: 40 })
        ));
    }

    #[test]
    fn impossible_options_are_refused() {
        let three = SheetOptions {
            columns: 3,
            ..SheetOptions::default()
        };
        assert!(matches!(
            SheetGeometry::new(&three),
            Err(SheetError::DoesNotFit(_))
        ));
        let huge = SheetOptions {
            symbol_mm: 50.0,
            ..SheetOptions::default()
        };
        assert!(matches!(
            lay_out(&cards(1), &huge),
            Err(SheetError::Symbol { card: 1, .. })
        ));
    }

    #[test]
    fn debug_hides_participant_numbers_and_modules() {
        let pages = lay_out(&cards(1), &SheetOptions::default()).expect("lays out");
        let shown = format!("{pages:?}");
        assert!(!shown.contains("100000"));
        assert!(shown.contains("Modules("));
        assert!(shown.contains("<redacted>"));
    }
}
