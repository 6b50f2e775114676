// The participant number, shown so a person can check it is their card (never a name).

import type { Copy } from "../copy";

export function ParticipantBadge(props: { copy: Copy; participant: string }) {
  return (
    <p class="participant" data-testid="participant">
      <span class="participant-label">{props.copy.participant}</span>
      <span class="participant-number">{props.participant}</span>
    </p>
  );
}
