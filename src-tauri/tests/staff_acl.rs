//! No staff command is callable from the participant window: Tauri's capability check (the real
//! generated context with `capabilities/kiosk.json` and `capabilities/staff.json`, on the mock
//! runtime) refuses every `staff_*` command invoked from the window labelled `kiosk` before it
//! reaches Rust, while the same command from the window labelled `staff` reaches the runtime
//! (which answers with its own error: the kiosk here runs its "not configured" screen). The
//! participant window's one staff command, `open_staff_sign_in`, is the other way round.

#![allow(clippy::unwrap_used)]

use hakaru_kiosk::runtime::{Kiosk, KioskSetup};
use hakaru_kiosk_app::startup::Started;
use hakaru_kiosk_app::{STAFF_WINDOW_LABEL, WINDOW_LABEL};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app(dir: &std::path::Path) -> App<MockRuntime> {
    let setup = KioskSetup::load(Some(dir.join("missing-kiosk.toml")));
    let kiosk = Kiosk::start(setup, tauri::async_runtime::handle().inner());
    hakaru_kiosk_app::with_kiosk(mock_builder(), kiosk, Started::now())
        .build(hakaru_kiosk_app::context())
        .unwrap()
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .unwrap()
}

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// Every staff command with arguments of the right shape (as the staff window sends them).
fn staff_commands() -> Vec<(&'static str, Value)> {
    let form = json!({
        "participant": "A-000123", "birth_date": "1960-04-01", "sex": "female",
        "height_cm": 158.5, "body_type": "standard", "implanted_device": false,
        "lives_or_works_locally": true, "applied_on": "2026-11-20", "consent": "on_screen",
        "paper_granted": []
    });
    let dates = json!({ "verified_on": "", "last_inspection": "", "inspection_due": "" });
    vec![
        ("staff_subscribe", json!({ "onEvent": "__CHANNEL__:9" })),
        (
            "staff_sign_in",
            json!({ "login": "sato", "secret": "1234" }),
        ),
        ("staff_sign_out", json!({})),
        ("staff_close", json!({})),
        ("staff_touch", json!({})),
        ("staff_register", json!({ "form": form })),
        ("staff_print_card", json!({ "participant": "A-000123" })),
        ("staff_queue_add", json!({ "participant": "A-000123" })),
        ("staff_queue_remove", json!({ "participant": "A-000123" })),
        ("staff_measure", json!({ "participant": "A-000123" })),
        ("staff_service_refresh", json!({})),
        (
            "staff_service_autodetect",
            json!({ "port": "/dev/ttyUSB0" }),
        ),
        (
            "staff_service_connect",
            json!({ "port": "/dev/ttyUSB0", "model": "MC-780" }),
        ),
        ("staff_service_tap", json!({ "on": true })),
        ("staff_card_test", json!({ "on": true })),
        ("staff_calibration_start", json!({})),
        ("staff_calibration_read_step", json!({})),
        ("staff_calibration_cancel", json!({})),
        ("staff_analyzer_dates", json!({ "form": dates })),
    ]
}

fn refused_by_acl(response: &Result<tauri::ipc::InvokeResponseBody, Value>) -> bool {
    matches!(response, Err(Value::String(message)) if message.contains("not allowed"))
}

/// The command ran: it answered with the runtime's own error object (not running).
fn reached_the_runtime(response: &Result<tauri::ipc::InvokeResponseBody, Value>) -> bool {
    match response {
        Err(Value::Object(error)) => error["code"] == "not_running",
        _ => false,
    }
}

#[test]
fn the_test_covers_exactly_the_commands_staff_json_grants() {
    let file = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/staff.json"),
    )
    .unwrap();
    let capability: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(capability["windows"], json!([STAFF_WINDOW_LABEL]));
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().replace('-', "_"))
        .collect();
    let mut tested: Vec<String> = staff_commands()
        .iter()
        .map(|(cmd, _)| format!("allow_{cmd}"))
        .collect();
    granted.sort();
    tested.sort();
    assert_eq!(granted, tested);
    let kiosk = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/kiosk.json"),
    )
    .unwrap();
    assert!(
        !kiosk.contains("allow-staff-"),
        "the participant window is granted no staff_* command"
    );
}

#[test]
fn no_staff_command_is_callable_from_the_participant_window() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, WINDOW_LABEL);
    for (cmd, body) in staff_commands() {
        let response = get_ipc_response(&kiosk, request(cmd, body));
        assert!(
            refused_by_acl(&response),
            "{cmd} from the participant window was not refused by the capability check: {response:?}"
        );
    }
}

#[test]
fn every_staff_command_reaches_the_runtime_from_the_staff_window() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let staff = window(&app, STAFF_WINDOW_LABEL);
    for (cmd, body) in staff_commands() {
        let response = get_ipc_response(&staff, request(cmd, body));
        assert!(
            reached_the_runtime(&response),
            "{cmd} from the staff window did not reach the runtime: {response:?}"
        );
    }
}

#[test]
fn the_hidden_gesture_is_the_participant_windows_alone() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, WINDOW_LABEL);
    let staff = window(&app, STAFF_WINDOW_LABEL);
    let other = window(&app, "other");
    let from_kiosk = get_ipc_response(&kiosk, request("open_staff_sign_in", json!({})));
    assert!(reached_the_runtime(&from_kiosk), "{from_kiosk:?}");
    for w in [&staff, &other] {
        let response = get_ipc_response(w, request("open_staff_sign_in", json!({})));
        assert!(refused_by_acl(&response), "{}: {response:?}", w.label());
    }
    // Nor may the staff window call the participant window's commands.
    for (cmd, body) in [
        ("answer", json!({ "answer": { "answer": "continue" } })),
        ("demo_scan", json!({ "index": 0 })),
        ("subscribe", json!({ "onEvent": "__CHANNEL__:7" })),
    ] {
        let response = get_ipc_response(&staff, request(cmd, body));
        assert!(refused_by_acl(&response), "{cmd} from staff: {response:?}");
    }
}
