// The UI test harness: Debian's chromium through playwright-core, the BUILT UI served through
// page.route with the Tauri CSP, Tauri's IPC mocked by @tauri-apps/api/mocks, and a scripted
// fake kiosk in the page that answers commands and pushes KioskEvents through the Channel the
// UI subscribed with (for the staff window, staff.html: a fake staff desk answering the staff_*
// commands and pushing StaffEvents). Also the in-page audits (text size, contrast, touch targets).

import { chromium } from "playwright-core";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const UI = resolve(HERE, "..");
export const SHOTS = resolve(UI, "../target/ui-screenshots");
const ORIGIN = "http://kiosk.test";

/** The CSP the Tauri shell sets (src-tauri/tauri.conf.json), so the tests meet the same rules. */
function csp() {
  const conf = resolve(UI, "../src-tauri/tauri.conf.json");
  let policy = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "media-src": "'self'",
    "connect-src": "ipc: http://ipc.localhost",
    "object-src": "'none'",
  };
  if (existsSync(conf)) {
    const c = JSON.parse(readFileSync(conf, "utf8"))?.app?.security?.csp;
    if (c && typeof c === "object") policy = c;
    else if (typeof c === "string") return c;
  }
  return Object.entries(policy)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ");
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".mp3": "audio/mpeg",
  ".png": "image/png",
};

/** The mocks module's source as a classic script (its final `export {...}` line removed). */
function mocksSource() {
  const src = readFileSync(resolve(UI, "node_modules/@tauri-apps/api/mocks.js"), "utf8");
  return src.replace(/^export \{[^}]*\};?\s*$/m, "");
}

/** The fake kiosk, run in the page before the app: answers commands like the runtime would. */
function fakeKiosk() {
  const k = {
    channel: null,
    index: 0,
    calls: [],
    replay: [],
    errors: {},
    /** When true, answers move the flow on like the runtime does. */
    scripted: true,
    session: 41,
    participant: "HK-0000",
    finishReason: "finished",
    push(ev) {
      if (!k.channel) throw new Error("nobody subscribed");
      window.__TAURI_INTERNALS__.runCallback(k.channel.id, { index: k.index++, message: ev });
    },
    screen(s) {
      k.push({ kind: "screen", ...s });
    },
  };
  window.__kiosk = k;
  // eslint-disable-next-line no-undef
  mockIPC((cmd, args) => {
    k.calls.push({ cmd, args: cmd === "subscribe" ? { onEvent: typeof args.onEvent } : JSON.parse(JSON.stringify(args ?? {})) });
    if (k.errors[cmd]) throw k.errors[cmd];
    const sess = { session: k.session, participant: k.participant };
    switch (cmd) {
      case "subscribe":
        k.channel = args.onEvent;
        setTimeout(() => k.replay.forEach((ev) => k.push(ev)), 0);
        return null;
      case "demo_scan":
        if (!k.scripted) return null;
        k.screen({ screen: "identifying", ...sess });
        return null;
      case "answer": {
        if (!k.scripted) return null;
        const a = args.answer;
        if (a.answer === "consent") {
          k.screen({ screen: "saving_consent", ...sess });
        } else if (a.answer === "safety") {
          k.screen({ screen: "guidance", ...sess, step: "preparing", weight_only: a.implanted_device });
        } else if (a.answer === "continue") {
          k.push({ kind: "idle", session: k.session, remaining_ms: null });
        } else if (a.answer === "finish") {
          k.screen({ screen: "ended", reason: k.finishReason, scale_code: null });
        }
        return null;
      }
      case "demo_step_on":
        if (!k.scripted) return null;
        k.screen({ screen: "guidance", ...sess, step: "saving", weight_only: false });
        return null;
      default:
        return null;
    }
  });
}

/**
 * The fake staff desk, run in the staff window before the app: records every command, answers
 * from `replies` (cmd → value) or throws from `errors` (cmd → CommandError), and like the runtime
 * pushes Session on sign-in and SignedOut + Session(None) on sign-out. `replay` goes first.
 */
