// Test data for the UI tests: KioskEvents as the runtime (kiosk/src/view.rs) sends them. The
// participant values are distinctive strings so the wipe test can search for them.

import zlib from "node:zlib";

export const PARTICIPANT = "HK-4821-0937";
export const SESSION = 41;
export const CONSENT_MARKER_JA = "第七条マーカー甲乙丙";
export const CONSENT_MARKER_EN = "ClauseMarkerQuokka";
export const PURPOSE_LABEL_MARKER = "PurposeMarkerWombat";
/** Values that appear nowhere else on any screen. */
export const WEIGHT = 68.4;
export const FAT = 27.3;

export function hello({ language = "ja", demo = true, camera = true } = {}) {
  return {
    kind: "hello",
    station: "kita-community-01",
    language,
    idle_warning_secs: 20,
    camera,
    demo: demo
      ? {
          cards: [
            { participant: "DEMO-0001", note: { ja: "はじめての方 (同意から)", en: "First visit (starts with consent)" } },
            { participant: "DEMO-0002", note: { ja: "ペースメーカーあり (体重のみ)", en: "Implanted device (weight only)" } },
            { participant: "DEMO-0003", note: { ja: "記録が多い方", en: "Many earlier readings" } },
          ],
          sheet: "/home/demo/.local/share/hakaru/demo-cards.pdf",
        }
      : null,
    version: "0.1.0",
  };
}

export const scale = (connected = true) => ({ kind: "scale", connected, model: "MC-780" });
export const sync = (state = "online", backlog = 0) => ({ kind: "sync", state, backlog, last_error: null });
export const camera = (state = "running") => ({ kind: "camera", state });
export const attract = () => ({ kind: "screen", screen: "attract" });

export const notConfigured = () => ({
  kind: "screen",
  screen: "not_configured",
  config_path: "/home/kiosk/.config/hakaru/kiosk.toml",
  problem: { ja: "設定ファイルがありません。", en: "The configuration file does not exist." },
  what_to_do: {
    ja: "kiosk.example.toml を上の場所にコピーし、station.id と scale.port を書いてください。",
    en: "Copy kiosk.example.toml to the path above and fill in station.id and scale.port.",
  },
});

export const identifying = (session = SESSION) => ({
  kind: "screen",
  screen: "identifying",
  session,
  participant: PARTICIPANT,
});

const paras = (marker, lang) =>
  Array.from({ length: 12 }, (_, i) =>
    lang === "ja"
      ? `第${i + 1}条 この事業では、測定した体組成のデータを健康ポイントの付与と、あなた自身の記録の表示のために使います。${i === 6 ? marker : ""}`
      : `Article ${i + 1}. This program uses your body-composition readings to award health points and to show you your own records.${i === 6 ? ` ${marker}` : ""}`,
  ).join("\n\n");

export const PURPOSES = [
  { id: "measure", required: true, label: { ja: "測定して、結果を記録する", en: "Measure you and record the results" } },
  {
    id: "points",
    required: false,
    label: { ja: "健康ポイントを付ける", en: `Award health points ${PURPOSE_LABEL_MARKER}` },
  },
  {
    id: "statistics",
    required: false,
    label: { ja: "名前を除いた統計に使う", en: "Use in statistics without your name" },
  },
];

export const consent = (session = SESSION) => ({
  kind: "screen",
  screen: "consent",
  session,
  participant: PARTICIPANT,
  documents: [
    { kind: "privacy_policy", version: "2026-04", language: "ja", text: paras(CONSENT_MARKER_JA, "ja") },
    { kind: "privacy_policy", version: "2026-04", language: "en", text: paras(CONSENT_MARKER_EN, "en") },
    { kind: "measurement_notice", version: "2026-01", language: "ja", text: "体組成計は微弱な電流を使います。\n\n痛みはありません。" },
    { kind: "measurement_notice", version: "2026-01", language: "en", text: "The scale uses a weak current.\n\nIt does not hurt." },
  ],
  purposes: PURPOSES,
  reasons: ["first_time"],
});

export const savingConsent = (session = SESSION) => ({
  kind: "screen",
  screen: "saving_consent",
  session,
  participant: PARTICIPANT,
});

