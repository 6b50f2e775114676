// Generated from kiosk/src/view.rs and kiosk/src/staff_view.rs by scripts/gen-ipc. Do not edit.
// 生成ファイルです。編集しないでください (kiosk/src/view.rs から scripts/gen-ipc で生成)。

export type Text = { 
/**
 * Japanese.
 */
ja: string, 
/**
 * English.
 */
en: string, };

export type Lang = "ja" | "en";

export type KioskEvent = { "kind": "hello" } & KioskInfo | { "kind": "screen" } & Screen | { "kind": "notice" } & Notice | { "kind": "idle" } & IdleView | { "kind": "points" } & PointsUpdate | { "kind": "scale" } & ScaleView | { "kind": "sync" } & SyncView | { "kind": "camera" } & CameraView | { "kind": "preview" } & PreviewImage | { "kind": "availability" } & AvailabilityView;

export type KioskInfo = { 
/**
 * The station's id, for the small footer (e.g. `kita-community-01`).
 */
station: string, 
/**
 * The language each session starts in.
 */
language: Lang, 
/**
 * Seconds the idle warning gives before the wipe (≥ 20).
 */
idle_warning_secs: number, 
/**
 * Whether a camera card reader is configured (show the preview area).
 */
camera: boolean, 
/**
 * Demo mode: the demo cards that can be "scanned" from the screen, and a "step on" button.
 */
demo: DemoInfo | null, 
/**
 * The app's version, for the footer.
 */
version: string, };

export type DemoInfo = { 
/**
 * Demo cards, in order; `demo_scan(index)` scans one.
 */
cards: Array<DemoCard>, 
/**
 * Where the printable sheet of these cards is (PDF), if it was made.
 */
sheet: string | null, };

export type DemoCard = { 
/**
 * The participant number printed on the card.
 */
participant: string, 
/**
 * What is special about this demo participant (first visit, weight only, …).
 */
note: Text, };

export type Screen = { "screen": "not_configured", 
/**
 * The configuration file the kiosk read (or would read).
 */
config_path: string, 
/**
 * What is wrong, in words.
 */
problem: Text, 
/**
 * What to do about it.
 */
what_to_do: Text, } | { "screen": "attract" } | { "screen": "identifying", 
/**
 * The session.
 */
session: number, 
/**
 * The participant number (never a name).
 */
participant: string, } | { "screen": "consent" } & ConsentView | { "screen": "saving_consent", 
/**
 * The session.
 */
session: number, 
/**
 * The participant number.
 */
participant: string, } | { "screen": "safety", 
/**
 * The session.
 */
session: number, 
/**
 * The participant number.
 */
participant: string, } | { "screen": "guidance" } & GuidanceView | { "screen": "results" } & ResultsView | { "screen": "ended", 
/**
 * Why.
 */
reason: EndCode, 
/**
 * The analyzer's error code when `reason` is `scale_fault` (e.g. `E2`).
 */
scale_code: string | null, };

export type EndCode = "finished" | "stopped" | "required_purpose_refused" | "card_unknown" | "lookup_failed" | "no_documents_in_force" | "consent_not_saved" | "scale_not_ready" | "scale_fault" | "record_failed" | "idle_timeout" | "consent_withdrawn" | "use_stopped" | "analyzer_changed";

export type ConsentView = { 
/**
 * The session.
 */
session: number, 
/**
 * The participant number.
 */
participant: string, 
/**
 * The documents to read, in the order to show them.
 */
documents: Array<DocumentView>, 
/**
 * The purposes, each decided separately.
 */
purposes: Array<PurposeView>, 
/**
 * Why consent is asked now: `first_time`, `new_version`, `new_purpose`, … (UI words them).
 */
reasons: Array<string>, };

export type DocumentView = { 
/**
 * `terms`, `privacy_policy` or `measurement_notice`.
 */
kind: string, 
/**
 * Version label, e.g. `2026-04`.
 */
version: string, 
/**
 * The language the text is in (`ja` or `en`).
 */
language: string, 
/**
 * The full text (plain text, paragraphs separated by blank lines).
 */
text: string, };

