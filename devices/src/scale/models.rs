//! What a host needs to know about each analyzer model: line settings, PC-mode dialect, start
//! command, and the kind of output it pushes.
//!
//! Only models with published formats are listed (reference §1–§4); the BC-418 positional
//! output is deliberately missing (no verified capture).

use crate::scale::pc_mode::{Dialect, StartCommand};
use crate::scale::settings::LinkSettings;

/// The shape of what a model sends when a measurement is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// Tanita key/value frame with body composition, 8-electrode segmental and impedances.
    SegmentalComposition,
    /// Tanita key/value frame with whole-body composition (foot-to-foot).
    Composition,
    /// Tanita key/value frame with weight only.
    KeyValueWeight,
    /// A&D standard weighing line.
    AndStandard,
    /// Tanita WB-100/110 legacy weight line.
    TanitaLegacy,
}

/// One analyzer model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ModelProfile {
    /// The `MO` string the device sends (or a descriptive name for non-Tanita formats).
    pub model: &'static str,
    /// Its default line settings.
    pub settings: LinkSettings,
    /// PC-mode dialect, if it can be preset from the host.
    pub dialect: Option<Dialect>,
    /// The command that starts a measurement in PC mode.
    pub start: Option<StartCommand>,
    /// What it pushes.
    pub output: OutputKind,
    /// Its control-data prefix for key/value frames.
    pub control: &'static str,
}

impl ModelProfile {
    /// Every model this crate knows.
    pub const ALL: [ModelProfile; 7] = [
        ModelProfile {
            model: "MC-780",
            settings: LinkSettings::TANITA_DEFAULT,
            dialect: Some(Dialect::JpDc),
            start: Some(StartCommand::G),
            output: OutputKind::SegmentalComposition,
            control: "{0,16,~0,1,~1,1,~2,1",
        },
        ModelProfile {
            model: "MC-980",
            settings: LinkSettings::TANITA_DEFAULT,
            dialect: Some(Dialect::Mc980),
            start: Some(StartCommand::G),
            output: OutputKind::SegmentalComposition,
            control: "{0,16,~0,1,~1,1,~2,1",
        },
        ModelProfile {
            model: "DC-320",
            settings: LinkSettings::TANITA_DEFAULT,
            dialect: Some(Dialect::JpDc),
            start: Some(StartCommand::G0),
            output: OutputKind::Composition,
            control: "{0,16,~0,1,~1,1,~2,1",
        },
        ModelProfile {
            model: "SC-240",
            settings: LinkSettings::TANITA_DEFAULT,
            dialect: None,
            start: None,
            output: OutputKind::Composition,
            control: "{0,16,~0,1,~1,1,~2,1",
        },
        ModelProfile {
            model: "PW-650",
            settings: LinkSettings::TANITA_DEFAULT,
            dialect: None,
            start: None,
            output: OutputKind::KeyValueWeight,
            control: "{0,16,~0,1",
        },
        ModelProfile {
            model: "WB-110",
            settings: LinkSettings::LEGACY_7E1,
            dialect: None,
            start: None,
            output: OutputKind::TanitaLegacy,
            control: "",
        },
        ModelProfile {
            model: "AD-4404",
            settings: LinkSettings::LEGACY_7E1,
            dialect: None,
            start: None,
            output: OutputKind::AndStandard,
            control: "",
        },
    ];

    /// Looks a model up by name, ignoring case and a region suffix (`MC-780A`, `mc-780ma`).
    pub fn find(name: &str) -> Option<&'static ModelProfile> {
        let upper = name.trim().to_ascii_uppercase();
        Self::ALL.iter().find(|p| {
            upper == p.model
                || upper
                    .strip_prefix(p.model)
                    .is_some_and(|suffix| ["A", "MA", "S"].contains(&suffix))
        })
    }

    /// The names, for help texts and errors.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|p| p.model).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_with_region_suffix() {
        assert_eq!(
            ModelProfile::find("MC-780A").map(|p| p.model),
            Some("MC-780")
        );
        assert_eq!(
            ModelProfile::find("mc-780ma").map(|p| p.model),
            Some("MC-780")
        );
        assert_eq!(
            ModelProfile::find("dc-320").map(|p| p.model),
            Some("DC-320")
        );
        assert_eq!(ModelProfile::find("XX-1"), None);
    }
}
