import { describe, expect, it } from 'vitest';
import type { Distribution, FrozenTrial, ParamValue } from '../types.js';
import { QmcSampler } from './qmc-sampler.js';
import { bestValues, branin, meanStd, shiftedQuadratic, type TestFunction } from './quality-fixture.js';
import { RandomSampler } from './random-sampler.js';
import { SamplerLoop, runSamplerLoop, type LoopTrial } from './sampler-test-loop.js';
import { TpeSampler } from './tpe-sampler.js';
import { defaultGamma, defaultWeights, splitTrials } from './tpe-split.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7];

function trial(number: number, state: FrozenTrial['state'], value?: number, intermediate: Record<number, number> = {}): FrozenTrial {
  return { id: `t${number}`, number, state, params: {}, distributions: {}, intermediate, userAttrs: {}, systemAttrs: {}, ...(value === undefined ? {} : { value }) };
}

describe('TPE history split', () => {
  it('defaults: gamma = min(ceil(n/10), 25); the newest 25 weigh 1, older ones ramp from 1/n', () => {
    expect([0, 1, 10, 11, 100, 260, 1000].map(defaultGamma)).toEqual([0, 1, 1, 2, 10, 25, 25]);
    expect([...defaultWeights(3)]).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(w[2]).toBeCloseTo((1 / 30 + 1) / 2, 12);
    expect([...w.slice(5)]).toEqual(new Array(25).fill(1));
  });

  it('ranks complete trials by value, then pruned ones (further steps first), ignores failed and waiting ones', () => {
    const trials = [
      trial(0, 'complete', 5),
      trial(1, 'pruned', 0.1, { 0: 0.3, 1: 0.1 }),
      trial(2, 'fail'),
      trial(3, 'complete', 2),
      trial(4, 'pruned', 9, { 0: 1, 1: 2, 2: 9 }),
      trial(5, 'waiting'),
      trial(6, 'running'),
      trial(7, 'complete', Number.NaN),
      trial(8, 'running'),
    ];
    const current = trials[8]!;
    const ranks = (gamma: number, direction: 'minimize' | 'maximize' = 'minimize', liar = false) => {
      const s = splitTrials({ name: 's', direction, trials }, current, () => gamma, liar);
      return { below: s.below.map((t) => t.number), above: s.above.map((t) => t.number), finished: s.finished };
    };
    // minimize order: 3 (2), 0 (5), 7 (NaN), then pruned: 4 (reached step 2), 1
    expect(ranks(2)).toEqual({ below: [0, 3], above: [1, 4, 7], finished: 5 });
    expect(ranks(4)).toEqual({ below: [0, 3, 4, 7], above: [1], finished: 5 });
    // maximize: 0 (5) before 3 (2)
    expect(ranks(1, 'maximize')).toEqual({ below: [0], above: [1, 3, 4, 7], finished: 5 });
    // constant liar: the other running trial is a bad one
    expect(ranks(1, 'minimize', true)).toEqual({ below: [3], above: [0, 1, 4, 6, 7], finished: 5 });
  });
});

