// Test data for the staff window: StaffEvents as the runtime (kiosk/src/staff_view.rs) sends
// them, each payload beside its tag as `data` (see decodeStaffEvent in src/staff/ipc.ts). The
// participant numbers are distinctive so the sign-out test can search the DOM for them.

export const P1 = "A-731904";
export const P2 = "A-731905";
export const P3 = "A-731906";

export const ev = (kind, data) => ({ kind, data });

export const staffSession = (role = "staff") => ({
  login: role === "technician" ? "tech01" : role === "admin" ? "admin01" : "staff01",
  display_name: role === "technician" ? "佐藤 技術" : role === "admin" ? "高橋 管理" : "山田 花子",
  role,
  may_register: role !== "technician",
  may_service: role !== "staff",
  idle_timeout_secs: 300,
});

export const rules = (cap = 500, fromServer = true) =>
  ev("rules", { min_age_years: 20, residency_required: true, enrolment_cap: cap, from_server: fromServer });

export const purposes = () =>
  ev("purposes", [
    { id: "measure", required: true, label: { ja: "体組成の測定と記録", en: "Measuring and recording body composition" } },
    { id: "points", required: false, label: { ja: "健康ポイントの付与", en: "Health points" } },
    { id: "statistics", required: false, label: { ja: "匿名の統計", en: "Anonymous statistics" } },
  ]);

export const registration = (participant, state = "pending", extra = {}) => ({
  participant,
  registered_at: "2026-11-23 10:15",
  registered_by: "staff01",
  consent_method: "staff_witnessed_paper",
  state,
  card_ready: state === "accepted",
  card_printed: false,
  measured: false,
  ...extra,
});

export const registrations = (...rows) => ev("registrations", rows);
export const queue = (...rows) => ev("queue", rows);
export const queued = (participant, state = "waiting", weight_only = false) => ({ participant, state, weight_only });

export const sync = (state = "online") =>
  ev("sync", {
    sync: { state, backlog: 3, last_error: state === "offline" ? { ja: "サーバーに接続できません。", en: "Cannot reach the server." } : null },
    registrations_pending: 2,
    calibrations_pending: 1,
    last_success: "2026-11-23 09:58",
  });

export const gate = (open = true, reason = null) =>
  ev("gate", { open, reason, checked_analyzer: "MC-780 SN 12345678", next_check_due: "2026-12-23" });

export const scale = () =>
  ev("scale", {
    port: "/dev/ttyUSB0",
    model: "MC-780",
    settings: "9600 8N1",
    connected: true,
    identity: "MC-780 SN 12345678",
    ports: [
      { path: "/dev/ttyUSB0", description: "FTDI FT232R USB UART" },
      { path: "/dev/ttyS0", description: "" },
    ],
    models: ["MC-780", "DC-430", "BC-768"],
    detect: null,
  });

export const analyzer = (checks = []) =>
  ev("analyzer", {
    analyzer: "MC-780 SN 12345678",
    verified_on: "2024-04-01",
    last_inspection: "2025-04-01",
    inspection_due: "2027-03-31",
    checks,
  });

export const calibration = (results, { state = "waiting_for_weight", passed = null, due = null } = {}) =>
  ev("calibration", {
    steps_kg: [0, 20, 50, 100],
    next_step: results.length,
    results,
    tolerance_kg: 0.2,
    state,
    passed,
    next_check_due: due,
  });

export const step = (nominal, measured) => ({
  nominal_kg: nominal,
  measured_kg: measured,
  deviation_kg: Math.round((measured - nominal) * 100) / 100,
  ok: Math.abs(measured - nominal) <= 0.2 + 1e-9,
});

export const tap = (i) => ev("tap", { kind: i % 3 === 0 ? "decoded" : "received", at_ms: i * 40, text: i % 3 === 0 ? `Wk=62.${i % 10} FW=21.${i % 7}` : `{0,16,~0,1,~1,1,~2,1,MO,"MC-780",SN,"12345678"\\r\\n #${i}` });

/** The usual replay after subscribing while nobody is signed in. */
export const signedOutReplay = () => [ev("session", null), rules(), purposes(), sync(), gate()];

/** The replay when `role` is signed in, with its personal lists. */
export const signedInReplay = (role = "staff", { regs = [], q = [] } = {}) => [
  ev("session", staffSession(role)),
  rules(),
  purposes(),
  registrations(...regs),
  queue(...q),
  scale(),
  sync(),
  gate(),
  analyzer(),
];

/** A small A4 SVG card page, as staff_print_card's Dialog carries it. */
export const CARD_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"><rect x="20" y="20" width="86" height="54" fill="none" stroke="#000"/><text x="25" y="40" font-size="6">A-731904</text></svg>';
