import { describe, expect, it } from 'vitest';
import {
  constant,
  cosine,
  cosineWithWarmRestarts,
  exponential,
  inverseSqrt,
  linear,
  multiStep,
  oneCycle,
  polynomial,
  ScheduleError,
  step,
  warmup,
  type Schedule,
} from './index.js';

const at = (s: Schedule, steps: number[]): number[] => steps.map((t) => s.valueAt(t));
const c45 = (1 + Math.SQRT1_2) / 2; // (1 + cos(pi/4)) / 2

function expectAll(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `entry ${i}`).toBeCloseTo(expected[i] as number, 14));
}

function thrown(fn: () => unknown): ScheduleError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return error as ScheduleError;
  }
  throw new Error('expected a ScheduleError');
}

describe('closed forms, by hand', () => {
  it('constant', () => expectAll(at(constant({ base: 0.9 }), [0, 1, 1000]), [0.9, 0.9, 0.9]));

  it('step: base * gamma^floor(t / stepSize)', () => {
    expectAll(at(step({ base: 8, stepSize: 3, gamma: 0.5 }), [0, 2, 3, 5, 6, 9]), [8, 8, 4, 4, 2, 1]);
    expectAll(at(step({ base: 1, stepSize: 1 }), [0, 1, 2]), [1, 0.1, 0.01]); // gamma defaults to 0.1
  });

  it('multiStep: one factor per milestone reached', () => {
    expectAll(at(multiStep({ base: 8, milestones: [2, 5], gamma: 0.5 }), [0, 1, 2, 4, 5, 100]), [8, 8, 4, 4, 2, 2]);
  });

  it('exponential', () => expectAll(at(exponential({ base: 1, gamma: 0.5 }), [0, 1, 3]), [1, 0.5, 0.125]));

  it('cosine: quarter points, and past tMax it rises again like torch', () => {
    const s = cosine({ base: 1, tMax: 4 });
    expectAll(at(s, [0, 1, 2, 3, 4, 6, 8]), [1, c45, 0.5, 1 - c45, 0, 0.5, 1]);
    expectAll(at(cosine({ base: 0.1, tMax: 100, etaMin: 0.001 }), [50, 100]), [0.0505, 0.001]);
  });

  it('cosineWithWarmRestarts: cycles 2, 4, 8 steps long, peak halved at every restart', () => {
    const s = cosineWithWarmRestarts({ base: 1, t0: 2, tMult: 2, peakDecay: 0.5 });
    expectAll(at(s, [0, 1, 2, 3, 4, 5, 6, 10, 14]), [1, 0.5, 0.5, 0.5 * c45, 0.25, 0.5 * (1 - c45), 0.25, 0.125, 0.125]);
    const flat = cosineWithWarmRestarts({ base: 1, t0: 4, etaMin: 0.2, peakDecay: 0.5 });
    expectAll(at(flat, [0, 2, 4, 6, 8]), [1, 0.6, 0.5, 0.35, 0.25]);
  });

  it('linear: factor ramps from startFactor to endFactor, then holds', () => {
    expectAll(at(linear({ base: 0.1, startFactor: 0.1, totalIters: 10 }), [0, 5, 10, 20]), [0.01, 0.055, 0.1, 0.1]);
    expectAll(at(linear({ base: 2, startFactor: 1, endFactor: 0, totalIters: 4 }), [0, 1, 4, 9]), [2, 1.5, 0, 0]);
  });

  it('inverseSqrt: base * min(s / warmup, sqrt(warmup / s)) with s = step + 1', () => {
    expectAll(at(inverseSqrt({ base: 1, warmup: 4 }), [0, 1, 3, 15, 63]), [0.25, 0.5, 1, 0.5, 0.25]);
    expectAll(at(inverseSqrt({ base: 1, warmup: 1 }), [0, 3, 8]), [1, 0.5, 1 / 3]);
  });

  it('polynomial: to end over totalIters, then holds', () => {
    expectAll(at(polynomial({ base: 0.1, totalIters: 100, power: 2 }), [0, 50, 100, 200]), [0.1, 0.025, 0, 0]);
    expectAll(at(polynomial({ base: 0.1, totalIters: 100, power: 2, end: 0.01 }), [50, 150]), [0.0325, 0.01]);
  });

  it('oneCycle: linear two-phase cycle, then holds the final value', () => {
    // start = 1 / 10, min = start / 100; phase 1 ends at 0.25 * 12 - 1 = 2, phase 2 at 11.
    const s = oneCycle({ max: 1, totalSteps: 12, pctStart: 0.25, anneal: 'linear', divFactor: 10, finalDivFactor: 100 });
    expectAll(at(s, [0, 1, 2, 5, 11, 30]), [0.1, 0.55, 1, 1 + (0.001 - 1) / 3, 0.001, 0.001]);
    expectAll(at(oneCycle({ max: 0.1, totalSteps: 100 }), [0, 99]), [0.004, 4e-7]);
  });
});

describe('option and step validation', () => {
  it('names the bad option, what was wrong and where to fix it', () => {
    const e = thrown(() => cosine({ base: 0.1, tMax: 0 }));
    expect(e.schedule).toBe('cosine');
    expect(e.option).toBe('tMax');
    expect(e.message).toBe('cosine: tMax: must be > 0, got 0. Fix the options passed to cosine().');
    expect(thrown(() => step({ base: 1, stepSize: 1.5 })).message).toContain('stepSize: expected an integer, got 1.5');
    expect(thrown(() => exponential({ base: 1, gamma: Number.NaN })).message).toContain('gamma: expected number, got NaN');
    expect(thrown(() => linear({ base: 1, totalIters: 3 } as never)).message).toContain('startFactor: is required');
  });

  it('rejects unknown options and lists the known ones', () => {
    const e = thrown(() => cosine({ base: 0.1, tMax: 10, tmax: 10 } as never));
    expect(e.option).toBe('tmax');
    expect(e.message).toContain("unknown option 'tmax'; known options: base, tMax, etaMin");
  });

  it('checks cross-field rules', () => {
    expect(thrown(() => multiStep({ base: 1, milestones: [5, 3] })).message).toContain('milestones: must be strictly increasing');
    const e = thrown(() => oneCycle({ max: 1, totalSteps: 50, pctStart: 0.01 }));
    expect(e.option).toBe('pctStart');
    expect(e.message).toContain('leaves a phase with no steps');
    expect(thrown(() => warmup(constant({ base: 1 }), { steps: 3, mode: 'constant' })).option).toBe('startFactor');
  });

  it('rejects negative and fractional steps', () => {
    const s = cosine({ base: 1, tMax: 10 });
    for (const bad of [-1, 1.5, Number.NaN]) {
      const e = thrown(() => s.valueAt(bad));
      expect(e.option).toBe('step');
      expect(e.message).toContain('step must be an integer >= 0');
    }
  });
});
