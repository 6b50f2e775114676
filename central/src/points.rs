//! Points rules and the pure decision of what a measurement earns.
//!
//! A program configures its rules in TOML (see [`PointsRules::DEFAULT_TOML`]); when the server
//! accepts a measurement, the backend loads the participant's awards of that month, calls
//! [`decide`], and writes the result in the same transaction. Days and months are the program's
//! local calendar (Japan: UTC+9, no daylight saving), taken from when the reading was taken, not
//! when it arrived, so a week offline earns the same points as a week online.
//!
//! Deliberately not here: storage, balances and cancellations (the backends), and any clock.

use hakaru_wire::Timestamp;
use std::collections::HashSet;

/// How often a rule may pay out to one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// At most once per local calendar day.
    Day,
    /// At most once per local calendar month.
    Month,
}

/// One rule: `points` for a measurement, at most once per `once_per`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id (it appears in acknowledgements and award records).
    pub id: String,
    /// Points paid.
    pub points: u32,
    /// How often it may pay out.
    pub once_per: Period,
    /// Japanese label for statements.
    #[serde(default)]
    pub label_ja: String,
    /// English label.
    #[serde(default)]
    pub label_en: String,
}

/// A program's points rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRules {
    /// Points per exchange unit; what is left over carries over (program terms: 500).
    #[serde(default = "default_exchange_unit")]
    pub exchange_unit: u32,
    /// At most this many points per participant per local month, if set.
    #[serde(default)]
    pub monthly_cap: Option<u32>,
    /// The program's offset from UTC in minutes (Japan: 540).
    #[serde(default = "default_offset")]
    pub utc_offset_minutes: i32,
    /// The rules, applied in this order (the cap cuts the later ones first).
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

fn default_exchange_unit() -> u32 {
    500
}

fn default_offset() -> i32 {
    540
}

/// Why a rules file was refused.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Not valid TOML, or unknown keys.
    #[error("ポイント規則の TOML が読めません / the points rules TOML cannot be read: {0}")]
    Toml(#[from] toml::de::Error),
    /// Valid TOML with impossible values.
    #[error("ポイント規則が正しくありません / the points rules are not valid: {0}")]
    Invalid(String),
}

impl PointsRules {
    /// The rules a new program starts with, as documented TOML.
    pub const DEFAULT_TOML: &'static str = r#"# Points rules (ポイント付与ルール). Days and months are local to utc_offset_minutes.
exchange_unit = 500          # points per exchange unit; the rest carries over
monthly_cap = 300            # at most this many points per participant per month
utc_offset_minutes = 540     # Japan Standard Time

[[rule]]
id = "daily-measurement"
points = 10
once_per = "day"
label_ja = "測定（1日1回）"
label_en = "Measurement (once a day)"

[[rule]]
id = "monthly-bonus"
points = 50
once_per = "month"
label_ja = "月初回測定ボーナス"
label_en = "First measurement of the month"
"#;

    /// Parses and checks a rules file.
    pub fn from_toml(text: &str) -> Result<PointsRules, RulesError> {
        let rules: PointsRules = toml::from_str(text)?;
        rules.validate()?;
        Ok(rules)
    }

    /// The default rules.
    pub fn default_rules() -> PointsRules {
        // The constant is checked by a test; fall back to no rules rather than panic.
        PointsRules::from_toml(Self::DEFAULT_TOML).unwrap_or(PointsRules {
            exchange_unit: 500,
            monthly_cap: None,
            utc_offset_minutes: 540,
            rules: Vec::new(),
        })
    }

