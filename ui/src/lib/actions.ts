// What the participant's touches do: each calls one IPC command and turns its failure into a
// toast (the error's code only; the detail is for logs, and nothing personal is logged).
// Deliberately not here: the IPC itself (ipc.ts) or any state change the runtime owns.

import type { Answer } from "./ipc-types";
import { answer, demoScan, demoStepOn, errorCode, openStaffSignIn } from "./ipc";
import { clearIdle, commandFailed } from "./store";

async function run(f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    commandFailed(errorCode(e));
  }
}

/** Send an answer. */
export function send(a: Answer): Promise<void> {
  return run(() => answer(a));
}

/** "続ける" on the idle warning: hide it now, tell the runtime. */
export function continueSession(): Promise<void> {
  clearIdle();
  return send({ answer: "continue" });
}

/** "やめる" / "終わる". */
export function finish(session: number): Promise<void> {
  return send({ answer: "finish", session });
}

/** Demo: scan demo card `index`. */
export function scanDemoCard(index: number): Promise<void> {
  return run(() => demoScan(index));
}

/** Demo: step on the simulated scale. */
export function stepOnDemo(): Promise<void> {
  return run(() => demoStepOn());
}

/** The hidden staff gesture (3-second corner press, Ctrl+Alt+S) on the attract screen. A refusal
 * (someone is being served) shows nothing: the gesture stays hidden. */
export function openStaff(): void {
  void openStaffSignIn().catch(() => {
    /* refused or not running: nothing to show a participant */
  });
}
