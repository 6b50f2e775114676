// Spoken guidance: every prompt in ui/src/voice/prompts.json has a valid, non-silent Ogg Opus file
// in both languages, and ui/public/voice/manifest.json was generated from the current prompts.
// Needs only node (no TTS tools): it reads the committed files. Regenerate with scripts/gen-voice.
// Deliberately not here: which key a screen plays (the UI's tests) and how the speech sounds
// (scripts/gen-voice checks loudness and duration when it synthesises; README.md there says how).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..');
const VOICE = join(UI, 'public/voice');
const PROMPTS = join(UI, 'src/voice/prompts.json');
const READINGS = join(UI, 'voice-src/ja-readings.json');
const LANGS = ['ja', 'en'];
const REGEN = 'run scripts/gen-voice and commit ui/public/voice/ (音声を作り直してください)';

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const prompts = JSON.parse(readFileSync(PROMPTS, 'utf8'));
const manifest = JSON.parse(readFileSync(join(VOICE, 'manifest.json'), 'utf8'));

// --- a small Ogg Opus reader (RFC 3533 pages, RFC 7845 Opus mapping) ---------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(bytes) {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc;
}

/** Parses an Ogg Opus file; throws with the reason when it is not one. */
export function readOggOpus(buf) {
  if (buf.length === 0) throw new Error('empty file');
  const packets = [];
  let at = 0;
  let partial = null;
  let serial = null;
  let lastGranule = 0n;
  let pages = 0;
  let sawEos = false;
  while (at < buf.length) {
    if (sawEos) throw new Error(`data after the end-of-stream page at byte ${at}`);
    if (buf.length - at < 27 || buf.toString('latin1', at, at + 4) !== 'OggS') {
      throw new Error(`no Ogg page at byte ${at}`);
    }
    if (buf[at + 4] !== 0) throw new Error(`Ogg version ${buf[at + 4]} at byte ${at}`);
    const flags = buf[at + 5];
    const nSeg = buf[at + 26];
    const lacing = buf.subarray(at + 27, at + 27 + nSeg);
    const bodyLen = lacing.reduce((a, b) => a + b, 0);
    const end = at + 27 + nSeg + bodyLen;
    if (lacing.length < nSeg || end > buf.length) throw new Error(`truncated page at byte ${at}`);
    const page = Buffer.from(buf.subarray(at, end));
    const want = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc(page) !== want) throw new Error(`bad CRC in page ${pages} at byte ${at}`);
    const pageSerial = buf.readUInt32LE(at + 14);
    if (serial === null) {
      if (!(flags & 0x02)) throw new Error('first page is not a beginning-of-stream page');
      serial = pageSerial;
    } else if (pageSerial !== serial) {
      throw new Error('more than one logical stream');
    }
    if (buf.readUInt32LE(at + 18) !== pages) throw new Error(`page ${pages} out of sequence`);
    lastGranule = buf.readBigInt64LE(at + 6);
    sawEos = (flags & 0x04) !== 0;
    let p = at + 27 + nSeg;
    if (!(flags & 0x01) && partial !== null) throw new Error('a continued packet was not continued');
    for (const len of lacing) {
      const piece = buf.subarray(p, p + len);
      partial = partial === null ? Buffer.from(piece) : Buffer.concat([partial, piece]);
      p += len;
      if (len < 255) {
        packets.push(partial);
        partial = null;
      }
    }
    at = end;
    pages++;
  }
  if (!sawEos) throw new Error('no end-of-stream page (truncated file?)');
  const [head, tags, ...audio] = packets;
  if (!head || head.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('first packet is not OpusHead');
  if (!tags || tags.toString('latin1', 0, 8) !== 'OpusTags') throw new Error('second packet is not OpusTags');
  if (audio.length === 0) throw new Error('no audio packets');
  const channels = head[9];
  const preSkip = head.readUInt16LE(10);
  const seconds = Number(lastGranule - BigInt(preSkip)) / 48000;
  return { channels, seconds, audio };
}

/** Share of Opus packets larger than digital silence encodes to (≤ 35 bytes at 32 kbit/s). */
const voicedShare = (audio) => audio.filter((p) => p.length > 48).length / audio.length;

// --- the committed files --------------------------------------------------------------------------

