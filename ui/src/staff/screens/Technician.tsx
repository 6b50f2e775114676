// 技術者: the analyzer connection (port, model, settings, connected, identity), the port and
// model choice with 自動検出 and 接続, a live traffic monitor (newest at the bottom, capped),
// the card-reader test, sync status and backlog, and whether participants may measure.
// Deliberately not here: talking to the analyzer (the station), calibration (Calibration.tsx).

import { Fragment } from "preact";
import { memo } from "preact/compat";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { GateView, ScaleServiceView, StaffSyncView, TapLine } from "../../lib/ipc-types";
import { cardTest, leaveTechnician, run, tapOn } from "../actions";
import { Field } from "../components";
import { Bi, c } from "../copy";
import { staff } from "../ipc";
import { clearTap, TAP_CAP, type StaffState } from "../store";
import { GateBanner } from "./Home";

function Analyzer(props: { scale: ScaleServiceView | null }) {
  const s = props.scale;
  const [port, setPort] = useState(s?.port ?? "");
  const [model, setModel] = useState(s?.model ?? "");
  useEffect(() => {
    if (s && port === "") setPort(s.port);
    if (s && model === "") setModel(s.model);
  }, [s?.port, s?.model]);
  return (
    <div class="st-panel" data-testid="tech-analyzer">
      <h2>
        <Bi t={c.tech.analyzer} />
      </h2>
      <dl class="st-fields">
        <Field label={c.tech.port}>
          <span class="st-mono">{s?.port ?? "—"}</span>
        </Field>
        <Field label={c.tech.model}>{s?.model ?? "—"}</Field>
        <Field label={c.tech.settings}>
          <span class="st-mono">{s?.settings ?? "—"}</span>
        </Field>
        <Field label={c.tech.state} testid="tech-connected">
          <Bi t={s?.connected ? c.tech.connected : c.tech.disconnected} inline />
        </Field>
        <Field label={c.tech.identity}>{s?.identity ?? <Bi t={c.tech.noIdentity} inline />}</Field>
      </dl>
      {s?.detect ? (
        <p class="st-note" data-testid="tech-detect">
          <Bi t={s.detect} />
        </p>
      ) : null}
      <div class="st-form-row">
        <label class="st-form-label" for="st-port">
          <Bi t={c.tech.port} />
        </label>
        <div class="st-form-control">
          {s && s.ports.length > 0 ? (
            <select id="st-port" class="st-input" data-testid="tech-port" value={port} onChange={(e) => setPort((e.target as HTMLSelectElement).value)}>
              {s.ports.map((p) => (
                <option key={p.path} value={p.path}>
                  {p.path}
                  {p.description ? ` — ${p.description}` : ""}
                </option>
              ))}
            </select>
          ) : (
            <p>
              <Bi t={c.tech.noPorts} inline />
            </p>
          )}
        </div>
      </div>
      <div class="st-form-row">
        <label class="st-form-label" for="st-model">
          <Bi t={c.tech.model} />
        </label>
        <div class="st-form-control">
          <select id="st-model" class="st-input" data-testid="tech-model" value={model} onChange={(e) => setModel((e.target as HTMLSelectElement).value)}>
            {(s?.models ?? []).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="st-row">
        <button type="button" class="btn st-btn" data-testid="tech-ports" onClick={() => void run(() => staff.refreshPorts())}>
          <Bi t={c.tech.refreshPorts} />
        </button>
        <button type="button" class="btn st-btn" data-testid="tech-autodetect" disabled={!port} onClick={() => void run(() => staff.autodetect(port))}>
          <Bi t={c.tech.autodetect} />
        </button>
        <button type="button" class="btn btn-primary st-btn" data-testid="tech-connect" disabled={!port || !model} onClick={() => void run(() => staff.connect(port, model))}>
          <Bi t={c.tech.connect} />
        </button>
      </div>
    </div>
  );
}

function Monitor(props: { tap: StaffState["tap"]; on: boolean }) {
  const box = useRef<HTMLOListElement>(null);
  const follow = useRef(true);
  // Newest at the bottom: follow it (unless the technician scrolled up to read).
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [props.tap.length, props.tap[props.tap.length - 1]?.seq]);
  const onScroll = () => {
    const el = box.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };
  return (
    <div class="st-panel st-wide" data-testid="tech-monitor">
      <h2>
        <Bi t={c.tech.monitor} />
      </h2>
      <div class="st-row">
        <button type="button" class={`btn st-btn${props.on ? "" : " btn-primary"}`} data-testid="tap-toggle" aria-pressed={props.on} onClick={() => void tapOn(!props.on)}>
          <Bi t={props.on ? c.tech.monitorStop : c.tech.monitorStart} />
        </button>
        <button type="button" class="btn st-btn" data-testid="tap-clear" onClick={clearTap}>
          <Bi t={c.tech.monitorClear} />
        </button>
        <span class="st-hint" data-testid="tap-count">
          <Bi t={c.tech.monitorCount(props.tap.length, TAP_CAP)} inline />
        </span>
      </div>
      {props.tap.length === 0 ? (
        <p class="st-hint">
          <Bi t={c.tech.monitorEmpty} inline />
        </p>
      ) : (
        <ol class="st-tap" ref={box} data-testid="tap-lines" onScroll={onScroll}>
          {props.tap.map(({ seq, line }) => (
            <TapRow key={seq} line={line} />
          ))}
        </ol>
      )}
    </div>
  );
}