    /// Checks the values: a positive exchange unit, a real UTC offset, unique rule ids.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.exchange_unit == 0 {
            return Err(RulesError::Invalid(
                "exchange_unit must be at least 1".into(),
            ));
        }
        if !(-720..=840).contains(&self.utc_offset_minutes) {
            return Err(RulesError::Invalid(
                "utc_offset_minutes must be between -720 and 840".into(),
            ));
        }
        let mut seen = HashSet::new();
        for r in &self.rules {
            if !crate::ids::is_slug(&r.id) {
                return Err(RulesError::Invalid(format!(
                    "rule id {:?} must be 1–64 letters, digits, '-' or '_'",
                    r.id
                )));
            }
            if !seen.insert(r.id.as_str()) {
                return Err(RulesError::Invalid(format!(
                    "rule id {:?} is repeated",
                    r.id
                )));
            }
        }
        Ok(())
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, at: Timestamp) -> LocalDate {
        let ms = at.as_unix_ms() + i64::from(self.utc_offset_minutes) * 60_000;
        LocalDate::from_days(ms.div_euclid(86_400_000))
    }

    /// The local month key (`YYYY-MM`) of an instant: the unit the backends load prior awards by.
    pub fn month_key(&self, at: Timestamp) -> String {
        self.local_date(at).month_key()
    }

    /// Whole exchange units in `balance` and the points that carry over.
    pub fn exchangeable(&self, balance: i64) -> (u32, i64) {
        if balance <= 0 {
            return (0, balance);
        }
        let unit = i64::from(self.exchange_unit);
        let units = u32::try_from(balance / unit).unwrap_or(u32::MAX);
        (units, balance % unit)
    }
}

/// A date on the program's local calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDate {
    /// Year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

impl LocalDate {
    /// The civil date `days` days after 1970-01-01 (proleptic Gregorian).
    fn from_days(days: i64) -> LocalDate {
        let (year, month, day) = crate::civil_date::civil_from_days(days);
        let year = year as i32;
        LocalDate { year, month, day }
    }

