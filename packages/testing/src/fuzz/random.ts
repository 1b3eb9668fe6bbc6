/** A seeded source of random choices for generating fuzz cases (mulberry32: fast, 32-bit state, reproducible). */
export interface FuzzRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
}

/**
 * A seeded random source; the same seed gives the same cases. `ANNEAL_FUZZ_SEED` (an integer)
 * replaces the seed, to explore other cases than the ones a spec pins.
 * @example const rng = fuzzRandom(7); rng.int(10); // the same number on every run
 */
export function fuzzRandom(seed: number): FuzzRandom {
  const override = Number(process.env.ANNEAL_FUZZ_SEED);
  let s = (Number.isInteger(override) && process.env.ANNEAL_FUZZ_SEED ? override + seed : seed) >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)]!,
  };
}
