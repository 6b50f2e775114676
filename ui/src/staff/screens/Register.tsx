// 受付・登録: the paper application typed in (participant number, birth date, sex, height, body
// type, implanted device, residency, application date, consent on screen or paper with a tick
// per purpose), the rules in force beside it, then the outcome: each ineligibility explained
// with what to do, or the registration's state with card printing, the queue and measuring.
// Deliberately not here: judging eligibility (the station and the server do).

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApplicationForm, PurposeView, RegistrationView, RulesView } from "../../lib/ipc-types";
import { measure, printCard, run } from "../actions";
import { StateBadge } from "../components";
import { Bi, c, type T } from "../copy";
import { isoOf } from "../dates";
import { DateField } from "../DateField";
import { staff } from "../ipc";
import { go, setOutcome, type StaffState } from "../store";

/** Today as `YYYY-MM-DD` in station time. */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

interface Draft {
  participant: string;
  birth_date: string;
  sex: string;
  height: string;
  body_type: string;
  implanted: boolean | null;
  local: boolean | null;
  applied_on: string;
  consent: string;
  paper: Record<string, boolean>;
}

const empty = (): Draft => ({
  participant: "",
  birth_date: "",
  sex: "",
  height: "",
  body_type: "",
  implanted: null,
  local: null,
  applied_on: today(),
  consent: "",
  paper: {},
});

/** A height as typed → cm with one decimal, or null. */
function height(s: string): number | null {
  const v = Number(s.trim().replace(",", "."));
  return s.trim() !== "" && Number.isFinite(v) ? Math.round(v * 10) / 10 : null;
}

function complete(d: Draft): ApplicationForm | null {
  const h = height(d.height);
  // As typed (西暦 or 和暦) → `YYYY-MM-DD`, what the command takes.
  const birth = isoOf(d.birth_date);
  const applied = isoOf(d.applied_on);
  if (!d.participant.trim() || !birth || !d.sex || h === null || !d.body_type) return null;
  if (d.implanted === null || d.local === null || !applied || !d.consent) return null;
  return {
    participant: d.participant.trim(),
    birth_date: birth,
    sex: d.sex,
    height_cm: h,
    body_type: d.body_type,
    implanted_device: d.implanted,
    lives_or_works_locally: d.local,
    applied_on: applied,
    consent: d.consent,
    paper_granted: d.consent === "paper" ? Object.keys(d.paper).filter((k) => d.paper[k]) : [],
  };
}

function Choice<V extends string | boolean>(props: { name: string; value: V | null | "" ; options: [V, T][]; onPick: (v: V) => void }) {
  return (
    <div class="st-choices" role="group" data-testid={`choice-${props.name}`}>
      {props.options.map(([v, label]) => (
        <button
          type="button"
          key={String(v)}
          class={`btn st-choice${props.value === v ? " btn-selected" : ""}`}
          aria-pressed={props.value === v}
          data-value={String(v)}
          onClick={() => props.onPick(v)}
        >
          <span class="st-choice-mark" aria-hidden="true">
            {props.value === v ? "✓" : ""}
          </span>
          <Bi t={label} />
        </button>
      ))}
    </div>
  );
}

function Row(props: { label: T; children: ComponentChildren; hint?: T }) {
  return (
    <div class="st-form-row">
      <div class="st-form-label">
        <Bi t={props.label} />
      </div>
      <div class="st-form-control">
        {props.children}
        {props.hint ? (
          <p class="st-hint">
            <Bi t={props.hint} inline />
          </p>
        ) : null}
      </div>
    </div>
  );
}

