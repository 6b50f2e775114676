// 校正チェック: the analyzer's legal-metrology dates (検定 / 定期検査), then the guided check
// with reference weights — each step "put N kg on, then 読み取る" in big numbers, the reading,
// its deviation and ✓/✗ against the tolerance, the final 合格/不合格 with the next due date —
// and the past checks. Deliberately not here: judging (the station's calibration module).

import { useEffect, useRef, useState } from "preact/hooks";
import type { AnalyzerView, CalibrationView, GateView } from "../../lib/ipc-types";
import { run } from "../actions";
import { Bi, c, fmt, signed } from "../copy";
import { staff } from "../ipc";
import { GatePanel } from "./Technician";

function Dates(props: { analyzer: AnalyzerView | null }) {
  const a = props.analyzer;
  const [verified, setVerified] = useState(a?.verified_on ?? "");
  const [last, setLast] = useState(a?.last_inspection ?? "");
  const [due, setDue] = useState(a?.inspection_due ?? "");
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setVerified(a?.verified_on ?? "");
    setLast(a?.last_inspection ?? "");
    setDue(a?.inspection_due ?? "");
  }, [a?.verified_on, a?.last_inspection, a?.inspection_due]);
  const save = async () => {
    const ok = await run(() => staff.analyzerDates({ verified_on: verified, last_inspection: last, inspection_due: due }));
    setSaved(ok !== undefined);
  };
  const date = (label: typeof c.cal.verifiedOn, value: string, set: (v: string) => void, testid: string) => (
    <label class="st-date">
      <Bi t={label} />
      <input
        class="st-input st-input-date"
        type="date"
        data-testid={testid}
        value={value}
        onInput={(e) => {
          set((e.target as HTMLInputElement).value);
          setSaved(false);
        }}
      />
    </label>
  );
  return (
    <div class="st-panel" data-testid="cal-dates">
      <h2>
        <Bi t={c.cal.dates} />
      </h2>
      <p>
        <Bi t={c.cal.analyzer} inline />: <strong data-testid="cal-analyzer">{a?.analyzer ?? <Bi t={c.cal.unknownAnalyzer} inline />}</strong>
      </p>
      <div class="st-dates">
        {date(c.cal.verifiedOn, verified, setVerified, "cal-verified")}
        {date(c.cal.lastInspection, last, setLast, "cal-last")}
        {date(c.cal.inspectionDue, due, setDue, "cal-due")}
      </div>
      <div class="st-row">
        <button type="button" class="btn st-btn" data-testid="cal-save-dates" onClick={() => void save()}>
          <Bi t={c.cal.saveDates} />
        </button>
        {saved ? (
          <span class="st-ok" data-testid="cal-dates-saved">
            ✓ <Bi t={c.cal.saved} inline />
          </span>
        ) : null}
      </div>
    </div>
  );
}

