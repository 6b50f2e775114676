//! Every sentence a participant can see during a session, Japanese first and English second,
//! in plain words.
//!
//! Deliberately not here: document texts and purpose labels (they come from the policy store),
//! layout, furigana and speech (the kiosk UI).

use std::fmt;

/// One message in both languages. `ja` is shown first, `en` under it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Words {
    /// Japanese, shown first.
    pub ja: &'static str,
    /// English, shown second.
    pub en: &'static str,
}

impl Words {
    const fn new(ja: &'static str, en: &'static str) -> Words {
        Words { ja, en }
    }

    /// Splits a `"日本語 / English"` message from another layer (device error codes).
    pub fn from_pair(text: &'static str) -> Words {
        match text.split_once(" / ") {
            Some((ja, en)) => Words { ja, en },
            None => Words { ja: text, en: text },
        }
    }
}

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.ja, self.en)
    }
}

/// The card was read; the kiosk is looking the participant up.
pub const CARD_READ: Words = Words::new(
    "カードを読み取りました。少しお待ちください",
    "Your card was read. Please wait a moment",
);
/// Consent is needed before measuring.
pub const PLEASE_CONSENT: Words = Words::new(
    "測定の前に、内容を読んで同意するものを選んでください",
    "Before measuring, please read and choose what you agree to",
);
/// A document changed without needing new consent.
pub const POLICY_UPDATED: Words = Words::new(
    "説明の内容が新しくなりました。画面でご確認いただけます",
    "An explanation has been updated. You can read it on the screen",
);
/// The safety question.
pub const SAFETY_QUESTION: Words = Words::new(
    "ペースメーカーなど、体の中に電気で動く医療機器が入っていますか",
    "Do you have a pacemaker or another electronic medical device inside your body?",
);
/// Weight only, because of an implanted device.
pub const WEIGHT_ONLY: Words = Words::new(
    "安全のため、体重だけを測ります",
    "For your safety, only your weight will be measured",
);
/// The scale is being prepared.
pub const PREPARING_SCALE: Words = Words::new(
    "体組成計の準備をしています。まだ乗らないでください",
    "The scale is getting ready. Please do not step on yet",
);
/// Step on (composition).
pub const STEP_ON: Words = Words::new(
    "はだしで体組成計に乗り、じっとしていてください",
    "Please step onto the scale barefoot and stand still",
);
/// Step on (weight only).
pub const STEP_ON_WEIGHT_ONLY: Words = Words::new(
    "体重計に乗り、じっとしていてください",
    "Please step onto the scale and stand still",
);
/// Saving the result.
pub const SAVING: Words = Words::new("結果を保存しています", "Saving your result");
/// Results are shown.
pub const RESULTS: Words = Words::new("測定結果です", "Here is your result");
/// Points are not known yet (offline).
pub const POINTS_PENDING: Words = Words::new(
    "ポイントは後で加算されます",
    "Your points will be added later",
);
/// The idle warning.
pub const STILL_THERE: Words = Words::new(
    "続けますか?続ける場合は「続ける」を押してください。押さないと画面が消えます",
    "Do you want to continue? Press \"Continue\". If not, the screen will be cleared",
);
/// Thank you, at the end.
pub const THANK_YOU: Words = Words::new("ありがとうございました", "Thank you");
/// Staff must help.
pub const CALL_STAFF: Words = Words::new("係員をお呼びください", "Please call a staff member");
/// The card is not known.
pub const CARD_UNKNOWN: Words = Words::new(
    "このカードは使えません。係員をお呼びください",
    "This card cannot be used. Please call a staff member",
);
/// Looking up took too long or failed.
pub const LOOKUP_FAILED: Words = Words::new(
    "カードを確認できませんでした。係員をお呼びください",
    "Your card could not be checked. Please call a staff member",
);
/// A required purpose was refused.
pub const REQUIRED_REFUSED: Words = Words::new(
    "必要な項目に同意いただけなかったため、測定できません。同意しなかった記録は残ります。ご質問は係員へどうぞ",
    "We cannot measure without your agreement to the required items. Your choice has been noted. Please ask a staff member if you have questions",
);
/// The consent could not be saved.
pub const CONSENT_NOT_SAVED: Words = Words::new(
    "同意を保存できませんでした。係員をお呼びください",
    "Your agreement could not be saved. Please call a staff member",
);
/// The station has no documents in force.
pub const NO_DOCUMENTS: Words = Words::new(
    "この端末は準備中です。係員をお呼びください",
    "This kiosk is not ready yet. Please call a staff member",
);
/// The scale could not be prepared.
pub const SCALE_NOT_READY: Words = Words::new(
    "体組成計の準備ができませんでした。係員をお呼びください",
    "The scale could not be prepared. Please call a staff member",
);
/// The result could not be saved.
pub const RESULT_NOT_SAVED: Words = Words::new(
    "結果を保存できませんでした。係員をお呼びください",
    "Your result could not be saved. Please call a staff member",
);
/// The participant ended the session.
pub const STOPPED: Words = Words::new("測定をやめました", "The measurement was stopped");
/// A reading arrived with nobody to attach it to.
pub const READING_NO_SESSION: Words = Words::new(
    "先にカードをかざしてください",
    "Please scan your card first",
);
/// A reading arrived before the scale was prepared for this person.
pub const READING_TOO_EARLY: Words = Words::new(
    "まだ体組成計に乗らないでください",
    "Please do not step on the scale yet",
);
/// A reading's echoed profile does not match the person.
pub const READING_MISMATCH: Words = Words::new(
    "測定結果が設定と合いません。記録しませんでした。係員をお呼びください",
    "The result does not match your settings, so it was not saved. Please call a staff member",
);
/// A reading without a weight or with an unstable weight.
pub const READING_UNUSABLE: Words = Words::new(
    "うまく測れませんでした。もう一度乗ってください",
    "The measurement did not work. Please step on again",
);
/// A second reading while one is saved or shown.
pub const READING_ALREADY: Words =
    Words::new("測定は終わっています", "Your measurement is already done");

