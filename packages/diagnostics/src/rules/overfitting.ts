import type { EpochPoint, RunCurves } from '../curves.js';
import type { DoctorContext } from '../doctor-context.js';
import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';

const ID = 'overfitting';

/** The numbers behind overfitting: the best validation epoch and how far the end fell from it. */
export interface ValidationDecline {
  readonly metric: 'accuracy' | 'loss';
  /** The epoch with the best 3-epoch mean of the metric, and that mean. */
  readonly best: EpochPoint;
  readonly bestValue: number;
  /** The single epoch with the best value (the one to restore), and its value. */
  readonly bestSingle: EpochPoint;
  readonly final: EpochPoint;
  readonly finalValue: number;
  /** Accuracy: best mean - final; loss: final / best mean - 1. */
  readonly decline: number;
  /** At least `overfitPatience` epochs after the best, none of the last that many better than the best mean. */
  readonly stalled: boolean;
  /** Train minus validation accuracy at the end (undefined without accuracies). */
  readonly gap: number | undefined;
  /** Why it fires: validation got worse, or it stalled with a wide train/validation gap. */
  readonly reason: 'decline' | 'gap' | undefined;
  readonly fires: boolean;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/**
 * How validation `metric` declined since its best, with training still improving. The best is
 * judged on 3-epoch means, so one lucky epoch does not make every later one look worse.
 */
function decline(epochs: readonly EpochPoint[], metric: 'accuracy' | 'loss', ctx: DoctorContext): ValidationDecline | undefined {
  const th = ctx.thresholds;
  const value = (e: EpochPoint) => (metric === 'accuracy' ? e.valAccuracy : e.valLoss);
  const points = epochs.filter((e) => finite(value(e)) && Number.isFinite(e.trainLoss));
  if (points.length < Math.max(th.minEpochPoints, th.overfitPatience + 1)) return undefined;
  const values = points.map((e) => value(e)!);
  const means = values.map((_, i) => {
    const window = values.slice(Math.max(0, i - 1), i + 2);
    return window.reduce((a, b) => a + b, 0) / window.length;
  });
  const better = (a: number, b: number) => (metric === 'accuracy' ? a > b : a < b);
  let bestIndex = 0;
  let singleIndex = 0;
  for (let i = 1; i < points.length; i++) {
    if (better(means[i]!, means[bestIndex]!)) bestIndex = i;
    if (better(values[i]!, values[singleIndex]!)) singleIndex = i;
  }
  const best = points[bestIndex]!;
  const bestValue = means[bestIndex]!;
  const final = points[points.length - 1]!;
  const finalValue = values[values.length - 1]!;
  const worseBy = (x: number) => (metric === 'accuracy' ? bestValue - x : x / bestValue - 1);
  const threshold = metric === 'accuracy' ? th.overfitAccuracyDrop : th.overfitLossRise;
  // Sustained: at least `overfitPatience` epochs after the best, each of the last that many at least half the threshold worse.
  const sustained = points.length - 1 - bestIndex >= th.overfitPatience && values.slice(-th.overfitPatience).every((x) => worseBy(x) >= threshold / 2);
  const trainImproved = final.trainLoss < 0.9 * best.trainLoss || (finite(final.trainAccuracy) && finite(best.trainAccuracy) && final.trainAccuracy > best.trainAccuracy + 0.002);
  const amount = worseBy(finalValue);
  const stalled = points.length - 1 - bestIndex >= th.overfitPatience && values.slice(-th.overfitPatience).every((x) => worseBy(x) >= 0);
  const gap = finite(final.trainAccuracy) && finite(final.valAccuracy) ? final.trainAccuracy - final.valAccuracy : undefined;
  const declines = amount >= threshold - 1e-9 && sustained && trainImproved;
  const gapped = gap !== undefined && gap >= th.overfitGap && stalled && trainImproved;
  const reason = declines ? 'decline' : gapped ? 'gap' : undefined;
  return { metric, best, bestValue, bestSingle: points[singleIndex]!, final, finalValue, decline: amount, stalled, gap, reason, fires: reason !== undefined };
}

/**
 * Measures the decline of validation accuracy and loss from their best epochs. Returns the one
 * that fires (a decline of accuracy, then of loss, then a stalled loss or accuracy with a wide
 * train/validation gap), else the accuracy measure; undefined without enough validation epochs.
 *
 * @example
 * ```ts
 * validationDecline(curves, ctx)?.bestSingle.epoch; // the epoch to restore
 * ```
 */
export function validationDecline(curves: RunCurves, ctx: DoctorContext): ValidationDecline | undefined {
  const byAccuracy = decline(curves.epochs, 'accuracy', ctx);
  const byLoss = decline(curves.epochs, 'loss', ctx);
  return [byAccuracy, byLoss].find((m) => m?.reason === 'decline') ?? [byLoss, byAccuracy].find((m) => m?.reason === 'gap') ?? byAccuracy ?? byLoss;
}

/**
 * `overfitting` (warning): while training kept improving, validation accuracy ended
 * `overfitAccuracyDrop` below its best 3-epoch mean (or validation loss `overfitLossRise` above
 * its lowest 3-epoch mean), each of the last `overfitPatience` epochs at least half that worse;
 * or validation stalled (no better than its best 3-epoch mean for `overfitPatience` epochs) with
 * training accuracy `overfitGap` above validation accuracy. Suggests regularization, more data,
 * early stopping / restoring the best epoch.
 */
export const overfittingRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    const m = validationDecline(curves, ctx);
    if (!m?.fires) return [];
    const { best, final, bestSingle } = m;
    const single = m.metric === 'accuracy' ? bestSingle.valAccuracy! : bestSingle.valLoss!;
    const around = `around epoch ${best.epoch} (${v(m.bestValue)}, mean of 3 epochs; best single epoch ${bestSingle.epoch}: ${v(single)})`;
    const name = m.metric === 'accuracy' ? 'accuracy' : 'loss';
    const evidence =
      m.reason === 'gap'
        ? [`Validation ${name} has not improved since ${around}: ${v(m.finalValue)} in epoch ${final.epoch}.`]
        : m.metric === 'accuracy'
          ? [`Validation accuracy peaked ${around} and ended at ${v(m.finalValue)} in epoch ${final.epoch} (-${v(m.decline)}).`]
          : [`Validation loss bottomed out ${around} and rose to ${v(m.finalValue)} by epoch ${final.epoch} (+${pct(m.decline)}).`];
    evidence.push(
      final.trainLoss < best.trainLoss || !finite(final.trainAccuracy) || !finite(best.trainAccuracy)
        ? `Meanwhile the training loss kept falling: ${v(best.trainLoss)} -> ${v(final.trainLoss)}.`
        : `Meanwhile the training accuracy kept rising: ${v(best.trainAccuracy)} -> ${v(final.trainAccuracy)}.`,
    );
    if (m.gap !== undefined) evidence.push(`Train/validation accuracy gap at the end: ${v(m.gap)} (${v(final.trainAccuracy!)} vs ${v(final.valAccuracy!)}).`);
    else if (finite(final.valLoss)) evidence.push(`Train/validation loss gap at the end: ${v(final.trainLoss)} vs ${v(final.valLoss)}.`);
    const finding: Finding = {
      id: ID,
      severity: 'warning',
      title: m.reason === 'gap' ? 'Overfitting: validation stalled far below training' : 'Overfitting: validation got worse while training improved',
      evidence,
      suggestion: `Add regularization (weight decay, dropout, data augmentation) or more training data; stop early / restore the best epoch (${bestSingle.epoch}).`,
      epochs: [bestSingle.epoch, final.epoch],
      action: { weightDecay: 'increase' },
    };
    return [finding];
  },
};
