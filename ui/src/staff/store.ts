// What the staff window holds: the last StaffEvent of each kind, the screen staff chose, the
// tap monitor's lines (capped), card-test verdicts, the last registration outcome and print —
// and the drop of everything personal when nobody is signed in (`Session(None)`).
// Deliberately not here: wording (copy.tsx), drawing (screens/), talking to Rust (ipc.ts).

import type {
  AnalyzerView,
  CalibrationView,
  CardTestView,
  GateView,
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
import type { StaffMessage } from "./ipc";

/** The most tap lines kept (older ones fall off the top). */
export const TAP_CAP = 500;
/** The most card-test verdicts kept. */
export const CARD_TEST_CAP = 20;

export type View = "home" | "register" | "registrations" | "queue" | "technician" | "calibration";

/** What a print did, for the confirmation (the SVG only while the dialog is up). */
export type PrintState =
  | { participant: string; mode: "sent"; destination: string }
  | { participant: string; mode: "dialog"; svg: string };

/** A short message over the screen: a failed command's code, or a confirmation. */
export interface Toast {
  id: number;
  code: string;
  detail: string;
  /** The command that failed ("" for a confirmation). */
  cmd: string;
}

export interface StaffState {
  session: StaffSessionView | null;
  /** Why the last sign-out happened (shown on the sign-in form). */
  signedOut: string | null;
  idle: { remainingMs: number; receivedAt: number } | null;
  view: View;
  rules: RulesView | null;
  purposes: PurposeView[];
  /** Personal (participant numbers). */
  registrations: RegistrationView[];
  /** Personal. */
  queue: QueueEntry[];
  /** Personal: the outcome of the last `staff_register` on the form. */
  outcome: RegistrationOutcome | null;
  /** Personal: the last print. */
  print: PrintState | null;
  scale: ScaleServiceView | null;
  /** Personal (frames carry readings). Each with a sequence number for keys. */
  tap: { seq: number; line: TapLine }[];
  tapOn: boolean;
  cardTests: { seq: number; view: CardTestView }[];
  cardTestOn: boolean;
  sync: StaffSyncView | null;
  gate: GateView | null;
  calibration: CalibrationView | null;
  analyzer: AnalyzerView | null;
  toast: Toast | null;
}

function initial(): StaffState {
  return {
    session: null,
    signedOut: null,
    idle: null,
    view: "home",
    rules: null,
    purposes: [],
    registrations: [],
    queue: [],
    outcome: null,
    print: null,
    scale: null,
    tap: [],
    tapOn: false,
    cardTests: [],
    cardTestOn: false,
    sync: null,
    gate: null,
    calibration: null,
    analyzer: null,
    toast: null,
  };
}

let state: StaffState = initial();
const listeners = new Set<() => void>();
let seq = 0;

export function getState(): StaffState {
  return state;
}

export function listen(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(patch: Partial<StaffState>): void {
  state = { ...state, ...patch };
  for (const fn of listeners) fn();
}

/** Nobody signed in: keep only what is not personal (rules, purposes, statuses). */
function dropPersonal(signedOut: string | null): void {
  const keep = initial();
  set({
    ...keep,
    signedOut,
    rules: state.rules,
    purposes: state.purposes,
    scale: state.scale,
    sync: state.sync,
    gate: state.gate,
  });
}

/** Apply one event from the runtime. */
export function apply(m: StaffMessage): void {
  switch (m.kind) {
    case "session":
      if (m.data === null) dropPersonal(state.signedOut);
      else if (state.session?.login !== m.data.login) {
        // A different person: start from the menu with nothing of the last one's.
        dropPersonal(null);
        set({ session: m.data, view: "home" });
      } else set({ session: m.data });
      break;
    case "signed_out":
      dropPersonal(m.data.reason);
      break;
    case "idle":
      set({ idle: m.data.remaining_ms === null ? null : { remainingMs: m.data.remaining_ms, receivedAt: performance.now() } });
      break;
    case "rules":
      set({ rules: m.data });
      break;
    case "purposes":
      set({ purposes: m.data });
      break;
    case "registrations":
      if (state.session) set({ registrations: m.data });
      break;
    case "queue":
      if (state.session) set({ queue: m.data });
      break;
    case "scale":
      set({ scale: m.data });
      break;
    case "tap": {
      if (!state.session) break;
      const tap = [...state.tap, { seq: ++seq, line: m.data }];
      set({ tap: tap.length > TAP_CAP ? tap.slice(tap.length - TAP_CAP) : tap });
      break;
    }
    case "sync":
      set({ sync: m.data });
      break;
    case "gate":
      set({ gate: m.data });
      break;
    case "calibration":
      set({ calibration: m.data });
      break;
    case "analyzer":
      set({ analyzer: m.data });
      break;
    case "card_test": {
      if (!state.session) break;
      const cardTests = [{ seq: ++seq, view: m.data }, ...state.cardTests].slice(0, CARD_TEST_CAP);
      set({ cardTests });
      break;
    }
  }
}

export function go(view: View): void {
  set({ view, outcome: view === "register" ? state.outcome : null, toast: null });
}

export function setOutcome(outcome: RegistrationOutcome | null): void {
  set({ outcome });
}

export function setPrint(print: PrintState | null): void {
  set({ print });
}

export function setTapOn(on: boolean): void {
  set({ tapOn: on, tap: on ? state.tap : state.tap });
}

export function clearTap(): void {
  set({ tap: [] });
}

export function setCardTestOn(on: boolean): void {
  set({ cardTestOn: on, cardTests: on ? [] : state.cardTests });
}

export function clearIdle(): void {
  set({ idle: null });
}

export function showToast(code: string, detail = "", cmd = ""): void {
  set({ toast: { id: ++seq, code, detail, cmd } });
}

export function dismissToast(id: number): void {
  if (state.toast?.id === id) set({ toast: null });
}

/** Test builds only: a JSON snapshot of everything the store holds. */
export function snapshot(): string {
  return JSON.stringify(state);
}
