//! Text measurement and fitting for the card's printed lines: IPAexGothic's advance widths,
//! shrink-to-fit and line wrapping (Japanese breaks between any two characters).
//!
//! Deliberately not here: shaping and drawing (the writers), and kerning — advances alone are
//! an upper bound for IPAexGothic, so text measured here never runs past its box.

/// Units per em of IPAexGothic.
const UNITS_PER_EM: f64 = 2048.0;

/// IPAexGothic's advance widths of U+0020..=U+007E in font units (from its `hmtx` table).
const ASCII_ADVANCES: [u16; 95] = [
    553, 610, 692, 1290, 1290, 1741, 1423, 395, 682, 682, 758, 1389, 541, 733, 541, 1024, 1290,
    1290, 1290, 1290, 1290, 1290, 1290, 1290, 1290, 1290, 655, 655, 1389, 1389, 1389, 1128, 1831,
    1305, 1350, 1485, 1550, 1219, 1171, 1542, 1536, 592, 778, 1323, 1077, 1847, 1556, 1632, 1272,
    1632, 1327, 1198, 1227, 1530, 1305, 1901, 1405, 1268, 1315, 614, 1024, 614, 1024, 1024, 1024,
    1126, 1278, 1114, 1278, 1165, 627, 1137, 1243, 553, 553, 1061, 553, 1784, 1237, 1237, 1272,
    1274, 758, 946, 709, 1237, 995, 1540, 1001, 1008, 969, 674, 410, 674, 1024,
];

/// Top of the tallest glyphs above the baseline, in em (IPAexGothic's ascender 1802/2048).
pub const ASCENT_EM: f64 = 0.88;
/// Bottom of descenders below the baseline, in em (246/2048).
pub const DESCENT_EM: f64 = 0.12;
/// Baseline-to-baseline distance of wrapped lines, in em.
pub const LINE_HEIGHT_EM: f64 = 1.25;

/// Advance width of one character in em. Every glyph outside ASCII in IPAexGothic is one em
/// wide or narrower (checked against the font file), so 1.0 is exact or an upper bound there.
pub fn advance_em(c: char) -> f64 {
    let code = c as u32;
    if (0x20..=0x7e).contains(&code) {
        f64::from(ASCII_ADVANCES[(code - 0x20) as usize]) / UNITS_PER_EM
    } else if c.is_control() {
        0.0
    } else {
        1.0
    }
}

/// Width of a line of text in em.
pub fn width_em(text: &str) -> f64 {
    text.chars().map(advance_em).sum()
}

/// Characters that must not start a line (closing brackets and punctuation, 行頭禁則).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | 'ー'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'っ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ッ'
            | ')'
            | ']'
            | ','
            | '.'
            | ':'
            | ';'
            | '!'
            | '?'
    )
}

/// Splits `text` into lines no wider than `max_em`, breaking after spaces where it can and
/// between any other two characters where it must (Japanese), never putting closing punctuation
/// at the start of a line. A single character wider than `max_em` gets a line of its own.
pub fn wrap(text: &str, max_em: f64) -> Vec<String> {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        // The longest prefix that fits.
        let mut end = start;
        let mut width = 0.0;
        while end < chars.len() && (end == start || width + advance_em(chars[end]) <= max_em) {
            width += advance_em(chars[end]);
            end += 1;
        }
        if end < chars.len() {
            // Break after the last space when that keeps the line at least 40 % full (always
            // inside a Latin word); otherwise (Japanese breaks anywhere) keep closing punctuation
            // off the next line's start by moving the break back — never to an empty line.
            let inside_word =
                chars[end - 1].is_ascii_alphanumeric() && chars[end].is_ascii_alphanumeric();
            let space = (start + 1..end).rev().find(|&i| chars[i] == ' ');
            match space {
                Some(space)
                    if inside_word
                        || chars[start..space]
                            .iter()
                            .copied()
                            .map(advance_em)
                            .sum::<f64>()
                            >= 0.4 * max_em =>
                {
                    end = space + 1
                }
                _ => {
                    while end > start + 1 && no_line_start(chars[end]) {
                        end -= 1;
                    }
                }
            }
        }
        let line: String = chars[start..end].iter().collect();
        lines.push(line.trim_end().to_string());
        start = end;
        while start < chars.len() && chars[start] == ' ' {
            start += 1;
        }
    }
    lines
}

