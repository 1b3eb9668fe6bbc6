import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { decayedTooEarlyRun, healthyRun, lrTooLowRun, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { leastSquaresSlope } from '../smooth.js';
import { trainLongerRule } from './train-longer.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [trainLongerRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('train-longer', () => {
  it.each(SEEDS)('reports a finished run still improving in its last epochs, with how many more epochs (seed %i)', (seed) => {
    const { curves, run: spec } = trainLongerRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    // The last 4 of 10 epochs: 7-10.
    expect(f).toMatchObject({ id: 'train-longer', severity: 'info', epochs: [7, 10] });
    // Noise-free validation losses at the ends of epochs 7-10 (epoch e's last step is 100 e - 1), and their least-squares fall per epoch relative to their mean (~13%).
    const clean = [7, 8, 9, 10].map((e) => spec.valLoss!(e, spec.loss(e * 100 - 1)));
    const expectedRate = (-leastSquaresSlope([7, 8, 9, 10], clean) / (clean.reduce((a, b) => a + b) / 4)) * 100;
    const val = /^The validation loss still fell (\S+)% per epoch \((\S+) -> (\S+)\), with no sign of overfitting\.$/.exec(f!.evidence[1]!);
    expect(val).not.toBeNull();
    expect(Math.abs(Number(val![1]) - expectedRate)).toBeLessThan(1.5);
    // 1% validation noise.
    expect(Math.abs(Number(val![2]) - clean[0]!) / clean[0]!).toBeLessThan(0.05);
    expect(Math.abs(Number(val![3]) - clean[3]!) / clean[3]!).toBeLessThan(0.05);
    expect(f!.evidence[0]).toMatch(/^The training loss still fell \d+% per epoch over epochs 7-10 \(0\.2\d+ -> 0\.1\d+\)\.$/);
    // >= 5% per epoch: double the run.
    expect(f!.suggestion).toBe('Train ~10 more epochs (~20 in total), stretching the lr schedule to the new length.');
    expect(f!.action).toEqual({ epochsFactor: 2 });
  });

  it('counts the epochs trained from the last epoch number when the planned epochs are unknown', () => {
    const { plannedEpochs: _, ...curves } = trainLongerRun(1).curves;
    const [f] = run(curves);
    // the last epoch is epoch 10: 10 epochs trained, doubled
    expect(f!.suggestion).toBe('Train ~10 more epochs (~20 in total), stretching the lr schedule to the new length.');
    expect(f!.action).toEqual({ epochsFactor: 2 });
  });

  it('scales the extra epochs with the recent rate', () => {
    const slow = trainLongerRun(1, { loss: (t) => 0.15 + 1.5 * Math.exp(-t / 30) + 0.6 * Math.exp(-t / 2500) });
    const [f] = run(slow.curves);
    const rate = Number(/still fell (\S+)% per epoch \(/.exec(f!.evidence[1]!)![1]) / 100;
    const extra = Math.ceil(10 * Math.min(1, Math.max(0.5, rate / 0.05)));
    expect(extra).toBeLessThan(10);
    expect(f!.action).toEqual({ epochsFactor: (10 + extra) / 10 });
  });

  it('without validation, says so and still judges the training loss', () => {
    const [f] = run(trainLongerRun(1, { validation: false }).curves);
    expect(f!.evidence[1]).toBe('There is no validation data: check for overfitting when training longer.');
  });

  it('only judges finished runs, and not across a recent lr decay', () => {
    expect(run(trainLongerRun(1, { runningEpochs: 9 }).curves)).toEqual([]);
    const decayAt800 = trainLongerRun(1, { lr: (t) => (t < 800 ? 1e-3 : 1e-4) });
    expect(run(decayAt800.curves)).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on healthy, overfitting, underfitting, lr-too-low and decayed-too-early curves (seed %i)', (seed) => {
    for (const c of [healthyRun(seed), overfittingRun(seed), underfittingRun(seed), lrTooLowRun(seed), decayedTooEarlyRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
