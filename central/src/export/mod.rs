//! Analysis exports of measurements: 仮名加工情報 (pseudonymised, for the program's own effect
//! analysis) and 匿名加工情報 (anonymized, for publication or provision), as a CSV file with a
//! manifest. Pure logic over the rows storage reads ([`crate::storage::export`]): which columns,
//! how they are generalised, k-anonymity, and the files' contents.
//!
//! Both exports include only participants who are active and whose latest consent grants the
//! export's purpose (storage selects them), and each is recorded as a transfer with an audit row
//! in the same transaction (storage again); here the writers say which participants and items
//! actually went out.
//!
//! Deliberately not here: SQL, the command line, and the clock (`now` is a parameter).

pub mod anonymize;
pub mod dates;
pub mod files;
pub mod items;
pub mod pseudonym;

use crate::storage::export::{ExportKind, ExportOutcome, ExportSourceRow};
use hakaru_wire::Timestamp;
use std::path::{Path, PathBuf};

/// The statement every anonymized export carries.
pub const ANONYMIZED_STATEMENT: &str =
    "これは匿名加工情報です / this is anonymously processed information";

/// The data file's name.
pub const DATA_FILE: &str = "data.csv";
/// The manifest's name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The public notice of items (anonymized exports).
pub const ITEMS_FILE: &str = "items.txt";

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The pseudonymisation key file.
    #[error("仮名化の鍵ファイル {path} を使えません: {reason} / cannot use the pseudonymisation key file {path}: {reason}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// An output file or folder.
    #[error("{path} に書き込めません。空のフォルダを --out に指定してください（既存のファイルは上書きしません） / cannot write {path}: give an empty folder as --out (existing files are never overwritten): {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A table about to be written, and who is in it.
#[derive(Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows (as many fields as columns).
    pub rows: Vec<Vec<String>>,
    /// Participant numbers whose data the rows carry (sorted, distinct) — for the transfer
    /// record only, never written.
    pub participants: Vec<String>,
    /// Source records left out (k-anonymity, unusable birth date).
    pub suppressed: usize,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("columns", &self.columns)
            .field("rows", &self.rows.len())
            .field("participants", &self.participants.len())
            .field("suppressed", &self.suppressed)
            .finish()
    }
}

/// One item of the manifest: column, Japanese description.
fn item_descriptions(kind: ExportKind) -> Vec<(String, String)> {
    let fixed: &[(&str, &str)] = match kind {
        ExportKind::Pseudonymised => &[
            ("pseudonym", "仮名ID（参加者番号を鍵付きハッシュで置き換えたもの） / pseudonym (keyed hash of the participant number)"),
            ("birth_year", "生年 / birth year"),
            ("sex", "性別 / sex"),
            ("municipality", "測定した端末の所在自治体 / municipality of the measuring station"),
            ("date", "測定日 / measurement date"),
            ("weight_only", "体重のみの測定（1=はい） / weight-only measurement (1 = yes)"),
        ],
        ExportKind::Anonymized => &[
            ("anon_id", "この提供限りの無作為なID（他の提供・参加者番号とは結び付きません） / random id for this export only (links to no participant number and no other export)"),
            ("age_band", "測定時の年齢（5歳階級、20歳未満・90歳以上はまとめて表示） / age at measurement in 5-year bands (<20 and 90+ grouped)"),
            ("sex", "性別 / sex"),
            ("municipality", "測定した端末の所在自治体 / municipality of the measuring station"),
            ("month", "測定年月 / measurement month"),
            ("weight_only", "体重のみの測定（1=はい） / weight-only measurement (1 = yes)"),
        ],
    };
    let mut out: Vec<(String, String)> = fixed
        .iter()
        .map(|(c, d)| ((*c).to_owned(), (*d).to_owned()))
        .collect();
    for v in items::VALUE_ITEMS {
        let unit = if v.unit.is_empty() {
            String::new()
        } else {
            format!("（{}）", v.unit)
        };
        let how = match kind {
            ExportKind::Pseudonymised => String::new(),
            ExportKind::Anonymized => format!(
                "、{}単位に丸め、{}以下・{}以上はまとめて表示",
                items::trim(v.step),
                items::trim(v.bottom),
                items::trim(v.top)
            ),
        };
        out.push((v.key.to_owned(), format!("{}{unit}{how} / {}", v.ja, v.key)));
    }
    out
}

/// What every export's writer needs besides the rows.
#[derive(Debug, Clone)]
pub struct ExportContext {
    /// The program id.
    pub program: String,
    /// The purpose id.
    pub purpose: String,
    /// The recipient as named.
    pub recipient: String,
    /// The program's offset from UTC in minutes (local dates).
    pub offset_minutes: i32,
    /// When the export is made.
    pub now: Timestamp,
    /// The output folder.
    pub out: PathBuf,
}

