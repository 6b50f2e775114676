// Spoken guidance: one <audio> element that plays `voice/<lang>/<key>.<ext>` for the prompt
// on screen, stopping the previous one. Keys come from src/voice/prompts.json (the speech
// helper's file); the extension from public/voice/manifest.json at build time. Deliberately
// not here: which key a screen uses (app.tsx) or the audio files (ui/public/voice/).

import prompts from "../voice/prompts.json";
import type { Lang } from "./ipc-types";

/** A prompt key that prompts.json defines. */
export type PromptKey = keyof typeof prompts;

let audio: HTMLAudioElement | null = null;
let playing: string | null = null;

function element(): HTMLAudioElement {
  if (!audio) {
    audio = document.createElement("audio");
    audio.id = "voice";
    audio.preload = "auto";
    document.body.appendChild(audio);
  }
  return audio;
}

/** Play the prompt `key` in `lang` from its start (or stop when `key` is null). Never throws. */
export function speak(key: PromptKey | null, lang: Lang, volume: number): void {
  const el = element();
  el.volume = volume;
  const src = key && __VOICE_FORMAT__ && key in prompts ? `voice/${lang}/${key}.${__VOICE_FORMAT__}` : null;
  playing = src;
  el.pause();
  if (!src) {
    el.removeAttribute("src");
    el.load();
    return;
  }
  el.src = src;
  el.currentTime = 0;
  el.play().catch(() => {
    /* a missing file or a blocked autoplay: silence, not an error */
  });
}

/** What is playing (for tests and logs: a file path, never personal). */
export function nowPlaying(): string | null {
  return playing;
}

/** Set the volume of whatever is playing. */
export function setSpeechVolume(volume: number): void {
  element().volume = volume;
}
