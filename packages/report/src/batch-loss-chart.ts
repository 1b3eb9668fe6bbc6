import { ChartError } from './errors.js';
import { formatValue } from './format-number.js';
import { layersOf, type LayerEntry } from './vega-lite-base.js';
import { lineChartVegaLite } from './vega-lite-spec.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** Options of batchLossChart. */
export interface BatchLossChartOptions {
  /** EMA smoothing factor in [0, 1): 0 draws the raw loss again, 0.99 is very smooth; default 0.9. */
  smoothing?: number;
  /** Default `'Batch loss'`. */
  title?: string;
  /** Steps per epoch: draws a faint dashed rule at every epoch boundary (up to 60 of them). */
  epochSteps?: number;
  /** Logarithmic loss axis (losses <= 0 are then left out); default false. */
  logY?: boolean;
}

const MAX_EPOCH_RULES = 60;

/**
 * Exponential moving average with bias correction (the `1 - β^t` divisor Adam uses), so the
 * first values are not pulled towards 0: `s_t = β s_{t-1} + (1-β) v_t`, output `s_t / (1 - β^t)`.
 * NaN or infinite values give NaN at their position and leave the average untouched.
 *
 * @example
 * ```ts
 * debiasedEma([1, 0, 0], 0.5); // [1, 1/3, 1/7]
 * ```
 */
export function debiasedEma(values: readonly number[], smoothing: number): number[] {
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new ChartError('(ema)', `smoothing must be in [0, 1), got ${smoothing}.`);
  }
  let average = 0;
  let weight = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    average = smoothing * average + (1 - smoothing) * v;
    weight = smoothing * weight + (1 - smoothing);
    return average / weight;
  });
}

/**
 * The per-batch loss chart: every batch loss as a faint line and its bias-corrected EMA (see
 * debiasedEma) as the line to read, over optimizer steps; with `epochSteps`, dashed rules mark
 * the epoch boundaries. Points are taken in step order; NaN or infinite losses are not drawn.
 *
 * @example
 * ```ts
 * await writeVegaLite('runs/7/batch-loss', batchLossChart(batches, { smoothing: 0.95, epochSteps: 469 }));
 * ```
 */
export function batchLossChart(
  points: readonly { step: number; loss: number }[],
  options: BatchLossChartOptions = {},
): VegaLiteSpec {
  const title = options.title ?? 'Batch loss';
  const smoothing = options.smoothing ?? 0.9;
  if (points.length === 0) throw new ChartError(title, 'no batch losses to plot; pass at least one { step, loss }.');
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new ChartError(title, `options.smoothing must be in [0, 1), got ${smoothing}; 0.9 is a good start.`);
  }
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const smoothed = debiasedEma(sorted.map((p) => p.loss), smoothing);
  const base = lineChartVegaLite({
    title,
    x: { label: 'step' },
    y: { label: 'loss', log: options.logY },
    series: [
      { name: 'batch loss', mark: 'line', opacity: 0.25, points: sorted.map((p) => ({ x: p.step, y: p.loss })) },
      { name: `EMA (smoothing ${formatValue(smoothing)})`, mark: 'line', points: sorted.map((p, i) => ({ x: p.step, y: smoothed[i] })) },
    ],
  });
  const rules = epochRules(title, sorted, options.epochSteps);
  if (rules.length === 0) return base;
  const rule: LayerEntry = {
    data: { values: rules.map((x) => ({ x })) },
    mark: { type: 'rule', color: '#999', strokeDash: [4, 4], opacity: 0.6, aria: false },
    encoding: { x: { field: 'x', type: 'quantitative', title: 'step' } },
  };
  return {
    ...base,
    title: { text: title, subtitle: `dashed: epoch boundaries (${options.epochSteps} steps per epoch)` },
    layer: [rule, ...layersOf(base)],
  } as VegaLiteSpec;
}

function epochRules(title: string, sorted: readonly { step: number }[], epochSteps: number | undefined): number[] {
  if (epochSteps === undefined) return [];
  if (!(Number.isFinite(epochSteps) && epochSteps > 0)) {
    throw new ChartError(title, `options.epochSteps must be a positive number of steps, got ${epochSteps}.`);
  }
  const first = sorted[0].step;
  const last = sorted[sorted.length - 1].step;
  const out: number[] = [];
  for (let k = Math.ceil(first / epochSteps); k * epochSteps <= last; k++) {
    if (k * epochSteps > first) out.push(k * epochSteps);
    if (out.length > MAX_EPOCH_RULES) return [];
  }
  return out;
}
