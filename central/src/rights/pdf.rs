//! The disclosure printed: A4 pages in Japanese with English, every item of the bundle as real
//! text in the embedded, subsetted font (searchable, copyable), numbered "n / N".
//!
//! Deliberately not here: what the bundle holds (`disclosure`) and finding the font (the caller
//! passes its path; the card sheets' default is [`crate::cards::sheet::DEFAULT_FONT_PATH`]).

use super::dates::japan_time;
use super::disclosure::Disclosure;
use crate::cards::sheet::pdf::load_font;
use crate::cards::sheet::SheetError;
use hakaru_wire::api::{CardStatus, ParticipantStatus};
use hakaru_wire::Sex;
use krilla::color::luma;
use krilla::geom::{Point, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::TextDirection;
use krilla::Document;
use std::path::Path;

/// PDF points per mm.
const PT_PER_MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 18.0;
const BODY: f32 = 3.3;
const HEADING: f32 = 4.4;
const TITLE: f32 = 5.0;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DisclosurePdfError {
    /// The font is missing or unusable (the message says how to install one).
    #[error(transparent)]
    Font(#[from] SheetError),
    /// The PDF writer failed.
    #[error("PDF を作れませんでした / the PDF could not be written: {0}")]
    Pdf(String),
}

/// One line of text to print.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    text: String,
    size: f32,
    indent: f32,
    /// Space before it, in mm.
    gap: f32,
}

fn line(text: impl Into<String>, size: f32, indent: f32, gap: f32) -> Line {
    Line {
        text: text.into(),
        size,
        indent,
        gap,
    }
}

/// Rough width of `text` at `size` mm: full-width characters are square, others about half.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `text` cut into lines no wider than `max` mm.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let mut next = current.clone();
        next.push(c);
        if width(&next, size) > max && !current.is_empty() {
            // Break after the last space when it leaves a decent line, else mid-word.
            let cut = current
                .rfind(' ')
                .filter(|&i| i > 0 && width(&current[..i], size) > max / 2.0);
            match cut {
                Some(i) => {
                    let rest = current.split_off(i + 1);
                    out.push(std::mem::replace(&mut current, rest));
                }
                None => out.push(std::mem::take(&mut current)),
            }
            current.push(c);
        } else {
            current = next;
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "あり / yes"
    } else {
        "なし / no"
    }
}

