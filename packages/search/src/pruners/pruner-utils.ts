import { SearchError } from '../errors.js';
import type { Direction, FrozenTrial, StudyView } from '../types.js';

/**
 * A pruner was built with an invalid option: `where` names the pruner and option
 * (e.g. `MedianPruner.nWarmupSteps`).
 *
 * @example new MedianPruner({ intervalSteps: 0 }); // throws PrunerOptionError: MedianPruner.intervalSteps: ...
 */
export class PrunerOptionError extends SearchError {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super('PRUNER_OPTION', `${where}: ${message}`);
  }
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(where: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new PrunerOptionError(where, `must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The largest step a trial reported (its latest report), or undefined before any report. */
export function lastStep(trial: FrozenTrial): number | undefined {
  let last: number | undefined;
  for (const key in trial.intermediate) {
    const s = Number(key);
    if (last === undefined || s > last) last = s;
  }
  return last;
}

/**
 * The best of a trial's intermediate values over all steps up to `upTo` (all steps when omitted):
 * the minimum when minimizing, the maximum when maximizing. NaN values are ignored; NaN when the
 * trial has no non-NaN value there.
 */
export function bestIntermediate(trial: FrozenTrial, direction: Direction, upTo = Infinity): number {
  let best = NaN;
  for (const key in trial.intermediate) {
    if (Number(key) > upTo) continue;
    const v = trial.intermediate[Number(key)]!;
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (direction === 'minimize' ? v < best : v > best)) best = v;
  }
  return best;
}

/**
 * The q-th percentile (0..100) of the non-NaN values with linear interpolation between the two
 * nearest ranks (position q/100 * (n - 1) in the sorted values); NaN when there is none.
 */
export function percentileOf(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * The study's first complete trial that reported anything: smallest `completedAt`, then smallest
 * number. Pruners with an `'auto'` resource read it from this trial, so the estimate does not
 * move once it exists (the pruners keep no state of their own).
 */
export function firstCompleted(study: StudyView): FrozenTrial | undefined {
  let first: FrozenTrial | undefined;
  for (const t of study.trials) {
    if (t.state !== 'complete' || lastStep(t) === undefined) continue;
    const at = t.completedAt ?? Infinity;
    const firstAt = first?.completedAt ?? Infinity;
    if (!first || at < firstAt || (at === firstAt && t.number < first.number)) first = t;
  }
  return first;
}