describe('TpeSampler', () => {
  it('beats uniform random search on a shifted quadratic and on Branin, ending close to the optimum', () => {
    const rows: string[] = [];
    const table = (fn: TestFunction, n: number) => {
      const random = bestValues((s) => new RandomSampler({ seed: s }), fn, n, SEEDS);
      const tpe = bestValues((s) => new TpeSampler({ seed: s, multivariate: true }), fn, n, SEEDS);
      const univariate = bestValues((s) => new TpeSampler({ seed: s }), fn, n, SEEDS);
      const qmc = bestValues((s) => new QmcSampler({ seed: s }), fn, n, SEEDS);
      const fmt = (xs: number[]) => `${meanStd(xs).mean.toFixed(4)} ± ${meanStd(xs).std.toFixed(4)}`;
      rows.push(`| ${fn.name} (${n} trials) | ${fmt(random)} | ${fmt(qmc)} | ${fmt(univariate)} | ${fmt(tpe)} |`);
      return { random, tpe, univariate };
    };
    const q = table(shiftedQuadratic, 100);
    const b = table(branin, 100);
    console.log(
      `best value, mean ± std over ${SEEDS.length} seeds (minimum: quadratic 0, branin ${branin.minimum})\n| function | random | qmc | tpe univariate | tpe multivariate |\n|---|---|---|---|---|\n${rows.join('\n')}`,
    );
    for (const [fn, r] of [[shiftedQuadratic, q], [branin, b]] as const) {
      for (const model of [r.tpe, r.univariate]) {
        expect(meanStd(model).mean).toBeLessThan(meanStd(r.random).mean);
        expect(model.filter((v, i) => v < r.random[i]!).length).toBeGreaterThan(SEEDS.length / 2);
      }
      // Scott-rule bandwidths make the joint model explore longer than the univariate one on Branin
      expect(meanStd(r.univariate).mean - fn.minimum).toBeLessThan(fn === branin ? 0.1 : 0.05);
      expect(meanStd(r.tpe).mean - fn.minimum).toBeLessThan(fn === branin ? 0.2 : 0.05);
    }
  });

  it('models each parameter alone by default (as Optuna); multivariate: true models the intersection space jointly', () => {
    const history = runSamplerLoop(new TpeSampler({ seed: 1 }), branin.space, 12, 'minimize', { value: branin.f });
    const study = { name: 's', direction: 'minimize' as const, trials: history };
    expect(new TpeSampler({ seed: 1 }).inferRelativeSpace(study, history[11]!)).toEqual({});
    expect(Object.keys(new TpeSampler({ seed: 1, multivariate: true }).inferRelativeSpace(study, history[11]!)).sort()).toEqual(['x1', 'x2']);
  });

  it('is reproducible: same seed same values; a fresh instance given the same history agrees; seeds differ', () => {
    const run = (seed: number) => runSamplerLoop(new TpeSampler({ seed }), branin.space, 30, 'minimize', { value: branin.f }).map((t) => t.params);
    const a = run(3);
    expect(run(3)).toEqual(a);
    expect(run(4)).not.toEqual(a);
    const history = runSamplerLoop(new TpeSampler({ seed: 3 }), branin.space, 29, 'minimize', { value: branin.f });
    const next = runSamplerLoop(new TpeSampler({ seed: 3 }), branin.space, 1, 'minimize', { value: branin.f, trials: history });
    expect(next[0]!.params).toEqual(a[29]);
  });

  it('samples at random during startup (values do not matter) and follows the values after it', () => {
    const params = (nStartupTrials: number, f: (p: Readonly<Record<string, ParamValue>>) => number) =>
      runSamplerLoop(new TpeSampler({ seed: 8, nStartupTrials }), shiftedQuadratic.space, 20, 'minimize', { value: f }).map((t) => t.params);
    const f = shiftedQuadratic.f;
    const g = (p: Readonly<Record<string, ParamValue>>) => -shiftedQuadratic.f(p);
    expect(params(20, f)).toEqual(params(20, g));
    const [pf, pg] = [params(10, f), params(10, g)];
    expect(pf.slice(0, 10)).toEqual(pg.slice(0, 10));
    expect(pf.slice(10)).not.toEqual(pg.slice(10));
  });

  it('maximizing -f is the same search as minimizing f', () => {
    const run = (direction: 'minimize' | 'maximize') =>
      runSamplerLoop(new TpeSampler({ seed: 2 }), branin.space, 25, direction, { value: (p) => (direction === 'minimize' ? 1 : -1) * branin.f(p) }).map((t) => t.params);
    expect(run('maximize')).toEqual(run('minimize'));
  });

  it('models ints, steps, logs and categoricals: finds the best discrete setting more often than random', () => {
    const space: Record<string, Distribution> = {
      opt: { kind: 'categorical', choices: ['sgd', 'adam', 'rmsprop', 'adagrad', 'lion'] },
      layers: { kind: 'int', low: 1, high: 16 },
      lr: { kind: 'float', low: 1e-5, high: 1, log: true },
      drop: { kind: 'float', low: 0, high: 0.5, step: 0.05 },
    };
    const value = (p: Record<string, unknown>) =>
      (p.opt === 'rmsprop' ? 0 : 1) + Math.abs((p.layers as number) - 11) / 4 + Math.abs(Math.log10(p.lr as number) + 3) / 2 + Math.abs((p.drop as number) - 0.2) * 2;
    const best = (make: (seed: number) => TpeSampler | RandomSampler) =>
      SEEDS.map((seed) => Math.min(...runSamplerLoop(make(seed), space, 60, 'minimize', { value }).map((t) => t.value!)));
    const tpe = best((seed) => new TpeSampler({ seed }));
    const random = best((seed) => new RandomSampler({ seed }));
    expect(meanStd(tpe).mean).toBeLessThan(meanStd(random).mean);
    expect(tpe.filter((v, i) => v < random[i]!).length).toBeGreaterThan(SEEDS.length / 2);
  });

  it('with a constant liar, trials running in parallel do not pile onto the same point', () => {
    const spread = (seed: number, constantLiar: boolean) => {
      // a fixed gamma, so only the liar differs
      const loop = new SamplerLoop(new TpeSampler({ seed, constantLiar, nStartupTrials: 5, gamma: () => 2 }));
      const suggest = (t: LoopTrial) => t.suggest('x', shiftedQuadratic.space.x!) as number;
      loop.run((t) => (suggest(t) - 1.3) ** 2, 15);
      // 8 workers each start a trial and suggest x; none has finished when the next starts
      const xs = Array.from({ length: 8 }, () => suggest(loop.start()));
      return Math.max(...xs) - Math.min(...xs);
    };
    const liar = SEEDS.map((seed) => spread(seed, true));
    const plain = SEEDS.map((seed) => spread(seed, false));
    expect(meanStd(liar).mean).toBeGreaterThan(meanStd(plain).mean);
    expect(liar.filter((v, i) => v > plain[i]!).length).toBeGreaterThan(SEEDS.length / 2);
  });

  it('keeps up: 1,000 trials on a 2-parameter space at well over 100 trials/s (bench target 260/s)', () => {
    const t0 = performance.now();
    runSamplerLoop(new TpeSampler({ seed: 1 }), branin.space, 1000, 'minimize', { value: branin.f });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`TPE sampler loop: 1000 trials in ${seconds.toFixed(2)} s = ${(1000 / seconds).toFixed(0)} trials/s (sampler + in-memory loop, no storage)`);
    expect(1000 / seconds).toBeGreaterThan(100);
  });
});
