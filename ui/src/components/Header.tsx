// The bar on every screen: the purpose-of-use notice (only while personal data shows), the
// language toggle and the volume buttons. Deliberately not here: any screen's content.

import type { Copy } from "../copy";
import { copyFor, LANGS } from "../copy";
import type { Lang } from "../lib/ipc-types";
import { setLang, setVolume } from "../lib/store";

export function Header(props: { copy: Copy; lang: Lang; personal: boolean; volume: number }) {
  const { copy, lang, personal, volume } = props;
  return (
    <header class="header">
      <div class="purpose-notice" role="note" data-testid="purpose-notice" hidden={!personal}>
        {personal ? copy.purposeNotice : null}
      </div>
      <div class="header-controls">
        <div class="volume" role="group" aria-label={copy.volume.downLabel}>
          <span class="volume-label">{copy.volume.label}</span>
          <button
            type="button"
            class="btn btn-small"
            aria-label={copy.volume.downLabel}
            disabled={volume <= 0.2}
            onClick={() => setVolume(volume - 0.2)}
          >
            {copy.volume.down}
          </button>
          <button
            type="button"
            class="btn btn-small"
            aria-label={copy.volume.upLabel}
            disabled={volume >= 1}
            onClick={() => setVolume(volume + 0.2)}
          >
            {copy.volume.up}
          </button>
        </div>
        <div class="lang-toggle" role="group" aria-label={copy.langToggleLabel} data-testid="lang-toggle">
          {LANGS.map((l) => (
            <button
              type="button"
              key={l}
              lang={l}
              class={l === lang ? "btn lang-btn lang-current" : "btn lang-btn"}
              aria-pressed={l === lang}
              data-lang={l}
              onClick={() => setLang(l)}
            >
              {l === lang ? "✓ " : ""}
              {copyFor(l).langName}
            </button>
          ))}
        </div>
      </div>
    </header>
  );
}
