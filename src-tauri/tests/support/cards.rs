//! The active participant cards of a program, with their tokens, read from a central server's
//! SQLite database (tokens are made again from the program's card key, as `admin card sheet`
//! does). Used by the demo (`examples/demo-cards.rs`, which writes the demo's cards file) and by
//! the window test (which "scans" a card on a handheld reader).
//!
//! Deliberately not here: issuing cards (`hakaru-central admin card issue`).

use hakaru_central::ids::ProgramId;
use hakaru_central::storage::sqlite::SqliteStorage;
use hakaru_central::storage::Storage;
use hakaru_wire::api::CardStatus;
use std::path::Path;

/// One active card: the participant number it was issued to and the token its QR code holds.
pub struct ActiveCard {
    /// The participant number.
    pub participant: String,
    /// The token (`K1…`), as printed in the QR code.
    pub token: String,
}

/// Every active card of `program`, in participant order.
pub async fn active_cards(database: &Path, program: &str) -> anyhow::Result<Vec<ActiveCard>> {
    let storage = SqliteStorage::open(database)?;
    let program = ProgramId::new(program)?;
    let mut cards: Vec<ActiveCard> = storage
        .cards(&program, None)
        .await?
        .into_iter()
        .filter(|c| c.status == CardStatus::Active)
        .map(|c| ActiveCard {
            participant: c.participant,
            token: c.token.encode(),
        })
        .collect();
    cards.sort_by(|a, b| a.participant.cmp(&b.participant));
    Ok(cards)
}
