import { seededRandom } from '@anneal/data';
import { splitThreshold, type EncodedTrials, type Feature } from './feature-space.js';

/**
 * A leaf of a regression tree: its prediction and the box of the feature space it covers —
 * [lo, hi) per continuous feature, the set of allowed indices per categorical one.
 */
export interface Leaf {
  readonly value: number;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Per feature: a 0/1 mask over the indices of a categorical feature, undefined for a continuous one. */
  readonly sets: readonly (Uint8Array | undefined)[];
}

/** Options of growForest. */
export interface ForestOptions {
  trees: number;
  seed: number;
  /** Features tried per split before looking further (sklearn's max_features); default ceil(d / 2). */
  featuresPerSplit?: number;
  /** Default 64. */
  maxDepth?: number;
}

/**
 * Grows a random forest of CART regression trees on (features -> value): each tree on a
 * bootstrap sample, each split chosen by the largest drop of squared error among a random subset
 * of the features (looking at more features only when none of the subset can split). Continuous
 * features split at thresholds between adjacent values; categorical ones split their indices into
 * two sets, found exactly by ordering the indices by mean value (Breiman's theorem for regression);
 * indices absent from a node's samples join the larger side. Trees grow until leaves are pure or
 * hold one distinct sample. Deterministic given the seed. Returns each tree's leaves.
 */
export function growForest(data: EncodedTrials, options: ForestOptions): Leaf[][] {
  const random = seededRandom(options.seed);
  const d = data.features.length;
  const n = data.values.length;
  const perSplit = Math.max(1, Math.min(d, options.featuresPerSplit ?? Math.ceil(d / 2)));
  const maxDepth = options.maxDepth ?? 64;
  const forest: Leaf[][] = [];
  for (let t = 0; t < options.trees; t++) {
    const sample = new Int32Array(n);
    for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n);
    const root: Leaf = {
      value: 0,
      lo: Float64Array.from(data.features, (f) => (f.kind === 'continuous' ? f.low : 0)),
      hi: Float64Array.from(data.features, (f) => (f.kind === 'continuous' ? f.high : 0)),
      sets: data.features.map((f) => (f.kind === 'categorical' ? new Uint8Array(f.size).fill(1) : undefined)),
    };
    const leaves: Leaf[] = [];
    const grow = (rows: Int32Array, box: Leaf, depth: number): void => {
      const split = depth < maxDepth ? bestSplit(data, rows, perSplit, random) : undefined;
      if (!split) {
        let sum = 0;
        for (const r of rows) sum += data.values[r]!;
        leaves.push({ ...box, value: sum / rows.length });
        return;
      }
      const [leftBox, rightBox] = splitBox(box, data.features[split.feature]!, split);
      grow(split.left, leftBox, depth + 1);
      grow(split.right, rightBox, depth + 1);
    };
    grow(sample, root, 0);
    forest.push(leaves);
  }
  return forest;
}

interface Split {
  feature: number;
  score: number;
  /** Continuous: the threshold (left is x < threshold). */
  threshold: number;
  /** Categorical: mask of the indices going left. */
  leftSet?: Uint8Array;
  left: Int32Array;
  right: Int32Array;
}

function bestSplit(data: EncodedTrials, rows: Int32Array, perSplit: number, random: () => number): Split | undefined {
  const y = data.values;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const r of rows) {
    const v = y[r]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (rows.length < 2 || min === max) return undefined;
  const base = (sum * sum) / rows.length;
  const order = Array.from(data.features.keys());
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let best: Split | undefined;
  for (let k = 0; k < order.length; k++) {
    if (k >= perSplit && best) break;
    const f = order[k]!;
    const feature = data.features[f]!;
    const candidate = feature.kind === 'continuous' ? continuousSplit(data, f, rows) : categoricalSplit(data, f, rows);
    if (candidate && candidate.score > base * (1 + 1e-12) && (!best || candidate.score > best.score)) best = candidate;
  }
  return best;
}

