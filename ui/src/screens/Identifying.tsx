// "確認しています": the card was accepted and the record is being read; shows the
// participant number (never a name) so the person can check it is their card.

import type { Copy } from "../copy";
import type { Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";

type Props = { copy: Copy; screen: Extract<Screen, { screen: "identifying" }> };

export function Identifying({ copy, screen }: Props) {
  return (
    <section class="screen screen-center" data-screen="identifying">
      <ParticipantBadge copy={copy} participant={screen.participant} />
      <h1>{copy.identifying.title}</h1>
      <p class="lead">{copy.identifying.body}</p>
      <div class="spinner" aria-hidden="true" />
    </section>
  );
}
