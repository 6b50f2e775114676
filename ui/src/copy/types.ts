// The shape of the UI's words: every sentence a screen shows, in one language. ja.tsx and
// en.tsx each fill it; screens never hold literal copy. Deliberately not here: the spoken
// prompts (src/voice/prompts.json, owned by the speech helper) and text that arrives from the
// runtime as `Text` (policy documents, purpose labels, problems).

import type { ComponentChildren } from "preact";
import type { EndCode } from "../lib/ipc-types";

type C = ComponentChildren;

export interface Copy {
  /** `lang` attribute for this copy. */
  htmlLang: string;
  /** Name of this language on the language toggle. */
  langName: string;
  langToggleLabel: string;
  volume: { label: C; down: C; up: C; downLabel: string; upLabel: string };
  purposeNotice: C;
  stop: C;
  footer: {
    station: C;
    scale: (connected: boolean | null, model: string) => C;
    sync: (state: string, backlog: number) => C;
  };
  notConfigured: { title: C; forStaff: C; configPath: C; problem: C; whatToDo: C };
  attract: {
    title: C;
    hintCamera: C;
    hintNoCamera: C;
    previewLabel: C;
    previewWaiting: C;
    cameraLost: C;
    demoTitle: C;
    demoHint: C;
    /** The disclosure that shows where the printable demo-card sheet is. */
    demoSheetTitle: C;
    demoSheetFile: C;
    demoSheetFolder: C;
    /** Measuring is not possible now (Availability `open: false`): the calm banner shown
     * instead of "show your card", by reason (`staff_in_use` or an analyzer reason). */
    unavailable: (reason: string) => { title: C; body: C };
  };
  participant: C;
  identifying: { title: C; body: C };
  consent: {
    title: C;
    reasons: (code: string) => C;
    intro: C;
    documentKind: (kind: string) => C;
    version: (v: string) => C;
    purposesTitle: C;
    purposesIntro: C;
    required: C;
    optional: C;
    agree: C;
    disagree: C;
    refuseMeansRequired: C;
    refuseMeansOptional: C;
    chosen: C;
    confirm: C;
    remaining: (n: number) => C;
    ready: C;
  };
  savingConsent: { title: C; body: C };
  safety: { title: C; body: C; yes: C; no: C; yesMeans: C };
  guidance: {
    preparingTitle: C;
    preparingBody: C;
    stepOnTitle: C;
    steps: [C, C, C];
    weightOnly: C;
    savingTitle: C;
    savingBody: C;
    scale: (connected: boolean | null) => C;
    demoStepOn: C;
  };
  results: {
    title: C;
    valueName: (key: string) => C;
    band: (band: string) => C;
    /** The band as the badge beside a value says it ("判定: 高め", "High"). */
    bandWord: (band: string) => C;
    source: (s: string) => C;
    notDiagnosis: C;
    weightOnly: C;
    trendTitle: C;
    trendFirst: C;
    trendLatest: C;
    pointsTitle: C;
    pointsWaiting: C;
    pointsAwarded: (earned: number, balance: number) => C;
    pointsLater: C;
    finish: C;
  };
  ended: Record<EndCode, { title: C; body: C }>;
  scaleCode: (code: string) => C;
  idle: { title: C; countdown: (secs: number) => C; continue: C };
  notice: (code: string, detail: string | null) => C;
  commandError: (code: string) => C;
}
