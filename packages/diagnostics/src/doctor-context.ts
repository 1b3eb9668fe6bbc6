import type { RunCurves } from './curves.js';
import type { ResolvedThresholds } from './doctor-thresholds.js';
import { lossTrend, stepsPerEpoch, type LossTrend } from './loss-trend.js';
import { lrHistory, type LrHistory } from './lr-history.js';

/** What every rule gets besides the curves: the thresholds and the analyses rules share. */
export interface DoctorContext {
  readonly thresholds: ResolvedThresholds;
  /** The de-noised training loss; undefined when there are too few points to judge a shape. */
  readonly trend: LossTrend | undefined;
  readonly lr: LrHistory;
  readonly stepsPerEpoch: number | undefined;
  /** The run is finished, or far enough along (`minProgress` of its planned epochs) to judge its whole-run shape. */
  readonly judgeShape: boolean;
  /** Training accuracy of the last epoch that has one. */
  readonly finalTrainAccuracy: number | undefined;
  /** Training accuracy >= `nearPerfectAccuracy`, or (without accuracies) final loss <= `lowLossFraction` x initial. */
  readonly converged: boolean;
  /** The 1-based epoch a step belongs to (from the batch points, else the epoch points, else the steps per epoch; 1 when nothing is known). */
  epochOf(step: number): number;
}

/**
 * Builds the shared context of one diagnosis.
 *
 * @example
 * ```ts
 * const ctx = doctorContext(curves, resolveThresholds());
 * ctx.trend?.final; // the de-noised loss at the end
 * ```
 */
export function doctorContext(curves: RunCurves, thresholds: ResolvedThresholds): DoctorContext {
  const lr = lrHistory(curves, thresholds.decayFactor);
  const trend = lossTrend(curves, { minBatchPoints: thresholds.minBatchPoints, minEpochPoints: thresholds.minEpochPoints, start: lr.warmupEnd });
  const perEpoch = stepsPerEpoch(curves);
  const finalTrainAccuracy = [...curves.epochs].reverse().find((e) => e.trainAccuracy !== undefined && Number.isFinite(e.trainAccuracy))?.trainAccuracy;

  let progress = 1;
  if (!curves.finished && curves.plannedEpochs) {
    const lastStep = Math.max(curves.batches[curves.batches.length - 1]?.step ?? 0, curves.epochs[curves.epochs.length - 1]?.step ?? 0);
    progress = perEpoch ? (lastStep + 1) / (perEpoch * curves.plannedEpochs) : curves.epochs.length / curves.plannedEpochs;
  }
  const converged = finalTrainAccuracy !== undefined ? finalTrainAccuracy >= thresholds.nearPerfectAccuracy : trend !== undefined && trend.final <= thresholds.lowLossFraction * trend.initial;

  const batchEpoch = new Map(curves.batches.map((b) => [b.step, b.epoch]));
  const epochOf = (step: number): number => {
    const known = batchEpoch.get(step);
    if (known !== undefined) return known;
    const after = curves.epochs.find((e) => e.step > step);
    if (after) return after.epoch;
    // epoch e covers steps [(e - 1) P, e P)
    if (perEpoch) return Math.floor(step / perEpoch) + 1;
    return curves.epochs[curves.epochs.length - 1]?.epoch ?? 1;
  };
  return { thresholds, trend, lr, stepsPerEpoch: perEpoch, judgeShape: progress >= thresholds.minProgress, finalTrainAccuracy, converged, epochOf };
}
