//! `demo-cards`: writes the demo kiosk's cards file (`[demo] cards_file`) — the token of every
//! active card of the demo program, with a note per participant — from the demo central
//! server's database. `scripts/demo` runs it after issuing the cards; the file is mode 0600
//! (tokens are what a card holds).
//!
//! ```text
//! cargo run -p hakaru-kiosk-app --example demo-cards -- --database target/demo/central.db \
//!     --program demo --out target/demo/demo-cards.toml --note 'D-0001=初めての方=First visit'
//! ```

#![allow(clippy::print_stdout)] // printing what was written is this tool's job

#[path = "../tests/support/cards.rs"]
mod cards;

use anyhow::{bail, Context};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut database = None;
    let mut program = None;
    let mut out = None;
    let mut notes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} の値がありません / {arg} needs a value"))
        };
        match arg.as_str() {
            "--database" => database = Some(PathBuf::from(value()?)),
            "--program" => program = Some(value()?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--note" => {
                let v = value()?;
                let mut parts = v.splitn(3, '=');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(n), Some(ja), Some(en)) => {
                        notes.push((n.to_owned(), ja.to_owned(), en.to_owned()))
                    }
                    _ => bail!(
                        "--note は 番号=日本語=English の形です / --note is NUMBER=日本語=English"
                    ),
                }
            }
            other => bail!("不明な引数 / unknown argument: {other}"),
        }
    }
    let (Some(database), Some(program), Some(out)) = (database, program, out) else {
        bail!("--database, --program, --out が必要です / --database, --program and --out are required");
    };
    let cards = cards::active_cards(&database, &program).await?;
    if cards.is_empty() {
        bail!("有効なカードがありません / there are no active cards: issue them with `admin card issue`");
    }
    let mut text = String::from(
        "# デモ用カード（scripts/demo が作成）/ Demo cards, written by scripts/demo.\n\
         # Demo participants are not real people.\n",
    );
    for card in &cards {
        let (ja, en) = notes
            .iter()
            .find(|(n, _, _)| *n == card.participant)
            .map(|(_, ja, en)| (ja.as_str(), en.as_str()))
            .unwrap_or(("デモ参加者", "Demo participant"));
        // A JSON string is a valid TOML basic string.
        text.push_str(&format!(
            "\n[[card]]\nparticipant = {}\ntoken = {}\nnote_ja = {}\nnote_en = {}\n",
            serde_json::to_string(&card.participant)?,
            serde_json::to_string(&card.token)?,
            serde_json::to_string(ja)?,
            serde_json::to_string(en)?,
        ));
    }
    let _ = std::fs::remove_file(&out);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&out)
        .with_context(|| {
            format!(
                "{} を書けません / cannot write {}",
                out.display(),
                out.display()
            )
        })?;
    file.write_all(text.as_bytes())?;
    println!(
        "{} 枚のデモ用カード / {} demo cards: {}",
        cards.len(),
        cards.len(),
        out.display()
    );
    Ok(())
}
