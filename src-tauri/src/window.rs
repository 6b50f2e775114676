//! The two windows: the participant window (`kiosk`, `index.html`) and the staff window
//! (`staff`, `staff.html`, created hidden and shown only while staff mode is open). Both are
//! fullscreen, undecorated and on top unless the settings say windowed (demo), show only the
//! app's own pages — navigation anywhere else is refused — and have no context menu.
//!
//! Deliberately not here: how the pages look or what they load (the UI, under the CSP in
//! `tauri.conf.json`), and when staff mode opens (the runtime; [`follow_staff`] only obeys).

use crate::{STAFF_WINDOW_LABEL, WINDOW_LABEL};
use hakaru_kiosk::runtime::WindowConfig;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use tokio::sync::watch;

/// The windowed size (demo configurations); the kiosk screen itself is fullscreen.
const WINDOWED: (f64, f64) = (1280.0, 800.0);

/// Runs before the page's scripts in every page load: no context menu (right click, long press),
/// no text selection by dragging, no pinch or Ctrl+wheel zoom.
const KIOSK_SCRIPT: &str = r#"
document.addEventListener('contextmenu', (e) => e.preventDefault(), { capture: true });
document.addEventListener('selectstart', (e) => { if (!(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) e.preventDefault(); }, { capture: true });
document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { capture: true, passive: false });
"#;

/// Whether the page may go to `url`: only the app's own origin (`tauri://localhost` on Linux;
/// `http(s)://tauri.localhost` where the platform serves it that way).
pub fn is_own_origin(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// Opens the participant window as the settings say.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    config: &WindowConfig,
) -> tauri::Result<WebviewWindow<R>> {
    let window = build(app, WINDOW_LABEL, "index.html", "Hakaru", config, true)?;
    tracing::info!(fullscreen = config.fullscreen, "kiosk window opened");
    Ok(window)
}

/// Creates the staff window, hidden, as the settings say.
pub fn open_staff<R: Runtime>(
    app: &AppHandle<R>,
    config: &WindowConfig,
) -> tauri::Result<WebviewWindow<R>> {
    build(
        app,
        STAFF_WINDOW_LABEL,
        "staff.html",
        "Hakaru — 係員 / Staff",
        config,
        false,
    )
}

/// Shows the staff window whenever the runtime says staff mode wants it, hides it otherwise
/// (sign-out, idle sign-out, a queue participant measuring on the participant screen).
pub fn follow_staff<R: Runtime>(app: AppHandle<R>, mut wanted: watch::Receiver<bool>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let show = *wanted.borrow_and_update();
            match (app.get_webview_window(STAFF_WINDOW_LABEL), show) {
                (Some(w), true) => {
                    let _ = w.show();
                    let _ = w.set_focus();
                }
                (Some(w), false) => {
                    let _ = w.hide();
                    if let Some(kiosk) = app.get_webview_window(WINDOW_LABEL) {
                        let _ = kiosk.set_focus();
                    }
                }
                (None, _) => tracing::warn!("there is no staff window"),
            }
            if wanted.changed().await.is_err() {
                break;
            }
        }
    });
}

fn build<R: Runtime>(
    app: &AppHandle<R>,
    label: &str,
    page: &str,
    title: &str,
    config: &WindowConfig,
    visible: bool,
) -> tauri::Result<WebviewWindow<R>> {
    let fullscreen = config.fullscreen;
    let mut builder = WebviewWindowBuilder::new(app, label, WebviewUrl::App(page.into()))
        .title(title)
        .visible(visible)
        .fullscreen(fullscreen)
        .decorations(!fullscreen)
        .always_on_top(fullscreen)
        .resizable(!fullscreen)
        .focused(visible)
        .initialization_script(KIOSK_SCRIPT)
        .on_navigation(|url| {
            let ok = is_own_origin(url);
            if !ok {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str().unwrap_or(""),
                    "navigation away from the app refused"
                );
            }
            ok
        });
    if !fullscreen {
        builder = builder.inner_size(WINDOWED.0, WINDOWED.1).center();
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_origin_is_allowed() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html#x",
            "http://tauri.localhost/",
        ] {
            assert!(is_own_origin(&ok.parse().unwrap()), "{ok}");
        }
        for refused in [
            "https://example.com/",
            "http://localhost:5173/",
            "tauri://evil/",
            "file:///etc/passwd",
            "http://ipc.localhost/subscribe",
            "data:text/html,hi",
            "javascript:alert(1)",
        ] {
            assert!(!is_own_origin(&refused.parse().unwrap()), "{refused}");
        }
    }
}
