//! Round trip of a printable card sheet: real card tokens → PDF → pdftoppm at 200 dpi → each
//! card's cell cropped by the sheet geometry → the project's QR decoder → the same tokens, each on
//! its own page and cell. The printed participant numbers are checked as real text (pdftotext).
//! The SVG's symbol paths are filled into a bitmap and decoded the same way (no SVG rasteriser
//! is installed on these machines).
//!
//! Needs poppler-utils (`pdftoppm`, `pdftotext`) and the IPAexGothic font: `scripts/setup --test`.

#![allow(clippy::unwrap_used)]

use hakaru_central::cards::sheet::{
    render_pdf, render_svg, SheetCard, SheetGeometry, SheetOptions,
};
use hakaru_devices::card::decode::{CardDecoder, QrDecoder};
use hakaru_devices::card::frame::GrayFrame;
use hakaru_wire::card::{CardFields, CardToken, TAG_LEN};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const DPI: f64 = 200.0;

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap();
    bytes
}

/// `n` cards with random fields and tags, distinct participant numbers.
fn cards(n: usize) -> Vec<SheetCard> {
    let program = u16::from_be_bytes(random());
    let mut numbers = HashSet::new();
    (0..n)
        .map(|i| {
            let fields = CardFields {
                program,
                holder: u32::from_be_bytes(random()),
                serial: u16::from_be_bytes(random()) % 8 + 1,
                issued_day: 20_000 + u16::from_be_bytes(random()) % 2_000,
            };
            let token = CardToken::from_parts(fields, random::<TAG_LEN>()).encode();
            assert_eq!(token.len(), 36);
            let participant = loop {
                let number = format!("{:07}", u32::from_be_bytes(random()) % 10_000_000);
                if numbers.insert(number.clone()) {
                    break number;
                }
            };
            SheetCard {
                token,
                participant,
                program_name: if i % 2 == 0 {
                    "はかる市 健康ポイント事業".to_string()
                } else {
                    "令和七年度 はかる市・はかる町 共同 からだ測定で健康づくりポイント事業"
                        .to_string()
                },
            }
        })
        .collect()
}

/// Runs a poppler tool; a missing tool fails the test with what to install.
fn poppler(tool: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} を実行できません（{e}）。scripts/setup --test で poppler-utils を入れてください / \
             cannot run {tool} ({e}): run scripts/setup --test to install poppler-utils"
        )
    });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The PNG pages pdftoppm wrote, in page order.
fn page_images(dir: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    // page-1.png … page-9.png, or zero-padded when there are more: sort by the number.
    pages.sort_by_key(|p| {
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        stem.rsplit('-').next().unwrap().parse::<u32>().unwrap()
    });
    pages
}

/// A PNG page as grey levels.
fn read_gray(path: &Path) -> GrayFrame {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let data = buf[..info.buffer_size()]
        .chunks(info.line_size)
        .flat_map(|row| {
            row.chunks(channels).take(info.width as usize).map(|px| {
                if channels < 3 {
                    px[0]
                } else {
                    ((u32::from(px[0]) * 299 + u32::from(px[1]) * 587 + u32::from(px[2]) * 114)
                        / 1000) as u8
                }
            })
        })
        .collect();
    GrayFrame {
        width: info.width,
        height: info.height,
        data,
    }
}

/// The part of a page rendered at [`DPI`] inside a rectangle given in mm.
fn crop_mm(page: &GrayFrame, x: f64, y: f64, w: f64, h: f64) -> GrayFrame {
    crop_px(page, DPI / 25.4, x, y, w, h)
}

/// The part of a page rendered at `px_per_mm` inside a rectangle given in mm.
fn crop_px(page: &GrayFrame, px_per_mm: f64, x: f64, y: f64, w: f64, h: f64) -> GrayFrame {
    let px = |mm: f64| (mm * px_per_mm).round() as u32;
    let (x0, y0) = (px(x), px(y));
    let (x1, y1) = (px(x + w).min(page.width), px(y + h).min(page.height));
    let mut data = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
    for row in y0..y1 {
        let start = (row * page.width + x0) as usize;
        data.extend_from_slice(&page.data[start..start + (x1 - x0) as usize]);
    }
    GrayFrame {
        width: x1 - x0,
        height: y1 - y0,
        data,
    }
}

