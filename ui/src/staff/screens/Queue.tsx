// 測定の列: the people waiting, in order, with 測定 (their session runs on the participant
// screen, the analyzer preset for them) and 外す; weight-only people are marked.
// Deliberately not here: running the session (the runtime and the participant window).

import type { QueueEntry } from "../../lib/ipc-types";
import { measure, run } from "../actions";
import { Bi, c } from "../copy";
import { staff } from "../ipc";

export function Queue(props: { queue: QueueEntry[] }) {
  const { queue } = props;
  const busy = queue.some((q) => q.state === "measuring");
  return (
    <section class="st-screen" data-screen="staff-queue">
      <h1>
        <Bi t={c.queue.title} />
      </h1>
      {queue.length === 0 ? (
        <p class="st-note">
          <Bi t={c.queue.empty} />
        </p>
      ) : (
        <ol class="st-list st-queue">
          {queue.map((q, i) => (
            <li key={q.participant} class={`st-item st-q-${q.state}`} data-testid="queued" data-participant={q.participant} data-state={q.state}>
              <span class="st-q-pos">{i + 1}</span>
              <span class="st-number">{q.participant}</span>
              {q.weight_only ? (
                <span class="st-badge st-badge-weight" data-testid="weight-only">
                  <Bi t={c.queue.weightOnly} inline />
                </span>
              ) : null}
              <span class={`st-badge st-badge-q-${q.state}`}>
                <Bi t={c.queue[q.state] ?? { ja: q.state, en: q.state }} inline />
              </span>
              <span class="st-q-actions">
                {q.state === "waiting" ? (
                  <button type="button" class="btn btn-primary st-btn" data-testid="measure" disabled={busy} onClick={() => void measure(q.participant)}>
                    <Bi t={c.queue.measure} />
                  </button>
                ) : null}
                {q.state !== "measuring" ? (
                  <button type="button" class="btn st-btn" data-testid="remove" onClick={() => void run(() => staff.queueRemove(q.participant))}>
                    <Bi t={c.queue.remove} />
                  </button>
                ) : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