function Run(props: { cal: CalibrationView }) {
  const { cal } = props;
  const done = cal.state === "done";
  const nextKg = cal.next_step < cal.steps_kg.length ? cal.steps_kg[cal.next_step] : null;
  const verdict = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (done) verdict.current?.scrollIntoView({ block: "nearest" });
  }, [done, cal.passed]);
  return (
    <div class="st-panel st-wide" data-testid="cal-run" data-state={cal.state}>
      <p class="st-hint">
        <Bi t={c.cal.steps(cal.steps_kg.map(fmt))} inline /> · <Bi t={c.cal.tolerance(cal.tolerance_kg)} inline />
      </p>
      <ol class="st-cal-steps">
        {cal.steps_kg.map((kg, i) => (
          <li key={i} class={i === cal.next_step && !done ? "st-cal-current" : i < cal.next_step ? "st-cal-done" : ""}>
            {fmt(kg)} kg
          </li>
        ))}
      </ol>
      {!done && nextKg !== null ? (
        <div class="st-cal-prompt" data-testid="cal-prompt">
          <p class="st-cal-weight">
            <span class="st-cal-kg">{fmt(nextKg)}</span> kg
          </p>
          <p class="st-big">
            <Bi t={c.cal.put(nextKg)} />
          </p>
          {cal.state === "reading" ? (
            <p class="st-note" aria-live="polite">
              <Bi t={c.cal.reading} inline />
            </p>
          ) : null}
          {cal.state === "failed_to_read" ? (
            <p class="st-error" role="alert" data-testid="cal-failed-to-read">
              <Bi t={c.cal.failedToRead} />
            </p>
          ) : null}
          <div class="st-row">
            <button type="button" class="btn btn-primary btn-huge" data-testid="cal-read" disabled={cal.state === "reading"} onClick={() => void run(() => staff.calibrationReadStep())}>
              <Bi t={c.cal.read} />
            </button>
            <button type="button" class="btn st-btn" data-testid="cal-cancel" onClick={() => void run(() => staff.calibrationCancel())}>
              <Bi t={c.cal.cancel} />
            </button>
          </div>
        </div>
      ) : null}
      {cal.results.length > 0 ? (
        <table class="st-table" data-testid="cal-results">
          <thead>
            <tr>
              <th>
                <Bi t={c.cal.nominal} />
              </th>
              <th>
                <Bi t={c.cal.measured} />
              </th>
              <th>
                <Bi t={c.cal.deviation} />
              </th>
              <th>
                <Bi t={c.cal.result} />
              </th>
            </tr>
          </thead>
          <tbody>
            {cal.results.map((r, i) => (
              <tr key={i} data-testid="cal-step" data-ok={String(r.ok)} class={r.ok ? "st-ok" : "st-ng"}>
                <td class="st-num">{fmt(r.nominal_kg)} kg</td>
                <td class="st-num">{r.measured_kg.toFixed(2)} kg</td>
                <td class="st-num">{signed(r.deviation_kg)} kg</td>
                <td>
                  {r.ok ? "✓ " : "✗ "}
                  <Bi t={r.ok ? c.cal.ok : c.cal.ng} inline />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {done ? (
        <div ref={verdict} class={cal.passed ? "st-ok-box st-verdict" : "st-error st-verdict"} data-testid="cal-verdict" data-passed={String(cal.passed === true)}>
          <p class="st-cal-verdict-word">
            {cal.passed ? "✓ " : "✗ "}
            <Bi t={cal.passed ? c.cal.passed : c.cal.failed} inline />
          </p>
          <p>
            <Bi t={cal.passed ? c.cal.passedNext(cal.next_check_due) : c.cal.failedWhat} />
          </p>
          <button type="button" class="btn st-btn" data-testid="cal-again" onClick={() => void run(() => staff.calibrationStart())}>
            <Bi t={c.cal.again} />
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Past(props: { analyzer: AnalyzerView | null }) {
  const checks = props.analyzer?.checks ?? [];
  return (
    <div class="st-panel st-wide" data-testid="cal-past">
      <h2>
        <Bi t={c.cal.past} />
      </h2>
      {checks.length === 0 ? (
        <p class="st-hint">
          <Bi t={c.cal.noPast} inline />
        </p>
      ) : (
        <ul class="st-list">
          {checks.map((k, i) => (
            <li key={i} class={`st-past ${k.passed ? "st-ok" : "st-ng"}`} data-testid="past-check" data-passed={String(k.passed)}>
              <strong>
                {k.passed ? "✓ " : "✗ "}
                <Bi t={k.passed ? c.cal.passed : c.cal.failed} inline />
              </strong>{" "}
              {k.checked_at} · {k.analyzer} · {k.technician} · <Bi t={c.cal.worst} inline /> {signed(k.worst_deviation_kg)} kg ·{" "}
              <Bi t={k.synced ? c.cal.synced : c.cal.notSynced} inline />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Calibration(props: { calibration: CalibrationView | null; analyzer: AnalyzerView | null; gate: GateView | null }) {
  const { calibration } = props;
  return (
    <section class="st-screen" data-screen="staff-calibration">
      <h1>
        <Bi t={c.cal.title} />
      </h1>
      <div class="st-grid">
        {/* A check in progress comes first: the technician's hands are on the weights. */}
        {calibration ? <Run cal={calibration} /> : null}
        <Dates analyzer={props.analyzer} />
        <GatePanel gate={props.gate} />
        {calibration ? null : (
          <div class="st-panel st-wide">
            <button type="button" class="btn btn-primary btn-huge" data-testid="cal-start" onClick={() => void run(() => staff.calibrationStart())}>
              <Bi t={c.cal.start} />
            </button>
          </div>
        )}
        <Past analyzer={props.analyzer} />
      </div>
    </section>
  );
}
