import type { RunCurves } from './curves.js';

/** One lr decay: the lr fell by at least the decay factor between two consecutive points. */
export interface LrDecay {
  /** First step run at the lower lr (for epoch points: the first step of the epoch that ended lower). */
  readonly step: number;
  /** The (1-based) epoch of that step. */
  readonly epoch: number;
  readonly before: number;
  readonly after: number;
}

/** The learning rate over a run, as the doctor's rules need it. */
export interface LrHistory {
  /** Where the values come from: batch points, epoch points, or nowhere (no lr logged). */
  readonly source: 'batch' | 'epoch' | 'none';
  readonly steps: readonly number[];
  readonly values: readonly number[];
  /** Largest lr of the run (NaN without values). */
  readonly max: number;
  /** First step at >= 90% of the largest lr when the run starts below half of it (warmup), else the first step. */
  readonly warmupEnd: number;
  /** Drops by at least the decay factor after warmup; consecutive drops are merged into one. */
  readonly decays: readonly LrDecay[];
  /** After warmup the lr never fell below half its maximum; undefined without lr values. */
  readonly constant: boolean | undefined;
}

/**
 * The lr history of a run: from the batch points when there are any, else from the epoch points'
 * `lr`.
 *
 * @example
 * ```ts
 * lrHistory(curves, 2).decays; // [{ step: 125, epoch: 2, before: 0.1, after: 0.01 }] (125 steps per epoch: the start of epoch 2)
 * ```
 */
export function lrHistory(curves: RunCurves, decayFactor: number): LrHistory {
  let steps: number[];
  let values: number[];
  let epochs: number[];
  let source: LrHistory['source'];
  if (curves.batches.length > 0) {
    source = 'batch';
    steps = curves.batches.map((b) => b.step);
    values = curves.batches.map((b) => b.lr);
    epochs = curves.batches.map((b) => b.epoch);
  } else {
    const withLr = curves.epochs.filter((e) => e.lr !== undefined && Number.isFinite(e.lr));
    source = withLr.length ? 'epoch' : 'none';
    steps = withLr.map((e) => e.step);
    values = withLr.map((e) => e.lr!);
    epochs = withLr.map((e) => e.epoch);
  }
  if (values.length === 0) return { source: 'none', steps: [], values: [], max: NaN, warmupEnd: curves.batches[0]?.step ?? 0, decays: [], constant: undefined };

  const max = Math.max(...values);
  let warmupIndex = 0;
  if (values[0]! < 0.5 * max) warmupIndex = Math.max(0, values.findIndex((v) => v >= 0.9 * max));
  // Epoch points: warmup ended during the epoch of point `warmupIndex`, which started where the previous one ended (step 0 for the first).
  const warmupEnd = source === 'epoch' ? (warmupIndex > 0 ? steps[warmupIndex - 1]! : 0) : steps[warmupIndex]!;

  const decays: LrDecay[] = [];
  let previousWasDecay = false;
  for (let i = Math.max(1, warmupIndex + 1); i < values.length; i++) {
    const before = values[i - 1]!;
    const after = values[i]!;
    const isDecay = before > 0 && after <= before / decayFactor;
    if (isDecay && previousWasDecay) {
      const last = decays[decays.length - 1]!;
      decays[decays.length - 1] = { ...last, after };
    } else if (isDecay) {
      // For epoch points the drop happened at the start of epoch i: the step the previous epoch ended at.
      decays.push(source === 'epoch' ? { step: steps[i - 1]!, epoch: epochs[i]!, before, after } : { step: steps[i]!, epoch: epochs[i]!, before, after });
    }
    previousWasDecay = isDecay;
  }
  const afterWarmup = values.slice(warmupIndex);
  const constant = Math.min(...afterWarmup) >= 0.5 * max;
  return { source, steps, values, max, warmupEnd, decays, constant };
}
