// Earlier weights as an inline SVG line chart, each point labelled with its value and day
// (the numbers are the information; the line only helps). Deliberately not here: body fat
// (one line keeps it calm) and any judgement of the change.

import type { Copy } from "../copy";
import type { TrendPoint } from "../lib/ipc-types";

const W = 1100;
const H = 300;
const PAD_X = 70;
const TOP = 60;
const BOTTOM = 60;
/** At most this many points are drawn (the latest ones). */
export const MAX_POINTS = 10;

function day(d: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(d);
  return m ? `${Number(m[1])}/${Number(m[2])}` : d;
}

export function TrendChart(props: { copy: Copy; trend: TrendPoint[] }) {
  const { copy } = props;
  const pts = props.trend
    .filter((p): p is TrendPoint & { weight: number } => p.weight !== null)
    .slice(-MAX_POINTS);
  if (pts.length < 2) {
    return (
      <p class="trend-empty" data-testid="trend-empty">
        {copy.results.trendFirst}
      </p>
    );
  }
  const ws = pts.map((p) => p.weight);
  const min = Math.min(...ws) - 1;
  const max = Math.max(...ws) + 1;
  const x = (i: number) => PAD_X + (i * (W - 2 * PAD_X)) / (pts.length - 1);
  const y = (w: number) => TOP + ((max - w) * (H - TOP - BOTTOM)) / (max - min);
  const line = pts.map((p, i) => `${x(i).toFixed(1)},${y(p.weight).toFixed(1)}`).join(" ");
  const last = pts.length - 1;
  return (
    <svg
      class="trend"
      data-testid="trend-chart"
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={pts.map((p) => `${p.day} ${p.weight.toFixed(1)} kg`).join(", ")}
    >
      <line class="trend-axis" x1={PAD_X / 2} x2={W - PAD_X / 2} y1={H - BOTTOM + 10} y2={H - BOTTOM + 10} />
      <polyline class="trend-line" points={line} />
      {pts.map((p, i) => (
        <g key={i}>
          <circle class={i === last ? "trend-dot trend-dot-last" : "trend-dot"} cx={x(i)} cy={y(p.weight)} r={i === last ? 12 : 8} />
          <text class="trend-value" x={x(i)} y={y(p.weight) - 20} text-anchor="middle">
            {p.weight.toFixed(1)}
          </text>
          <text class="trend-day" x={x(i)} y={H - 14} text-anchor="middle">
            {i === last ? copy.results.trendLatest : day(p.day)}
          </text>
        </g>
      ))}
    </svg>
  );
}
