//! The app's IPC surface through Tauri's own invoke path (mock runtime, no display): every
//! command of the contract is reachable from the kiosk window with its real capability file,
//! and everything else is refused — Tauri's core plugins (not granted), the same commands from
//! another window or from a remote origin, and names that are not commands.
//!
//! The runtime behind the commands is real: `Kiosk::start` on a settings file that does not
//! exist, so it runs its "not configured" screen (commands answer with its error codes).

#![allow(clippy::unwrap_used)]

use hakaru_kiosk::runtime::{Kiosk, KioskSetup};
use hakaru_kiosk_app::startup::Started;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// The app as `run` builds it (same commands, capabilities and context), on the mock runtime.
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

/// A request as the page sends it; on Linux the app's own origin is `tauri://localhost`.
fn request(cmd: &str, body: Value, origin: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

const LOCAL: &str = "tauri://localhost";

/// Every command with arguments of the right shape (as `ui/src/lib/ipc.ts` sends them).
fn every_command() -> Vec<(&'static str, Value)> {
    vec![
        ("subscribe", json!({ "onEvent": "__CHANNEL__:7" })),
        ("answer", json!({ "answer": { "answer": "continue" } })),
        (
            "wedge_key",
            json!({ "key": { "code": "KeyA", "shift": true, "at_ms": 12.5 } }),
        ),
        ("demo_scan", json!({ "index": 0 })),
        ("demo_step_on", json!({})),
        ("painted", json!({})),
    ]
}

/// Whether a rejection came from the ACL (as opposed to the command answering with its error).
fn refused_by_acl(response: &Result<tauri::ipc::InvokeResponseBody, Value>) -> bool {
    match response {
        Err(Value::String(message)) => message.contains("not allowed"),
        _ => false,
    }
}

#[test]
fn every_command_is_reachable_from_the_kiosk_window() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, hakaru_kiosk_app::WINDOW_LABEL);
    for (cmd, body) in every_command() {
        let response = get_ipc_response(&kiosk, request(cmd, body, LOCAL));
        match &response {
            Ok(_) => {}
            // The command ran and answered with the runtime's error (not configured / not demo).
            Err(Value::Object(error)) => {
                let code = error["code"].as_str().unwrap();
                assert!(
                    ["not_running", "not_demo"].contains(&code),
                    "{cmd}: unexpected error code {code}"
                );
            }
            Err(other) => panic!("{cmd} did not reach the command: {other}"),
        }
    }
}

#[test]
fn demo_commands_answer_not_demo_outside_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, hakaru_kiosk_app::WINDOW_LABEL);
    for (cmd, body) in [
        ("demo_scan", json!({ "index": 0 })),
        ("demo_step_on", json!({})),
    ] {
        let error = get_ipc_response(&kiosk, request(cmd, body, LOCAL))
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(error["code"].as_str(), Some("not_demo" | "not_running")),
            "{cmd}: {error}"
        );
    }
}

#[test]
fn commands_with_malformed_arguments_are_rejected_before_the_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, hakaru_kiosk_app::WINDOW_LABEL);
    for (cmd, body) in [
        ("answer", json!({ "answer": { "answer": "format_disk" } })),
        ("demo_scan", json!({ "index": -1 })),
        ("wedge_key", json!({})),
    ] {
        let response = get_ipc_response(&kiosk, request(cmd, body, LOCAL));
        assert!(
            matches!(&response, Err(Value::String(m)) if m.contains("invalid args")),
            "{cmd}: {response:?}"
        );
    }
}

#[test]
fn core_plugins_are_not_granted_to_the_kiosk_window() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let kiosk = window(&app, hakaru_kiosk_app::WINDOW_LABEL);
    for (cmd, body) in [
        (
            "plugin:event|listen",
            json!({ "event": "x", "target": { "kind": "Any" }, "handler": 3 }),
        ),
        ("plugin:window|close", json!({ "label": "kiosk" })),
        ("plugin:webview|print", json!({ "label": "kiosk" })),
        ("plugin:app|version", json!({})),
        ("plugin:path|resolve_directory", json!({ "directory": 1 })),
        ("shutdown", json!({})),
    ] {
        let response = get_ipc_response(&kiosk, request(cmd, body, LOCAL));
        assert!(
            refused_by_acl(&response),
            "{cmd} was not refused: {response:?}"
        );
    }
}

#[test]
fn the_commands_are_refused_to_other_windows_and_remote_origins() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let other = window(&app, "other");
    let kiosk = window(&app, hakaru_kiosk_app::WINDOW_LABEL);
    for (cmd, body) in every_command() {
        let response = get_ipc_response(&other, request(cmd, body.clone(), LOCAL));
        assert!(
            refused_by_acl(&response),
            "{cmd} from another window: {response:?}"
        );
        for origin in ["https://example.com", "http://localhost:5173"] {
            let response = get_ipc_response(&kiosk, request(cmd, body.clone(), origin));
            assert!(
                refused_by_acl(&response),
                "{cmd} from {origin}: {response:?}"
            );
        }
    }
}