    /// `YYYY-MM-DD`.
    pub fn day_key(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM`.
    pub fn month_key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The key of the period containing this date.
    pub fn period_key(&self, period: Period) -> String {
        match period {
            Period::Day => self.day_key(),
            Period::Month => self.month_key(),
        }
    }
}

/// An award the participant already has in the measurement's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorAward {
    /// The rule that paid it.
    pub rule_id: String,
    /// Its period key (`YYYY-MM-DD` or `YYYY-MM`).
    pub period_key: String,
    /// Points paid.
    pub points: u32,
    /// Cancelled by an administrator (fraud): it still uses up its period, but not the cap.
    pub cancelled: bool,
}

/// One award to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAward {
    /// The rule paying.
    pub rule_id: String,
    /// The period it uses up.
    pub period_key: String,
    /// Points paid (never 0: a rule cut to nothing by the cap is not recorded, so its period
    /// stays open).
    pub points: u32,
}

/// What one measurement earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The local month (`YYYY-MM`) the awards count towards.
    pub month_key: String,
    /// Awards to write, in rule order.
    pub awards: Vec<NewAward>,
    /// Whether the monthly cap cut an award.
    pub capped: bool,
}

impl Decision {
    /// Total points of the awards.
    pub fn total(&self) -> u32 {
        self.awards.iter().map(|a| a.points).sum()
    }
}

/// Decides what a measurement taken at `taken_at` earns, given the participant's awards of that
/// local month (`prior`, cancelled ones included). Pure: the same inputs always give the same
/// awards, which is what makes replayed batches safe.
pub fn decide(rules: &PointsRules, taken_at: Timestamp, prior: &[PriorAward]) -> Decision {
    let date = rules.local_date(taken_at);
    let month_key = date.month_key();
    let mut used: u32 = prior
        .iter()
        .filter(|p| !p.cancelled)
        .map(|p| p.points)
        .sum();
    let mut awards = Vec::new();
    let mut capped = false;
    for rule in &rules.rules {
        let key = date.period_key(rule.once_per);
        let taken = prior
            .iter()
            .any(|p| p.rule_id == rule.id && p.period_key == key);
        if taken || rule.points == 0 {
            continue;
        }
        let mut points = rule.points;
        if let Some(cap) = rules.monthly_cap {
            let room = cap.saturating_sub(used);
            if points > room {
                points = room;
                capped = true;
            }
        }
        if points == 0 {
            continue;
        }
        used = used.saturating_add(points);
        awards.push(NewAward {
            rule_id: rule.id.clone(),
            period_key: key,
            points,
        });
    }
    Decision {
        month_key,
        awards,
        capped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// 2026-11-23 10:00 JST.
    const NOV23: i64 = 1_795_395_600_000;
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    fn rules() -> PointsRules {
        PointsRules::default_rules()
    }

    fn prior(rule: &str, key: &str, points: u32) -> PriorAward {
        PriorAward {
            rule_id: rule.into(),
            period_key: key.into(),
            points,
            cancelled: false,
        }
    }

    #[test]
    fn the_default_rules_parse_and_validate() {
        let r = PointsRules::from_toml(PointsRules::DEFAULT_TOML).unwrap();
        assert_eq!(r.exchange_unit, 500);
        assert_eq!(r.rules.len(), 2);
        assert_eq!(r, rules());
    }

    #[test]
    fn local_dates_follow_japan_time() {
        let r = rules();
        let d = r.local_date(Timestamp::from_unix_ms(NOV23));
        assert_eq!(d.day_key(), "2026-11-23");
        // 2026-11-30 23:30 JST is still November; 00:30 JST on 12-01 is December.
        let late = Timestamp::from_unix_ms(NOV23 + 7 * DAY + 13 * HOUR + HOUR / 2);
        assert_eq!(r.local_date(late).day_key(), "2026-11-30");
        let next = Timestamp::from_unix_ms(NOV23 + 7 * DAY + 14 * HOUR + HOUR / 2);
        assert_eq!(r.month_key(next), "2026-12");
        assert_eq!(
            r.local_date(Timestamp::from_unix_ms(0)).day_key(),
            "1970-01-01"
        );
        // Leap day.
        let leap = Timestamp::from_unix_ms(1_709_164_800_000); // 2024-02-29 00:00 UTC
        assert_eq!(r.local_date(leap).day_key(), "2024-02-29");
    }

    #[rstest]
    #[case::first_of_month_pays_both(vec![], 60, &["daily-measurement", "monthly-bonus"], false)]
    #[case::second_day_pays_daily_only(
        vec![prior("daily-measurement", "2026-11-22", 10), prior("monthly-bonus", "2026-11", 50)],
        10, &["daily-measurement"], false)]
    #[case::same_day_again_pays_nothing(
        vec![prior("daily-measurement", "2026-11-23", 10), prior("monthly-bonus", "2026-11", 50)],
        0, &[], false)]
    #[case::cap_cuts_the_award(
        vec![prior("monthly-bonus", "2026-11", 50), prior("x", "2026-11-01", 245)],
        5, &["daily-measurement"], true)]
    #[case::cap_reached_pays_nothing(
        vec![prior("monthly-bonus", "2026-11", 50), prior("x", "2026-11-01", 250)],
        0, &[], true)]
    #[case::cancelled_award_keeps_its_period_but_frees_the_cap(
        vec![PriorAward { rule_id: "monthly-bonus".into(), period_key: "2026-11".into(), points: 50, cancelled: true },
             prior("x", "2026-11-01", 280)],
        10, &["daily-measurement"], false)]
    fn decisions(
        #[case] prior: Vec<PriorAward>,
        #[case] total: u32,
        #[case] paid: &[&str],
        #[case] capped: bool,
    ) {
        let d = decide(&rules(), Timestamp::from_unix_ms(NOV23), &prior);
        assert_eq!(d.month_key, "2026-11");
        assert_eq!(d.total(), total);
        let ids: Vec<&str> = d.awards.iter().map(|a| a.rule_id.as_str()).collect();
        assert_eq!(ids, paid);
        assert_eq!(d.capped, capped);
    }

    #[test]
    fn exchange_units_carry_the_remainder_over() {
        let r = rules();
        assert_eq!(r.exchangeable(1_234), (2, 234));
        assert_eq!(r.exchangeable(499), (0, 499));
        assert_eq!(r.exchangeable(-20), (0, -20));
    }

    #[rstest]
    #[case::zero_unit("exchange_unit = 0")]
    #[case::bad_offset("utc_offset_minutes = 2000")]
    #[case::repeated_rule(
        "[[rule]]\nid = \"a\"\npoints = 1\nonce_per = \"day\"\n[[rule]]\nid = \"a\"\npoints = 2\nonce_per = \"month\""
    )]
    #[case::unknown_key("bonus = 3")]
    #[case::unknown_period("[[rule]]\nid = \"a\"\npoints = 1\nonce_per = \"week\"")]
    fn bad_rules_are_refused_with_words(#[case] text: &str) {
        let e = PointsRules::from_toml(text).unwrap_err();
        assert!(e.to_string().contains("ポイント規則"), "{e}");
    }
}
