// Results: every value with its unit, its band in words and a range bar; the weight trend;
// the points (waiting "…", earned and balance, or "later"); "終わる".

import type { Copy } from "../copy";
import type { PointsView, Screen } from "../lib/ipc-types";
import { ParticipantBadge } from "../components/ParticipantBadge";
import { RangeBar } from "../components/RangeBar";
import { TrendChart } from "../components/TrendChart";

type Props = { copy: Copy; lang: "ja" | "en"; screen: Extract<Screen, { screen: "results" }> };

function Points({ copy, points }: { copy: Copy; points: PointsView }) {
  const r = copy.results;
  return (
    <div class="points" data-testid="points" data-status={points.status} aria-live="polite">
      <span class="points-title">{r.pointsTitle}</span>
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

export function Results({ copy, lang, screen }: Props) {
  const r = copy.results;
  return (
    <section class="screen screen-results" data-screen="results">
      <div class="results-head">
        <h1>{r.title}</h1>
        <ParticipantBadge copy={copy} participant={screen.participant} />
      </div>
      {screen.weight_only ? <p class="lead note-box">{r.weightOnly}</p> : null}
      <Points copy={copy} points={screen.points} />
      <ul class="values">
        {screen.values.map((v) => (
          <li key={v.key} class="value-card" data-key={v.key} data-testid="result-value">
            <div class="value-head">
              <span class="value-name">{r.valueName(v.key)}</span>
              {v.range ? (
                <span class={`band-word band-word-${v.range.band}`} data-testid="band-word">
                  {r.bandLabel}: {r.band(v.range.band)}
                </span>
              ) : null}
            </div>
            <p class="value-number">
              <span class="number">{v.value.toFixed(v.decimals)}</span>
              {v.unit ? <span class="unit">{v.unit}</span> : null}
            </p>
            {v.range ? (
              <>
                <RangeBar copy={copy} value={v.value} range={v.range} />
                <p class="range-source">{r.source(v.range.source[lang])}</p>
              </>
            ) : (
              <p class="range-none">{r.noRange}</p>
            )}
          </li>
        ))}
      </ul>
      <p>{r.notDiagnosis}</p>
      <h2>{r.trendTitle}</h2>
      <div class="trend-box">
        <TrendChart copy={copy} trend={screen.trend} />
      </div>
    </section>
  );
}
