import type { Direction, FrozenTrial } from '../types.js';
import { objectiveValues } from './dominance.js';
import { studyHypervolume } from './hypervolume.js';

/**
 * The reference point used when a study stores none: for each objective, the worst value of the
 * complete trials pushed further by 10% of the objective's range (of |worst| when all trials are
 * equal, or by 0.1 when that is 0), so every complete trial counts. It moves as trials arrive:
 * compare hypervolumes over time only under a stored reference point.
 *
 * @example
 * defaultReferencePoint([[0, 1], [1, -1]], ['minimize', 'maximize']); // [1.1, -1.2]
 */
export function defaultReferencePoint(values: readonly (readonly number[])[], directions: readonly Direction[]): number[] {
  return directions.map((direction, k) => {
    const column = values.map((v) => v[k]!);
    const lo = Math.min(...column);
    const hi = Math.max(...column);
    const worst = direction === 'minimize' ? hi : lo;
    const pad = 0.1 * (hi - lo || Math.abs(worst) || 1);
    return direction === 'minimize' ? hi + pad : lo - pad;
  });
}

/**
 * The hypervolume of a study's complete trials (those with a finite value per objective) against
 * `reference`, or the {@link defaultReferencePoint} of those trials when none is given (then
 * `defaulted`); undefined while no trial is complete.
 */
export function trialsHypervolume(trials: readonly FrozenTrial[], directions: readonly Direction[], reference?: readonly number[]): { value: number; reference: number[]; defaulted: boolean } | undefined {
  const values = trials
    .filter((t) => t.state === 'complete')
    .map((t) => objectiveValues(t))
    .filter((v): v is readonly number[] => v?.length === directions.length && v.every(Number.isFinite));
  if (values.length === 0) return undefined;
  const point = reference ? [...reference] : defaultReferencePoint(values, directions);
  return { value: studyHypervolume(trials, directions, point), reference: point, defaulted: !reference };
}