function fakeStaff() {
  const d = {
    channel: null,
    index: 0,
    calls: [],
    replay: [],
    replies: {},
    errors: {},
    session: null,
    printed: 0,
    /** A StaffEvent exactly as the runtime serialises it: adjacently tagged, `{kind, data}`. */
    push(ev) {
      const keys = ev && typeof ev === "object" ? Object.keys(ev).sort().join() : "";
      if (keys !== "data,kind" || typeof ev.kind !== "string") {
        throw new Error(`not a StaffEvent as the runtime sends it ({kind, data}): ${JSON.stringify(ev)}`);
      }
      d.pushRaw(ev);
    },
    /** Anything through the channel (only to prove other shapes are ignored). */
    pushRaw(ev) {
      if (!d.channel) throw new Error("nobody subscribed");
      window.__TAURI_INTERNALS__.runCallback(d.channel.id, { index: d.index++, message: ev });
    },
  };
  window.__staff = d;
  // The print dialog cannot open in a headless page: count the calls instead.
  window.print = () => {
    d.printed++;
  };
  // eslint-disable-next-line no-undef
  mockIPC((cmd, args) => {
    d.calls.push({ cmd, args: cmd === "staff_subscribe" ? { onEvent: typeof args.onEvent } : JSON.parse(JSON.stringify(args ?? {})) });
    if (d.errors[cmd]) throw d.errors[cmd];
    switch (cmd) {
      case "staff_subscribe":
        d.channel = args.onEvent;
        setTimeout(() => d.replay.forEach((ev) => d.push(ev)), 0);
        return null;
      case "staff_sign_in":
        if (d.session) setTimeout(() => d.push({ kind: "session", data: d.session }), 0);
        return null;
      case "staff_sign_out":
        setTimeout(() => {
          d.push({ kind: "signed_out", data: { reason: "by_user" } });
          d.push({ kind: "session", data: null });
        }, 0);
        return null;
      default:
        return cmd in d.replies ? d.replies[cmd] : null;
    }
  });
}

let browser = null;

/** One chromium for the whole test file. */
export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      "--font-render-hinting=none",
    ],
  });
  mkdirSync(SHOTS, { recursive: true });
  return browser;
}

export async function close() {
  await browser?.close();
  browser = null;
}

/**
 * A page with the UI from `dist` (default: the test build), the mocked IPC and the fake kiosk.
 * `replay` is what subscribe sends first; `setup` sets fake-kiosk fields (consent, results, …).
 */
export async function open({ dist = "dist-test", replay = [], setup = {}, viewport = { width: 1280, height: 800 }, path = "/" } = {}) {
  const root = resolve(UI, dist);
  if (!existsSync(join(root, "index.html"))) throw new Error(`${root} is not built (npm run build:test)`);
  // A Japanese station's locale (the date fields are plain text: their order does not depend on it).
  const page = await browser.newPage({ viewport, ...(path === "/staff.html" ? { locale: "ja-JP" } : {}) });
  const errors = [];
  const consoleLines = [];
  const requests = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    consoleLines.push(m.text());
    if (m.type() === "error") errors.push(m.text());
  });
  const policy = csp();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    requests.push(url.pathname);
    const rel = url.pathname === "/" ? "/index.html" : decodeURIComponent(url.pathname);
    const file = join(root, rel);
    if (!file.startsWith(root) || !existsSync(file)) return route.fulfill({ status: 404, body: "" });
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream" };
    if (extname(file) === ".html") headers["content-security-policy"] = policy;
    return route.fulfill({ status: 200, headers, body: readFileSync(file) });
  });
  if (path === "/staff.html") {
    await page.addInitScript(`${mocksSource()}\n(${fakeStaff.toString()})();\nObject.assign(window.__staff, ${JSON.stringify({ replay, ...setup })});`);
  } else {
    await page.addInitScript(`${mocksSource()}\n(${fakeKiosk.toString()})();\nObject.assign(window.__kiosk, ${JSON.stringify({ replay, ...setup })});`);
  }
  await page.goto(`${ORIGIN}${path}`);
  return { page, errors, consoleLines, requests };
}

/** Push KioskEvents through the subscribed Channel, in order. */
export async function push(page, ...events) {
  await page.waitForFunction(() => window.__kiosk?.channel !== null);
  await page.evaluate((evs) => evs.forEach((e) => window.__kiosk.push(e)), events);
}

/** The commands the UI invoked so far (excluding `subscribe` and `painted` unless asked). */
export async function calls(page, { all = false } = {}) {
  const c = await page.evaluate(() => window.__kiosk.calls);
  return all ? c : c.filter((x) => x.cmd !== "subscribe" && x.cmd !== "painted");
}

export async function clearCalls(page) {
  await page.evaluate(() => {
    window.__kiosk.calls.length = 0;
  });
}

/** The staff window (staff.html) with the fake staff desk; `setup.session` is who signs in. */
export function openStaff(opts = {}) {
  return open({ ...opts, path: "/staff.html" });
}

