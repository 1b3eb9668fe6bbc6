import { mix32, seededRandom } from '@anneal/data';

/**
 * The random stream of one example's augmentation: a pure function of (seed, epoch, index), so a
 * resumed run, a different worker count or another prefetch depth draws the same crops, flips and
 * colours for the same example in the same epoch. `stream` separates independent uses (0: the
 * per-image transforms, 1: batch mixing).
 *
 * @example const rand = augmentRandom(7, 3, 1024); rand(); // same value in every run
 */
export function augmentRandom(seed: number, epoch: number, index: number, stream = 0): () => number {
  const key = mix32(mix32(mix32(mix32(seed >>> 0) ^ (epoch >>> 0)) ^ (index >>> 0)) ^ (stream >>> 0));
  return seededRandom(key);
}

/** A uniform draw in [lo, hi). */
export function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** A standard normal draw (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 boosted by U^(1/shape)). */
function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * Math.pow(1 - rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) draw, as mixup's λ ~ Beta(α, α). */
export function beta(rand: () => number, a: number, b: number): number {
  const x = gamma(rand, a);
  const y = gamma(rand, b);
  return x / (x + y);
}
