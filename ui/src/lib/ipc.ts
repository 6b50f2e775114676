// The one door to the Tauri runtime: the commands of kiosk/src/view.rs (and `open_staff_sign_in`), typed with the
// generated ipc-types.ts. The ONLY module that imports `@tauri-apps/*`.
// Deliberately not here: what the answers mean (store.ts) or how anything is shown (screens/).

import { Channel, invoke } from "@tauri-apps/api/core";
import type { Answer, CommandError, KioskEvent, WedgeKey } from "./ipc-types";

/** A failed command: its code (`not_running`, `not_demo`, …); the detail stays out of the UI. */
export class KioskCommandError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(code);
    this.name = "KioskCommandError";
  }
}

/** Every command error code the runtime documents (CommandError.code); anything else is `unknown`. */
export type CommandErrorCode = "not_running" | "not_demo" | "no_such_card" | "stale_session" | "busy" | "unknown";

/** The code of an error thrown by a command, narrowed to the documented ones. */
export function errorCode(e: unknown): CommandErrorCode {
  const code = e instanceof KioskCommandError ? e.code : "unknown";
  switch (code) {
    case "not_running":
    case "not_demo":
    case "no_such_card":
    case "stale_session":
    case "busy":
      return code;
    default:
      return "unknown";
  }
}

function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as CommandError).code === "string" &&
    typeof (e as CommandError).detail === "string"
  );
}

async function call(cmd: string, args?: Record<string, unknown>): Promise<void> {
  try {
    await invoke<null>(cmd, args);
  } catch (e) {
    if (isCommandError(e)) throw new KioskCommandError(e.code, e.detail);
    throw new KioskCommandError("unknown", String(e));
  }
}

/** Subscribe once at start: the replay (Hello, Screen, statuses), then every live event. */
export function subscribe(onEvent: (e: KioskEvent) => void): Promise<void> {
  const channel = new Channel<KioskEvent>();
  channel.onmessage = onEvent;
  return call("subscribe", { onEvent: channel });
}

/** Consent choices, the safety answer, continue, finish. */
export function answer(a: Answer): Promise<void> {
  return call("answer", { answer: a });
}

/** One keydown for the keyboard-wedge card reader. */
export function wedgeKey(key: WedgeKey): Promise<void> {
  return call("wedge_key", { key });
}

/** Demo mode: "scan" demo card `index`. */
export function demoScan(index: number): Promise<void> {
  return call("demo_scan", { index });
}

/** Demo mode: the simulated person steps on the scale. */
export function demoStepOn(): Promise<void> {
  return call("demo_step_on");
}

/** A screen is painted (benchmarks): its name, e.g. `results`, `guidance_step_on`. */
export function painted(screen: string): Promise<void> {
  return call("painted", { screen });
}

/** The hidden staff gesture on the attract screen: ask the shell to show the staff sign-in. */
export function openStaffSignIn(): Promise<void> {
  return call("open_staff_sign_in");
}
