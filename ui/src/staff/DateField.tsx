// A date typed as on the paper (西暦 or 和暦, see dates.ts) in a plain text field — never the
// browser's date picker, whose order follows the system locale (04/01 or 01/04) — with what it
// reads as beside it (the western date and its era) or why it is not a date.
// Deliberately not here: reading the text (dates.ts), what the form does with the value.

import { useState } from "preact/hooks";
import { Bi, c } from "./copy";
import { readDate } from "./dates";

export function DateField(props: { testid: string; value: string; onInput: (typed: string) => void; class?: string }) {
  const { testid, value } = props;
  const read = readDate(value);
  // While the first entry is being typed, a half date is not yet an error.
  const [left, setLeft] = useState(false);
  const bad = read.kind === "no_such_day" || (read.kind === "unreadable" && left);
  return (
    <span class={`st-date-field${props.class ? ` ${props.class}` : ""}`}>
      <input
        class={`st-input st-input-date${bad ? " st-input-target" : ""}`}
        data-testid={testid}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        spellcheck={false}
        placeholder={c.date.placeholder}
        aria-invalid={bad}
        value={value}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        onBlur={() => setLeft(true)}
      />
      {read.kind === "ok" ? (
        <span class="st-date-read" data-testid={`${testid}-read`} data-iso={read.iso}>
          = <span class="st-date-iso">{read.iso}</span>
          {read.era ? <span class="st-date-era" lang="ja">（{read.era}）</span> : null}
        </span>
      ) : bad ? (
        <span class="st-error st-date-error" role="alert" data-testid={`${testid}-error`} data-kind={read.kind}>
          <Bi t={read.kind === "no_such_day" ? c.date.noSuchDay : c.date.unreadable} />
        </span>
      ) : (
        <span class="st-hint st-date-hint">
          <Bi t={c.date.hint} inline />
        </span>
      )}
    </span>
  );
}
