// The staff window's analyzer serial number and its command errors, against the fake staff desk:
// the calibration check and the analyzer-dates form take the serial from the analyzer's
// nameplate when its frames carry none (MC-780) — prefilled from the Analyzer event, shown
// read-only when the frames report it, required when nothing is known — and every CommandError
// code the staff runtime returns (kiosk/src/staff/*.rs, with the runtime's real details) is
// worded for staff, Japanese first, English second, with what to do next.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as s from "./staff-fixtures.mjs";
import { audit, clearStaffCalls, close, launch, openStaff, plainText, pushStaff, screen, shot, staffCalls } from "./harness.mjs";

before(launch);
after(close);

/** The Scale event of an MC-780 whose frames name the model only (no serial number). */
const mc780NoSerial = () => s.ev("scale", { ...s.scale().data, identity: "MC-780" });
/** The Analyzer event when the runtime knows no serial (None) or knows `text`. */
const analyzerText = (text) => s.ev("analyzer", { ...s.analyzer().data, analyzer: text, verified_on: null, last_inspection: null, inspection_due: null });

async function calibrationScreen(replay) {
  const opened = await openStaff({ replay, setup: { session: s.staffSession("technician") } });
  await screen(opened.page, "staff-home");
  await opened.page.locator('[data-testid="menu-calibration"]').click();
  await screen(opened.page, "staff-calibration");
  return opened;
}

const NEEDED_JA = "体組成計の製造番号を銘板から入力してください";
const NEEDED_EN = "Type the analyzer's serial number from its nameplate";

/** The toast's message, its Japanese line and its English line (then it is closed). */
async function toastFor(page, code) {
  await page.waitForSelector(`[data-testid="staff-toast"][data-code="${code}"]`);
  const sel = '[data-testid="staff-toast"] > .st-bi';
  const text = await plainText(page, sel);
  const ja = await plainText(page, `${sel} > .st-ja`);
  const en = await plainText(page, `${sel} > .st-en`);
  await page.locator('[data-testid="staff-toast"] button').click();
  await page.waitForSelector('[data-testid="staff-toast"]', { state: "detached" });
  return { text, ja, en, toString: () => text, includes: (w) => text.includes(w) };
}

/** `ja` in the Japanese part, `en` in the English part, Japanese first. */
function jaThenEn(words, ja, en) {
  const text = String(words);
  const [i, j] = [text.indexOf(ja), text.indexOf(en)];
  assert.ok(i >= 0, `"${ja}" in ${text}`);
  assert.ok(j >= 0, `"${en}" in ${text}`);
  assert.ok(i < j, `Japanese first: ${text}`);
  if (typeof words === "object") {
    assert.ok(words.ja.includes(ja) && !/[a-z]{4,} [a-z]{4,}/.test(words.ja.replace(/lp: [^）]*）/, "")), `the Japanese line: ${words.ja}`);
    assert.ok(words.en.includes(en) && !/[\u3040-\u30ff]/.test(words.en), `the English line: ${words.en}`);
  }
}

