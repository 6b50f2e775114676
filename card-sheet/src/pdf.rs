//! The PDF writer (krilla): one page per [`SheetGeometry::per_page`] cards, QR modules as filled
//! vector shapes, text as real text in the embedded, subsetted font (so it can be searched and
//! copied, and prints sharp).
//!
//! Deliberately not here: where anything goes (`layout`). The font file is the only thing read.
//!
//! [`SheetGeometry::per_page`]: super::SheetGeometry::per_page

use super::layout::{lay_out, Item, PageLayout, RectMm};
use super::{SheetCard, SheetError, SheetOptions};
use krilla::color::{luma, rgb};
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::path::Path;

/// PDF points per mm.
const PT_PER_MM: f32 = 72.0 / 25.4;
/// Card outline grey (0–255) and line widths in mm.
const OUTLINE_GREY: u8 = 180;
const OUTLINE_WIDTH: f32 = 0.2;
const CUT_MARK_WIDTH: f32 = 0.2;

/// The sheet as one PDF document: pages of cards with cut marks, text in the font at
/// [`SheetOptions::font_path`].
pub fn render_pdf(cards: &[SheetCard], options: &SheetOptions) -> Result<Vec<u8>, SheetError> {
    let pages = lay_out(cards, options)?;
    let font = load_font(&options.font_path)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title("参加者カード / Participant cards".to_string())
            .creator("Hakaru".to_string())
            .language("ja".to_string()),
    );
    for layout in &pages {
        let settings = PageSettings::from_wh(
            layout.width_mm as f32 * PT_PER_MM,
            layout.height_mm as f32 * PT_PER_MM,
        )
        .ok_or_else(|| SheetError::DoesNotFit("page size".to_string()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.push_transform(&Transform::from_scale(PT_PER_MM, PT_PER_MM));
        draw_page(&mut surface, layout, &font);
        surface.pop();
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| SheetError::Pdf(e.to_string()))
}

/// Reads and checks the font, with errors that say how to get one.
pub fn load_font(path: &Path) -> Result<Font, SheetError> {
    let data = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SheetError::FontMissing {
                path: path.to_path_buf(),
            }
        } else {
            SheetError::FontUnreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    Font::new(data.into(), 0).ok_or_else(|| SheetError::FontInvalid {
        path: path.to_path_buf(),
    })
}

fn draw_page(surface: &mut Surface<'_>, layout: &PageLayout, font: &Font) {
    let black = Fill {
        paint: luma::Color::black().into(),
        ..Fill::default()
    };
    for item in &layout.items {
        match item {
            Item::Outline(r) => {
                if let Some(path) = rect_path(std::slice::from_ref(r)) {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(OUTLINE_GREY, OUTLINE_GREY, OUTLINE_GREY).into(),
                        width: OUTLINE_WIDTH,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Item::CutMark(l) => {
                let mut pb = PathBuilder::new();
                pb.move_to(l.x1 as f32, l.y1 as f32);
                pb.line_to(l.x2 as f32, l.y2 as f32);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: CUT_MARK_WIDTH,
                        line_cap: LineCap::Butt,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Item::Modules(rects) => {
                if let Some(path) = rect_path(rects) {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        rule: FillRule::NonZero,
                        ..black.clone()
                    }));
                    surface.draw_path(&path);
                }
            }
            Item::Text(t) => {
                surface.set_stroke(None);
                surface.set_fill(Some(black.clone()));
                surface.draw_text(
                    Point::from_xy(t.x as f32, t.baseline as f32),
                    font.clone(),
                    t.size_mm as f32,
                    &t.text,
                    false,
                    TextDirection::LeftToRight,
                );
            }
        }
    }
}

/// The rectangles as one path of closed subpaths (`None` if there are none).
fn rect_path(rects: &[RectMm]) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    for r in rects {
        if let Some(rect) = Rect::from_xywh(r.x as f32, r.y as f32, r.w as f32, r.h as f32) {
            pb.push_rect(rect);
        }
    }
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(n: usize) -> Vec<SheetCard> {
        (0..n)
            .map(|i| SheetCard {
                token: "K1AEACUAAB4JAAAA2OEADWPG5MQQW2NVYBHU".to_string(),
                participant: format!("{}", 500_000 + i),
                program_name: "はかる市健康ポイント".to_string(),
            })
            .collect()
    }

    #[test]
    fn a_missing_font_says_how_to_install_it() {
        let options = SheetOptions {
            font_path: "/nonexistent/ipaexg.ttf".into(),
            ..SheetOptions::default()
        };
        let err = render_pdf(&cards(1), &options).expect_err("no font");
        assert!(matches!(err, SheetError::FontMissing { .. }));
        let message = err.to_string();
        assert!(message.contains("apt install fonts-ipaexfont-gothic"));
        assert!(message.contains("--font"));
        assert!(message.starts_with("フォントファイル"));
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("not-a-font.ttf");
        std::fs::write(&path, b"hello").expect("write");
        let options = SheetOptions {
            font_path: path,
            ..SheetOptions::default()
        };
        assert!(matches!(
            render_pdf(&cards(1), &options),
            Err(SheetError::FontInvalid { .. })
        ));
    }

    #[test]
    fn one_a4_page_per_ten_cards_with_a_subsetted_font() {
        let pdf = render_pdf(&cards(21), &SheetOptions::default()).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Type/Pages/Count 3"), "three pages");
        assert_eq!(text.matches("/Type/Page/").count(), 3);
        // A4 in points, on every page.
        assert_eq!(text.matches("/MediaBox[0 0 595.27563 841.8898]").count(), 3);
        // The embedded font is a subset (a six-letter tag before its name) far smaller than
        // the 6 MB file.
        assert!(text.contains("+IPAexGothic"), "subsetted font");
        assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());
    }
}
