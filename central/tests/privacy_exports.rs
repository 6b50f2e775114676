//! Promises about analysis exports (仮名加工 / 匿名加工), on both backends where storage is
//! involved: only consenting, active participants; every anonymized export k-anonymous on (age
//! band, sex, municipality, month); its ids link to no participant and to no other export; a
//! pseudonymised export carries neither the key nor a participant number; every export is a
//! transfer record with its recipient, participants and items, and an audit row.
//!
//! Deliberately not here: listing and purging transfer records (`privacy_transfers.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_support;
#[macro_use]
mod export_support;
#[allow(unused_macros, unused_imports)]
mod contract;

use cli_support::admin_config;
use contract::{purpose, seed, t, World};
use export_support::*;
use hakaru_central::export::anonymize::{anonymize, DEFAULT_K};
use hakaru_central::export::pseudonym::PseudonymKey;
use hakaru_central::export::{self, ExportContext, ANONYMIZED_STATEMENT};
use hakaru_central::storage::export::{
    ExportKind, ExportRequest, ExportRunError, ExportSourceRow, TransferKind, TransferRecord,
    AUDIT_EXPORTED,
};
use hakaru_central::storage::Storage;
use hakaru_wire::api::ParticipantStatus;
use hakaru_wire::{ConsentAction, Sex, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

const JST: i32 = 540;

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Program A with the purposes `measurement` and `statistics`.
async fn world(s: Arc<dyn Storage>) -> World {
    let w = seed(s).await;
    for id in ["measurement", "statistics"] {
        w.s.put_purpose(&w.pa, &purpose(id), t(-400, 0))
            .await
            .unwrap();
    }
    w
}

/// `n` participants of program A, varied in age, sex and station, each consenting to both
/// purposes and measured 1–3 times over the last months. Returns their numbers.
async fn populate(w: &World, n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let mut numbers = Vec::new();
    let mut events_a1 = Vec::new();
    let mut events_a2 = Vec::new();
    let mut id = 10_000u128;
    for i in 0..n {
        let number = format!("P{:05}", i + 1);
        let year = 1930 + rng.below(75);
        let birth = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
        let sex = if rng.below(2) == 0 {
            Sex::Female
        } else {
            Sex::Male
        };
        w.s.put_participant(
            &w.pa,
            &person(&number, &birth, sex, ParticipantStatus::Active),
            t(-200, 0),
        )
        .await
        .unwrap();
        let (station, events) = if rng.below(3) == 0 {
            (&w.a2, &mut events_a2)
        } else {
            (&w.a1, &mut events_a1)
        };
        id += 1;
        events.push(decision(
            station,
            id,
            &number,
            ConsentAction::Given,
            &["measurement", "statistics"],
            t(-150, 0),
        ));
        for _ in 0..1 + rng.below(3) {
            id += 1;
            let weight = 40.0 + rng.below(600) as f64 / 10.0;
            let day = 1 + rng.below(90) as i64;
            events.push(reading(station, id, &number, weight, t(-day, 0)));
        }
        numbers.push(number);
    }
    upload_all(w.s.as_ref(), &w.a1, events_a1, t(0, 0)).await;
    upload_all(w.s.as_ref(), &w.a2, events_a2, t(0, 0)).await;
    numbers
}

fn context(out: &Path, recipient: &str) -> ExportContext {
    ExportContext {
        program: "prog-a".into(),
        purpose: "statistics".into(),
        recipient: recipient.into(),
        offset_minutes: JST,
        now: t(0, 2),
        out: out.to_owned(),
    }
}

fn request(kind: ExportKind, recipient: &str) -> ExportRequest {
    ExportRequest {
        program: program("prog-a"),
        purpose: "statistics".into(),
        kind,
        recipient: recipient.into(),
    }
}

async fn export_anonymized(s: &dyn Storage, out: &Path, k: usize) -> TransferRecord {
    let ctx = context(out, "熊本大学 公衆衛生学教室");
    s.run_export(
        &request(ExportKind::Anonymized, "熊本大学 公衆衛生学教室"),
        t(0, 2),
        Box::new(move |rows| export::write_anonymized(&ctx, k, &rows).map_err(|e| e.to_string())),
    )
    .await
    .unwrap()
}

async fn export_pseudonymised(s: &dyn Storage, out: &Path, key: PseudonymKey) -> TransferRecord {
    let ctx = context(out, "健康づくり課");
    s.run_export(
        &request(ExportKind::Pseudonymised, "健康づくり課"),
        t(0, 2),
        Box::new(move |rows| {
            export::write_pseudonymised(&ctx, &key, &rows).map_err(|e| e.to_string())
        }),
    )
    .await
    .unwrap()
}

/// Distinct ids per quasi-identifier combination (columns 1–4) of an anonymized table.
fn people_per_combination(rows: &[Vec<String>]) -> BTreeMap<Vec<String>, BTreeSet<String>> {
    let mut groups: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        groups
            .entry(row[1..5].to_vec())
            .or_default()
            .insert(row[0].clone());
    }
    groups
}

