//! The one kiosk window: fullscreen, undecorated and on top unless the settings say windowed
//! (demo), showing only the app's own pages — navigation anywhere else is refused — with no
//! context menu.
//!
//! Deliberately not here: how the page looks or what it loads (the UI, under the CSP in
//! `tauri.conf.json`).

use crate::WINDOW_LABEL;
use hakaru_kiosk::runtime::WindowConfig;
use tauri::{AppHandle, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

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

/// Opens the kiosk window as the settings say.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    config: &WindowConfig,
) -> tauri::Result<WebviewWindow<R>> {
    let fullscreen = config.fullscreen;
    let mut builder =
        WebviewWindowBuilder::new(app, WINDOW_LABEL, WebviewUrl::App("index.html".into()))
            .title("Hakaru")
            .fullscreen(fullscreen)
            .decorations(!fullscreen)
            .always_on_top(fullscreen)
            .resizable(!fullscreen)
            .focused(true)
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
    let window = builder.build()?;
    tracing::info!(fullscreen, "kiosk window opened");
    Ok(window)
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
