import { describe, expect, it } from 'vitest';
import { DistributionError } from '../errors.js';
import type { Distribution } from '../types.js';
import { GridSampler } from './grid-sampler.js';
import { SamplerError } from './sampler-error.js';
import { SamplerLoop } from './sampler-test-loop.js';

const space: Record<string, Distribution> = {
  lr: { kind: 'float', low: 1e-4, high: 1, log: true },
  depth: { kind: 'int', low: 1, high: 8 },
  opt: { kind: 'categorical', choices: ['adam', 'sgd', null] },
};
const grid = { lr: [1e-3, 1e-2, 1e-1], depth: [2, 4], opt: ['adam', 'sgd', null] };
const key = (p: Readonly<Record<string, unknown>>) => JSON.stringify([p.lr, p.depth, p.opt]);

function runUntilExhausted(sampler: GridSampler, limit = 100) {
  const loop = new SamplerLoop(sampler);
  while (!sampler.isExhausted(loop.view()) && loop.trials.length < limit) {
    loop.run((t) => {
      for (const [name, d] of Object.entries(space)) t.suggest(name, d);
      return 0;
    }, 1);
  }
  return loop.trials;
}

describe('GridSampler', () => {
  it('visits each of the 18 points exactly once and then reports exhaustion', () => {
    for (const seed of [undefined, 3]) {
      const sampler = new GridSampler(grid, seed === undefined ? {} : { seed });
      const trials = runUntilExhausted(sampler);
      expect(trials).toHaveLength(18);
      expect(new Set(trials.map((t) => key(t.params))).size).toBe(18);
      expect(sampler.size).toBe(18);
    }
  });

  it('visits in lexicographic order (sorted names, last fastest) without a seed, shuffled and reproducible with one', () => {
    const plain = runUntilExhausted(new GridSampler(grid)).map((t) => key(t.params));
    expect(plain.slice(0, 4)).toEqual([key({ depth: 2, lr: 1e-3, opt: 'adam' }), key({ depth: 2, lr: 1e-3, opt: 'sgd' }), key({ depth: 2, lr: 1e-3, opt: null }), key({ depth: 2, lr: 1e-2, opt: 'adam' })]);
    const a = runUntilExhausted(new GridSampler(grid, { seed: 11 })).map((t) => key(t.params));
    expect(runUntilExhausted(new GridSampler(grid, { seed: 11 })).map((t) => key(t.params))).toEqual(a);
    expect(a).not.toEqual(plain);
    expect(runUntilExhausted(new GridSampler(grid, { seed: 12 })).map((t) => key(t.params))).not.toEqual(a);
  });

  it('gives trials running in parallel different points, even before they show their parameters', () => {
    const loop = new SamplerLoop(new GridSampler(grid, { seed: 5 }));
    const running = Array.from({ length: 6 }, () => loop.start());
    // the later trials ask first
    const seen = running.reverse().map((t) => key(Object.fromEntries(Object.entries(space).map(([n, d]) => [n, t.suggest(n, d)]))));
    expect(new Set(seen).size).toBe(6);
    // a fresh instance of the sampler agrees (it keeps no state beyond a per-trial cache)
    running.forEach((t) => t.finish(0));
    const more = new SamplerLoop(new GridSampler(grid, { seed: 5 }), { trials: loop.trials });
    more.run((t) => (Object.entries(space).forEach(([n, d]) => t.suggest(n, d)), 0), 12);
    expect(new Set(more.trials.map((t) => key(t.params))).size).toBe(18);
  });

  it('counts failed and pruned trials as visited', () => {
    const sampler = new GridSampler({ x: [1, 2, 3] });
    const loop = new SamplerLoop(sampler);
    const d: Distribution = { kind: 'int', low: 0, high: 5 };
    loop.run((t) => (t.suggest('x', d), { state: 'fail' }), 1);
    loop.run((t) => (t.suggest('x', d), t.report(0, 1), { state: 'pruned' }), 1);
    loop.run((t) => (t.suggest('x', d), 0), 1);
    expect(loop.trials.map((t) => t.params.x)).toEqual([1, 2, 3]);
    expect(sampler.isExhausted(loop.view())).toBe(true);
  });

  it('keeps a point consistent with grid parameters a trial already has (fresh sampler instance mid-trial)', () => {
    const d: Distribution = { kind: 'int', low: 0, high: 100 };
    const loop = new SamplerLoop(new GridSampler({ a: [1, 2], b: [10, 20] }));
    loop.run((t) => (t.suggest('a', d), t.suggest('b', d), 0), 1); // takes (1, 10)
    const t = loop.start();
    for (const [b, a] of [[10, 2], [20, 1]] as const) {
      const frozen = { ...t.frozen, params: { b }, distributions: { b: d } };
      const view = { ...loop.view(), trials: [...loop.trials.slice(0, 1), frozen] };
      expect(new GridSampler({ a: [1, 2], b: [10, 20] }).sampleIndependent(view, frozen, 'a', d)).toBe(a);
    }
  });

  it('names parameters missing from the grid and values outside a distribution', () => {
    const loop = new SamplerLoop(new GridSampler({ x: [1, 2] }));
    const t = loop.start();
    expect(() => t.suggest('y', { kind: 'float', low: 0, high: 1 })).toThrow(DistributionError);
    expect(() => t.suggest('y', { kind: 'float', low: 0, high: 1 })).toThrow(/'y': is not in the grid .*grid parameters: x/);
    expect(() => t.suggest('x', { kind: 'float', low: 5, high: 6 })).toThrow(/grid value 1 is outside float \[5, 6\]/);
  });

  it('rejects empty or duplicated value lists', () => {
    expect(() => new GridSampler({ x: [] })).toThrow(SamplerError);
    expect(() => new GridSampler({ x: [1, 1] })).toThrow(/grid\['x'\] has duplicate values/);
  });
});
