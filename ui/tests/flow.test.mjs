// The participant's whole flow, in Japanese and in English: every screen and transition, a
// screenshot of each (target/ui-screenshots/), and the audit (text ≥ 24 px, contrast ≥ 4.5:1,
// targets ≥ 44 px, furigana in Japanese) on every screen.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as f from "./fixtures.mjs";
import { audit, calls, clearCalls, close, launch, open, plainText, push, screen, scrollMain, shot } from "./harness.mjs";

before(launch);
after(close);

const TITLES = {
  ja: { attract: "カードをかざしてください", results: "測定結果", thanks: "ありがとうございました", step: "靴と靴下を脱いでください" },
  en: { attract: "Please hold up your card", results: "Your results", thanks: "Thank you", step: "Take off your shoes and socks." },
};

/** Screenshot, then the audit; in Japanese, furigana where `ruby` is expected. */
async function check(page, lang, name, { ruby = false } = {}) {
  await shot(page, `${lang}-${name}`);
  const a = await audit(page);
  assert.deepEqual(a.violations, [], `${lang}-${name}: ${a.violations.join("; ")}`);
  assert.ok(a.texts > 0 && a.buttons > 0, `${lang}-${name}: something to read and press`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
  const rubies = await page.locator(".main ruby").count();
  if (lang === "ja" && ruby) assert.ok(rubies > 0, `${name}: furigana on the Japanese copy`);
  if (lang === "en") assert.equal(await page.locator("ruby").count(), 0, `${name}: no furigana in English`);
}

async function purposeNotice(page) {
  return page.locator('[data-testid="purpose-notice"]').isVisible();
}

for (const lang of ["ja", "en"]) {
  describe(`the flow in ${lang}`, () => {
    test("attract → identifying → consent → saving → safety → guidance → results → ended → attract", async () => {
      const { page, errors } = await open({
        replay: [f.hello({ language: lang }), f.scale(true), f.sync("online"), f.camera("running"), f.attract()],
        setup: { participant: f.PARTICIPANT, session: f.SESSION },
      });
      const t = TITLES[lang];

      // Attract, with the camera preview and the demo panel; nothing personal, no purpose notice.
      await screen(page, "attract");
      assert.equal(await plainText(page, "h1"), t.attract);
      assert.equal(await purposeNotice(page), false);
      await push(page, f.preview());
      await page.waitForSelector('[data-testid="camera-preview"] img[src^="data:image/png"]');
      assert.equal(await page.locator(".demo-card").count(), 3);
      await check(page, lang, "01-attract");
      // The printable sheet's place, behind a disclosure: file name and folder, inside the panel.
      const sheet = page.locator('[data-testid="demo-sheet"]');
      assert.equal(await sheet.locator(".demo-sheet-file").isVisible(), false);
      const summary = await sheet.locator("summary").boundingBox();
      assert.ok(summary.height >= 64, `summary is a touch target (${summary.height})`);
      await sheet.locator("summary").click();
      assert.equal(await sheet.locator(".demo-sheet-file").innerText(), "demo-cards.pdf");
      assert.equal(await sheet.locator(".demo-sheet-folder").innerText(), "/home/demo/.local/share/hakaru/");
      const fits = await page.evaluate(() => {
        const panel = document.querySelector('[data-testid="demo-panel"]').getBoundingClientRect();
        const body = document.querySelector(".demo-sheet-body").getBoundingClientRect();
        const main = document.querySelector(".main");
        return body.left >= panel.left && body.right <= panel.right && body.top >= panel.top && main.scrollHeight <= main.clientHeight;
      });
      assert.ok(fits, "the sheet's place shows within the panel and nothing scrolls");
      await check(page, lang, "01b-attract-sheet");
      await sheet.locator("summary").click();
      assert.equal(await sheet.locator(".demo-sheet-file").isVisible(), false);
      const painted = (await calls(page, { all: true })).filter((c) => c.cmd === "painted");
      assert.equal(painted.length, 1, "painted() once after the first screen");

      // A demo card is "scanned".
      await clearCalls(page);
      await page.locator(".demo-card").nth(1).click();
      assert.deepEqual(await calls(page), [{ cmd: "demo_scan", args: { index: 1 } }]);
      await screen(page, "identifying");
      assert.equal(await page.locator(".participant-number").innerText(), f.PARTICIPANT);
      assert.equal(await purposeNotice(page), true, "purpose notice with personal data");
      assert.equal(await page.locator('[data-testid="camera-preview"]').count(), 0);
      await check(page, lang, "02-identifying", { ruby: true });

      // Consent: the documents in this language, every purpose its own choice.
      await push(page, f.consent());
      await screen(page, "consent");
      const docs = await page.locator('[data-testid="consent-document"]').allInnerTexts();
      assert.equal(docs.length, 2);
      const marker = lang === "ja" ? f.CONSENT_MARKER_JA : f.CONSENT_MARKER_EN;
      const other = lang === "ja" ? f.CONSENT_MARKER_EN : f.CONSENT_MARKER_JA;
      assert.ok(docs.join("").includes(marker) && !docs.join("").includes(other));
      const scrollable = await page.evaluate(() => {
        const d = document.querySelector(".document-text");
        return d.scrollHeight > d.clientHeight && getComputedStyle(d).overflowY === "auto";
      });
      assert.ok(scrollable, "the long document scrolls in its own area");
      assert.equal(await purposeNotice(page), true);
      await check(page, lang, "03-consent", { ruby: true });
      const purposes = page.locator('[data-testid="purpose"]');
      await purposes.nth(0).locator('[data-choice="agree"]').click();
      await purposes.nth(1).locator('[data-choice="disagree"]').click();
      await purposes.nth(2).locator('[data-choice="agree"]').click();
      await scrollMain(page, "end");
      await check(page, lang, "04-consent-answered", { ruby: true });
      await clearCalls(page);
      await page.locator('[data-testid="consent-confirm"]').click();
      assert.deepEqual(await calls(page), [
        { cmd: "answer", args: { answer: { answer: "consent", session: f.SESSION, granted: ["measure", "statistics"] } } },
      ]);
      await screen(page, "saving_consent");
      await check(page, lang, "05-saving-consent", { ruby: true });

      // Safety.
      await push(page, f.safety());
      await screen(page, "safety");
      await check(page, lang, "06-safety", { ruby: true });
      await clearCalls(page);
      await page.locator('[data-testid="safety-no"]').click();
      assert.deepEqual(await calls(page), [
        { cmd: "answer", args: { answer: { answer: "safety", session: f.SESSION, implanted_device: false } } },
      ]);

      // Guidance: preparing → step on (scale status live) → saving.
      await screen(page, "guidance", '[data-step="preparing"]');
      await check(page, lang, "07-guidance-preparing", { ruby: true });
      await push(page, f.guidance("step_on"));
      await screen(page, "guidance", '[data-step="step_on"]');
      assert.ok((await plainText(page, ".steps")).includes(t.step));
      assert.equal(await page.locator('[data-testid="weight-only"]').count(), 0);
      const connected = await page.locator('[data-testid="scale-status"]').innerText();
      await check(page, lang, "08-guidance-step-on", { ruby: true });
      await push(page, f.scale(false));
      await page.waitForSelector(".scale-lost");
      const lost = await page.locator('[data-testid="scale-status"]').innerText();
      assert.notEqual(lost, connected, "scale connection is live");
      assert.ok(lost.startsWith("✕"), "not connected is marked by a sign, not colour alone");
      await check(page, lang, "08b-guidance-scale-lost", { ruby: true });
      await push(page, f.scale(true));
      await page.waitForSelector(".scale-lost", { state: "detached" });
      await clearCalls(page);
      await page.locator('[data-testid="demo-step-on"]').click();
      assert.deepEqual(await calls(page), [{ cmd: "demo_step_on", args: {} }]);
      await screen(page, "guidance", '[data-step="saving"]');
      await check(page, lang, "09-guidance-saving", { ruby: true });

      // Results: values, bands in words, bars, trend, points.
      await push(page, f.results({ status: "waiting" }));
      await screen(page, "results");
      assert.equal(await plainText(page, "h1"), t.results);
      assert.equal(await page.locator('[data-testid="result-value"]').count(), 7);
      assert.equal(await page.locator('[data-testid="range-bar"]').count(), 4);
      const weight = await page.locator('[data-key="weight"] .value-number').innerText();
      assert.match(weight.replace(/\s+/g, ""), /^68\.4kg$/);
      const bmr = await page.locator('[data-key="bmr"] .value-number').innerText();
      assert.match(bmr.replace(/\s+/g, ""), /^1432kcal$/);
      const fatBand = await page.locator('[data-key="fat_percent"] [data-testid="band-word"]').innerText();
      assert.ok(fatBand.includes(lang === "ja" ? "高め" : "High"), fatBand);
      const current = await page.locator('[data-key="fat_percent"] .range-seg-current').innerText();
      assert.ok(current.startsWith("✓"), "the band is marked by a sign as well as a tint");
      assert.equal(await page.locator('[data-testid="trend-chart"] circle').count(), 6);
      assert.equal(await page.locator('[data-testid="points"]').getAttribute("data-status"), "waiting");
      assert.ok((await page.locator(".points-value").innerText()).includes("…"));
      await check(page, lang, "10-results", { ruby: true });
      await push(page, f.points({ status: "awarded", earned: 10, balance: 250 }, f.SESSION + 1));
      await push(page, f.points({ status: "awarded", earned: 10, balance: 250 }));
      await page.waitForSelector('[data-testid="points"][data-status="awarded"]');
      const pts = await page.locator(".points-value").innerText();
      assert.ok(pts.includes("+10") && pts.includes("250"), pts);
      await scrollMain(page, "end");
      await check(page, lang, "11-results-points-trend", { ruby: true });
      await push(page, f.points({ status: "later" }));
      await page.waitForSelector('[data-testid="points"][data-status="later"]');
      assert.ok((await page.locator(".points-value").innerText()).includes(lang === "ja" ? "ポイントは後で" : "added later"));

      // Finish → thank you → attract.
      await clearCalls(page);
      await page.locator('[data-testid="finish"]').click();
      assert.deepEqual(await calls(page), [{ cmd: "answer", args: { answer: { answer: "finish", session: f.SESSION } } }]);
      await screen(page, "ended", '[data-reason="finished"]');
      assert.equal(await plainText(page, "h1"), t.thanks);
      assert.equal(await purposeNotice(page), false);
      await check(page, lang, "12-ended-finished", { ruby: lang === "ja" });
      await push(page, f.attract());
      await screen(page, "attract");
      const html = await page.evaluate(() => document.documentElement.outerHTML);
      assert.ok(!html.includes(f.PARTICIPANT), "no participant number after attract");
      assert.deepEqual(errors, []);
      await page.close();
    });

    test("weight only, every ended reason, not configured", async () => {
      const { page, errors } = await open({
        replay: [f.hello({ language: lang, demo: false, camera: false }), f.scale(true), f.sync("offline", 3), f.attract()],
      });
      await screen(page, "attract");
      assert.equal(await page.locator('[data-testid="demo-panel"]').count(), 0);
      assert.equal(await page.locator('[data-testid="camera-preview"]').count(), 0);
      await check(page, lang, "20-attract-no-camera");

      await push(page, f.guidance("step_on", true));
      await screen(page, "guidance", '[data-step="step_on"]');
      assert.equal(await page.locator('[data-testid="weight-only"]').count(), 1);
      assert.equal(await page.locator('[data-testid="demo-step-on"]').count(), 0, "no demo button outside demo mode");
      await check(page, lang, "21-guidance-weight-only", { ruby: true });
      await push(page, f.results({ status: "later" }, { weight_only: true }));
      await screen(page, "results");
      assert.equal(await page.locator('[data-testid="result-value"]').count(), 1);
      assert.equal(await page.locator('[data-testid="points"]').getAttribute("data-status"), "later");
      await check(page, lang, "22-results-weight-only", { ruby: true });

      const reasons = [
        "finished",
        "stopped",
        "required_purpose_refused",
        "card_unknown",
        "lookup_failed",
        "no_documents_in_force",
        "consent_not_saved",
        "scale_not_ready",
        "scale_fault",
        "record_failed",
        "idle_timeout",
        "consent_withdrawn",
        "use_stopped",
      ];
      const titles = new Set();
      for (const reason of reasons) {
        await push(page, f.ended(reason, reason === "scale_fault" ? "E2" : null));
        await screen(page, "ended", `[data-reason="${reason}"]`);
        titles.add(await plainText(page, "h1"));
        const body = await plainText(page, ".main");
        if (["card_unknown", "lookup_failed", "scale_fault", "record_failed", "consent_not_saved"].includes(reason)) {
          assert.ok(body.includes(lang === "ja" ? "係員をお呼びください" : "Please call a staff member"), `${reason}: what to do`);
        }
        if (reason === "scale_fault") assert.ok(body.includes("E2"));
        if (["consent_withdrawn", "use_stopped"].includes(reason)) {
          assert.ok(body.includes(lang === "ja" ? "窓口（係員）にお申し出ください" : "speak to the staff at the desk"), `${reason}: what to do`);
        }
        await check(page, lang, `30-ended-${reason}`);
      }
      assert.equal(titles.size, reasons.length, "every reason has its own words");

      await push(page, f.notConfigured());
      await screen(page, "not_configured");
      const text = await plainText(page, ".main");
      assert.ok(text.includes("/home/kiosk/.config/hakaru/kiosk.toml"));
      assert.ok(text.includes(lang === "ja" ? "設定ファイルがありません" : "does not exist"));
      assert.ok(text.includes("kiosk.example.toml"));
      assert.equal(await purposeNotice(page), false);
      await check(page, lang, "40-not-configured", { ruby: true });
      assert.deepEqual(errors, []);
      await page.close();
    });
  });
}
