//! The two statements as Markdown (plain Japanese text with headings and tables, ready to post
//! or to paste into the program's site).
//!
//! Deliberately not here: reading the database (the caller gathers [`StatementInputs`]).

use super::items::HELD_ITEMS;
use super::profile::PrivacyProfile;
use hakaru_wire::api::{DocumentKind, PurposeDef};
use std::fmt::Write as _;

/// Everything a statement is made from.
#[derive(Debug, Clone)]
pub struct StatementInputs {
    /// The program's Japanese name.
    pub program_name_ja: String,
    /// The consent purposes, as the kiosk asks them.
    pub purposes: Vec<PurposeDef>,
    /// The policy documents in force: kind, version, effective date.
    pub documents: Vec<(DocumentKind, String, String)>,
    /// Years the transfer records are kept.
    pub transfer_record_years: u32,
    /// The program's own facts.
    pub profile: PrivacyProfile,
    /// The date the statement is made, `YYYY-MM-DD`.
    pub made_on: String,
}

/// What the system does by construction, one sentence each (organisational measures the
/// program adds come from the profile).
const SYSTEM_MEASURES_JA: &[&str] = &[
    "参加者は参加者番号で管理し、氏名・住所は本システムに保有しません。",
    "測定端末のデータベースは暗号化（SQLCipher、AES-256）し、鍵は別のファイルに保管します。端末の盗難・紛失時も内容は読めません。",
    "端末とサーバーの通信は TLS で暗号化し、端末ごとの認証情報で相手を確認します。",
    "測定結果は、目的ごとの同意が記録されるまで保存しません。",
    "画面の個人データは本人の測定中だけ表示し、終了時に消去します。",
    "職員のパスワードは復元できない形（argon2）で保存し、繰り返し誤るとロックします。",
    "操作の記録（監査ログ）はハッシュでつないで保存し、書き換え・削除を検出します。",
    "個人データの受け渡しはすべて記録し、一定期間保存した後に消去します。",
    "分析には仮名加工または匿名加工したデータだけを使い、仮名化の鍵はデータと別に管理します。",
];

fn document_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Terms => "利用規約",
        DocumentKind::PrivacyPolicy => "プライバシーポリシー",
        DocumentKind::MeasurementNotice => "測定についての説明",
    }
}

fn purpose_lines(purposes: &[PurposeDef]) -> String {
    let mut out = String::new();
    for p in purposes.iter().filter(|p| p.required) {
        let _ = writeln!(out, "- {}（必須）", p.label_ja);
    }
    for p in purposes.iter().filter(|p| !p.required) {
        let _ = writeln!(out, "- {}（任意：同意された方のデータのみ）", p.label_ja);
    }
    if out.is_empty() {
        out.push_str("- （目的が登録されていません。登録されるまで測定結果は保存されません）\n");
    }
    out
}

fn contractor_lines(p: &PrivacyProfile) -> String {
    if p.contractors.is_empty() {
        return "個人データの取扱いの委託・提供は行いません。\n".to_owned();
    }
    let mut out = String::from("| 相手先 | 所在地 | 内容 | 区分 |\n|---|---|---|---|\n");
    for c in &p.contractors {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.name_ja,
            c.address_ja,
            c.role_ja,
            c.flow.label_ja()
        );
    }
    out
}