// --- pure: generated data --------------------------------------------------------------------

fn generated_rows(rng: &mut Rng, people: usize) -> Vec<ExportSourceRow> {
    let municipalities = ["kita", "minami", "higashi"];
    let mut rows = Vec::new();
    for p in 0..people {
        let birth = format!(
            "{}-{:02}-{:02}",
            1925 + rng.below(85),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let sex = if rng.below(2) == 0 { "female" } else { "male" };
        let municipality = municipalities[rng.below(3) as usize];
        for _ in 0..1 + rng.below(4) {
            let at =
                Timestamp::from_unix_ms(contract::NOV23 - rng.below(365) as i64 * contract::DAY);
            rows.push(ExportSourceRow {
                participant: format!("N{p:04}"),
                birth_date: birth.clone(),
                sex: sex.into(),
                municipality: municipality.into(),
                taken_at: at,
                weight_only: rng.below(10) == 0,
                reading: serde_json::json!({ "weight": 35.0 + rng.below(900) as f64 / 10.0,
                                             "fat_percent": 10.0 + rng.below(400) as f64 / 10.0 }),
            });
        }
    }
    rows
}

#[test]
fn every_anonymized_export_is_k_anonymous_on_age_band_sex_municipality_and_month() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut kept_somewhere = 0;
    for round in 0..40 {
        let people = 200 + rng.below(300) as usize;
        let k = 2 + rng.below(9) as usize;
        let rows = generated_rows(&mut rng, people);
        let mut counter = 0u64;
        let table = anonymize(JST, k, &rows, || {
            counter += 1;
            format!("{counter:032x}")
        });
        let groups = people_per_combination(&table.rows);
        for (combination, ids) in &groups {
            assert!(
                ids.len() >= k,
                "round {round}: {combination:?} has {} people, k = {k}",
                ids.len()
            );
            let records = table
                .rows
                .iter()
                .filter(|r| &r[1..5] == combination.as_slice())
                .count();
            assert!(
                records >= k,
                "round {round}: {combination:?} has {records} records"
            );
        }
        assert_eq!(
            table.rows.len() + table.suppressed,
            rows.len(),
            "every source record is kept or counted as suppressed"
        );
        // Suppression is no wider than needed: a combination of ≥ k people in the source
        // survives whole (recomputed from the source independently).
        let mut source_groups: BTreeMap<Vec<String>, BTreeSet<&str>> = BTreeMap::new();
        for r in &rows {
            let born = hakaru_central::export::dates::Date::parse(&r.birth_date).unwrap();
            let on = hakaru_central::export::dates::Date::of(r.taken_at, JST);
            let key = vec![
                hakaru_central::export::anonymize::age_band(born.age_on(on)),
                r.sex.clone(),
                r.municipality.clone(),
                on.month_key(),
            ];
            source_groups.entry(key).or_default().insert(&r.participant);
        }
        let expected: BTreeSet<Vec<String>> = source_groups
            .iter()
            .filter(|(_, who)| who.len() >= k)
            .map(|(key, _)| key.clone())
            .collect();
        assert_eq!(groups.keys().cloned().collect::<BTreeSet<_>>(), expected);
        kept_somewhere += table.rows.len();
    }
    assert!(kept_somewhere > 0, "the generated data keeps some records");
}

