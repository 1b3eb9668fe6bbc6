import { seededRandom } from '@anneal/data';
import { describe, expect, it } from 'vitest';
import type { Distribution, FrozenTrial, ParamValue } from '../types.js';
import { parameterImportance } from './importance.js';
import { StudyResultsError } from './results-error.js';
import { LR, makeTrial, syntheticStudy, X } from './synthetic-trials.js';

const Z: Distribution = { kind: 'categorical', choices: ['a', 'b', 'c'] };

/** A standard normal draw (Box-Muller). */
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function quadraticStudy(n: number, seed: number): FrozenTrial[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = random();
    const y = random();
    const z = Z.kind === 'categorical' ? Z.choices[Math.floor(random() * 3)]! : null;
    return makeTrial(i, { x: [X, x], y: [X, y], z: [Z, z] }, 10 * (x - 0.3) ** 2 + 0.1 * y + 0.02 * gaussian(random));
  });
}

const byParam = (r: { param: string; importance: number }[]) => Object.fromEntries(r.map((p) => [p.param, p.importance]));

describe('parameterImportance', () => {
  it('ranks x >> y > z for 10(x-0.3)^2 + 0.1y + noise with an irrelevant categorical z', () => {
    const result = parameterImportance(quadraticStudy(150, 1), { seed: 7 });
    expect(result.map((r) => r.param)).toEqual(['x', 'y', 'z']);
    const imp = byParam(result);
    expect(imp['x']).toBeGreaterThan(0.8);
    expect(imp['x']).toBeGreaterThan(20 * imp['y']!);
    expect(imp['y']).toBeGreaterThan(imp['z']!);
    expect(result.reduce((s, r) => s + r.importance, 0)).toBeCloseTo(1, 12);
    for (const r of result) expect(r.importance).toBeGreaterThanOrEqual(0);
  });

  it('recovers the variance shares of an additive function: x + 2y has shares 1/5 and 4/5', () => {
    const random = seededRandom(11);
    const trials = Array.from({ length: 300 }, (_, i) => {
      const x = random();
      const y = random();
      return makeTrial(i, { x: [X, x], y: [X, y] }, x + 2 * y);
    });
    const imp = byParam(parameterImportance(trials, { seed: 1 }));
    expect(imp['x']).toBeCloseTo(0.2, 1);
    expect(imp['y']).toBeCloseTo(0.8, 1);
  });

  it('measures log-distributed parameters in log space: log10(lr) + 4u splits the variance in half', () => {
    // Over lr log-uniform in [1e-5, 1e-1], log10(lr) has variance 16/12, as has 4u for u uniform in [0, 1].
    // In linear space nearly all of [1e-5, 0.1] would have log10(lr) close to -1.5 and lr would look unimportant.
    const random = seededRandom(5);
    const trials = Array.from({ length: 300 }, (_, i) => {
      const lr = 10 ** (-5 + 4 * random());
      const u = random();
      return makeTrial(i, { lr: [LR, lr], u: [X, u] }, Math.log10(lr) + 4 * u);
    });
    const imp = byParam(parameterImportance(trials, { seed: 2 }));
    expect(imp['lr']).toBeCloseTo(0.5, 1);
    expect(imp['u']).toBeCloseTo(0.5, 1);
  });

  it('puts a categorical first when the value depends only on it', () => {
    const random = seededRandom(9);
    const effect: Record<string, number> = { adam: 0, sgd: 2, rmsprop: 0.5 };
    const trials = Array.from({ length: 90 }, (_, i) => {
      const opt = ['adam', 'sgd', 'rmsprop'][Math.floor(random() * 3)]!;
      return makeTrial(i, { x: [X, random()], opt: [{ kind: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] }, opt], n: [{ kind: 'int', low: 1, high: 8 }, 1 + Math.floor(random() * 8)] }, effect[opt]!);
    });
    const result = parameterImportance(trials);
    expect(result[0]!.param).toBe('opt');
    expect(result[0]!.importance).toBeGreaterThan(0.9);
    for (const r of result.slice(1)) expect(r.importance).toBeLessThan(0.05);
  });

  it('handles conditional parameters missing from some trials', () => {
    // depth exists only for model 'deep'; value = depth there and 0 for 'shallow'; width never matters.
    const random = seededRandom(4);
    const model: Distribution = { kind: 'categorical', choices: ['shallow', 'deep'] };
    const trials = Array.from({ length: 120 }, (_, i) => {
      const params: Record<string, [Distribution, ParamValue]> = { model: [model, i % 2 ? 'deep' : 'shallow'], width: [X, random()] };
      if (i % 2) params['depth'] = [{ kind: 'int', low: 1, high: 16 }, 1 + Math.floor(random() * 16)];
      return makeTrial(i, params, i % 2 ? (params['depth']![1] as number) : 0);
    });
    const result = parameterImportance(trials, { seed: 3 });
    expect(result.map((r) => r.param)).toEqual(['depth', 'model', 'width']);
    expect(result[2]!.importance).toBeLessThan(0.02);
    expect(result.reduce((s, r) => s + r.importance, 0)).toBeCloseTo(1, 12);
  });

  it('uses only complete trials and works on a study with pruned, failed and conditional trials', () => {
    const result = parameterImportance(syntheticStudy(40));
    expect(result[0]!.param).toBe('lr');
    expect(result.map((r) => r.param).sort()).toEqual(['layers', 'lr', 'momentum', 'optimizer']);
  });

  it('is deterministic given the seed, and the seed matters', () => {
    const trials = quadraticStudy(60, 2);
    expect(parameterImportance(trials, { seed: 5 })).toEqual(parameterImportance(trials, { seed: 5 }));
    expect(parameterImportance(trials, { seed: 5 })).not.toEqual(parameterImportance(trials, { seed: 6 }));
    expect(parameterImportance(trials, { seed: 5, trees: 8 })).not.toEqual(parameterImportance(trials, { seed: 5 }));
  });

  it('gives equal shares when every trial has the same value', () => {
    const trials = [0, 1, 2].map((i) => makeTrial(i, { x: [X, i / 4], y: [X, 1 - i / 4] }, 3));
    expect(parameterImportance(trials)).toEqual([{ param: 'x', importance: 0.5 }, { param: 'y', importance: 0.5 }]);
  });

  it('refuses fewer than 2 complete trials, no parameters, bad options and mixed distributions', () => {
    const one = [makeTrial(0, { x: [X, 0.5] }, 1), makeTrial(1, { x: [X, 0.2] }, undefined, 'fail'), makeTrial(2, { x: [X, 0.1] }, 3, 'pruned')];
    expect(() => parameterImportance(one)).toThrow(StudyResultsError);
    expect(() => parameterImportance(one)).toThrow(/at least 2 complete trials.*got 1 of 3 trials \(1 complete, 1 fail, 1 pruned\)/);
    expect(() => parameterImportance([])).toThrow(/got 0 of 0 trials/);
    expect(() => parameterImportance([makeTrial(0, {}, 1), makeTrial(1, {}, 2)])).toThrow(/no parameters/);
    expect(() => parameterImportance(quadraticStudy(5, 1), { trees: 0 })).toThrow(/trees must be an integer >= 1, got 0/);
    const mixed = [makeTrial(0, { p: [X, 0.5] }, 1), makeTrial(1, { p: [Z, 'a'] }, 2)];
    expect(() => parameterImportance(mixed)).toThrow(/parameter 'p' is categorical in trial 1 but numeric in trial 0/);
  });
});
