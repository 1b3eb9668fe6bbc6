import { describe, expect, it } from 'vitest';
import type { BatchPoint, EpochPoint, RunCurves } from './curves.js';
import { lossTrend, stepsPerEpoch } from './loss-trend.js';

const options = { minBatchPoints: 50, minEpochPoints: 4, start: 0 };
const curves = (batches: BatchPoint[], epochs: EpochPoint[] = [], classes?: number): RunCurves => ({ batches, epochs, ratios: [], finished: true, ...(classes ? { classes } : {}) });
const line = (n: number, loss: (t: number) => number): BatchPoint[] => Array.from({ length: n }, (_, step) => ({ step, epoch: Math.floor(step / 20) + 1, loss: loss(step), lr: 0.1 }));

describe('lossTrend', () => {
  it('from batch points: first loss as the start, median of the last 10% as the end, window levels', () => {
    const t = lossTrend(curves(line(200, (s) => 2 - s / 100)), options)!;
    expect(t.source).toBe('batch');
    expect(t.initial).toBe(2);
    expect([t.start, t.end]).toEqual([0, 199]);
    // steps 179.1..199 -> losses 0.2 .. 0.01, median at step 189.5
    expect(t.final).toBeCloseTo(2 - 189.5 / 100, 12);
    expect(t.stepAt(0.5)).toBeCloseTo(99.5, 12);
    // a linear series: the window median around a step is the loss there
    expect(t.levelAt(100)).toBeCloseTo(1, 12);
    expect(t.levelBetween(50, 60)).toBeCloseTo(2 - 54.5 / 100, 12);
    // one-sided at the ends: the window keeps its width
    expect(t.levelAt(0)).toBeCloseTo(2 - 5 / 100, 12);
  });

  it('drops non-finite losses and is robust to spikes', () => {
    const spiky = line(200, (s) => (s % 10 === 3 ? 50 : s === 7 ? NaN : 1));
    const t = lossTrend(curves(spiky), options)!;
    expect(t.raw).not.toContain(NaN);
    expect(t.levelAt(100)).toBe(1);
    expect(Math.max(...t.smooth)).toBe(1);
  });

  it('from epoch means placed mid-epoch, starting at ln(classes) when the classes are known', () => {
    const epochs: EpochPoint[] = [1.2, 0.8, 0.6, 0.5].map((trainLoss, i) => ({ epoch: i + 1, step: (i + 1) * 100, trainLoss, trainLossStd: 0 }));
    const t = lossTrend(curves([], epochs, 10), options)!;
    expect(t.source).toBe('epoch');
    expect(t.steps).toEqual([0, 50, 150, 250, 350]);
    expect(t.raw[0]).toBeCloseTo(Math.log(10), 12);
    expect(t.final).toBe(0.5);
    expect(t.levelAt(100)).toBeCloseTo(1.0, 12);
    expect(t.levelBetween(100, 300)).toBeCloseTo(0.7, 12);
    expect(lossTrend(curves([], epochs), options)!.initial).toBe(1.2);
  });

  it('is undefined with too few points, and never starts after the middle of the run', () => {
    expect(lossTrend(curves(line(49, () => 1)), options)).toBeUndefined();
    expect(lossTrend(curves(line(100, () => 1)), { ...options, start: 90 })!.start).toBe(49.5);
  });
});

describe('stepsPerEpoch', () => {
  it('comes from the epoch steps, else from the batch epochs', () => {
    // epochs 1-3 of 125 steps: epoch e ends at step 125 e
    const epochs: EpochPoint[] = [1, 2, 3].map((epoch) => ({ epoch, step: epoch * 125, trainLoss: 1, trainLossStd: 0 }));
    expect(stepsPerEpoch(curves([], epochs))).toBe(125);
    // a single epoch point: the first epoch's (epoch 1's) step count; a later epoch alone says nothing
    expect(stepsPerEpoch(curves([], epochs.slice(0, 1)))).toBe(125);
    expect(stepsPerEpoch(curves([], epochs.slice(1, 2)))).toBeUndefined();
    expect(stepsPerEpoch(curves(line(100, () => 1)))).toBe(20);
    expect(stepsPerEpoch(curves([]))).toBeUndefined();
  });
});
