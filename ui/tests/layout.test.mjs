// The results screen's layout on the two screen sizes a kiosk has (1280×800, 1920×1080), in both
// languages: every value (name, number, band word, range bar) is on screen without scrolling
// with the usual seven values and with all nine a full reading has; the trend is reachable below;
// the audit holds. Screenshots: <lang>-13-results-<w>x<h>[-9].png.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as f from "./fixtures.mjs";
import { audit, close, launch, open, push, screen, scrollMain, shot } from "./harness.mjs";

before(launch);
after(close);

/** Each value card that is not wholly inside the main area's visible part (empty = all visible). */
async function cutOff(page) {
  return page.evaluate(() => {
    const main = document.querySelector(".main").getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="result-value"]')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top < main.top || r.bottom > main.bottom || r.left < main.left || r.right > main.right;
      })
      .map((el) => el.getAttribute("data-key"));
  });
}

/** Elements in the cards whose content is wider than their box (text cut off or spilling). */
async function overflowing(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="result-value"], [data-testid="result-value"] *')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== "visible")
      .map((el) => `${el.closest("[data-key]").getAttribute("data-key")} ${el.className}`),
  );
}

for (const lang of ["ja", "en"]) {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    for (const extra of [[], f.EXTRA_VALUES]) {
      const n = 7 + extra.length;
      test(`${lang} results at ${viewport.width}×${viewport.height}: all ${n} values without scrolling`, async () => {
        const { page, errors } = await open({
          viewport,
          replay: [f.hello({ language: lang }), f.scale(true), f.sync("online"), f.attract()],
        });
        await screen(page, "attract");
        await push(page, f.results({ status: "awarded", earned: 10, balance: 1250 }, { extra }));
        await screen(page, "results");
        assert.equal(await page.locator('[data-testid="result-value"]').count(), n);
        const name = `${lang}-13-results-${viewport.width}x${viewport.height}${n === 7 ? "" : `-${n}`}`;
        await shot(page, name);
        assert.deepEqual(await cutOff(page), [], `${name}: every value card fully on screen`);
        assert.deepEqual(await overflowing(page), [], `${name}: nothing cut off inside the cards`);
        const wrapped = await page.evaluate(() =>
          [...document.querySelectorAll(".value-ranged")]
            .filter((card) => {
              const bar = card.querySelector(".range-bar").getBoundingClientRect().height;
              const seg = parseFloat(getComputedStyle(card.querySelector(".range-seg")).lineHeight);
              const head = card.querySelector(".value-head").getBoundingClientRect().height;
              const number = card.querySelector(".value-number").getBoundingClientRect().height;
              return bar > seg * 1.6 || head > number * 1.5;
            })
            .map((card) => card.getAttribute("data-key")),
        );
        assert.deepEqual(wrapped, [], `${name}: band words and value heads each on one line`);
        const covered = await page.evaluate(() =>
          [...document.querySelectorAll(".range-seg-current")]
            .filter((seg) => {
              const r = document.createRange();
              r.selectNodeContents(seg);
              return r.getBoundingClientRect().width > seg.getBoundingClientRect().width - 2 * 6;
            })
            .map((seg) => seg.closest("[data-key]").getAttribute("data-key")),
        );
        assert.deepEqual(covered, [], `${name}: the current band's word clear of its outline`);
        const numbers = await page.evaluate(() =>
          [...document.querySelectorAll(".value-number .number")].map((e) => parseFloat(getComputedStyle(e).fontSize)),
        );
        assert.ok(Math.min(...numbers) >= 48, `${name}: numbers still large (${numbers})`);
        const head = await page.evaluate(() => {
          const h = document.querySelector(".screen-results h1").getBoundingClientRect();
          const p = document.querySelector('[data-testid="points"]').getBoundingClientRect();
          return { h: [h.top, h.bottom], p: [p.top, p.bottom] };
        });
        assert.ok(head.p[0] < head.h[1] && head.p[1] > head.h[0], `${name}: points beside the title`);
        const a = await audit(page);
        assert.deepEqual(a.violations, [], `${name}: ${a.violations.join("; ")}`);
        await scrollMain(page, "end");
        assert.equal(await page.locator('[data-testid="trend-chart"]').isVisible(), true);
        const a2 = await audit(page);
        assert.deepEqual(a2.violations, [], `${name} scrolled: ${a2.violations.join("; ")}`);
        await shot(page, `${name}-scrolled`);
        assert.deepEqual(errors, []);
        await page.close();
      });
    }
  }
}
