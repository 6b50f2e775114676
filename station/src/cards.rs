//! Checking a scanned participant card against what the station synced: the only way a card
//! becomes a participant number for a session.
//!
//! In this order (reference/qr-cards.md §4.4): the text must be a card token (`K1…`, 36
//! characters; lower case accepted), of this station's program, naming a card holder on the
//! roster, with the holder's current active serial, not past its expiry, and with a tag whose
//! SHA-256 equals the one the roster carries (compared in constant time). Each refusal is a
//! [`CardRejection`] with words for the screen. A genuine card (tag checked) of a participant
//! who withdrew or stopped use is NOT refused here: it starts a session whose look-up ends it
//! with the explanation (`EndReason::ConsentWithdrawn` / `UseStopped`), even when the card was
//! revoked or replaced meanwhile.
//!
//! Deliberately not here: reading cards (`hakaru_devices::card`) and making them (only the
//! central server holds the key; the station has tag hashes).

use crate::domain::{Date, ParticipantNumber};
use crate::session::words::Words;
use crate::store::{CardStatus, Standing, Store, StoreError};
use hakaru_wire::card::{day_number, CardToken, TokenError};
use std::fmt;

/// Why a scanned card does not start a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardRejection {
    /// Not a Hakaru card at all (another QR code, typing).
    #[error("not a Hakaru card")]
    NotOurs,
    /// Card-shaped but damaged, misread or mistyped.
    #[error("malformed card")]
    Malformed,
    /// A card of another program.
    #[error("another program's card")]
    OtherProgram,
    /// The card's holder is not on this station's roster (or the card is newer than the roster).
    #[error("card holder not on the roster")]
    UnknownParticipant,
    /// Replaced by a newer card, or revoked (lost, withdrawn).
    #[error("revoked card")]
    Revoked,
    /// Past its last day of use.
    #[error("expired card")]
    Expired,
    /// The tag does not match: forged or altered.
    #[error("card signature does not match")]
    BadSignature,
    /// The station has not received its roster yet, so no card can be checked.
    #[error("no roster yet")]
    NoRoster,
}

impl CardRejection {
    /// What the kiosk shows (Japanese first). Never names the participant.
    pub fn words(self) -> Words {
        Words::from_pair(match self {
            CardRejection::NotOurs => {
                "参加者カードの QR コードをかざしてください / \
                 please show the QR code on your participant card"
            }
            CardRejection::Malformed => {
                "カードを読み取れませんでした。もう一度かざしてください / \
                 the card could not be read: please show it again"
            }
            CardRejection::OtherProgram => {
                "このカードは別の事業のものです。この会場では使えません / \
                 this card belongs to another program and cannot be used here"
            }
            CardRejection::UnknownParticipant => {
                "このカードは登録が見つかりません。係員にお声がけください / \
                 this card is not on the list here: please ask a staff member"
            }
            CardRejection::Revoked => {
                "このカードは使えなくなっています（再発行済みなど）。係員にお声がけください / \
                 this card is no longer valid (it may have been replaced): please ask a staff member"
            }
            CardRejection::Expired => {
                "このカードは有効期限が切れています。係員にお声がけください / \
                 this card has expired: please ask a staff member"
            }
            CardRejection::BadSignature => {
                "このカードは確認できませんでした。係員にお声がけください / \
                 this card could not be verified: please ask a staff member"
            }
            CardRejection::NoRoster => {
                "この端末はまだ名簿を受け取っていません。係員にお声がけください / \
                 this kiosk has not received the participant list yet: please ask a staff member"
            }
        })
    }
}

impl From<TokenError> for CardRejection {
    fn from(e: TokenError) -> CardRejection {
        match e {
            TokenError::NotOurs => CardRejection::NotOurs,
            TokenError::Malformed => CardRejection::Malformed,
        }
    }
}

/// A card that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedCard {
    /// Whose card it is.
    pub participant: ParticipantNumber,
    /// The card's holder number (for a staff revocation).
    pub holder: u32,
    /// The card's serial.
    pub serial: u16,
}

impl fmt::Debug for VerifiedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCard")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Checks what a reader delivered against the station's synced cards, on `today` (the
/// station's local date). The outer `Err` is a store failure; the inner one a refusal.
pub fn verify(
    store: &Store,
    text: &str,
    today: Date,
) -> Result<Result<VerifiedCard, CardRejection>, StoreError> {
    let token = match CardToken::parse(text) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e.into())),
    };
    let Some(program) = store.card_program()? else {
        return Ok(Err(CardRejection::NoRoster));
    };
    let fields = token.fields();
    if fields.program != program {
        return Ok(Err(CardRejection::OtherProgram));
    }
    let cards = store.cards_of_holder(fields.holder)?;
    let Some(newest) = cards.first() else {
        return Ok(Err(CardRejection::UnknownParticipant));
    };
    let Some(card) = cards.iter().find(|c| c.serial == fields.serial) else {
        // A serial the roster has not seen: older ones are all listed, so it is newer than the
        // station's roster (or made up) — either way not usable here yet.
        return Ok(Err(if fields.serial < newest.serial {
            CardRejection::Revoked
        } else {
            CardRejection::UnknownParticipant
        }));
    };
    let genuine =
        token.tag_hash().matches(&card.tag_sha256) && card.issued_day == fields.issued_day;
    if genuine
        && !matches!(
            store.participant_standing(&card.participant)?,
            Some(Standing::Active(_))
        )
    {
        // A genuine card of someone withdrawn or stopped (or gone from the roster): the
        // session's look-up says which and why — not "revoked" or "expired", which would send
        // them to staff for a new card they must not be given.
        return Ok(Ok(VerifiedCard {
            participant: card.participant.clone(),
            holder: fields.holder,
            serial: fields.serial,
        }));
    }
    if card.status != CardStatus::Active || card.serial != newest.serial {
        return Ok(Err(CardRejection::Revoked));
    }
    let today = day_number(today.year, today.month, today.day).unwrap_or(u16::MAX);
    if card.expires_day.is_some_and(|last| today > last) {
        return Ok(Err(CardRejection::Expired));
    }
    if !genuine {
        return Ok(Err(CardRejection::BadSignature));
    }
    Ok(Ok(VerifiedCard {
        participant: card.participant.clone(),
        holder: fields.holder,
        serial: fields.serial,
    }))
}