/// 保有個人データに関する事項の公表.
pub fn public_statement(i: &StatementInputs) -> String {
    let p = &i.profile;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} 保有個人データに関する事項の公表\n",
        i.program_name_ja
    );
    let _ = writeln!(s, "作成日：{}\n", i.made_on);
    let _ = writeln!(s, "## 1. 保有する機関\n");
    let _ = writeln!(s, "- 名称：{}", p.controller.name_ja);
    let _ = writeln!(s, "- 所在地：{}", p.controller.address_ja);
    if let Some(r) = &p.controller.representative_ja {
        let _ = writeln!(s, "- 代表者：{r}");
    }
    let _ = writeln!(s, "\n## 2. 利用目的\n");
    s.push_str(&purpose_lines(&i.purposes));
    let _ = writeln!(
        s,
        "\n測定結果は要配慮個人情報として扱い、あらかじめ本人の同意を得た目的にだけ利用します。"
    );
    let _ = writeln!(s, "\n## 3. 保有する項目\n");
    s.push_str("| 項目 | 内容 | 要配慮個人情報 |\n|---|---|---|\n");
    for item in HELD_ITEMS {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            item.name_ja,
            item.contents_ja,
            if item.sensitive {
                "含む"
            } else {
                "含まない"
            }
        );
    }
    let _ = writeln!(s, "\n## 4. 委託・提供\n");
    s.push_str(&contractor_lines(p));
    let _ = writeln!(
        s,
        "\n測定端末からサーバーへの送信は委託として扱い、日時・相手先・対象者・項目を記録して {} 年間保存します。",
        i.transfer_record_years
    );
    let _ = writeln!(s, "\n## 5. 保管場所と保存期間\n");
    let _ = writeln!(s, "- 保管場所：{}", p.data_location_ja);
    let _ = writeln!(
        s,
        "- 測定端末：サーバーへの送信が確認された測定結果は {} 日後に端末から消去します。",
        p.station_retention_days
    );
    let _ = writeln!(
        s,
        "- サーバー：参加中は保存し、消去の請求があったときは遅滞なく消去します。"
    );
    let _ = writeln!(
        s,
        "- 提供・委託の記録：{} 年間保存した後に消去します。",
        i.transfer_record_years
    );
    let _ = writeln!(s, "\n## 6. 安全管理措置\n");
    for m in SYSTEM_MEASURES_JA {
        let _ = writeln!(s, "- {m}");
    }
    for m in &p.extra_safety_measures_ja {
        let _ = writeln!(s, "- {m}");
    }
    let _ = writeln!(s, "\n## 7. 開示・訂正・利用停止・消去・同意の撤回の請求\n");
    let _ = writeln!(
        s,
        "次の窓口で受け付けます。本人であることを確認したうえで、受付から 30 日以内に決定をお知らせします（やむを得ない場合は、理由を示して 30 日以内に限り延長することがあります）。\n"
    );
    let _ = writeln!(s, "- 窓口：{}", p.desk.name_ja);
    let _ = writeln!(s, "- 受付時間：{}", p.desk.hours_ja);
    let _ = writeln!(s, "- 電話：{}", p.desk.phone);
    if let Some(mail) = &p.desk.email {
        let _ = writeln!(s, "- メール：{mail}");
    }
    let _ = writeln!(
        s,
        "\n開示は、測定結果・同意の記録・カード・ポイント・提供や委託の記録を含め、電子データ（JSON）または書面（PDF）でお渡しします。\
         同意を撤回された場合は、各測定端末が次に同期した時点から、その方の測定結果を記録しません。"
    );
    let _ = writeln!(s, "\n## 8. 匿名加工情報\n");
    let _ = writeln!(
        s,
        "統計のために匿名加工情報を作成したときは、その都度、含まれる項目を公表します。"
    );
    if !i.documents.is_empty() {
        let _ = writeln!(s, "\n## 9. 現在の規約・ポリシー\n");
        for (kind, version, effective) in &i.documents {
            let _ = writeln!(
                s,
                "- {}（版 {version}、{effective} 施行）",
                document_name(*kind)
            );
        }
    }
    s
}

