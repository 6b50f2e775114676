// 校正チェック: the analyzer's legal-metrology dates (検定 / 定期検査), then the guided check
// with reference weights — each step "put N kg on, then 読み取る" in big numbers, the reading,
// its deviation and ✓/✗ against the tolerance, the final 合格/不合格 with the next due date —
// and the past checks. Both the check and the dates name the analyzer by its serial number: as
// its frames report it, else as typed from its nameplate (MC-780 frames carry none), prefilled
// from what the runtime knows. Deliberately not here: judging (the station's calibration module).

import { useEffect, useRef, useState } from "preact/hooks";
import type { AnalyzerView, CalibrationView, GateView, ScaleServiceView } from "../../lib/ipc-types";
import { run } from "../actions";
import { Bi, c, fmt, signed } from "../copy";
import { isoOf } from "../dates";
import { DateField } from "../DateField";
import { staff } from "../ipc";
import { getState } from "../store";
import { GatePanel } from "./Technician";

/** The serial number an analyzer text names (`MC-780 SN 12345678`, `SN 12345678`), or `null`. */
export function serialIn(text: string | null | undefined): string | null {
  const m = /(?:^|\s)SN\s+([A-Za-z0-9-]{1,32})\s*$/.exec(text ?? "");
  return m ? m[1] : null;
}

/** What the runtime accepts as a typed serial (kiosk/src/staff/calibration.rs `typed_serial`). */
const SERIAL = /^[A-Za-z0-9-]{1,32}$/;

/** The serial number field shared by the check and the dates form. */
interface Serial {
  value: string;
  set: (v: string) => void;
  /** As the analyzer's frames report it (then the field only shows it). */
  reported: string | null;
  /** As the runtime's records know it (prefilled; the technician checks it). */
  known: string | null;
  /** The runtime said it needs one (`no_serial`). */
  missing: boolean;
  /** Empty or well-formed: something may be sent. */
  ok: boolean;
}

function SerialField(props: { serial: Serial; testid: string }) {
  const { serial, testid } = props;
  const v = serial.value.trim();
  const note =
    serial.reported !== null
      ? { t: c.serial.reported, cls: "st-hint" }
      : v === ""
        ? { t: c.serial.needed, cls: serial.missing ? "st-error" : "st-note" }
        : !SERIAL.test(v)
          ? { t: c.serial.bad, cls: "st-error" }
          : v === serial.known
            ? { t: c.serial.known, cls: "st-hint" }
            : null;
  const invalid = (v === "" && serial.missing) || (v !== "" && !SERIAL.test(v));
  return (
    <label class="st-label st-serial">
      <Bi t={c.serial.label} inline />
      <input
        class={`st-input st-input-serial${invalid ? " st-input-target" : ""}`}
        data-testid={testid}
        type="text"
        inputMode="text"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        maxLength={32}
        readOnly={serial.reported !== null}
        aria-invalid={invalid}
        value={serial.value}
        onInput={(e) => serial.set((e.target as HTMLInputElement).value)}
      />
      {note ? (
        <span class={note.cls} data-testid={`${testid}-note`} role={note.cls === "st-error" ? "alert" : undefined}>
          <Bi t={note.t} inline />
        </span>
      ) : null}
    </label>
  );
}

