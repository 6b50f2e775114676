//! Checking a paper application typed in by staff at an explanation session against the
//! program's registration rules, giving every problem at once, each with a stable code the
//! staff screen words ([`Ineligibility::code`]).
//!
//! Judged here (from what the station knows): age in whole years on the application date, the
//! dates themselves, living or working in the area, the profile fields, the consent form, and
//! whether this station's roster already holds the number. Deliberately not here: duplicates
//! at other stations and the enrolment cap (the server judges those and its acknowledgement
//! settles the registration), and storing it (`Store::register_participant`).

use crate::domain::{BodyType, Date, ParticipantNumber, Profile, PurposeId, Sex};
use crate::store::{Store, StoreError};
use hakaru_devices::redact::REDACTED;
use std::fmt;

/// The application as staff typed it (the staff window's form).
#[derive(Clone, Copy)]
pub struct ApplicationInput<'a> {
    /// The participant number printed on the application.
    pub participant: &'a str,
    /// `YYYY-MM-DD`.
    pub birth_date: &'a str,
    /// `male` or `female`.
    pub sex: &'a str,
    /// Height in cm (80.0–250.0).
    pub height_cm: f64,
    /// `standard` or `athletic`.
    pub body_type: &'a str,
    /// Implanted electronic device: weight only, ever.
    pub implanted_device: bool,
    /// Lives or works in the program's area.
    pub lives_or_works_locally: bool,
    /// The application's date, `YYYY-MM-DD`.
    pub applied_on: &'a str,
    /// `on_screen` or `paper`.
    pub consent: &'a str,
    /// For `paper`: the purpose ids ticked on the form.
    pub paper_granted: &'a [String],
}

impl fmt::Debug for ApplicationInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationInput")
            .field("consent", &self.consent)
            .field("values", &REDACTED)
            .finish()
    }
}

/// How the participant consents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentChoice {
    /// On the kiosk's consent screen at their first measurement (nothing is stored now).
    OnScreen,
    /// On the paper form, witnessed by staff: these purposes granted, every other refused.
    Paper {
        /// The purposes ticked.
        granted: Vec<PurposeId>,
    },
}

/// An application that passed every check, ready for `Store::register_participant`. Only
/// [`check_application`] makes one, so nothing unchecked can be registered.
#[derive(Clone, PartialEq, Eq)]
pub struct Application {
    pub(crate) participant: ParticipantNumber,
    pub(crate) profile: Profile,
    pub(crate) applied_on: Date,
    pub(crate) lives_or_works_locally: bool,
    pub(crate) consent: ConsentChoice,
    /// The day it was checked (the documents in force on it are the ones a paper consent names).
    pub(crate) today: Date,
}

impl Application {
    /// The participant number.
    pub fn participant(&self) -> &ParticipantNumber {
        &self.participant
    }

    /// The profile the analyzer is preset with.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The application's date.
    pub fn applied_on(&self) -> Date {
        self.applied_on
    }

    /// Lives or works in the area.
    pub fn lives_or_works_locally(&self) -> bool {
        self.lives_or_works_locally
    }

    /// How they consent.
    pub fn consent(&self) -> &ConsentChoice {
        &self.consent
    }

    /// `on_screen` or `staff_witnessed_paper`.
    pub fn consent_method(&self) -> crate::domain::ConsentMethod {
        match self.consent {
            ConsentChoice::OnScreen => crate::domain::ConsentMethod::OnScreen,
            ConsentChoice::Paper { .. } => crate::domain::ConsentMethod::StaffWitnessedPaper,
        }
    }
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("consent_method", &self.consent_method())
            .field("values", &REDACTED)
            .finish()
    }
}

