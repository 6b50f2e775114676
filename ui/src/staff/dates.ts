// Dates as staff type them from paper: `1952-04-01`, `1952/04/01`, `1952.4.1`, `19520401`,
// `1952年4月1日`, and the Japanese era (和暦) — `S27.4.1`, `昭和27年4月1日`, `H1.1.8`, `R元.5.1` —
// read into the one form the commands take, `YYYY-MM-DD`, or refused when no such day exists.
// Deliberately not here: drawing the field (DateField.tsx) and judging eligibility (the station).

/** What a typed date reads as. */
export type DateRead =
  | { kind: "empty" }
  | { kind: "ok"; iso: string; era: string | null }
  | { kind: "unreadable" }
  | { kind: "no_such_day" };

interface Era {
  name: string;
  letter: string;
  /** First day (inclusive), as [y, m, d]. */
  from: [number, number, number];
}

/** The eras a living resident's paper may carry, oldest first; each ends the day before the next. */
const ERAS: Era[] = [
  { name: "大正", letter: "T", from: [1912, 7, 30] },
  { name: "昭和", letter: "S", from: [1926, 12, 25] },
  { name: "平成", letter: "H", from: [1989, 1, 8] },
  { name: "令和", letter: "R", from: [2019, 5, 1] },
];

const key = (y: number, m: number, d: number) => y * 10000 + m * 100 + d;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Whether y-m-d is a day of the calendar. */
function exists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** The era a western day falls in, as `昭和27年4月1日` (元年 for the first year), or null. */
export function eraOf(y: number, m: number, d: number): string | null {
  const k = key(y, m, d);
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const e = ERAS[i];
    if (k >= key(...e.from)) {
      const n = y - e.from[0] + 1;
      return `${e.name}${n === 1 ? "元" : n}年${m}月${d}日`;
    }
  }
  return null;
}

const SEP = String.raw`\s*(?:[-/.年]|\s)\s*`;
const SEP2 = String.raw`\s*(?:[-/.月]|\s)\s*`;
const WESTERN = new RegExp(String.raw`^(\d{4})${SEP}(\d{1,2})${SEP2}(\d{1,2})\s*日?$`);
const DIGITS = /^(\d{4})(\d{2})(\d{2})$/;
const JAPANESE = new RegExp(String.raw`^(大正|昭和|平成|令和|[TSHR])\s*(\d{1,2}|元)${SEP}(\d{1,2})${SEP2}(\d{1,2})\s*日?$`);

/** Reads a typed date (see the file's head); full-width digits and letters are read too. */
export function readDate(typed: string): DateRead {
  const s = typed.normalize("NFKC").trim().toUpperCase();
  if (s === "") return { kind: "empty" };
  let y: number, m: number, d: number;
  const w = WESTERN.exec(s) ?? DIGITS.exec(s);
  const j = w ? null : JAPANESE.exec(s);
  // A lone "0" month or day is a date still being typed (`1952-04-0` → `1952-04-05`), not an error.
  const parts = w ? [w[2], w[3]] : j ? [j[3], j[4]] : [];
  if (parts.includes("0")) return { kind: "unreadable" };
  if (w) {
    [y, m, d] = [Number(w[1]), Number(w[2]), Number(w[3])];
  } else if (j) {
    const at = ERAS.findIndex((e) => e.name === j[1] || e.letter === j[1]);
    const era = ERAS[at];
    const n = j[2] === "元" ? 1 : Number(j[2]);
    [y, m, d] = [era.from[0] + n - 1, Number(j[3]), Number(j[4])];
    if (n < 1 || !exists(y, m, d)) return { kind: "no_such_day" };
    // Inside the era: 昭和64年1月8日 was already 平成元年.
    const next = ERAS[at + 1];
    if (key(y, m, d) < key(...era.from) || (next && key(y, m, d) >= key(...next.from))) return { kind: "no_such_day" };
  } else {
    return { kind: "unreadable" };
  }
  if (y < 1000 || !exists(y, m, d)) return { kind: "no_such_day" };
  return { kind: "ok", iso: `${pad(y, 4)}-${pad(m)}-${pad(d)}`, era: eraOf(y, m, d) };
}

/** The `YYYY-MM-DD` a typed date reads as; `""` when empty; `null` when it is not a date. */
export function isoOf(typed: string): string | null {
  const r = readDate(typed);
  return r.kind === "ok" ? r.iso : r.kind === "empty" ? "" : null;
}
