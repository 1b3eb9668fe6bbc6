import type { Direction } from '../types.js';

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
