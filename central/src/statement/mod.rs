//! Public statements generated from a program's configuration: 保有個人データに関する事項の公表
//! (what the law requires a program to publish: who holds the data, for which purposes, which
//! items, which contractors, what safety measures, how to make a request) and the 個人情報ファイル簿
//! entry (the municipality's register of personal-information files), both in Japanese.
//!
//! The purposes come from the database (the same rows the kiosk shows at consent), the items
//! from [`items`] (the list of what the server holds, kept next to the code that stores it), the
//! safety measures from what the system does by construction, and only the names, addresses,
//! desk and contractors from the program's privacy profile ([`profile`]). A statement therefore
//! cannot promise a purpose the kiosk does not ask, or omit one it does.
//!
//! Deliberately not here: publishing (the program posts the file), English versions (the law's
//! statements are Japanese; the kiosk shows the bilingual policy documents), and legal advice —
//! the profile's wording is the program's.

pub mod items;
pub mod profile;
mod render;

pub use render::{file_register, public_statement, StatementInputs};
