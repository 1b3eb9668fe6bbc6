import type { RunCurves } from './curves.js';
import { interpolate, median, movingMedian } from './smooth.js';

/**
 * The training loss of a run, de-noised, with the positions the rules compare. Built from the
 * batch losses when there are enough of them, else from the epoch means (placed mid-epoch).
 */
export interface LossTrend {
  readonly source: 'batch' | 'epoch';
  /** Step of each point (epoch means: the middle of their epoch). */
  readonly steps: readonly number[];
  readonly raw: readonly number[];
  /** Centered moving median of `raw` (epoch means: `raw` itself). */
  readonly smooth: readonly number[];
  /** The loss at the start of training: the first batch loss (before any update); for epoch points ln(classes), else the first epoch mean. */
  readonly initial: number;
  /** First step judged: where warmup ended, else the first point. */
  readonly start: number;
  /** Last point's step. */
  readonly end: number;
  /** The loss at the end: batch points, the median over the last 10% of the run; epoch points, the last epoch mean. */
  readonly final: number;
  /** The step `fraction` of the way from `start` to `end`. */
  stepAt(fraction: number): number;
  /** Typical loss around `step`: median of the raw losses in a window of about 5% of the points (one-sided at the ends); epoch points: interpolated. */
  levelAt(step: number): number;
  /** Median (epoch points: mean) of the raw losses with `from <= step < to`; the level at the middle when there are none. */
  levelBetween(from: number, to: number): number;
}

/**
 * The loss trend of a run, or undefined when it has too few finite losses to judge a shape.
 *
 * @example
 * ```ts
 * const trend = lossTrend(curves, { minBatchPoints: 50, minEpochPoints: 4, start: 0 });
 * trend && trend.levelAt(trend.stepAt(0.5)); // the loss half-way through the run
 * ```
 */
export function lossTrend(curves: RunCurves, options: { minBatchPoints: number; minEpochPoints: number; start: number }): LossTrend | undefined {
  const batches = curves.batches.filter((b) => Number.isFinite(b.loss));
  if (batches.length >= options.minBatchPoints) return batchTrend(batches.map((b) => b.step), batches.map((b) => b.loss), options.start);
  const epochs = curves.epochs.filter((e) => Number.isFinite(e.trainLoss));
  if (epochs.length >= options.minEpochPoints) {
    const perEpoch = stepsPerEpoch(curves);
    const steps = epochs.map((e) => (perEpoch ? e.step - perEpoch / 2 : e.step));
    const raw = epochs.map((e) => e.trainLoss);
    const classes = curves.classes;
    if (classes && classes > 1 && steps[0]! > 0) {
      steps.unshift(0);
      raw.unshift(Math.log(classes));
    }
    return epochTrend(steps, raw, options.start);
  }
  return undefined;
}

/** Steps of one epoch: the median difference of consecutive epoch steps, else the step count of the first epoch (epoch 1). */
export function stepsPerEpoch(curves: RunCurves): number | undefined {
  const e = curves.epochs;
  const diffs: number[] = [];
  for (let i = 1; i < e.length; i++) if (e[i]!.epoch === e[i - 1]!.epoch + 1) diffs.push(e[i]!.step - e[i - 1]!.step);
  const fromEpochs = diffs.length ? median(diffs) : e[0] && e[0].epoch === 1 ? e[0].step : NaN;
  if (fromEpochs > 0) return fromEpochs;
  const b = curves.batches;
  if (b.length > 1 && b[b.length - 1]!.epoch > b[0]!.epoch) {
    const epochStarts = b.filter((x, i) => i > 0 && x.epoch !== b[i - 1]!.epoch);
    if (epochStarts.length >= 2) return median(epochStarts.slice(1).map((x, i) => x.step - epochStarts[i]!.step));
  }
  return undefined;
}

function clampStart(steps: readonly number[], start: number): number {
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  return Math.min(Math.max(start, first), first + (last - first) / 2);
}

function batchTrend(steps: number[], raw: number[], warmupEnd: number): LossTrend {
  const n = raw.length;
  const half = Math.max(2, Math.round(n / 40));
  const smooth = movingMedian(raw, Math.max(5, Math.round(n / 20)));
  const start = clampStart(steps, warmupEnd);
  const end = steps[n - 1]!;
  const nearest = (step: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (steps[mid]! <= step) lo = mid;
      else hi = mid;
    }
    return Math.abs(steps[hi]! - step) < Math.abs(steps[lo]! - step) ? hi : lo;
  };
  const levelAt = (step: number): number => {
    const i = nearest(step);
    const lo = Math.max(0, Math.min(i - half, n - 1 - 2 * half));
    return median(raw.slice(lo, Math.min(n, lo + 2 * half + 1)));
  };
  const levelBetween = (from: number, to: number): number => {
    const inside = raw.filter((_, i) => steps[i]! >= from && steps[i]! < to);
    return inside.length ? median(inside) : levelAt((from + to) / 2);
  };
  const stepAt = (fraction: number) => start + fraction * (end - start);
  return {
    source: 'batch',
    steps,
    raw,
    smooth,
    initial: raw[0]!,
    start,
    end,
    final: levelBetween(stepAt(0.9), end + 1),
    stepAt,
    levelAt,
    levelBetween,
  };
}

function epochTrend(steps: number[], raw: number[], warmupEnd: number): LossTrend {
  const start = clampStart(steps, warmupEnd);
  const end = steps[steps.length - 1]!;
  const levelAt = (step: number): number => interpolate(steps, raw, step);
  return {
    source: 'epoch',
    steps,
    raw,
    smooth: raw,
    initial: raw[0]!,
    start,
    end,
    final: raw[raw.length - 1]!,
    stepAt: (fraction) => start + fraction * (end - start),
    levelAt,
    levelBetween: (from, to) => {
      const inside = raw.filter((_, i) => steps[i]! >= from && steps[i]! < to);
      return inside.length ? inside.reduce((a, b) => a + b, 0) / inside.length : levelAt((from + to) / 2);
    },
  };
}
