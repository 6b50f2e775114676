// The staff window (staff.html) against a fake staff desk: sign-in errors that never say which
// part was wrong and the lockout's minutes; the menu by role; the register form → ineligible
// explained → registered (pending = flagged for review) → card printed through the system print
// dialog (print-only image, window.print) → queue; the registrations list's conflict; the idle
// warning; the technician's tap monitor (capped); calibration steps pass/fail; sign-out drops
// every participant number from the DOM and the store. Every screen audited and photographed.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as s from "./staff-fixtures.mjs";
import { audit, clearStaffCalls, close, launch, openStaff, plainText, pushStaff, pushStaffRaw, screen, shot, staffCalls, UI } from "./harness.mjs";

before(launch);
after(close);

const err = (code, detail = "") => ({ code, detail });

/** The audit holds on what shows now (text ≥ 24 px, contrast ≥ 4.5, targets ≥ 44 px). */
async function audited(page, name) {
  const a = await audit(page);
  assert.deepEqual(a.violations, [], `${name}: ${a.violations.join("; ")}`);
  assert.ok(a.texts > 5, `${name}: something was audited`);
}

/** Elements wider than the window (a cramped or overflowing layout). */
async function overflow(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".st-main *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map((el) => `${el.tagName}.${el.className}`)
      .slice(0, 5),
  );
}

async function signedIn(role = "staff", lists = {}) {
  const opened = await openStaff({ replay: s.signedInReplay(role, lists), setup: { session: s.staffSession(role) } });
  await screen(opened.page, "staff-home");
  return opened;
}

test("sign-in: one refusal message for any wrong part, the lockout's minutes, nothing kept in the form, 戻る closes", async () => {
  const { page, errors } = await openStaff({ replay: s.signedOutReplay(), setup: { errors: { staff_sign_in: err("sign_in_refused", "refused") } } });
  await screen(page, "staff-sign-in");
  assert.equal(await page.locator('[data-testid="secret"]').getAttribute("type"), "password");
  assert.equal(await page.locator("form").getAttribute("autocomplete"), "off");
  assert.equal(await page.locator('[data-testid="login"]').getAttribute("autocomplete"), "off");
  assert.ok(await page.locator('[data-testid="sign-in"]').isDisabled(), "nothing to send yet");
  await shot(page, "staff-01-sign-in");
  await audited(page, "sign-in");

  await page.locator('[data-testid="login"]').fill("staff01");
  // The PIN from the on-screen keypad.
  await page.locator('[data-testid="secret"]').focus();
  for (const k of ["4", "7", "1", "1"]) await page.locator(`[data-key="${k}"]`).click();
  await page.locator('[data-key="back"]').click();
  await page.locator('[data-key="9"]').click();
  await page.locator('[data-testid="sign-in"]').click();
  await page.waitForSelector('[data-testid="sign-in-error"]');
  const refused = await plainText(page, '[data-testid="sign-in-error"]');
  assert.ok(refused.includes("IDまたはパスワードが違います"), refused);
  assert.ok(refused.includes("The ID or password is wrong"), refused);
  assert.ok(!/存在|exist|unknown|無効/i.test(refused), "never says whether the account exists");
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_sign_in", args: { login: "staff01", secret: "4719" } }]);
  assert.equal(await page.locator('[data-testid="secret"]').inputValue(), "", "the secret is cleared after a try");
  assert.equal(await page.locator('[data-testid="login"]').inputValue(), "staff01");
  await shot(page, "staff-02-sign-in-refused");
  await audited(page, "sign-in refused");

  // Locked: the minutes from the detail.
  await page.evaluate(() => {
    // The runtime's detail (SignInError::Locked's Display).
    window.__staff.errors.staff_sign_in = {
      code: "locked",
      detail: "失敗が続いたため、サインインを一時的に止めています。15分後にもう一度お試しください / sign-in is paused after repeated failures: try again in 15 minutes",
    };
  });
  await page.locator('[data-testid="secret"]').fill("0000");
  await page.locator('[data-testid="sign-in"]').click();
  await page.waitForSelector('[data-testid="sign-in-error"][data-code="locked"]');
  const locked = await plainText(page, '[data-testid="sign-in-error"]');
  assert.ok(locked.includes("15分間サインインできません"), locked);
  assert.ok(locked.includes("locked for 15 minutes"), locked);
  await shot(page, "staff-03-sign-in-locked");

  await clearStaffCalls(page);
  await page.locator('[data-testid="staff-close"]').click();
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_close", args: {} }]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("sign-in succeeds → the menu by role; サインアウト; an automatic sign-out is explained", async () => {
  const { page, errors } = await openStaff({ replay: s.signedOutReplay(), setup: { session: s.staffSession("staff") } });
  await screen(page, "staff-sign-in");
  await page.locator('[data-testid="login"]').fill("staff01");
  await page.locator('[data-testid="secret"]').fill("pass-word");
  await page.keyboard.press("Enter");
  await screen(page, "staff-home");
  const who = await plainText(page, '[data-testid="staff-who"]');
  assert.ok(who.includes("山田 花子") && who.includes("係員") && who.includes("Staff"), who);
  const menu = await page.locator(".st-menu-item").evaluateAll((els) => els.map((e) => e.dataset.testid));
  assert.deepEqual(menu, ["menu-register", "menu-queue", "menu-registrations"]);
  await shot(page, "staff-04-home-staff");
  await audited(page, "home");
  await page.locator('[data-testid="sign-out"]').click();
  await screen(page, "staff-sign-in");
  assert.ok((await plainText(page, '[data-testid="signed-out"]')).includes("サインアウトしました"));
  assert.equal(await page.locator('[data-testid="login"]').inputValue(), "", "the form starts empty again");
  // Signed out by the idle clock.
  await pushStaff(page, s.ev("session", s.staffSession("technician")));
  await screen(page, "staff-home");
  const techMenu = await page.locator(".st-menu-item").evaluateAll((els) => els.map((e) => e.dataset.testid));
  assert.deepEqual(techMenu, ["menu-technician", "menu-calibration"]);
  await pushStaff(page, s.ev("signed_out", { reason: "idle" }), s.ev("session", null));
  await screen(page, "staff-sign-in");
  const why = await plainText(page, '[data-testid="signed-out"]');
  assert.ok(why.includes("自動的にサインアウトしました") && why.includes("signed out automatically"), why);
  assert.deepEqual(errors, []);
  await page.close();
});

