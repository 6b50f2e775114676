// "カードをかざしてください": nobody is being served. Shows the live camera preview when a
// camera is configured, and in demo mode the demo cards to "scan". Nothing personal
// (demo participants are not real people).

import type { Copy } from "../copy";
import type { CameraView, KioskInfo, Lang, PreviewImage } from "../lib/ipc-types";
import { scanDemoCard } from "../lib/actions";

type Props = {
  copy: Copy;
  lang: Lang;
  info: KioskInfo | null;
  camera: CameraView | null;
  preview: PreviewImage | null;
};

export function Attract({ copy, lang, info, camera, preview }: Props) {
  const hasCamera = info?.camera ?? false;
  const demo = info?.demo ?? null;
  return (
    <section class="screen screen-attract" data-screen="attract">
      <div class="attract-main">
        <h1 class="attract-title">{copy.attract.title}</h1>
        <p class="lead">{hasCamera ? copy.attract.hintCamera : copy.attract.hintNoCamera}</p>
        {hasCamera ? (
          <figure class="preview" data-testid="camera-preview">
            {camera?.state === "lost" ? (
              <p class="preview-placeholder">{copy.attract.cameraLost}</p>
            ) : preview ? (
              <img src={preview.data_url} width={preview.width} height={preview.height} alt="" />
            ) : (
              <p class="preview-placeholder">{copy.attract.previewWaiting}</p>
            )}
            <figcaption>{copy.attract.previewLabel}</figcaption>
          </figure>
        ) : null}
      </div>
      {demo ? (
        <aside class="demo-panel" data-testid="demo-panel">
          <h2>{copy.attract.demoTitle}</h2>
          <p>{copy.attract.demoHint}</p>
          <ul class="demo-cards">
            {demo.cards.map((card, i) => (
              <li key={i}>
                <button type="button" class="btn demo-card" data-index={i} onClick={() => void scanDemoCard(i)}>
                  <span class="demo-card-number">{card.participant}</span>
                  <span class="demo-card-note">{card.note[lang]}</span>
                </button>
              </li>
            ))}
          </ul>
          {demo.sheet ? <p class="demo-sheet">{copy.attract.demoSheet(demo.sheet)}</p> : null}
        </aside>
      ) : null}
    </section>
  );
}