// --- storage: both backends ------------------------------------------------------------------

async fn an_anonymized_export_is_k_anonymous_and_published_with_its_items(s: Arc<dyn Storage>) {
    let w = world(s).await;
    populate(&w, 300, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let record = export_anonymized(w.s.as_ref(), dir.path(), DEFAULT_K).await;
    let rows = csv_rows(&dir.path().join(export::DATA_FILE));
    let header = &rows[0];
    assert_eq!(
        &header[..6],
        [
            "anon_id",
            "age_band",
            "sex",
            "municipality",
            "month",
            "weight_only"
        ]
    );
    let data = &rows[1..];
    assert!(
        !data.is_empty(),
        "300 people leave some combinations of ≥ 5"
    );
    for (combination, ids) in people_per_combination(data) {
        assert!(ids.len() >= DEFAULT_K, "{combination:?}: {}", ids.len());
    }
    // Generalised: bands, months, whole kilograms.
    for row in data {
        assert!(
            row[1] == "90+" || row[1] == "<20" || row[1].split('-').count() == 2,
            "{row:?}"
        );
        assert_eq!(row[4].len(), 7, "a month: {row:?}");
        let weight = &row[6];
        assert!(
            weight.parse::<u32>().is_ok() || weight.starts_with("<=") || weight.starts_with(">="),
            "{weight}"
        );
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(export::MANIFEST_FILE)).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["statement"], ANONYMIZED_STATEMENT);
    assert_eq!(manifest["k"], DEFAULT_K);
    let items: Vec<&str> = manifest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(items, header.iter().map(String::as_str).collect::<Vec<_>>());
    let notice = std::fs::read_to_string(dir.path().join(export::ITEMS_FILE)).unwrap();
    assert!(notice.contains("これは匿名加工情報です"), "{notice}");
    assert!(notice.contains("年齢") && notice.contains("体重") && notice.contains("測定年月"));
    assert_eq!(record.items.len(), header.len());
}

