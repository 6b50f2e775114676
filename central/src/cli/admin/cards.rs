//! `admin card issue|revoke|list`: participant cards. Issuing makes a new card (the next serial,
//! signed with the program's card key) and revokes the participant's earlier ones, so a reissue
//! is simply another `issue`.
//!
//! Deliberately not here: the tag (`hakaru_central::cards::key`) and storage; participant
//! numbers are printed only where the administrator asked for them (`list`).

use super::Ctx;
use anyhow::Context as _;
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::{CardId, CardIssue};
use hakaru_wire::api::CardStatus;
use hakaru_wire::card::calendar_date;
use std::path::PathBuf;

const MS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// カードを発行（再発行も同じ。以前のカードは失効） / Issue a card (also reissue: earlier cards are revoked)
    Issue {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 参加者番号（繰り返し可） / Participant number (repeatable)
        #[arg(long = "participant")]
        participants: Vec<String>,
        /// 参加者番号を 1 行に 1 つ書いたファイル / A file with one participant number per line
        #[arg(long)]
        participants_file: Option<PathBuf>,
        /// 有効日数（省略時は無期限） / Days the card stays valid (default: no limit)
        #[arg(long)]
        valid_days: Option<u16>,
    },
    /// カードを失効（紛失・破損） / Revoke one card (lost, damaged)
    Revoke {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// カード番号「保有者番号-連番」（`admin card list` で表示） / Card id holder-serial (shown by `admin card list`)
        #[arg(long)]
        card: String,
    },
    /// カードの一覧（参加者番号を表示します） / List cards (shows participant numbers)
    List {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// この参加者のみ（繰り返し可） / Only these participants (repeatable)
        #[arg(long = "participant")]
        participants: Vec<String>,
    },
}

/// Runs one card command.
pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Issue {
            program,
            participants,
            participants_file,
            valid_days,
        } => {
            let participants = participant_list(participants, participants_file.as_deref())?;
            issue(ctx, &program, &participants, valid_days).await
        }
        Command::Revoke { program, card } => {
            let id: CardId = card.parse()?;
            let was_active = ctx
                .storage()
                .revoke_card(&program, id, ctx.now())
                .await
                .context("カードを失効できません / cannot revoke the card")?;
            if was_active {
                println!("カード {id} を失効しました / card {id} revoked");
            } else {
                println!("カード {id} は失効済みです / card {id} was revoked already");
            }
            Ok(())
        }
        Command::List {
            program,
            participants,
        } => {
            let wanted = (!participants.is_empty()).then_some(participants);
            let cards = ctx
                .storage()
                .cards(&program, wanted)
                .await
                .context("カードを読めません / cannot read the cards")?;
            println!("参加者 / participant\tカード / card\t状態 / status\t発行日 / issued\t有効期限 / expires");
            for c in &cards {
                let f = c.token.fields();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.participant,
                    CardId::of(&f),
                    status_words(c.status),
                    date_text(f.issued_day),
                    c.expires_day.map_or_else(|| "—".to_owned(), date_text)
                );
            }
            println!("{} 枚 / cards", cards.len());
            Ok(())
        }
    }
}

async fn issue(
    ctx: &Ctx,
    program: &ProgramId,
    participants: &[String],
    valid_days: Option<u16>,
) -> anyhow::Result<()> {
    if participants.is_empty() {
        anyhow::bail!(
            "参加者番号がありません。--participant か --participants-file で指定してください / \
             no participant given: use --participant or --participants-file"
        );
    }
    let rules = ctx.program_rules(program).await?;
    let local_ms = ctx.now().as_unix_ms() + i64::from(rules.utc_offset_minutes) * 60_000;
    let today = u16::try_from(local_ms.div_euclid(MS_PER_DAY))
        .context("日付が範囲外です / the date is out of range")?;
    let issue = CardIssue {
        issued_day: today,
        expires_day: valid_days.map(|d| today.saturating_add(d)),
    };
    for (i, participant) in participants.iter().enumerate() {
        let issued = ctx
            .storage()
            .issue_card(program, participant, issue, ctx.now())
            .await
            .with_context(|| {
                format!(
                    "{} 人目のカードを発行できません（それまでの {i} 枚は発行済み） / \
                     cannot issue card {} of {} (the {i} before it were issued)",
                    i + 1,
                    i + 1,
                    participants.len()
                )
            })?;
        let id = CardId::of(&issued.token.fields());
        let revoked: Vec<String> = issued.revoked.iter().map(ToString::to_string).collect();
        if revoked.is_empty() {
            println!(
                "[{}/{}] カード {id} を発行しました / card {id} issued",
                i + 1,
                participants.len()
            );
        } else {
            println!(
                "[{}/{}] カード {id} を発行し、{} を失効しました / card {id} issued, {} revoked",
                i + 1,
                participants.len(),
                revoked.join(", "),
                revoked.join(", ")
            );
        }
    }
    println!(
        "印刷は `admin card sheet --program {program} --out cards.pdf` / print them with \
         `admin card sheet --program {program} --out cards.pdf`"
    );
    Ok(())
}

/// The participant numbers from the arguments and the file (blank lines and `#` comments skipped).
fn participant_list(
    mut participants: Vec<String>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Vec<String>> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "{} を読めません / cannot read {}",
                path.display(),
                path.display()
            )
        })?;
        participants.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        );
    }
    Ok(participants)
}

fn status_words(status: CardStatus) -> &'static str {
    match status {
        CardStatus::Active => "有効 / active",
        CardStatus::Revoked => "失効 / revoked",
    }
}

fn date_text(day: u16) -> String {
    let (y, m, d) = calendar_date(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_participants_file_adds_one_number_per_line_skipping_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.txt");
        std::fs::write(&path, "# 11月の説明会\nA-1\n\n  A-2  \n").unwrap();
        let list = participant_list(vec!["A-0".into()], Some(&path)).unwrap();
        assert_eq!(list, ["A-0", "A-1", "A-2"]);
        let missing = participant_list(vec![], Some(&dir.path().join("nope"))).unwrap_err();
        assert!(missing.to_string().contains("cannot read"), "{missing}");
    }

    #[test]
    fn dates_print_as_calendar_days() {
        assert_eq!(date_text(20_780), "2026-11-23");
    }
}
