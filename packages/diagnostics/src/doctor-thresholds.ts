import { DiagnosticsError } from './errors.js';

/**
 * The numbers the doctor's rules judge curves by. Every field is optional; the defaults (in
 * brackets) suit cross-entropy classification runs of 5-20 epochs with 30-250 batches each.
 * Fractions "of the run" count optimizer steps after warmup.
 */
export interface DoctorThresholds {
  /** With fewer finite batch losses, the loss is judged from the epoch means [50]. */
  readonly minBatchPoints?: number;
  /** With fewer epoch points (and too few batch losses), no curve-shape finding is made [4]. */
  readonly minEpochPoints?: number;
  /** An unfinished run is judged on its whole-run shape (lr, decay, underfitting) only past this fraction of its planned epochs [0.3]. */
  readonly minProgress?: number;
  /** diverged: the loss at the end is this many times its minimum (and back up by a quarter of the drop) [3]. */
  readonly explosionFactor?: number;
  /** lr-too-low: half of the loss drop took at least this fraction of the run [0.1]... */
  readonly slowHalfFraction?: number;
  /** ...and at least this many steps [50]. */
  readonly minHalfSteps?: number;
  /** lr-too-low / train-longer: the loss fell at least this much (relative) over the last quarter: still falling [0.05]. */
  readonly stillFalling?: number;
  /** lr-too-high: at least this share of the whole loss drop happened in the first `fastWindow` of the run [0.8]. */
  readonly fastDropFraction?: number;
  /** lr-too-high: the early part of the run `fastDropFraction` is measured over [0.2]. */
  readonly fastWindow?: number;
  /** lr-too-high: less relative improvement than this from the middle (40-60%) to the last 20% of the run is flat [0.1]. */
  readonly flatImprovement?: number;
  /** underfitting: less relative improvement than this from 50-70% of the run to its last 20% is a plateau [0.05]. */
  readonly plateauImprovement?: number;
  /** underfitting: a final training accuracy below this is low [0.95]. */
  readonly targetAccuracy?: number;
  /** A training accuracy at or above this counts as converged (lr and decay rules stay quiet) [0.99]. */
  readonly nearPerfectAccuracy?: number;
  /** Without accuracies: a final loss below this fraction of the initial loss counts as converged [0.05]. */
  readonly lowLossFraction?: number;
  /** underfitting without accuracies: a final loss above this fraction of the initial loss is high [0.15]. */
  readonly highLossFraction?: number;
  /** decayed-too-early: an lr drop by at least this factor between consecutive points is a decay [2]. */
  readonly decayFactor?: number;
  /** decayed-too-early: the loss fell at least this much (relative) per 10% of the run right before the decay [0.15]. */
  readonly decayPreRate?: number;
  /** decayed-too-early: and less than this per 10% of the run after it [0.05]. */
  readonly decayPostRate?: number;
  /** overfitting: validation accuracy this far below its best [0.01]... */
  readonly overfitAccuracyDrop?: number;
  /** ...or validation loss this much (relative) above its minimum [0.1]... */
  readonly overfitLossRise?: number;
  /** ...for at least this many epochs [3]. */
  readonly overfitPatience?: number;
  /** overfitting: a train-minus-validation accuracy gap this wide, with validation stalled that many epochs, counts too [0.05]. */
  readonly overfitGap?: number;
  /** underfitting: train minus validation accuracy at most this is a small gap [0.03]. */
  readonly underfitAccuracyGap?: number;
  /** underfitting without accuracies: validation loss at most this much (relative) above the training loss [0.15]. */
  readonly underfitLossGap?: number;
  /** train-longer: a loss falling at least this much (relative) per epoch over the last epochs is still improving [0.02]. */
  readonly improvingRate?: number;
  /** update-ratio: a median ‖update‖/‖weight‖ below this is too low [1e-4]. */
  readonly ratioLow?: number;
  /** update-ratio: above this too high [1e-2]. */
  readonly ratioHigh?: number;
  /** update-ratio: the first fraction of the steps is ignored (warmup, zero-initialized biases) [0.1]. */
  readonly ratioSkip?: number;
}

export type ResolvedThresholds = Readonly<Required<DoctorThresholds>>;

/** The default thresholds (see {@link DoctorThresholds} for what each one means). */
export const defaultThresholds: ResolvedThresholds = Object.freeze({
  minBatchPoints: 50,
  minEpochPoints: 4,
  minProgress: 0.3,
  explosionFactor: 3,
  slowHalfFraction: 0.1,
  minHalfSteps: 50,
  stillFalling: 0.05,
  fastDropFraction: 0.8,
  fastWindow: 0.2,
  flatImprovement: 0.1,
  plateauImprovement: 0.05,
  targetAccuracy: 0.95,
  nearPerfectAccuracy: 0.99,
  lowLossFraction: 0.05,
  highLossFraction: 0.15,
  decayFactor: 2,
  decayPreRate: 0.15,
  decayPostRate: 0.05,
  overfitAccuracyDrop: 0.01,
  overfitLossRise: 0.1,
  overfitPatience: 3,
  overfitGap: 0.05,
  underfitAccuracyGap: 0.03,
  underfitLossGap: 0.15,
  improvingRate: 0.02,
  ratioLow: 1e-4,
  ratioHigh: 1e-2,
  ratioSkip: 0.1,
});

const FRACTIONS = new Set<keyof DoctorThresholds>(['minProgress', 'overfitGap', 'slowHalfFraction', 'stillFalling', 'fastDropFraction', 'fastWindow', 'flatImprovement', 'plateauImprovement', 'targetAccuracy', 'nearPerfectAccuracy', 'lowLossFraction', 'highLossFraction', 'ratioSkip']);

/**
 * The defaults overridden by the given thresholds, checked: every value a positive finite number,
 * fractions at most 1, `decayFactor` above 1, `ratioLow` below `ratioHigh`.
 *
 * @throws DiagnosticsError naming the option and the allowed range.
 * @example
 * ```ts
 * resolveThresholds({ targetAccuracy: 0.9 }).targetAccuracy; // 0.9
 * ```
 */
export function resolveThresholds(overrides: DoctorThresholds = {}): ResolvedThresholds {
  const resolved = { ...defaultThresholds };
  for (const key of Object.keys(defaultThresholds) as (keyof DoctorThresholds)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new DiagnosticsError(`doctor option ${key}: must be a positive finite number, got ${String(value)}`);
    if (FRACTIONS.has(key) && value > 1) throw new DiagnosticsError(`doctor option ${key}: is a fraction and must be at most 1, got ${value}`);
    resolved[key] = value;
  }
  if (resolved.decayFactor <= 1) throw new DiagnosticsError(`doctor option decayFactor: must be above 1 (an lr drop by this factor is a decay), got ${resolved.decayFactor}`);
  if (resolved.ratioLow >= resolved.ratioHigh) throw new DiagnosticsError(`doctor options ratioLow (${resolved.ratioLow}) and ratioHigh (${resolved.ratioHigh}): ratioLow must be below ratioHigh`);
  return Object.freeze(resolved);
}
