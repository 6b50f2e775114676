// Start-up of the staff window: render, subscribe with `staff_subscribe`, report activity to
// the runtime's idle clock. Deliberately not here: screens, state.

import { render } from "preact";
import "../styles.css";
import "./staff.css";
import { activity } from "./actions";
import { StaffApp } from "./app";
import { staffSubscribe } from "./ipc";
import { apply, snapshot } from "./store";

// Every touch or key while signed in keeps the session alive (throttled in `activity`).
document.addEventListener("pointerdown", activity, true);
document.addEventListener("keydown", activity, true);
document.addEventListener("contextmenu", (e) => e.preventDefault());

if (__HAKARU_TEST__) {
  (window as unknown as Record<string, unknown>).__hakaruStaffState = () => snapshot();
}

const root = document.getElementById("app");
if (root) render(<StaffApp />, root);

void staffSubscribe(apply).catch(() => {
  // Without the runtime there is nothing but the sign-in form; the shell logs it.
});
