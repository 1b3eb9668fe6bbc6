import { afterAll, describe, expect, it } from 'vitest';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { adam, sgd, type OptimizerUpdateConfig } from '@anneal/optim';
import { buildCnn } from './cnn.js';
import { buildMlp } from './mlp.js';
import { TrainSession, type TrainSessionOptions } from './train-session.js';
import { NonFiniteLossError } from './non-finite.js';
import type { ParallelOptions } from './parallel-step.js';

// real digits: 3 consecutive batches of 24 and a final uneven batch of 13
const mnist = loadMnist({ perDigit: 20 });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const all = [...batches(mnist, { batchSize: 24 })].map(feed).slice(0, 3);
const uneven = feed([...batches(mnist, { batchSize: 13 })][0]!);
const steps = [...all, uneven];
const open: TrainSession[] = [];
afterAll(async () => {
  for (const s of open) await s.release();
});

async function session(optimizer: Omit<OptimizerUpdateConfig, 'params'>, parallel?: ParallelOptions, extra: Partial<TrainSessionOptions> = {}): Promise<TrainSession> {
  const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 32, 10], seed: 5 }), loss: { kind: 'cross-entropy' }, optimizer: { ...optimizer, stats: true }, sample: all[0]!, intraOpThreads: 1, parallel, ...extra });
  open.push(s);
  return s;
}

function maxRelDiff(a: Record<string, TensorValue>, b: Record<string, TensorValue>): number {
  let worst = 0;
  for (const name of Object.keys(a)) {
    const x = a[name]!.data as Float32Array;
    const y = b[name]!.data as Float32Array;
    let scale = 0;
    for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]!));
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(scale, 1e-6));
  }
  return worst;
}

const splits: [string, ParallelOptions][] = [
  ['2 workers', { workers: 2 }],
  ['3 workers', { workers: 3 }],
  ['4 micro-batches', { accumulate: 4 }],
  ['2 workers x 2 micro-batches', { workers: 2, accumulate: 2 }],
];

describe('data-parallel steps and gradient accumulation', () => {
  for (const [optName, optimizer] of [
    ['SGD with momentum', { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }],
    ['Adam', { optimizer: adam(), lr: 3e-3 }],
    ['Adam with global-norm clipping', { optimizer: adam(), lr: 3e-3, maxGradNorm: 0.5 }],
  ] as const) {
    it(`${optName}: W workers x b (and k micro-batches) give the one-batch step, losses, logits and norms included`, async () => {
      const reference = await session(optimizer);
      const expected = [];
      for (const b of steps) expected.push(await reference.step(b, { logits: true, stats: true }));
      const want = await reference.parameters();
      for (const [label, parallel] of splits) {
        const s = await session(optimizer, parallel);
        expect(s.parallelism).toEqual({ workers: parallel.workers ?? 1, accumulate: parallel.accumulate ?? 1 });
        for (let i = 0; i < steps.length; i++) {
          const r = await s.step(steps[i]!, { logits: true, stats: true });
          expect(r.loss, `${label} loss at step ${i + 1}`).toBeCloseTo(expected[i]!.loss, 5);
          expect(r.logits!.dims).toEqual(expected[i]!.logits!.dims);
          expect(maxRelDiff({ l: r.logits! }, { l: expected[i]!.logits! }), `${label} logits`).toBeLessThan(1e-4);
          for (const k of ['stats.global_grad_norm', 'stats.update_norm.fc0.weight']) if (expected[i]!.stats![k] !== undefined) expect(r.stats![k]! / expected[i]!.stats![k]!, `${label} ${k}`).toBeCloseTo(1, 4);
        }
        expect(s.steps).toBe(steps.length);
        expect(maxRelDiff(await s.parameters(), want), `${label} parameters`).toBeLessThan(2e-5);
      }
    });
  }

  it('stepMany runs one update per batch through the workers, with per-step learning rates', async () => {
    const optimizer = { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 };
    const reference = await session(optimizer);
    const lrs = [{ lr: 0.1 }, { lr: 0.05 }, { lr: 0.01 }];
    const want = await reference.stepMany(all, lrs);
    const s = await session(optimizer, { workers: 2, accumulate: 2 });
    const got = await s.stepMany(all, lrs, { logits: true });
    got.losses.forEach((l, i) => expect(l).toBeCloseTo(want.losses[i]!, 5));
    expect(got.logits).toHaveLength(3);
    expect(maxRelDiff(await s.parameters(), await reference.parameters())).toBeLessThan(2e-5);
  });

  it('a non-finite loss throws NonFiniteLossError and leaves the parameters as they were', async () => {
    const s = await session({ optimizer: sgd(), lr: 0.1 }, { workers: 2 });
    await s.step(all[0]!);
    const before = await s.parameters();
    const x = all[1]!.x!;
    const poisoned = { ...all[1]!, x: { ...x, data: (x.data as Float32Array).map((v, i) => (i === 5 ? Number.NaN : v)) } };
    const err = await s.step(poisoned).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as NonFiniteLossError).step).toBe(2);
    expect(s.steps).toBe(1);
    expect(maxRelDiff(await s.parameters(), before)).toBe(0);
  });

  it('BatchNorm in training mode: the running mean is the one-batch running mean (equal halves), the step count is shared', async () => {
    const images = loadMnist({ perDigit: 10, image: true });
    const batch = feed([...batches(images, { batchSize: 16 })][0]!);
    const make = (parallel?: ParallelOptions) => TrainSession.create({ model: buildCnn({ channels: [4], hidden: [], batchNorm: true, seed: 2 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.05 }, sample: batch, batchNorm: 'train', intraOpThreads: 1, parallel });
    const one = await make();
    const split = await make({ accumulate: 2 });
    open.push(one, split);
    await one.step(batch);
    await split.step(batch);
    const a = await one.runningStatistics();
    const b = await split.runningStatistics();
    const means = Object.keys(a).filter((n) => /mean/i.test(n));
    expect(means.length).toBeGreaterThan(0);
    for (const m of means) expect(maxRelDiff({ m: a[m]! }, { m: b[m]! })).toBeLessThan(1e-5);
  });

  it('rejects bad parallel options with the option named', async () => {
    await expect(session({ optimizer: sgd(), lr: 0.1 }, { workers: 0, accumulate: 2 })).rejects.toThrow(/parallel.workers must be an integer >= 1, got 0/);
    await expect(session({ optimizer: sgd(), lr: 0.1 }, { accumulate: 1.5 })).rejects.toThrow(/parallel.accumulate must be an integer >= 1, got 1.5/);
  });
});
