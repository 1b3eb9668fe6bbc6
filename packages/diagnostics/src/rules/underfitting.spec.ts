import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { accuracyFromLoss, decayedTooEarlyRun, explodingRun, healthyRun, lrTooHighRun, lrTooLowRun, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { underfittingRule } from './underfitting.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [underfittingRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('underfitting', () => {
  it.each(SEEDS)('reports a plateau at a low accuracy with validation close behind (seed %i)', (seed) => {
    const { curves } = underfittingRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'underfitting', severity: 'warning', steps: [500, 999], action: { biggerModel: true } });
    // The generator levels off at 0.6 (0.6 + 1.7 exp(-t/100)): accuracy ~0.82.
    const plateau = /^The training loss plateaued: (\S+) over 50-70% of the run -> (\S+) over the last 20% \(steps 500-999, ([-+]\S+)%\)\.$/.exec(f!.evidence[0]!);
    expect(plateau).not.toBeNull();
    expect(Math.abs(Number(plateau![1]) - 0.6) / 0.6).toBeLessThan(0.05);
    expect(Math.abs(Number(plateau![2]) - 0.6) / 0.6).toBeLessThan(0.05);
    const acc = /^Training accuracy ended at (\S+), below the target 0\.950\.$/.exec(f!.evidence[1]!);
    expect(Number(acc![1])).toBeCloseTo(accuracyFromLoss(0.6, 10), 1);
    const gap = /^Validation accuracy (0\.8\d+) is close \(gap (\S+)\)/.exec(f!.evidence[2]!);
    expect(Math.abs(Number(gap![2]))).toBeLessThanOrEqual(0.03);
    expect(Number(gap![1])).toBeCloseTo(accuracyFromLoss(1.03 * 0.6 + 0.01, 10), 1);
    expect(f!.suggestion).toMatch(/bigger model/);
  });

  it('judges the loss level when there are no accuracies, and works without validation', () => {
    const [noAcc] = run(underfittingRun(1, { accuracy: false }).curves);
    expect(noAcc!.evidence[1]).toMatch(/^The final training loss 0\.[56]\d+ is 2\d% of the initial 2\.3\d: far above 0\.$/);
    expect(noAcc!.evidence[2]).toMatch(/^Validation loss 0\.6\d+ is close to the training loss 0\.\d+\.$/);
    expect(run(underfittingRun(1, { validation: false }).curves).map((f) => f.id)).toEqual(['underfitting']);
  });

  it('stays quiet when the gap to validation is large (that is not underfitting)', () => {
    expect(run(underfittingRun(1, { valLoss: (_e, train) => 1.8 * train }).curves)).toEqual([]);
  });

  it('follows targetAccuracy', () => {
    expect(run(underfittingRun(1).curves, { targetAccuracy: 0.8 })).toEqual([]);
  });

  it.each(SEEDS)('does not fire when an lr rule or divergence explains the curve, nor on healthy, overfitting or train-longer curves (seed %i)', (seed) => {
    for (const c of [lrTooLowRun(seed), lrTooHighRun(seed), decayedTooEarlyRun(seed), explodingRun(seed), healthyRun(seed), overfittingRun(seed), trainLongerRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
