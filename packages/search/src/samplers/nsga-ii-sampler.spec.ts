import { describe, expect, it } from 'vitest';
import { paretoFront } from '../multi-objective/dominance.js';
import { hypervolume } from '../multi-objective/hypervolume.js';
import type { Distribution, FrozenTrial } from '../types.js';
import { NsgaIISampler } from './nsga-ii-sampler.js';
import { RandomSampler } from './random-sampler.js';
import { SamplerLoop } from './sampler-test-loop.js';
import { TpeSampler } from './tpe-sampler.js';
import { splitTrials } from './tpe-split.js';

/** ZDT1 (Zitzler et al. 2000) in 5 dimensions: the true front is f2 = 1 - sqrt(f1), hypervolume 2/3 against (1, 1) in the limit. */
const zdtSpace: Record<string, Distribution> = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x${i}`, { kind: 'float', low: 0, high: 1 } as Distribution]));
function zdt1(p: Readonly<Record<string, unknown>>): number[] {
  const x = Array.from({ length: 5 }, (_, i) => p[`x${i}`] as number);
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / 4;
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}

function run(sampler: ConstructorParameters<typeof SamplerLoop>[0], n: number): readonly FrozenTrial[] {
  const loop = new SamplerLoop(sampler, { directions: ['minimize', 'minimize'] });
  for (let i = 0; i < n; i++) {
    const t = loop.start();
    const values = zdt1(Object.fromEntries(Object.entries(zdtSpace).map(([name, d]) => [name, t.suggest(name, d)])));
    t.finish({ state: 'complete', values });
  }
  return loop.trials;
}

const frontHypervolume = (trials: readonly FrozenTrial[]) => hypervolume(paretoFront(trials, ['minimize', 'minimize']).map((t) => t.values!), [1.1, 1.1]);

describe('NsgaIISampler', () => {
  it('improves the hypervolume of ZDT1 over random search at the same budget (seeds 1-2)', () => {
    for (const seed of [1, 2]) {
      const nsga = frontHypervolume(run(new NsgaIISampler({ seed, populationSize: 20 }), 200));
      const random = frontHypervolume(run(new RandomSampler({ seed }), 200));
      expect(nsga).toBeGreaterThan(random + 0.05);
    }
  });

  it('MOTPE (TpeSampler on a multi-objective study) also beats random search on ZDT1', () => {
    for (const seed of [1, 2]) {
      expect(frontHypervolume(run(new TpeSampler({ seed }), 120))).toBeGreaterThan(frontHypervolume(run(new RandomSampler({ seed }), 120)) + 0.05);
    }
  });

  it("MOTPE's good group: whole fronts, the last one thinned by the hypervolume each member adds", () => {
    const t = (number: number, values: number[]): FrozenTrial => ({ id: `t${number}`, number, state: 'complete', params: {}, distributions: {}, intermediate: {}, userAttrs: {}, systemAttrs: {}, values });
    // front 0: A(1,4) B(2,2) C(4,0.5); D(3,3) and E(5,5) behind. Reference (4.3, 4.35): B alone adds most, then C (0.45) beats A (0.35)
    const trials = [t(0, [1, 4]), t(1, [2, 2]), t(2, [4, 0.5]), t(3, [3, 3]), t(4, [5, 5])];
    const current: FrozenTrial = { ...t(5, []), state: 'running', values: undefined };
    const view = { name: 's', direction: 'minimize' as const, directions: ['minimize', 'minimize'] as const, trials: [...trials, current] };
    expect(splitTrials(view, current, () => 2, false).below.map((x) => x.number)).toEqual([1, 2]);
    expect(splitTrials(view, current, () => 4, false).below.map((x) => x.number)).toEqual([0, 1, 2, 3]);
  });

  it('draws generation 0 at random and rejects bad options', () => {
    const trials = run(new NsgaIISampler({ seed: 4, populationSize: 10 }), 10);
    const random = run(new RandomSampler({ seed: 4 }), 10);
    expect(trials.map((t) => t.params)).toEqual(random.map((t) => t.params));
    expect(() => new NsgaIISampler({ populationSize: 1 })).toThrow(/populationSize/);
  });
});
