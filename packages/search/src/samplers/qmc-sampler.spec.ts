import { describe, expect, it } from 'vitest';
import { contains } from '../distributions.js';
import type { Distribution } from '../types.js';
import { HaltonSequence, firstPrimes } from './halton.js';
import { QmcSampler } from './qmc-sampler.js';
import { l2StarDiscrepancy, meanStd } from './quality-fixture.js';
import { RandomSampler } from './random-sampler.js';
import { runSamplerLoop } from './sampler-test-loop.js';
import { SOBOL_MAX_DIMS, SobolSequence } from './sobol.js';

/** Whether the first 2^m points put exactly one coordinate value in each interval [k/2^m, (k+1)/2^m). */
function stratified(values: readonly number[], m: number): boolean {
  const counts = new Array<number>(2 ** m).fill(0);
  for (const v of values) counts[Math.floor(v * 2 ** m)]!++;
  return counts.every((c) => c === 1);
}

describe('SobolSequence', () => {
  it('gives the textbook first points in two dimensions', () => {
    const s = new SobolSequence(2);
    const points = Array.from({ length: 8 }, (_, i) => [...s.point(i)]);
    // natural order of the Gray-code sequence (0,0) (.5,.5) (.75,.25) (.25,.75) (.375,.375) (.875,.875) (.625,.125) (.125,.625)
    expect(points).toEqual([
      [0, 0],
      [0.5, 0.5],
      [0.25, 0.75],
      [0.75, 0.25],
      [0.125, 0.625],
      [0.625, 0.125],
      [0.375, 0.375],
      [0.875, 0.875],
    ]);
  });

  it('stratifies every dimension: 2^m points hit each of 2^m intervals once (plain and scrambled)', () => {
    for (const seed of [undefined, 5]) {
      const s = new SobolSequence(SOBOL_MAX_DIMS, seed);
      const points = Array.from({ length: 1024 }, (_, i) => [...s.point(i)]);
      for (let j = 0; j < SOBOL_MAX_DIMS; j++) expect(stratified(points.map((p) => p[j]!), 10), `dimension ${j}, seed ${seed}`).toBe(true);
    }
  });

  it('is a (0,m,2)-net in its first two dimensions: every 2^-a x 2^-(m-a) box holds one point', () => {
    const m = 8;
    const s = new SobolSequence(2, 9);
    const points = Array.from({ length: 2 ** m }, (_, i) => [...s.point(i)]);
    for (let a = 0; a <= m; a++) {
      const cells = new Set(points.map(([x, y]) => `${Math.floor(x! * 2 ** a)},${Math.floor(y! * 2 ** (m - a))}`));
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('rejects more dimensions than its tables cover', () => {
    expect(() => new SobolSequence(SOBOL_MAX_DIMS + 1)).toThrow(/1\.\.32 dimensions/);
  });
});

describe('HaltonSequence', () => {
  it('is the radical inverse in prime bases without scrambling', () => {
    expect(firstPrimes(6)).toEqual([2, 3, 5, 7, 11, 13]);
    const h = new HaltonSequence(2);
    const [x, y] = h.point(5);
    expect(x).toBe(5 / 8);
    expect(y).toBeCloseTo(7 / 9, 15); // 5 = 101b -> .101b; 5 = 12 in base 3 -> .21 = 2/3 + 1/9
  });

  it('scrambled: each base-b digit block still stratifies (b^2 points, one per 1/b^2 interval)', () => {
    const h = new HaltonSequence(3, 17);
    for (const [j, b] of [[0, 2], [1, 3], [2, 5]] as const) {
      const n = b ** 2;
      // the first b^2 points are exactly the multiples k / b^2 (k = 0..b^2-1) in some order
      const cells = new Set(Array.from({ length: n }, (_, i) => Math.round(h.point(i)[j]! * n)));
      expect(cells.size).toBe(n);
    }
  });
});

describe('QmcSampler', () => {
  const unit: Record<string, Distribution> = { a: { kind: 'float', low: 0, high: 1 }, b: { kind: 'float', low: 0, high: 1 } };
  const toPoints = (sampler: QmcSampler | RandomSampler, n: number) => runSamplerLoop(sampler, unit, n).map((t) => [t.params.a as number, t.params.b as number]);

  it('spreads points more evenly than uniform random sampling (L2-star discrepancy, 5 seeds, both kinds)', () => {
    const rows: string[] = [];
    for (const kind of ['sobol', 'halton'] as const) {
      const qmc = [1, 2, 3, 4, 5].map((seed) => l2StarDiscrepancy(toPoints(new QmcSampler({ seed, kind }), 128)));
      const rnd = [1, 2, 3, 4, 5].map((seed) => l2StarDiscrepancy(toPoints(new RandomSampler({ seed }), 128)));
      for (let i = 0; i < 5; i++) expect(qmc[i]!).toBeLessThan(rnd[i]!);
      expect(meanStd(qmc).mean).toBeLessThan(meanStd(rnd).mean / 2);
      rows.push(`${kind}: qmc ${meanStd(qmc).mean.toExponential(2)} vs random ${meanStd(rnd).mean.toExponential(2)}`);
    }
    console.log(`L2-star discrepancy of 128 points in 2-D (mean of 5 seeds)\n${rows.join('\n')}`);
  });

  it('uses point n of the sequence for trial n, so the points after the first trial follow the sequence', () => {
    const trials = runSamplerLoop(new QmcSampler({ scramble: false }), unit, 9);
    const s = new SobolSequence(2);
    for (const t of trials.slice(1)) expect([t.params.a, t.params.b]).toEqual([...s.point(t.number)]);
  });

  it('maps the cube through every kind of distribution, covering ints, steps and choices evenly', () => {
    const space: Record<string, Distribution> = {
      i: { kind: 'int', low: 0, high: 7 },
      s: { kind: 'float', low: 0, high: 0.7, step: 0.1 },
      c: { kind: 'categorical', choices: ['a', 'b', 'c', 'd'] },
      l: { kind: 'float', low: 1e-4, high: 1, log: true },
    };
    // trials 256..511 use the aligned block of Sobol' points 256..511, a net on its own
    const trials = runSamplerLoop(new QmcSampler({ seed: 3 }), space, 512).slice(256);
    for (const t of trials) for (const [name, d] of Object.entries(space)) expect(contains(d, t.params[name]!)).toBe(true);
    const counts = (name: string) => new Map(trials.map((t) => [t.params[name], trials.filter((u) => u.params[name] === t.params[name]).length]));
    expect([...counts('i').values()]).toEqual(new Array(8).fill(32));
    expect([...counts('s').values()]).toEqual(new Array(8).fill(32));
    expect([...counts('c').values()]).toEqual(new Array(4).fill(64));
    // log: a quarter of the points per decade
    const decades = new Array(4).fill(0);
    for (const t of trials) decades[Math.min(3, Math.floor(-Math.log10(t.params.l as number)))]++;
    expect(decades).toEqual([64, 64, 64, 64]);
  });

  it('is reproducible per seed, differs between seeds, and points depend only on trial numbers', () => {
    const a = toPoints(new QmcSampler({ seed: 1 }), 20);
    expect(toPoints(new QmcSampler({ seed: 1 }), 20)).toEqual(a);
    expect(toPoints(new QmcSampler({ seed: 2 }), 20)).not.toEqual(a);
  });

  it('explains what to do when a space is too large for Sobol', () => {
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${String(i).padStart(2, '0')}`, { kind: 'float', low: 0, high: 1 } as Distribution]));
    expect(() => runSamplerLoop(new QmcSampler({ seed: 1 }), big, 3)).toThrow(/kind: 'halton'/);
    expect(runSamplerLoop(new QmcSampler({ seed: 1, kind: 'halton' }), big, 3)).toHaveLength(3);
  });
});
