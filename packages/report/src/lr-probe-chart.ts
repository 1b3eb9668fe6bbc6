import { clampSeries } from './clamp-series.js';
import { ChartError } from './errors.js';
import { distinctSciLabels, formatValue } from './format-number.js';
import { layeredChart, type LayerEntry } from './vega-lite-base.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** One short learning-rate probe: its loss at each iteration, and whether the probe kept it. */
export interface LrProbe {
  lr: number;
  losses: readonly number[];
  kept: boolean;
}

const TITLE = 'Learning-rate probes';

/**
 * The learning-rate probe chart: the loss at each iteration of every probe, one line per learning
 * rate in increasing order, labelled `lr 1e-2 (kept)` or `lr 1e-1 (dropped)`; dropped probes are
 * dashed and faded. A probe that blows up would flatten every other line, so the loss axis stops
 * at twice the largest first loss and higher losses run along its top edge (the subtitle says so). NaN or
 * infinite losses are not drawn.
 *
 * @example
 * ```ts
 * await writeVegaLite('runs/7/lr-probes', lrProbeChart([
 *   { lr: 1e-3, losses: [2.3, 2.2, 2.1], kept: true },
 *   { lr: 1e-1, losses: [2.3, 4.0, 9.5], kept: false },
 * ]));
 * ```
 */
export function lrProbeChart(probes: readonly LrProbe[]): VegaLiteSpec {
  if (probes.length === 0) throw new ChartError(TITLE, 'no probes to plot; pass at least one { lr, losses, kept }.');
  const seen = new Set<number>();
  for (const [i, p] of probes.entries()) {
    if (!(Number.isFinite(p.lr) && p.lr > 0)) throw new ChartError(TITLE, `probes[${i}].lr must be a positive number, got ${p.lr}.`);
    if (seen.has(p.lr)) throw new ChartError(TITLE, `probes[${i}]: lr ${p.lr} appears twice; give each probe its own learning rate.`);
    seen.add(p.lr);
  }
  const sorted = [...probes].sort((a, b) => a.lr - b.lr);
  const lrLabels = distinctSciLabels(sorted.map((p) => p.lr));
  const label = (p: LrProbe) => `lr ${lrLabels.get(p.lr)} (${p.kept ? 'kept' : 'dropped'})`;
  const finite = sorted.map((p) => p.losses.flatMap((loss, i) => (Number.isFinite(loss) ? [{ x: i + 1, y: loss }] : [])));
  if (finite.every((f) => f.length === 0)) {
    throw new ChartError(TITLE, `nothing to draw: every loss of the ${probes.length} probes is NaN or infinite.`);
  }
  const cap = 2 * Math.max(...finite.flatMap((f) => f.slice(0, 1).map((p) => p.y)));
  const cut = cap > 0 && finite.some((f) => f.some((p) => p.y > cap));
  const minLoss = finite.reduce((m, f) => f.reduce((mm, p) => Math.min(mm, p.y), m), Infinity);
  const rows = sorted.flatMap((p, k) =>
    (cut ? clampSeries(finite[k], cap) : finite[k]).map((q) => ({ probe: label(p), kept: p.kept, iteration: q.x, loss: q.y })),
  );
  const y = {
    field: 'loss',
    type: 'quantitative',
    title: 'loss',
    scale: cut ? { domain: [minLoss, cap] } : { zero: false },
  } as const;
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration', axis: { tickMinStep: 1 } } as const;
  const color = { field: 'probe', type: 'nominal', title: null, scale: { domain: sorted.map(label), scheme: 'viridis' } } as const;
  const layer = (kept: boolean): LayerEntry => ({
    data: { values: rows.filter((r) => r.kept === kept) },
    mark: kept
      ? { type: 'line', strokeWidth: 2, point: { size: 16, filled: true } }
      : { type: 'line', strokeWidth: 1.5, strokeDash: [6, 4], opacity: 0.5 },
    encoding: { x, y, color },
  });
  const layers = [false, true].filter((kept) => rows.some((r) => r.kept === kept)).map(layer);
  const subtitle = cut ? `losses above ${formatValue(cap)} (twice the largest first loss) are drawn at the top edge` : undefined;
  return layeredChart({ title: TITLE, subtitle, width: 560, height: 320, layer: layers });
}