/** A frame's text with a break allowed after each comma (never inside a number or a field). */
function commaBreaks(text: string) {
  const parts = text.split(/(?<=,)/);
  return parts.map((p, i) => (
    <Fragment key={i}>
      {p}
      {i < parts.length - 1 ? <wbr /> : null}
    </Fragment>
  ));
}

/** One monitor line: time and kind on a compact line above the text, which takes the full width.
 * Memoised: a line never changes, and hundreds are shown. */
const TapRow = memo(function TapRow(props: { line: TapLine }) {
  const { line } = props;
  return (
    <li class={`st-tap-line st-tap-${line.kind}`} data-kind={line.kind}>
      <span class="st-tap-head">
        <span class="st-tap-at">{(line.at_ms / 1000).toFixed(3)}</span> <span class="st-tap-kind">{line.kind}</span>
      </span>
      <span class="st-tap-text">{commaBreaks(line.text)}</span>
    </li>
  );
});

function CardTest(props: { on: boolean; tests: StaffState["cardTests"] }) {
  return (
    <div class="st-panel st-wide" data-testid="tech-card-test">
      <h2>
        <Bi t={c.tech.cardTest} />
      </h2>
      <p class="st-hint">
        <Bi t={c.tech.cardTestHint} />
      </p>
      <button type="button" class={`btn st-btn${props.on ? "" : " btn-primary"}`} data-testid="card-test-toggle" aria-pressed={props.on} onClick={() => void cardTest(!props.on)}>
        <Bi t={props.on ? c.tech.cardTestOff : c.tech.cardTestOn} />
      </button>
      {props.on && props.tests.length === 0 ? (
        <p class="st-note">
          <Bi t={c.tech.cardTestWaiting} inline />
        </p>
      ) : null}
      <ul class="st-verdicts">
        {props.tests.map(({ seq, view }) => (
          <li key={seq} data-testid="card-verdict" data-verdict={view.verdict} class={view.verdict === "valid" ? "st-ok" : "st-ng"}>
            <span aria-hidden="true">{view.verdict === "valid" ? "✓ " : "✗ "}</span>
            <Bi t={c.verdict(view.verdict)} inline /> · <Bi t={c.via[view.via] ?? { ja: view.via, en: view.via }} inline />
            {view.card_id ? <span class="st-mono"> · {view.card_id}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SyncPanel(props: { sync: StaffSyncView | null }) {
  const s = props.sync;
  return (
    <div class="st-panel" data-testid="tech-sync" data-state={s?.sync.state ?? ""}>
      <h2>
        <Bi t={c.tech.sync} />
      </h2>
      <dl class="st-fields">
        <Field label={c.tech.syncState}>
          <Bi t={s ? (c.syncState[s.sync.state] ?? { ja: s.sync.state, en: s.sync.state }) : { ja: "—", en: "—" }} inline />
        </Field>
        <Field label={c.tech.backlog} testid="sync-backlog">
          {s?.sync.backlog ?? "—"}
        </Field>
        <Field label={c.tech.regPending} testid="sync-registrations">
          {s?.registrations_pending ?? "—"}
        </Field>
        <Field label={c.tech.calPending} testid="sync-calibrations">
          {s?.calibrations_pending ?? "—"}
        </Field>
        <Field label={c.tech.lastSuccess}>{s?.last_success ?? <Bi t={c.tech.never} inline />}</Field>
        {s?.sync.last_error ? (
          <Field label={c.tech.lastError} testid="sync-error">
            <Bi t={s.sync.last_error} />
          </Field>
        ) : null}
      </dl>
    </div>
  );
}

export function GatePanel(props: { gate: GateView | null }) {
  const g = props.gate;
  return (
    <div class="st-panel" data-testid="tech-gate">
      <h2>
        <Bi t={c.tech.gate} />
      </h2>
      {g && !g.open ? (
        <GateBanner gate={g} />
      ) : g ? (
        <p class="st-ok-box" data-testid="gate-open">
          ✓ <Bi t={c.tech.gateOpen} inline />
        </p>
      ) : null}
      <dl class="st-fields">
        <Field label={c.tech.checkedAnalyzer}>{g?.checked_analyzer ?? "—"}</Field>
        <Field label={c.tech.nextDue}>{g?.next_check_due ?? "—"}</Field>
      </dl>
    </div>
  );
}

export function Technician(props: { state: StaffState }) {
  const { state } = props;
  useEffect(() => leaveTechnician, []);
  return (
    <section class="st-screen" data-screen="staff-technician">
      <h1>
        <Bi t={c.tech.title} />
      </h1>
      <div class="st-grid">
        <Analyzer scale={state.scale} />
        <div class="st-stack">
          <GatePanel gate={state.gate} />
          <SyncPanel sync={state.sync} />
        </div>
        <Monitor tap={state.tap} on={state.tapOn} />
        <CardTest on={state.cardTestOn} tests={state.cardTests} />
      </div>
    </section>
  );
}