export type PurposeView = { 
/**
 * Stable id, sent back in [`Answer::Consent`].
 */
id: string, 
/**
 * Whether measuring is impossible without it (the UI says what "do not agree" means).
 */
required: boolean, 
/**
 * The program's plain words for it.
 */
label: Text, };

export type GuidanceStep = "preparing" | "step_on" | "saving";

export type GuidanceView = { 
/**
 * The session.
 */
session: number, 
/**
 * The participant number.
 */
participant: string, 
/**
 * Which step.
 */
step: GuidanceStep, 
/**
 * Weight only (implanted device): "only your weight is measured; no current is used".
 */
weight_only: boolean, };

export type ResultValue = { 
/**
 * Which value: `weight`, `bmi`, `fat_percent`, `muscle_mass`, `visceral_fat`, `bmr`, …
 */
key: string, 
/**
 * The value.
 */
value: number, 
/**
 * Its unit as shown (`kg`, `%`, `kcal`, or empty).
 */
unit: string, 
/**
 * Digits after the decimal point to show.
 */
decimals: number, 
/**
 * Where it falls, when a published range applies to this person.
 */
range: RangeView | null, };

export type RangeView = { 
/**
 * The band: `low`, `standard`, `slightly_high`, `high`, … (UI words and colours it, and
 * never by colour alone).
 */
band: string, 
/**
 * The cut points between bands for this person, low to high, for the range bar.
 */
bounds: Array<number>, 
/**
 * Every band of the bar, low to high (one more than `bounds`), so the bar can be labelled.
 */
bands: Array<string>, 
/**
 * Whose range this is (e.g. "日本肥満学会 2022").
 */
source: Text, };

export type TrendPoint = { 
/**
 * The local day, `YYYY-MM-DD`.
 */
day: string, 
/**
 * Weight in kg.
 */
weight: number | null, 
/**
 * Body fat %.
 */
fat_percent: number | null, };

export type ResultsView = { 
/**
 * The session.
 */
session: number, 
/**
 * The participant number.
 */
participant: string, 
/**
 * Weight only (no composition values were taken).
 */
weight_only: boolean, 
/**
 * The values, in the order to show them.
 */
values: Array<ResultValue>, 
/**
 * Earlier readings, oldest first, this one last.
 */
trend: Array<TrendPoint>, 
/**
 * Points, as known when the screen opened (a [`KioskEvent::Points`] may follow).
 */
points: PointsView, };

export type PointsView = { "status": "waiting" } | { "status": "awarded", 
/**
 * Points this reading earned (may be 0: already earned today).
 */
earned: number, 
/**
 * The balance right after.
 */
balance: number, } | { "status": "later" };

export type PointsUpdate = { 
/**
 * The session whose results these are (ignore if it is not the one on screen).
 */
session: number, 
/**
 * The points.
 */
points: PointsView, };

export type Notice = { 
/**
 * What happened: `card_not_ours`, `card_malformed`, `card_revoked`, `card_expired`,
 * `card_unknown_participant`, `card_other_program`, `card_bad_signature`, `card_no_roster`,
 * `card_check_failed` (the store could not be read), `scale_message`, `reading_refused`,
 * `demo_only`, `measurements_blocked` (detail: the [`AvailabilityView`] reason).
 */
code: string, 
/**
 * Detail for some codes: the analyzer's `E2`, a refusal reason.
 */
detail: string | null, };

export type IdleView = { 
/**
 * The session it is for.
 */
session: number, 
/**
 * Milliseconds left before the wipe, or `None` when the warning is over (continued).
 */
remaining_ms: number | null, };

export type ScaleView = { 
/**
 * Whether the serial link is open.
 */
connected: boolean, 
/**
 * The analyzer's model as configured (e.g. `MC-780`).
 */
model: string, };

