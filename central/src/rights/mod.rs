//! Rights requests as a participant meets them: the answer period in Japanese calendar days
//! (`dates`), and the disclosure bundle of everything held about them as JSON (`disclosure`) and
//! as a printable A4 page set in Japanese with English (`pdf`).
//!
//! Deliberately not here: storage (`storage::rights` and the backends) and commands (`cli`).

pub mod dates;
pub mod disclosure;
pub mod operator;
pub mod pdf;
