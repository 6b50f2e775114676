// Start-up: render the app, subscribe to the runtime, forward keyboard-wedge keys, block the
// context menu and text dragging, report each screen painted. Deliberately not here: screens.

import { render } from "preact";
import { App } from "./app";
import "./styles.css";
import { painted, subscribe, wedgeKey } from "./lib/ipc";
import { openStaff } from "./lib/actions";
import { apply, getState, snapshot } from "./lib/store";
import { nowPlaying } from "./lib/voice";

function isTextField(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) return !["button", "checkbox", "radio", "submit", "reset"].includes(el.type);
  return (el as HTMLElement).isContentEditable === true;
}

// Keyboard-wedge card readers type the card's token: every key goes to the runtime, and none
// may press a focused button (a scanned "Enter" must not answer a question).
document.addEventListener(
  "keydown",
  (e) => {
    // The hidden staff key, Ctrl+Alt+S, on the attract screen only; never forwarded as a card key.
    if (e.ctrlKey && e.altKey && e.code === "KeyS") {
      e.preventDefault();
      if (!e.repeat && getState().screen?.screen === "attract") openStaff();
      return;
    }
    if (isTextField(document.activeElement)) return;
    if (e.key !== "Tab") e.preventDefault();
    void wedgeKey({ code: e.code, shift: e.shiftKey, at_ms: e.timeStamp }).catch(() => {
      /* the runtime may not be up yet; a lost key only spoils one scan */
    });
  },
  true,
);
document.addEventListener("contextmenu", (e) => e.preventDefault());
document.addEventListener("selectstart", (e) => e.preventDefault());
document.addEventListener("dragstart", (e) => e.preventDefault());

function screenPainted(name: string): void {
  void painted(name).catch(() => {
    /* only for benchmarks */
  });
}

if (__HAKARU_TEST__) {
  // Test builds only: read what the store holds and what is being spoken.
  (window as unknown as Record<string, unknown>).__hakaruState = () => snapshot();
  (window as unknown as Record<string, unknown>).__hakaruVoice = () => nowPlaying();
}

const root = document.getElementById("app");
if (root) render(<App onPainted={screenPainted} />, root);

void subscribe(apply).catch(() => {
  // Without the runtime there is nothing to show but the empty frame; the shell logs it.
});
