// The session is over: thank you, or why it ended and what to do (e.g. "係員をお呼びください").
// Nothing personal: the runtime sends only the reason.

import type { Copy } from "../copy";
import type { Screen } from "../lib/ipc-types";

type Props = { copy: Copy; screen: Extract<Screen, { screen: "ended" }> };

/** Reasons that need staff: shown with a warning mark (not colour alone). */
const NEEDS_STAFF = new Set([
  "card_unknown",
  "lookup_failed",
  "no_documents_in_force",
  "consent_not_saved",
  "scale_not_ready",
  "scale_fault",
  "record_failed",
]);

export function Ended({ copy, screen }: Props) {
  const words = copy.ended[screen.reason];
  const staff = NEEDS_STAFF.has(screen.reason);
  return (
    <section class="screen screen-center" data-screen="ended" data-reason={screen.reason}>
      {staff ? (
        <p class="ended-mark ended-mark-staff" aria-hidden="true">
          !
        </p>
      ) : null}
      <h1>{words.title}</h1>
      <p class="lead">{words.body}</p>
      {screen.reason === "scale_fault" && screen.scale_code ? <p>{copy.scaleCode(screen.scale_code)}</p> : null}
    </section>
  );
}
