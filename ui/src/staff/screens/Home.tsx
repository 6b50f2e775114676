// The menu after sign-in: only what the role allows (may_register: register, queue,
// registrations; may_service: technician, calibration), with the gate's state when closed.
// Deliberately not here: any screen's content.

import type { GateView, StaffSessionView } from "../../lib/ipc-types";
import { Bi, c, type T } from "../copy";
import { go, type View } from "../store";

const ITEMS: { view: View; label: T; hint: T; need: "register" | "service" }[] = [
  { view: "register", label: c.menu.register, hint: c.menu.registerHint, need: "register" },
  { view: "queue", label: c.menu.queue, hint: c.menu.queueHint, need: "register" },
  { view: "registrations", label: c.menu.registrations, hint: c.menu.registrationsHint, need: "register" },
  { view: "technician", label: c.menu.technician, hint: c.menu.technicianHint, need: "service" },
  { view: "calibration", label: c.menu.calibration, hint: c.menu.calibrationHint, need: "service" },
];

export function Home(props: { session: StaffSessionView; gate: GateView | null; queued: number }) {
  const { session, gate } = props;
  const items = ITEMS.filter((i) => (i.need === "register" ? session.may_register : session.may_service));
  return (
    <section class="st-screen" data-screen="staff-home">
      <h1>
        <Bi t={c.title} />
      </h1>
      {gate && !gate.open ? <GateBanner gate={gate} /> : null}
      {items.length === 0 ? (
        <p>
          <Bi t={c.menu.nothing} />
        </p>
      ) : (
        <nav class="st-menu">
          {items.map((i) => (
            <button type="button" key={i.view} class="btn st-menu-item" data-testid={`menu-${i.view}`} onClick={() => go(i.view)}>
              <span class="st-menu-label">
                <Bi t={i.label} />
                {i.view === "queue" && props.queued > 0 ? <span class="st-count">{props.queued}</span> : null}
              </span>
              <span class="st-menu-hint">
                <Bi t={i.hint} />
              </span>
            </button>
          ))}
        </nav>
      )}
    </section>
  );
}

/** The gate closed: why, and that a passed check reopens it. */
export function GateBanner(props: { gate: GateView }) {
  const reason = props.gate.reason ?? "";
  return (
    <div class="st-warn" role="status" data-testid="gate-closed" data-reason={reason}>
      <Bi t={c.gateReason[reason] ?? { ja: reason, en: reason }} />
      <Bi t={c.gateClosed} />
    </div>
  );
}