#[test]
fn every_card_on_a_printed_sheet_decodes_to_its_own_token_in_its_own_cell() {
    let cards = cards(12);
    let options = SheetOptions::default();
    let pdf = render_pdf(&cards, &options).expect("the sheet renders");

    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("sheet.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let prefix = dir.path().join("page");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "200",
            "-png",
            pdf_path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let pages = page_images(dir.path());
    assert_eq!(pages.len(), 2, "12 cards are two pages: {pages:?}");

    let geometry = SheetGeometry::new(&options).unwrap();
    let mut decoder = CardDecoder::for_still_images();
    let images: Vec<GrayFrame> = pages.iter().map(|p| read_gray(p)).collect();
    for image in &images {
        // A4 at 200 dpi.
        assert_eq!((image.width, image.height), (1654, 2339));
    }
    for (i, card) in cards.iter().enumerate() {
        let cell = geometry.cell(i);
        assert_eq!(cell.page, i / 10);
        let r = cell.rect;
        let crop = crop_mm(&images[cell.page], r.x, r.y, r.w, r.h);
        assert_eq!(
            decoder.decode(&crop),
            vec![card.token.clone()],
            "card {i} (page {}, slot {})",
            cell.page,
            cell.slot
        );
        let parsed = CardToken::parse(&card.token).unwrap();
        assert_eq!(parsed.encode(), card.token);
    }
    // The unused cells of the last page are blank: nothing decodes there.
    for slot in 2..geometry.per_page() {
        let r = geometry.slots()[slot];
        let crop = crop_mm(&images[1], r.x, r.y, r.w, r.h);
        assert!(decoder.decode(&crop).is_empty(), "slot {slot} of page 2");
        assert!(
            crop.data.iter().all(|&v| v > 200),
            "slot {slot} of page 2 is blank"
        );
    }

    // The participant numbers are real text, each on its card's page; tokens never are.
    for page in 1..=2 {
        let n = page.to_string();
        let text = String::from_utf8(poppler(
            "pdftotext",
            &["-f", &n, "-l", &n, pdf_path.to_str().unwrap(), "-"],
        ))
        .unwrap();
        for (i, card) in cards.iter().enumerate() {
            assert_eq!(
                text.contains(&card.participant),
                i / 10 + 1 == page,
                "number of card {i} on page {page}"
            );
            assert!(!text.contains(&card.token));
        }
        assert!(text.contains("参加者カード"));
        assert!(text.contains("Participant card"));
        assert!(text.contains("はかる市"));
    }
}

#[test]
fn the_pdf_embeds_a_subset_of_the_font() {
    let pdf = render_pdf(&cards(3), &SheetOptions::default()).expect("the sheet renders");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let fonts = String::from_utf8(poppler("pdffonts", &[path.to_str().unwrap()])).unwrap();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        // name, type, encoding, emb, sub, uni, object: embedded and subset.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(row.contains("IPAexGothic"), "{row}");
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
    }
    let info = String::from_utf8(poppler("pdfinfo", &[path.to_str().unwrap()])).unwrap();
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(
        info.contains("595.276 x 841.89 pts (A4)") || info.contains("(A4)"),
        "{info}"
    );
}

/// Fills the QR paths of an SVG page (`M x y h w v h h -w z` rectangles, as the writer emits them)
/// into a white bitmap at `px_per_mm` — no SVG rasteriser is installed, and the paths are the
/// part a decoder has to read.
fn fill_svg_paths(svg: &str, width_mm: f64, height_mm: f64, px_per_mm: f64) -> GrayFrame {
    let (w, h) = (
        (width_mm * px_per_mm).round() as u32,
        (height_mm * px_per_mm).round() as u32,
    );
    let mut data = vec![255u8; (w * h) as usize];
    let mut paths = 0;
    for line in svg.lines().filter(|l| l.starts_with("<path ")) {
        paths += 1;
        let d = line.split(" d=\"").nth(1).unwrap().trim_end_matches("\"/>");
        for rect in d.split('z').filter(|r| !r.is_empty()) {
            // "M{x} {y}h{w}v{h}h-{w}"
            let (xy, rest) = rect.trim_start_matches('M').split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (rw, rest) = rest.split_once('v').unwrap();
            let (rh, back) = rest.split_once('h').unwrap();
            assert_eq!(back, format!("-{rw}"), "{rect}");
            let [x, y, rw, rh] = [x, y, rw, rh].map(|v| v.parse::<f64>().unwrap() * px_per_mm);
            for row in y.round() as u32..(y + rh).round() as u32 {
                for col in x.round() as u32..(x + rw).round() as u32 {
                    data[(row * w + col) as usize] = 0;
                }
            }
        }
    }
    assert!(paths > 0, "no symbol paths in the SVG");
    GrayFrame {
        width: w,
        height: h,
        data,
    }
}

#[test]
fn every_symbol_in_the_svg_decodes_to_its_own_token_in_its_own_cell() {
    let cards = cards(11);
    let options = SheetOptions::default();
    let pages = render_svg(&cards, &options).expect("the sheet renders");
    assert_eq!(pages.len(), 2);
    let geometry = SheetGeometry::new(&options).unwrap();
    // 8 px/mm ≈ 203 dpi: about 10 px a module.
    let scale = 8.0;
    let images: Vec<GrayFrame> = pages
        .iter()
        .map(|svg| fill_svg_paths(svg, 210.0, 297.0, scale))
        .collect();
    let mut decoder = CardDecoder::for_still_images();
    for (i, card) in cards.iter().enumerate() {
        let cell = geometry.cell(i);
        let r = cell.rect;
        let crop = crop_px(&images[cell.page], scale, r.x, r.y, r.w, r.h);
        assert_eq!(decoder.decode(&crop), vec![card.token.clone()], "card {i}");
        // Its number is printed as text on the same page, and nowhere else.
        let text = format!(">{}</text>", card.participant);
        assert!(pages[cell.page].contains(&text), "card {i}");
        assert!(!pages[1 - cell.page].contains(&text), "card {i}");
    }
}
