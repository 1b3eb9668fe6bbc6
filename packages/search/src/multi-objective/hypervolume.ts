/**
 * Exact hypervolume: the measure of the region dominated by a set of points and bounded by a
 * reference point, all "lower is better". Two objectives use a sweep (O(n log n)); more objectives
 * slice along the last objective and recurse (hypervolume by slicing objectives, exact for any
 * number of objectives, O(n^(m-1) log n): meant for 3-4 objectives and fronts of hundreds).
 */
import { SearchError } from '../errors.js';
import type { Direction, FrozenTrial } from '../types.js';
import { objectiveValues, toMinimized } from './dominance.js';

function hv2(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let volume = 0;
  let y = ref[1]!;
  for (const p of sorted) {
    if (p[1]! < y) {
      volume += (ref[0]! - p[0]!) * (y - p[1]!);
      y = p[1]!;
    }
  }
  return volume;
}

function hvRecursive(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const m = ref.length;
  if (points.length === 0) return 0;
  if (m === 1) return ref[0]! - Math.min(...points.map((p) => p[0]!));
  if (m === 2) return hv2(points, ref);
  const last = m - 1;
  const sorted = [...points].sort((a, b) => a[last]! - b[last]!);
  const lower = ref.slice(0, last);
  let volume = 0;
  const slice: (readonly number[])[] = [];
  for (let i = 0; i < sorted.length; i++) {
    slice.push(sorted[i]!.slice(0, last));
    const top = i + 1 < sorted.length ? sorted[i + 1]![last]! : ref[last]!;
    const depth = top - sorted[i]![last]!;
    if (depth > 0) volume += depth * hvRecursive(slice, lower);
  }
  return volume;
}

/**
 * Hypervolume of `points` (each "lower is better") with respect to `reference`; points that do
 * not strictly dominate the reference add nothing.
 *
 * @example
 * hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]); // 6
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  if (!reference.every(Number.isFinite)) throw new SearchError('HYPERVOLUME', `the reference point must be finite, got [${reference.join(', ')}]`);
  for (const p of points) {
    if (p.length !== reference.length) throw new SearchError('HYPERVOLUME', `a point has ${p.length} objectives but the reference point ${reference.length}; give every point one value per objective`);
  }
  const inside = points.filter((p) => p.every((v, i) => v < reference[i]!));
  return hvRecursive(inside, reference);
}

/**
 * Hypervolume of the complete trials of a study with `directions`, against `reference` given in
 * the objectives' own units (for a maximized objective, a value below every trial's).
 *
 * @example
 * // accuracy (maximize) vs parameters in millions (minimize)
 * studyHypervolume(await study.trials(['complete']), ['maximize', 'minimize'], [0.5, 10]);
 */
export function studyHypervolume(trials: readonly FrozenTrial[], directions: readonly Direction[], reference: readonly number[]): number {
  const points = trials
    .filter((t) => t.state === 'complete')
    .map((t) => objectiveValues(t))
    .filter((v): v is readonly number[] => v?.length === directions.length && v.every(Number.isFinite))
    .map((v) => toMinimized(v, directions));
  return hypervolume(points, toMinimized(reference, directions));
}

/** Each point's exclusive contribution: the hypervolume lost when it alone is removed. */
export function hypervolumeContributions(points: readonly (readonly number[])[], reference: readonly number[]): number[] {
  const total = hypervolume(points, reference);
  return points.map((_, i) => total - hypervolume(points.filter((__, j) => j !== i), reference));
}