test("MC-780 without a serial in its frames: the serial is required, typed from the nameplate, and sent with the check and the dates", async () => {
  const replay = [...s.signedInReplay("technician"), mc780NoSerial(), analyzerText(null), s.gate(false, "never_checked")];
  const { page, errors } = await calibrationScreen(replay);
  const field = page.locator('[data-testid="cal-serial"]');
  assert.equal(await field.inputValue(), "");
  assert.equal(await field.getAttribute("readonly"), null, "typed by the technician");
  jaThenEn(await plainText(page, '[data-testid="cal-serial-note"]'), NEEDED_JA, NEEDED_EN);
  assert.ok(await page.locator('[data-testid="cal-start"]').isDisabled(), "no check without a serial");
  assert.ok(await page.locator('[data-testid="cal-save-dates"]').isDisabled(), "no dates without a serial");
  await shot(page, "staff-23-calibration-serial-needed");
  const a = await audit(page);
  assert.deepEqual(a.violations, []);

  // Letters the runtime would refuse: said at once, still disabled.
  await field.fill("4471 09/23");
  jaThenEn(await plainText(page, '[data-testid="cal-serial-note"]'), "製造番号は英数字と - で入力してください", "Type the serial number in letters, digits and -");
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.ok(await page.locator('[data-testid="cal-start"]').isDisabled());

  await field.fill(" 4471-0923 ");
  assert.ok(await page.locator('[data-testid="cal-start"]').isEnabled());
  assert.equal(await page.locator('[data-testid="cal-dates-serial"]').inputValue(), " 4471-0923 ", "one serial for both forms");
  await clearStaffCalls(page);
  await page.locator('[data-testid="cal-verified"]').fill("2024-04-01");
  await page.locator('[data-testid="cal-save-dates"]').click();
  await page.waitForSelector('[data-testid="cal-dates-saved"]');
  await page.locator('[data-testid="cal-start"]').click();
  assert.deepEqual(await staffCalls(page), [
    { cmd: "staff_analyzer_dates", args: { form: { verified_on: "2024-04-01", last_inspection: "", inspection_due: "", serial_number: "4471-0923" } } },
    { cmd: "staff_calibration_start", args: { serialNumber: "4471-0923" } },
  ]);
  await shot(page, "staff-24-calibration-serial-typed");

  // The runtime still knows none (no_serial): the plain words, not its long detail.
  await page.evaluate(() => {
    window.__staff.errors.staff_analyzer_dates = {
      code: "no_serial",
      detail:
        "体組成計の製造番号が分かりません。本体の銘板の製造番号も入力してください / the analyzer's serial number is not known: type the one on its plate as well",
    };
  });
  await page.locator('[data-testid="cal-save-dates"]').click();
  const t = await toastFor(page, "no_serial");
  jaThenEn(t, NEEDED_JA, NEEDED_EN);
  assert.ok(!t.includes("分かりません"), t);
  // Cleared after that: the field says so in the same words, marked.
  await field.fill("");
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator('[data-testid="cal-serial-note"]').getAttribute("class"), "st-error");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the serial is prefilled from the Analyzer event's text, and read-only when the analyzer's frames report it", async () => {
  const replay = [...s.signedInReplay("technician"), mc780NoSerial(), analyzerText(null)];
  const { page, errors } = await calibrationScreen(replay);
  const field = page.locator('[data-testid="cal-serial"]');
  assert.equal(await field.inputValue(), "");
  // The runtime learnt it (its records, or a check with a typed serial): prefilled, to be checked.
  await pushStaff(page, analyzerText("MC-780 SN 88001234"));
  await page.waitForFunction(() => document.querySelector('[data-testid="cal-serial"]').value === "88001234");
  assert.equal(await field.getAttribute("readonly"), null);
  jaThenEn(await plainText(page, '[data-testid="cal-serial-note"]'), "銘板と同じか確かめてください", "check it matches the nameplate");
  assert.equal(await page.locator('[data-testid="cal-dates-serial"]').inputValue(), "88001234");
  await clearStaffCalls(page);
  await page.locator('[data-testid="cal-start"]').click();
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_calibration_start", args: { serialNumber: "88001234" } }]);

  // The frames report the serial (BC-768 style): shown as reported, not editable.
  await pushStaff(page, s.ev("scale", { ...s.scale().data, identity: "MC-780 SN 12345678" }));
  await page.waitForFunction(() => document.querySelector('[data-testid="cal-serial"]').value === "12345678");
  assert.notEqual(await field.getAttribute("readonly"), null);
  jaThenEn(await plainText(page, '[data-testid="cal-serial-note"]'), "体組成計が送った製造番号です", "As the analyzer reports it");
  await shot(page, "staff-25-calibration-serial-reported");
  // The check's "check again" sends it too.
  await pushStaff(page, s.calibration([s.step(0, 0), s.step(20, 20), s.step(50, 50), s.step(100, 100)], { state: "done", passed: true, due: "2026-12-23" }));
  await clearStaffCalls(page);
  await page.locator('[data-testid="cal-again"]').click();
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_calibration_start", args: { serialNumber: "12345678" } }]);
  assert.deepEqual(errors, []);
  await page.close();
});

