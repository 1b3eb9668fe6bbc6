import type { FrozenTrial } from '../types.js';
import { mainEffectShares } from './fanova.js';
import { encodeTrials } from './feature-space.js';
import { growForest } from './random-forest.js';
import { completeTrials, describeTrialCounts, StudyResultsError } from './results-error.js';

/** One parameter's share of the objective's variance (see parameterImportance). */
export interface ParamImportance {
  readonly param: string;
  /** In [0, 1]; the importances of one analysis sum to 1. */
  readonly importance: number;
}

/** Options of parameterImportance. */
export interface ImportanceOptions {
  /** Seed of the forest (bootstrap samples and feature subsets); default 0. */
  seed?: number;
  /** Number of trees; default 64. */
  trees?: number;
}

/**
 * How much each parameter matters for the objective, over the complete trials: a random forest
 * (seeded bootstrap samples, random feature subsets per split, fully grown CART trees) is fit on
 * parameters -> objective value, and each tree's variance is decomposed by functional ANOVA into
 * the share each parameter explains on its own; the shares are averaged over the trees and
 * normalized to sum to 1. Sorted by importance, most important first (ties in the order the
 * parameters first appear).
 *
 * Why fANOVA rather than permutation importance: it is exact for the fitted forest (no extra
 * sampling noise, never negative), it integrates over the whole search space with each parameter
 * uniform (log parameters uniform in log space) instead of over wherever a sampler happened to
 * concentrate its trials, and it is what Optuna reports by default, so numbers are comparable.
 *
 * Encoding: float/int values are used as they are, log-distributed ones by their logarithm;
 * categorical parameters are split natively (subsets of their choices, each choice an equal
 * share of the measure) instead of by an arbitrary index order or one-hot columns whose
 * importances would not add up. A conditional parameter missing from some trials gets an extra
 * "absent" region: one more choice for a categorical, a segment as wide as the range below it
 * for a numeric one. When every complete trial has the same value, no parameter explains
 * anything and each gets an equal share.
 *
 * Throws StudyResultsError with fewer than 2 complete trials or without any parameter.
 *
 * @example
 * ```ts
 * const ranked = parameterImportance(await storage.getTrials('study'), { seed: 1 });
 * // [{ param: 'lr', importance: 0.81 }, { param: 'momentum', importance: 0.15 }, ...]
 * ```
 */
export function parameterImportance(trials: readonly FrozenTrial[], options: ImportanceOptions = {}): ParamImportance[] {
  const trees = options.trees ?? 64;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(trees) && trees >= 1)) throw new StudyResultsError('parameter importance', `trees must be an integer >= 1, got ${trees}`);
  if (!Number.isFinite(seed)) throw new StudyResultsError('parameter importance', `seed must be a finite number, got ${seed}`);
  const complete = completeTrials(trials);
  if (complete.length < 2) {
    throw new StudyResultsError('parameter importance', `needs at least 2 complete trials with a finite value, got ${complete.length} of ${describeTrialCounts(trials)}; run more trials first`);
  }
  const data = encodeTrials(complete);
  if (data.features.length === 0) throw new StudyResultsError('parameter importance', 'the complete trials have no parameters; suggest some with trial.suggest... first');
  const d = data.features.length;
  const sums = new Float64Array(d);
  let explained = 0;
  for (const leaves of growForest(data, { trees, seed })) {
    const shares = mainEffectShares(leaves, data.features);
    if (!shares) continue;
    for (let j = 0; j < d; j++) sums[j] += shares[j]!;
    explained++;
  }
  const total = sums.reduce((a, b) => a + b, 0);
  const result = data.features.map((f, j) => ({ param: f.param, importance: explained && total > 0 ? sums[j]! / total : 1 / d, order: j }));
  result.sort((a, b) => b.importance - a.importance || a.order - b.order);
  return result.map(({ param, importance }) => ({ param, importance }));
}
