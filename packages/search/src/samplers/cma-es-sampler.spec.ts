import { describe, expect, it } from 'vitest';
import type { Distribution } from '../types.js';
import { CmaEsSampler } from './cma-es-sampler.js';
import { initialCma, sampleCma, shouldRestart, updateCma } from './cma-es-state.js';
import { runSamplerLoop } from './sampler-test-loop.js';
import { seededRandom } from '@anneal/data';

const box = (d: number, low = -5, high = 5): Record<string, Distribution> => Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i}`, { kind: 'float', low, high } as Distribution]));
const sphere = (shift: number) => (p: Readonly<Record<string, unknown>>) => Object.values(p).reduce<number>((acc, v) => acc + ((v as number) - shift) ** 2, 0);

describe('CMA-ES state', () => {
  it('keeps the covariance symmetric positive definite and moves the mean towards better points', () => {
    let s = initialCma(new Float64Array([0.5, 0.5]), 0.2, 6);
    const rand = seededRandom(3);
    for (let g = 0; g < 30; g++) {
      const xs = Array.from({ length: 6 }, () => sampleCma(s, rand));
      s = updateCma(s, xs, xs.map((x) => (x[0]! - 0.2) ** 2 + 4 * (x[1]! - 0.7) ** 2));
    }
    expect(s.mean[0]).toBeCloseTo(0.2, 2);
    expect(s.mean[1]).toBeCloseTo(0.7, 2);
    expect(s.cov[1]).toBeCloseTo(s.cov[2]!, 12);
    expect(Math.min(...s.scales)).toBeGreaterThan(0);
  });

  it('asks for a restart once the step size has collapsed', () => {
    const s = initialCma(new Float64Array([0.5, 0.5]), 1e-9, 6);
    expect(shouldRestart(s)).toBe(true);
    expect(shouldRestart(initialCma(new Float64Array([0.5, 0.5]), 0.2, 6))).toBe(false);
  });
});

describe('CmaEsSampler', () => {
  it('converges on a shifted 5-D sphere: below 1e-3 within 400 trials (random search: ~5)', () => {
    const best = [1, 2, 3].map((seed) => Math.min(...runSamplerLoop(new CmaEsSampler({ seed }), box(5), 400, 'minimize', { value: sphere(1.3) }).map((t) => t.value!)));
    for (const b of best) expect(b).toBeLessThan(1e-3);
  });

  it('maximizes as well as it minimizes', () => {
    const trials = runSamplerLoop(new CmaEsSampler({ seed: 4 }), box(3), 200, 'maximize', { value: (p) => -sphere(-2)(p) });
    expect(Math.max(...trials.map((t) => t.value!))).toBeGreaterThan(-1e-2);
  });

  it('is a pure function of the trials: a fresh sampler replays the same generations', () => {
    const trials = runSamplerLoop(new CmaEsSampler({ seed: 9 }), box(3), 40, 'minimize', { value: sphere(0) });
    const again = runSamplerLoop(new CmaEsSampler({ seed: 9 }), box(3), 1, 'minimize', { value: sphere(0), trials: trials.slice(0, 39) });
    expect(again[0]!.params).toEqual(trials[39]!.params);
  });

  it('restarts with a doubled population (IPOP) and keeps integer axes moving', () => {
    const space: Record<string, Distribution> = { a: { kind: 'int', low: 0, high: 10 }, b: { kind: 'int', low: 0, high: 10 } };
    const trials = runSamplerLoop(new CmaEsSampler({ seed: 2, nStartupTrials: 5 }), space, 300, 'minimize', { value: (p) => ((p.a as number) - 3) ** 2 + ((p.b as number) - 7) ** 2 });
    expect(Math.min(...trials.map((t) => t.value!))).toBe(0);
    // a converged run on a grid stalls; restarts keep sampling different points
    expect(new Set(trials.slice(200).map((t) => `${t.params.a},${t.params.b}`)).size).toBeGreaterThan(5);
  });

  it('rejects bad options and multi-objective studies', () => {
    expect(() => new CmaEsSampler({ popsize: 1 })).toThrow(/popsize/);
    const sampler = new CmaEsSampler({ seed: 1 });
    expect(() => sampler.inferRelativeSpace({ name: 's', direction: 'minimize', directions: ['minimize', 'maximize'], trials: [] }, { id: 'x', number: 0, state: 'running', params: {}, distributions: {}, intermediate: {}, userAttrs: {}, systemAttrs: {} })).toThrow(/single objective/);
  });
});
