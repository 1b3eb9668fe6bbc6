import { describe, expect, it } from 'vitest';
import { batchScaleFactor, batchScaling } from './batch-scaling.js';
import { ScheduleError } from './errors.js';

describe('batchScaling (linear scaling rule with gradual warmup)', () => {
  it('scales by batch/baseBatch, its square root, or not at all', () => {
    expect(batchScaleFactor({ batch: 1024, baseBatch: 64 })).toBe(16);
    expect(batchScaleFactor({ batch: 1024, baseBatch: 64, rule: 'sqrt' })).toBe(4);
    expect(batchScaleFactor({ batch: 1024, baseBatch: 64, rule: 'none' })).toBe(1);
    expect(batchScaleFactor({ batch: 32, baseBatch: 128 })).toBe(0.25);
  });

  it('ramps linearly from 1 to k over the warmup, then holds k (Goyal et al. 2017)', () => {
    const f = batchScaling({ batch: 512, baseBatch: 32, warmupSteps: 30 });
    for (let t = 0; t < 30; t++) expect(f.valueAt(t)).toBeCloseTo(1 + (15 * t) / 30, 12);
    for (const t of [30, 31, 1000]) expect(f.valueAt(t)).toBe(16);
  });

  it('without warmup is the constant factor from step 0', () => {
    const f = batchScaling({ batch: 256, baseBatch: 64 });
    expect([0, 1, 99].map((t) => f.valueAt(t))).toEqual([4, 4, 4]);
  });

  it('rejects bad options and steps with the option named', () => {
    expect(() => batchScaling({ batch: 0, baseBatch: 64 })).toThrow(ScheduleError);
    expect(() => batchScaling({ batch: 64, baseBatch: 64, warmupSteps: -1 })).toThrow(/warmupSteps/);
    expect(() => batchScaling({ batch: 64, baseBatch: 2.5 })).toThrow(/baseBatch/);
    expect(() => batchScaling({ batch: 64, baseBatch: 64 }).valueAt(-1)).toThrow(/step/);
  });
});
