import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chained,
  constant,
  cosine,
  cosineWithWarmRestarts,
  exponential,
  inverseSqrt,
  linear,
  multiStep,
  oneCycle,
  polynomial,
  reduceOnPlateau,
  sequential,
  step,
  warmup,
  type Schedule,
} from './index.js';

interface TorchCase {
  name: string;
  torch: string;
  base: number;
  steps: number;
  options: Record<string, unknown>;
  lr: number[];
  closedForm?: number[];
}

interface PlateauCase {
  name: string;
  base: number;
  options: { mode: 'min' | 'max'; factor: number; patience: number; threshold?: number; threshold_mode?: 'rel' | 'abs'; cooldown?: number; min_lr?: number };
  metrics: number[];
  lr: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-schedules.json', import.meta.url), 'utf8')) as {
  cases: TorchCase[];
  plateau: PlateauCase[];
};

/**
 * The same schedules built with this package. torch runs the lr through Python floats, this
 * package through JS numbers with the same formulas, so values agree to rounding; the tolerance
 * (1e-12 relative, 1e-15 absolute for values at or near 0) only absorbs differences between
 * Python's and V8's `pow`/`cos` in the last bits.
 */
const BUILD: Record<string, (base: number) => Schedule> = {
  step_lr: (base) => step({ base, stepSize: 7, gamma: 0.5 }),
  step_lr_size1: (base) => step({ base, stepSize: 1, gamma: 0.9 }),
  multi_step_lr: (base) => multiStep({ base, milestones: [10, 25, 60], gamma: 0.1 }),
  exponential_lr: (base) => exponential({ base, gamma: 0.97 }),
  cosine_lr: (base) => cosine({ base, tMax: 50, etaMin: 0.001 }),
  cosine_lr_zero_min: (base) => cosine({ base, tMax: 64 }),
  cosine_warm_restarts: (base) => cosineWithWarmRestarts({ base, t0: 10, tMult: 1, etaMin: 0 }),
  cosine_warm_restarts_mult2: (base) => cosineWithWarmRestarts({ base, t0: 5, tMult: 2, etaMin: 0.002, peakDecay: 1 }),
  linear_lr_warmup: (base) => linear({ base, startFactor: 0.1, endFactor: 1, totalIters: 20 }),
  linear_lr_decay: (base) => linear({ base, startFactor: 1, endFactor: 0.05, totalIters: 45 }),
  constant_lr: (base) => warmup(constant({ base }), { steps: 6, mode: 'constant', startFactor: 0.25 }),
  polynomial_lr: (base) => polynomial({ base, totalIters: 50, power: 2 }),
  polynomial_lr_linear: (base) => polynomial({ base, totalIters: 30, power: 1 }),
  polynomial_lr_sqrt: (base) => polynomial({ base, totalIters: 37, power: 0.5 }),
  one_cycle_cos: () => oneCycle({ max: 0.1, totalSteps: 100 }),
  one_cycle_linear_three_phase: () =>
    oneCycle({ max: 0.5, totalSteps: 200, pctStart: 0.25, anneal: 'linear', divFactor: 10, finalDivFactor: 100, threePhase: true }),
  one_cycle_cos_three_phase: () => oneCycle({ max: 0.02, totalSteps: 77, pctStart: 0.4, threePhase: true }),
  inverse_sqrt_lambda: (base) => inverseSqrt({ base, warmup: 16 }),
  sequential_linear_cosine: (base) =>
    sequential([linear({ base, startFactor: 0.1, endFactor: 1, totalIters: 10 }), cosine({ base, tMax: 40 })], [10]),
  sequential_constant_exponential_step: (base) =>
    sequential(
      [
        warmup(constant({ base }), { steps: 5, mode: 'constant', startFactor: 0.1 }),
        exponential({ base, gamma: 0.9 }),
        step({ base, stepSize: 5, gamma: 0.5 }),
      ],
      [5, 20],
    ),
  // torch chains schedulers on one shared lr; here one schedule carries the base, the others are factors (base 1).
  chained_constant_exponential: (base) =>
    chained([warmup(constant({ base: 1 }), { steps: 4, mode: 'constant', startFactor: 0.1 }), exponential({ base, gamma: 0.9 })]),
  chained_exponential_linear_step: (base) =>
    chained([
      warmup(exponential({ base, gamma: 0.98 }), { steps: 8, mode: 'linear', startFactor: 0.25 }),
      step({ base: 1, stepSize: 15, gamma: 0.5 }),
    ]),
};

function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let t = 0; t < expected.length; t++) {
    const e = expected[t] as number;
    const err = Math.abs((actual[t] as number) - e) / Math.max(Math.abs(e), 1e-3);
    if (err > worst) [worst, at] = [err, t];
  }
  expect(worst, `${what}: worst relative error ${worst} at step ${at}`).toBeLessThan(1e-12);
}

describe('torch reference tables (packages/schedulers/fixtures/torch-schedules.json)', () => {
  it('covers every table with a builder and vice versa', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(BUILD).sort());
  });

  for (const c of fixture.cases) {
    it(`${c.name} matches torch ${c.torch} ${c.closedForm ? '(closed form)' : '(stepped lr)'} over ${c.steps} steps`, () => {
      const build = BUILD[c.name];
      if (!build) throw new Error(`no builder for ${c.name}`);
      const schedule = build(c.base);
      const actual = Array.from({ length: c.steps }, (_, t) => schedule.valueAt(t));
      expectClose(actual, c.closedForm ?? c.lr, c.name);
      // torch's chainable (recursive) lr drifts from its closed form only by rounding.
      if (c.closedForm) expectClose(actual, c.lr, `${c.name} vs chainable lr`);
    });
  }

  for (const p of fixture.plateau) {
    it(`${p.name} takes the same decisions as torch ReduceLROnPlateau on ${p.metrics.length} metrics`, () => {
      const o = p.options;
      const schedule = reduceOnPlateau({
        base: p.base,
        mode: o.mode,
        factor: o.factor,
        patience: o.patience,
        threshold: o.threshold,
        thresholdMode: o.threshold_mode,
        cooldown: o.cooldown,
        min: o.min_lr,
      });
      const actual: number[] = [];
      p.metrics.forEach((metric, epoch) => {
        schedule.observe?.(metric, epoch);
        actual.push(schedule.valueAt(epoch + 1));
      });
      expect(actual).toEqual(p.lr);
      expect(schedule.valueAt(0)).toBe(p.base);
      expect(new Set(p.lr).size, 'the table should exercise several reductions').toBeGreaterThan(3);
    });
  }
});
