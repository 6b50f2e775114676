//! What the server holds about a participant, item by item, as the statements name it. Each
//! ledger item (`storage::common::item`) must appear here — a test checks it — so a new kind of
//! transfer cannot go unpublished.
//!
//! Deliberately not here: names or addresses (the roster is pseudonymous and holds none).

use crate::storage::common::item;

/// One recorded item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldItem {
    /// The ledger item name, when transfers of it are recorded.
    pub ledger_item: Option<&'static str>,
    /// 項目 (Japanese).
    pub name_ja: &'static str,
    /// What it contains (Japanese).
    pub contents_ja: &'static str,
    /// Whether it is treated as 要配慮個人情報 (health data).
    pub sensitive: bool,
}

/// Every item held, in the order the statements list them.
pub const HELD_ITEMS: &[HeldItem] = &[
    HeldItem {
        ledger_item: Some(item::ROSTER_PROFILE),
        name_ja: "参加者情報",
        contents_ja: "参加者番号、生年月日、性別、身長、体型区分、体内植込み型医療機器の有無、参加状況（氏名・住所は保有しません）",
        sensitive: true,
    },
    HeldItem {
        ledger_item: Some(item::MEASUREMENT),
        name_ja: "測定結果",
        contents_ja: "測定日時、測定した端末、体重、体脂肪率、筋肉量、推定骨量、体水分率、内臓脂肪レベル、基礎代謝量、BMI などの体組成値、測定機器の型式・製造番号と機器が送った測定データ",
        sensitive: true,
    },
    HeldItem {
        ledger_item: Some(item::CONSENT),
        name_ja: "同意の記録",
        contents_ja: "同意・不同意・撤回の別、目的ごとの同意、同意した文書の版とハッシュ値、日時、端末、方法（画面上・書面）",
        sensitive: false,
    },
    HeldItem {
        ledger_item: Some(item::CARD),
        name_ja: "参加者カード",
        contents_ja: "カード番号、発行日、有効期限、状態（有効・失効）",
        sensitive: false,
    },
    HeldItem {
        ledger_item: Some(item::POINTS),
        name_ja: "健康ポイント",
        contents_ja: "付与したポイント、付与の理由と日時、交換の記録、残高",
        sensitive: false,
    },
    HeldItem {
        ledger_item: None,
        name_ja: "提供・委託の記録",
        contents_ja: "個人データを受け渡した日時、相手先、対象の参加者番号、項目",
        sensitive: false,
    },
    HeldItem {
        ledger_item: None,
        name_ja: "開示等の請求の記録",
        contents_ja: "請求の種類、受付日、本人確認の方法、期限、決定内容",
        sensitive: false,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ledger_item_is_named_in_the_statements() {
        for &name in item::ALL {
            assert!(
                HELD_ITEMS.iter().any(|i| i.ledger_item == Some(name)),
                "ledger item {name} is not listed in HELD_ITEMS"
            );
        }
    }
}