export function Rules(props: { rules: RulesView | null }) {
  const r = props.rules ?? { min_age_years: 20, residency_required: true, enrolment_cap: null, from_server: false };
  return (
    <aside class="st-rules" data-testid="rules">
      <h2>
        <Bi t={c.rules.title} inline />
      </h2>
      <ul>
        <li data-testid="rule-age">
          <Bi t={c.rules.minAge(r.min_age_years)} />
        </li>
        <li>
          <Bi t={c.rules.residency(r.residency_required)} />
        </li>
        <li>
          <Bi t={c.rules.oneEach} />
        </li>
        <li data-testid="rule-cap">
          <Bi t={c.rules.cap(r.enrolment_cap)} />
        </li>
      </ul>
      <p class="st-hint">
        <Bi t={c.rules.source(r.from_server)} />
      </p>
    </aside>
  );
}

function Purposes(props: { purposes: PurposeView[]; paper: Record<string, boolean>; onTick: (id: string, on: boolean) => void }) {
  return (
    <ul class="st-purposes" data-testid="paper-purposes">
      {props.purposes.map((p) => (
        <li key={p.id}>
          <label class="st-check" data-purpose={p.id}>
            <input type="checkbox" checked={props.paper[p.id] === true} onChange={(e) => props.onTick(p.id, (e.target as HTMLInputElement).checked)} />
            <span class={`tag ${p.required ? "tag-required" : "tag-optional"}`}>
              <Bi t={p.required ? c.form.required : c.form.optional} inline />
            </span>
            <Bi t={p.label} />
          </label>
        </li>
      ))}
    </ul>
  );
}

export function Register(props: { state: StaffState }) {
  const { state } = props;
  const [draft, setDraft] = useState<Draft>(empty);
  const [busy, setBusy] = useState(false);
  const outcome = state.outcome;
  // An edit answers the last refusal: its reasons no longer describe the form.
  const put = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    if (outcome?.outcome === "ineligible") setOutcome(null);
  };
  const form = complete(draft);

  const submit = async () => {
    if (!form || busy) return;
    setOutcome(null);
    setBusy(true);
    const out = await run(() => staff.register(form));
    setBusy(false);
    if (out) setOutcome(out);
  };

  if (outcome?.outcome === "registered") {
    const reg = state.registrations.find((r) => r.participant === outcome.registration.participant) ?? outcome.registration;
    return (
      <Registered
        reg={reg}
        queued={state.queue.some((q) => q.participant === reg.participant)}
        onNext={() => {
          setDraft(empty());
          setOutcome(null);
        }}
      />
    );
  }

  return (
    <section class="st-screen st-register" data-screen="staff-register">
      <h1>
        <Bi t={c.form.title} />
      </h1>
      <Rules rules={state.rules} />
      <div class="st-columns">
        <form class="st-form" autocomplete="off" onSubmit={(e) => e.preventDefault()}>
          <Row label={c.form.participant} hint={c.form.participantHint}>
            <input class="st-input" data-testid="f-participant" type="text" autocomplete="off" spellcheck={false} value={draft.participant} onInput={(e) => put({ participant: (e.target as HTMLInputElement).value })} />
          </Row>
          <Row label={c.form.birthDate}>
            <DateField testid="f-birth" value={draft.birth_date} onInput={(birth_date) => put({ birth_date })} />
          </Row>
          <Row label={c.form.sex}>
            <Choice name="sex" value={draft.sex} options={[["male", c.form.male], ["female", c.form.female]]} onPick={(sex) => put({ sex })} />
          </Row>
          <Row label={c.form.height} hint={c.form.heightHint}>
            <input class="st-input st-input-short" data-testid="f-height" type="text" inputmode="decimal" autocomplete="off" value={draft.height} onInput={(e) => put({ height: (e.target as HTMLInputElement).value })} />
          </Row>
          <Row label={c.form.bodyType}>
            <Choice name="body" value={draft.body_type} options={[["standard", c.form.standard], ["athletic", c.form.athletic]]} onPick={(body_type) => put({ body_type })} />
          </Row>
          <Row label={c.form.implanted}>
            <Choice name="implanted" value={draft.implanted} options={[[true, c.form.implantedYes], [false, c.form.no]]} onPick={(implanted) => put({ implanted })} />
          </Row>
          <Row label={c.form.local}>
            <Choice name="local" value={draft.local} options={[[true, c.form.yes], [false, c.form.no]]} onPick={(local) => put({ local })} />
          </Row>
          <Row label={c.form.appliedOn}>
            <DateField testid="f-applied" value={draft.applied_on} onInput={(applied_on) => put({ applied_on })} />
          </Row>
          <Row label={c.form.consent}>
            <Choice name="consent" value={draft.consent} options={[["on_screen", c.form.onScreen], ["paper", c.form.paper]]} onPick={(consent) => put({ consent })} />
            {draft.consent === "paper" ? (
              <>
                <p class="st-sub">
                  <Bi t={c.form.paperPurposes} inline />
                </p>
                <Purposes purposes={state.purposes} paper={draft.paper} onTick={(id, on) => put({ paper: { ...draft.paper, [id]: on } })} />
              </>
            ) : null}
          </Row>
          {outcome?.outcome === "ineligible" ? <Ineligible reasons={outcome.reasons} rules={state.rules} /> : null}
          <div class="st-row st-submit-row">
            <button type="button" class="btn btn-primary st-btn-big" data-testid="register-submit" disabled={!form || busy} onClick={() => void submit()}>
              <Bi t={c.form.submit} />
            </button>
            {!form ? (
              <p class="st-hint" data-testid="form-missing">
                <Bi t={c.form.missing} inline />
              </p>
            ) : null}
          </div>
        </form>
      </div>
    </section>
  );
}

