// The staff window's frame parts: header (name, role, menu, sign-out), the idle warning, the
// toast, the print confirmation with its print-only card image, the state badge.
// Deliberately not here: the screens' content (screens/).

import { Fragment, type ComponentChildren } from "preact";
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

/** Codes whose runtime detail is more exact than our words (which printer, which role, why the
 * analyzer would not weigh) and already says what to do, in both languages. */
const RUNTIME_WORDED = new Set(["not_allowed", "print_failed", "weigh_failed", "weigh_timeout"]);
/** Codes the UI always words itself (the runtime's detail is English only, names internal
 * fields, or should read plainer). */
const OUR_WORDS = new Set([
  "not_open",
  "sign_in_refused",
  "locked",
  "not_signed_in",
  "busy",
  "card_not_ready",
  "bad_serial",
  "no_serial",
  "no_calibration",
  "calibration_done",
  "unknown_model",
  "bad_port",
  "bad_date",
  "unknown_participant",
  "bad_participant_number",
  "store_failed",
  "not_running",
]);

/**
 * A runtime detail "日本語 / English" split at the " / " that ends the Japanese part (the one
 * after a non-ASCII character: a " / " inside a quoted system message is left alone); `null`
 * when the detail is not bilingual.
 */
export function splitBilingual(detail: string): T | null {
  for (let at = detail.indexOf(" / "); at > 0; at = detail.indexOf(" / ", at + 1)) {
    if (detail.charCodeAt(at - 1) > 0x7f) {
      const ja = detail.slice(0, at).trim();
      const en = detail.slice(at + 3).trim();
      if (ja && en) return { ja, en: en.charAt(0).toUpperCase() + en.slice(1) };
    }
  }
  return null;
}

/** What the toast says for a failed command: the runtime's words for RUNTIME_WORDED codes (when
 * bilingual), ours for OUR_WORDS; an unknown code gets the runtime's bilingual detail when it
 * has one, else ours with the code. */
export function toastWords(toast: ToastState): T {
  if (RUNTIME_WORDED.has(toast.code) || !OUR_WORDS.has(toast.code)) {
    const both = splitBilingual(toast.detail);
    if (both) return both;
  }
  return c.errors(toast.code, toast.cmd, toast.detail);
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

/** Where a card went (a printer or a file path), in monospace: a line may break after each `/`
 * of a path, never inside its last part (the file name). */
export function Destination(props: { to: string }) {
  const parts = props.to.split(/(?<=\/)/);
  const last = parts.pop() ?? "";
  return (
    <code class="st-dest" data-testid="print-destination">
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          <wbr />
        </Fragment>
      ))}
      <span class="st-dest-file">{last}</span>
    </code>
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
            <Bi t={print.mode === "sent" ? c.print.sent : c.print.dialog} />
          </p>
          {print.mode === "sent" ? (
            <p class="st-dest-line">
              <Bi t={c.print.to} inline />
              <br />
              <Destination to={print.destination} />
            </p>
          ) : null}
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
