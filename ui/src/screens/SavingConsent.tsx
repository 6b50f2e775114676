// "お答えを保存しています": the consent decision is being saved.

import type { Copy } from "../copy";
import type { Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";

type Props = { copy: Copy; screen: Extract<Screen, { screen: "saving_consent" }> };

export function SavingConsent({ copy, screen }: Props) {
  return (
    <section class="screen screen-center" data-screen="saving_consent">
      <ParticipantBadge copy={copy} participant={screen.participant} />
      <h1>{copy.savingConsent.title}</h1>
      <p class="lead">{copy.savingConsent.body}</p>
      <div class="spinner" aria-hidden="true" />
    </section>
  );
}
