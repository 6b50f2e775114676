//! The TypeScript file the UI imports its IPC types from, made from [`crate::view`].
//!
//! `ui/src/lib/ipc-types.ts` is generated, never edited: `scripts/gen-ipc` writes it and the
//! `ipc_types_are_current` test fails (saying to run that script) when it is out of date.

use crate::staff_view::*;
use crate::view::*;
use ts_rs::TS;

/// The generated file's text.
pub fn typescript() -> String {
    let decls = [
        Text::decl(),
        Lang::decl(),
        KioskEvent::decl(),
        KioskInfo::decl(),
        DemoInfo::decl(),
        DemoCard::decl(),
        Screen::decl(),
        EndCode::decl(),
        ConsentView::decl(),
        DocumentView::decl(),
        PurposeView::decl(),
        GuidanceStep::decl(),
        GuidanceView::decl(),
        ResultValue::decl(),
        RangeView::decl(),
        TrendPoint::decl(),
        ResultsView::decl(),
        PointsView::decl(),
        PointsUpdate::decl(),
        Notice::decl(),
        IdleView::decl(),
        ScaleView::decl(),
        SyncView::decl(),
        CameraView::decl(),
        PreviewImage::decl(),
        AvailabilityView::decl(),
        Answer::decl(),
        WedgeKey::decl(),
        CommandError::decl(),
        StaffEvent::decl(),
        StaffSessionView::decl(),
        RulesView::decl(),
        ApplicationForm::decl(),
        RegistrationOutcome::decl(),
        RegistrationView::decl(),
        QueueEntry::decl(),
        PrintOutcome::decl(),
        ScaleServiceView::decl(),
        PortView::decl(),
        TapLine::decl(),
        StaffSyncView::decl(),
        GateView::decl(),
        CalibrationView::decl(),
        CalibrationStepView::decl(),
        AnalyzerView::decl(),
        CheckSummary::decl(),
        AnalyzerDatesForm::decl(),
        CardTestView::decl(),
    ];
    let mut out = String::from(
        "// Generated from kiosk/src/view.rs and kiosk/src/staff_view.rs by scripts/gen-ipc. Do not edit.\n\
         // 生成ファイルです。編集しないでください (kiosk/src/view.rs から scripts/gen-ipc で生成)。\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn target() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc-types.ts")
    }

    #[test]
    fn ipc_types_are_current() {
        let want = typescript();
        if std::env::var_os("HAKARU_WRITE_IPC").is_some() {
            std::fs::write(target(), &want).expect("write ui/src/lib/ipc-types.ts");
        }
        let have = std::fs::read_to_string(target()).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/ipc-types.ts is out of date: run scripts/gen-ipc \
             (生成ファイルが古くなっています。scripts/gen-ipc を実行してください)"
        );
    }
}