/// The card's participant withdrew their consent.
pub const CONSENT_WITHDRAWN: Words = Words::new(
    "同意を取り消されたため、測定結果は記録されません。これまでの記録の扱いや、再び参加したいときは、窓口（係員）にお申し出ください",
    "You have withdrawn your consent, so no measurement will be recorded. To ask about your earlier records, or to join again, please speak to the staff at the desk",
);
/// The card's participant asked for use of their data to stop.
pub const USE_STOPPED: Words = Words::new(
    "利用停止のお申し出により、測定結果は記録されません。これまでの記録の扱いや、再び利用したいときは、窓口（係員）にお申し出ください",
    "As you asked us to stop using your data, no measurement will be recorded. To ask about your earlier records, or to use the service again, please speak to the staff at the desk",
);

pub const ANALYZER_CHANGED: Words = Words::new(
    "測定器が交換されたため、この測定は記録されません。点検が終わるまでお待ちください。係員をお呼びください",
    "The analyzer was changed, so this measurement is not recorded. Please call a staff member: measuring resumes after a technician checks it",
);

/// Every message in this module, for the bilingual check.
pub const ALL: &[Words] = &[
    CARD_READ,
    PLEASE_CONSENT,
    POLICY_UPDATED,
    SAFETY_QUESTION,
    WEIGHT_ONLY,
    PREPARING_SCALE,
    STEP_ON,
    STEP_ON_WEIGHT_ONLY,
    SAVING,
    RESULTS,
    POINTS_PENDING,
    STILL_THERE,
    THANK_YOU,
    CALL_STAFF,
    CARD_UNKNOWN,
    LOOKUP_FAILED,
    REQUIRED_REFUSED,
    CONSENT_NOT_SAVED,
    NO_DOCUMENTS,
    SCALE_NOT_READY,
    RESULT_NOT_SAVED,
    STOPPED,
    READING_NO_SESSION,
    READING_TOO_EARLY,
    READING_MISMATCH,
    READING_UNUSABLE,
    READING_ALREADY,
    CONSENT_WITHDRAWN,
    USE_STOPPED,
    ANALYZER_CHANGED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_japanese_first_then_english() {
        for w in ALL {
            assert!(!w.ja.is_ascii(), "Japanese text expected: {w:?}");
            assert!(
                w.en.is_ascii() && !w.en.is_empty(),
                "English text expected: {w:?}"
            );
        }
    }

    #[test]
    fn device_messages_split_into_both_languages() {
        let w = Words::from_pair("ゼロ点が設定されていません / Zero point has not been set");
        assert_eq!(w.ja, "ゼロ点が設定されていません");
        assert_eq!(w.en, "Zero point has not been set");
    }
}
