import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { accuracyFromLoss, healthyRun, lrTooLowRun, OVERFIT_BEST_EPOCH, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { overfittingRule } from './overfitting.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [overfittingRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('overfitting', () => {
  it.each(SEEDS)('reports validation accuracy falling from its peak while training improves (seed %i)', (seed) => {
    const { curves, run: spec } = overfittingRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    const m = /^Validation accuracy peaked around epoch (\d+) \((\S+), mean of 3 epochs; best single epoch (\d+): (\S+)\) and ended at (\S+) in epoch 20 \(-(\S+)\)\.$/.exec(f!.evidence[0]!);
    expect(m).not.toBeNull();
    const [around, mean, single, , final, drop] = [Number(m![1]), Number(m![2]), Number(m![3]), m![4], Number(m![5]), Number(m![6])];
    // The generator's validation loss is lowest at epoch 6 (OVERFIT_BEST_EPOCH); its neighbours are within 2%, so noise may pick them.
    expect(Math.abs(around - OVERFIT_BEST_EPOCH)).toBeLessThanOrEqual(1);
    expect(Math.abs(single - OVERFIT_BEST_EPOCH)).toBeLessThanOrEqual(1);
    const valLoss = spec.valLoss!;
    const meanAround = [around - 1, around, around + 1].map((e) => accuracyFromLoss(valLoss(e, 0), 10)).reduce((a, b) => a + b) / 3;
    expect(mean).toBeCloseTo(meanAround, 2);
    // the last of the 20 epochs is epoch 20
    expect(final).toBeCloseTo(accuracyFromLoss(valLoss(20, 0), 10), 2);
    expect(Math.abs(drop - (mean - final))).toBeLessThan(0.002); // all three rounded to 3 digits
    expect(f).toMatchObject({ id: 'overfitting', severity: 'warning', epochs: [single, 20], action: { weightDecay: 'increase' } });
    expect(f!.evidence[1]).toMatch(/^Meanwhile the training loss kept falling: 0\.\d+ -> [34]\.\de-3\.$/);
    expect(f!.evidence[2]).toMatch(/^Train\/validation accuracy gap at the end: 0\.1\d+ \((1\.00|0\.99\d) vs 0\.8\d+\)\.$/);
    expect(f!.suggestion).toContain(`restore the best epoch (${single})`);
  });

  it('uses the validation loss when there are no accuracies', () => {
    const { curves, run: spec } = overfittingRun(1, { accuracy: false });
    const [f] = run(curves);
    const m = /^Validation loss bottomed out around epoch (\d+) \((\S+), mean of 3 epochs; best single epoch \d+: \S+\) and rose to (\S+) by epoch 20 \(\+(\d+)%\)\.$/.exec(f!.evidence[0]!);
    expect(m).not.toBeNull();
    const around = Number(m![1]);
    const meanAround = [around - 1, around, around + 1].map((e) => spec.valLoss!(e, 0)).reduce((a, b) => a + b) / 3;
    expect(Math.abs(Number(m![2]) - meanAround) / meanAround).toBeLessThan(0.02);
    expect(Math.abs(Number(m![3]) - spec.valLoss!(20, 0)) / spec.valLoss!(20, 0)).toBeLessThan(0.03);
    expect(Math.abs(Number(m![4]) - (Number(m![3]) / Number(m![2]) - 1) * 100)).toBeLessThanOrEqual(1); // rounded values
    expect(f!.evidence[2]).toMatch(/^Train\/validation loss gap at the end: [34]\.\de-3 vs 0\.5\d+\.$/);
  });

  it('reports validation that stalled far below training (a wide accuracy gap), even without a large decline', () => {
    // Validation loss creeps up only ~5% after epoch 6 (below the 10% rise), accuracy ~0.92 while training reaches ~1.00.
    const { curves } = overfittingRun(1, { valLoss: (e) => (0.3 + 2.0 * Math.exp(-(e - 0.5))) * (1 + 0.004 * Math.max(0, e - OVERFIT_BEST_EPOCH)) });
    const [f] = run(curves);
    expect(f!.title).toBe('Overfitting: validation stalled far below training');
    expect(f!.evidence[0]).toMatch(/^Validation loss has not improved since around epoch \d+ \(0\.3\d+, mean of 3 epochs; best single epoch \d+: 0\.3\d+\): 0\.3\d+ in epoch 20\.$/);
    const gap = /^Train\/validation accuracy gap at the end: (\S+) \((\S+) vs (\S+)\)\.$/.exec(f!.evidence[2]!);
    expect(Number(gap![1])).toBeGreaterThan(0.05);
    expect(Number(gap![1])).toBeCloseTo(Number(gap![2]) - Number(gap![3]), 2);
    expect(run(curves, { overfitGap: 0.2 })).toEqual([]);
  });

  it('works while the run is still going', () => {
    expect(run(overfittingRun(1, { runningEpochs: 14 }).curves).map((f) => f.id)).toEqual(['overfitting']);
  });

  it('needs the decline to last overfitPatience epochs', () => {
    // (A wide gap would flag the stalled validation anyway: lift overfitGap out of the way.)
    // the rise comes in the last two epochs (19 and 20) only
    const lateRise = (e: number) => 0.3 + 2.0 * Math.exp(-(e - 0.5)) + (e >= 19 ? 0.2 : 0);
    expect(run(overfittingRun(1, { valLoss: lateRise }).curves, { overfitGap: 0.5 })).toEqual([]);
    expect(run(overfittingRun(1).curves, { overfitPatience: 15 })).toEqual([]);
  });

  it('does not call it overfitting when the training loss did not improve either', () => {
    // The training loss stops improving at step 200 (the start of epoch 5, 50 steps per epoch), before validation's best.
    const { curves } = overfittingRun(1, { loss: (t) => (t < 200 ? 0.004 + 2.3 * Math.exp(-t / 100) : 0.004 + 2.3 * Math.exp(-2)) });
    expect(run(curves)).toEqual([]);
  });

  it('stays quiet without validation data', () => {
    expect(run(overfittingRun(1, { validation: false }).curves)).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on healthy, lr-too-low, underfitting and train-longer curves (seed %i)', (seed) => {
    for (const c of [healthyRun(seed), lrTooLowRun(seed), underfittingRun(seed), trainLongerRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