/// The bundle as lines, in reading order.
fn lines(d: &Disclosure) -> Vec<Line> {
    let mut out = Vec::new();
    let heading = |out: &mut Vec<Line>, ja: &str, en: &str, n: Option<usize>| {
        let count = n.map(|n| format!("（{n} 件 / {n}）")).unwrap_or_default();
        out.push(line(format!("{ja} / {en}{count}"), HEADING, 0.0, 5.0));
    };
    let item = |out: &mut Vec<Line>, text: String| out.push(line(text, BODY, 4.0, 1.2));
    let more = |out: &mut Vec<Line>, text: String| out.push(line(text, BODY, 8.0, 0.4));
    let none = |out: &mut Vec<Line>| out.push(line("なし / none", BODY, 4.0, 1.2));

    out.push(line(
        "保有個人データの開示 / Disclosure of personal data held",
        TITLE,
        0.0,
        0.0,
    ));
    out.push(line(
        format!("プログラム / Program: {}", d.program),
        BODY,
        0.0,
        4.0,
    ));
    out.push(line(
        format!("参加者番号 / Participant number: {}", d.participant),
        BODY,
        0.0,
        1.2,
    ));
    out.push(line(
        format!(
            "作成日時 / Generated: {} (日本時間 / Japan time)",
            japan_time(d.generated_at)
        ),
        BODY,
        0.0,
        1.2,
    ));
    out.push(line(
        "氏名・住所は保有していません（仮名の参加者番号のみ） / No name or address is held (a pseudonymous number only)",
        BODY,
        0.0,
        1.2,
    ));

    heading(&mut out, "登録情報", "Roster profile", None);
    match &d.profile {
        Some(p) => {
            let sex = match p.sex {
                Sex::Male => "男性 / male",
                Sex::Female => "女性 / female",
            };
            let status = match p.status {
                ParticipantStatus::Active => "参加中 / active",
                ParticipantStatus::Withdrawn => "同意撤回 / withdrawn",
                ParticipantStatus::Stopped => "利用停止 / use stopped",
            };
            item(&mut out, format!("生年月日 / Birth date: {}", p.birth_date));
            item(&mut out, format!("性別 / Sex: {sex}"));
            item(
                &mut out,
                format!(
                    "身長 / Height: {}.{} cm",
                    p.height_tenths_cm / 10,
                    p.height_tenths_cm % 10
                ),
            );
            item(&mut out, format!("体型 / Body type: {}", p.body_type));
            item(
                &mut out,
                format!(
                    "植込み型医療機器 / Implanted device: {}",
                    yes_no(p.implanted_device)
                ),
            );
            item(&mut out, format!("状態 / Status: {status}"));
        }
        None => item(
            &mut out,
            "名簿に登録はありません（消去済み） / not on the roster (erased)".into(),
        ),
    }

    heading(&mut out, "測定結果", "Readings", Some(d.measurements.len()));
    if d.measurements.is_empty() {
        none(&mut out);
    }
    for m in &d.measurements {
        let only = if m.weight_only {
            " 体重のみ / weight only"
        } else {
            ""
        };
        let analyzer = m
            .analyzer_model
            .as_deref()
            .map(|model| {
                format!(
                    "  測定機器 / analyzer {model} {}",
                    m.analyzer_serial.as_deref().unwrap_or("")
                )
            })
            .unwrap_or_default();
        item(
            &mut out,
            format!(
                "{}  端末 / station {}{analyzer}{only}",
                japan_time(m.taken_at),
                m.station
            ),
        );
        let values = match &m.values {
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("  "),
            other => other.to_string(),
        };
        more(&mut out, values);
    }

    heading(
        &mut out,
        "同意の記録",
        "Consent records",
        Some(d.consents.len()),
    );
    if d.consents.is_empty() {
        none(&mut out);
    }
    for c in &d.consents {
        let action = match c.action.as_str() {
            "given" => "同意 / given",
            "refused" => "不同意 / refused",
            "withdrawn" => "撤回 / withdrawn",
            other => other,
        };
        let method = match c.method.as_str() {
            "on_screen" => "画面 / on screen",
            "staff_witnessed_paper" => "書面（職員立会い） / paper, staff witnessed",
            other => other,
        };
        item(
            &mut out,
            format!(
                "{}  {action}  {method}  端末 / station {}",
                japan_time(c.decided_at),
                c.station
            ),
        );
        more(
            &mut out,
            format!(
                "同意した目的 / granted: {}   同意しない目的 / refused: {}",
                c.granted.join(", "),
                c.refused.join(", ")
            ),
        );
        for h in &c.document_hashes {
            more(&mut out, "文書のハッシュ / document SHA-256:".to_string());
            more(&mut out, h.clone());
        }
    }

    heading(&mut out, "カード", "Cards", Some(d.cards.len()));
    if d.cards.is_empty() {
        none(&mut out);
    }
    for c in &d.cards {
        let status = match c.status {
            CardStatus::Active => "有効 / active",
            CardStatus::Revoked => "失効 / revoked",
        };
        let expires = c
            .expires
            .as_deref()
            .map(|e| format!("  有効期限 / expires {e}"))
            .unwrap_or_default();
        item(
            &mut out,
            format!(
                "カード番号 / card {}  発行 / issued {}{expires}  {status}",
                c.card_id, c.issued
            ),
        );
    }

    heading(&mut out, "ポイント", "Points", None);
    item(&mut out, format!("残高 / Balance: {}", d.points.balance));
    for a in &d.points.awards {
        let cancelled = a
            .cancelled
            .as_deref()
            .map(|r| format!("  取消 / cancelled: {r}"))
            .unwrap_or_default();
        more(
            &mut out,
            format!(
                "{}  +{}  {} ({}){cancelled}",
                japan_time(a.awarded_at),
                a.points,
                a.rule_id,
                a.period_key
            ),
        );
    }
    for e in &d.points.exchanges {
        more(
            &mut out,
            format!(
                "{}  交換 / exchanged {} 単位 / units, -{}",
                japan_time(e.at),
                e.units,
                e.points
            ),
        );
    }

    heading(
        &mut out,
        "提供の記録（委託）",
        "Transfer records (entrusted)",
        Some(d.transfers.len()),
    );
    if d.transfers.is_empty() {
        none(&mut out);
    }
    for t in &d.transfers {
        let way = match t.direction {
            crate::storage::Direction::Received => "端末→サーバー / station → server",
            crate::storage::Direction::Sent => "サーバー→端末 / server → station",
        };
        item(
            &mut out,
            format!(
                "{}  {way}  {}  {}: {}",
                japan_time(t.at),
                t.station,
                t.label,
                t.items.join(", ")
            ),
        );
    }

    heading(
        &mut out,
        "分析用の提供",
        "Analysis exports",
        Some(d.exports.len()),
    );
    if d.exports.is_empty() {
        none(&mut out);
    }
    for e in &d.exports {
        item(
            &mut out,
            format!(
                "{}  {}  {}  提供先 / recipient: {}",
                japan_time(e.at),
                e.label,
                e.kind,
                e.recipient
            ),
        );
        more(
            &mut out,
            format!(
                "目的 / purpose: {}  項目 / items: {}",
                e.purpose,
                e.items.join(", ")
            ),
        );
    }

    if !d.corrections.is_empty() {
        heading(
            &mut out,
            "訂正の記録",
            "Corrections",
            Some(d.corrections.len()),
        );
        for c in &d.corrections {
            item(
                &mut out,
                format!("{}  {}: {} → {}", japan_time(c.at), c.field, c.old, c.new),
            );
        }
    }

    heading(
        &mut out,
        "権利行使の請求",
        "Rights requests",
        Some(d.rights_requests.len()),
    );
    if d.rights_requests.is_empty() {
        none(&mut out);
    }
    for r in &d.rights_requests {
        let state = match &r.decision {
            None => "対応中 / open".to_string(),
            Some(dec) => format!("{} ({})", dec.outcome.name(), japan_time(dec.decided_at)),
        };
        item(
            &mut out,
            format!(
                "{} {} / {}  受付 / received {}  期限 / due {}  {state}",
                r.id,
                r.kind.name_ja(),
                r.kind.name(),
                r.received,
                r.due
            ),
        );
    }
    out
}

