// The kiosk UI's frame: header (purpose notice, language, volume), the current screen, the
// stop/finish bar, the toast, the idle warning, the footer; the spoken prompt for what is on
// screen. Deliberately not here: each screen's content (screens/), state (lib/store.ts).

import { useEffect, useLayoutEffect } from "preact/hooks";
import { copyFor } from "./copy";
import { Footer } from "./components/Footer";
import { Header } from "./components/Header";
import { IdleWarning } from "./components/IdleWarning";
import { Toast } from "./components/Toast";
import { useStore } from "./components/hooks";
import { continueSession, finish } from "./lib/actions";
import type { Screen } from "./lib/ipc-types";
import { isPersonal, sessionOf } from "./lib/store";
import { type PromptKey, setSpeechVolume, speak } from "./lib/voice";
import { Attract } from "./screens/Attract";
import { Consent } from "./screens/Consent";
import { Ended } from "./screens/Ended";
import { Guidance } from "./screens/Guidance";
import { Identifying } from "./screens/Identifying";
import { NotConfigured } from "./screens/NotConfigured";
import { Results } from "./screens/Results";
import { Safety } from "./screens/Safety";
import { SavingConsent } from "./screens/SavingConsent";

/** The spoken prompt for a screen (keys of src/voice/prompts.json). */
export function promptFor(screen: Screen | null): PromptKey | null {
  switch (screen?.screen) {
    case undefined:
    case "not_configured":
      return null;
    case "attract":
      return "attract";
    case "identifying":
      return "identifying";
    case "consent":
      return "consent";
    case "saving_consent":
      return "saving_consent";
    case "safety":
      return "safety";
    case "guidance":
      return screen.step === "preparing"
        ? "preparing"
        : screen.step === "saving"
          ? "saving"
          : screen.weight_only
            ? "step_on_weight_only"
            : "step_on";
    case "results":
      return "results";
    case "ended":
      switch (screen.reason) {
        case "finished":
        case "stopped":
        case "idle_timeout":
          return "thank_you";
        case "required_purpose_refused":
          return "required_refused";
        case "consent_withdrawn":
          return "consent_withdrawn";
        case "use_stopped":
          return "use_stopped";
        default:
          return "call_staff";
      }
  }
}

/** A key that changes whenever a new prompt should start. */
function promptMoment(screen: Screen | null): string {
  if (!screen) return "";
  const step = screen.screen === "guidance" ? screen.step : screen.screen === "ended" ? screen.reason : "";
  return `${screen.screen}:${step}:${sessionOf(screen) ?? ""}`;
}

function CurrentScreen() {
  const s = useStore();
  const copy = copyFor(s.lang);
  const screen = s.screen;
  switch (screen?.screen) {
    case undefined:
      return <section class="screen" data-screen="none" />;
    case "not_configured":
      return <NotConfigured copy={copy} lang={s.lang} screen={screen} />;
    case "attract":
      return <Attract copy={copy} lang={s.lang} info={s.info} camera={s.camera} preview={s.preview} availability={s.availability} />;
    case "identifying":
      return <Identifying copy={copy} screen={screen} />;
    case "consent":
      return <Consent copy={copy} lang={s.lang} screen={screen} choices={s.choices} />;
    case "saving_consent":
      return <SavingConsent copy={copy} screen={screen} />;
    case "safety":
      return <Safety copy={copy} screen={screen} />;
    case "guidance":
      return <Guidance copy={copy} info={s.info} scale={s.scale} screen={screen} />;
    case "results":
      return <Results copy={copy} lang={s.lang} screen={screen} />;
    case "ended":
      return <Ended copy={copy} screen={screen} />;
  }
}

/** What `painted` reports for a screen: its name, the guidance screen with its step. */
export function paintedName(screen: Screen): string {
  return screen.screen === "guidance" ? `guidance_${screen.step}` : screen.screen;
}

export function App(props: { onPainted: (name: string) => void }) {
  const s = useStore();
  const copy = copyFor(s.lang);
  const personal = isPersonal(s.screen);
  const session = sessionOf(s.screen);
  const moment = promptMoment(s.screen);

  useEffect(() => {
    document.documentElement.lang = copy.htmlLang;
  }, [copy.htmlLang]);

  useEffect(() => {
    speak(s.idle ? "idle_warning" : promptFor(s.screen), s.lang, s.volume);
  }, [moment, s.lang, s.idle !== null]);

  useEffect(() => setSpeechVolume(s.volume), [s.volume]);

  // Every screen (and guidance step) reports when it is on screen (benchmarks): the layout
  // effect runs once the DOM holds it; the first frame after paints it, the second proves it.
  const painted = s.screen === null ? null : paintedName(s.screen);
  useLayoutEffect(() => {
    if (painted === null) return;
    requestAnimationFrame(() => requestAnimationFrame(() => props.onPainted(painted)));
  }, [painted, session]);

  return (
    <div class={`kiosk${personal ? " kiosk-personal" : ""}`} lang={copy.htmlLang}>
      <Header copy={copy} lang={s.lang} personal={personal} volume={s.volume} />
      <main class="main">
        <CurrentScreen />
      </main>
      {session !== null ? (
        <div class="action-bar">
          {s.screen?.screen === "results" ? (
            <button type="button" class="btn btn-primary btn-wide" data-testid="finish" onClick={() => void finish(session)}>
              {copy.results.finish}
            </button>
          ) : (
            <button type="button" class="btn btn-quiet btn-wide" data-testid="stop" onClick={() => void finish(session)}>
              {copy.stop}
            </button>
          )}
        </div>
      ) : null}
      <Footer copy={copy} info={s.info} scale={s.scale} sync={s.sync} />
      <Toast copy={copy} toast={s.toast} />
      <IdleWarning copy={copy} idle={s.idle} onContinue={() => void continueSession()} />
    </div>
  );
}
