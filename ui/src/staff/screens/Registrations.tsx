// 登録一覧: the registrations taken at this station (today's and any not yet settled), each
// with its state — a conflict stands out and says it is never merged — and card print/reprint
// and add-to-queue. Deliberately not here: settling anything (the server and program office).

import type { QueueEntry, RegistrationView } from "../../lib/ipc-types";
import { printCard, run } from "../actions";
import { StateBadge } from "../components";
import { Bi, c } from "../copy";
import { staff } from "../ipc";

export function Registrations(props: { registrations: RegistrationView[]; queue: QueueEntry[] }) {
  const { registrations, queue } = props;
  return (
    <section class="st-screen" data-screen="staff-registrations">
      <h1>
        <Bi t={c.list.title} />
      </h1>
      {registrations.length === 0 ? (
        <p class="st-note">
          <Bi t={c.list.empty} />
        </p>
      ) : (
        <ul class="st-list">
          {registrations.map((r) => {
            const queued = queue.some((q) => q.participant === r.participant);
            return (
              <li key={r.participant} class={`st-item st-item-${r.state}`} data-testid="registration" data-participant={r.participant} data-state={r.state}>
                <div class="st-item-head">
                  <span class="st-number">{r.participant}</span>
                  <StateBadge state={r.state} />
                </div>
                {r.state !== "accepted" ? (
                  <p class={r.state === "conflict" ? "st-conflict" : "st-item-explain"} data-testid={r.state === "conflict" ? "conflict-explain" : undefined}>
                    <Bi t={c.stateExplain[r.state] ?? c.stateExplain.pending} />
                  </p>
                ) : null}
                <p class="st-item-meta">
                  <Bi t={c.list.at} inline />: {r.registered_at} · <Bi t={c.list.by} inline />: {r.registered_by} ·{" "}
                  <Bi t={r.consent_method === "on_screen" ? c.list.consentOnScreen : c.list.consentPaper} inline /> ·{" "}
                  <Bi t={r.card_printed ? c.list.printed : c.list.notPrinted} inline />
                  {r.measured ? (
                    <>
                      {" · "}
                      <Bi t={c.list.measured} inline />
                    </>
                  ) : null}
                </p>
                <div class="st-row">
                  {r.card_ready ? (
                    <button type="button" class="btn st-btn" data-testid="print-card" onClick={() => void printCard(r.participant)}>
                      <Bi t={r.card_printed ? c.registered.reprint : c.registered.print} />
                    </button>
                  ) : null}
                  {r.state !== "conflict" && r.state !== "ineligible" && r.state !== "full" ? (
                    <button type="button" class="btn st-btn" data-testid="queue-add" disabled={queued} onClick={() => void run(() => staff.queueAdd(r.participant))}>
                      <Bi t={queued ? c.registered.queued : c.registered.queue} />
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