function Ineligible(props: { reasons: string[]; rules: RulesView | null }) {
  const box = useRef<HTMLDivElement>(null);
  // Shown where staff look after pressing 登録する: above the button, scrolled into view.
  useEffect(() => box.current?.scrollIntoView({ block: "nearest" }), [props.reasons.join()]);
  return (
    <div class="st-error" role="alert" data-testid="ineligible" ref={box}>
      <h2>
        <Bi t={c.ineligible.title} />
      </h2>
      <ul class="st-reasons">
        {props.reasons.map((code) => {
          const r = c.ineligible.reason(code, props.rules);
          return (
            <li key={code} data-reason={code}>
              <strong>
                <Bi t={r.what} />
              </strong>
              <Bi t={r.todo} />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Registered(props: { reg: RegistrationView; queued: boolean; onNext: () => void }) {
  const { reg } = props;
  return (
    <section class="st-screen" data-screen="staff-registered">
      <h1>
        <Bi t={c.registered.title} />
      </h1>
      <div class="st-panel" data-testid="registered" data-state={reg.state}>
        <p class="st-big">
          <span class="st-number" data-testid="registered-participant">
            {reg.participant}
          </span>{" "}
          <StateBadge state={reg.state} />
        </p>
        <p>
          <Bi t={reg.state === "pending" ? c.registered.offline : (c.stateExplain[reg.state] ?? c.stateExplain.pending)} />
        </p>
        {!reg.card_ready ? (
          <p class="st-hint">
            <Bi t={c.registered.cardLater} />
          </p>
        ) : null}
      </div>
      <div class="st-row">
        {reg.card_ready ? (
          <button type="button" class="btn btn-primary st-btn-big" data-testid="print-card" onClick={() => void printCard(reg.participant)}>
            <Bi t={reg.card_printed ? c.registered.reprint : c.registered.print} />
          </button>
        ) : null}
        <button
          type="button"
          class="btn st-btn-big"
          data-testid="queue-add"
          disabled={props.queued}
          onClick={() => void run(() => staff.queueAdd(reg.participant))}
        >
          <Bi t={props.queued ? c.registered.queued : c.registered.queue} />
        </button>
        <button type="button" class="btn st-btn-big" data-testid="measure-now" onClick={() => void measure(reg.participant)}>
          <Bi t={c.registered.measure} />
        </button>
        <button
          type="button"
          class="btn st-btn-big"
          data-testid="next-application"
          onClick={() => {
            props.onNext();
            go("register");
          }}
        >
          <Bi t={c.form.again} />
        </button>
      </div>
    </section>
  );
}