/** Each code the staff runtime returns, with the command that returns it and its real detail. */
const CASES = [
  // [code, command, runtime detail, button, Japanese words, English words]
  ["not_signed_in", "staff_queue_add", "サインインしていません。もう一度サインインしてください / nobody is signed in: sign in again", "reg-queue-add", "もう一度サインインしてください", "please sign in again"],
  [
    "not_allowed",
    "staff_queue_add",
    "この操作はいまの役割（technician）ではできません。職員または管理者のアカウントでサインインしてください / your role (technician) may not do this: sign in with a staff or admin account",
    "reg-queue-add",
    "職員または管理者のアカウントでサインインしてください",
    "Your role (technician) may not do this: sign in with a staff or admin account",
  ],
  ["busy", "staff_measure", "someone is measuring already", "measure", "その方の測定が終わってから、もう一度「測定」を押してください", "press Measure again once their session has ended"],
  ["busy", "staff_calibration_read_step", "a step is being read", "cal-read", "重さが安定するまでお待ちください", "wait for a stable weight"],
  [
    "card_not_ready",
    "staff_print_card",
    "カードはまだ発行されていません。サーバーと同期してからもう一度印刷してください / the card has not been issued yet: sync with the server, then print again",
    "print-card",
    "「確認済み」になってから印刷してください",
    "print it once the registration is accepted by the server",
  ],
  [
    "print_failed",
    "staff_print_card",
    "プリンター Brother_HL に送れませんでした（lp: Error - The printer or class does not exist. / retry）。プリンターの電源と用紙を確認し、もう一度印刷してください。続く場合は技術者に連絡してください / could not send the card to printer Brother_HL (lp: Error - The printer or class does not exist. / retry): check the printer's power and paper and print again; if it keeps failing, call a technician",
    "print-card",
    "プリンター Brother_HL に送れませんでした",
    "Could not send the card to printer Brother_HL",
  ],
  ["print_failed", "staff_print_card", "カードを作れません: font not found", "print-card", "プリンターの電源と用紙を確かめて", "check the printer's power and paper"],
  ["bad_serial", "staff_calibration_start", "製造番号は英数字と - で入力してください / type the serial number in letters, digits and -", "cal-start", "英数字と - で入力してください", "letters, digits and -"],
  [
    "no_serial",
    "staff_calibration_read_step",
    "体組成計が製造番号を送りません。本体の銘板の製造番号を入力して、点検をやり直してください / the analyzer does not report its serial number: type the one on its plate and start the check again",
    "cal-read",
    `${NEEDED_JA}。入力してから、点検をもう一度始めてください`,
    `${NEEDED_EN}, then start the check again`,
  ],
  [
    "weigh_timeout",
    "staff_calibration_read_step",
    "安定した重さが届きませんでした。分銅を載せ直し、もう一度読み取ってください / no stable weight came: place the weight again and read again",
    "cal-read",
    "分銅を載せ直し、もう一度読み取ってください",
    "No stable weight came: place the weight again and read again",
  ],
  [
    "weigh_failed",
    "staff_calibration_read_step",
    "利用者の測定中は分銅を量れません。測定が終わってからやり直してください / a participant is being measured: weigh after their session ends",
    "cal-read",
    "利用者の測定中は分銅を量れません",
    "A participant is being measured: weigh after their session ends",
  ],
  ["no_calibration", "staff_calibration_read_step", "start a calibration check first", "cal-read", "「点検を始める」を押してください", "press Start the check"],
  ["calibration_done", "staff_calibration_read_step", "every step has been read", "cal-read", "下の判定を確認してください", "see the result below"],
  ["unknown_model", "staff_service_connect", "unknown model XR-1", "tech-connect", "一覧から機種を選んでください", "choose one from the list"],
  ["bad_port", "staff_service_connect", "choose a /dev/… port", "tech-connect", "ポートを一覧から選んでください", "Choose a port from the list"],
  [
    "bad_date",
    "staff_analyzer_dates",
    "inspection_due は YYYY-MM-DD で入力してください / enter inspection_due as YYYY-MM-DD",
    "cal-save-dates",
    "次回の定期検査期限の日付が正しくありません。カレンダーから選び直して保存してください",
    "The next periodic inspection due date is not valid: pick it again and save",
  ],
  [
    "unknown_participant",
    "staff_queue_add",
    "この参加者番号は名簿にありません / this participant number is not on the roster",
    "reg-queue-add",
    "番号を確かめるか、先に受付・登録をしてください",
    "check the number, or register the person first",
  ],
  [
    "bad_participant_number",
    "staff_queue_add",
    "参加者番号が正しくありません / the participant number is not valid",
    "reg-queue-add",
    "申込書に印字されたとおりに入力してください",
    "type it as printed on the application",
  ],
  ["store_failed", "staff_queue_add", "database is locked", "reg-queue-add", "端末への記録に失敗しました。もう一度お試しください。続くときは技術者に連絡してください", "If it keeps failing, call a technician"],
  ["not_running", "staff_measure", "the station has stopped", "measure", "技術者に連絡してください", "call a technician"],
  ["busy", "staff_service_autodetect", "busy", "tech-autodetect", "少し待ってからもう一度押してください", "wait a moment and press again"],
];

/** Where each button is, and how to get there. */
const PLACES = {
  "reg-queue-add": { menu: "menu-registrations", screen: "staff-registrations", selector: `[data-participant="${s.P1}"] [data-testid="queue-add"]` },
  "print-card": { menu: "menu-registrations", screen: "staff-registrations", selector: `[data-participant="${s.P2}"] [data-testid="print-card"]` },
  measure: { menu: "menu-queue", screen: "staff-queue", selector: `[data-participant="${s.P3}"] [data-testid="measure"]` },
  "tech-connect": { menu: "menu-technician", screen: "staff-technician", selector: '[data-testid="tech-connect"]' },
  "tech-autodetect": { menu: "menu-technician", screen: "staff-technician", selector: '[data-testid="tech-autodetect"]' },
  "cal-start": { menu: "menu-calibration", screen: "staff-calibration", selector: '[data-testid="cal-start"]', calibration: false },
  "cal-save-dates": { menu: "menu-calibration", screen: "staff-calibration", selector: '[data-testid="cal-save-dates"]' },
  "cal-read": { menu: "menu-calibration", screen: "staff-calibration", selector: '[data-testid="cal-read"]', calibration: true },
};

