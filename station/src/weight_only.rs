//! The one way to make a weight-only copy of a reading: keep exactly the keys an allow-list
//! names — their raw pairs and the typed fields they fill — and nothing else, so a field added
//! to `Reading` later can never slip into a weight-only record.
//!
//! Deliberately not here: which keys are allowed (the session and the store each name theirs)
//! and what happens to the raw frame (the store decides).

use hakaru_devices::scale::Reading;

/// A copy of `r` holding only what the keys in `keys` carry (plus the unit system).
pub fn weight_only_copy(r: &Reading, keys: &[&str]) -> Reading {
    let has = |k: &str| keys.contains(&k);
    let any = |ks: &[&str]| ks.iter().any(|k| has(k));
    let mut w = Reading::default();
    w.unit_system = r.unit_system;
    if has("MO") {
        w.model.clone_from(&r.model);
    }
    if has("SN") {
        w.serial_number.clone_from(&r.serial_number);
    }
    if has("ID") {
        w.device_id.clone_from(&r.device_id);
    }
    if has("CC") {
        w.card_id.clone_from(&r.card_id);
    }
    if has("St") {
        w.measurement_status = r.measurement_status;
    }
    if any(&["Da", "DT", "DA"]) {
        w.device_date = r.device_date;
    }
    if any(&["TI", "Ti"]) {
        w.device_time = r.device_time;
    }
    if has("GE") {
        w.sex = r.sex;
    }
    if has("AG") {
        w.age = r.age;
    }
    if has("DB") {
        w.birth_date = r.birth_date;
    }
    if has("Hm") {
        w.height = r.height;
    }
    if has("Bt") {
        w.body_type = r.body_type;
    }
    if has("Pt") {
        w.clothes_weight = r.clothes_weight;
    }
    if has("Ta") {
        w.tare_weight = r.tare_weight;
    }
    if any(&["Wk", "Wp", "Wg", "Ws"]) {
        w.weight = r.weight;
    }
    if has("MI") {
        w.bmi = r.bmi;
    }
    w.copy_pairs_from(r, |k| has(k.as_str()));
    w
}
