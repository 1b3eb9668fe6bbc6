import { EnsembleError } from './errors.js';

/**
 * Member weights checked (one finite positive number per member; default all 1) with their sum.
 * Callers normalize (`w / total`) where a mean is meant.
 */
export function checkWeights(weights: readonly number[] | undefined, count: number): { weights: number[]; total: number } {
  const w = weights ? [...weights] : new Array<number>(count).fill(1);
  if (w.length !== count) throw new EnsembleError('weights', `${w.length} weights given for ${count} members; pass exactly one weight per member, in member order`);
  const bad = w.findIndex((x) => !(x > 0) || !Number.isFinite(x));
  if (bad >= 0) throw new EnsembleError(`weights[${bad}]`, `is ${w[bad]}, but every weight must be a finite positive number (they are normalized to sum 1)`);
  return { weights: w, total: w.reduce((a, b) => a + b, 0) };
}
