// The staff window's main screens on a 1920×1080 station display (besides the 1280×800 ones of
// staff.test.mjs): nothing wider than the window, the audit (text ≥ 24 px, contrast, targets)
// holds, lines stay readable (no stretched single-column text), and each is photographed as
// target/ui-screenshots/staff-wide-*.png.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as s from "./staff-fixtures.mjs";
import { audit, close, launch, openStaff, screen, shot } from "./harness.mjs";

before(launch);
after(close);

const viewport = { width: 1920, height: 1080 };

async function check(page, name) {
  const a = await audit(page);
  assert.deepEqual(a.violations, [], `${name}: ${a.violations.join("; ")}`);
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll(".st-app *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map((el) => `${el.tagName}.${el.className}`)
      .slice(0, 5),
  );
  assert.deepEqual(wide, [], `${name}: wider than the window`);
  // Prose stays within a readable measure (its rendered lines ≤ 1400 px) even on a wide screen.
  const long = await page.evaluate(() =>
    [...document.querySelectorAll(".st-main p, .st-main .st-note, .st-main .st-error")]
      .map((el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        return { el, w: r.getBoundingClientRect().width };
      })
      .filter(({ w }) => w > 1400)
      .map(({ el, w }) => `${el.tagName}.${el.className} ${Math.round(w)}px`)
      .slice(0, 5),
  );
  await shot(page, `staff-wide-${name}`);
  assert.deepEqual(long, [], `${name}: prose lines too long`);
}

test("1920×1080: sign-in, menu, register, registrations, queue, technician and calibration fit and read well", async () => {
  const signIn = await openStaff({ viewport, replay: s.signedOutReplay() });
  await screen(signIn.page, "staff-sign-in");
  await check(signIn.page, "01-sign-in");
  assert.deepEqual(signIn.errors, []);
  await signIn.page.close();

  const regs = [s.registration(s.P1, "conflict"), s.registration(s.P2, "accepted", { card_printed: true }), s.registration(s.P3, "pending")];
  const q = [s.queued(s.P2, "measuring"), s.queued(s.P3, "waiting", true)];
  const { page, errors } = await openStaff({ viewport, replay: [...s.signedInReplay("admin", { regs, q }), s.gate(false, "never_checked")] });
  await screen(page, "staff-home");
  await check(page, "02-home-admin");
  const go = async (menu, name) => {
    await page.locator('[data-testid="nav-home"]').click().catch(() => undefined);
    await page.locator(`[data-testid="${menu}"]`).click();
    await screen(page, name);
  };
  await go("menu-register", "staff-register");
  await check(page, "03-register");
  await go("menu-registrations", "staff-registrations");
  await check(page, "04-registrations");
  await go("menu-queue", "staff-queue");
  await check(page, "05-queue");
  await go("menu-technician", "staff-technician");
  await check(page, "06-technician");
  await go("menu-calibration", "staff-calibration");
  await check(page, "07-calibration");
  await page.evaluate(() => {
    window.__staff.push({
      kind: "calibration",
      data: { steps_kg: [0, 20, 50, 100], next_step: 2, results: [], tolerance_kg: 0.2, state: "waiting_for_weight", passed: null, next_check_due: null },
    });
  });
  await page.waitForSelector('[data-testid="cal-prompt"]');
  await check(page, "08-calibration-step");
  assert.deepEqual(errors, []);
  await page.close();
});
