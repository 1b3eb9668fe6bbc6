import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { decayedTooEarlyRun, EARLY_DECAY_STEP, healthyRun, lrTooHighRun, lrTooLowRun, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { decayedTooEarlyRule } from './decayed-too-early.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [decayedTooEarlyRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];
const near = (actual: string, expected: number, tolerance: number) => expect(Math.abs(Number(actual) - expected) / expected).toBeLessThan(tolerance);

describe('decayed-too-early', () => {
  it.each(SEEDS)('reports a decay while the loss was still falling, followed by a plateau (seed %i)', (seed) => {
    const { curves, run: spec } = decayedTooEarlyRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    // 10 epochs of 100 steps: the decay at step 100 starts epoch 2; the run ends at step 999, in epoch 10.
    expect(f).toMatchObject({ id: 'decayed-too-early', severity: 'warning', steps: [EARLY_DECAY_STEP, 999], epochs: [2, 10], action: { decayLater: true } });
    expect(f!.evidence[0]).toBe('The lr dropped 10.0x (0.100 -> 0.0100) at step 100 (epoch 2).');
    // Before: medians over steps 0-25 and 75-100 of 0.1 + 2.2 exp(-t/60), i.e. about L(12.5) and L(87.5).
    const pre = /still falling clearly: (\S+) -> (\S+) over steps 0-100 \((\d+)% per 10% of the run\)/.exec(f!.evidence[1]!);
    expect(pre).not.toBeNull();
    near(pre![1]!, spec.loss(12.5), 0.1);
    near(pre![2]!, spec.loss(87.5), 0.1);
    expect(Number(pre![3])).toBeGreaterThan(50);
    // After: a step down by 15%, then only 7% more until the end: L(162.5) ~ 0.435 -> L(950) ~ 0.408.
    const post = /stepped to (\S+) and then stayed nearly flat: \S+ -> (\S+) over steps 150-999 \((\S+)% per 10% of the run\)/.exec(f!.evidence[2]!);
    expect(post).not.toBeNull();
    near(post![1]!, spec.loss(162.5), 0.06);
    near(post![2]!, spec.loss(950), 0.06);
    expect(Number(post![3])).toBeLessThan(5);
    // Later by max(100 - 0, 499.5 - 100) = 399.5 steps (~4 epochs): to step 500, the first step of epoch 6 (epoch 2 + 4).
    expect(f!.suggestion).toContain('move the decay later by ~4 epoch(s) (to about epoch 6)');
  });

  it('finds the decay from the epoch lrs when there are no batch points', () => {
    const [f] = run(decayedTooEarlyRun(1, { batches: false }).curves);
    // Epoch 2 is the first to end at the lower lr: the decay is at its first step, 100. The epoch means sit mid-epoch:
    // the last, epoch 10's, at step 950.
    expect(f).toMatchObject({ steps: [EARLY_DECAY_STEP, 950], epochs: [2, 10] });
    expect(f!.evidence[0]).toBe('The lr dropped 10.0x (0.100 -> 0.0100) at step 100 (epoch 2).');
    // Later by max(100 - 0, 475 - 100) = 375 steps (~4 epochs): to step 475, in epoch 5 (steps 400-499).
    expect(f!.suggestion).toContain('move the decay later by ~4 epoch(s) (to about epoch 5)');
  });

  it('judges each decay up to the next one', () => {
    const lr = (t: number) => (t < 100 ? 0.1 : t < 600 ? 0.01 : 0.001);
    const [f] = run(decayedTooEarlyRun(1, { lr }).curves);
    expect(f).toMatchObject({ steps: [100, 600] });
  });

  it('stays quiet when the decay came after the loss levelled off, or the run converged anyway', () => {
    expect(run(healthyRun(1).curves)).toEqual([]);
    const converging = decayedTooEarlyRun(1, { loss: (t) => 0.004 + 2.3 * Math.exp(-t / 60) });
    expect(run(converging.curves)).toEqual([]);
  });

  it('follows its thresholds', () => {
    expect(run(decayedTooEarlyRun(1).curves, { decayFactor: 20 })).toEqual([]);
    expect(run(decayedTooEarlyRun(1).curves, { decayPreRate: 1 })).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on healthy, lr, overfitting, underfitting (cosine) and train-longer curves (seed %i)', (seed) => {
    for (const c of [healthyRun(seed), lrTooLowRun(seed), lrTooHighRun(seed), overfittingRun(seed), underfittingRun(seed), trainLongerRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
