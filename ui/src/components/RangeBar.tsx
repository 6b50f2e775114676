// A value's place among its published bands: one equal-width segment per band, each labelled
// in words, the cut points written between them and a marker (▼ and a bold outline) at the
// value — never colour alone. Deliberately not here: which band a value is in (the runtime
// decides, kiosk/src/ranges.rs).

import type { Copy } from "../copy";
import type { RangeView } from "../lib/ipc-types";

/** Where the marker sits along the bar, 0..1. */
export function markerPosition(value: number, range: RangeView): number {
  const n = range.bands.length;
  if (n === 0) return 0.5;
  let i = range.bands.indexOf(range.band);
  if (i < 0) {
    i = range.bounds.findIndex((b) => value < b);
    if (i < 0) i = n - 1;
  }
  const b = range.bounds;
  const inner = b.length >= 2 ? (b[b.length - 1] - b[0]) / (b.length - 1) : Math.abs(b[0] ?? 1) * 0.3 || 1;
  const lo = i === 0 ? (b[0] ?? value) - inner : b[i - 1];
  const hi = i === n - 1 ? (b[b.length - 1] ?? value) + inner : b[i];
  const frac = hi > lo ? (value - lo) / (hi - lo) : 0.5;
  return (i + Math.min(0.92, Math.max(0.08, frac))) / n;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function RangeBar(props: { copy: Copy; value: number; range: RangeView }) {
  const { copy, value, range } = props;
  const pos = markerPosition(value, range);
  return (
    <div class="range" data-testid="range-bar">
      <div class="range-marker-row" aria-hidden="true">
        <span class="range-marker" style={{ left: `${(pos * 100).toFixed(2)}%` }}>
          ▼
        </span>
      </div>
      <div class="range-bar">
        {range.bands.map((band) => (
          <div
            key={band}
            class={`range-seg band-${band}${band === range.band ? " range-seg-current" : ""}`}
            aria-current={band === range.band ? "true" : undefined}
          >
            {band === range.band ? "✓\u2009" : ""}
            {copy.results.band(band)}
          </div>
        ))}
      </div>
      <div class="range-bounds" aria-hidden="true">
        {range.bounds.map((b, i) => (
          <span key={i} class="range-bound" style={{ left: `${(((i + 1) / range.bands.length) * 100).toFixed(2)}%` }}>
            {fmt(b)}
          </span>
        ))}
      </div>
    </div>
  );
}
