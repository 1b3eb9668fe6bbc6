import { describe, expect, it } from 'vitest';
import type { BatchPoint, EpochPoint, RunCurves } from './curves.js';
import { lrHistory } from './lr-history.js';

const batches = (lr: (step: number) => number, steps = 100, perEpoch = 10): BatchPoint[] => Array.from({ length: steps }, (_, step) => ({ step, epoch: Math.floor(step / perEpoch) + 1, loss: 1, lr: lr(step) }));
const curves = (b: BatchPoint[], epochs: EpochPoint[] = []): RunCurves => ({ batches: b, epochs, ratios: [], finished: true });

describe('lrHistory', () => {
  it('finds step decays with the step, epoch and lrs around them', () => {
    const h = lrHistory(curves(batches((t) => (t < 30 ? 0.1 : t < 60 ? 0.01 : 0.005))), 2);
    expect(h.source).toBe('batch');
    expect(h.decays).toEqual([
      // 10 steps per epoch: step 30 is the first of epoch 4, step 60 the first of epoch 7
      { step: 30, epoch: 4, before: 0.1, after: 0.01 },
      { step: 60, epoch: 7, before: 0.01, after: 0.005 },
    ]);
    expect(h.constant).toBe(false);
    expect(h.warmupEnd).toBe(0);
    expect(h.max).toBe(0.1);
  });

  it('ignores drops smaller than the decay factor, and merges consecutive drops (a cosine tail)', () => {
    expect(lrHistory(curves(batches((t) => (t < 50 ? 0.1 : 0.06))), 2).decays).toEqual([]);
    const cosine = (t: number) => 0.05 * (1 + Math.cos((Math.PI * t) / 99));
    const h = lrHistory(curves(batches(cosine)), 2);
    expect(h.decays).toHaveLength(1);
    expect(h.decays[0]!.step).toBeGreaterThan(90);
    expect(h.decays[0]!.after).toBeCloseTo(cosine(99), 12);
    expect(h.constant).toBe(false);
  });

  it('skips warmup: the run starts once the lr reaches 90% of its maximum', () => {
    const h = lrHistory(curves(batches((t) => 0.1 * Math.min(1, t / 20))), 2);
    expect(h.warmupEnd).toBe(18);
    expect(h.decays).toEqual([]);
    expect(h.constant).toBe(true);
  });

  it('reads epoch lrs when there are no batch points: a decay starts where the previous epoch ended', () => {
    const epochs: EpochPoint[] = [0.1, 0.1, 0.01, 0.01].map((lr, i) => ({ epoch: i + 1, step: (i + 1) * 50, trainLoss: 1, trainLossStd: 0, lr }));
    const h = lrHistory(curves([], epochs), 2);
    expect(h.source).toBe('epoch');
    // epoch 3 ended at the lower lr: the decay is at its first step, 100, where epoch 2 ended
    expect(h.decays).toEqual([{ step: 100, epoch: 3, before: 0.1, after: 0.01 }]);
    expect(h.warmupEnd).toBe(0);
  });

  it('reports no lr when none was logged', () => {
    const epochs: EpochPoint[] = [{ epoch: 1, step: 10, trainLoss: 1, trainLossStd: 0 }];
    expect(lrHistory(curves([], epochs), 2)).toMatchObject({ source: 'none', decays: [], constant: undefined });
  });
});