fn manifest(
    ctx: &ExportContext,
    kind: ExportKind,
    table: &Table,
    extra: serde_json::Value,
) -> String {
    let items: Vec<serde_json::Value> = item_descriptions(kind)
        .into_iter()
        .map(|(name, description)| serde_json::json!({ "name": name, "description": description }))
        .collect();
    let mut m = serde_json::json!({
        "kind": kind.name(),
        "label": kind.label(),
        "program": ctx.program,
        "purpose": ctx.purpose,
        "recipient": ctx.recipient,
        "created": dates::Date::of(ctx.now, ctx.offset_minutes).day_key(),
        "data_file": DATA_FILE,
        "items": items,
        "records": table.rows.len(),
    });
    if let (Some(m), serde_json::Value::Object(extra)) = (m.as_object_mut(), extra) {
        m.extend(extra);
    }
    // Pretty JSON of plain values cannot fail.
    serde_json::to_string_pretty(&m).unwrap_or_default() + "\n"
}

fn outcome(table: Table) -> ExportOutcome {
    ExportOutcome {
        participants: table.participants,
        items: table.columns,
    }
}

/// Writes a pseudonymised export of `rows` into `ctx.out`.
pub fn write_pseudonymised(
    ctx: &ExportContext,
    key: &pseudonym::PseudonymKey,
    rows: &[ExportSourceRow],
) -> Result<ExportOutcome, ExportError> {
    let table = pseudonym::pseudonymise(&ctx.program, key, ctx.offset_minutes, rows);
    files::prepare_dir(&ctx.out)?;
    files::write_new(
        &ctx.out,
        DATA_FILE,
        &files::csv(&table.columns, &table.rows),
    )?;
    let extra = serde_json::json!({
        "statement": "これは仮名加工情報です。他の情報と照合して本人を識別してはなりません。仮名化の鍵は別に保管しています / \
                      this is pseudonymously processed information: do not match it against other information to identify anyone; the pseudonymisation key is held apart",
        "participants": table.participants.len(),
    });
    files::write_new(
        &ctx.out,
        MANIFEST_FILE,
        &manifest(ctx, ExportKind::Pseudonymised, &table, extra),
    )?;
    Ok(outcome(table))
}

/// The Japanese public notice of an anonymized export's items.
pub fn items_notice(ctx: &ExportContext, k: usize, records: usize) -> String {
    let mut text = String::new();
    text.push_str("匿名加工情報の作成・提供に関する公表\n\n");
    text.push_str("これは匿名加工情報です。\n\n");
    text.push_str(&format!(
        "作成日: {}\n提供先: {}\n記録数: {records}\n\n",
        dates::Date::of(ctx.now, ctx.offset_minutes).day_key(),
        ctx.recipient
    ));
    text.push_str("匿名加工情報に含まれる個人に関する情報の項目:\n");
    for (_, description) in item_descriptions(ExportKind::Anonymized) {
        let ja = description.split(" / ").next().unwrap_or_default();
        text.push_str(&format!("・{ja}\n"));
    }
    text.push_str(&format!(
        "\n加工の方法: 参加者番号・カード番号・端末ID・生年月日・測定日時を削除または置き換え、\
         年齢は5歳階級、日付は年月、測定値は丸めて表示しています。\
         年齢階級・性別・自治体・測定年月の組み合わせごとに{k}人以上となるよう、\
         それに満たない記録は削除しています。\n\
         提供の方法: 電子ファイル（CSV）による提供。\n"
    ));
    text
}

/// Writes an anonymized export of `rows` into `ctx.out`, with `k` and fresh random ids.
pub fn write_anonymized(
    ctx: &ExportContext,
    k: usize,
    rows: &[ExportSourceRow],
) -> Result<ExportOutcome, ExportError> {
    let table = anonymize::anonymize(ctx.offset_minutes, k, rows, anonymize::random_id);
    files::prepare_dir(&ctx.out)?;
    files::write_new(
        &ctx.out,
        DATA_FILE,
        &files::csv(&table.columns, &table.rows),
    )?;
    let extra = serde_json::json!({
        "statement": ANONYMIZED_STATEMENT,
        "k": k,
        "quasi_identifiers": ["age_band", "sex", "municipality", "month"],
        "suppressed_records": table.suppressed,
    });
    files::write_new(
        &ctx.out,
        MANIFEST_FILE,
        &manifest(ctx, ExportKind::Anonymized, &table, extra),
    )?;
    files::write_new(
        &ctx.out,
        ITEMS_FILE,
        &items_notice(ctx, k, table.rows.len()),
    )?;
    Ok(outcome(table))
}

/// The files an export writes, for messages.
pub fn files_of(kind: ExportKind, out: &Path) -> Vec<PathBuf> {
    let mut names = vec![DATA_FILE, MANIFEST_FILE];
    if kind == ExportKind::Anonymized {
        names.push(ITEMS_FILE);
    }
    names.into_iter().map(|n| out.join(n)).collect()
}