export const safety = (session = SESSION) => ({ kind: "screen", screen: "safety", session, participant: PARTICIPANT });

export const guidance = (step, weight_only = false, session = SESSION) => ({
  kind: "screen",
  screen: "guidance",
  session,
  participant: PARTICIPANT,
  step,
  weight_only,
});

const range = (band, bounds, bands, source) => ({ band, bounds, bands, source });
const JASSO = { ja: "日本肥満学会「肥満症診療ガイドライン2022」", en: "Japan Society for the Study of Obesity, guideline 2022" };
const GALLAGHER = { ja: "Gallagher ほか (Am J Clin Nutr 2000)", en: "Gallagher et al., Am J Clin Nutr 2000" };
const TANITA = { ja: "タニタ公表の判定基準", en: "Tanita's published ranges" };

/** The two values a full body-composition reading has beyond the usual seven (no range). */
export const EXTRA_VALUES = [
  { key: "bone_mass", value: 2.9, unit: "kg", decimals: 1, range: null },
  { key: "metabolic_age", value: 58, unit: "", decimals: 0, range: null },
];

export const results = (points = { status: "waiting" }, { weight_only = false, session = SESSION, extra = [] } = {}) => ({
  kind: "screen",
  screen: "results",
  session,
  participant: PARTICIPANT,
  weight_only,
  values: weight_only
    ? [{ key: "weight", value: WEIGHT, unit: "kg", decimals: 1, range: null }]
    : [
        { key: "weight", value: WEIGHT, unit: "kg", decimals: 1, range: null },
        { key: "bmi", value: 24.1, unit: "", decimals: 1, range: range("standard", [18.5, 25, 30], ["low", "standard", "high", "very_high"], JASSO) },
        { key: "fat_percent", value: FAT, unit: "%", decimals: 1, range: range("high", [13, 25, 30], ["low", "standard", "high", "very_high"], GALLAGHER) },
        { key: "muscle_mass", value: 47.9, unit: "kg", decimals: 1, range: null },
        { key: "visceral_fat", value: 11.5, unit: "", decimals: 1, range: range("high", [10, 15], ["standard", "high", "very_high"], TANITA) },
        { key: "bmr", value: 1432, unit: "kcal", decimals: 0, range: null },
        { key: "body_water_percent", value: 52.6, unit: "%", decimals: 1, range: range("standard", [50, 65], ["low", "standard", "high"], TANITA) },
        ...extra,
      ],
  trend: [
    { day: "2026-05-12", weight: 70.2, fat_percent: 28.4 },
    { day: "2026-06-16", weight: 69.8, fat_percent: 28.1 },
    { day: "2026-07-14", weight: 69.5, fat_percent: null },
    { day: "2026-08-18", weight: 69.1, fat_percent: 27.9 },
    { day: "2026-09-15", weight: 68.9, fat_percent: 27.6 },
    { day: "2026-11-23", weight: WEIGHT, fat_percent: FAT },
  ],
  points,
});

export const points = (p, session = SESSION) => ({ kind: "points", session, points: p });
export const ended = (reason, scale_code = null) => ({ kind: "screen", screen: "ended", reason, scale_code });
export const idle = (remaining_ms, session = SESSION) => ({ kind: "idle", session, remaining_ms });
export const notice = (code, detail = null) => ({ kind: "notice", code, detail });

/** A camera preview frame: a 160×90 PNG of a grey counter with a card-like square on it. */
function previewPng() {
  const w = 160;
  const h = 90;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const card = x > 55 && x < 105 && y > 20 && y < 70;
      const qr = card && x > 62 && x < 98 && y > 27 && y < 63 && ((x >> 2) + (y >> 2)) % 2 === 0;
      const v = qr ? 20 : card ? 245 : 120 + (x >> 2);
      raw.fill(v, y * (w * 3 + 1) + 1 + x * 3, y * (w * 3 + 1) + 4 + x * 3);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const png = Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString("base64")}`;
}

export const preview = () => ({ kind: "preview", data_url: previewPng(), width: 640, height: 360 });
