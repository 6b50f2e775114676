//! A program's privacy profile: the facts about the organisation that only the program knows —
//! who holds the data, where requests go, who the contractors are, where the servers are. It is
//! stored with the program (`admin privacy-profile set`) and read by the statements.
//!
//! The documented example is `central/privacy-profile.example.toml`. Unknown keys are refused,
//! so a misspelt field is reported instead of silently missing from a published statement.
//!
//! Deliberately not here: purposes and items (the database and the code say those).

/// The profile, as written in TOML.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyProfile {
    /// 個人情報ファイルの名称, e.g. 「健康ポイント事業 体組成測定記録」.
    pub file_name_ja: String,
    /// The body that holds the data (the municipality or its program office).
    pub controller: Controller,
    /// Where participants make requests (開示・訂正・利用停止 …).
    pub desk: Desk,
    /// Everyone the data is handed to, and on what footing.
    #[serde(default)]
    pub contractors: Vec<Contractor>,
    /// Where the servers and backups are, e.g. 「日本国内（東京都のデータセンター）」.
    pub data_location_ja: String,
    /// Days a station keeps a reading after the server has it (the stations' setting).
    #[serde(default = "default_station_retention_days")]
    pub station_retention_days: u32,
    /// Safety measures beyond those the system takes by construction (organisational ones:
    /// training, contracts, physical locks …), one sentence each.
    #[serde(default)]
    pub extra_safety_measures_ja: Vec<String>,
}

/// The stations' default (`hakaru_station::store::DEFAULT_RETENTION_DAYS`).
fn default_station_retention_days() -> u32 {
    30
}

/// The holder of the data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// 名称, e.g. 「○○市 健康福祉部 健康づくり課」.
    pub name_ja: String,
    /// 所在地.
    pub address_ja: String,
    /// 代表者 (for a business; a municipality may leave it out).
    #[serde(default)]
    pub representative_ja: Option<String>,
}

/// The request desk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    /// 窓口の名称.
    pub name_ja: String,
    /// 受付時間, e.g. 「平日 8時30分〜17時15分」.
    pub hours_ja: String,
    /// 電話番号.
    pub phone: String,
    /// メールアドレス (optional).
    #[serde(default)]
    pub email: Option<String>,
}

/// How data reaches another party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataFlow {
    /// 委託: handled on the program's behalf, under its supervision.
    Entrustment,
    /// 共同利用: used jointly, within the published scope.
    JointUse,
    /// 第三者提供: provided to a third party (only with consent).
    ThirdParty,
}

impl DataFlow {
    /// The legal term.
    pub fn label_ja(self) -> &'static str {
        match self {
            DataFlow::Entrustment => "委託",
            DataFlow::JointUse => "共同利用",
            DataFlow::ThirdParty => "第三者提供（本人の同意がある場合に限る）",
        }
    }
}

/// One contractor or recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contractor {
    /// 名称.
    pub name_ja: String,
    /// 所在地.
    pub address_ja: String,
    /// What they do with the data, e.g. 「測定端末と集計サーバーの運用・保守」.
    pub role_ja: String,
    /// On what footing.
    pub flow: DataFlow,
}

/// Why a profile was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Not valid TOML for a profile.
    #[error(
        "プライバシープロファイルを読めません（{0}）。central/privacy-profile.example.toml と見比べて直してください / \
         the privacy profile cannot be read ({0}): compare it with central/privacy-profile.example.toml and fix it"
    )]
    Parse(String),
    /// A required text is empty.
    #[error("プライバシープロファイルの {0} が空です。記入してください / the privacy profile's {0} is empty: fill it in")]
    Empty(&'static str),
}

impl PrivacyProfile {
    /// Parses and checks a profile.
    pub fn parse(text: &str) -> Result<PrivacyProfile, ProfileError> {
        let p: PrivacyProfile =
            toml::from_str(text).map_err(|e| ProfileError::Parse(e.to_string()))?;
        let required = [
            ("file_name_ja", &p.file_name_ja),
            ("controller.name_ja", &p.controller.name_ja),
            ("controller.address_ja", &p.controller.address_ja),
            ("desk.name_ja", &p.desk.name_ja),
            ("desk.hours_ja", &p.desk.hours_ja),
            ("desk.phone", &p.desk.phone),
            ("data_location_ja", &p.data_location_ja),
        ];
        for (field, value) in required {
            if value.trim().is_empty() {
                return Err(ProfileError::Empty(field));
            }
        }
        for c in &p.contractors {
            if c.name_ja.trim().is_empty() || c.role_ja.trim().is_empty() {
                return Err(ProfileError::Empty("contractors.name_ja / role_ja"));
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../privacy-profile.example.toml");

    #[test]
    fn the_documented_example_parses() {
        let p = PrivacyProfile::parse(EXAMPLE).unwrap();
        assert_eq!(p.station_retention_days, 30);
        assert!(!p.contractors.is_empty());
    }

    #[test]
    fn a_misspelt_key_is_refused_with_what_to_do() {
        let text = EXAMPLE.replace("data_location_ja", "data_locaton_ja");
        let e = PrivacyProfile::parse(&text).unwrap_err().to_string();
        assert!(e.contains("data_locaton_ja"), "{e}");
        assert!(e.contains("privacy-profile.example.toml"), "{e}");
    }

    #[test]
    fn an_empty_desk_phone_is_refused() {
        let text = EXAMPLE.replace("phone = \"0000-00-0000\"", "phone = \"\"");
        assert!(matches!(
            PrivacyProfile::parse(&text),
            Err(ProfileError::Empty("desk.phone"))
        ));
    }
}
