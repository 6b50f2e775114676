// The staff window's one door to the Tauri runtime: `staff_subscribe` and the `staff_*`
// commands of kiosk/src/staff_view.rs, and the decoding of StaffEvent into one typed message.
// Deliberately not here: what a message changes (store.ts) or how anything is shown (screens/).

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AnalyzerDatesForm,
  AnalyzerView,
  ApplicationForm,
  CalibrationView,
  CardTestView,
  CommandError,
  GateView,
  PrintOutcome,
  PurposeView,
  QueueEntry,
  RegistrationOutcome,
  RegistrationView,
  RulesView,
  ScaleServiceView,
  StaffSessionView,
  StaffSyncView,
  TapLine,
} from "../lib/ipc-types";

/** A failed staff command: its code (`sign_in_refused`, `locked`, `not_signed_in`, …) and detail. */
export class StaffCommandError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(code);
    this.name = "StaffCommandError";
  }
}

/** One StaffEvent, decoded: `kind` and its payload. */
export type StaffMessage =
  | { kind: "session"; data: StaffSessionView | null }
  | { kind: "signed_out"; data: { reason: string } }
  | { kind: "idle"; data: { remaining_ms: number | null } }
  | { kind: "rules"; data: RulesView }
  | { kind: "purposes"; data: PurposeView[] }
  | { kind: "registrations"; data: RegistrationView[] }
  | { kind: "queue"; data: QueueEntry[] }
  | { kind: "scale"; data: ScaleServiceView }
  | { kind: "tap"; data: TapLine }
  | { kind: "sync"; data: StaffSyncView }
  | { kind: "gate"; data: GateView }
  | { kind: "calibration"; data: CalibrationView | null }
  | { kind: "analyzer"; data: AnalyzerView }
  | { kind: "card_test"; data: CardTestView };

const KINDS = new Set([
  "session",
  "signed_out",
  "idle",
  "rules",
  "purposes",
  "registrations",
  "queue",
  "scale",
  "tap",
  "sync",
  "gate",
  "calibration",
  "analyzer",
  "card_test",
]);

/**
 * A StaffEvent as it crosses the channel → its kind and payload. Accepts the payload adjacent
 * (`{kind, data}`), in a field named after the kind (`{kind: "queue", queue: […]}`), or flattened
 * beside the tag (`{kind: "gate", open, …}`, serde's internal tagging of a struct).
 * Anything else is `null` (ignored).
 */
export function decodeStaffEvent(raw: unknown): StaffMessage | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const kind = r.kind;
  if (typeof kind !== "string" || !KINDS.has(kind)) return null;
  let data: unknown;
  if ("data" in r) data = r.data;
  else if (kind in r) data = r[kind];
  else {
    const { kind: _k, ...rest } = r;
    data = Object.keys(rest).length === 0 && (kind === "session" || kind === "calibration") ? null : rest;
  }
  if ((kind === "purposes" || kind === "registrations" || kind === "queue") && !Array.isArray(data)) return null;
  return { kind, data } as StaffMessage;
}

function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as CommandError).code === "string" &&
    typeof (e as CommandError).detail === "string"
  );
}

async function call<T = null>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isCommandError(e)) throw new StaffCommandError(e.code, e.detail);
    throw new StaffCommandError("unknown", String(e));
  }
}

/** Subscribe once at start: the replay (session, rules, statuses), then every live event. */
export function staffSubscribe(onMessage: (m: StaffMessage) => void): Promise<null> {
  const channel = new Channel<unknown>();
  channel.onmessage = (raw) => {
    const m = decodeStaffEvent(raw);
    if (m) onMessage(m);
  };
  return call("staff_subscribe", { onEvent: channel });
}

/** The staff commands, with the argument names of src-tauri/src/staff_commands.rs. */
export const staff = {
  signIn: (login: string, secret: string) => call("staff_sign_in", { login, secret }),
  signOut: () => call("staff_sign_out"),
  touch: () => call("staff_touch"),
  register: (form: ApplicationForm) => call<RegistrationOutcome>("staff_register", { form }),
  printCard: (participant: string) => call<PrintOutcome>("staff_print_card", { participant }),
  queueAdd: (participant: string) => call("staff_queue_add", { participant }),
  queueRemove: (participant: string) => call("staff_queue_remove", { participant }),
  measure: (participant: string) => call("staff_measure", { participant }),
  /** Look for serial ports again (the list arrives as a `Scale` event). */
  refreshPorts: () => call("staff_service_refresh"),
  autodetect: (port: string) => call("staff_service_autodetect", { port }),
  connect: (port: string, model: string) => call("staff_service_connect", { port, model }),
  tap: (on: boolean) => call("staff_service_tap", { on }),
  cardTest: (on: boolean) => call("staff_card_test", { on }),
  calibrationStart: () => call("staff_calibration_start"),
  calibrationReadStep: () => call("staff_calibration_read_step"),
  calibrationCancel: () => call("staff_calibration_cancel"),
  analyzerDates: (form: AnalyzerDatesForm) => call("staff_analyzer_dates", { form }),
  close: () => call("staff_close"),
};
