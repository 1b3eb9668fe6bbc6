import { clampSeries } from './clamp-series.js';
import { ChartError } from './errors.js';
import { decadeTicks, formatSci, formatValue } from './format-number.js';
import { referenceRuleLayers, type ReferenceRule } from './reference-rules.js';
import { layeredChart, type LayerEntry } from './vega-lite-base.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** A learning-rate range test: loss per learning rate, its smoothed version and the picks. */
export interface RangeTest {
  lrs: readonly number[];
  losses: readonly number[];
  smoothed: readonly number[];
  /** The learning rate the test recommends. */
  suggested?: number;
  /** Where the smoothed loss falls fastest. */
  steepest?: number;
  /** Where the smoothed loss is lowest. */
  minimum?: number;
}

const TITLE = 'Learning-rate range test';

interface Point {
  lr: number;
  loss: number;
}

/**
 * The range-test chart: loss against learning rate on a log axis, the raw loss faint and the
 * smoothed loss bold, with labelled vertical rules at the suggested learning rate (and at the
 * steepest descent and the minimum when given). The loss axis stops a little above the highest
 * loss seen before the smoothed minimum, so the divergence at the end does not squash the part
 * worth reading; higher losses run along the top edge (the subtitle says so). NaN or infinite losses and
 * learning rates <= 0 are not drawn.
 *
 * @example
 * ```ts
 * await writeVegaLite('runs/7/range-test', rangeTestChart({ lrs, losses, smoothed, suggested: 3e-3 }));
 * ```
 */
export function rangeTestChart(test: RangeTest): VegaLiteSpec {
  const n = test.lrs.length;
  if (n === 0) throw new ChartError(TITLE, 'no learning rates to plot; the range test recorded nothing.');
  if (test.losses.length !== n || test.smoothed.length !== n) {
    throw new ChartError(TITLE, `lrs, losses and smoothed must have the same length, got ${n}, ${test.losses.length}, ${test.smoothed.length}.`);
  }
  const ok = (lr: number, loss: number) => Number.isFinite(lr) && lr > 0 && Number.isFinite(loss);
  const pick = (ys: readonly number[]) =>
    test.lrs.flatMap((lr, i) => (ok(lr, ys[i]) ? [{ lr, loss: ys[i] }] : [])).sort((a, b) => a.lr - b.lr);
  const raw = pick(test.losses);
  const smooth = pick(test.smoothed);
  if (raw.length + smooth.length === 0) throw new ChartError(TITLE, `nothing to draw: none of the ${n} points has a finite loss and an lr > 0.`);
  const cap = lossCap(raw, smooth);
  const all = [...raw, ...smooth];
  const cut = cap !== undefined && all.some((p) => p.loss > cap);
  const minLoss = all.reduce((m, p) => Math.min(m, p.loss), Infinity);
  const rules = pickRules(test);
  const lrValues = [...all.map((p) => p.lr), ...rules.map((r) => r.value)];
  const ticks = decadeTicks(lrValues.reduce((m, v) => Math.min(m, v)), lrValues.reduce((m, v) => Math.max(m, v)));
  const x = { field: 'lr', type: 'quantitative', title: 'learning rate', scale: { type: 'log' }, axis: { values: ticks, format: '~e' } } as const;
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: cut ? { domain: [minLoss, cap] } : { zero: false } } as const;
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: ['loss', 'smoothed loss'], range: ['#9ecae1', '#1f77b4'] } } as const;
  const values = (points: Point[], series: string) => {
    const xy = points.map((p) => ({ x: p.lr, y: p.loss }));
    const drawn = cut ? clampSeries(xy, cap, Math.log10, (u) => 10 ** u) : xy;
    return drawn.map((p) => ({ lr: p.x, loss: p.y, series }));
  };
  const layer: LayerEntry[] = [];
  if (raw.length > 0) layer.push({ data: { values: values(raw, 'loss') }, mark: { type: 'line', strokeWidth: 1, opacity: 0.7 }, encoding: { x, y, color } });
  if (smooth.length > 0) layer.push({ data: { values: values(smooth, 'smoothed loss') }, mark: { type: 'line', strokeWidth: 2.5 }, encoding: { x, y, color } });
  if (rules.length > 0) layer.push(...referenceRuleLayers('x', 'lr', rules));
  const subtitle = cut ? `losses above ${formatValue(cap)} are drawn at the top edge` : undefined;
  return layeredChart({ title: TITLE, subtitle, width: 560, height: 320, layer });
}

/** 1.1 x the highest loss up to where the smoothed loss is lowest; undefined when no cap applies. */
function lossCap(raw: readonly Point[], smooth: readonly Point[]): number | undefined {
  if (smooth.length === 0) return undefined;
  const best = smooth.reduce((b, p) => (p.loss < b.loss ? p : b));
  const top = [...raw, ...smooth].filter((p) => p.lr <= best.lr).reduce((m, p) => Math.max(m, p.loss), -Infinity);
  return Number.isFinite(top) && top > 0 ? 1.1 * top : undefined;
}

function pickRules(test: RangeTest): ReferenceRule[] {
  const picks: [string, number | undefined, string, number[] | undefined][] = [
    ['suggested', test.suggested, '#d62728', undefined],
    ['steepest', test.steepest, '#ff7f0e', [5, 3]],
    ['minimum', test.minimum, '#555', [2, 3]],
  ];
  return picks.flatMap(([name, value, color, dash]) => {
    if (value === undefined) return [];
    if (!(Number.isFinite(value) && value > 0)) throw new ChartError(TITLE, `${name} must be a learning rate > 0, got ${value}.`);
    return [{ value, label: `${name} ${formatSci(value)}`, color, dash }];
  });
}
