import { describe, expect, it } from 'vitest';
import type { RunCurves } from '../curves.js';
import { diagnose } from '../doctor.js';
import { formatValue } from '../findings.js';
import { explodingRun, EXPLODE_STEP, healthyRun, NAN_STEP, nonFiniteRun } from '../synthetic-curves.js';
import { divergedRule } from './diverged.js';

const run = (curves: RunCurves) => diagnose(curves, { rules: [divergedRule] });
const SEEDS = [1, 2, 3, 4, 5];

describe('diverged', () => {
  it.each(SEEDS)('reports a logged non-finite loss with its step, epoch, tensor and the losses before it (seed %i)', (seed) => {
    const { curves } = nonFiniteRun(seed);
    const [f, ...rest] = run(curves);
    expect(rest).toEqual([]);
    // 100 steps per epoch: step 612 is in epoch 7 (steps 600-699)
    expect(f).toMatchObject({ id: 'diverged', severity: 'error', steps: [NAN_STEP, NAN_STEP], epochs: [7, 7], action: { lrFactor: 0.1 } });
    expect(f!.evidence[0]).toContain(`step ${NAN_STEP} (epoch 7)`);
    expect(f!.evidence[1]).toBe('The first non-finite tensor was fc1.weight.');
    const before = curves.batches.slice(-5).map((b) => formatValue(b.loss));
    expect(f!.evidence[2]).toBe(`The last finite losses before it: ${before.join(', ')}.`);
    expect(f!.suggestion).toMatch(/10x.*clipping.*NaN/);
  });

  it('reports a non-finite batch loss that no divergence record announced', () => {
    const { curves } = healthyRun(1);
    const batches = curves.batches.map((b) => (b.step === 333 ? { ...b, loss: NaN } : b));
    const [f] = run({ ...curves, batches });
    // step 333 is in epoch 4 (steps 300-399)
    expect(f).toMatchObject({ steps: [333, 333], epochs: [4, 4] });
    expect(f!.evidence[0]).toBe('The loss became non-finite at step 333 (epoch 4).');
  });

  it.each(SEEDS)('reports an explosion: the smoothed loss climbs far above its minimum (seed %i)', (seed) => {
    const { curves, run: spec } = explodingRun(seed);
    const [f] = run(curves);
    expect(f).toMatchObject({ id: 'diverged', severity: 'error', title: 'Training diverged: the loss exploded' });
    const m = /fell to (\S+) at step (\d+) \(epoch (\d+)\), then climbed to (\S+) \((\S+)x its minimum\) by step (\d+)/.exec(f!.evidence[0]!);
    expect(m).not.toBeNull();
    const [, min, minStep, minEpoch, final, , end] = m!;
    // 100 steps per epoch: the epoch the minimum's step is in
    expect(Number(minEpoch)).toBe(Math.floor(Number(minStep) / 100) + 1);
    // The generator's floor is 0.2 until EXPLODE_STEP, then the loss climbs toward 3.2.
    expect(Number(min)).toBeGreaterThan(0.15);
    expect(Number(min)).toBeLessThan(0.25);
    // The floor is flat from ~step 250 (2.1 exp(-250/50) = 0.014 above it) until the climb starts.
    expect(Number(minStep)).toBeGreaterThan(200);
    expect(Number(minStep)).toBeLessThan(EXPLODE_STEP + 50);
    expect(Number(final)).toBeCloseTo(spec.loss(950), 0);
    expect(Number(end)).toBe(999);
    expect(f!.evidence[1]).toContain('above the loss at the start of training');
  });

  it('reports an explosion from epoch points alone', () => {
    const { curves } = explodingRun(1, { batches: false });
    expect(run(curves).map((f) => f.title)).toEqual(['Training diverged: the loss exploded']);
  });

  it('ignores isolated loss spikes in a healthy run', () => {
    const { curves } = healthyRun(2);
    const batches = curves.batches.map((b) => (b.step % 97 === 0 && b.step > 500 ? { ...b, loss: 8 } : b));
    expect(run({ ...curves, batches })).toEqual([]);
  });

  it.each(SEEDS)('stays quiet on a healthy run (seed %i)', (seed) => {
    expect(run(healthyRun(seed).curves)).toEqual([]);
  });

  it('needs enough points to call an explosion, but a logged divergence always counts', () => {
    const short = explodingRun(1, { epochs: 2, stepsPerEpoch: 20 }).curves;
    expect(run(short)).toEqual([]);
    const divergedEarly = nonFiniteRun(1, { divergeAt: 7 }).curves;
    expect(run(divergedEarly)[0]).toMatchObject({ steps: [7, 7], epochs: [1, 1] });
  });

  it('reports a spike that killed the network: 10x the first loss early, then stuck at the start level', () => {
    const { curves } = healthyRun(1);
    const spikes: Record<number, number> = { 1: 9.7, 2: 313, 3: 33, 4: 11 };
    const batches = curves.batches.map((b) => ({ ...b, loss: spikes[b.step] ?? 2.3 + 0.04 * Math.sin(b.step) }));
    const epochs = curves.epochs.map((e) => ({ ...e, trainLoss: 2.31, trainAccuracy: 0.11, valAccuracy: 0.1, valLoss: 2.31 }));
    const [f, ...rest] = diagnose({ ...curves, batches, epochs, ratios: [] });
    expect(f).toMatchObject({ id: 'diverged', severity: 'error', title: 'Training diverged: the loss exploded, then the model stopped learning', steps: [2, expect.any(Number)] });
    expect(f!.evidence[0]).toMatch(/shot from 2\.3\d* at the first step to 313 at step 2 \(epoch 1\)/);
    expect(f!.epochs).toEqual([1, 1]);
    expect(rest.map((x) => x.id)).not.toContain('underfitting');
  });

  it('does not call an ordinary noisy start a dead network', () => {
    const { curves } = healthyRun(2);
    const batches = curves.batches.map((b) => (b.step === 3 ? { ...b, loss: b.loss * 4 } : b));
    expect(run({ ...curves, batches })).toEqual([]);
  });
});
