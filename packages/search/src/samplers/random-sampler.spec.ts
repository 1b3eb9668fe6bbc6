import { describe, expect, it } from 'vitest';
import { contains } from '../distributions.js';
import type { Distribution, FrozenTrial, ParamValue, StudyView } from '../types.js';
import { RandomSampler } from './random-sampler.js';
import { SamplerError } from './sampler-error.js';

const view: StudyView = { name: 's', direction: 'minimize', trials: [] };
const trial = (number: number): FrozenTrial => ({ id: `s#${number}`, number, state: 'running', params: {}, distributions: {}, intermediate: {}, userAttrs: {}, systemAttrs: {} });
const N = 4000;
const draws = (d: Distribution, seed = 1): ParamValue[] => {
  const s = new RandomSampler({ seed });
  return Array.from({ length: N }, (_, i) => s.sampleIndependent(view, trial(i), 'p', d));
};
/** Pearson chi-square of observed counts against equal expected counts. */
const chiSquare = (counts: number[]) => {
  const e = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((acc, c) => acc + (c - e) ** 2 / e, 0);
};

describe('RandomSampler', () => {
  it('draws floats uniformly: mean (low+high)/2 within 4 standard errors', () => {
    const xs = draws({ kind: 'float', low: -3, high: 5 }) as number[];
    expect(xs.every((x) => x >= -3 && x < 5)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / N;
    const se = 8 / Math.sqrt(12) / Math.sqrt(N);
    expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
  });

  it('draws log floats uniformly in log space: half fall below the geometric mean', () => {
    const xs = draws({ kind: 'float', low: 1e-5, high: 1e-1, log: true }) as number[];
    expect(xs.every((x) => x >= 1e-5 && x <= 1e-1)).toBe(true);
    const below = xs.filter((x) => x < 1e-3).length / N;
    expect(Math.abs(below - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / N));
  });

  it('covers an int step grid evenly (chi-square, 4 dof, p = 0.001 bound 18.47)', () => {
    const d: Distribution = { kind: 'int', low: 1, high: 10, step: 2 };
    const xs = draws(d) as number[];
    expect(xs.every((x) => contains(d, x))).toBe(true);
    expect(chiSquare([1, 3, 5, 7, 9].map((v) => xs.filter((x) => x === v).length))).toBeLessThan(18.47);
  });

  it('draws log ints over [low-0.5, high+0.5] in log space: P(v <= 10) = ln 21 / ln 201 for [1, 100]', () => {
    const xs = draws({ kind: 'int', low: 1, high: 100, log: true }) as number[];
    expect(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 100)).toBe(true);
    const p = Math.log(21) / Math.log(201);
    expect(Math.abs(xs.filter((x) => x <= 10).length / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });

  it('keeps stepped floats on their grid and chooses categoricals evenly', () => {
    const f: Distribution = { kind: 'float', low: 0, high: 1, step: 0.25 };
    const fs = draws(f) as number[];
    expect(new Set(fs)).toEqual(new Set([0, 0.25, 0.5, 0.75, 1]));
    const choices = ['sgd', 'adam', null, false] as const;
    const cs = draws({ kind: 'categorical', choices });
    expect(chiSquare(choices.map((c) => cs.filter((x) => x === c).length))).toBeLessThan(16.27); // 3 dof, p = 0.001
  });

  it('depends only on (seed, trial number, name): same seed same values, whatever the call order', () => {
    const d: Distribution = { kind: 'float', low: 0, high: 1 };
    const a = new RandomSampler({ seed: 42 });
    const b = new RandomSampler({ seed: 42 });
    const forward = [0, 1, 2, 3].map((n) => [a.sampleIndependent(view, trial(n), 'x', d), a.sampleIndependent(view, trial(n), 'y', d)]);
    const backward = [3, 2, 1, 0].map((n) => [b.sampleIndependent(view, trial(n), 'y', d), b.sampleIndependent(view, trial(n), 'x', d)]).reverse().map(([y, x]) => [x, y]);
    expect(backward).toEqual(forward);
    expect(new Set(forward.flat()).size).toBe(8);
    expect(new RandomSampler({ seed: 43 }).sampleIndependent(view, trial(0), 'x', d)).not.toBe(forward[0]![0]);
    expect(new RandomSampler().seed).not.toBe(new RandomSampler().seed);
  });

  it('refuses a non-finite seed', () => {
    expect(() => new RandomSampler({ seed: Number.NaN })).toThrow(SamplerError);
  });
});
