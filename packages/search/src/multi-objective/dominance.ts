/**
 * Pareto dominance for multi-objective studies: who dominates whom, non-dominated sorting into
 * fronts, crowding distances and the Pareto front of a set of trials. Every function takes the
 * study's directions, so maximized objectives need no sign juggling by the caller.
 */
import { SearchError } from '../errors.js';
import type { Direction, FrozenTrial } from '../types.js';

/** The objective values of a complete trial (`values`, or `[value]` for one objective); undefined when it has none. */
export function objectiveValues(trial: FrozenTrial): readonly number[] | undefined {
  if (trial.values) return trial.values;
  return trial.value === undefined ? undefined : [trial.value];
}

/** Values turned into "lower is better" (maximized objectives negated). */
export function toMinimized(values: readonly number[], directions: readonly Direction[]): number[] {
  if (values.length !== directions.length) throw new SearchError('OBJECTIVES', `got ${values.length} objective value(s) for ${directions.length} direction(s) (${directions.join(', ')})`);
  return values.map((v, i) => (directions[i] === 'maximize' ? -v : v));
}

/**
 * Whether `a` dominates `b` (both "lower is better"): no worse in every objective and better in
 * at least one. NaN is worse than any number.
 */
export function dominatesMinimized(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = Number.isNaN(a[i]!) ? Infinity : a[i]!;
    const y = Number.isNaN(b[i]!) ? Infinity : b[i]!;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Whether values `a` dominate values `b` under `directions`.
 *
 * @example
 * dominates([0.9, 10], [0.8, 12], ['maximize', 'minimize']); // true
 */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  return dominatesMinimized(toMinimized(a, directions), toMinimized(b, directions));
}

/**
 * Non-dominated sorting (Deb et al. 2002): the rank of each point, 0 for the Pareto front, 1 for
 * the front once rank 0 is removed, and so on. Points are "lower is better". O(M N^2).
 *
 * @example
 * nonDominatedRanks([[1, 4], [2, 2], [3, 3], [4, 1]]); // [0, 0, 1, 0]
 */
export function nonDominatedRanks(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesMinimized(points[i]!, points[j]!)) {
        dominating[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominatesMinimized(points[j]!, points[i]!)) {
        dominating[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  }
  const ranks = new Array<number>(n).fill(-1);
  let front = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  for (let rank = 0; front.length; rank++) {
    const next: number[] = [];
    for (const i of front) {
      ranks[i] = rank;
      for (const j of dominating[i]!) if (--dominatedBy[j]! === 0) next.push(j);
    }
    front = next;
  }
  return ranks;
}

/**
 * Crowding distance of each point within one front (Deb et al. 2002): the sum over objectives of
 * the normalized gap between its two neighbours; the extremes of every objective get Infinity.
 */
export function crowdingDistances(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const out = new Array<number>(n).fill(0);
  if (n <= 2) return out.fill(Infinity);
  const m = points[0]!.length;
  for (let k = 0; k < m; k++) {
    const order = [...Array(n).keys()].sort((a, b) => points[a]![k]! - points[b]![k]! || a - b);
    const lo = points[order[0]!]![k]!;
    const hi = points[order[n - 1]!]![k]!;
    out[order[0]!] = Infinity;
    out[order[n - 1]!] = Infinity;
    if (!(hi > lo) || !Number.isFinite(hi - lo)) continue;
    for (let r = 1; r < n - 1; r++) out[order[r]!]! += (points[order[r + 1]!]![k]! - points[order[r - 1]!]![k]!) / (hi - lo);
  }
  return out;
}

/**
 * The Pareto front of the complete trials: those whose values no other complete trial dominates,
 * in number order (duplicates of a front point are all kept). With one direction: the trials
 * with the best value.
 *
 * @example
 * const front = paretoFront(await study.trials(['complete']), ['maximize', 'minimize']);
 */
export function paretoFront(trials: readonly FrozenTrial[], directions: readonly Direction[]): FrozenTrial[] {
  const complete = trials.filter((t) => t.state === 'complete' && objectiveValues(t)?.length === directions.length && !objectiveValues(t)!.some(Number.isNaN));
  const points = complete.map((t) => toMinimized(objectiveValues(t)!, directions));
  const ranks = nonDominatedRanks(points);
  return complete.filter((_, i) => ranks[i] === 0).sort((a, b) => a.number - b.number);
}