/// One reason an application cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ineligibility {
    /// Younger than the program's minimum age on the application date.
    #[error("申込日の時点で{min_age_years}歳以上の方が対象です。申込書の生年月日と申込日を確かめてください / applicants must be {min_age_years} or older on the application date: check the birth date and application date")]
    TooYoung {
        /// The rule.
        min_age_years: u8,
    },
    /// Neither lives nor works in the area, and the program requires it.
    #[error("対象は市内在住または在勤の方です。申込書の記載を確かめてください / the program is for people who live or work in the area: check the application")]
    NotLocal,
    /// This station's roster already holds the number.
    #[error("この参加者番号はすでに登録されています。申込書の番号を確かめてください / this participant number is already registered: check the number on the application")]
    AlreadyRegistered,
    /// Not a participant number.
    #[error("参加者番号の形式が正しくありません（英数字とハイフン、32文字まで） / the participant number is not valid (letters, digits and hyphens, up to 32): type it again")]
    BadParticipantNumber,
    /// Not a date, or in the future.
    #[error("生年月日が正しくありません（YYYY-MM-DD）。もう一度入力してください / the birth date is not valid (YYYY-MM-DD): type it again")]
    BadBirthDate,
    /// Not a date, after today, or before the birth date.
    #[error("申込日が正しくありません（YYYY-MM-DD、今日以前）。もう一度入力してください / the application date is not valid (YYYY-MM-DD, today or earlier): type it again")]
    BadAppliedOn,
    /// Outside 80.0–250.0 cm.
    #[error("身長は 80.0〜250.0 cm で入力してください / type a height between 80.0 and 250.0 cm")]
    BadHeight,
    /// Not `male` / `female`.
    #[error("性別を選んでください / choose the sex")]
    BadSex,
    /// Not `standard` / `athletic`.
    #[error(
        "体型（標準・アスリート）を選んでください / choose the body type (standard or athletic)"
    )]
    BadBodyType,
    /// Not `on_screen` / `paper`, a purpose this program does not have, or a paper consent
    /// while no documents are in force (nothing to have consented to).
    #[error("同意の方法または項目が正しくありません。画面で同意するか、紙の同意書の項目を選び直してください / the consent method or purposes are not valid: choose on-screen consent or tick the paper form's purposes again")]
    BadConsent,
    /// A paper consent that does not grant a required purpose: they cannot take part.
    #[error("必須の利用目的（{0}）への同意がないため登録できません。同意書を確かめてください / a required purpose ({0}) is not granted, so they cannot be registered: check the consent form")]
    RequiredPurposeNotGranted(String),
}