/** Push StaffEvents (`{kind, data}`, as the runtime sends them) through the staff window's Channel, in order. */
export async function pushStaff(page, ...events) {
  await page.waitForFunction(() => window.__staff?.channel !== null);
  await page.evaluate((evs) => evs.forEach((e) => window.__staff.push(e)), events);
}

/** Push anything through the staff window's Channel (to prove what is not a StaffEvent is ignored). */
export async function pushStaffRaw(page, ...messages) {
  await page.waitForFunction(() => window.__staff?.channel !== null);
  await page.evaluate((evs) => evs.forEach((e) => window.__staff.pushRaw(e)), messages);
}

/** The staff commands the UI invoked so far (without `staff_subscribe`, and `staff_touch` unless asked). */
export async function staffCalls(page, { touches = false } = {}) {
  const c = await page.evaluate(() => window.__staff.calls);
  return c.filter((x) => x.cmd !== "staff_subscribe" && (touches || x.cmd !== "staff_touch"));
}

export async function clearStaffCalls(page) {
  await page.evaluate(() => {
    window.__staff.calls.length = 0;
  });
}

/** Wait for a screen (data-screen) to be shown. */
export async function screen(page, name, extra = "") {
  await page.waitForSelector(`[data-screen="${name}"]${extra}`, { timeout: 5000 });
}

/** Save a screenshot to target/ui-screenshots/<name>.png (after the next paint). */
export async function shot(page, name) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Scroll the main area to its end (long screens), for a second screenshot. */
export async function scrollMain(page, to = "end") {
  await page.evaluate((to) => {
    const m = document.querySelector(".main");
    m.scrollTop = to === "end" ? m.scrollHeight : 0;
  }, to);
}

/**
 * The in-page audit of what is visible now: every element with its own text (and SVG text)
 * must be ≥ 24 px (furigana <rt>/<rp> excepted) with contrast ≥ 4.5:1 against its effective
 * background; every button ≥ 44×44 px. Returns the violations (empty = pass) and counts.
 */
export async function audit(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const blend = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const lum = (c) => {
      const f = (v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const ratio = (a, b) => {
      const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg && bg.a > 0) {
          layers.push(bg);
          if (bg.a >= 1) break;
        }
      }
      let c = { r: 255, g: 255, b: 255, a: 1 };
      for (let i = layers.length - 1; i >= 0; i--) c = blend(layers[i], c);
      return c;
    };
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      const s = getComputedStyle(el);
      if (s.visibility !== "visible" || s.display === "none" || Number(s.opacity) === 0) return false;
      return el.closest("[hidden]") === null;
    };
    const out = { violations: [], texts: 0, buttons: 0, minFont: Infinity, minContrast: Infinity, minTarget: Infinity };
    const all = document.querySelectorAll("body *");
    for (const el of all) {
      if (["SCRIPT", "STYLE", "AUDIO"].includes(el.tagName)) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
      if (!own || !visible(el)) continue;
      const s = getComputedStyle(el);
      const isSvg = el instanceof SVGElement;
      const size = parseFloat(s.fontSize);
      const label = `${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""} "${el.textContent.trim().slice(0, 30)}"`;
      out.texts++;
      if (!["RT", "RP"].includes(el.tagName)) {
        out.minFont = Math.min(out.minFont, size);
        if (size < 24) out.violations.push(`font ${size}px: ${label}`);
      }
      const fg = parse(isSvg ? s.fill : s.color);
      if (!fg) {
        out.violations.push(`no colour: ${label}`);
        continue;
      }
      const bg = background(el);
      const c = ratio(fg.a < 1 ? blend(fg, bg) : fg, bg);
      out.minContrast = Math.min(out.minContrast, c);
      if (c < 4.5) out.violations.push(`contrast ${c.toFixed(2)}: ${label}`);
    }
    for (const b of document.querySelectorAll("button")) {
      if (!visible(b)) continue;
      const r = b.getBoundingClientRect();
      out.buttons++;
      out.minTarget = Math.min(out.minTarget, r.width, r.height);
      if (r.width < 44 || r.height < 44) out.violations.push(`target ${r.width}x${r.height}: ${b.textContent.trim()}`);
    }
    return out;
  });
}

/** The visible text of `selector` as a reader reads it: furigana (<rt>, <rp>) left out. */
export async function plainText(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const c = el.cloneNode(true);
    c.querySelectorAll("rt, rp").forEach((r) => r.remove());
    return c.textContent;
  }, selector);
}