/// The 個人情報ファイル簿 entry (法75条) for the program's file.
pub fn file_register(i: &StatementInputs) -> String {
    let p = &i.profile;
    let purposes: Vec<&str> = i.purposes.iter().map(|p| p.label_ja.as_str()).collect();
    let items: Vec<&str> = HELD_ITEMS.iter().map(|h| h.name_ja).collect();
    let recipients = if p.contractors.is_empty() {
        "なし".to_owned()
    } else {
        p.contractors
            .iter()
            .map(|c| format!("{}（{}）", c.name_ja, c.flow.label_ja()))
            .collect::<Vec<_>>()
            .join("、")
    };
    let rows = [
        ("個人情報ファイルの名称", p.file_name_ja.clone()),
        ("行政機関等の名称", p.controller.name_ja.clone()),
        (
            "個人情報ファイルが利用に供される事務",
            i.program_name_ja.clone(),
        ),
        ("個人情報ファイルの利用目的", purposes.join("、")),
        ("記録項目", items.join("、")),
        (
            "記録範囲",
            format!("{}の参加者として登録された者", i.program_name_ja),
        ),
        (
            "記録情報の収集方法",
            "本人から（申込書、測定端末での測定と同意の入力）".to_owned(),
        ),
        (
            "要配慮個人情報が含まれるときは、その旨",
            "含む（測定結果）".to_owned(),
        ),
        ("記録情報の経常的提供先", recipients),
        (
            "開示請求等を受理する組織の名称及び所在地",
            format!("{}（{}）", p.desk.name_ja, p.controller.address_ja),
        ),
        ("個人情報ファイルの種別", "電算処理ファイル".to_owned()),
    ];
    let mut s = format!(
        "# 個人情報ファイル簿：{}\n\n作成日：{}\n\n| 項目 | 内容 |\n|---|---|\n",
        p.file_name_ja, i.made_on
    );
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn inputs() -> StatementInputs {
        StatementInputs {
            program_name_ja: "デモ市 健康ポイント".into(),
            purposes: vec![
                PurposeDef {
                    id: "measurement".into(),
                    required: true,
                    label_ja: "測定結果を記録し、健康ポイントを付与するため".into(),
                    label_en: "To record readings".into(),
                },
                PurposeDef {
                    id: "statistics".into(),
                    required: false,
                    label_ja: "市の健康施策の統計に使うため".into(),
                    label_en: "Statistics".into(),
                },
            ],
            documents: vec![(
                DocumentKind::PrivacyPolicy,
                "2026-04".into(),
                "2026-04-01".into(),
            )],
            transfer_record_years: 3,
            profile: PrivacyProfile::parse(include_str!("../../privacy-profile.example.toml"))
                .unwrap(),
            made_on: "2026-11-23".into(),
        }
    }

    #[test]
    fn the_public_statement_names_every_purpose_item_contractor_and_the_request_desk() {
        let i = inputs();
        let s = public_statement(&i);
        for p in &i.purposes {
            assert!(s.contains(&p.label_ja), "purpose {} missing", p.id);
        }
        for item in HELD_ITEMS {
            assert!(s.contains(item.name_ja), "item {} missing", item.name_ja);
        }
        for c in &i.profile.contractors {
            assert!(s.contains(&c.name_ja) && s.contains("委託"));
        }
        assert!(s.contains(&i.profile.desk.phone));
        assert!(s.contains("30 日以内"));
        assert!(s.contains("3 年間保存"));
        assert!(s.contains("（任意：同意された方のデータのみ）"));
        assert!(s.contains("プライバシーポリシー（版 2026-04、2026-04-01 施行）"));
    }

    #[test]
    fn the_file_register_marks_sensitive_data_and_lists_recipients() {
        let s = file_register(&inputs());
        assert!(s.contains("| 要配慮個人情報が含まれるときは、その旨 | 含む（測定結果） |"));
        assert!(s.contains("デモ株式会社（委託）"));
        assert!(s.contains("市の健康施策の統計に使うため"));
    }

    #[test]
    fn a_program_without_contractors_says_so() {
        let mut i = inputs();
        i.profile.contractors.clear();
        assert!(public_statement(&i).contains("委託・提供は行いません"));
        assert!(file_register(&i).contains("| 記録情報の経常的提供先 | なし |"));
    }
}
