import type { Feature } from './feature-space.js';
import type { Leaf } from './random-forest.js';

/**
 * Functional ANOVA of one regression tree (Hutter, Hoos & Leyton-Brown, ICML 2014): with every
 * feature uniform over its domain, the tree is a piecewise-constant function f; its variance is
 * V = sum over leaves of vol(leaf) (value - f0)^2, and the main effect of feature j is the
 * variance over x_j of the marginal a_j(x_j) = integral of f over the other features. Returns
 * V_j / V for every feature (the share of the tree's variance each feature explains alone), or
 * undefined for a constant tree. Interactions are not attributed to anyone.
 */
export function mainEffectShares(leaves: readonly Leaf[], features: readonly Feature[]): Float64Array | undefined {
  const d = features.length;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (const leaf of leaves) (minValue = Math.min(minValue, leaf.value)), (maxValue = Math.max(maxValue, leaf.value));
  if (!(maxValue > minValue)) return undefined;
  // frac[l*d + k]: the share of feature k's domain leaf l covers.
  const frac = new Float64Array(leaves.length * d);
  leaves.forEach((leaf, l) => {
    features.forEach((f, k) => (frac[l * d + k] = coveredShare(leaf, f, k)));
  });
  // others[l*d + j]: product of frac over every feature but j (prefix times suffix products).
  const others = new Float64Array(leaves.length * d);
  const volume = new Float64Array(leaves.length);
  for (let l = 0; l < leaves.length; l++) {
    let prefix = 1;
    for (let k = 0; k < d; k++) (others[l * d + k] = prefix), (prefix *= frac[l * d + k]!);
    volume[l] = prefix;
    let suffix = 1;
    for (let k = d - 1; k >= 0; k--) (others[l * d + k] *= suffix), (suffix *= frac[l * d + k]!);
  }
  let f0 = 0;
  leaves.forEach((leaf, l) => (f0 += volume[l]! * leaf.value));
  let total = 0;
  leaves.forEach((leaf, l) => (total += volume[l]! * (leaf.value - f0) ** 2));
  if (!(total > 0)) return undefined;
  const shares = new Float64Array(d);
  features.forEach((f, j) => {
    shares[j] = (f.kind === 'continuous' ? continuousEffect(leaves, others, j, f, f0) : categoricalEffect(leaves, others, j, f.size, f0)) / total;
  });
  return shares;
}

/** Variance over x_j of the marginal of a continuous feature: cells between the tree's cuts on j. */
function continuousEffect(ls: readonly Leaf[], oth: Float64Array, j: number, f: Extract<Feature, { kind: 'continuous' }>, mean: number): number {
  const dims = ls[0]!.lo.length;
  if (!(f.high > f.low)) return 0;
  const cuts = new Set<number>();
  for (const leaf of ls) cuts.add(leaf.lo[j]!).add(leaf.hi[j]!);
  const bounds = Float64Array.from(cuts).sort();
  const cells = new Float64Array(bounds.length);
  for (let l = 0; l < ls.length; l++) {
    const leaf = ls[l]!;
    const w = leaf.value * oth[l * dims + j]!;
    cells[lowerBound(bounds, leaf.lo[j]!)] += w;
    cells[lowerBound(bounds, leaf.hi[j]!)] -= w;
  }
  let marginal = 0;
  let effect = 0;
  for (let c = 0; c < bounds.length - 1; c++) {
    marginal += cells[c]!;
    effect += ((bounds[c + 1]! - bounds[c]!) / (f.high - f.low)) * (marginal - mean) ** 2;
  }
  return effect;
}

/** Variance over the indices of a categorical feature's marginal (each index has measure 1/size). */
function categoricalEffect(ls: readonly Leaf[], oth: Float64Array, j: number, size: number, mean: number): number {
  const dims = ls[0]!.lo.length;
  const marginal = new Float64Array(size);
  for (let l = 0; l < ls.length; l++) {
    const set = ls[l]!.sets[j]!;
    const w = ls[l]!.value * oth[l * dims + j]!;
    for (let c = 0; c < size; c++) if (set[c]) marginal[c] += w;
  }
  let effect = 0;
  for (let c = 0; c < size; c++) effect += (marginal[c]! - mean) ** 2 / size;
  return effect;
}

function coveredShare(leaf: Leaf, f: Feature, k: number): number {
  if (f.kind === 'categorical') {
    let n = 0;
    for (const allowed of leaf.sets[k]!) n += allowed;
    return n / f.size;
  }
  return f.high > f.low ? (leaf.hi[k]! - leaf.lo[k]!) / (f.high - f.low) : 1;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
