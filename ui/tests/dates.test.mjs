// The staff window's date reading (src/staff/dates.ts) on its own: every accepted way of typing a
// date gives exactly `YYYY-MM-DD`, the Japanese eras map to the right western years (with 元年 and
// the changeover days), and days that do not exist are refused. The module (no imports) is
// compiled from its TypeScript with vite's own transform and imported as is.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { before, test } from "node:test";
import { transformWithOxc } from "vite";
import { UI } from "./harness.mjs";

let readDate;
let isoOf;

before(async () => {
  const src = resolve(UI, "src/staff/dates.ts");
  const out = await transformWithOxc(readFileSync(src, "utf8"), src, { lang: "ts" });
  const file = join(mkdtempSync(join(tmpdir(), "hakaru-dates-")), "dates.mjs");
  writeFileSync(file, out.code);
  ({ readDate, isoOf } = await import(pathToFileURL(file).href));
});

test("western dates in the ways paper and habit write them → YYYY-MM-DD", () => {
  for (const typed of ["1952-04-01", "1952/04/01", "1952/4/1", "1952.4.1", "19520401", "1952年4月1日", " 1952 - 4 - 1 ", "１９５２／０４／０１", "1952 4 1"]) {
    assert.equal(isoOf(typed), "1952-04-01", typed);
  }
  assert.equal(isoOf(""), "");
  assert.equal(isoOf("   "), "");
});

test("和暦: 昭和/平成/令和 (and 大正) with S/H/R/T, 元年, full-width, → the western date and back", () => {
  const cases = [
    ["S27.4.1", "1952-04-01", "昭和27年4月1日"],
    ["s27/4/1", "1952-04-01", "昭和27年4月1日"],
    ["昭和27年4月1日", "1952-04-01", "昭和27年4月1日"],
    ["Ｓ２７．４．１", "1952-04-01", "昭和27年4月1日"],
    ["S64.1.7", "1989-01-07", "昭和64年1月7日"],
    ["H1.1.8", "1989-01-08", "平成元年1月8日"],
    ["平成元年1月8日", "1989-01-08", "平成元年1月8日"],
    ["H31.4.30", "2019-04-30", "平成31年4月30日"],
    ["R1.5.1", "2019-05-01", "令和元年5月1日"],
    ["令和8年11月20日", "2026-11-20", "令和8年11月20日"],
    ["T15.12.24", "1926-12-24", "大正15年12月24日"],
    ["S1.12.25", "1926-12-25", "昭和元年12月25日"],
    ["H12.2.29", "2000-02-29", "平成12年2月29日"],
  ];
  for (const [typed, iso, era] of cases) {
    assert.deepEqual(readDate(typed), { kind: "ok", iso, era }, typed);
  }
  // A western date shows its era too (for staff to compare with the paper).
  assert.equal(readDate("1975-05-05").era, "昭和50年5月5日");
});

test("days that do not exist are refused, not rolled over", () => {
  for (const typed of ["1958-02-30", "2023-02-29", "1900-02-29", "1952-13-01", "1952-00-10", "1952-04-31", "19520431", "S64.1.8", "H31.5.1", "R1.4.30", "S0.4.1", "H2.2.30", "S1.12.24"]) {
    assert.equal(readDate(typed).kind, "no_such_day", typed);
    assert.equal(isoOf(typed), null, typed);
  }
  assert.equal(isoOf("2000-02-29"), "2000-02-29");
});

test("what is not a date is unreadable (the field says how to type one)", () => {
  for (const typed of ["1952-04-0", "1952-0-1", "S27.4.0", "1952", "52-4-1", "1952-04", "April 1 1952", "X27.4.1", "昭和27年", "1952-04-01x", "195204011"]) {
    assert.equal(readDate(typed).kind, "unreadable", typed);
    assert.equal(isoOf(typed), null, typed);
  }
});
