//! Deciding whether a participant must (re-)consent before measuring: a pure function of the
//! policy documents, the program's purposes, the participant's latest decision and the day.
//!
//! Deliberately not here: storing decisions (the store), drawing the consent screen (the UI),
//! and the session's waiting and timeouts ([`super::Session`]).

use crate::domain::{
    ConsentDecision, ConsentMethod, Date, DocumentKind, DocumentVersion, Purpose, PurposeId,
};
use std::cmp::Ordering;

/// Why a participant must decide again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum ConsentReason {
    /// No decision on file at all: first visit.
    FirstTime,
    /// A document kind the participant never accepted (e.g. newly introduced).
    DocumentNeverAccepted(DocumentKind),
    /// A version after the one accepted says earlier consent is not enough.
    FreshConsentRequired(DocumentKind),
    /// A purpose the participant has never decided on.
    NewPurpose(PurposeId),
    /// A required purpose the participant refused last time (they may decide differently).
    RequiredPurposeRefused(PurposeId),
}

/// The outcome of [`consent_needed`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ConsentNeed {
    /// The decision on file covers every document in force and every purpose.
    OnFile {
        /// Kinds whose text changed since acceptance without needing fresh consent (notify only).
        updated: Vec<DocumentKind>,
    },
    /// The participant must decide; the reasons say why (for the screen's heading).
    Needed {
        /// At least one reason.
        reasons: Vec<ConsentReason>,
    },
    /// No document is in force today: the station has not synced its policies. Nobody can
    /// consent to nothing, so nobody can be measured.
    NoDocumentsInForce,
}

fn order(a: &DocumentVersion, b: &DocumentVersion) -> Ordering {
    (a.effective, a.version.as_str()).cmp(&(b.effective, b.version.as_str()))
}

/// The version of each kind in force on `today` (every language of it), in kind order.
///
/// A version is in force from its effective date until a later version takes effect. Future
/// versions are ignored.
pub fn documents_in_force(documents: &[DocumentVersion], today: Date) -> Vec<&DocumentVersion> {
    let mut out = Vec::new();
    for kind in kinds(documents) {
        let current = documents
            .iter()
            .filter(|d| d.kind == kind && d.effective <= today)
            .max_by(|a, b| order(a, b));
        if let Some(current) = current {
            out.extend(
                documents
                    .iter()
                    .filter(|d| d.kind == kind && order(d, current) == Ordering::Equal),
            );
        }
    }
    out
}

fn kinds<'a>(documents: impl IntoIterator<Item = &'a DocumentVersion>) -> Vec<DocumentKind> {
    let mut kinds: Vec<DocumentKind> = Vec::new();
    for d in documents {
        if !kinds.contains(&d.kind) {
            kinds.push(d.kind);
        }
    }
    kinds
}

/// Decides whether the participant must consent before measuring.
///
/// - `documents`: every known version of every document the program requires, all languages
///   (history included, so a "needs fresh consent" version in between is seen).
/// - `purposes`: the program's purposes, required and optional.
/// - `latest`: the participant's latest decision, if any.
///
/// A decision covers a document if it names the content hash of any language of the version in
/// force. A later version only forces a new decision if it, or a version between it and the one
/// accepted, has `needs_fresh_consent`. Every purpose must have been decided (granted or
/// refused), and every required purpose granted.
pub fn consent_needed(
    documents: &[DocumentVersion],
    purposes: &[Purpose],
    latest: Option<&ConsentDecision>,
    today: Date,
) -> ConsentNeed {
    let in_force = documents_in_force(documents, today);
    if in_force.is_empty() {
        return ConsentNeed::NoDocumentsInForce;
    }
    let Some(latest) = latest else {
        return ConsentNeed::Needed {
            reasons: vec![ConsentReason::FirstTime],
        };
    };
    let accepted = |d: &DocumentVersion| latest.document_hashes.contains(&d.content_hash);
    let mut reasons = Vec::new();
    let mut updated = Vec::new();
    for kind in kinds(in_force.iter().copied()) {
        let Some(current) = in_force.iter().find(|d| d.kind == kind) else {
            continue;
        };
        // Versions of this kind the decision names (any language).
        let last_accepted = documents
            .iter()
            .filter(|d| d.kind == kind && accepted(d))
            .max_by(|a, b| order(a, b));
        let Some(last_accepted) = last_accepted else {
            reasons.push(ConsentReason::DocumentNeverAccepted(kind));
            continue;
        };
        match order(last_accepted, current) {
            Ordering::Equal | Ordering::Greater => {}
            Ordering::Less => {
                let fresh = documents.iter().any(|d| {
                    d.kind == kind
                        && d.needs_fresh_consent
                        && order(d, last_accepted) == Ordering::Greater
                        && order(d, current) != Ordering::Greater
                });
                if fresh {
                    reasons.push(ConsentReason::FreshConsentRequired(kind));
                } else {
                    updated.push(kind);
                }
            }
        }
    }
    for p in purposes {
        if latest.granted.contains(&p.id) {
            continue;
        }
        if latest.refused.contains(&p.id) {
            if p.required {
                reasons.push(ConsentReason::RequiredPurposeRefused(p.id.clone()));
            }
        } else {
            reasons.push(ConsentReason::NewPurpose(p.id.clone()));
        }
    }
    if reasons.is_empty() {
        ConsentNeed::OnFile { updated }
    } else {
        ConsentNeed::Needed { reasons }
    }
}

