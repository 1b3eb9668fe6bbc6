import type { Batch } from '@anneal/core';
import type { LossInfo, ProbeTarget } from './target.js';

/**
 * The loss a freshly initialised model should start at, before any training and without weight
 * decay: ln C for softmax cross-entropy over C classes (uniform predictions), ln 2 for binary
 * cross-entropy (predictions 0.5), and the mean of y² for MSE (outputs near 0).
 *
 * @example expectedInitialLoss({ kind: 'cross-entropy', classes: 10 }); // 2.302...
 */
export function expectedInitialLoss(loss: LossInfo): number {
  switch (loss.kind) {
    case 'cross-entropy':
      return Math.log(loss.classes);
    case 'binary-cross-entropy':
      return Math.log(2);
    case 'mse':
      return loss.targetSecondMoment;
  }
}

/** Options of {@link checkInitialLoss}. */
export interface InitialLossOptions {
  /** Training batches averaged (default 4). */
  batches?: number;
  /** Allowed relative deviation from the expected loss (default 0.15). */
  tolerance?: number;
}

/** What the initial-loss check measured and concluded. */
export interface InitialLossResult {
  readonly observed: number;
  readonly expected: number;
  /** observed / expected. */
  readonly ratio: number;
  readonly ok: boolean;
  readonly examples: number;
  /** Labels seen per class in the measured batches (classification only). */
  readonly labelCounts?: readonly number[];
  /** Likely causes of a mismatch, most likely first (empty when ok). */
  readonly causes: readonly string[];
  readonly verdict: string;
}

function labelsOf(batch: Batch): number[] {
  const t = batch.labels;
  if (!t) return [];
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * Step 1 of the recipe: measures the loss of a fresh model (weight decay off) on the first
 * training batches and compares it with {@link expectedInitialLoss}. A mismatch comes with its
 * likely causes: weights initialised too large or unnormalised inputs (too high), labels outside
 * the head's classes or a model that is not fresh (too low), a wrongly wired loss (either way).
 *
 * @example
 * const r = await checkInitialLoss(target); // { observed: 2.31, expected: 2.303, ok: true, ... }
 */
export async function checkInitialLoss(target: ProbeTarget, options: InitialLossOptions = {}): Promise<InitialLossResult> {
  const count = options.batches ?? 4;
  const tolerance = options.tolerance ?? 0.15;
  const batches: Batch[] = [];
  for (const b of target.trainBatches(0)) {
    batches.push(b);
    if (batches.length >= count) break;
  }
  const session = await target.session({ weightDecay: 0 });
  let result: { loss: number; count: number };
  try {
    result = await session.evaluate(batches);
  } finally {
    await session.release();
  }
  const expected = expectedInitialLoss(target.loss);
  const observed = result.loss;
  const ratio = observed / expected;
  const causes: string[] = [];
  let labelCounts: number[] | undefined;
  if (target.loss.kind === 'cross-entropy') {
    const classes = target.loss.classes;
    labelCounts = new Array<number>(classes).fill(0);
    let outside = 0;
    for (const b of batches) for (const y of labelsOf(b)) (y >= 0 && y < classes && Number.isInteger(y) ? labelCounts[y]!++ : outside++);
    if (outside) causes.push(`${outside} labels are outside 0..${classes - 1}: the labels do not match the model's ${classes} outputs`);
  }
  const ok = Number.isFinite(observed) && Math.abs(ratio - 1) <= tolerance && causes.length === 0;
  if (!Number.isFinite(observed)) causes.push('the loss is not finite before any training: NaN/Inf in the inputs or the weights, or log(0) in a hand-wired loss');
  else if (ratio > 1 + tolerance) {
    causes.push('the initial outputs are too large: weights initialised with too large a scale (use He/Glorot scaling), or inputs not normalised (scale them to about zero mean and unit variance)');
    if (target.loss.kind === 'cross-entropy') causes.push('the labels may be wrong or shuffled against the inputs, so a confident random model is penalised');
    causes.push('the loss may be wired wrongly: e.g. applied to probabilities instead of logits, or summed over the batch instead of averaged');
  } else if (ratio < 1 - tolerance) {
    causes.push('the model is not fresh: it starts from trained weights (a checkpoint or a pre-trained model), so a low start is expected there');
    if (labelCounts && labelCounts.filter((c) => c > 0).length <= 1) causes.push('all measured labels are one class: the data is sorted by label or the labels are constant; shuffle it or fix the labels');
    causes.push('the loss may be wired wrongly: e.g. averaged over a dimension it should sum over, or label information leaks into the inputs');
  }
  const fmt = (v: number) => v.toFixed(4);
  const verdict = ok
    ? `initial loss ${fmt(observed)} matches the expected ${fmt(expected)} (${lossName(target.loss)}), within ${(tolerance * 100).toFixed(0)}%`
    : `initial loss ${fmt(observed)} differs from the expected ${fmt(expected)} (${lossName(target.loss)}) by ${((ratio - 1) * 100).toFixed(0)}%`;
  return { observed, expected, ratio, ok, examples: result.count, labelCounts, causes, verdict };
}

function lossName(loss: LossInfo): string {
  if (loss.kind === 'cross-entropy') return `ln ${loss.classes} for cross-entropy over ${loss.classes} classes`;
  if (loss.kind === 'binary-cross-entropy') return 'ln 2 for binary cross-entropy';
  return 'mean of y² for MSE';
}
