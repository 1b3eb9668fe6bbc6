import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { healthyRun, lrTooLowRun, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { lrTooLowRule } from './lr-too-low.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [lrTooLowRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('lr-too-low', () => {
  it.each(SEEDS)('reports a nearly linear descent that is still falling at the end (seed %i)', (seed) => {
    const { curves, run: spec } = lrTooLowRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'lr-too-low', severity: 'warning', steps: [0, 999], action: { lrFactor: 10 } });
    // Half-way from 2.30 to the final ~1.25 (the median of the last 10%, ~L(950)) is reached where L(t) = 1.77: t = 1500 ln(2.25 / 1.72) = 401.
    const half = /Half of the loss drop \((\S+) -> (\S+)\) took (\d+) steps, (\d+)% of the run/.exec(f!.evidence[0]!);
    expect(half).not.toBeNull();
    expect(Number(half![1])).toBeCloseTo(2.3, 1);
    expect(Math.abs(Number(half![2]) - spec.loss(950)) / spec.loss(950)).toBeLessThan(0.05);
    expect(Math.abs(Number(half![3]) - 401)).toBeLessThan(60);
    // Over the last quarter: L(750) = 1.415 -> L(950) = 1.245, -12%.
    const quarter = /still falling at the end: (\S+)% over the last quarter/.exec(f!.evidence[1]!);
    expect(Number(quarter![1])).toBeGreaterThan(8);
    expect(Number(quarter![1])).toBeLessThan(16);
    expect(f!.suggestion).toContain('Raise the learning rate 10x');
  });

  it('reports from epoch points alone, with ln(classes) as the start', () => {
    const [f] = run(lrTooLowRun(1, { batches: false }).curves);
    expect(f).toMatchObject({ id: 'lr-too-low', action: { lrFactor: 10 } });
    expect(f!.evidence[0]).toMatch(/^Half of the loss drop \(2\.30 -> /);
  });

  it('asks for 3x when the knee is only somewhat late', () => {
    // tau = 250 steps: half of the drop by ~17% of the run, still falling at the end.
    const { curves } = lrTooLowRun(1, { loss: (t) => 0.3 + 2.0 * Math.exp(-t / 250) });
    expect(run(curves)[0]).toMatchObject({ action: { lrFactor: 3 } });
  });

  it('does not count warmup as a slow start', () => {
    const warm = (t: number) => Math.min(1, t / 200);
    const { curves } = healthyRun(1, { lr: (t) => 1e-3 * warm(t), loss: (t) => 0.05 + 2.25 * Math.exp(-Math.max(0, t - 150) / 60) });
    expect(run(curves)).toEqual([]);
  });

  it('stays quiet while an unfinished run is too young to judge', () => {
    expect(run(lrTooLowRun(1, { runningEpochs: 2 }).curves)).toEqual([]);
    expect(run(lrTooLowRun(1, { runningEpochs: 6 }).curves).map((f) => f.id)).toEqual(['lr-too-low']);
  });

  it('follows its thresholds', () => {
    expect(run(lrTooLowRun(1).curves, { slowHalfFraction: 0.6 })).toEqual([]);
    expect(run(lrTooLowRun(1).curves, { stillFalling: 0.5 })).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on healthy, overfitting, underfitting and train-longer curves (seed %i)', (seed) => {
    for (const c of [healthyRun(seed), overfittingRun(seed), underfittingRun(seed), trainLongerRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