/// Text set in a box: its font size (mm) and lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Font size in mm (the em square).
    pub size_mm: f64,
    /// The lines, top to bottom.
    pub lines: Vec<String>,
}

impl Fitted {
    /// Height the lines take: the first line's ascent, the line gaps, the last line's descent.
    pub fn height_mm(&self) -> f64 {
        let n = self.lines.len().max(1) as f64;
        self.size_mm * (ASCENT_EM + DESCENT_EM + (n - 1.0) * LINE_HEIGHT_EM)
    }
}

/// Sets `text` in a box `width_mm` wide and at most `max_lines` lines tall, at the largest size
/// from `max_size_mm` down to `min_size_mm` (in 0.1 mm steps) at which it fits. If it fits at
/// no size, it is set at `min_size_mm` and the last line ends in "…".
pub fn fit(
    text: &str,
    width_mm: f64,
    max_lines: usize,
    max_size_mm: f64,
    min_size_mm: f64,
) -> Fitted {
    let max_lines = max_lines.max(1);
    let mut size = max_size_mm;
    loop {
        let lines = wrap(text, width_mm / size);
        if lines.len() <= max_lines {
            return Fitted {
                size_mm: size,
                lines,
            };
        }
        if size - 0.1 < min_size_mm - 1e-9 {
            break;
        }
        size = ((size - 0.1) * 10.0).round() / 10.0;
    }
    let size = min_size_mm;
    let mut lines = wrap(text, width_mm / size);
    lines.truncate(max_lines);
    if let Some(last) = lines.last_mut() {
        let max_em = width_mm / size - advance_em('…');
        while width_em(last) > max_em && last.pop().is_some() {}
        let trimmed = last.trim_end().to_string();
        *last = format!("{trimmed}…");
    }
    Fitted {
        size_mm: size,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_advances_match_the_font_file_when_installed() {
        let Ok(font) = std::fs::read(super::super::DEFAULT_FONT_PATH) else {
            panic!(
                "IPAexGothic is missing: run scripts/setup --test (apt install fonts-ipaexfont-gothic)"
            );
        };
        let font = ttf::Font::parse(&font).expect("a TrueType font");
        assert_eq!(font.units_per_em, 2048);
        for code in 0x20u32..=0x7e {
            let c = char::from_u32(code).expect("ASCII");
            let expected = f64::from(font.advance(c).expect("mapped")) / 2048.0;
            assert!((advance_em(c) - expected).abs() < 1e-9, "{c:?}");
        }
        // Everything else is at most one em, so 1.0 never under-measures.
        for c in "参加者カード健康ポイント事業（令和７年度）・ー…はかる".chars()
        {
            assert!(
                f64::from(font.advance(c).expect("mapped")) <= 2048.0,
                "{c:?}"
            );
        }
        assert_eq!(font.max_advance_outside_ascii(), 2048);
    }

    #[test]
    fn widths_add_up() {
        assert!((width_em("参加者") - 3.0).abs() < 1e-9);
        assert!((width_em("00") - 2.0 * 1290.0 / 2048.0).abs() < 1e-9);
    }

    #[test]
    fn japanese_wraps_between_characters_and_keeps_punctuation_off_line_starts() {
        let lines = wrap("はかる市健康ポイント事業", 5.0);
        assert_eq!(lines, ["はかる市健", "康ポイント", "事業"]);
        // "、" would start line 2: the break moves back one character.
        let lines = wrap("あいうえお、かきくけこ", 5.0);
        assert_eq!(lines, ["あいうえ", "お、かきく", "けこ"]);
        for line in wrap(
            "令和７年度　はかる市・ながいなまえの健康づくりポイント事業",
            6.0,
        ) {
            assert!(width_em(&line) <= 6.0, "{line}");
        }
    }

    #[test]
    fn latin_words_stay_whole() {
        let lines = wrap("Hakaru City health points", 8.0);
        for line in &lines {
            assert!(width_em(line) <= 8.0);
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(lines.join(" "), "Hakaru City health points");
        assert!(lines.len() >= 2);
    }

    #[test]
    fn fit_shrinks_before_it_truncates() {
        let short = fit("はかる市", 30.0, 3, 4.0, 2.2);
        assert_eq!(short.size_mm, 4.0);
        assert_eq!(short.lines, ["はかる市"]);
        // 10 characters at 4 mm is 40 mm: wraps to two lines at full size.
        let two = fit("はかる市健康ポイント", 30.0, 3, 4.0, 2.2);
        assert_eq!(two.lines.len(), 2);
        assert_eq!(two.size_mm, 4.0);
        // 36 characters need 3 lines of 12 at 30/12 = 2.5 mm.
        let long = "あ".repeat(36);
        let shrunk = fit(&long, 30.0, 3, 4.0, 2.2);
        assert!(
            shrunk.size_mm < 4.0 && shrunk.size_mm >= 2.2,
            "{}",
            shrunk.size_mm
        );
        assert_eq!(shrunk.lines.concat(), long);
        // Far too long: minimum size, three lines, an ellipsis, nothing wider than the box.
        let cut = fit(&"い".repeat(200), 30.0, 3, 4.0, 2.2);
        assert_eq!(cut.size_mm, 2.2);
        assert_eq!(cut.lines.len(), 3);
        assert!(cut.lines[2].ends_with('…'));
        for line in &cut.lines {
            assert!(width_em(line) * cut.size_mm <= 30.0 + 1e-9, "{line}");
        }
    }

    /// Just enough of a TrueType reader to check the advance table above against the font.
    mod ttf {
        pub struct Font<'a> {
            data: &'a [u8],
            pub units_per_em: u16,
            hmtx: usize,
            metrics: u16,
            cmap: Vec<(u32, u32, u32)>,
        }

        fn u16_at(d: &[u8], at: usize) -> Option<u16> {
            Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
        }
        fn u32_at(d: &[u8], at: usize) -> Option<u32> {
            Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
        }

        impl<'a> Font<'a> {
            pub fn parse(data: &'a [u8]) -> Option<Font<'a>> {
                let tables = u16_at(data, 4)? as usize;
                let table = |tag: &[u8; 4]| {
                    (0..tables).find_map(|i| {
                        let rec = 12 + 16 * i;
                        (data.get(rec..rec + 4)? == tag).then(|| u32_at(data, rec + 8))?
                    })
                };
                let head = table(b"head")? as usize;
                let hhea = table(b"hhea")? as usize;
                let cmap = table(b"cmap")? as usize;
                // The format 12 (full Unicode) subtable: groups of (first, last, first glyph).
                let subtables = u16_at(data, cmap + 2)? as usize;
                let sub = (0..subtables).find_map(|i| {
                    let off = cmap + u32_at(data, cmap + 8 + 8 * i)? as usize;
                    (u16_at(data, off)? == 12).then_some(off)
                })?;
                let groups = u32_at(data, sub + 12)? as usize;
                let cmap = (0..groups)
                    .map(|g| {
                        let at = sub + 16 + 12 * g;
                        Some((
                            u32_at(data, at)?,
                            u32_at(data, at + 4)?,
                            u32_at(data, at + 8)?,
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(Font {
                    data,
                    units_per_em: u16_at(data, head + 18)?,
                    hmtx: table(b"hmtx")? as usize,
                    metrics: u16_at(data, hhea + 34)?,
                    cmap,
                })
            }

            fn glyph_advance(&self, glyph: u32) -> Option<u16> {
                let g = glyph.min(u32::from(self.metrics) - 1) as usize;
                u16_at(self.data, self.hmtx + 4 * g)
            }

            pub fn advance(&self, c: char) -> Option<u16> {
                let code = c as u32;
                let (first, _, glyph) = self
                    .cmap
                    .iter()
                    .find(|(first, last, _)| (*first..=*last).contains(&code))?;
                self.glyph_advance(glyph + code - first)
            }

            pub fn max_advance_outside_ascii(&self) -> u16 {
                self.cmap
                    .iter()
                    .flat_map(|&(first, last, glyph)| {
                        (first.max(0x80)..=last).map(move |code| glyph + code - first)
                    })
                    .filter_map(|g| self.glyph_advance(g))
                    .max()
                    .unwrap_or(0)
            }
        }
    }
}
