// The participant window's door to the staff window and its availability: the hidden gesture on
// the attract screen (a 3-second press in the invisible top-left 80×80 px area, or Ctrl+Alt+S)
// calls open_staff_sign_in, a short press or another screen does not, nothing visible hints at
// it; when measuring is not available the attract screen shows a calm banner instead of "show
// your card", and a refused card's notice `measurements_blocked` is worded the same way.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as f from "./fixtures.mjs";
import { audit, calls, clearCalls, close, launch, open, plainText, push, screen, shot } from "./harness.mjs";

before(launch);
after(close);

const base = (opts) => [f.hello(opts), f.scale(true), f.sync("online"), f.attract()];
const opened = async (page) => (await calls(page)).filter((c) => c.cmd === "open_staff_sign_in").length;

test("the hidden gesture: a 3-second corner press or Ctrl+Alt+S opens staff sign-in; a short press does not", async () => {
  const { page, errors } = await open({ replay: base({ demo: false }) });
  await screen(page, "attract");
  // Nothing visible: the corner has no text, no border, no background, and is no button.
  const corner = await page.locator('[data-testid="staff-corner"]').evaluate((el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return { text: el.textContent, bg: s.backgroundColor, border: s.borderTopWidth, tag: el.tagName, x: r.x, y: r.y, w: r.width, h: r.height };
  });
  assert.deepEqual(corner, { text: "", bg: "rgba(0, 0, 0, 0)", border: "0px", tag: "DIV", x: 0, y: 0, w: 80, h: 80 });
  await clearCalls(page);
  // A short press (1 s) does nothing.
  await page.mouse.move(40, 40);
  await page.mouse.down();
  await page.waitForTimeout(1000);
  await page.mouse.up();
  await page.waitForTimeout(2500);
  assert.equal(await opened(page), 0, "a 1 s press does not open it");
  // Pressed elsewhere (outside the 80×80 area) for 3.5 s: nothing.
  await page.mouse.move(120, 120);
  await page.mouse.down();
  await page.waitForTimeout(3500);
  await page.mouse.up();
  assert.equal(await opened(page), 0, "outside the corner");
  // Held 3 s: opened once.
  await page.mouse.move(30, 30);
  await page.mouse.down();
  await page.waitForTimeout(3300);
  await page.mouse.up();
  assert.equal(await opened(page), 1, "a 3 s press opens it");
  assert.deepEqual((await calls(page)).find((c) => c.cmd === "open_staff_sign_in"), { cmd: "open_staff_sign_in", args: {} });
  // Ctrl+Alt+S, not forwarded to the card reader.
  await clearCalls(page);
  await page.keyboard.press("Control+Alt+KeyS");
  const after = await calls(page);
  assert.deepEqual(after.filter((c) => c.cmd !== "wedge_key"), [{ cmd: "open_staff_sign_in", args: {} }]);
  assert.ok(!after.some((c) => c.cmd === "wedge_key" && c.args.key.code === "KeyS"), "the S is not a card key");
  // Not during a session.
  await push(page, f.safety());
  await screen(page, "safety");
  await clearCalls(page);
  await page.keyboard.press("Control+Alt+KeyS");
  assert.equal(await opened(page), 0);
  assert.equal(await page.locator('[data-testid="staff-corner"]').count(), 0, "the corner exists on the attract screen only");
  assert.deepEqual(errors, []);
  await page.close();
});

test("availability: staff in use and an analyzer that needs a check show a calm banner instead of 'show your card'", async () => {
  for (const lang of ["ja", "en"]) {
    const { page, errors } = await open({ replay: base({ language: lang, demo: false }) });
    await screen(page, "attract", '[data-available="true"]');
    await push(page, { kind: "availability", open: false, reason: "staff_in_use" });
    await screen(page, "attract", '[data-available="false"]');
    const inUse = await plainText(page, '[data-testid="unavailable"]');
    assert.ok(inUse.includes(lang === "ja" ? "ただいま係員が操作中です" : "Staff are using this station"), inUse);
    assert.equal(await page.locator('[data-testid="camera-preview"]').count(), 0);
    assert.ok(!(await plainText(page, ".main")).includes(lang === "ja" ? "カードをかざしてください" : "hold up your card"));
    await shot(page, `${lang}-05-attract-staff-in-use`);
    for (const reason of ["never_checked", "check_failed", "check_overdue", "inspection_overdue", "analyzer_swapped"]) {
      await push(page, { kind: "availability", open: false, reason });
      await page.waitForSelector(`[data-testid="unavailable"][data-reason="${reason}"]`);
      const text = await plainText(page, '[data-testid="unavailable"]');
      const want =
        lang === "ja"
          ? ["ただいま測定できません", "体組成計の点検が必要です。係員にお声がけください。"]
          : ["Measuring is not available", "The scale needs a check. Please ask a member of staff."];
      for (const w of want) assert.ok(text.includes(w), `${reason}: ${w} in ${text}`);
    }
    await shot(page, `${lang}-06-attract-analyzer-check`);
    const a = await audit(page);
    assert.deepEqual(a.violations, []);
    // A card refused while blocked says the same.
    await push(page, { kind: "notice", code: "measurements_blocked", detail: "check_failed" });
    await page.waitForSelector('[data-testid="toast"]');
    const toast = await plainText(page, '[data-testid="toast"]');
    assert.ok(
      toast.includes(lang === "ja" ? "ただいま測定できません。体組成計の点検が必要です。係員にお声がけください。" : "Measuring is not available: the scale needs a check. Please ask a member of staff."),
      toast,
    );
    // Open again: the usual attract screen.
    await push(page, { kind: "availability", open: true, reason: null });
    await screen(page, "attract", '[data-available="true"]');
    assert.ok((await plainText(page, ".main")).includes(lang === "ja" ? "カードをかざしてください" : "hold up your card"));
    assert.deepEqual(errors, []);
    await page.close();
  }
});