export type SyncView = { 
/**
 * `starting`, `online`, `offline`, `credential_refused`, `stopped` (a failure retrying cannot
 * fix: a technician must act), `not_configured`.
 */
state: string, 
/**
 * Readings waiting to be sent.
 */
backlog: number, 
/**
 * The last problem, in words (for staff).
 */
last_error: Text | null, };

export type CameraView = { 
/**
 * `off` (none configured), `starting`, `running`, `lost` (unplugged; retrying).
 */
state: string, };

export type PreviewImage = { 
/**
 * `data:image/jpeg;base64,…` or `data:image/png;base64,…`.
 */
data_url: string, 
/**
 * Width in pixels.
 */
width: number, 
/**
 * Height in pixels.
 */
height: number, };

export type AvailabilityView = { 
/**
 * Cards start sessions.
 */
open: boolean, 
/**
 * Why not: `staff_in_use` (staff or a technician is signed in), `never_checked`,
 * `check_failed`, `check_overdue`, `inspection_overdue`, `analyzer_swapped` (the analyzer
 * needs a technician's check); `None` when open.
 */
reason: string | null, };

export type Answer = { "answer": "consent", 
/**
 * The session the screen was for.
 */
session: number, 
/**
 * Purpose ids agreed to.
 */
granted: Array<string>, } | { "answer": "safety", 
/**
 * The session the screen was for.
 */
session: number, 
/**
 * Has an implanted electronic device.
 */
implanted_device: boolean, } | { "answer": "continue" } | { "answer": "finish", 
/**
 * The session the screen was for.
 */
session: number, };

export type WedgeKey = { 
/**
 * `KeyboardEvent.code`.
 */
code: string, 
/**
 * `KeyboardEvent.shiftKey`.
 */
shift: boolean, 
/**
 * `KeyboardEvent.timeStamp`, ms.
 */
at_ms: number, };

export type CommandError = { 
/**
 * `not_running`, `not_demo`, `no_such_card`, `stale_session`, `busy`.
 */
code: string, 
/**
 * Detail in English (not shown to participants).
 */
detail: string, };

export type StaffEvent = { "kind": "session", "data": StaffSessionView | null } | { "kind": "signed_out", "data": { 
/**
 * The reason code.
 */
reason: string, } } | { "kind": "idle", "data": { 
/**
 * Milliseconds left, or `None` when activity resumed.
 */
remaining_ms: number | null, } } | { "kind": "rules", "data": RulesView } | { "kind": "purposes", "data": Array<PurposeView> } | { "kind": "registrations", "data": Array<RegistrationView> } | { "kind": "queue", "data": Array<QueueEntry> } | { "kind": "scale", "data": ScaleServiceView } | { "kind": "tap", "data": TapLine } | { "kind": "sync", "data": StaffSyncView } | { "kind": "gate", "data": GateView } | { "kind": "calibration", "data": CalibrationView | null } | { "kind": "analyzer", "data": AnalyzerView } | { "kind": "card_test", "data": CardTestView };

export type StaffSessionView = { 
/**
 * Login id.
 */
login: string, 
/**
 * Name shown in the header.
 */
display_name: string, 
/**
 * `staff`, `technician` or `admin`.
 */
role: string, 
/**
 * May register participants, print cards and run the queue (staff, admin).
 */
may_register: boolean, 
/**
 * May use technician mode and calibration (technician, admin).
 */
may_service: boolean, 
/**
 * Automatic sign-out after this many seconds without activity.
 */
idle_timeout_secs: number, };

export type RulesView = { 
/**
 * Youngest age on the application date.
 */
min_age_years: number, 
/**
 * Applicants must live or work in the area.
 */
residency_required: boolean, 
/**
 * The program's enrolment cap, if it has one (judged by the server).
 */
enrolment_cap: number | null, 
/**
 * Whether the rules came from the server (`false`: the built-in defaults).
 */
from_server: boolean, };