/// The decision a participant made on screen: opt-in, so every purpose not granted is refused.
/// Names every language of every document in force.
pub fn decision_from_answer(
    in_force: &[DocumentVersion],
    purposes: &[Purpose],
    granted: &[PurposeId],
    method: ConsentMethod,
) -> ConsentDecision {
    let (granted, refused): (Vec<&Purpose>, Vec<&Purpose>) =
        purposes.iter().partition(|p| granted.contains(&p.id));
    ConsentDecision {
        document_hashes: in_force.iter().map(|d| d.content_hash.clone()).collect(),
        granted: granted.into_iter().map(|p| p.id.clone()).collect(),
        refused: refused.into_iter().map(|p| p.id.clone()).collect(),
        method,
    }
}

/// Whether `decision` grants every required purpose.
pub fn grants_all_required(decision: &ConsentDecision, purposes: &[Purpose]) -> bool {
    purposes
        .iter()
        .filter(|p| p.required)
        .all(|p| decision.granted.contains(&p.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const TODAY: Date = Date {
        year: 2026,
        month: 6,
        day: 1,
    };

    fn doc(
        kind: DocumentKind,
        version: &str,
        month: u8,
        fresh: bool,
        lang: &str,
    ) -> DocumentVersion {
        DocumentVersion {
            kind,
            version: version.to_owned(),
            language: lang.to_owned(),
            effective: Date {
                year: 2026,
                month,
                day: 1,
            },
            content_hash: format!("{kind:?}-{version}-{lang}"),
            needs_fresh_consent: fresh,
        }
    }

    fn purpose(id: &str, required: bool) -> Purpose {
        Purpose {
            id: PurposeId(id.to_owned()),
            required,
            label_ja: "目的".to_owned(),
            label_en: "purpose".to_owned(),
        }
    }

    fn purposes() -> Vec<Purpose> {
        vec![purpose("service", true), purpose("research", false)]
    }

    /// Terms v1 (Jan), v2 (Mar, notify only), v3 (Jul, future, fresh); privacy p1 (Jan), p2
    /// (May, fresh) — in Japanese and English.
    fn documents() -> Vec<DocumentVersion> {
        use DocumentKind::*;
        let mut out = Vec::new();
        for lang in ["ja", "en"] {
            out.push(doc(Terms, "v1", 1, false, lang));
            out.push(doc(Terms, "v2", 3, false, lang));
            out.push(doc(Terms, "v3", 7, true, lang));
            out.push(doc(PrivacyPolicy, "p1", 1, false, lang));
            out.push(doc(PrivacyPolicy, "p2", 5, true, lang));
        }
        out
    }

    fn decision(hashes: &[&str], granted: &[&str], refused: &[&str]) -> ConsentDecision {
        ConsentDecision {
            document_hashes: hashes.iter().map(|h| (*h).to_owned()).collect(),
            granted: granted.iter().map(|p| PurposeId((*p).to_owned())).collect(),
            refused: refused.iter().map(|p| PurposeId((*p).to_owned())).collect(),
            method: ConsentMethod::OnScreen,
        }
    }

    fn needed(reasons: Vec<ConsentReason>) -> ConsentNeed {
        ConsentNeed::Needed { reasons }
    }

    fn on_file(updated: Vec<DocumentKind>) -> ConsentNeed {
        ConsentNeed::OnFile { updated }
    }

    #[rstest]
    #[case::first_visit_needs_consent(None, needed(vec![ConsentReason::FirstTime]))]
    #[case::current_versions_and_all_purposes_decided_are_on_file(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p2-ja"], &["service"], &["research"])),
        on_file(vec![]))]
    #[case::accepting_in_english_counts_for_the_version(
        Some(decision(&["Terms-v2-en", "PrivacyPolicy-p2-en"], &["service", "research"], &[])),
        on_file(vec![]))]
    #[case::notify_only_update_keeps_consent_and_reports_the_update(
        Some(decision(&["Terms-v1-ja", "PrivacyPolicy-p2-ja"], &["service"], &["research"])),
        on_file(vec![DocumentKind::Terms]))]
    #[case::newer_version_needing_fresh_consent_forces_reconsent(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p1-ja"], &["service"], &["research"])),
        needed(vec![ConsentReason::FreshConsentRequired(DocumentKind::PrivacyPolicy)]))]
    #[case::future_version_needing_fresh_consent_does_not_count_yet(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p2-ja"], &["service"], &["research"])),
        on_file(vec![]))]
    #[case::document_never_accepted_needs_consent(
        Some(decision(&["Terms-v2-ja"], &["service"], &["research"])),
        needed(vec![ConsentReason::DocumentNeverAccepted(DocumentKind::PrivacyPolicy)]))]
    #[case::new_purpose_needs_a_decision(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p2-ja"], &["service"], &[])),
        needed(vec![ConsentReason::NewPurpose(PurposeId("research".into()))]))]
    #[case::refused_required_purpose_is_asked_again(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p2-ja"], &["research"], &["service"])),
        needed(vec![ConsentReason::RequiredPurposeRefused(PurposeId("service".into()))]))]
    #[case::refused_optional_purpose_is_a_valid_decision(
        Some(decision(&["Terms-v2-ja", "PrivacyPolicy-p2-ja"], &["service"], &["research"])),
        on_file(vec![]))]
    fn consent_needed_cases(
        #[case] latest: Option<ConsentDecision>,
        #[case] expected: ConsentNeed,
    ) {
        assert_eq!(
            consent_needed(&documents(), &purposes(), latest.as_ref(), TODAY),
            expected
        );
    }

    #[test]
    fn fresh_version_between_accepted_and_current_forces_reconsent() {
        // p1 accepted; p2 (fresh) then p3 (notify only) in force: p2's demand still holds.
        let mut docs = documents();
        docs.push(doc(DocumentKind::PrivacyPolicy, "p3", 6, false, "ja"));
        let latest = decision(
            &["Terms-v2-ja", "PrivacyPolicy-p1-ja"],
            &["service", "research"],
            &[],
        );
        assert_eq!(
            consent_needed(&docs, &purposes(), Some(&latest), TODAY),
            needed(vec![ConsentReason::FreshConsentRequired(
                DocumentKind::PrivacyPolicy
            )])
        );
    }

    #[test]
    fn no_document_in_force_is_reported_not_waved_through() {
        let future = vec![doc(DocumentKind::Terms, "v9", 12, false, "ja")];
        assert_eq!(
            consent_needed(&future, &purposes(), None, TODAY),
            ConsentNeed::NoDocumentsInForce
        );
    }

    #[test]
    fn in_force_lists_every_language_of_the_current_version_only() {
        let docs = documents();
        let mut hashes: Vec<&str> = documents_in_force(&docs, TODAY)
            .iter()
            .map(|d| d.content_hash.as_str())
            .collect();
        hashes.sort_unstable();
        assert_eq!(
            hashes,
            [
                "PrivacyPolicy-p2-en",
                "PrivacyPolicy-p2-ja",
                "Terms-v2-en",
                "Terms-v2-ja"
            ]
        );
    }

    #[test]
    fn an_answer_refuses_every_purpose_not_granted() {
        let docs = documents();
        let in_force: Vec<DocumentVersion> = documents_in_force(&docs, TODAY)
            .into_iter()
            .cloned()
            .collect();
        let d = decision_from_answer(
            &in_force,
            &purposes(),
            &[PurposeId("service".into()), PurposeId("unknown".into())],
            ConsentMethod::OnScreen,
        );
        assert_eq!(d.granted, [PurposeId("service".into())]);
        assert_eq!(d.refused, [PurposeId("research".into())]);
        assert_eq!(d.document_hashes.len(), 4);
        assert!(grants_all_required(&d, &purposes()));
        // And the answer is on file afterwards.
        assert_eq!(
            consent_needed(&docs, &purposes(), Some(&d), TODAY),
            on_file(vec![])
        );
    }
}
