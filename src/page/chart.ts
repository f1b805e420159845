// The small bar chart of recent run durations. Colour is never the only signal: succeeded runs
// stand above the baseline, failed ones hang below it, runs that never ran are a short tick on
// it, and the chart's label says the counts in words.

import { formatDuration } from "../text/duration.js";
import { type Html, html } from "../text/html.js";
import type { RunBar } from "./model.js";

export const CHART = { barWidth: 4, gap: 1, height: 32, baseline: 16, tick: 2 } as const;

export type BarKind = "ok" | "bad" | "other";

export interface BarGeometry {
  kind: BarKind;
  x: number;
  y: number;
  height: number;
}

export function kindOf(outcome: RunBar["outcome"]): BarKind {
  if (outcome === "succeeded") return "ok";
  if (outcome === "failed" || outcome === "timeout" || outcome === "error") return "bad";
  return "other";
}

/** Where each bar goes: heights scale with the longest run shown (at least 1 px when it ran). */
export function barGeometry(bars: readonly RunBar[]): BarGeometry[] {
  const { barWidth, gap, baseline, tick } = CHART;
  const room = baseline - 1;
  const longest = Math.max(1, ...bars.map((b) => b.durationMs ?? 0));
  return bars.map((b, i) => {
    const kind = kindOf(b.outcome);
    const x = i * (barWidth + gap);
    if (kind === "other" || b.durationMs === null)
      return { kind: "other", x, y: baseline - tick / 2, height: tick };
    const height = Math.max(1, Math.round((room * b.durationMs) / longest));
    return kind === "ok"
      ? { kind, x, y: baseline - height, height }
      : { kind, x, y: baseline + 1, height };
  });
}

/** "20 runs: 18 succeeded, 2 failed". */
export function chartLabel(bars: readonly RunBar[]): string {
  if (bars.length === 0) return "no runs yet";
  const counts = new Map<string, number>();
  for (const b of bars) counts.set(b.outcome, (counts.get(b.outcome) ?? 0) + 1);
  const parts = [...counts].map(([outcome, n]) => `${n} ${outcome}`);
  return `${bars.length} run${bars.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

const width = (n: number) => Math.max(1, n) * (CHART.barWidth + CHART.gap);

/** One path per kind: a few hundred bytes per row, so 5,000 rows stay light. */
export function compactChart(bars: readonly RunBar[]): Html {
  const label = chartLabel(bars);
  const paths: Record<BarKind, string[]> = { ok: [], bad: [], other: [] };
  for (const g of barGeometry(bars))
    paths[g.kind].push(`M${g.x} ${g.y}h${CHART.barWidth}v${g.height}h-${CHART.barWidth}z`);
  const w = width(bars.length);
  return html`<svg class="chart" role="img" aria-label="${label}" viewBox="0 0 ${w} ${CHART.height}" width="${w}" height="${CHART.height}"><title>${label}</title><path class="base" d="${`M0 ${CHART.baseline + 0.5}h${w}`}"/>${(["ok", "bad", "other"] as const).map((k) => (paths[k].length ? html`<path class="${k}" d="${paths[k].join("")}"/>` : null))}</svg>`;
}

/** Each bar its own rectangle with a title (outcome, duration, time): for one job's page. */
export function detailedChart(bars: readonly RunBar[], scale = 3): Html {
  const label = chartLabel(bars);
  const w = width(bars.length);
  return html`<svg class="chart big" role="img" aria-label="${label}" viewBox="0 0 ${w} ${CHART.height}" width="${w * scale}" height="${CHART.height * scale}"><title>${label}</title><path class="base" d="${`M0 ${CHART.baseline + 0.5}h${w}`}"/>${barGeometry(
    bars,
  ).map((g, i) => {
    const b = bars[i] as RunBar;
    const title = `${b.outcome}${b.durationMs === null ? "" : `, ${formatDuration(b.durationMs)}`}, ${b.at}`;
    return html`<rect class="${g.kind}" x="${g.x}" y="${g.y}" width="${CHART.barWidth}" height="${g.height}"><title>${title}</title></rect>`;
  })}</svg>`;
}
