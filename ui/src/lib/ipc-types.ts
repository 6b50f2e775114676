// Generated from kiosk/src/view.rs by scripts/gen-ipc. Do not edit.
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

export type KioskEvent = { "kind": "hello" } & KioskInfo | { "kind": "screen" } & Screen | { "kind": "notice" } & Notice | { "kind": "idle" } & IdleView | { "kind": "points" } & PointsUpdate | { "kind": "scale" } & ScaleView | { "kind": "sync" } & SyncView | { "kind": "camera" } & CameraView | { "kind": "preview" } & PreviewImage;

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

export type EndCode = "finished" | "stopped" | "required_purpose_refused" | "card_unknown" | "lookup_failed" | "no_documents_in_force" | "consent_not_saved" | "scale_not_ready" | "scale_fault" | "record_failed" | "idle_timeout" | "consent_withdrawn" | "use_stopped";

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
 * `demo_only`.
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
