// What staff touches do: each calls one staff command and turns a failure into a toast (its
// code); activity is reported to the runtime's idle clock (`staff_touch`, throttled).
// Deliberately not here: the IPC itself (ipc.ts) or state the runtime owns.

import { staff, StaffCommandError } from "./ipc";
import { clearIdle, getState, go, setCardTestOn, setOutcome, setPrint, setTapOn, showToast } from "./store";

/** At most one `staff_touch` per this many ms. */
export const TOUCH_EVERY_MS = 5000;
let lastTouch = -Infinity;

/** Activity: tell the runtime (at most every TOUCH_EVERY_MS) while someone is signed in. */
export function activity(): void {
  if (!getState().session) return;
  const now = performance.now();
  if (now - lastTouch < TOUCH_EVERY_MS) return;
  lastTouch = now;
  void staff.touch().catch(() => {
    /* the next touch or the warning's 続ける tries again */
  });
}

/** Run a command; a failure becomes a toast. Returns the result, or undefined on failure. */
export async function run<R>(f: () => Promise<R>): Promise<R | undefined> {
  try {
    return await f();
  } catch (e) {
    const err = e instanceof StaffCommandError ? e : new StaffCommandError("unknown", String(e));
    showToast(err.code, err.detail, err.cmd);
    return undefined;
  }
}

/** 続ける on the idle warning: hide it, tell the runtime now (not throttled). */
export function keepSignedIn(): void {
  clearIdle();
  lastTouch = performance.now();
  void run(() => staff.touch());
}

/** Print a participant's card: a confirmation, or the system print dialog with the card page. */
export async function printCard(participant: string): Promise<void> {
  const out = await run(() => staff.printCard(participant));
  if (!out) return;
  if (out.mode === "sent") setPrint({ participant, mode: "sent", destination: out.destination });
  else setPrint({ participant, mode: "dialog", svg: out.svg });
}

export async function tapOn(on: boolean): Promise<void> {
  const ok = await run(() => staff.tap(on));
  if (ok !== undefined) setTapOn(on);
}

export async function cardTest(on: boolean): Promise<void> {
  const ok = await run(() => staff.cardTest(on));
  if (ok !== undefined) setCardTestOn(on);
}

/** Leaving the technician screen: stop the monitor and the card test if they run. */
export function leaveTechnician(): void {
  const s = getState();
  if (s.tapOn) void tapOn(false);
  if (s.cardTestOn) void cardTest(false);
}

export function clearOutcome(): void {
  setOutcome(null);
}

/** 測定 / 測定へ: the person's session runs on the participant screen; staff come back to the queue. */
export async function measure(participant: string): Promise<void> {
  const ok = await run(() => staff.measure(participant));
  if (ok !== undefined) go("queue");
}
