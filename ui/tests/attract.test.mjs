// The attract screen's text and demo panel: beside the demo panel (and the camera preview) the
// Japanese lead breaks only between phrases — after 「、」/「。」 — never inside a word, with its
// furigana intact; in demo mode an empty cards file and no sheet show no demo panel at all.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as f from "./fixtures.mjs";
import { close, launch, open, screen, shot } from "./harness.mjs";

before(launch);
after(close);

/** The character before each line break inside `selector` (furigana <rt>/<rp> left out), and the line count. */
async function breaks(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest("rt, rp") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.textContent.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        const rect = r.getBoundingClientRect();
        if (rect.width > 0) chars.push({ c: n.textContent[i], top: rect.top, h: rect.height });
      }
    }
    const before = [];
    let lines = chars.length ? 1 : 0;
    for (let i = 1; i < chars.length; i++) {
      if (chars[i].top > chars[i - 1].top + chars[i - 1].h / 2) {
        before.push(chars[i - 1].c);
        lines++;
      }
    }
    return { before, lines, text: chars.map((x) => x.c).join("") };
  }, selector);
}

for (const camera of [false, true]) {
  for (const width of [1280, 1024]) {
    test(`ja attract beside the demo panel (${camera ? "camera" : "card reader"}, ${width} px): the lead breaks after 「、」, not inside a word`, async () => {
      const { page, errors } = await open({
        viewport: { width, height: 800 },
        replay: [f.hello({ language: "ja", demo: true, camera }), f.scale(true), f.sync("online"), f.attract()],
      });
      await screen(page, "attract");
      await page.waitForSelector('[data-testid="demo-panel"]');
      const lead = await breaks(page, ".attract-main .lead");
      assert.ok(lead.text.endsWith("ください。"), lead.text);
      for (const c of lead.before) assert.ok("、。".includes(c), `a break after "${c}" inside a word: ${JSON.stringify(lead)}`);
      const style = await page.locator(".attract-main .lead").evaluate((el) => ({ wb: getComputedStyle(el).wordBreak, lb: getComputedStyle(el).lineBreak }));
      assert.deepEqual(style, { wb: "keep-all", lb: "strict" });
      // Nothing spills out of its column.
      const spill = await page.evaluate(() => {
        const lead = document.querySelector(".attract-main .lead");
        return lead.scrollWidth > lead.clientWidth + 1;
      });
      assert.equal(spill, false);
      await shot(page, `ja-01b-attract-demo-${camera ? "camera" : "reader"}-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}

test("ja attract without the demo panel: the whole hint on one line", async () => {
  const { page } = await open({ replay: [f.hello({ language: "ja", demo: false }), f.scale(true), f.sync("online"), f.attract()] });
  await screen(page, "attract");
  assert.equal(await page.locator('[data-testid="demo-panel"]').count(), 0);
  const lead = await breaks(page, ".attract-main .lead");
  assert.equal(lead.lines, 1, `without the panel the hint is one line: ${JSON.stringify(lead)}`);
  await page.close();
});

test("demo mode with an empty cards file and no sheet: no demo panel; with only a sheet: the panel with the sheet", async () => {
  const empty = { ...f.hello({ language: "ja", demo: true }), demo: { cards: [], sheet: null } };
  const { page, errors } = await open({ replay: [empty, f.scale(true), f.sync("online"), f.attract()] });
  await screen(page, "attract");
  await page.waitForSelector(".attract-title");
  assert.equal(await page.locator('[data-testid="demo-panel"]').count(), 0, "nothing to show, no panel");
  await page.close();

  const sheetOnly = { ...f.hello({ language: "ja", demo: true }), demo: { cards: [], sheet: "/home/demo/demo-cards.pdf" } };
  const second = await open({ replay: [sheetOnly, f.scale(true), f.sync("online"), f.attract()] });
  await screen(second.page, "attract");
  await second.page.waitForSelector('[data-testid="demo-panel"]');
  assert.equal(await second.page.locator(".demo-card").count(), 0);
  assert.equal(await second.page.locator('[data-testid="demo-sheet"]').count(), 1);
  assert.deepEqual([...errors, ...second.errors], []);
  await second.page.close();
});