async fn no_anonymized_export_id_links_to_a_participant_or_to_another_export(s: Arc<dyn Storage>) {
    let w = world(s).await;
    let numbers = populate(&w, 200, 11).await;
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let r1 = export_anonymized(w.s.as_ref(), first.path(), 2).await;
    let r2 = export_anonymized(w.s.as_ref(), second.path(), 2).await;
    assert_eq!(r1.participants, r2.participants, "the same people in both");
    let ids = |dir: &Path| -> BTreeSet<String> {
        csv_rows(&dir.join(export::DATA_FILE))[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect()
    };
    let (ids1, ids2) = (ids(first.path()), ids(second.path()));
    assert_eq!(
        ids1.len(),
        r1.participants.len(),
        "one id per participant within an export"
    );
    assert!(ids1.is_disjoint(&ids2), "no id is reused by another export");
    // No id is, contains, or is derived by a key from a participant number.
    let key_guess = PseudonymKey::from_bytes([0; 32]);
    for id in ids1.iter().chain(&ids2) {
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        for n in &numbers {
            assert!(!id.contains(n.as_str()));
            assert_ne!(*id, key_guess.pseudonym("prog-a", n));
        }
    }
    // Nothing in the files or in the database maps ids back: the record holds numbers only.
    let all_files = [first.path(), second.path()]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    for n in &numbers {
        assert!(
            !all_files.contains(n.as_str()),
            "participant number {n} in a file"
        );
    }
    let audit = w.s.audit_rows(0, 10_000).await.unwrap();
    for row in &audit {
        for id in ids1.iter().chain(&ids2) {
            assert!(
                !row.detail.contains(id.as_str()),
                "an export id in the audit log"
            );
        }
    }
}

async fn a_pseudonymised_export_never_contains_the_key_or_a_participant_number(
    s: Arc<dyn Storage>,
) {
    let w = world(s).await;
    let numbers = populate(&w, 40, 3).await;
    let keys = tempfile::tempdir().unwrap();
    let key_path = keys.path().join("pseudonym.key");
    let (key, _) = PseudonymKey::load_or_create(&key_path).unwrap();
    let key_hex = std::fs::read_to_string(&key_path)
        .unwrap()
        .trim()
        .to_owned();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let record = export_pseudonymised(w.s.as_ref(), first.path(), key.clone()).await;
    export_pseudonymised(w.s.as_ref(), second.path(), key.clone()).await;
    assert_eq!(record.participants, numbers, "all consented to statistics");
    let mut text = String::new();
    for entry in std::fs::read_dir(first.path()).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(!text.contains(&key_hex), "the key is in the export");
    assert!(
        !text.contains(&key_hex[..16]),
        "part of the key is in the export"
    );
    for n in &numbers {
        assert!(
            !text.contains(n.as_str()),
            "participant number {n} in the export"
        );
    }
    for dropped in [
        "SN-77821",
        "CARD-0099",
        "kita-01",
        "minami-02",
        "1950-04-01",
    ] {
        assert!(!text.contains(dropped), "{dropped} in the export");
    }
    // The same person has the same pseudonym in both exports (effect analysis over time).
    let rows = csv_rows(&first.path().join(export::DATA_FILE));
    let again = csv_rows(&second.path().join(export::DATA_FILE));
    assert_eq!(rows, again);
    let pseudonyms: BTreeSet<&String> = rows[1..].iter().map(|r| &r[0]).collect();
    let expected: BTreeSet<String> = numbers.iter().map(|n| key.pseudonym("prog-a", n)).collect();
    assert_eq!(pseudonyms, expected.iter().collect());
    // The key is in no transfer record nor audit row.
    for row in w.s.audit_rows(0, 10_000).await.unwrap() {
        assert!(!row.detail.contains(&key_hex));
    }
    for r in
        w.s.export_transfers(&w.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap()
    {
        assert!(!format!("{:?}{:?}", r.participants, r.items).contains(&key_hex));
    }
}

/// A consent decision: action and purposes granted.
type Decision = (ConsentAction, &'static [&'static str]);

async fn exports_include_only_participants_who_consented_to_the_purpose(s: Arc<dyn Storage>) {
    let w = world(s).await;
    let both = &["measurement", "statistics"][..];
    let only_measurement = &["measurement"][..];
    // (number, status, decisions oldest first)
    let cases: Vec<(&str, ParticipantStatus, Vec<Decision>)> = vec![
        (
            "GRANTS",
            ParticipantStatus::Active,
            vec![(ConsentAction::Given, both)],
        ),
        (
            "NOT-STAT",
            ParticipantStatus::Active,
            vec![(ConsentAction::Given, only_measurement)],
        ),
        (
            "WITHDREW",
            ParticipantStatus::Active,
            vec![
                (ConsentAction::Given, both),
                (ConsentAction::Withdrawn, &[][..]),
            ],
        ),
        (
            "NARROWED",
            ParticipantStatus::Active,
            vec![
                (ConsentAction::Given, both),
                (ConsentAction::Given, only_measurement),
            ],
        ),
        (
            "WIDENED",
            ParticipantStatus::Active,
            vec![
                (ConsentAction::Given, only_measurement),
                (ConsentAction::Given, both),
            ],
        ),
        (
            "STOPPED",
            ParticipantStatus::Stopped,
            vec![(ConsentAction::Given, both)],
        ),
        (
            "GONE",
            ParticipantStatus::Withdrawn,
            vec![(ConsentAction::Given, both)],
        ),
    ];
    let mut id = 500u128;
    for (number, _, decisions) in &cases {
        w.s.put_participant(
            &w.pa,
            &person(number, "1960-05-05", Sex::Male, ParticipantStatus::Active),
            t(-100, 0),
        )
        .await
        .unwrap();
        let mut events = Vec::new();
        id += 1;
        events.push(decision(
            &w.a1,
            id,
            number,
            ConsentAction::Given,
            both,
            t(-90, 0),
        ));
        id += 1;
        events.push(reading(&w.a1, id, number, 61.0, t(-80, 0)));
        for (i, (action, granted)) in decisions.iter().enumerate() {
            id += 1;
            events.push(decision(
                &w.a1,
                id,
                number,
                *action,
                granted,
                t(-70 + i as i64, 0),
            ));
        }
        upload_all(w.s.as_ref(), &w.a1, events, t(-60, 0)).await;
    }
    for (number, status, _) in &cases {
        if *status != ParticipantStatus::Active {
            w.s.put_participant(
                &w.pa,
                &person(number, "1960-05-05", Sex::Male, *status),
                t(-50, 0),
            )
            .await
            .unwrap();
        }
    }
    let key = PseudonymKey::from_bytes([9; 32]);
    let expected = vec!["GRANTS".to_owned(), "WIDENED".to_owned()];
    let dir = tempfile::tempdir().unwrap();
    let record = export_pseudonymised(w.s.as_ref(), dir.path(), key.clone()).await;
    assert_eq!(record.participants, expected);
    let pseudonyms: BTreeSet<String> = csv_rows(&dir.path().join(export::DATA_FILE))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let wanted: BTreeSet<String> = expected
        .iter()
        .map(|n| key.pseudonym("prog-a", n))
        .collect();
    assert_eq!(pseudonyms, wanted);
    let anon = tempfile::tempdir().unwrap();
    let record = export_anonymized(w.s.as_ref(), anon.path(), 2).await;
    assert_eq!(
        record.participants, expected,
        "same people (two of them share a combination)"
    );
    // An unknown purpose is refused, nothing recorded.
    let before =
        w.s.export_transfers(&w.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap()
            .len();
    let mut unknown = request(ExportKind::Anonymized, "x");
    unknown.purpose = "marketing".into();
    let refused =
        w.s.run_export(&unknown, t(0, 3), Box::new(|_| Ok(Default::default())))
            .await
            .unwrap_err();
    assert!(matches!(refused, ExportRunError::Storage(_)), "{refused:?}");
    assert_eq!(
        w.s.export_transfers(&w.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap()
            .len(),
        before
    );
}

async fn every_export_is_recorded_as_a_transfer_with_recipient_participants_and_items(
    s: Arc<dyn Storage>,
) {
    let w = world(s).await;
    let numbers = populate(&w, 30, 5).await;
    let audit_before = w.s.audit_rows(0, 10_000).await.unwrap().len();
    let p = tempfile::tempdir().unwrap();
    let a = tempfile::tempdir().unwrap();
    let pseudo =
        export_pseudonymised(w.s.as_ref(), p.path(), PseudonymKey::from_bytes([4; 32])).await;
    let anon = export_anonymized(w.s.as_ref(), a.path(), 2).await;
    let listed =
        w.s.export_transfers(&w.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap();
    assert_eq!(listed, vec![pseudo.clone(), anon.clone()]);
    assert_eq!(pseudo.at, t(0, 2));
    assert_eq!(
        pseudo.kind,
        TransferKind::Export {
            kind: ExportKind::Pseudonymised,
            purpose: "statistics".into(),
            recipient: "健康づくり課".into(),
        }
    );
    assert_eq!(pseudo.label, "仮名加工情報");
    assert_eq!(pseudo.participants, numbers);
    let header = |dir: &Path| csv_rows(&dir.join(export::DATA_FILE))[0].clone();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(pseudo.items, sorted(header(p.path())));
    assert_eq!(anon.label, "匿名加工情報");
    assert!(
        matches!(&anon.kind, TransferKind::Export { recipient, .. } if recipient == "熊本大学 公衆衛生学教室")
    );
    assert_eq!(anon.items, sorted(header(a.path())));
    // The anonymized record names exactly the people whose rows survived suppression.
    assert!(anon.participants.iter().all(|n| numbers.contains(n)));
    // One audit row per export, naming recipient, participants and items.
    let audit = w.s.audit_rows(0, 10_000).await.unwrap();
    let new: Vec<_> = audit[audit_before..].iter().collect();
    assert_eq!(new.len(), 2);
    for (row, record) in new.iter().zip([&pseudo, &anon]) {
        assert_eq!(row.action, AUDIT_EXPORTED);
        let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
        let TransferKind::Export {
            recipient, kind, ..
        } = &record.kind
        else {
            unreachable!()
        };
        assert_eq!(detail["recipient"], recipient.as_str());
        assert_eq!(detail["kind"], kind.name());
        assert_eq!(
            detail["participants"],
            serde_json::json!(record.participants)
        );
        assert_eq!(detail["items"], serde_json::json!(record.items));
    }
    // A writer that fails leaves no record and no audit row.
    let failed =
        w.s.run_export(
            &request(ExportKind::Anonymized, "x"),
            t(0, 4),
            Box::new(|_| Err("disk full".to_owned())),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(failed, ExportRunError::Write(ref m) if m == "disk full"),
        "{failed:?}"
    );
    assert_eq!(
        w.s.export_transfers(&w.pa, Timestamp::from_unix_ms(0))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(w.s.audit_rows(0, 10_000).await.unwrap().len(), audit.len());
    assert!(matches!(
        w.s.verify_audit().await.unwrap(),
        hakaru_central::storage::audit::AuditCheck::Intact { .. }
    ));
}

on_both_backends!(
    an_anonymized_export_is_k_anonymous_and_published_with_its_items,
    no_anonymized_export_id_links_to_a_participant_or_to_another_export,
    a_pseudonymised_export_never_contains_the_key_or_a_participant_number,
    exports_include_only_participants_who_consented_to_the_purpose,
    every_export_is_recorded_as_a_transfer_with_recipient_participants_and_items,
);

// --- the administrator's command, on an SQLite file -------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_exports_into_a_new_folder_with_the_key_file_made_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let key = dir.path().join("secret").join("pseudonym.key");
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[export]\npseudonym_key = {:?}\n",
            db.display().to_string(),
            key.display().to_string()
        ),
    )
    .unwrap();
    {
        let storage = hakaru_central::storage::sqlite::SqliteStorage::open(&db).unwrap();
        let w = world(Arc::new(storage)).await;
        populate(&w, 30, 21).await;
    }
    let out = dir.path().join("to-health-office");
    let out_s = out.to_str().unwrap();
    let common = [
        "--program",
        "prog-a",
        "--purpose",
        "statistics",
        "--recipient",
        "健康づくり課",
        "--out",
        out_s,
    ];
    let args: Vec<&str> = ["export", "pseudonymised"]
        .iter()
        .chain(&common)
        .copied()
        .collect();
    let run = admin_config(&config, &args);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("made a new pseudonymisation key"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(out.join(export::DATA_FILE).exists() && out.join(export::MANIFEST_FILE).exists());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("30 人"), "{stdout}");
    // The same folder again: refused, files untouched, nothing recorded.
    let again = admin_config(&config, &args);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    let anon_out = dir.path().join("open-data");
    let mut anon: Vec<&str> = vec!["export", "anonymized", "--k", "2"];
    anon.extend(&common[..6]);
    anon.extend(["--out", anon_out.to_str().unwrap()]);
    let run = admin_config(&config, &anon);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(anon_out.join(export::ITEMS_FILE).exists());
    let ledger = admin_config(
        &config,
        &["ledger", "--program", "prog-a", "--format", "json"],
    );
    let exported: Vec<serde_json::Value> = String::from_utf8(ledger.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["direction"] == "exported")
        .collect();
    assert_eq!(exported.len(), 2, "the refused run left no record");
    assert_eq!(exported[0]["export"], "pseudonymised");
    assert_eq!(exported[1]["export"], "anonymized");
}