/// Lines laid out on pages: (page, x, baseline, line).
fn paginate(lines: Vec<Line>) -> Vec<Vec<(f32, f32, Line)>> {
    let mut pages = vec![Vec::new()];
    let mut y = MARGIN;
    let bottom = PAGE_H - MARGIN - 8.0;
    for l in lines {
        let max = PAGE_W - 2.0 * MARGIN - l.indent;
        let mut gap = l.gap;
        for (i, text) in wrap(&l.text, l.size, max).into_iter().enumerate() {
            let step = if i == 0 { gap } else { 0.3 } + l.size * 1.35;
            if y + step > bottom {
                pages.push(Vec::new());
                y = MARGIN;
                gap = 0.0;
            }
            y += if i == 0 { gap } else { 0.3 } + l.size * 1.35;
            let x = MARGIN + if i == 0 { l.indent } else { l.indent + 2.0 };
            if let Some(page) = pages.last_mut() {
                page.push((x, y, line(text, l.size, l.indent, 0.0)));
            }
        }
    }
    pages
}

/// The disclosure as a PDF of A4 pages, text in the font at `font_path`.
pub fn render_pdf(d: &Disclosure, font_path: &Path) -> Result<Vec<u8>, DisclosurePdfError> {
    let font = load_font(font_path)?;
    let pages = paginate(lines(d));
    let total = pages.len();
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title("保有個人データの開示 / Disclosure of personal data held".to_string())
            .creator("Hakaru".to_string())
            .language("ja".to_string()),
    );
    let black = Fill {
        paint: luma::Color::black().into(),
        ..Fill::default()
    };
    for (n, items) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W * PT_PER_MM, PAGE_H * PT_PER_MM)
            .ok_or_else(|| DisclosurePdfError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.push_transform(&Transform::from_scale(PT_PER_MM, PT_PER_MM));
        surface.set_stroke(None);
        surface.set_fill(Some(black.clone()));
        let footer = format!("{} / {}", n + 1, total);
        let footer_x = PAGE_W / 2.0 - width(&footer, BODY) / 2.0;
        for (x, y, l) in items
            .iter()
            .map(|(x, y, l)| (*x, *y, l.clone()))
            .chain(std::iter::once((
                footer_x,
                PAGE_H - MARGIN,
                line(footer, BODY, 0.0, 0.0),
            )))
        {
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                l.size,
                &l.text,
                false,
                TextDirection::LeftToRight,
            );
        }
        surface.pop();
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| DisclosurePdfError::Pdf(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_within_the_page_and_keep_every_character() {
        let text = "文書のハッシュ / document SHA-256: ".to_string() + &"ab".repeat(40);
        let parts = wrap(&text, BODY, 150.0);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| width(p, BODY) <= 150.0));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn many_lines_make_more_pages() {
        let many = (0..200)
            .map(|i| line(format!("行 {i}"), BODY, 0.0, 1.2))
            .collect();
        let pages = paginate(many);
        assert!(pages.len() >= 3, "{}", pages.len());
        let printed: usize = pages.iter().map(Vec::len).sum();
        assert_eq!(printed, 200);
    }
}
