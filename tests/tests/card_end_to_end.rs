//! A participant card from issuance to a kiosk, with the real programs: the administrator issues
//! cards with the `hakaru-central` binary (one participant is reissued a card) and prints the PDF
//! sheet; poppler's `pdftoppm` rasterises it at 200 dpi; each card cell is cut out by the sheet
//! geometry and decoded by the camera's QR decoder; the kiosk syncs its roster from the running
//! server and checks every decoded card offline — each names the participant it was issued to,
//! and the replaced card is refused as revoked.
//!
//! Needs poppler-utils and the IPAexGothic font (`scripts/setup --test`).

#![allow(clippy::unwrap_used)]

use hakaru_central::cards::sheet::{SheetGeometry, SheetOptions};
use hakaru_devices::card::decode::{CardDecoder, QrDecoder};
use hakaru_devices::card::frame::GrayFrame;
use hakaru_e2e::central_process::{admin, Server};
use hakaru_station::cards::{verify, CardRejection};
use hakaru_station::domain::Date;
use hakaru_station::store::testing::{self, seeded};
use hakaru_station::store::{Store, StoreConfig};
use hakaru_station::sync::{
    CentralClient, ClientOptions, Credential, PullStep, SyncWorker, WorkerSettings,
};
use hakaru_station::Clock;
use hakaru_wire::Timestamp;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const DPI: f64 = 200.0;

#[derive(Debug, Clone, Copy)]
struct FixedClock;

impl Clock for FixedClock {
    #[allow(clippy::disallowed_methods)] // the worker needs a monotonic instant; any will do
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> Timestamp {
        testing::T0
    }
}

/// Today at the kiosk: the cards carry the admin's issue date, and none expires.
#[allow(clippy::disallowed_methods)] // the binary stamps cards with the real date
fn today() -> Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let (year, month, day) = hakaru_wire::card::calendar_date(u16::try_from(days).unwrap());
    Date { year, month, day }
}

/// The sheet's pages as grey images (`pdftoppm -gray` writes binary PGM).
fn rasterise(pdf: &Path, dir: &Path) -> Vec<GrayFrame> {
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-gray"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "pdftoppm を実行できません（{e}）。scripts/setup --test を実行してください / \
                 cannot run pdftoppm ({e}): run scripts/setup --test"
            )
        });
    assert!(status.success());
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| pgm(&std::fs::read(p).unwrap()))
        .collect()
}

/// A binary PGM (`P5 w h 255`, one byte a pixel).
fn pgm(bytes: &[u8]) -> GrayFrame {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..at]).unwrap().to_owned());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
    let (width, height): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[at + 1..].to_vec();
    assert_eq!(data.len(), (width * height) as usize);
    GrayFrame {
        width,
        height,
        data,
    }
}

/// Every card on the sheet, decoded from its cell, in sheet order.
fn decode_sheet(pages: &[GrayFrame], cards: usize) -> Vec<String> {
    let geometry = SheetGeometry::new(&SheetOptions::default()).unwrap();
    let px = |mm: f64| (mm * DPI / 25.4).round() as u32;
    let mut decoder = CardDecoder::for_still_images();
    (0..cards)
        .map(|i| {
            let cell = geometry.cell(i);
            let page = &pages[cell.page];
            let (x, y, w, h) = (
                px(cell.rect.x),
                px(cell.rect.y),
                px(cell.rect.w),
                px(cell.rect.h),
            );
            let mut data = Vec::with_capacity((w * h) as usize);
            for row in y..y + h {
                let start = (row * page.width + x) as usize;
                data.extend_from_slice(&page.data[start..start + w as usize]);
            }
            let found = decoder.decode(&GrayFrame {
                width: w,
                height: h,
                data,
            });
            assert_eq!(found.len(), 1, "card {i}: {} codes", found.len());
            found.into_iter().next().unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_issued_and_printed_by_the_server_are_recognised_offline_by_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let station = testing::station();
    for args in [
        vec![
            "program",
            "create",
            "--id",
            "prog-a",
            "--name-ja",
            "はかる市 健康ポイント",
            "--name-en",
            "Hakaru health points",
        ],
        vec![
            "municipality",
            "create",
            "--id",
            "kita",
            "--program",
            "prog-a",
            "--name-ja",
            "北区",
            "--name-en",
            "Kita",
        ],
        vec![
            "station",
            "create",
            "--id",
            station.as_str(),
            "--municipality",
            "kita",
            "--place",
            "北公民館",
        ],
    ] {
        admin(&db, &args);
    }
    let token = admin(&db, &["credential", "issue", "--station", station.as_str()]);
    let people = ["H-0001", "H-0002", "H-0003"];
    for number in people {
        admin(
            &db,
            &[
                "participant",
                "put",
                "--program",
                "prog-a",
                "--number",
                number,
                "--birth-date",
                "1952-04-01",
                "--sex",
                "female",
                "--height-cm",
                "152.4",
            ],
        );
    }
    let mut issue = vec!["card", "issue", "--program", "prog-a"];
    for number in people {
        issue.extend(["--participant", number]);
    }
    admin(&db, &issue);
    // The first sheet, printed before H-0002 lost their card.
    let first_pdf = dir.path().join("first.pdf");
    admin(
        &db,
        &[
            "card",
            "sheet",
            "--program",
            "prog-a",
            "--participant",
            "H-0002",
            "--out",
            first_pdf.to_str().unwrap(),
        ],
    );
    let out = admin(
        &db,
        &[
            "card",
            "issue",
            "--program",
            "prog-a",
            "--participant",
            "H-0002",
        ],
    );
    assert!(out.contains("revoked"), "{out}");
    let pdf = dir.path().join("cards.pdf");
    let out = admin(
        &db,
        &[
            "card",
            "sheet",
            "--program",
            "prog-a",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(out.contains("3 cards on 1 page:"), "{out}");

    let raster = tempfile::tempdir().unwrap();
    let printed = decode_sheet(&rasterise(&pdf, raster.path()), people.len());
    let old_raster = tempfile::tempdir().unwrap();
    let lost = decode_sheet(&rasterise(&first_pdf, old_raster.path()), 1);

    // The kiosk syncs from the running server.
    let server = Server::start(&db);
    let kiosk_dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::in_dir(kiosk_dir.path());
    drop(seeded(&cfg, 0).unwrap());
    let client = CentralClient::new(
        &server.base,
        Credential::new(token.trim()).unwrap(),
        &ClientOptions::default(),
    )
    .unwrap();
    let mut worker = SyncWorker::new(
        Store::open(&cfg).unwrap(),
        client,
        WorkerSettings::default(),
        FixedClock,
    )
    .unwrap();
    while let PullStep::Applied { more: true, .. } = worker.pull_step().await.unwrap() {}
    let kiosk = Store::open(&cfg).unwrap();

    // The sheet is in participant order; each card names its own participant.
    let mut named: Vec<String> = printed
        .iter()
        .map(|text| {
            verify(&kiosk, text, today())
                .unwrap()
                .unwrap()
                .participant
                .as_str()
                .to_owned()
        })
        .collect();
    named.sort();
    assert_eq!(named, people);
    assert_eq!(
        verify(&kiosk, &lost[0], today()).unwrap().map(|_| ()),
        Err(CardRejection::Revoked)
    );
    drop(server);
}
