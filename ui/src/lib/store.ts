// What the UI holds: the last KioskEvent of each kind, the session's language and the
// participant's unsent consent choices — and the wipe that drops every personal value when
// the runtime shows Attract or Ended. Deliberately not here: wording (copy/), drawing
// (screens/), talking to Rust (ipc.ts).

import type {
  AvailabilityView,
  CameraView,
  KioskEvent,
  KioskInfo,
  Lang,
  Notice,
  PreviewImage,
  ScaleView,
  Screen,
  SyncView,
} from "./ipc-types";

/** The idle warning as shown: when it arrived, so the countdown runs locally. */
export interface IdleState {
  session: number;
  remainingMs: number;
  receivedAt: number;
}

/** A toast over the screen: a runtime Notice, or a command that failed (its code only). */
export type Toast = { id: number; notice: Notice } | { id: number; commandError: string };

export interface State {
  info: KioskInfo | null;
  screen: Screen | null;
  lang: Lang;
  /** Volume 0..1; back to the default on every Attract. */
  volume: number;
  /** Consent choices on the consent screen: purpose id → agreed. Personal. */
  choices: Record<string, boolean>;
  idle: IdleState | null;
  toast: Toast | null;
  scale: ScaleView | null;
  sync: SyncView | null;
  camera: CameraView | null;
  preview: PreviewImage | null;
  /** Whether cards start sessions now (`null`: not told yet = open). Not personal. */
  availability: AvailabilityView | null;
}

/** The volume every session starts with. */
export const DEFAULT_VOLUME = 0.8;

function initial(): State {
  return {
    info: null,
    screen: null,
    lang: "ja",
    volume: DEFAULT_VOLUME,
    choices: {},
    idle: null,
    toast: null,
    scale: null,
    sync: null,
    camera: null,
    preview: null,
    availability: null,
  };
}

let state: State = initial();
const listeners = new Set<() => void>();
let toastSeq = 0;

/** The current state (read-only by convention; change it through the functions below). */
export function getState(): State {
  return state;
}

/** Be told after every change. Returns the unsubscribe. */
export function listen(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(patch: Partial<State>): void {
  state = { ...state, ...patch };
  for (const fn of listeners) fn();
}

/** The session a screen belongs to, if it is a session screen. */
export function sessionOf(screen: Screen | null): number | null {
  return screen && "session" in screen ? screen.session : null;
}

/** Whether the screen shows personal data (Screen::is_personal in view.rs). */
export function isPersonal(screen: Screen | null): boolean {
  return screen !== null && !["not_configured", "attract", "ended"].includes(screen.screen);
}

/** Apply one event from the runtime. */
export function apply(ev: KioskEvent): void {
  switch (ev.kind) {
    case "hello": {
      const { kind: _k, ...info } = ev;
      // A new setup: the language resets only when nobody is being served.
      const lang = isPersonal(state.screen) ? state.lang : info.language;
      set({ info, lang });
      break;
    }
    case "screen": {
      const { kind: _k, ...screen } = ev;
      showScreen(screen as Screen);
      break;
    }
    case "notice": {
      const { kind: _k, ...notice } = ev;
      set({ toast: { id: ++toastSeq, notice } });
      break;
    }
    case "idle": {
      if (ev.remaining_ms === null || ev.session !== sessionOf(state.screen)) {
        set({ idle: null });
      } else {
        set({ idle: { session: ev.session, remainingMs: ev.remaining_ms, receivedAt: performance.now() } });
      }
      break;
    }
    case "points": {
      const screen = state.screen;
      if (screen?.screen === "results" && screen.session === ev.session) {
        set({ screen: { ...screen, points: ev.points } });
      }
      break;
    }
    case "scale": {
      const { kind: _k, ...scale } = ev;
      set({ scale });
      break;
    }
    case "sync": {
      const { kind: _k, ...sync } = ev;
      set({ sync });
      break;
    }
    case "camera": {
      const { kind: _k, ...camera } = ev;
      set({ camera, preview: camera.state === "running" ? state.preview : null });
      break;
    }
    case "availability": {
      const { kind: _k, ...availability } = ev;
      set({ availability });
      break;
    }
    case "preview": {
      if (state.screen?.screen !== "attract") return;
      const { kind: _k, ...preview } = ev;
      set({ preview });
      break;
    }
  }
}

function showScreen(screen: Screen): void {
  const before = sessionOf(state.screen);
  const now = sessionOf(screen);
  if (screen.screen === "attract" || screen.screen === "ended") {
    // The wipe: nothing personal survives, and the next person starts fresh.
    set({
      screen,
      choices: {},
      idle: null,
      preview: screen.screen === "attract" ? state.preview : null,
      lang: screen.screen === "attract" ? (state.info?.language ?? "ja") : state.lang,
      volume: screen.screen === "attract" ? DEFAULT_VOLUME : state.volume,
    });
    return;
  }
  const newSession = now !== null && now !== before;
  set({
    screen,
    preview: null,
    choices: newSession || screen.screen !== "consent" ? {} : state.choices,
    idle: newSession ? null : state.idle,
    lang: newSession && before !== null ? (state.info?.language ?? "ja") : state.lang,
  });
}

/** Record one consent choice (only while the consent screen shows). */
export function choose(purpose: string, agreed: boolean): void {
  if (state.screen?.screen !== "consent") return;
  set({ choices: { ...state.choices, [purpose]: agreed } });
}

/** Switch the language for the rest of this session. */
export function setLang(lang: Lang): void {
  set({ lang });
}

/** Change the volume (0.2 .. 1). */
export function setVolume(volume: number): void {
  set({ volume: Math.min(1, Math.max(0.2, Math.round(volume * 10) / 10)) });
}

/** Show a command's failure as a toast (the code only). */
export function commandFailed(code: string): void {
  set({ toast: { id: ++toastSeq, commandError: code } });
}

/** Hide the toast `id` if it is still the one showing. */
export function dismissToast(id: number): void {
  if (state.toast?.id === id) set({ toast: null });
}

/** Hide the idle warning locally (after "continue" was sent). */
export function clearIdle(): void {
  set({ idle: null });
}

/** Test builds only: a JSON snapshot of everything the store holds. */
export function snapshot(): string {
  return JSON.stringify(state);
}

/** Tests only: start over. */
export function reset(): void {
  state = initial();
  for (const fn of listeners) fn();
}
