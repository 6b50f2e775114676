//! `admin card issue|revoke|list|sheet`: participant cards. Issuing makes a new card (the next serial,
//! signed with the program's card key) and revokes the participant's earlier ones, so a reissue
//! is simply another `issue`.
//!
//! Deliberately not here: the tag (`hakaru_central::cards::key`) and storage; participant
//! numbers are printed only where the administrator asked for them (`list`).

use super::Ctx;
use anyhow::Context as _;
use hakaru_central::cards::sheet::{self, SheetCard, SheetGeometry, SheetOptions};
use hakaru_central::ids::ProgramId;
use hakaru_central::storage::{CardId, CardIssue};
use hakaru_wire::api::CardStatus;
use hakaru_wire::card::calendar_date;
use std::path::{Path, PathBuf};

const MS_PER_DAY: i64 = 86_400_000;

/// Which participants: numbers given one by one and/or in a file.
#[derive(Debug, clap::Args)]
pub struct Participants {
    /// 参加者番号（繰り返し可） / Participant number (repeatable)
    #[arg(long = "participant")]
    numbers: Vec<String>,
    /// 参加者番号を 1 行に 1 つ書いたファイル（# はコメント） / A file with one participant number per line (# comments)
    #[arg(long)]
    participants_file: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// カードを発行（再発行も同じ。以前のカードは失効） / Issue a card (also reissue: earlier cards are revoked)
    Issue {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        #[command(flatten)]
        participants: Participants,
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
    /// 有効なカードを A4 の印刷用シート（PDF か SVG）に出力 / Print the active cards on A4 sheets (PDF or SVG)
    Sheet {
        /// プログラム ID / Program id
        #[arg(long)]
        program: ProgramId,
        /// 省略時は全員の有効なカード / Default: every active card
        #[command(flatten)]
        participants: Participants,
        /// 出力ファイル（.pdf、または .svg ならページごとに -1.svg, -2.svg …） / Output file (.pdf; or .svg, written as -1.svg, -2.svg … per page)
        #[arg(long)]
        out: PathBuf,
        /// 印刷する TrueType フォント / TrueType font to print with
        #[arg(long, default_value = sheet::DEFAULT_FONT_PATH)]
        font: PathBuf,
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
            valid_days,
        } => {
            let participants = participant_list(participants)?;
            issue(ctx, &program, &participants, valid_days).await
        }
        Command::Sheet {
            program,
            participants,
            out,
            font,
        } => {
            let participants = participant_list(participants)?;
            print_sheet(ctx, &program, participants, &out, font).await
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
            let wanted = (!participants.is_empty()).then_some(participants.clone());
            let cards = ctx
                .storage()
                .cards(&program, wanted)
                .await
                .context("カードを読めません / cannot read the cards")?;
            ctx.record_view("card_list", &program, &participants)
                .await?;
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

/// Writes the program's active cards (of `participants`, or everyone's) as a PDF, or as one SVG
/// per page.
async fn print_sheet(
    ctx: &Ctx,
    program: &ProgramId,
    participants: Vec<String>,
    out: &Path,
    font: PathBuf,
) -> anyhow::Result<()> {
    let name = ctx
        .storage()
        .program(program)
        .await
        .context("プログラムを読めません / cannot read the program")?
        .with_context(|| {
            format!(
                "プログラム {program} はありません / there is no program {program}: \
                 create it with `admin program create`"
            )
        })?
        .name_ja;
    let wanted = (!participants.is_empty()).then_some(participants.clone());
    let cards: Vec<SheetCard> = ctx
        .storage()
        .cards(program, wanted)
        .await
        .context("カードを読めません / cannot read the cards")?
        .into_iter()
        .filter(|c| c.status == CardStatus::Active)
        .map(|c| SheetCard {
            token: c.token.encode(),
            participant: c.participant,
            program_name: name.clone(),
        })
        .collect();
    if cards.is_empty() {
        anyhow::bail!(
            "印刷する有効なカードがありません。先に `admin card issue` で発行してください / \
             there are no active cards to print: issue them first with `admin card issue`"
        );
    }
    ctx.record_view("card_sheet", program, &participants)
        .await?;
    let options = SheetOptions {
        font_path: font,
        ..SheetOptions::default()
    };
    let written = match out.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("pdf") => {
            let pdf = sheet::render_pdf(&cards, &options)?;
            write(out, &pdf)?;
            vec![out.to_path_buf()]
        }
        Some(ext) if ext.eq_ignore_ascii_case("svg") => {
            let pages = sheet::render_svg(&cards, &options)?;
            let stem = out.with_extension("");
            let mut written = Vec::new();
            for (i, page) in pages.iter().enumerate() {
                let path = PathBuf::from(format!("{}-{}.svg", stem.display(), i + 1));
                write(&path, page.as_bytes())?;
                written.push(path);
            }
            written
        }
        _ => anyhow::bail!(
            "出力ファイルは .pdf か .svg にしてください: {} / the output must end in .pdf or .svg: {}",
            out.display(),
            out.display()
        ),
    };
    for path in &written {
        println!("{}", path.display());
    }
    let pages = SheetGeometry::new(&options)?.pages_for(cards.len());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    println!(
        "{} 枚のカードを {pages} ページに出力しました。実寸（100 %）で印刷し、トンボに沿って切ってください / \
         {} on {}: print at actual size (100 %) and cut along the marks",
        cards.len(),
        plural(cards.len(), "card"),
        plural(pages, "page"),
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| {
        format!(
            "{} に書き込めません / cannot write {}",
            path.display(),
            path.display()
        )
    })
}

/// The participant numbers from the arguments and the file (blank lines and `#` comments skipped).
fn participant_list(given: Participants) -> anyhow::Result<Vec<String>> {
    let mut participants = given.numbers;
    if let Some(path) = given.participants_file.as_deref() {
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
        let given = |numbers: Vec<String>, file| Participants {
            numbers,
            participants_file: Some(file),
        };
        let list = participant_list(given(vec!["A-0".into()], path)).unwrap();
        assert_eq!(list, ["A-0", "A-1", "A-2"]);
        let missing = participant_list(given(vec![], dir.path().join("nope"))).unwrap_err();
        assert!(missing.to_string().contains("cannot read"), "{missing}");
    }

    #[test]
    fn dates_print_as_calendar_days() {
        assert_eq!(date_text(20_780), "2026-11-23");
    }
}
