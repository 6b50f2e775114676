// The safety question before any current is used: an implanted electronic device? はい/いいえ.

import type { Copy } from "../copy";
import type { Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";
import { send } from "../lib/actions";

type Props = { copy: Copy; screen: Extract<Screen, { screen: "safety" }> };

export function Safety({ copy, screen }: Props) {
  const reply = (implanted_device: boolean) =>
    void send({ answer: "safety", session: screen.session, implanted_device });
  return (
    <section class="screen screen-center" data-screen="safety">
      <ParticipantBadge copy={copy} participant={screen.participant} />
      <h1 class="question">{copy.safety.title}</h1>
      <p class="lead">{copy.safety.body}</p>
      <div class="choice-row">
        <button type="button" class="btn btn-choice" data-testid="safety-yes" onClick={() => reply(true)}>
          {copy.safety.yes}
        </button>
        <button type="button" class="btn btn-choice" data-testid="safety-no" onClick={() => reply(false)}>
          {copy.safety.no}
        </button>
      </div>
      <p>{copy.safety.yesMeans}</p>
    </section>
  );
}
