// English copy. Deliberately not here: Japanese (ja.tsx), spoken prompts (src/voice/prompts.json).

import type { Copy } from "./types";

const CALL_STAFF = "Please call a staff member.";

const VALUE_NAMES: Record<string, string> = {
  weight: "Weight",
  bmi: "BMI",
  fat_percent: "Body fat",
  muscle_mass: "Muscle mass",
  visceral_fat: "Visceral fat level",
  bmr: "Basal metabolism",
  body_water_percent: "Body water",
  bone_mass: "Bone mass (est.)",
  metabolic_age: "Metabolic age",
};

const BANDS: Record<string, string> = {
  very_low: "Very low",
  low: "Low",
  slightly_low: "Slightly low",
  standard: "Standard",
  slightly_high: "Slightly high",
  high: "High",
  very_high: "Very high",
};

/** Measuring is blocked until a technician checks the analyzer. */
const SCALE_CHECK = "The scale needs a check. Please ask a member of staff.";

export const en: Copy = {
  htmlLang: "en",
  langName: "English",
  langToggleLabel: "Language / 言語",
  volume: {
    label: "Volume",
    down: "Quieter",
    up: "Louder",
    downLabel: "Make the voice quieter",
    upLabel: "Make the voice louder",
  },
  purposeNotice: "Used only for measuring and recording you in the health-points program.",
  stop: "Stop",
  footer: {
    station: "Kiosk",
    scale: (connected, model) =>
      `Scale ${model}: ${connected === null ? "checking" : connected ? "connected" : "not connected"}`,
    sync: (state, backlog) => {
      const words: Record<string, string> = {
        starting: "connecting",
        online: "online",
        offline: "offline",
        credential_refused: "not accepted",
        stopped: "stopped (tell staff)",
        not_configured: "not set up",
      };
      return `Server: ${words[state] ?? state}${backlog > 0 ? ` (${backlog} not sent yet)` : ""}`;
    },
  },
  notConfigured: {
    title: "This kiosk is not set up yet",
    forStaff: "For staff: please check the following.",
    configPath: "Configuration file",
    problem: "Problem",
    whatToDo: "What to do",
  },
  attract: {
    title: "Please hold up your card",
    hintCamera: "Show the QR code on your card to the camera.",
    hintNoCamera: "Hold your card to the card reader.",
    previewLabel: "Camera view (not recorded)",
    previewWaiting: "The camera is starting…",
    cameraLost: `The camera cannot be found. ${CALL_STAFF}`,
    demoTitle: "Demo cards",
    demoHint: "Press one to scan that card.",
    demoSheetTitle: "Where the printable cards are",
    demoSheetFile: "File",
    demoSheetFolder: "Folder",
    unavailable: (reason) =>
      reason === "staff_in_use"
        ? { title: "Staff are using this station", body: "Please wait a little." }
        : { title: "Measuring is not available", body: SCALE_CHECK },
  },
  participant: "Participant no.",
  identifying: { title: "Checking your card", body: "Please wait a moment." },
  consent: {
    title: "Your consent, please",
    reasons: (code) => {
      const words: Record<string, string> = {
        first_time: "This is your first visit.",
        new_version: "The explanation has changed.",
        new_purpose: "There is a new use of your information.",
      };
      return words[code] ?? null;
    },
    intro: "Please read the explanation below. Slide the text with your finger to read on.",
    documentKind: (kind) => {
      const words: Record<string, string> = {
        terms: "Terms of use",
        privacy_policy: "How your personal information is handled",
        measurement_notice: "About the measurement",
      };
      return words[kind] ?? kind;
    },
    version: (v) => `(version ${v})`,
    purposesTitle: "Choose for each use whether you agree",
    purposesIntro: "You choose each one separately. Nothing is chosen yet.",
    required: "Required",
    optional: "Optional",
    agree: "I agree",
    disagree: "I do not agree",
    refuseMeansRequired: "If you do not agree: you cannot be measured.",
    refuseMeansOptional: "If you do not agree: you can still be measured; it is not used for this.",
    chosen: "chosen",
    confirm: "Confirm my choices",
    remaining: (n) => `Please choose ${n} more ${n === 1 ? "item" : "items"}.`,
    ready: "All chosen. If this is right, press Confirm.",
  },
  savingConsent: { title: "Saving your answers", body: "Please wait a moment." },
  safety: {
    title: "Do you have a pacemaker or another electronic medical device inside your body?",
    body: "If you do, only your weight is measured.",
    yes: "Yes",
    no: "No",
    yesMeans: "If you answer Yes, no electric current is used.",
  },
  guidance: {
    preparingTitle: "The scale is getting ready",
    preparingBody: "Please wait a moment. Do not step on yet.",
    stepOnTitle: "Please step onto the scale",
    steps: [
      "Take off your shoes and socks.",
      "Step onto the metal plates of the scale with bare feet.",
      "Stand still until it finishes.",
    ],
    weightOnly: "Only your weight is measured. No electric current is used.",
    savingTitle: "Saving your results",
    savingBody: "Please stay there a moment.",
    scale: (connected) =>
      connected === null
        ? "Scale: checking"
        : connected
          ? "Scale: connected"
          : `Scale: not connected. ${CALL_STAFF}`,
    demoStepOn: "Step on (demo)",
  },
  results: {
    title: "Your results",
    valueName: (key) => VALUE_NAMES[key] ?? key,
    band: (band) => BANDS[band] ?? band,
    bandWord: (band) => BANDS[band] ?? band,
    source: (s) => `Source: ${s}`,
    notDiagnosis: "These results are a guide only, not a medical diagnosis.",
    weightOnly: "Only your weight was measured this time.",
    trendTitle: "Your weight so far",
    trendFirst: "This is your first record. Changes are shown from next time.",
    trendLatest: "Today",
    pointsTitle: "Points",
    pointsWaiting: "…",
    pointsAwarded: (earned, balance) => `+${earned} points / balance ${balance}`,
    pointsLater: "Your points will be added later",
    finish: "Finish",
  },
  ended: {
    finished: { title: "Thank you", body: "Please step off the scale." },
    stopped: { title: "Finished", body: "Thank you for coming." },
    required_purpose_refused: {
      title: "No measurement today",
      body: "A required item was not agreed to, so you cannot be measured. Only your choices were recorded.",
    },
    card_unknown: { title: "This card is not registered", body: CALL_STAFF },
    lookup_failed: { title: "Your record could not be read", body: CALL_STAFF },
    no_documents_in_force: { title: "The consent explanation cannot be shown", body: CALL_STAFF },
    consent_not_saved: { title: "Your answers could not be saved", body: CALL_STAFF },
    scale_not_ready: { title: "The scale did not get ready", body: CALL_STAFF },
    scale_fault: { title: "The scale reported an error", body: CALL_STAFF },
    record_failed: { title: "Your results could not be saved", body: `They were not recorded. ${CALL_STAFF}` },
    idle_timeout: { title: "Back to the start", body: "The session ended because nothing was pressed." },
    consent_withdrawn: {
      title: "You have withdrawn your consent",
      body: "No measurement will be recorded. To ask about your earlier records, or to join again, please speak to the staff at the desk.",
    },
    use_stopped: {
      title: "You asked us to stop using your data",
      body: "No measurement will be recorded. To ask about your earlier records, or to use the service again, please speak to the staff at the desk.",
    },
    analyzer_changed: {
      title: "The scale has been replaced",
      body: "Measurements stop until a technician has checked it. Your measurement was not recorded. Please call a member of staff.",
    },
  },
  scaleCode: (code) => `Scale error code: ${code}`,
  idle: {
    title: "Are you still there?",
    countdown: (secs) => `Going back to the start in ${secs} seconds.`,
    continue: "Continue",
  },
  notice: (code, detail) => {
    switch (code) {
      case "card_malformed":
      case "card_bad_signature":
        return "The card could not be read. Please hold it up again.";
      case "card_not_ours":
      case "card_revoked":
      case "card_expired":
      case "card_unknown_participant":
      case "card_other_program":
      case "card_no_roster":
        return "This card cannot be used. Please speak to a staff member.";
      case "scale_message":
        return `A message from the scale${detail ? ` (${detail})` : ""}: stand straight on the plates with bare feet.`;
      case "reading_refused":
        return "Please measure again: step off, then step on again.";
      case "demo_only":
        return "This works in demo mode only.";
      case "measurements_blocked":
        return `Measuring is not available: ${SCALE_CHECK.charAt(0).toLowerCase()}${SCALE_CHECK.slice(1)}`;
      default:
        return CALL_STAFF;
    }
  },
  commandError: (code) => {
    switch (code) {
      case "stale_session":
        return "The screen changed. Please try again.";
      case "busy":
        return "Busy. Please wait a moment.";
      case "not_demo":
        return "This works in demo mode only.";
      case "no_such_card":
        return "There is no such demo card.";
      default:
        return `Something went wrong. ${CALL_STAFF}`;
    }
  },
};