test('manifest was generated from the current prompts.json and readings', () => {
  assert.equal(manifest.prompts_sha256, sha256(PROMPTS),
    `ui/public/voice/manifest.json is older than ui/src/voice/prompts.json: ${REGEN}`);
  assert.equal(manifest.readings_sha256, sha256(READINGS),
    `ui/public/voice/manifest.json is older than ui/voice-src/ja-readings.json: ${REGEN}`);
  assert.deepEqual(manifest.keys, Object.keys(prompts), `manifest keys differ from prompts.json: ${REGEN}`);
  assert.equal(manifest.format, 'ogg');
  for (const lang of LANGS) assert.ok(manifest.voices?.[lang], `manifest names no ${lang} voice`);
});

test('every prompt has text in both languages', () => {
  for (const [key, texts] of Object.entries(prompts)) {
    assert.match(key, /^[a-z0-9_]+$/, `prompt key ${key}`);
    assert.deepEqual(Object.keys(texts).sort(), ['en', 'ja'], `prompt ${key} needs exactly ja and en`);
    for (const lang of LANGS) assert.ok(texts[lang].trim(), `prompt ${key} has empty ${lang} text`);
  }
});

for (const lang of LANGS) {
  test(`every prompt has a valid, non-silent Ogg Opus file in ${lang}`, () => {
    for (const key of Object.keys(prompts)) {
      const path = join(VOICE, lang, `${key}.${manifest.format}`);
      assert.ok(existsSync(path), `no audio for prompt "${key}" in ${lang} (${path}): ${REGEN}`);
      let ogg;
      try {
        ogg = readOggOpus(readFileSync(path));
      } catch (e) {
        assert.fail(`${lang}/${key}.ogg is not a valid Ogg Opus file: ${e.message}: ${REGEN}`);
      }
      assert.equal(ogg.channels, 1, `${lang}/${key}: mono expected`);
      const ms = manifest.durations_ms[lang][key];
      assert.ok(Math.abs(ogg.seconds * 1000 - ms) < 30, `${lang}/${key}: ${ogg.seconds} s, manifest says ${ms} ms`);
      const letters = [...prompts[key][lang].matchAll(lang === 'ja' ? /[^\s、。，．！？「」]/g : /[A-Za-z]/g)].length;
      assert.ok(ogg.seconds >= 0.5 && ogg.seconds <= letters * 0.5,
        `${lang}/${key}: ${ogg.seconds.toFixed(2)} s is implausible for ${letters} characters`);
      assert.ok(voicedShare(ogg.audio) > 0.4, `${lang}/${key}: mostly silent packets`);
    }
  });
}

test('no audio files for keys that are no longer prompts', () => {
  for (const lang of LANGS) {
    for (const name of readdirSync(join(VOICE, lang))) {
      const key = name.replace(/\.[^.]+$/, '');
      assert.ok(name === `${key}.${manifest.format}` && key in prompts, `stale file ${lang}/${name}: ${REGEN}`);
    }
  }
});

test('credits name the voices and the CC BY licence', () => {
  const credits = readFileSync(join(VOICE, 'CREDITS.md'), 'utf8');
  for (const must of ['Mei', 'Creative Commons Attribution 3.0', 'Nagoya Institute of Technology', 'cmu_us_slt_arctic_hts']) {
    assert.ok(credits.includes(must), `CREDITS.md does not mention ${must}`);
  }
});

// --- the reader rejects what is broken (so the tests above can fail) ------------------------------

test('the Ogg Opus reader rejects empty, truncated, corrupted and foreign data', () => {
  const good = readFileSync(join(VOICE, 'ja', `${manifest.keys[0]}.ogg`));
  assert.ok(readOggOpus(good).seconds > 0.5);
  assert.throws(() => readOggOpus(Buffer.alloc(0)), /empty/);
  assert.throws(() => readOggOpus(good.subarray(0, good.length - 10)), /truncated|end-of-stream/);
  const flipped = Buffer.from(good);
  flipped[Math.floor(good.length / 2)] ^= 0x40;
  assert.throws(() => readOggOpus(flipped), /CRC/);
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40)]);
  assert.throws(() => readOggOpus(wav), /no Ogg page/);
});

test('silence is told apart from speech', () => {
  // Two seconds of digital silence encoded exactly as scripts/gen-voice encodes prompts (ffmpeg
  // anullsrc → libopus 32 kbit/s voip), kept as a fixture.
  const silence = readOggOpus(readFileSync(join(UI, 'voice-src/silence-2s.ogg')));
  assert.ok(Math.abs(silence.seconds - 2) < 0.03);
  assert.ok(voicedShare(silence.audio) < 0.4, `silence: ${voicedShare(silence.audio)}`);
  const speech = readOggOpus(readFileSync(join(VOICE, 'en', `${manifest.keys[0]}.ogg`)));
  assert.ok(voicedShare(speech.audio) > 0.4);
});
