/**
 * Halton points: dimension j is the radical inverse of the index in the j-th prime base.
 * Scrambling permutes the nonzero digits of every digit position with a random permutation per
 * (dimension, position) (zero stays zero, so finite expansions stay finite).
 */
import { seededRandom } from '@anneal/data';
import { combineSeed } from './seeding.js';

/** The first `count` primes. */
export function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) {
    let prime = true;
    for (const p of primes) {
      if (p * p > n) break;
      if (n % p === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push(n);
  }
  return primes;
}

/** A Halton sequence of `dims` dimensions, scrambled when a seed is given. */
export class HaltonSequence {
  private readonly bases: number[];
  /** Per dimension, per digit position: a permutation of 0..base-1 fixing 0 (filled on demand). */
  private readonly perms: Uint32Array[][];

  constructor(
    readonly dims: number,
    private readonly scrambleSeed?: number,
  ) {
    if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`Halton sequence needs at least 1 dimension, got ${dims}`);
    this.bases = firstPrimes(dims);
    this.perms = this.bases.map(() => []);
  }

  private permutation(dim: number, position: number): Uint32Array {
    const perms = this.perms[dim]!;
    let perm = perms[position];
    if (!perm) {
      const base = this.bases[dim]!;
      perm = Uint32Array.from({ length: base }, (_, i) => i);
      const rand = seededRandom(combineSeed(this.scrambleSeed ?? 0, dim, position, 'halton'));
      for (let i = base - 1; i > 1; i--) {
        const j = 1 + Math.floor(rand() * i);
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
      }
      perms[position] = perm;
    }
    return perm;
  }

  /** Writes point `index` (a non-negative safe integer) into `out`, coordinates in [0, 1). */
  point(index: number, out: Float64Array = new Float64Array(this.dims)): Float64Array {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Halton point index must be a non-negative integer, got ${index}`);
    for (let j = 0; j < this.dims; j++) {
      const base = this.bases[j]!;
      let n = index;
      let scale = 1 / base;
      let x = 0;
      for (let position = 0; n > 0; position++) {
        const digit = n % base;
        x += (this.scrambleSeed === undefined ? digit : this.permutation(j, position)[digit]!) * scale;
        n = (n - digit) / base;
        scale /= base;
      }
      out[j] = Math.min(x, 1 - Number.EPSILON);
    }
    return out;
  }
}
