// Guidance: preparing → remove shoes and socks, step on, hold still → saving; the scale's
// live connection; in demo mode a button that steps the simulated person on.

import type { Copy } from "../copy";
import type { KioskInfo, ScaleView, Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";
import { stepOnDemo } from "../lib/actions";

type Props = {
  copy: Copy;
  info: KioskInfo | null;
  scale: ScaleView | null;
  screen: Extract<Screen, { screen: "guidance" }>;
};

export function Guidance({ copy, info, scale, screen }: Props) {
  const g = copy.guidance;
  const connected = scale ? scale.connected : null;
  return (
    <section class="screen screen-center" data-screen="guidance" data-step={screen.step}>
      <ParticipantBadge copy={copy} participant={screen.participant} />
      {screen.step === "preparing" ? (
        <>
          <h1>{g.preparingTitle}</h1>
          <p class="lead">{g.preparingBody}</p>
          <div class="spinner" aria-hidden="true" />
        </>
      ) : screen.step === "step_on" ? (
        <>
          <h1>{g.stepOnTitle}</h1>
          {screen.weight_only ? (
            <p class="lead note-box" data-testid="weight-only">
              {g.weightOnly}
            </p>
          ) : null}
          <ol class="steps">
            {g.steps.map((s, i) => (
              <li key={i}>
                <span class="step-number" aria-hidden="true">
                  {i + 1}
                </span>
                <span>{s}</span>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <>
          <h1>{g.savingTitle}</h1>
          <p class="lead">{g.savingBody}</p>
          <div class="spinner" aria-hidden="true" />
        </>
      )}
      <div class="guidance-foot">
      <p class={connected === false ? "scale-status scale-lost" : "scale-status"} data-testid="scale-status">
        <span aria-hidden="true">{connected === false ? "✕ " : connected ? "● " : "… "}</span>
        {g.scale(connected)}
      </p>
      {info?.demo && screen.step !== "saving" ? (
        <button type="button" class="btn btn-demo" data-testid="demo-step-on" onClick={() => void stepOnDemo()}>
          {g.demoStepOn}
        </button>
      ) : null}
      </div>
    </section>
  );
}
