//! 匿名加工 (anonymization): a table nobody can link back to a person nor to another export.
//!
//! Steps, in order: participant numbers are replaced by ids drawn fresh for this export (128
//! random bits per participant; the mapping lives only in this function's memory), birth dates
//! become 5-year age bands at the measurement date (`<20` and `90+` at the ends), dates become
//! months, values are rounded and top/bottom coded ([`super::items`]); then every record whose
//! quasi-identifier combination (age band, sex, municipality, month) holds fewer than `k`
//! distinct participants is suppressed — so every combination left has ≥ k people (and records).
//! Rows are sorted by their generalised content, so their order tells nothing about the source.
//!
//! Deliberately not here: the key-based pseudonyms ([`super::pseudonym`]) and files.

use super::dates::Date;
use super::items::VALUE_ITEMS;
use super::Table;
use crate::storage::export::ExportSourceRow;
use std::collections::{BTreeSet, HashMap};

/// The default `k`.
pub const DEFAULT_K: usize = 5;

/// The fixed columns, before the values; the second to fifth are the quasi-identifiers.
pub const COLUMNS: &[&str] = &[
    "anon_id",
    "age_band",
    "sex",
    "municipality",
    "month",
    "weight_only",
];

/// The quasi-identifier columns (indexes into a row).
pub const QUASI_IDENTIFIERS: std::ops::Range<usize> = 1..5;

/// The 5-year band of an age, `<20` below 20 and `90+` from 90.
pub fn age_band(age: i64) -> String {
    if age < 20 {
        "<20".to_owned()
    } else if age >= 90 {
        "90+".to_owned()
    } else {
        let low = age - age % 5;
        format!("{low}-{}", low + 4)
    }
}

/// A fresh 128-bit id, as hex.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The operating system's generator failing is not recoverable here.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no random bytes: {e}"));
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The anonymized table of the source rows (dates local at `offset_minutes`), with `new_id`
/// giving each participant's id for this export.
pub fn anonymize(
    offset_minutes: i32,
    k: usize,
    rows: &[ExportSourceRow],
    mut new_id: impl FnMut() -> String,
) -> Table {
    let mut columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    columns.extend(VALUE_ITEMS.iter().map(|v| v.key.to_owned()));
    // Generalise every row, keeping who it was about until suppression is done.
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut generalised: Vec<(&str, Vec<String>)> = Vec::with_capacity(rows.len());
    let mut unusable = 0;
    for r in rows {
        let Some(born) = Date::parse(&r.birth_date) else {
            unusable += 1;
            continue;
        };
        let on = Date::of(r.taken_at, offset_minutes);
        let id = ids
            .entry(r.participant.as_str())
            .or_insert_with(&mut new_id)
            .clone();
        let mut row = vec![
            id,
            age_band(born.age_on(on)),
            r.sex.clone(),
            r.municipality.clone(),
            on.month_key(),
            u8::from(r.weight_only).to_string(),
        ];
        row.extend(VALUE_ITEMS.iter().map(|v| {
            v.read(&r.reading, r.weight_only)
                .map_or_else(String::new, |x| v.generalised(x))
        }));
        generalised.push((r.participant.as_str(), row));
    }
    drop(ids);
    // Distinct people per combination.
    let mut people: HashMap<Vec<String>, BTreeSet<&str>> = HashMap::new();
    for (who, row) in &generalised {
        people
            .entry(row[QUASI_IDENTIFIERS].to_vec())
            .or_default()
            .insert(who);
    }
    let mut kept = Vec::new();
    let mut participants = BTreeSet::new();
    let mut suppressed = unusable;
    for (who, row) in generalised {
        if people.get(&row[QUASI_IDENTIFIERS]).map_or(0, BTreeSet::len) >= k {
            participants.insert(who.to_owned());
            kept.push(row);
        } else {
            suppressed += 1;
        }
    }
    kept.sort_by(|a, b| a[1..].cmp(&b[1..]).then_with(|| a[0].cmp(&b[0])));
    Table {
        columns,
        rows: kept,
        participants: participants.into_iter().collect(),
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_in_five_year_bands_with_the_ends_coded() {
        assert_eq!(age_band(19), "<20");
        assert_eq!(age_band(20), "20-24");
        assert_eq!(age_band(64), "60-64");
        assert_eq!(age_band(65), "65-69");
        assert_eq!(age_band(89), "85-89");
        assert_eq!(age_band(90), "90+");
        assert_eq!(age_band(104), "90+");
    }

    #[test]
    fn random_ids_are_128_bits_and_fresh() {
        let a = random_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_id());
    }
}
