// The UI's rules, one test each: consent cannot be confirmed half-answered and sends exactly
// the granted ids; the idle warning and "continue"; the wipe (DOM and JS state); language per
// session; keyboard-wedge forwarding; context menu; toasts; speech; the production build.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as f from "./fixtures.mjs";
import { calls, clearCalls, close, launch, open, plainText, push, screen, shot, UI } from "./harness.mjs";

before(launch);
after(close);

const base = (opts) => [f.hello(opts), f.scale(true), f.sync("online"), f.attract()];

test("consent: confirm only when every purpose is answered; exactly the granted ids are sent", async () => {
  const { page, errors } = await open({ replay: base({ demo: false }) });
  await push(page, f.consent());
  await screen(page, "consent");
  const confirm = page.locator('[data-testid="consent-confirm"]');
  const purposes = page.locator('[data-testid="purpose"]');
  assert.equal(await page.locator('[aria-pressed="true"]').filter({ hasNot: page.locator("[data-lang]") }).count(), 1, "only the language button is pressed: nothing pre-selected");
  assert.equal(await page.locator('.purpose [aria-pressed="true"]').count(), 0);
  assert.ok(await confirm.isDisabled());
  // Required and optional purposes say what refusing means.
  assert.ok((await plainText(page, '[data-purpose="measure"]')).includes("測定はできません"));
  assert.ok((await plainText(page, '[data-purpose="points"]')).includes("測定はできます"));
  await purposes.nth(0).locator('[data-choice="agree"]').click();
  await purposes.nth(1).locator('[data-choice="agree"]').click();
  assert.ok(await confirm.isDisabled(), "one purpose still open");
  assert.ok((await plainText(page, '[data-testid="consent-remaining"]')).includes("1"));
  // Clicking the disabled button sends nothing.
  await clearCalls(page);
  await confirm.click({ force: true });
  assert.deepEqual(await calls(page), []);
  await purposes.nth(2).locator('[data-choice="disagree"]').click();
  // A change of mind: points from agree to disagree, statistics from disagree to agree.
  await purposes.nth(1).locator('[data-choice="disagree"]').click();
  await purposes.nth(2).locator('[data-choice="agree"]').click();
  assert.equal(await purposes.nth(1).locator('[data-choice="agree"]').getAttribute("aria-pressed"), "false");
  assert.ok(await confirm.isEnabled());
  await confirm.click();
  assert.deepEqual(await calls(page), [
    { cmd: "answer", args: { answer: { answer: "consent", session: f.SESSION, granted: ["measure", "statistics"] } } },
  ]);
  // Refusing everything sends an empty list (the runtime decides what that means).
  await push(page, f.consent(f.SESSION + 1));
  await page.waitForFunction(() => document.querySelectorAll('.purpose [aria-pressed="true"]').length === 0);
  for (let i = 0; i < 3; i++) await purposes.nth(i).locator('[data-choice="disagree"]').click();
  await clearCalls(page);
  await confirm.click();
  assert.deepEqual(await calls(page), [
    { cmd: "answer", args: { answer: { answer: "consent", session: f.SESSION + 1, granted: [] } } },
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("idle warning: countdown, 続ける sends continue and hides it; remaining null hides it", async () => {
  for (const lang of ["ja", "en"]) {
    const { page } = await open({ replay: base({ language: lang, demo: false }) });
    await push(page, f.safety(), f.idle(20000));
    await page.waitForSelector('[data-testid="idle-warning"]');
    const first = await page.locator('[data-testid="idle-countdown"]').innerText();
    assert.ok(first.includes("20"), first);
    await shot(page, `${lang}-50-idle-warning`);
    await page.waitForTimeout(1300);
    const later = await page.locator('[data-testid="idle-countdown"]').innerText();
    assert.ok(later.includes("19") || later.includes("18"), `counts down: ${later}`);
    const button = page.locator('[data-testid="idle-continue"]');
    assert.equal((await button.innerText()).trim(), lang === "ja" ? "続ける" : "Continue");
    const box = await button.boundingBox();
    assert.ok(box.height >= 96 && box.width >= 300, "a large button");
    await clearCalls(page);
    await button.click();
    assert.deepEqual(await calls(page), [{ cmd: "answer", args: { answer: { answer: "continue" } } }]);
    await page.waitForSelector('[data-testid="idle-warning"]', { state: "detached" });
    // A warning for another session is not shown; one then cancelled by the runtime goes away.
    await push(page, f.idle(20000, f.SESSION + 9));
    await page.waitForTimeout(100);
    assert.equal(await page.locator('[data-testid="idle-warning"]').count(), 0);
    await push(page, f.idle(15000));
    await page.waitForSelector('[data-testid="idle-warning"]');
    await push(page, f.idle(null));
    await page.waitForSelector('[data-testid="idle-warning"]', { state: "detached" });
    await page.close();
  }
});

test("the wipe: after Ended and Attract nothing personal is left in the DOM or the JS state", async () => {
  const { page, consoleLines, requests } = await open({ replay: base({ demo: false }) });
  const url = page.url();
  await push(page, f.identifying(), f.consent());
  await screen(page, "consent");
  await page.locator('[data-purpose="measure"] [data-choice="agree"]').click();
  await page.locator('[data-testid="lang-toggle"] [data-lang="en"]').click();
  await page.waitForFunction((m) => document.body.textContent.includes(m), f.CONSENT_MARKER_EN);
  await push(page, f.safety(), f.guidance("step_on"), f.results({ status: "awarded", earned: 10, balance: 250 }));
  await screen(page, "results");
  await push(page, f.idle(20000));
  await page.waitForSelector('[data-testid="idle-warning"]');
  const during = await page.evaluate(() => window.__hakaruState());
  assert.ok(during.includes(f.PARTICIPANT) && during.includes(String(f.WEIGHT)), "the state probe sees personal values while shown");
  await push(page, f.ended("idle_timeout"));
  await screen(page, "ended");
  await push(page, f.attract());
  await screen(page, "attract");
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  const state = await page.evaluate(() => window.__hakaruState());
  for (const personal of [
    f.PARTICIPANT,
    String(f.WEIGHT),
    String(f.FAT),
    "1432",
    "250",
    f.CONSENT_MARKER_JA,
    f.CONSENT_MARKER_EN,
    f.PURPOSE_LABEL_MARKER,
    "measure",
    "statistics",
  ]) {
    assert.ok(!html.includes(personal), `DOM still holds ${personal}`);
    assert.ok(!state.includes(personal), `JS state still holds ${personal}`);
  }
  const s = JSON.parse(state);
  assert.deepEqual(s.choices, {});
  assert.equal(s.idle, null);
  assert.deepEqual(s.screen, { screen: "attract" });
  assert.equal(s.lang, "ja", "the next person starts in the configured language");
  assert.equal(await page.locator('[data-testid="idle-warning"]').count(), 0);
  const storage = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie, location.href]);
  assert.deepEqual(storage, [0, 0, "", url]);
  assert.ok(!consoleLines.join("\n").includes(f.PARTICIPANT), "nothing personal in the console");
  assert.ok(!requests.some((r) => r.includes(f.PARTICIPANT)), "nothing personal in a URL");
  await page.close();
});

test("language: the toggle switches copy and documents; every session starts in KioskInfo.language", async () => {
  const { page } = await open({ replay: base({ language: "en", demo: false }) });
  await screen(page, "attract");
  assert.equal(await plainText(page, "h1"), "Please hold up your card");
  await page.locator('[data-lang="ja"]').click();
  assert.equal(await plainText(page, "h1"), "カードをかざしてください");
  assert.equal(await page.locator('[data-lang="ja"]').getAttribute("aria-pressed"), "true");
  // A language chosen on the attract screen carries into the session it starts.
  await push(page, f.consent());
  await screen(page, "consent");
  assert.ok((await plainText(page, ".main")).includes(f.CONSENT_MARKER_JA));
  await page.locator('[data-lang="en"]').click();
  const text = await plainText(page, ".main");
  assert.ok(text.includes(f.CONSENT_MARKER_EN) && !text.includes(f.CONSENT_MARKER_JA));
  assert.ok(text.includes(f.PURPOSE_LABEL_MARKER), "purpose labels in English");
  await page.locator('[data-lang="ja"]').click();
  await push(page, f.ended("stopped"), f.attract());
  await screen(page, "attract");
  assert.equal(await plainText(page, "h1"), "Please hold up your card", "back to the configured language");
  await page.close();
});

test("keyboard wedge: every keydown goes to wedge_key with code, shift and time; Enter presses nothing", async () => {
  const { page } = await open({ replay: base({ demo: false }) });
  await push(page, f.safety());
  await screen(page, "safety");
  await page.locator('[data-testid="safety-yes"]').focus();
  await clearCalls(page);
  await page.keyboard.press("KeyH");
  await page.keyboard.press("Shift+KeyK");
  await page.keyboard.press("Digit4");
  await page.keyboard.press("Enter");
  const c = await calls(page);
  assert.deepEqual(
    c.map((x) => x.cmd),
    ["wedge_key", "wedge_key", "wedge_key", "wedge_key", "wedge_key"],
    "Shift itself is a keydown too",
  );
  const keys = c.map((x) => x.args.key);
  assert.deepEqual(
    keys.map((k) => [k.code, k.shift]),
    [
      ["KeyH", false],
      ["ShiftLeft", true],
      ["KeyK", true],
      ["Digit4", false],
      ["Enter", false],
    ],
  );
  for (const k of keys) assert.ok(typeof k.at_ms === "number" && k.at_ms > 0);
  assert.ok(keys.every((k, i) => i === 0 || k.at_ms >= keys[i - 1].at_ms), "times in order");
  assert.ok(!c.some((x) => x.cmd === "answer"), "a scanned Enter must not answer the question");
  await page.close();
});

test("context menu is blocked; text cannot be selected", async () => {
  const { page } = await open({ replay: base({ demo: false }) });
  await screen(page, "attract");
  const prevented = await page.evaluate(() => {
    const e = new MouseEvent("contextmenu", { bubbles: true, cancelable: true });
    return !document.querySelector("h1").dispatchEvent(e);
  });
  assert.equal(prevented, true);
  const userSelect = await page.evaluate(() => getComputedStyle(document.body).userSelect);
  assert.equal(userSelect, "none");
  await page.close();
});

test("toasts: a refused card and a failed command, in words", async () => {
  const { page } = await open({
    replay: base({ demo: true }),
    setup: { errors: { demo_scan: { code: "no_such_card", detail: "index 7 of 3" } } },
  });
  await screen(page, "attract");
  await push(page, f.notice("card_revoked"));
  await page.waitForSelector('[data-testid="toast"]');
  assert.ok((await plainText(page, '[data-testid="toast"]')).includes("このカードは使えません"));
  await shot(page, "ja-60-toast-card-refused");
  await page.locator(".demo-card").first().click();
  await page.waitForFunction(() => document.querySelector('[data-testid="toast"]')?.textContent.includes("デモ用カードはありません"));
  const text = await plainText(page, '[data-testid="toast"]');
  assert.ok(!text.includes("index 7"), "the detail is not shown");
  await push(page, f.notice("scale_message", "E2"));
  await page.waitForFunction(() => document.querySelector('[data-testid="toast"]')?.textContent.includes("E2"));
  await page.close();
});

test("speech: the prompt for the screen, stopped on change, volume back to default on attract", async () => {
  const format = existsSync(join(UI, "public/voice/manifest.json"))
    ? JSON.parse(readFileSync(join(UI, "public/voice/manifest.json"), "utf8")).format
    : null;
  const { page, errors, requests } = await open({ replay: base({ demo: false }) });
  await screen(page, "attract");
  const voice = () => page.evaluate(() => window.__hakaruVoice());
  const volume = () => page.evaluate(() => document.getElementById("voice").volume);
  assert.equal(await page.locator("audio").count(), 1, "one audio element");
  if (format) {
    // The prompt starts in an effect after the paint: wait for it (a loaded machine is slow).
    const playing = (v) => page.waitForFunction((v) => window.__hakaruVoice() === v, v, { timeout: 5000 });
    await playing(`voice/ja/attract.${format}`);
    await push(page, f.safety());
    await screen(page, "safety");
    await playing(`voice/ja/safety.${format}`);
    await page.locator('[data-lang="en"]').click();
    await playing(`voice/en/safety.${format}`);
    for (let i = 0; i < 50 && !requests.includes(`/voice/en/safety.${format}`); i++) await page.waitForTimeout(100);
    assert.ok(requests.includes(`/voice/en/safety.${format}`));
  } else {
    // No manifest: nothing is played and nothing fails.
    assert.equal(await voice(), null);
    await push(page, f.safety());
    await screen(page, "safety");
    assert.equal(await voice(), null);
    assert.ok(!requests.some((r) => r.startsWith("/voice/")));
  }
  const before = await volume();
  await page.locator("button.btn-small").nth(1).click();
  await page.waitForFunction((v) => document.getElementById("voice").volume > v, before);
  await push(page, f.ended("stopped"), f.attract());
  await screen(page, "attract");
  await page.waitForFunction((v) => Math.abs(document.getElementById("voice").volume - v) < 1e-6, before);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the production build: boots under the CSP, calls painted once, has no test hooks", async () => {
  execFileSync("npx", ["vite", "build", "--logLevel", "error"], { cwd: UI, stdio: "inherit" });
  const js = readdirSync(join(UI, "dist/assets")).filter((n) => n.endsWith(".js"));
  for (const n of js) assert.ok(!readFileSync(join(UI, "dist/assets", n), "utf8").includes("__hakaruState"));
  const { page, errors } = await open({ dist: "dist", replay: base({ demo: false }) });
  await screen(page, "attract");
  await page.waitForFunction(() => window.__kiosk.calls.some((c) => c.cmd === "painted"));
  await page.waitForTimeout(200);
  const c = await calls(page, { all: true });
  assert.equal(c.filter((x) => x.cmd === "painted").length, 1);
  assert.equal(c.filter((x) => x.cmd === "subscribe").length, 1);
  assert.equal(await page.evaluate(() => typeof window.__hakaruState), "undefined");
  assert.deepEqual(errors, [], "no CSP violation or error");
  await page.close();
});

test("a withdrawn or stopped participant is told what it means, in Japanese (with furigana) and in English, and hears it", async () => {
  const format = existsSync(join(UI, "public/voice/manifest.json"))
    ? JSON.parse(readFileSync(join(UI, "public/voice/manifest.json"), "utf8")).format
    : null;
  const expected = {
    consent_withdrawn: {
      ja: ["同意を取り消されたため、測定結果は記録されません。", "これまでの記録の扱いや、再び参加したいときは、窓口（係員）にお申し出ください。"],
      en: ["You have withdrawn your consent", "No measurement will be recorded", "to join again, please speak to the staff at the desk"],
    },
    use_stopped: {
      ja: ["利用停止のお申し出により、測定結果は記録されません。", "再び利用したいときは、窓口（係員）にお申し出ください。"],
      en: ["You asked us to stop using your data", "No measurement will be recorded", "to use the service again, please speak to the staff at the desk"],
    },
  };
  for (const [reason, words] of Object.entries(expected)) {
    for (const lang of ["ja", "en"]) {
      const { page, errors } = await open({ replay: [f.hello({ language: lang, demo: false }), f.scale(true), f.sync("online"), f.attract()] });
      await push(page, f.ended(reason));
      await screen(page, "ended", `[data-reason="${reason}"]`);
      const text = await plainText(page, ".main");
      for (const w of words[lang]) assert.ok(text.includes(w), `${reason} ${lang}: "${w}" in "${text}"`);
      if (lang === "ja") {
        assert.ok((await page.locator(".main ruby").count()) >= 5, `${reason}: furigana on the Japanese words`);
        assert.ok((await plainText(page, ".main rt") ?? "").length > 0);
      } else {
        assert.equal(await page.locator("ruby").count(), 0);
      }
      // Not a fault: no warning mark, nothing personal on screen.
      assert.equal(await page.locator(".ended-mark-staff").count(), 0);
      assert.equal(await page.locator('[data-testid="purpose-notice"]').isVisible(), false);
      if (format) {
        await page.waitForFunction((v) => window.__hakaruVoice() === v, `voice/${lang}/${reason}.${format}`, { timeout: 5000 });
      }
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
});