test("every CommandError code a staff command returns is worded for staff: Japanese first, English second, what to do next", async () => {
  const replay = s.signedInReplay("admin", {
    regs: [s.registration(s.P1, "pending"), s.registration(s.P2, "accepted")],
    q: [s.queued(s.P3)],
  });
  const { page, errors } = await openStaff({ replay, setup: { session: s.staffSession("admin") } });
  await screen(page, "staff-home");
  const seen = new Set();
  for (const [code, cmd, detail, button, ja, en] of CASES) {
    const place = PLACES[button];
    if (place.calibration === true) await pushStaff(page, s.calibration([s.step(0, 0)]));
    if (place.calibration === false) await pushStaff(page, s.ev("calibration", null));
    if ((await page.locator(`[data-screen="${place.screen}"]`).count()) === 0) {
      if ((await page.locator('[data-testid="nav-home"]').count()) > 0) await page.locator('[data-testid="nav-home"]').click();
      await page.locator(`[data-testid="${place.menu}"]`).click();
      await screen(page, place.screen);
    }
    await page.evaluate(([c, e]) => {
      window.__staff.errors = { [c]: e };
    }, [cmd, { code, detail }]);
    await page.locator(place.selector).click();
    const text = await toastFor(page, code);
    jaThenEn(text, ja, en);
    assert.ok(!text.includes(`（${code}）`) && !text.includes(`(${code})`), `${code}: no bare code for a known error: ${text}`);
    for (const id of ["verified_on", "last_inspection", "inspection_due"]) assert.ok(!text.includes(id), `${code}: no field ids: ${text}`);
    seen.add(code);
  }
  // Every code in kiosk/src/staff/*.rs and runtime.rs a staff-window button can meet.
  for (const code of [
    "not_signed_in",
    "not_allowed",
    "busy",
    "card_not_ready",
    "print_failed",
    "bad_serial",
    "no_serial",
    "weigh_timeout",
    "weigh_failed",
    "no_calibration",
    "calibration_done",
    "unknown_model",
    "bad_port",
    "bad_date",
    "unknown_participant",
    "bad_participant_number",
    "store_failed",
    "not_running",
  ]) {
    assert.ok(seen.has(code), `${code} checked`);
  }
  // A code the UI does not know, with a bilingual detail: the runtime's words; without one: ours, with the code.
  await page.evaluate(() => {
    window.__staff.errors = { staff_measure: { code: "new_code", detail: "新しい理由です。技術者に連絡してください / a new reason: call a technician" } };
  });
  await page.locator('[data-testid="nav-home"]').click();
  await page.locator('[data-testid="menu-queue"]').click();
  await page.locator(PLACES.measure.selector).click();
  jaThenEn(await toastFor(page, "new_code"), "新しい理由です。技術者に連絡してください", "A new reason: call a technician");
  await page.evaluate(() => {
    window.__staff.errors = { staff_measure: { code: "other_code", detail: "English only" } };
  });
  await page.locator(PLACES.measure.selector).click();
  jaThenEn(await toastFor(page, "other_code"), "できませんでした（other_code）", "That did not work (other_code)");
  assert.deepEqual(errors, []);
  await page.close();
});

test("sign-in: not_open, store_failed and not_running are worded with what to do (refused and locked have their own test)", async () => {
  const { page, errors } = await openStaff({ replay: s.signedOutReplay() });
  await screen(page, "staff-sign-in");
  const cases = [
    ["not_open", "staff mode is not open: use the gesture on the attract screen", "待機画面の左上を3秒押してから、もう一度サインインしてください", "hold the top-left corner of the attract screen for 3 seconds"],
    ["store_failed", "database is locked", "端末への記録に失敗しました", "call a technician"],
    ["not_running", "the staff command stopped", "技術者に連絡してください", "The station program is not responding"],
  ];
  for (const [code, detail, ja, en] of cases) {
    await page.evaluate((e) => {
      window.__staff.errors.staff_sign_in = e;
    }, { code, detail });
    await page.locator('[data-testid="login"]').fill("staff01");
    await page.locator('[data-testid="secret"]').fill("1234");
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForSelector(`[data-testid="sign-in-error"][data-code="${code}"]`);
    jaThenEn(await plainText(page, '[data-testid="sign-in-error"]'), ja, en);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