export type ApplicationForm = { 
/**
 * The participant number printed on the application (e.g. `A-000123`).
 */
participant: string, 
/**
 * `YYYY-MM-DD`.
 */
birth_date: string, 
/**
 * `male` or `female`.
 */
sex: string, 
/**
 * Height in cm, one decimal (e.g. `158.5`).
 */
height_cm: number, 
/**
 * `standard` or `athletic`.
 */
body_type: string, 
/**
 * The implanted-device question: `true` = weight only, ever.
 */
implanted_device: boolean, 
/**
 * Lives or works in the program's area, as the application says.
 */
lives_or_works_locally: boolean, 
/**
 * The application's date, `YYYY-MM-DD` (age is judged on it).
 */
applied_on: string, 
/**
 * `on_screen` (the participant reads and answers on the kiosk at their first measurement) or
 * `paper` (staff witnessed the signed paper form: `paper_granted` are the purposes ticked).
 */
consent: string, 
/**
 * Purpose ids granted on the paper form (`consent == "paper"` only).
 */
paper_granted: Array<string>, };

export type RegistrationOutcome = { "outcome": "registered", 
/**
 * The stored registration.
 */
registration: RegistrationView, } | { "outcome": "ineligible", 
/**
 * Codes the UI words: `too_young`, `not_local`, `already_registered`,
 * `bad_participant_number`, `bad_birth_date`, `bad_applied_on`, `bad_height`,
 * `bad_sex`, `bad_body_type`, `bad_consent`, `required_purpose_not_granted`.
 */
reasons: Array<string>, };

export type RegistrationView = { 
/**
 * Participant number.
 */
participant: string, 
/**
 * When it was taken, `YYYY-MM-DD HH:MM` station time.
 */
registered_at: string, 
/**
 * The staff login that took it.
 */
registered_by: string, 
/**
 * `on_screen` or `staff_witnessed_paper`.
 */
consent_method: string, 
/**
 * `pending` (not yet judged by the server: offline, flagged for review), `accepted`,
 * `conflict` (the same number registered elsewhere with other details: the program office
 * decides; never merged), `ineligible`, `full` (after the enrolment cap).
 */
state: string, 
/**
 * A card can be printed (the server issued it).
 */
card_ready: boolean, 
/**
 * The card was printed at least once.
 */
card_printed: boolean, 
/**
 * Measured since registering.
 */
measured: boolean, };

export type QueueEntry = { 
/**
 * Participant number.
 */
participant: string, 
/**
 * `waiting`, `measuring` (their session runs on the participant screen), `done`.
 */
state: string, 
/**
 * Weight only (implanted device): the preset says so.
 */
weight_only: boolean, };

export type PrintOutcome = { "mode": "sent", 
/**
 * Where: the printer's name or the file written.
 */
destination: string, } | { "mode": "dialog", 
/**
 * The card as an SVG document (A4 page with one card and cut marks).
 */
svg: string, };

export type ScaleServiceView = { 
/**
 * The port in use (e.g. `/dev/ttyUSB0`, or the simulator's pty).
 */
port: string, 
/**
 * The protocol / model profile in use (e.g. `MC-780`).
 */
model: string, 
/**
 * Line settings, e.g. `9600 8N1`.
 */
settings: string, 
/**
 * Whether the port is open.
 */
connected: boolean, 
/**
 * Model and serial number as the analyzer's frames reported them.
 */
identity: string | null, 
/**
 * Serial ports found on this machine.
 */
ports: Array<PortView>, 
/**
 * Model profiles the station can speak.
 */
models: Array<string>, 
/**
 * The last auto-detect result, in words (`None`: none run).
 */
detect: Text | null, };

export type PortView = { 
/**
 * `/dev/…` path.
 */
path: string, 
/**
 * USB vendor/product/description, if known.
 */
description: string, };

export type TapLine = { 
/**
 * `received`, `sent`, `decoded`, `decode_error`, `status`.
 */
kind: string, 
/**
 * Milliseconds since the tap started.
 */
at_ms: number, 
/**
 * The bytes as text with control characters escaped (`\r`, `\n`, `\x02`), or the decoded
 * frame as `key=value` pairs.
 */
text: string, };