/** Best threshold of a continuous feature; score = sumL^2/nL + sumR^2/nR (larger is a smaller squared error). */
function continuousSplit(data: EncodedTrials, f: number, rows: Int32Array): Split | undefined {
  const x = data.columns[f]!;
  const y = data.values;
  const sorted = Int32Array.from(rows).sort((a, b) => x[a]! - x[b]!);
  let total = 0;
  for (const r of sorted) total += y[r]!;
  let left = 0;
  let bestScore = -Infinity;
  let at = -1;
  for (let i = 0; i < sorted.length - 1; i++) {
    left += y[sorted[i]!]!;
    if (x[sorted[i]!]! === x[sorted[i + 1]!]!) continue;
    const nl = i + 1;
    const nr = sorted.length - nl;
    const score = (left * left) / nl + ((total - left) * (total - left)) / nr;
    if (score > bestScore) (bestScore = score), (at = i);
  }
  if (at < 0) return undefined;
  const feature = data.features[f]!;
  const threshold = splitThreshold(feature as Extract<Feature, { kind: 'continuous' }>, x[sorted[at]!]!, x[sorted[at + 1]!]!);
  return { feature: f, score: bestScore, threshold, left: sorted.slice(0, at + 1), right: sorted.slice(at + 1) };
}

/** Best two-set partition of a categorical feature's indices, by ordering them by mean value. */
function categoricalSplit(data: EncodedTrials, f: number, rows: Int32Array): Split | undefined {
  const x = data.columns[f]!;
  const y = data.values;
  const feature = data.features[f] as Extract<Feature, { kind: 'categorical' }>;
  const sums = new Float64Array(feature.size);
  const counts = new Int32Array(feature.size);
  for (const r of rows) (sums[x[r]!] += y[r]!), counts[x[r]!]++;
  const seen = Array.from(counts.keys()).filter((c) => counts[c]! > 0);
  if (seen.length < 2) return undefined;
  seen.sort((a, b) => sums[a]! / counts[a]! - sums[b]! / counts[b]! || a - b);
  let total = 0;
  for (const c of seen) total += sums[c]!;
  let left = 0;
  let nl = 0;
  let bestScore = -Infinity;
  let at = -1;
  for (let i = 0; i < seen.length - 1; i++) {
    left += sums[seen[i]!]!;
    nl += counts[seen[i]!]!;
    const nr = rows.length - nl;
    const score = (left * left) / nl + ((total - left) * (total - left)) / nr;
    if (score > bestScore) (bestScore = score), (at = i);
  }
  const leftSet = new Uint8Array(feature.size);
  for (let i = 0; i <= at; i++) leftSet[seen[i]!] = 1;
  let leftCount = 0;
  for (let i = 0; i <= at; i++) leftCount += counts[seen[i]!]!;
  const unseenLeft = leftCount >= rows.length - leftCount;
  if (unseenLeft) for (let c = 0; c < feature.size; c++) if (counts[c] === 0) leftSet[c] = 1;
  const l = rows.filter((r) => leftSet[x[r]!] === 1);
  const r = rows.filter((r) => leftSet[x[r]!] !== 1);
  return { feature: f, score: bestScore, threshold: NaN, leftSet, left: l, right: r };
}

function splitBox(box: Leaf, feature: Feature, split: Split): [Leaf, Leaf] {
  const f = split.feature;
  if (feature.kind === 'continuous') {
    const leftHi = Float64Array.from(box.hi);
    leftHi[f] = split.threshold;
    const rightLo = Float64Array.from(box.lo);
    rightLo[f] = split.threshold;
    return [{ ...box, hi: leftHi }, { ...box, lo: rightLo }];
  }
  const parent = box.sets[f]!;
  const leftSets = [...box.sets];
  const rightSets = [...box.sets];
  leftSets[f] = parent.map((allowed, c) => (allowed && split.leftSet![c] ? 1 : 0));
  rightSets[f] = parent.map((allowed, c) => (allowed && !split.leftSet![c] ? 1 : 0));
  return [{ ...box, sets: leftSets }, { ...box, sets: rightSets }];
}
