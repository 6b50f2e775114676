// "カードをかざしてください": nobody is being served. Shows the live camera preview when a
// camera is configured, and in demo mode the demo cards to "scan"; when measuring is not
// possible (staff signed in, the analyzer needs a check) a calm banner instead of the hint.
// Holds the hidden staff gesture: a 3-second press in an invisible 80×80 px area at the
// top-left corner of the screen. Nothing personal (demo participants are not real people).

import { Fragment } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { Copy } from "../copy";
import type { AvailabilityView, CameraView, KioskInfo, Lang, PreviewImage } from "../lib/ipc-types";
import { openStaff, scanDemoCard } from "../lib/actions";

type Props = {
  copy: Copy;
  lang: Lang;
  info: KioskInfo | null;
  camera: CameraView | null;
  preview: PreviewImage | null;
  availability: AvailabilityView | null;
};

/** How long the hidden corner must be held, ms. */
export const STAFF_HOLD_MS = 3000;

/** The invisible top-left area: held for STAFF_HOLD_MS it asks for the staff sign-in. */
function StaffCorner() {
  const timer = useRef<number | null>(null);
  const stop = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => stop, []);
  return (
    <div
      class="staff-corner"
      aria-hidden="true"
      data-testid="staff-corner"
      onPointerDown={(e) => {
        e.preventDefault();
        stop();
        timer.current = window.setTimeout(() => {
          timer.current = null;
          openStaff();
        }, STAFF_HOLD_MS);
      }}
      onPointerUp={stop}
      onPointerCancel={stop}
      onPointerLeave={stop}
    />
  );
}

/** Where the printable demo cards are: behind a disclosure, the file name and its folder. */
function SheetPlace({ copy, path }: { copy: Copy; path: string }) {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const file = path.slice(cut + 1);
  const folder = cut >= 0 ? path.slice(0, cut + 1) : "";
  return (
    <details class="demo-sheet" data-testid="demo-sheet">
      <summary class="btn btn-small demo-sheet-summary">{copy.attract.demoSheetTitle}</summary>
      <dl class="demo-sheet-body">
        <dt>{copy.attract.demoSheetFile}</dt>
        <dd class="demo-sheet-file">{file}</dd>
        {folder ? (
          <>
            <dt>{copy.attract.demoSheetFolder}</dt>
            <dd class="demo-sheet-folder">
              {folder.split(/(?<=[/\\])/).map((part, i) => (
                <Fragment key={i}>
                  {i > 0 ? <wbr /> : null}
                  {part}
                </Fragment>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
    </details>
  );
}

export function Attract({ copy, lang, info, camera, preview, availability }: Props) {
  const hasCamera = info?.camera ?? false;
  // Demo mode with nothing to show (an empty cards file, no sheet): no panel at all.
  const demo = info?.demo && (info.demo.cards.length > 0 || info.demo.sheet) ? info.demo : null;
  if (availability && !availability.open) {
    const words = copy.attract.unavailable(availability.reason ?? "");
    return (
      <section class="screen screen-attract screen-center" data-screen="attract" data-available="false">
        <StaffCorner />
        <div class="unavailable" role="status" data-testid="unavailable" data-reason={availability.reason ?? ""}>
          <h1 class="attract-title">{words.title}</h1>
          <p class="lead">{words.body}</p>
        </div>
      </section>
    );
  }
  return (
    <section class="screen screen-attract" data-screen="attract" data-available="true">
      <StaffCorner />
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
          {demo.sheet ? <SheetPlace copy={copy} path={demo.sheet} /> : null}
        </aside>
      ) : null}
    </section>
  );
}
