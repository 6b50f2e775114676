// "Not configured yet" — for staff: what is wrong, what to do, which file. Nothing personal.

import type { Copy } from "../copy";
import type { Lang, Screen } from "../lib/ipc-types";

type Props = { copy: Copy; lang: Lang; screen: Extract<Screen, { screen: "not_configured" }> };

export function NotConfigured({ copy, lang, screen }: Props) {
  return (
    <section class="screen screen-not-configured" data-screen="not_configured">
      <h1>{copy.notConfigured.title}</h1>
      <p>{copy.notConfigured.forStaff}</p>
      <dl class="staff-list">
        <dt>{copy.notConfigured.problem}</dt>
        <dd data-testid="problem">{screen.problem[lang]}</dd>
        <dt>{copy.notConfigured.whatToDo}</dt>
        <dd data-testid="what-to-do">{screen.what_to_do[lang]}</dd>
        <dt>{copy.notConfigured.configPath}</dt>
        <dd>
          <code data-testid="config-path">{screen.config_path}</code>
        </dd>
      </dl>
    </section>
  );
}
