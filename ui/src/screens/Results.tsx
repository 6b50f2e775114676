// Results: every value with its unit; where a published range applies, its band in words and a
// range bar; the points (waiting "…", earned and balance, or "later") beside the title; the
// weight trend below. Laid out so up to nine values fit a 1280×800 screen without scrolling:
// the values without a range in one row of small cards, those with a range in two columns.
// Deliberately not here: which band a value is in (the runtime decides).

import type { ComponentChildren } from "preact";
import type { Copy } from "../copy";
import type { PointsView, ResultValue, Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";
import { RangeBar } from "../components/RangeBar";
import { TrendChart } from "../components/TrendChart";

type Props = { copy: Copy; lang: "ja" | "en"; screen: Extract<Screen, { screen: "results" }> };

function Points({ copy, points }: { copy: Copy; points: PointsView }) {
  const r = copy.results;
  return (
    <div class="points" data-testid="points" data-status={points.status} aria-live="polite">
      {points.status === "waiting" ? <span class="points-title">{r.pointsTitle}</span> : null}
      <span class="points-value">
        {points.status === "waiting"
          ? r.pointsWaiting
          : points.status === "awarded"
            ? r.pointsAwarded(points.earned, points.balance)
            : r.pointsLater}
      </span>
    </div>
  );
}

function ValueNumber({ v }: { v: ResultValue }) {
  return (
    <p class="value-number">
      <span class="number">{v.value.toFixed(v.decimals)}</span>
      {v.unit ? <span class="unit">{v.unit}</span> : null}
    </p>
  );
}

/** Each source once, with the names of the values it is the source for. */
function Sources({ copy, lang, values }: { copy: Copy; lang: "ja" | "en"; values: ResultValue[] }) {
  const r = copy.results;
  const bySource = new Map<string, ResultValue[]>();
  for (const v of values) {
    if (!v.range) continue;
    const s = v.range.source[lang];
    bySource.set(s, [...(bySource.get(s) ?? []), v]);
  }
  if (bySource.size === 0) return null;
  return (
    <ul class="range-sources" data-testid="range-sources">
      {[...bySource.entries()].map(([s, vs]) => {
        const names: ComponentChildren[] = [];
        vs.forEach((v, i) => {
          if (i > 0) names.push(lang === "ja" ? "・" : ", ");
          names.push(<span key={v.key}>{r.valueName(v.key)}</span>);
        });
        return (
          <li key={s}>
            {names}: {r.source(s)}
          </li>
        );
      })}
    </ul>
  );
}

export function Results({ copy, lang, screen }: Props) {
  const r = copy.results;
  const plain = screen.values.filter((v) => !v.range);
  const ranged = screen.values.filter((v) => v.range);
  return (
    <section class="screen screen-results" data-screen="results">
      <div class="results-head">
        <h1>{r.title}</h1>
        <ParticipantBadge copy={copy} participant={screen.participant} />
        <Points copy={copy} points={screen.points} />
      </div>
      {screen.weight_only ? <p class="lead note-box">{r.weightOnly}</p> : null}
      {plain.length > 0 ? (
        <ul class={ranged.length === 0 ? "values values-plain values-alone" : "values values-plain"}>
          {plain.map((v) => (
            <li key={v.key} class="value-card value-plain" data-key={v.key} data-testid="result-value">
              <span class="value-name">{r.valueName(v.key)}</span>
              <ValueNumber v={v} />
            </li>
          ))}
        </ul>
      ) : null}
      {ranged.length > 0 ? (
        <ul class="values values-ranged">
          {ranged.map((v) =>
            v.range ? (
              <li key={v.key} class="value-card value-ranged" data-key={v.key} data-testid="result-value">
                <div class="value-head">
                  <span class="value-name">{r.valueName(v.key)}</span>
                  <ValueNumber v={v} />
                  <span class={`band-word band-word-${v.range.band}`} data-testid="band-word">
                    {r.bandWord(v.range.band)}
                  </span>
                </div>
                <RangeBar copy={copy} value={v.value} range={v.range} />
              </li>
            ) : null,
          )}
        </ul>
      ) : null}
      <p class="not-diagnosis">{r.notDiagnosis}</p>
      <Sources copy={copy} lang={lang} values={ranged} />
      <h2>{r.trendTitle}</h2>
      <div class="trend-box">
        <TrendChart copy={copy} trend={screen.trend} />
      </div>
    </section>
  );
}
