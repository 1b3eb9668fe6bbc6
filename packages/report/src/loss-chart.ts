import { ChartError } from './errors.js';
import type { ChartSeries, LineChartSpec } from './types.js';

/** One epoch's training loss: mean and standard deviation over its batches, and the validation loss. */
export interface EpochLoss {
  /** Epoch number, counted from 1. */
  epoch: number;
  mean: number;
  std: number;
  /** The epoch's smallest and largest batch loss: the ±std band never leaves them (a loss band below zero is not data). */
  min?: number;
  max?: number;
  valLoss?: number;
}

/** One optimizer step's batch loss; `step` counts from 1 over the whole run. */
export interface BatchLoss {
  step: number;
  loss: number;
}

const TITLE = 'Training loss';

/**
 * The training-loss chart: per-epoch mean batch loss with a ±1 std band, the validation loss when
 * present, and (when `batches` are given) every batch loss as faint points on the same axis in
 * epochs, at `step / stepsPerEpoch` — so the last batch of epoch e sits at x = e, under that
 * epoch's mean. `stepsPerEpoch` defaults to the largest step over the largest epoch number.
 * NaN or infinite losses (a diverged run) are left out of the drawing, not an error.
 *
 * @example
 * ```ts
 * await writeChart('runs/7/loss', lossChart([{ epoch: 1, mean: 0.9, std: 0.2, valLoss: 0.8 }, { epoch: 2, mean: 0.5, std: 0.1 }]));
 * ```
 */
export function lossChart(
  epochs: readonly EpochLoss[],
  batches: readonly BatchLoss[] = [],
  stepsPerEpoch?: number,
): LineChartSpec {
  if (epochs.length === 0) throw new ChartError(TITLE, 'no epochs to plot; pass at least one epoch summary.');
  const series: ChartSeries[] = [
    {
      name: 'train loss (mean ± std)',
      mark: 'line+points',
      band: true,
      points: epochs.map((e) => ({ x: e.epoch, y: e.mean, lo: Math.max(e.mean - e.std, e.min ?? -Infinity), hi: Math.min(e.mean + e.std, e.max ?? Infinity) })),
    },
  ];
  const val = epochs.filter((e) => e.valLoss !== undefined);
  if (val.length > 0) {
    series.push({ name: 'val loss', mark: 'line+points', points: val.map((e) => ({ x: e.epoch, y: e.valLoss as number })) });
  }
  if (batches.length > 0) {
    const perEpoch = stepsPerEpoch ?? Math.max(...batches.map((b) => b.step)) / Math.max(...epochs.map((e) => e.epoch));
    if (!(Number.isFinite(perEpoch) && perEpoch > 0)) {
      throw new ChartError(TITLE, `stepsPerEpoch must be a positive number, got ${perEpoch}; pass it explicitly or check the batch steps and epoch numbers.`);
    }
    series.push({
      name: 'batch loss',
      mark: 'points',
      opacity: 0.3,
      points: batches.map((b) => ({ x: b.step / perEpoch, y: b.loss })),
    });
  }
  return { title: TITLE, x: { label: 'epoch', integer: true }, y: { label: 'loss' }, series };
}
