// The idle warning: a large "続ける" button and a countdown over the whole screen. The
// countdown runs locally from the last Idle event. Deliberately not here: the timer that
// wipes (the runtime owns it).

import { useEffect, useState } from "preact/hooks";
import type { Copy } from "../copy";
import type { IdleState } from "../lib/store";

export function IdleWarning(props: { copy: Copy; idle: IdleState | null; onContinue: () => void }) {
  const { copy, idle, onContinue } = props;
  const secsLeft = () =>
    idle ? Math.max(0, Math.ceil((idle.remainingMs - (performance.now() - idle.receivedAt)) / 1000)) : 0;
  const [secs, setSecs] = useState(secsLeft);
  useEffect(() => {
    if (!idle) return;
    setSecs(secsLeft());
    const t = setInterval(() => setSecs(secsLeft()), 250);
    return () => clearInterval(t);
  }, [idle?.receivedAt]);
  if (!idle) return null;
  return (
    <div class="overlay" data-testid="idle-warning">
      <div class="dialog" role="alertdialog" aria-labelledby="idle-title" aria-describedby="idle-count">
        <h2 id="idle-title">{copy.idle.title}</h2>
        <p id="idle-count" class="countdown" aria-live="polite" data-testid="idle-countdown">
          {copy.idle.countdown(secs)}
        </p>
        <button type="button" class="btn btn-primary btn-huge" data-testid="idle-continue" onClick={onContinue}>
          {copy.idle.continue}
        </button>
      </div>
    </div>
  );
}
