/**
 * Maximizing an acquisition function over a mixed box: random candidates, then a local search
 * from the best few of them and from given starting points (the best trials): projected
 * L-BFGS within [0, 1] over the numeric coordinates, alternating with a sweep over each
 * categorical coordinate's choices.
 */
import { minimizeLbfgs } from './lbfgs.js';

/** An acquisition value at a point and, when asked, its gradient along the numeric coordinates. */
export type Acquisition = (x: Float64Array, gradient?: Float64Array) => number;

/** What {@link maximizeAcquisition} searches: per coordinate, 0 for numeric [0, 1] or the number of choices. */
export interface AcquisitionSearch {
  readonly choices: readonly number[];
  readonly candidates: number;
  readonly localSearches: number;
  readonly rounds: number;
  /**
   * For spaces with discrete coordinates: the point actually sampled for a box point (ints and
   * steps snapped to their grid) and a key per point. The result is then the best snapped point
   * whose key is not in `taken` (so the study does not evaluate a point twice).
   */
  readonly discrete?: { readonly snap: (x: Float64Array) => Float64Array; readonly key: (x: Float64Array) => string; readonly taken: ReadonlySet<string> };
}

function randomPoint(choices: readonly number[], rand: () => number): Float64Array {
  return Float64Array.from(choices, (c) => (c > 0 ? Math.min(c - 1, Math.floor(rand() * c)) : rand()));
}

function localSearch(acq: Acquisition, start: Float64Array, search: AcquisitionSearch): { x: Float64Array; value: number } {
  const x = Float64Array.from(start);
  const numeric = search.choices.map((c, i) => (c === 0 ? i : -1)).filter((i) => i >= 0);
  const categorical = search.choices.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  let value = acq(x);
  for (let round = 0; round < search.rounds; round++) {
    const before = value;
    if (numeric.length) {
      const grad = new Float64Array(x.length);
      const probe = Float64Array.from(x);
      const negative = (u: Float64Array, g: Float64Array): number => {
        numeric.forEach((i, k) => (probe[i] = u[k]!));
        const v = acq(probe, grad);
        numeric.forEach((i, k) => (g[k] = -grad[i]!));
        return -v;
      };
      const found = minimizeLbfgs(negative, Float64Array.from(numeric, (i) => x[i]!), { maxIterations: 30, lower: new Float64Array(numeric.length), upper: new Float64Array(numeric.length).fill(1) });
      if (-found.value > value) {
        numeric.forEach((i, k) => (x[i] = found.x[k]!));
        value = acq(x);
      }
    }
    for (const i of categorical) {
      const keep = x[i]!;
      let bestChoice = keep;
      for (let c = 0; c < search.choices[i]!; c++) {
        if (c === keep) continue;
        x[i] = c;
        const v = acq(x);
        if (v > value) {
          value = v;
          bestChoice = c;
        }
      }
      x[i] = bestChoice;
    }
    if (!(value > before + 1e-9)) break;
  }
  return { x, value };
}

/**
 * The best point found for `acq`: `search.candidates` random points, then local searches from
 * the `search.localSearches` best of them and from every point of `starts`.
 */
export function maximizeAcquisition(acq: Acquisition, search: AcquisitionSearch, rand: () => number, starts: readonly Float64Array[] = []): Float64Array {
  const pool: { x: Float64Array; value: number }[] = [];
  for (let k = 0; k < search.candidates; k++) {
    const x = randomPoint(search.choices, rand);
    pool.push({ x, value: acq(x) });
  }
  pool.sort((a, b) => b.value - a.value);
  const seeds = [...pool.slice(0, search.localSearches).map((p) => p.x), ...starts];
  let best = pool[0] ?? { x: randomPoint(search.choices, rand), value: -Infinity };
  const found = seeds.map((s) => localSearch(acq, s, search));
  const discrete = search.discrete;
  if (!discrete) {
    for (const f of found) if (f.value > best.value) best = f;
    return best.x;
  }
  // the best snapped point not evaluated yet, among the local optima and the best candidates
  let choice: { x: Float64Array; value: number } | undefined;
  for (const { x } of [...found, ...pool.slice(0, 64)]) {
    const snapped = discrete.snap(x);
    if (discrete.taken.has(discrete.key(snapped))) continue;
    const value = acq(snapped);
    if (!choice || value > choice.value) choice = { x: snapped, value };
  }
  return choice?.x ?? discrete.snap(best.x);
}