test("register: the form → ineligible reasons explained → registered pending → card printed through the dialog → queue", async () => {
  const { page, errors } = await signedIn("staff", { regs: [], q: [] });
  await page.locator('[data-testid="menu-register"]').click();
  await screen(page, "staff-register");
  // The rules in force are shown.
  const rules = await plainText(page, '[data-testid="rules"]');
  assert.ok(rules.includes("申込日に20歳以上") && rules.includes("20 or older"), rules);
  assert.ok(rules.includes("定員 500人"), rules);
  assert.equal(await page.locator('[data-testid="f-applied"]').inputValue(), await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }), "the application date defaults to today");
  const submit = page.locator('[data-testid="register-submit"]');
  assert.ok(await submit.isDisabled());
  await shot(page, "staff-05-register-empty");
  await audited(page, "register");

  await page.locator('[data-testid="f-participant"]').fill(s.P1);
  await page.locator('[data-testid="f-birth"]').fill("2008-05-02");
  await page.locator('[data-testid="choice-sex"] [data-value="female"]').click();
  await page.locator('[data-testid="f-height"]').fill("158.46");
  await page.locator('[data-testid="choice-body"] [data-value="standard"]').click();
  await page.locator('[data-testid="choice-implanted"] [data-value="true"]').click();
  await page.locator('[data-testid="choice-local"] [data-value="false"]').click();
  // Typed with slashes as on the paper: read as 2026-11-20, shown beside the field with its era.
  await page.locator('[data-testid="f-applied"]').fill("2026/11/20");
  assert.equal(await page.locator('[data-testid="f-applied-read"]').getAttribute("data-iso"), "2026-11-20");
  assert.ok((await plainText(page, '[data-testid="f-applied-read"]')).includes("令和8年11月20日"));
  assert.equal(await page.locator('[data-testid="f-birth"]').getAttribute("type"), "text", "no locale-ordered date picker");
  assert.equal(await page.locator('[data-testid="f-birth"]').getAttribute("inputmode"), "numeric");
  assert.equal(await page.locator('[data-testid="f-birth"]').getAttribute("placeholder"), "例 e.g. 1952-04-01");
  // The whole placeholder fits the field (none of it cut off).
  const fits = await page.locator('[data-testid="f-birth"]').evaluate((el) => {
    const probe = document.createElement("span");
    const cs = getComputedStyle(el);
    probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${cs.font};letter-spacing:${cs.letterSpacing}`;
    probe.textContent = el.placeholder;
    document.body.append(probe);
    const w = probe.getBoundingClientRect().width;
    probe.remove();
    return w <= el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  });
  assert.ok(fits, "the placeholder fits the date field");
  await page.locator('[data-testid="choice-consent"] [data-value="paper"]').click();
  // Paper consent: one tick per purpose, the required one marked.
  assert.equal(await page.locator('[data-testid="paper-purposes"] li').count(), 3);
  assert.ok((await plainText(page, '[data-purpose="measure"]')).includes("必須"));
  await page.locator('[data-purpose="points"] input').check();
  assert.ok(await submit.isEnabled());
  await shot(page, "staff-06-register-filled");
  await audited(page, "register filled");

  await page.evaluate(() => {
    window.__staff.replies.staff_register = { outcome: "ineligible", reasons: ["too_young", "not_local", "required_purpose_not_granted"] };
  });
  await submit.click();
  await page.waitForSelector('[data-testid="ineligible"]');
  const sent = (await staffCalls(page)).filter((c) => c.cmd === "staff_register");
  assert.deepEqual(sent, [
    {
      cmd: "staff_register",
      args: {
        form: {
          participant: s.P1,
          birth_date: "2008-05-02",
          sex: "female",
          height_cm: 158.5,
          body_type: "standard",
          implanted_device: true,
          lives_or_works_locally: false,
          applied_on: "2026-11-20",
          consent: "paper",
          paper_granted: ["points"],
        },
      },
    },
  ]);
  const why = await plainText(page, '[data-testid="ineligible"]');
  for (const words of [
    "申込日の時点で20歳未満です",
    "Under 20 on the application date",
    "市内に住んでいるか、働いている方が対象です",
    "live or work in the area",
    "必須の利用目的に同意がありません",
    "Ask the participant",
    "nothing was kept",
  ]) {
    assert.ok(why.includes(words), `"${words}" in ${why}`);
  }
  await shot(page, "staff-07-register-ineligible");
  await audited(page, "ineligible");

  // Corrected: the form kept its values; the first edit takes the old refusal away (its reasons no
  // longer describe the form); registered while offline → pending, flagged for review.
  assert.equal(await page.locator('[data-testid="f-participant"]').inputValue(), s.P1);
  // A day that does not exist: said so, in Japanese then English, and nothing can be sent.
  await page.locator('[data-testid="f-birth"]').fill("1958-02-30");
  await page.waitForSelector('[data-testid="ineligible"]', { state: "detached" });
  const noDay = await plainText(page, '[data-testid="f-birth-error"]');
  assert.ok(noDay.indexOf("その日付はありません") >= 0 && noDay.indexOf("That date does not exist") > noDay.indexOf("その日付はありません"), noDay);
  assert.ok(await submit.isDisabled(), "no date, nothing to send");
  await shot(page, "staff-07b-register-no-such-day");
  await audited(page, "no such day");
  // The paper says 昭和33年: typed as on the paper, the western date shown beside it.
  await page.locator('[data-testid="f-birth"]').fill("S33.5.2");
  assert.equal(await page.locator('[data-testid="f-birth-error"]').count(), 0);
  const read = await plainText(page, '[data-testid="f-birth-read"]');
  assert.ok(read.includes("1958-05-02") && read.includes("昭和33年5月2日"), read);
  await page.locator('[data-testid="f-birth"]').evaluate((el) => el.scrollIntoView({ block: "center" }));
  await shot(page, "staff-07c-register-era-date");
  await audited(page, "era date read");
  await page.locator('[data-testid="choice-local"] [data-value="true"]').click();
  await page.locator('[data-purpose="measure"] input').check();
  await page.evaluate((reg) => {
    window.__staff.replies.staff_register = { outcome: "registered", registration: reg };
  }, s.registration(s.P1, "pending"));
  await clearStaffCalls(page);
  await submit.click();
  await screen(page, "staff-registered");
  const second = (await staffCalls(page)).filter((c) => c.cmd === "staff_register");
  assert.equal(second.length, 1);
  assert.equal(second[0].args.form.birth_date, "1958-05-02", "the command gets YYYY-MM-DD, never the era");
  assert.equal(second[0].args.form.applied_on, "2026-11-20");
  const pending = await plainText(page, '[data-testid="registered"]');
  assert.ok(pending.includes("未確認") && pending.includes("Pending"), pending);
  assert.ok(pending.includes("重複と定員は、通信が戻ったときにサーバーが確認します"), pending);
  assert.ok(pending.includes("Flagged for review"), pending);
  assert.equal(await page.locator('[data-testid="print-card"]').count(), 0, "no card before the server issued it");
  await shot(page, "staff-08-registered-pending");
  await audited(page, "registered pending");

  // The server accepted it: the card can be printed, through the system print dialog.
  await pushStaff(page, s.registrations(s.registration(s.P1, "accepted")));
  await page.waitForSelector('[data-testid="registered"][data-state="accepted"]');
  await page.evaluate((svg) => {
    window.__staff.replies.staff_print_card = { mode: "dialog", svg };
  }, s.CARD_SVG);
  await clearStaffCalls(page);
  await page.locator('[data-testid="print-card"]').click();
  await page.waitForSelector('[data-testid="print-confirm"][data-mode="dialog"]');
  await page.waitForFunction(() => window.__staff.printed === 1);
  const img = page.locator('[data-testid="print-only"] img');
  assert.equal(await img.count(), 1);
  const src = await img.getAttribute("src");
  assert.ok(src.startsWith("data:image/svg+xml"), src.slice(0, 40));
  assert.ok(decodeURIComponent(src).includes(s.P1), "the card page is the one returned");
  assert.equal(await page.locator('[data-testid="print-only"]').isVisible(), false, "not on screen");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator('[data-testid="print-only"]').isVisible(), true, "on paper");
  assert.equal(await page.locator(".st-app").isVisible(), false, "only the card on paper");
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_print_card", args: { participant: s.P1 } }]);
  await shot(page, "staff-09-print-dialog");
  await audited(page, "print dialog");
  await page.locator('[data-testid="print-close"]').click();
  await page.waitForSelector('[data-testid="print-only"]', { state: "detached" });

  // A printer configured: a confirmation with where it went.
  await page.evaluate(() => {
    window.__staff.replies.staff_print_card = { mode: "sent", destination: "Brother_HL_L2375DW" };
  });
  await page.locator('[data-testid="print-card"]').click();
  await page.waitForSelector('[data-testid="print-confirm"][data-mode="sent"]');
  assert.ok((await plainText(page, '[data-testid="print-confirm"]')).includes("Brother_HL_L2375DW"));
  await page.locator('[data-testid="print-close"]').click();

  // Written into a folder: the path on its own line, monospace, breaking only after a "/".
  const path = "/tmp/.tmpQJwAva/printed/deeper/folder/of/the/station/card-1-1.pdf";
  await page.evaluate((destination) => {
    window.__staff.replies.staff_print_card = { mode: "sent", destination };
  }, path);
  await page.setViewportSize({ width: 900, height: 800 });
  await page.locator('[data-testid="print-card"]').click();
  await page.waitForSelector('[data-testid="print-confirm"][data-mode="sent"]');
  const dest = page.locator('[data-testid="print-destination"]');
  assert.equal(await plainText(page, '[data-testid="print-destination"]'), path);
  assert.ok(!(await plainText(page, '[data-testid="print-confirm"] .st-big')).includes("card-1"), "the sentence without the path");
  const placed = await dest.evaluate((el) => {
    const file = el.querySelector(".st-dest-file");
    const lines = new Set([...el.getClientRects()].map((r) => Math.round(r.top)));
    return { font: getComputedStyle(el).fontFamily, fileLines: file.getClientRects().length, lines: lines.size, file: file.textContent };
  });
  assert.match(placed.font, /mono/i);
  assert.equal(placed.file, "card-1-1.pdf");
  assert.equal(placed.fileLines, 1, "the file name in one piece");
  assert.ok(placed.lines >= 2, `a long path wraps (at a "/") rather than spilling: ${placed.lines} line(s)`);
  await shot(page, "staff-09b-print-sent-path");
  await audited(page, "print sent to a folder");
  await page.locator('[data-testid="print-close"]').click();
  // A long file name with hyphens after a short folder: the name moves to the next line whole.
  await page.evaluate(() => {
    window.__staff.replies.staff_print_card = { mode: "sent", destination: "/srv/print/card-2026-11-24-A-731904-reprint-0001.pdf" };
  });
  await page.locator('[data-testid="print-card"]').click();
  await page.waitForSelector('[data-testid="print-confirm"][data-mode="sent"]');
  const longName = await page.locator('[data-testid="print-destination"] .st-dest-file').evaluate((el) => ({
    rects: new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size,
    fits: el.getBoundingClientRect().right <= el.closest(".dialog").getBoundingClientRect().right,
  }));
  assert.deepEqual(longName, { rects: 1, fits: true }, "the file name on one line, inside the dialog");
  await page.locator('[data-testid="print-close"]').click();
  await page.setViewportSize({ width: 1280, height: 800 });

  // Into the queue, then measure.
  await clearStaffCalls(page);
  await page.locator('[data-testid="queue-add"]').click();
  await pushStaff(page, s.queue(s.queued(s.P1)));
  await page.waitForSelector('[data-testid="queue-add"]:disabled');
  await page.locator('[data-testid="measure-now"]').click();
  assert.deepEqual(await staffCalls(page), [
    { cmd: "staff_queue_add", args: { participant: s.P1 } },
    { cmd: "staff_measure", args: { participant: s.P1 } },
  ]);
  // Staff come back to the queue when the session ends.
  await screen(page, "staff-queue");
  assert.deepEqual(errors, []);
  await page.close();
});

test("registrations list: a conflict stands out and says it is never merged; ineligible, full and pending shown; reprint", async () => {
  const regs = [
    s.registration(s.P1, "conflict"),
    s.registration(s.P2, "accepted", { card_printed: true, measured: true, consent_method: "on_screen" }),
    s.registration(s.P3, "pending"),
    s.registration("A-731907", "full"),
    s.registration("A-731908", "ineligible"),
  ];
  const { page, errors } = await signedIn("staff", { regs, q: [s.queued(s.P3)] });
  await page.locator('[data-testid="menu-registrations"]').click();
  await screen(page, "staff-registrations");
  assert.equal(await page.locator('[data-testid="registration"]').count(), 5);
  const conflict = page.locator(`[data-testid="registration"][data-participant="${s.P1}"]`);
  const text = await plainText(page, `[data-testid="registration"][data-participant="${s.P1}"]`);
  assert.ok(text.includes("別の端末で同じ番号が登録されています。事務局が確認します。統合はしません"), text);
  assert.ok(text.includes("Registered at another station too: the program office will check; never merged"), text);
  // It stands out: a thicker, red border than an accepted one.
  const border = (sel) => page.locator(sel).evaluate((el) => [parseFloat(getComputedStyle(el).borderTopWidth), getComputedStyle(el).borderTopColor]);
  const [cw, cc] = await border(`[data-testid="registration"][data-participant="${s.P1}"]`);
  const [aw, ac] = await border(`[data-testid="registration"][data-participant="${s.P2}"]`);
  assert.ok(cw > aw && cc !== ac, `conflict border ${cw} ${cc} vs ${aw} ${ac}`);
  assert.equal(await conflict.locator('[data-testid="queue-add"]').count(), 0, "a conflict is not measured until the office decides");
  for (const [p, st] of [
    ["A-731907", "full"],
    ["A-731908", "ineligible"],
    [s.P3, "pending"],
  ]) {
    assert.equal(await page.locator(`[data-participant="${p}"] [data-testid="state-badge"]`).getAttribute("data-state"), st);
  }
  // The accepted, printed one offers a reprint; the queued pending one says it is queued.
  assert.ok((await plainText(page, `[data-participant="${s.P2}"] [data-testid="print-card"]`)).includes("再印刷"));
  assert.ok(await page.locator(`[data-participant="${s.P3}"] [data-testid="queue-add"]`).isDisabled());
  await shot(page, "staff-10-registrations");
  await audited(page, "registrations");
  assert.deepEqual(await overflow(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("queue: 測定 and 外す per person, weight-only marked, measuring and done shown", async () => {
  const q = [s.queued(s.P1, "done"), s.queued(s.P2, "waiting", true), s.queued(s.P3, "waiting")];
  const { page, errors } = await signedIn("staff", { regs: [], q });
  await page.locator('[data-testid="menu-queue"]').click();
  await screen(page, "staff-queue");
  assert.equal(await page.locator('[data-testid="queued"]').count(), 3);
  assert.equal(await page.locator(`[data-participant="${s.P2}"] [data-testid="weight-only"]`).count(), 1);
  assert.equal(await page.locator(`[data-participant="${s.P3}"] [data-testid="weight-only"]`).count(), 0);
  assert.equal(await page.locator(`[data-participant="${s.P1}"] [data-testid="measure"]`).count(), 0, "done: no 測定");
  await shot(page, "staff-11-queue");
  await audited(page, "queue");
  await clearStaffCalls(page);
  await page.locator(`[data-participant="${s.P2}"] [data-testid="measure"]`).click();
  await page.locator(`[data-participant="${s.P3}"] [data-testid="remove"]`).click();
  assert.deepEqual(await staffCalls(page), [
    { cmd: "staff_measure", args: { participant: s.P2 } },
    { cmd: "staff_queue_remove", args: { participant: s.P3 } },
  ]);
  // While someone is measured, nobody else can be started.
  await pushStaff(page, s.queue(s.queued(s.P2, "measuring", true), s.queued(s.P3)));
  await page.waitForSelector(`[data-participant="${s.P2}"][data-state="measuring"]`);
  assert.ok(await page.locator(`[data-participant="${s.P3}"] [data-testid="measure"]`).isDisabled());
  assert.equal(await page.locator(`[data-participant="${s.P2}"] [data-testid="remove"]`).count(), 0);
  await shot(page, "staff-12-queue-measuring");
  assert.deepEqual(errors, []);
  await page.close();
});

test("idle warning: the countdown, 続ける calls staff_touch and hides it; activity is reported, throttled", async () => {
  const { page, errors } = await signedIn("staff");
  await clearStaffCalls(page);
  await page.locator('[data-testid="menu-queue"]').click();
  await page.locator('[data-testid="nav-home"]').click();
  await page.locator('[data-testid="menu-queue"]').click();
  const touches = (await staffCalls(page, { touches: true })).filter((c) => c.cmd === "staff_touch");
  assert.equal(touches.length, 1, "three touches within 5 s: one staff_touch");
  await pushStaff(page, s.ev("idle", { remaining_ms: 30000 }));
  await page.waitForSelector('[data-testid="staff-idle"]');
  const count = await plainText(page, '[data-testid="staff-idle-countdown"]');
  assert.ok(count.includes("あと 30 秒") || count.includes("あと 29 秒"), count);
  await shot(page, "staff-13-idle-warning");
  await audited(page, "idle");
  await clearStaffCalls(page);
  await page.locator('[data-testid="staff-idle-continue"]').click();
  await page.waitForSelector('[data-testid="staff-idle"]', { state: "detached" });
  assert.deepEqual(await staffCalls(page, { touches: true }), [{ cmd: "staff_touch", args: {} }]);
  // The runtime's own "activity resumed" also hides it.
  await pushStaff(page, s.ev("idle", { remaining_ms: 12000 }));
  await page.waitForSelector('[data-testid="staff-idle"]');
  await pushStaff(page, s.ev("idle", { remaining_ms: null }));
  await page.waitForSelector('[data-testid="staff-idle"]', { state: "detached" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("technician: analyzer, ports and models, 自動検出/接続, the tap monitor (newest at the bottom, capped at 500), card test, sync, gate", async () => {
  const { page, errors } = await signedIn("technician");
  await page.locator('[data-testid="menu-technician"]').click();
  await screen(page, "staff-technician");
  const analyzer = await plainText(page, '[data-testid="tech-analyzer"]');
  for (const w of ["/dev/ttyUSB0", "MC-780", "9600 8N1", "接続しています", "MC-780 SN 12345678"]) assert.ok(analyzer.includes(w), `${w} in ${analyzer}`);
  assert.deepEqual(await page.locator('[data-testid="tech-model"] option').allInnerTexts(), ["MC-780", "DC-430", "BC-768"]);
  const sync = await plainText(page, '[data-testid="tech-sync"]');
  for (const w of ["オンライン", "未確認の登録", "Registrations pending", "2026-11-23 09:58"]) assert.ok(sync.includes(w), `${w} in ${sync}`);
  assert.equal(await plainText(page, '[data-testid="sync-backlog"] dd'), "3");
  assert.equal(await page.locator('[data-testid="gate-open"]').count(), 1);
  await shot(page, "staff-14-technician");
  await audited(page, "technician");
  assert.deepEqual(await overflow(page), []);

  await clearStaffCalls(page);
  await page.locator('[data-testid="tech-ports"]').click();
  await page.locator('[data-testid="tech-port"]').selectOption("/dev/ttyS0");
  await page.locator('[data-testid="tech-autodetect"]').click();
  await page.locator('[data-testid="tech-model"]').selectOption("DC-430");
  await page.locator('[data-testid="tech-connect"]').click();
  await page.locator('[data-testid="tap-toggle"]').click();
  await page.waitForSelector('[data-testid="tap-toggle"][aria-pressed="true"]');
  assert.deepEqual(await staffCalls(page), [
    { cmd: "staff_service_refresh", args: {} },
    { cmd: "staff_service_autodetect", args: { port: "/dev/ttyS0" } },
    { cmd: "staff_service_connect", args: { port: "/dev/ttyS0", model: "DC-430" } },
    { cmd: "staff_service_tap", args: { on: true } },
  ]);
  await pushStaff(page, ...Array.from({ length: 520 }, (_, i) => s.tap(i)));
  await page.waitForFunction(() => document.querySelectorAll(".st-tap-line").length === 500);
  const first = await plainText(page, ".st-tap-line:first-child .st-tap-text");
  assert.ok(first.includes("#20"), `the oldest 20 fell off: ${first}`);
  const lines = page.locator(".st-tap-line");
  const last = lines.last();
  assert.ok((await plainText(page, ".st-tap-line:last-child .st-tap-text")).includes("#518") || (await last.getAttribute("data-kind")) === "decoded");
  assert.ok(await last.isVisible());
  const inView = await page.evaluate(() => {
    const box = document.querySelector('[data-testid="tap-lines"]').getBoundingClientRect();
    const line = document.querySelector(".st-tap-line:last-child").getBoundingClientRect();
    return line.bottom <= box.bottom + 1 && line.top >= box.top - 1;
  });
  assert.ok(inView, "the newest line is scrolled into view at the bottom");
  const font = await lines.first().evaluate((el) => getComputedStyle(el).fontFamily);
  assert.ok(/mono/i.test(font), font);
  await page.locator('[data-testid="tech-monitor"]').scrollIntoViewIfNeeded();
  await shot(page, "staff-15-technician-monitor");
  await audited(page, "technician monitor");

  // A full MC-780 frame (~700 bytes): time and kind on one compact line above, the text from the
  // line's left edge, broken after commas — never inside a number or a field.
  const fields = ["MO", '"MC-780"', "ID", '"0000000000000000"', "DT", '"2026/06/03"', "TI", '"15:00"'];
  for (let i = 0; fields.join(",").length < 700; i++) fields.push(`X${i % 10}`, `${(i % 2 ? -1 : 1) * (100 + i * 7.3)}`.slice(0, 6));
  const frame = `{0,16,~0,1,~1,1,~2,1,${fields.join(",")}`;
  await pushStaff(page, s.ev("tap", { kind: "received", at_ms: 99_000, text: frame }));
  await page.waitForFunction((t) => document.querySelector(".st-tap-line:last-child .st-tap-text")?.textContent === t, frame);
  const laid = await page.evaluate(() => {
    const li = document.querySelector(".st-tap-line:last-child");
    const head = li.querySelector(".st-tap-head").getBoundingClientRect();
    const text = li.querySelector(".st-tap-text");
    const chars = [];
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.textContent.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        const b = r.getBoundingClientRect();
        if (b.width > 0) chars.push({ c: n.textContent[i], top: b.top, h: b.height });
      }
    }
    const before = [];
    for (let i = 1; i < chars.length; i++) if (chars[i].top > chars[i - 1].top + chars[i - 1].h / 2) before.push(chars[i - 1].c);
    const lineH = parseFloat(getComputedStyle(li).lineHeight);
    return { headH: head.height, lineH, headLeft: head.left, textLeft: text.getBoundingClientRect().left, headBottom: head.bottom, textTop: text.getBoundingClientRect().top, before };
  });
  assert.ok(laid.headH < laid.lineH * 1.5, `time and kind on one line: ${JSON.stringify(laid)}`);
  assert.ok(laid.textTop >= laid.headBottom - 1, "the text below them");
  assert.ok(Math.abs(laid.textLeft - laid.headLeft) <= 1, `the text from the line's left edge: ${laid.textLeft} vs ${laid.headLeft}`);
  assert.ok(laid.before.length >= 2 && laid.before.length <= 10, `a long frame on a few full-width lines: ${laid.before.length + 1}`);
  assert.deepEqual(laid.before.filter((c) => c !== ","), [], `breaks only after commas: ${laid.before.join(" ")}`);
  await page.locator(".st-tap-line:last-child").scrollIntoViewIfNeeded();
  await shot(page, "staff-15b-technician-monitor-long-frame");

  // Card reader test: each verdict shown.
  await page.locator('[data-testid="card-test-toggle"]').click();
  await page.waitForSelector('[data-testid="card-test-toggle"][aria-pressed="true"]');
  await pushStaff(
    page,
    s.ev("card_test", { via: "camera", verdict: "valid", card_id: "A-731904-2" }),
    s.ev("card_test", { via: "handheld", verdict: "card_bad_signature", card_id: null }),
  );
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="card-verdict"]').length === 2);
  assert.deepEqual(await page.locator('[data-testid="card-verdict"]').evaluateAll((els) => els.map((e) => e.dataset.verdict)), ["card_bad_signature", "valid"]);
  // Offline with an error, the gate closed.
  await pushStaff(page, s.sync("offline"), s.gate(false, "check_overdue"));
  await page.waitForSelector('[data-testid="sync-error"]');
  assert.ok((await plainText(page, '[data-testid="tech-gate"]')).includes("点検の期限が過ぎています"));
  await page.locator('[data-testid="tech-card-test"]').scrollIntoViewIfNeeded();
  await shot(page, "staff-16-technician-card-test");
  await audited(page, "technician card test");
  // Leaving the screen stops the monitor and the test.
  await clearStaffCalls(page);
  await page.locator('[data-testid="nav-home"]').click();
  await screen(page, "staff-home");
  await page.waitForFunction(() => window.__staff.calls.filter((c) => c.cmd === "staff_service_tap" || c.cmd === "staff_card_test").length === 2);
  const stops = (await staffCalls(page)).filter((c) => c.cmd !== "staff_touch").map((c) => `${c.cmd}:${c.args.on}`).sort();
  assert.deepEqual(stops, ["staff_card_test:false", "staff_service_tap:false"]);
  assert.equal(await page.locator('[data-testid="gate-closed"]').count(), 1, "the menu shows the closed gate");
  await shot(page, "staff-17-home-technician-gate-closed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("calibration: the dates form, each step with its reading, deviation and ✓/✗, the verdict; past checks", async () => {
  const { page, errors } = await signedIn("technician");
  await pushStaff(
    page,
    s.analyzer([
      { checked_at: "2026-10-20 09:12", analyzer: "MC-780 SN 12345678", technician: "tech01", passed: true, worst_deviation_kg: 0.1, synced: true },
      { checked_at: "2026-10-19 17:40", analyzer: "MC-780 SN 12345678", technician: "tech01", passed: false, worst_deviation_kg: 0.5, synced: false },
    ]),
    s.gate(false, "never_checked"),
  );
  await page.locator('[data-testid="menu-calibration"]').click();
  await screen(page, "staff-calibration");
  assert.equal(await page.locator('[data-testid="cal-due"]').inputValue(), "2027-03-31");
  assert.deepEqual(await page.locator('[data-testid="past-check"]').evaluateAll((els) => els.map((e) => e.dataset.passed)), ["true", "false"]);
  await shot(page, "staff-18-calibration");
  await audited(page, "calibration");
  await clearStaffCalls(page);
  // Plain text fields (not the locale-ordered picker); a day that does not exist blocks saving.
  assert.equal(await page.locator('[data-testid="cal-due"]').getAttribute("type"), "text");
  await page.locator('[data-testid="cal-due"]').fill("2027-02-29");
  await page.waitForSelector('[data-testid="cal-due-error"][data-kind="no_such_day"]');
  assert.ok(await page.locator('[data-testid="cal-save-dates"]').isDisabled(), "no saving a date that does not exist");
  // As the certificate says it, in 和暦: sent as YYYY-MM-DD.
  await page.locator('[data-testid="cal-due"]').fill("令和9年4月30日");
  assert.equal(await page.locator('[data-testid="cal-due-read"]').getAttribute("data-iso"), "2027-04-30");
  await page.locator('[data-testid="cal-save-dates"]').click();
  await page.waitForSelector('[data-testid="cal-dates-saved"]');
  await page.locator('[data-testid="cal-start"]').click();
  assert.deepEqual(await staffCalls(page), [
    { cmd: "staff_analyzer_dates", args: { form: { verified_on: "2024-04-01", last_inspection: "2025-04-01", inspection_due: "2027-04-30", serial_number: "12345678" } } },
    { cmd: "staff_calibration_start", args: { serialNumber: "12345678" } },
  ]);

  await pushStaff(page, s.calibration([s.step(0, 0), s.step(20, 20.1)]));
  await page.waitForSelector('[data-testid="cal-prompt"]');
  assert.equal(await plainText(page, ".st-cal-kg"), "50");
  // The weights are not listed with " / " (which parts Japanese from English).
  const plan = await plainText(page, '[data-testid="cal-run"] .st-hint');
  assert.ok(plan.includes("基準おもり: 0・20・50・100 kg") && plan.includes("Reference weights: 0, 20, 50, 100 kg"), plan);
  assert.ok((await plainText(page, '[data-testid="cal-prompt"]')).includes("50 kg のおもりを台に載せてから「読み取る」を押してください"));
  await shot(page, "staff-19-calibration-step");
  await audited(page, "calibration step");
  await clearStaffCalls(page);
  await page.locator('[data-testid="cal-read"]').click();
  assert.deepEqual(await staffCalls(page), [{ cmd: "staff_calibration_read_step", args: {} }]);
  await pushStaff(page, s.calibration([s.step(0, 0), s.step(20, 20.1)], { state: "reading" }));
  await page.waitForSelector('[data-testid="cal-read"]:disabled');

  // Drift of +0.5 kg at 50 and 100 kg: ✗ on those steps, 不合格.
  await pushStaff(page, s.calibration([s.step(0, 0), s.step(20, 20.1), s.step(50, 50.5), s.step(100, 100.5)], { state: "done", passed: false }));
  await page.waitForSelector('[data-testid="cal-verdict"][data-passed="false"]');
  assert.deepEqual(await page.locator('[data-testid="cal-step"]').evaluateAll((els) => els.map((e) => e.dataset.ok)), ["true", "true", "false", "false"]);
  const rows = await page.locator('[data-testid="cal-step"]').allInnerTexts();
  assert.ok(rows[2].includes("50.50 kg") && rows[2].includes("+0.50") && rows[2].includes("✗"), rows[2]);
  assert.ok(rows[1].includes("+0.10") && rows[1].includes("✓"), rows[1]);
  assert.ok((await plainText(page, '[data-testid="cal-verdict"]')).includes("不合格"));
  await shot(page, "staff-20-calibration-failed");
  await audited(page, "calibration failed");

  await pushStaff(page, s.calibration([s.step(0, 0), s.step(20, 20.1), s.step(50, 49.9), s.step(100, 100.2)], { state: "done", passed: true, due: "2026-12-23" }));
  await page.waitForSelector('[data-testid="cal-verdict"][data-passed="true"]');
  const passed = await plainText(page, '[data-testid="cal-verdict"]');
  assert.ok(passed.includes("合格") && passed.includes("2026-12-23") && passed.includes("Passed"), passed);
  await shot(page, "staff-21-calibration-passed");
  await audited(page, "calibration passed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Session(None) drops every participant number from the DOM and the store", async () => {
  const regs = [s.registration(s.P1, "conflict"), s.registration(s.P2, "accepted")];
  const { page, errors } = await signedIn("admin", { regs, q: [s.queued(s.P3)] });
  await page.locator('[data-testid="menu-registrations"]').click();
  await screen(page, "staff-registrations");
  await pushStaff(page, s.tap(3), s.ev("card_test", { via: "camera", verdict: "valid", card_id: `${s.P2}-1` }));
  const before = await page.evaluate(() => document.documentElement.outerHTML + window.__hakaruStaffState());
  for (const p of [s.P1, s.P2, s.P3]) assert.ok(before.includes(p), `${p} shown before`);
  await pushStaff(page, s.ev("session", null));
  await screen(page, "staff-sign-in");
  const afterAll = await page.evaluate(() => document.documentElement.outerHTML + window.__hakaruStaffState());
  for (const p of [s.P1, s.P2, s.P3, "Wk=62", "山田"]) assert.ok(!afterAll.includes(p), `${p} gone`);
  // Lists pushed while nobody is signed in are not kept either.
  await pushStaff(page, s.registrations(s.registration(s.P1)), s.queue(s.queued(s.P1)));
  await page.waitForTimeout(100);
  assert.ok(!(await page.evaluate(() => window.__hakaruStaffState())).includes(s.P1));
  assert.deepEqual(errors, []);
  await page.close();
});

test("StaffEvents are read in the runtime's one shape, {kind, data} (null data for None); any other shape is ignored", async () => {
  // Exactly as serde writes StaffEvent (adjacently tagged), e.g. from kiosk/src/staff_view.rs's own test.
  const replay = [
    { kind: "session", data: null },
    { kind: "signed_out", data: { reason: "idle" } },
    { kind: "session", data: s.staffSession("admin") },
    { kind: "calibration", data: null },
  ];
  const { page, errors } = await openStaff({ replay });
  await screen(page, "staff-home");
  assert.equal(await page.locator(".st-menu-item").count(), 5, "admin sees everything");
  // The fake desk itself refuses to send anything else, so every other test speaks the real shape.
  const refused = await page.evaluate(() => {
    try {
      window.__staff.push({ kind: "gate", open: false, reason: "analyzer_swapped" });
      return null;
    } catch (e) {
      return String(e);
    }
  });
  assert.match(refused ?? "", /not a StaffEvent/);
  // Shapes the runtime never sends are ignored: flattened beside the tag, named after the kind,
  // a payload of the wrong sort, an unknown kind, a None where Rust has no Option.
  await pushStaffRaw(
    page,
    { kind: "gate", open: false, reason: "analyzer_swapped", checked_analyzer: null, next_check_due: null },
    { kind: "queue", queue: [s.queued(s.P1)] },
    { kind: "queue", data: { participant: s.P1 } },
    { kind: "registrations", data: null },
    { kind: "gate", data: null },
    { kind: "nonsense", data: 1 },
    { kind: "session", data: null, extra: 1 },
    "session",
    null,
  );
  await page.waitForTimeout(100);
  await screen(page, "staff-home");
  assert.equal(await page.locator('[data-testid="gate-closed"]').count(), 0, "the flattened gate was not read");
  const state = JSON.parse(await page.evaluate(() => window.__hakaruStaffState()));
  assert.deepEqual(state.queue, []);
  assert.equal(state.gate, null);
  assert.equal(state.session.login, "admin01", "still signed in");
  // The real shape of the same events is read.
  await pushStaff(page, s.gate(false, "analyzer_swapped"), s.queue(s.queued(s.P1)), s.ev("idle", { remaining_ms: 30000 }));
  await page.waitForSelector('[data-testid="gate-closed"][data-reason="analyzer_swapped"]');
  await page.waitForSelector('[data-testid="staff-idle"]');
  await pushStaff(page, s.ev("idle", { remaining_ms: null }));
  await page.waitForSelector('[data-testid="staff-idle"]', { state: "detached" });
  await page.locator('[data-testid="menu-queue"]').click();
  await page.waitForSelector(`[data-testid="queued"][data-participant="${s.P1}"]`);
  // A calibration in progress, then None: the check's panel goes.
  await pushStaff(page, s.calibration([s.step(0, 0)]));
  await page.locator('[data-testid="nav-home"]').click();
  await page.locator('[data-testid="menu-calibration"]').click();
  await page.waitForSelector('[data-testid="cal-run"]');
  await pushStaff(page, s.ev("calibration", null));
  await page.waitForSelector('[data-testid="cal-run"]', { state: "detached" });
  // Signed out: {kind: "signed_out", data: {reason}} then {kind: "session", data: null}.
  await pushStaff(page, s.ev("signed_out", { reason: "account_changed" }), s.ev("session", null));
  await screen(page, "staff-sign-in");
  assert.equal(await page.locator('[data-testid="signed-out"]').getAttribute("data-reason"), "account_changed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a failed command shows a toast: the runtime's own bilingual words when it has them, else ours with the code", async () => {
  const { page, errors } = await signedIn("technician");
  await pushStaff(page, s.calibration([s.step(0, 0)]));
  await page.locator('[data-testid="menu-calibration"]').click();
  await page.evaluate(() => {
    window.__staff.errors.staff_calibration_read_step = {
      code: "weigh_timeout",
      detail: "安定した重さが届きませんでした。分銅を載せ直し、もう一度読み取ってください / no stable weight arrived: put the weight on again and read once more",
    };
    window.__staff.errors.staff_calibration_cancel = { code: "not_allowed", detail: "the role staff may not use technician mode" };
  });
  await page.locator('[data-testid="cal-read"]').click();
  await page.waitForSelector('[data-testid="staff-toast"][data-code="weigh_timeout"]');
  const toast = await plainText(page, '[data-testid="staff-toast"]');
  assert.ok(toast.includes("安定した重さが届きませんでした") && toast.includes("No stable weight arrived"), toast);
  assert.ok(!toast.includes(" / no stable"), "the two languages on their own lines");
  await shot(page, "staff-22-toast");
  await audited(page, "toast");
  await page.locator('[data-testid="cal-cancel"]').click();
  await page.waitForSelector('[data-testid="staff-toast"][data-code="not_allowed"]');
  assert.ok((await plainText(page, '[data-testid="staff-toast"]')).includes("この役割ではできない操作です"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("the production build: staff.html boots under the CSP with its own bundle and no test hooks", async () => {
  execFileSync("npx", ["vite", "build", "--logLevel", "error"], { cwd: UI, stdio: "inherit" });
  const html = readFileSync(join(UI, "dist/staff.html"), "utf8");
  assert.match(html, /<script type="module" crossorigin src="\.\/assets\/staff-[\w-]+\.js"><\/script>/);
  assert.ok(!/<script(?![^>]*src=)[^>]*>/.test(html) && !/<style/.test(html), "no inline script or style");
  const js = readdirSync(join(UI, "dist/assets")).filter((n) => n.endsWith(".js"));
  assert.ok(js.some((n) => n.startsWith("staff-")) && js.some((n) => n.startsWith("index-")), js.join());
  for (const n of js) assert.ok(!readFileSync(join(UI, "dist/assets", n), "utf8").includes("__hakaruStaffState"));
  const { page, errors } = await openStaff({ dist: "dist", replay: s.signedInReplay("admin") });
  await screen(page, "staff-home");
  assert.equal(await page.evaluate(() => typeof window.__hakaruStaffState), "undefined");
  assert.deepEqual((await page.evaluate(() => window.__staff.calls)).filter((c) => c.cmd === "staff_subscribe").length, 1);
  assert.deepEqual(errors, [], "no CSP violation or error");
  await page.close();
});
