//! The SVG writer: one standalone SVG document per laid-out page, in mm, text as `<text>` in
//! IPAexGothic (falling back to the viewer's sans-serif).
//!
//! Deliberately not here: where anything goes (`layout`); the font file is not read or embedded
//! (an SVG names its font; the PDF is the document to print).

use super::layout::{lay_out, Item, PageLayout, RectMm};
use super::{SheetCard, SheetError, SheetOptions, FONT_FAMILY};
use std::fmt::Write as _;

/// Card outline colour.
const OUTLINE: &str = "#b4b4b4";
/// Line widths in mm.
const OUTLINE_WIDTH: f64 = 0.2;
const CUT_MARK_WIDTH: f64 = 0.2;

/// The sheet as SVG documents, one per page of [`SheetGeometry::per_page`] cards.
///
/// [`SheetGeometry::per_page`]: super::SheetGeometry::per_page
pub fn render_svg(cards: &[SheetCard], options: &SheetOptions) -> Result<Vec<String>, SheetError> {
    Ok(lay_out(cards, options)?.iter().map(page_svg).collect())
}

/// One laid-out page as an SVG document.
pub fn page_svg(page: &PageLayout) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">"#,
        w = num(page.width_mm),
        h = num(page.height_mm)
    );
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(page.width_mm),
        num(page.height_mm)
    );
    let _ = writeln!(
        out,
        r##"<g font-family="{FONT_FAMILY}, 'IPAexゴシック', sans-serif" fill="#000000">"##
    );
    for item in &page.items {
        match item {
            Item::Outline(r) => {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{OUTLINE}" stroke-width="{}"/>"#,
                    num(r.x),
                    num(r.y),
                    num(r.w),
                    num(r.h),
                    num(OUTLINE_WIDTH)
                );
            }
            Item::CutMark(l) => {
                let _ = writeln!(
                    out,
                    r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000000" stroke-width="{}"/>"##,
                    num(l.x1),
                    num(l.y1),
                    num(l.x2),
                    num(l.y2),
                    num(CUT_MARK_WIDTH)
                );
            }
            Item::Modules(rects) => {
                let _ = writeln!(
                    out,
                    r#"<path shape-rendering="crispEdges" d="{}"/>"#,
                    path_data(rects)
                );
            }
            Item::Text(t) => {
                let _ = writeln!(
                    out,
                    r#"<text x="{}" y="{}" font-size="{}">{}</text>"#,
                    num(t.x),
                    num(t.baseline),
                    num(t.size_mm),
                    escape(&t.text)
                );
            }
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The rectangles as one path (closed subpaths, filled together so no seams show between rows).
fn path_data(rects: &[RectMm]) -> String {
    let mut d = String::new();
    for r in rects {
        let _ = write!(
            d,
            "M{} {}h{}v{}h-{}z",
            num(r.x),
            num(r.y),
            num(r.w),
            num(r.h),
            num(r.w)
        );
    }
    d
}

/// A length with at most four decimals (0.1 µm), without trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Text content with XML's special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::symbol::Symbol;
    use super::*;
    use qrcode::EcLevel;

    fn card(i: usize) -> SheetCard {
        // Distinct tokens: the last characters differ.
        SheetCard {
            token: format!("K1AEACUAAB4JAAAA2OEADWPG5MQQW2N{:05}", 10_000 + i).replace('0', "A"),
            participant: format!("P{:05}", 31_000 + i),
            program_name: "はかる市 健康ポイント <R7> & \"からだ\"".to_string(),
        }
    }

    #[test]
    fn one_document_per_page_with_every_participant_number_and_no_token_text() {
        let cards: Vec<SheetCard> = (0..11).map(card).collect();
        let pages = render_svg(&cards, &SheetOptions::default()).expect("renders");
        assert_eq!(pages.len(), 2);
        for (i, c) in cards.iter().enumerate() {
            let page = &pages[i / 10];
            assert!(
                page.contains(&format!(">{}</text>", c.participant)),
                "card {i}'s number on page {}",
                i / 10
            );
            assert!(!pages[1 - i / 10].contains(&c.participant));
            // The token is only geometry: its text, or any long piece of it, is nowhere.
            for page in &pages {
                assert!(!page.contains(&c.token));
                assert!(!page.contains(&c.token[2..14]));
            }
        }
        for page in &pages {
            assert!(page.starts_with("<?xml"));
            assert!(page.contains(r#"width="210mm" height="297mm" viewBox="0 0 210 297""#));
            assert!(page.contains("IPAexGothic"));
            assert!(page.contains("sans-serif"));
            assert!(page.contains(">参加者カード</text>"));
            assert!(page.contains(">Participant card</text>"));
            // Escaped, never raw markup from the program name.
            for escaped in ["&lt;R7&gt;", "&amp;", "&quot;からだ&quot;"] {
                assert!(page.contains(escaped), "{escaped}");
            }
            assert!(!page.contains("<R7>"));
        }
        assert_eq!(pages[0].matches("<path ").count(), 10);
        assert_eq!(pages[1].matches("<path ").count(), 1);
    }

    #[test]
    fn the_path_has_one_rectangle_per_run_of_dark_modules() {
        let c = card(0);
        let pages =
            render_svg(std::slice::from_ref(&c), &SheetOptions::default()).expect("renders");
        let runs = Symbol::encode(&c.token, EcLevel::Q)
            .expect("encodes")
            .runs
            .len();
        let path = pages[0]
            .lines()
            .find(|l| l.starts_with("<path "))
            .expect("a symbol");
        assert_eq!(path.matches('M').count(), runs);
        assert_eq!(path.matches('z').count(), runs);
    }

    #[test]
    fn numbers_are_short_and_exact() {
        assert_eq!(num(38.0), "38");
        assert_eq!(num(1.310_344_827), "1.3103");
        assert_eq!(num(-0.000_01), "0");
        assert_eq!(num(85.6), "85.6");
    }
}