export type StaffSyncView = { 
/**
 * The footer's view (state, backlog, last error).
 */
sync: SyncView, 
/**
 * Registrations not yet judged by the server.
 */
registrations_pending: number, 
/**
 * Calibration records not yet sent.
 */
calibrations_pending: number, 
/**
 * When the last successful exchange was, `YYYY-MM-DD HH:MM` station time.
 */
last_success: string | null, };

export type GateView = { 
/**
 * Measurements allowed.
 */
open: boolean, 
/**
 * Why not: `never_checked`, `check_failed`, `check_overdue`, `inspection_overdue`,
 * `analyzer_swapped`; `None` when open.
 */
reason: string | null, 
/**
 * The analyzer the last passing check was for (`MC-780 SN 12345678`).
 */
checked_analyzer: string | null, 
/**
 * The next reference-weight check is due, `YYYY-MM-DD`.
 */
next_check_due: string | null, };

export type CalibrationView = { 
/**
 * The reference masses, kg, in order.
 */
steps_kg: Array<number>, 
/**
 * The step to do next (index into `steps_kg`); equal to its length when all are done.
 */
next_step: number, 
/**
 * Results so far.
 */
results: Array<CalibrationStepView>, 
/**
 * Largest deviation allowed, kg.
 */
tolerance_kg: number, 
/**
 * `waiting_for_weight` (put the reference weight on, then read), `reading` (waiting for a
 * stable weight), `done` (recorded), `failed_to_read` (no stable weight came: try again).
 */
state: string, 
/**
 * When done: passed or not.
 */
passed: boolean | null, 
/**
 * When done and passed: the next check is due, `YYYY-MM-DD`.
 */
next_check_due: string | null, };

export type CalibrationStepView = { 
/**
 * The reference mass, kg.
 */
nominal_kg: number, 
/**
 * What the analyzer read, kg.
 */
measured_kg: number, 
/**
 * `measured - nominal`, kg.
 */
deviation_kg: number, 
/**
 * Within tolerance.
 */
ok: boolean, };

export type AnalyzerView = { 
/**
 * Model and serial of the analyzer last seen (`None`: no frame has said).
 */
analyzer: string | null, 
/**
 * 検定 (verification) date, `YYYY-MM-DD`.
 */
verified_on: string | null, 
/**
 * Last 定期検査 (periodic inspection), `YYYY-MM-DD`.
 */
last_inspection: string | null, 
/**
 * Next 定期検査 due, `YYYY-MM-DD`.
 */
inspection_due: string | null, 
/**
 * The latest checks, newest first (at most 10).
 */
checks: Array<CheckSummary>, };

export type CheckSummary = { 
/**
 * When, `YYYY-MM-DD HH:MM` station time.
 */
checked_at: string, 
/**
 * The analyzer, `MC-780 SN 12345678`.
 */
analyzer: string, 
/**
 * The technician's login.
 */
technician: string, 
/**
 * Passed.
 */
passed: boolean, 
/**
 * Largest deviation, kg.
 */
worst_deviation_kg: number, 
/**
 * Sent to the server.
 */
synced: boolean, };

export type AnalyzerDatesForm = { 
/**
 * 検定 date, `YYYY-MM-DD`, or empty.
 */
verified_on: string, 
/**
 * Last 定期検査, `YYYY-MM-DD`, or empty.
 */
last_inspection: string, 
/**
 * Next 定期検査 due, `YYYY-MM-DD`, or empty.
 */
inspection_due: string, 
/**
 * The serial number on the analyzer's plate, for analyzers whose frames do not carry it
 * (MC-780); may be left out when the analyzer reports it.
 */
serial_number?: string, };

export type CardTestView = { 
/**
 * `camera`, `handheld`, `wedge` (`demo`: demo mode's scans).
 */
via: string, 
/**
 * `valid` (a genuine card of this program on the roster), or the refusal code as in
 * [`crate::view::Notice`] (`card_malformed`, `card_bad_signature`, …).
 */
verdict: string, 
/**
 * The card's id (`holder-serial`) when it parsed; never the token.
 */
card_id: string | null, };
