// Consent: every document in force in full (scrollable), then every purpose with its OWN
// choice — 同意する / 同意しない, nothing pre-selected — and what "do not agree" means for it.
// "決める" is enabled only when every purpose has an answer; it sends exactly the agreed ids.

import type { Copy } from "../copy";
import type { Lang, Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";
import { send } from "../lib/actions";
import { choose } from "../lib/store";

type Props = {
  copy: Copy;
  lang: Lang;
  screen: Extract<Screen, { screen: "consent" }>;
  choices: Record<string, boolean>;
};

export function Consent({ copy, lang, screen, choices }: Props) {
  const inLang = screen.documents.filter((d) => d.language === lang);
  const documents = inLang.length > 0 ? inLang : screen.documents;
  const remaining = screen.purposes.filter((p) => !(p.id in choices)).length;
  const confirm = () => {
    if (remaining > 0) return;
    const granted = screen.purposes.filter((p) => choices[p.id] === true).map((p) => p.id);
    void send({ answer: "consent", session: screen.session, granted });
  };
  return (
    <section class="screen screen-consent" data-screen="consent">
      <ParticipantBadge copy={copy} participant={screen.participant} />
      <h1>{copy.consent.title}</h1>
      {screen.reasons.map((r) => {
        const words = copy.consent.reasons(r);
        return words ? (
          <p key={r} class="lead">
            {words}
          </p>
        ) : null;
      })}
      <p>{copy.consent.intro}</p>
      {documents.map((d, i) => (
        <article key={`${d.kind}-${d.language}-${i}`} class="document" data-testid="consent-document">
          <h2>
            {copy.consent.documentKind(d.kind)} <span class="doc-version">{copy.consent.version(d.version)}</span>
          </h2>
          <div class="document-text" tabIndex={0} lang={d.language}>
            {d.text.split(/\n\s*\n/).map((para, j) => (
              <p key={j}>{para}</p>
            ))}
          </div>
        </article>
      ))}
      <h2>{copy.consent.purposesTitle}</h2>
      <p>{copy.consent.purposesIntro}</p>
      <ol class="purposes">
        {screen.purposes.map((p) => {
          const choice = choices[p.id];
          return (
            <li key={p.id} class="purpose" data-purpose={p.id} data-testid="purpose">
              <div class="purpose-head">
                <span class={p.required ? "tag tag-required" : "tag tag-optional"}>
                  {p.required ? copy.consent.required : copy.consent.optional}
                </span>
                <span class="purpose-label">{p.label[lang]}</span>
              </div>
              <p class="purpose-refuse">{p.required ? copy.consent.refuseMeansRequired : copy.consent.refuseMeansOptional}</p>
              <div class="choice-row" role="group">
                <button
                  type="button"
                  class={choice === true ? "btn btn-choice btn-selected" : "btn btn-choice"}
                  aria-pressed={choice === true}
                  data-choice="agree"
                  onClick={() => choose(p.id, true)}
                >
                  {choice === true ? "✓ " : ""}
                  {copy.consent.agree}
                </button>
                <button
                  type="button"
                  class={choice === false ? "btn btn-choice btn-selected" : "btn btn-choice"}
                  aria-pressed={choice === false}
                  data-choice="disagree"
                  onClick={() => choose(p.id, false)}
                >
                  {choice === false ? "✓ " : ""}
                  {copy.consent.disagree}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <p class="lead" aria-live="polite" data-testid="consent-remaining">
        {remaining > 0 ? copy.consent.remaining(remaining) : copy.consent.ready}
      </p>
      <button
        type="button"
        class="btn btn-primary btn-huge"
        data-testid="consent-confirm"
        disabled={remaining > 0}
        onClick={confirm}
      >
        {copy.consent.confirm}
      </button>
    </section>
  );
}
