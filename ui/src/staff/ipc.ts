// The staff window's one door to the Tauri runtime: `staff_subscribe` and the `staff_*`
// commands of kiosk/src/staff_view.rs, and the decoding of StaffEvent into one typed message.
// Deliberately not here: what a message changes (store.ts) or how anything is shown (screens/).

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AnalyzerDatesForm,
  ApplicationForm,
  CommandError,
  PrintOutcome,
  RegistrationOutcome,
  StaffEvent,
} from "../lib/ipc-types";

/**
 * A failed staff command: its code (`sign_in_refused`, `locked`, `not_signed_in`, …), the
 * runtime's detail, and the command that failed (some codes mean different things per command).
 */
export class StaffCommandError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly cmd = "",
  ) {
    super(code);
    this.name = "StaffCommandError";
  }
}

/**
 * One StaffEvent as kiosk/src/staff_view.rs serialises it: adjacently tagged,
 * `{"kind": "...", "data": ...}` (`{"kind":"session","data":null}`,
 * `{"kind":"signed_out","data":{"reason":"idle"}}`). The type is the generated contract's.
 */
export type StaffMessage = StaffEvent;

const KINDS = new Set<StaffEvent["kind"]>([
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

/** Kinds whose `data` may be `null` (an `Option` in Rust). */
const NULLABLE = new Set(["session", "calibration"]);
/** Kinds whose `data` is a list. */
const LISTS = new Set(["purposes", "registrations", "queue"]);

/**
 * A StaffEvent as it crosses the channel → the typed message, or `null` (ignored) when it is not
 * exactly `{kind, data}` with a known kind and a payload of the right sort. No other shape is
 * accepted: the runtime sends only this one.
 */
export function decodeStaffEvent(raw: unknown): StaffMessage | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const kind = r.kind;
  if (typeof kind !== "string" || !KINDS.has(kind as StaffEvent["kind"])) return null;
  if (!("data" in r) || Object.keys(r).length !== 2) return null;
  const data = r.data;
  if (data === null) return NULLABLE.has(kind) ? ({ kind, data } as StaffMessage) : null;
  if (LISTS.has(kind) !== Array.isArray(data)) return null;
  if (typeof data !== "object") return null;
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
    if (isCommandError(e)) throw new StaffCommandError(e.code, e.detail, cmd);
    throw new StaffCommandError("unknown", String(e), cmd);
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
  /** `serialNumber`: the one on the analyzer's nameplate (analyzers whose frames do not carry it). */
  calibrationStart: (serialNumber?: string) =>
    call("staff_calibration_start", serialNumber ? { serialNumber } : {}),
  calibrationReadStep: () => call("staff_calibration_read_step"),
  calibrationCancel: () => call("staff_calibration_cancel"),
  analyzerDates: (form: AnalyzerDatesForm) => call("staff_analyzer_dates", { form }),
  close: () => call("staff_close"),
};