function Dates(props: { analyzer: AnalyzerView | null; serial: Serial; onNoSerial: () => void }) {
  const { serial } = props;
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
  const typed = serial.value.trim();
  // As typed (西暦 or 和暦) → `YYYY-MM-DD` ("" when left empty); null = not a date.
  const dates = [isoOf(verified), isoOf(last), isoOf(due)];
  const datesOk = dates.every((d) => d !== null);
  const save = async () => {
    if (!datesOk) return;
    const [verified_on, last_inspection, inspection_due] = dates as string[];
    const form = { verified_on, last_inspection, inspection_due, ...(typed ? { serial_number: typed } : {}) };
    const ok = await run(() => staff.analyzerDates(form));
    setSaved(ok !== undefined);
    if (ok === undefined && getState().toast?.code === "no_serial") props.onNoSerial();
  };
  const date = (label: typeof c.cal.verifiedOn, value: string, set: (v: string) => void, testid: string) => (
    <label class="st-date">
      <Bi t={label} />
      <DateField
        testid={testid}
        value={value}
        onInput={(v) => {
          set(v);
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
        <Bi t={c.cal.analyzer} inline />: <strong class="st-ident" data-testid="cal-analyzer">{a?.analyzer ?? <Bi t={c.cal.unknownAnalyzer} inline />}</strong>
      </p>
      {/* Reported by the frames: the analyzer line above already names it. */}
      {serial.reported === null ? <SerialField serial={serial} testid="cal-dates-serial" /> : null}
      <div class="st-dates">
        {date(c.cal.verifiedOn, verified, setVerified, "cal-verified")}
        {date(c.cal.lastInspection, last, setLast, "cal-last")}
        {date(c.cal.inspectionDue, due, setDue, "cal-due")}
      </div>
      <div class="st-row">
        <button type="button" class="btn st-btn" data-testid="cal-save-dates" disabled={!serial.ok || !datesOk} onClick={() => void save()}>
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

function Run(props: { cal: CalibrationView; again: () => void; onNoSerial: () => void }) {
  const { cal } = props;
  const read = async () => {
    const ok = await run(() => staff.calibrationReadStep());
    if (ok === undefined && getState().toast?.code === "no_serial") props.onNoSerial();
  };
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
            <button type="button" class="btn btn-primary btn-huge" data-testid="cal-read" disabled={cal.state === "reading"} onClick={() => void read()}>
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
          <button type="button" class="btn st-btn" data-testid="cal-again" onClick={props.again}>
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

export function Calibration(props: {
  calibration: CalibrationView | null;
  analyzer: AnalyzerView | null;
  gate: GateView | null;
  scale: ScaleServiceView | null;
}) {
  const { calibration } = props;
  const reported = serialIn(props.scale?.identity);
  const known = serialIn(props.analyzer?.analyzer);
  const [value, setValue] = useState(reported ?? known ?? "");
  const [missing, setMissing] = useState(false);
  // Prefilled from what the runtime knows, whenever that changes.
  useEffect(() => {
    const v = reported ?? known;
    if (v !== null) setValue(v);
  }, [reported, known]);
  const typed = value.trim();
  const serial: Serial = {
    value,
    set: setValue,
    reported,
    known,
    missing,
    ok: typed !== "" && SERIAL.test(typed),
  };
  const start = async () => {
    if (!serial.ok) {
      setMissing(true);
      return;
    }
    const ok = await run(() => staff.calibrationStart(typed));
    if (ok === undefined && getState().toast?.code === "no_serial") setMissing(true);
  };
  const noSerial = () => setMissing(true);
  return (
    <section class="st-screen" data-screen="staff-calibration">
      <h1>
        <Bi t={c.cal.title} />
      </h1>
      <div class="st-grid">
        {/* A check in progress comes first: the technician's hands are on the weights. */}
        {calibration ? <Run cal={calibration} again={() => void start()} onNoSerial={noSerial} /> : null}
        {calibration ? null : (
          <div class="st-panel st-wide st-cal-start" data-testid="cal-start-panel">
            <SerialField serial={serial} testid="cal-serial" />
            <button type="button" class="btn btn-primary btn-huge" data-testid="cal-start" disabled={!serial.ok} onClick={() => void start()}>
              <Bi t={c.cal.start} />
            </button>
          </div>
        )}
        <Dates analyzer={props.analyzer} serial={serial} onNoSerial={noSerial} />
        <GatePanel gate={props.gate} />
        <Past analyzer={props.analyzer} />
      </div>
    </section>
  );
}