impl Ineligibility {
    /// The stable code the staff screen words.
    pub fn code(&self) -> &'static str {
        match self {
            Ineligibility::TooYoung { .. } => "too_young",
            Ineligibility::NotLocal => "not_local",
            Ineligibility::AlreadyRegistered => "already_registered",
            Ineligibility::BadParticipantNumber => "bad_participant_number",
            Ineligibility::BadBirthDate => "bad_birth_date",
            Ineligibility::BadAppliedOn => "bad_applied_on",
            Ineligibility::BadHeight => "bad_height",
            Ineligibility::BadSex => "bad_sex",
            Ineligibility::BadBodyType => "bad_body_type",
            Ineligibility::BadConsent => "bad_consent",
            Ineligibility::RequiredPurposeNotGranted(_) => "required_purpose_not_granted",
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A calendar date written exactly `YYYY-MM-DD` (1900 or later).
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let year: u16 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    ((1900..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day))
    .then_some(Date { year, month, day })
}

/// Checks the application against the rules in force (`Store::registration_rules`), the
/// purposes and documents the station holds, and this station's roster; `today` is the
/// station's local date. Returns every problem at once.
///
/// Should the store fail to answer, the application is refused as `bad_consent` (it cannot be
/// checked, so it is not registered); use [`try_check_application`] to tell that apart.
pub fn check_application(
    store: &Store,
    input: &ApplicationInput<'_>,
    today: Date,
) -> Result<Application, Vec<Ineligibility>> {
    match try_check_application(store, input, today) {
        Ok(checked) => checked,
        Err(e) => {
            tracing::error!(error = %e, "registration check could not read the store");
            Err(vec![Ineligibility::BadConsent])
        }
    }
}

/// [`check_application`], with a store failure as its own error.
pub fn try_check_application(
    store: &Store,
    input: &ApplicationInput<'_>,
    today: Date,
) -> Result<Result<Application, Vec<Ineligibility>>, StoreError> {
    match check(store, input, today) {
        Ok(app) => Ok(Ok(app)),
        Err(Checked::Problems(p)) => Ok(Err(p)),
        Err(Checked::Store(e)) => Err(e),
    }
}

enum Checked {
    Problems(Vec<Ineligibility>),
    Store(StoreError),
}

impl From<StoreError> for Checked {
    fn from(e: StoreError) -> Self {
        Checked::Store(e)
    }
}

fn check(store: &Store, input: &ApplicationInput<'_>, today: Date) -> Result<Application, Checked> {
    let rules = store.registration_rules()?;
    let mut problems = Vec::new();

    let participant = ParticipantNumber::new(input.participant.trim()).ok();
    match &participant {
        None => problems.push(Ineligibility::BadParticipantNumber),
        Some(p) => {
            if store.participant_on_roster(p)? {
                problems.push(Ineligibility::AlreadyRegistered);
            }
        }
    }

    let birth = parse_date(input.birth_date.trim()).filter(|d| *d <= today);
    if birth.is_none() {
        problems.push(Ineligibility::BadBirthDate);
    }
    let applied = parse_date(input.applied_on.trim())
        .filter(|d| *d <= today && birth.is_none_or(|b| *d >= b));
    if applied.is_none() {
        problems.push(Ineligibility::BadAppliedOn);
    }
    if let (Some(b), Some(a)) = (birth, applied) {
        if b.age_on(a) < u16::from(rules.min_age_years) {
            problems.push(Ineligibility::TooYoung {
                min_age_years: rules.min_age_years,
            });
        }
    }
    if rules.residency_required && !input.lives_or_works_locally {
        problems.push(Ineligibility::NotLocal);
    }

    let height = (input.height_cm.is_finite() && (80.0..=250.0).contains(&input.height_cm))
        .then(|| (input.height_cm * 10.0).round() as u16);
    if height.is_none() {
        problems.push(Ineligibility::BadHeight);
    }
    let sex = match input.sex.trim() {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    };
    if sex.is_none() {
        problems.push(Ineligibility::BadSex);
    }
    let body_type = match input.body_type.trim() {
        "standard" => Some(BodyType::Standard),
        "athletic" => Some(BodyType::Athletic),
        _ => None,
    };
    if body_type.is_none() {
        problems.push(Ineligibility::BadBodyType);
    }

    let consent = match input.consent.trim() {
        "on_screen" => Some(ConsentChoice::OnScreen),
        "paper" => check_paper(store, input.paper_granted, today, &mut problems)?,
        _ => {
            problems.push(Ineligibility::BadConsent);
            None
        }
    };

    match (participant, birth, applied, height, sex, body_type, consent) {
        (
            Some(participant),
            Some(birth_date),
            Some(applied_on),
            Some(h),
            Some(sex),
            Some(bt),
            Some(consent),
        ) if problems.is_empty() => Ok(Application {
            participant,
            profile: Profile {
                birth_date,
                sex,
                height_tenths_cm: h,
                body_type: bt,
                implanted_device: input.implanted_device,
            },
            applied_on,
            lives_or_works_locally: input.lives_or_works_locally,
            consent,
            today,
        }),
        _ => Err(Checked::Problems(problems)),
    }
}

fn check_paper(
    store: &Store,
    granted: &[String],
    today: Date,
    problems: &mut Vec<Ineligibility>,
) -> Result<Option<ConsentChoice>, StoreError> {
    let purposes = store.purposes()?;
    let documents = store.documents()?;
    let mut ok = true;
    if crate::session::consent::documents_in_force(&documents, today).is_empty() {
        problems.push(Ineligibility::BadConsent);
        ok = false;
    }
    let mut ids: Vec<PurposeId> = Vec::new();
    for g in granted {
        let id = PurposeId(g.trim().to_owned());
        if !purposes.iter().any(|p| p.id == id) {
            if ok {
                problems.push(Ineligibility::BadConsent);
            }
            ok = false;
        } else if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for p in purposes.iter().filter(|p| p.required) {
        if !ids.contains(&p.id) {
            problems.push(Ineligibility::RequiredPurposeNotGranted(p.id.0.clone()));
            ok = false;
        }
    }
    Ok(ok.then_some(ConsentChoice::Paper { granted: ids }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exact_calendar_days() {
        assert_eq!(
            parse_date("2000-02-29"),
            Some(Date {
                year: 2000,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "1900-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-4-01",
            "26-04-01",
            "",
            "1899-12-31",
            "２０２６-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_code_is_one_the_staff_screen_words() {
        let all = [
            Ineligibility::TooYoung { min_age_years: 20 },
            Ineligibility::NotLocal,
            Ineligibility::AlreadyRegistered,
            Ineligibility::BadParticipantNumber,
            Ineligibility::BadBirthDate,
            Ineligibility::BadAppliedOn,
            Ineligibility::BadHeight,
            Ineligibility::BadSex,
            Ineligibility::BadBodyType,
            Ineligibility::BadConsent,
            Ineligibility::RequiredPurposeNotGranted("service".into()),
        ];
        let codes: Vec<&str> = all.iter().map(Ineligibility::code).collect();
        assert_eq!(
            codes,
            [
                "too_young",
                "not_local",
                "already_registered",
                "bad_participant_number",
                "bad_birth_date",
                "bad_applied_on",
                "bad_height",
                "bad_sex",
                "bad_body_type",
                "bad_consent",
                "required_purpose_not_granted"
            ]
        );
        for i in &all {
            let text = i.to_string();
            assert!(text.contains(" / "), "{text}");
            assert!(!text.is_ascii(), "Japanese first: {text}");
        }
    }
}
