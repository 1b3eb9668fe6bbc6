import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { decayedTooEarlyRun, explodingRun, healthyRun, lrTooHighRun, lrTooLowRun, overfittingRun, trainLongerRun, underfittingRun } from '../synthetic-curves.js';
import { lrTooHighRule } from './lr-too-high.js';

const run = (curves: RunCurves, options = {}) => diagnose(curves, { rules: [lrTooHighRule], ...options });
const SEEDS = [1, 2, 3, 4, 5];

describe('lr-too-high', () => {
  it.each(SEEDS)('reports fast progress then a plateau at a constant lr (seed %i)', (seed) => {
    const { curves, run: spec } = lrTooHighRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ id: 'lr-too-high', severity: 'warning', steps: [500, 999], action: { addDecay: true } });
    // The generator: 0.35 + 1.95 exp(-t/20): all of the drop is made by step 200, nothing after.
    const early = /^(\d+)% of the loss drop \((\S+) -> (\S+)\) happened in the first 20% of the run \(by step 200\)\.$/.exec(f!.evidence[0]!);
    expect(early).not.toBeNull();
    expect(Number(early![1])).toBeGreaterThanOrEqual(80);
    expect(Math.abs(Number(early![2]) - spec.loss(0)) / spec.loss(0)).toBeLessThan(0.05);
    // The final level is a median of log-normal losses (sd 0.35): 0.35 exp(-0.35^2 / 2).
    const finalMedian = 0.35 * Math.exp(-(0.35 ** 2) / 2);
    expect(Math.abs(Number(early![3]) - finalMedian) / finalMedian).toBeLessThan(0.1);
    const late = /the loss (?:improved only|got) (-?[\d.]+)%/.exec(f!.evidence[1]!);
    expect(Number(late![1])).toBeLessThan(10);
    expect(f!.evidence[2]).toBe('The lr stayed at 0.0500: no decay.');
    expect(f!.evidence[3]).toMatch(/^Final training accuracy 0\.9\d+: not near 100%\.$/);
    expect(f!.suggestion).toMatch(/Add lr decay.*lower the learning rate ~3x/);
  });

  it('reports from epoch points alone, and without accuracies judges the loss level', () => {
    expect(run(lrTooHighRun(1, { batches: false }).curves).map((f) => f.id)).toEqual(['lr-too-high']);
    const [f] = run(lrTooHighRun(1, { accuracy: false }).curves);
    expect(f!.evidence[3]).toMatch(/^The final loss 0\.3\d+ is 1\d% of the initial one: not near 0\.$/);
  });

  it('stays quiet when the lr decayed, or when the plateau is converged', () => {
    const cosine = (t: number) => 0.025 * (1 + Math.cos((Math.PI * t) / 1000));
    expect(run(lrTooHighRun(1, { lr: cosine }).curves)).toEqual([]);
    expect(run(lrTooHighRun(1, { loss: (t) => 0.005 + 2.3 * Math.exp(-t / 20) }).curves)).toEqual([]);
  });

  it('keeps an lr that only warmed up as constant', () => {
    const warm = (t: number) => 0.05 * Math.min(1, (t + 1) / 30);
    expect(run(lrTooHighRun(1, { lr: warm }).curves).map((f) => f.id)).toEqual(['lr-too-high']);
  });

  it('follows its thresholds', () => {
    expect(run(lrTooHighRun(1).curves, { fastDropFraction: 1 })).toEqual([]);
    expect(run(lrTooHighRun(1).curves, { nearPerfectAccuracy: 0.5 })).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on healthy, too-low, decayed, overfitting, underfitting, train-longer and exploding curves (seed %i)', (seed) => {
    for (const c of [healthyRun(seed), lrTooLowRun(seed), decayedTooEarlyRun(seed), overfittingRun(seed), underfittingRun(seed), trainLongerRun(seed), explodingRun(seed)]) expect(run(c.curves)).toEqual([]);
  });
});
