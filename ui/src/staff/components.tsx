// The staff window's frame parts: header (name, role, menu, sign-out), the idle warning, the
// toast, the print confirmation with its print-only card image, the state badge.
// Deliberately not here: the screens' content (screens/).

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { StaffSessionView } from "../lib/ipc-types";
import { keepSignedIn, run } from "./actions";
import { Bi, c, ROLE, type T } from "./copy";
import { staff } from "./ipc";
import { dismissToast, go, setPrint, type PrintState, type StaffState, type Toast as ToastState } from "./store";

export function Header(props: { session: StaffSessionView; atHome: boolean }) {
  const { session, atHome } = props;
  return (
    <header class="st-header">
      <div class="st-who" data-testid="staff-who">
        <span class="st-name">{session.display_name}</span>
        <Bi t={ROLE[session.role] ?? { ja: session.role, en: session.role }} inline class="st-role" />
      </div>
      <div class="st-header-actions">
        {atHome ? null : (
          <button type="button" class="btn st-btn" data-testid="nav-home" onClick={() => go("home")}>
            <Bi t={c.header.menu} />
          </button>
        )}
        <button type="button" class="btn st-btn" data-testid="sign-out" onClick={() => void run(() => staff.signOut())}>
          <Bi t={c.header.signOut} />
        </button>
      </div>
    </header>
  );
}

export function IdleWarning(props: { idle: StaffState["idle"] }) {
  const { idle } = props;
  const left = () => (idle ? Math.max(0, Math.ceil((idle.remainingMs - (performance.now() - idle.receivedAt)) / 1000)) : 0);
  const [secs, setSecs] = useState(left);
  useEffect(() => {
    if (!idle) return;
    setSecs(left());
    const timer = setInterval(() => setSecs(left()), 250);
    return () => clearInterval(timer);
  }, [idle?.receivedAt]);
  if (!idle) return null;
  return (
    <div class="overlay" data-testid="staff-idle">
      <div class="dialog" role="alertdialog" aria-labelledby="st-idle-title">
        <h2 id="st-idle-title">
          <Bi t={c.idle.title} />
        </h2>
        <p class="countdown" aria-live="polite" data-testid="staff-idle-countdown">
          <Bi t={c.idle.countdown(secs)} inline />
        </p>
        <button type="button" class="btn btn-primary btn-huge" data-testid="staff-idle-continue" onClick={keepSignedIn}>
          <Bi t={c.idle.continue} />
        </button>
      </div>
    </div>
  );
}

export const TOAST_MS = 8000;

/** Codes the UI words itself; for the rest the runtime's own "日本語 / English" detail (it says
 * what to do: weigh_timeout, no_identity, bad_date, card_not_ready, …) when it has both. */
const WORDED = new Set(["not_signed_in", "not_allowed", "busy", "print_failed"]);

export function toastWords(toast: ToastState): T {
  const cut = toast.detail.indexOf(" / ");
  if (!WORDED.has(toast.code) && cut > 0) {
    return { ja: toast.detail.slice(0, cut).trim(), en: toast.detail.slice(cut + 3).trim() };
  }
  return c.errors(toast.code);
}

export function Toast(props: { toast: ToastState | null }) {
  const { toast } = props;
  useEffect(() => {
    if (!toast) return;
    const id = toast.id;
    const timer = setTimeout(() => dismissToast(id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast?.id]);
  if (!toast) return null;
  return (
    <div class="toast st-toast" role="alert" data-testid="staff-toast" data-code={toast.code}>
      <span class="toast-icon" aria-hidden="true">
        !
      </span>
      <Bi t={toastWords(toast)} />
      <button type="button" class="btn st-btn" onClick={() => dismissToast(toast.id)}>
        <Bi t={c.print.done} />
      </button>
    </div>
  );
}

/** A registration's state as a badge (never by colour alone: a mark and the word). */
export function StateBadge(props: { state: string }) {
  const word: T = c.state[props.state] ?? { ja: props.state, en: props.state };
  const mark = props.state === "accepted" ? "✓" : props.state === "pending" ? "…" : "!";
  return (
    <span class={`st-badge st-badge-${props.state}`} data-testid="state-badge" data-state={props.state}>
      <span aria-hidden="true">{mark} </span>
      <Bi t={word} inline />
    </span>
  );
}

/** The card image put where only the printer sees it (`@media print`), and `window.print()`. */
function PrintOnly(props: { svg: string }) {
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(props.svg)}`;
  return (
    <div class="st-print-only" data-testid="print-only">
      <img src={src} alt="" onLoad={() => window.print()} onError={() => window.print()} />
    </div>
  );
}

export function PrintConfirm(props: { print: PrintState | null }) {
  const { print } = props;
  const [round, setRound] = useState(0);
  if (!print) return null;
  return (
    <>
      {print.mode === "dialog" ? <PrintOnly key={round} svg={print.svg} /> : null}
      <div class="overlay st-no-print" data-testid="print-confirm" data-mode={print.mode}>
        <div class="dialog" role="dialog">
          <p class="st-big">
            <Bi t={print.mode === "sent" ? c.print.sent(print.destination) : c.print.dialog} />
          </p>
          <div class="st-row">
            {print.mode === "dialog" ? (
              <button type="button" class="btn st-btn" onClick={() => setRound(round + 1)}>
                <Bi t={c.print.again} />
              </button>
            ) : null}
            <button type="button" class="btn btn-primary st-btn" data-testid="print-close" onClick={() => setPrint(null)}>
              <Bi t={c.print.done} />
            </button>
          </div>
        </div>
      </div>
    </>
  );
}

/** A labelled value in a definition list. */
export function Field(props: { label: T; children: ComponentChildren; testid?: string }) {
  return (
    <div class="st-field" data-testid={props.testid}>
      <dt>
        <Bi t={props.label} inline />
      </dt>
      <dd>{props.children}</dd>
    </div>
  );
}
