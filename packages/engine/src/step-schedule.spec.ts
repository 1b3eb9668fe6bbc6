import { describe, expect, it } from 'vitest';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { adam, sgd } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';
import { NonFiniteLossError } from './non-finite.js';

const mnist = loadMnist({ perDigit: 30 });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const list = [...batches(mnist, { batchSize: 30, shuffle: true, seed: 3 })].map(feed); // 10 batches of 30
const model = buildMlp({ sizes: [784, 16, 10], seed: 4 });
const create = (momentum = 0.9) => TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: momentum ? sgd({ momentum }) : adam(), lr: 0.05 }, sample: list[0]!, intraOpThreads: 1 });
const lrAt = (i: number) => 0.1 * 0.5 ** i; // changes every step

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-6));
  return worst;
}

describe('TrainSession per-step hyperparameters, logits, restore, predict', () => {
  it('stepMany with one request per batch equals single steps with those learning rates, momentum and logits', async () => {
    const single = await create();
    const many = await create();
    const singleLosses: number[] = [];
    const singleLogits: TensorValue[] = [];
    for (let i = 0; i < list.length; i++) {
      const r = await single.step(list[i]!, { lr: lrAt(i), values: { 'hp.momentum': 0.5 + 0.04 * i }, logits: true });
      singleLosses.push(r.loss);
      singleLogits.push(r.logits!);
    }
    const r = await many.stepMany(list, list.map((_, i) => ({ lr: lrAt(i), values: { 'hp.momentum': 0.5 + 0.04 * i } })), { logits: true });
    expect(maxRelDiff(r.losses, singleLosses)).toBeLessThan(1e-5);
    expect(r.logits).toHaveLength(list.length);
    for (let i = 0; i < list.length; i++) {
      expect(r.logits![i]!.dims).toEqual([30, 10]);
      expect(maxRelDiff(r.logits![i]!.data as Float32Array, singleLogits[i]!.data as Float32Array)).toBeLessThan(1e-4);
    }
    const a = await single.parameters();
    const b = await many.parameters();
    for (const name of Object.keys(a)) expect(maxRelDiff(b[name]!.data as Float32Array, a[name]!.data as Float32Array)).toBeLessThan(1e-4);
    // a constant schedule is not the same as the first step's value everywhere: the last step used lr 0.1·0.5^9
    const constant = await create();
    const c = await constant.stepMany(list, { lr: lrAt(0), values: { 'hp.momentum': 0.5 } });
    expect(Math.abs(c.losses[9]! - r.losses[9]!)).toBeGreaterThan(1e-3);
    await Promise.all([single.release(), many.release(), constant.release()]);
  });

  it('restoreState resumes a session exactly; predict matches evaluateBatch logits', async () => {
    const a = await create(0);
    await a.stepMany(list.slice(0, 5), { lr: 1e-3 });
    const saved = await a.stateValues();
    const b = await create(0);
    await b.restoreState(saved, a.steps);
    expect(b.steps).toBe(5);
    const la = await a.stepMany(list.slice(5), { lr: 1e-3 });
    const lb = await b.stepMany(list.slice(5), { lr: 1e-3 });
    expect(lb.losses).toEqual(la.losses); // Adam's bias correction continued from step 6 in both
    const { logits } = await b.evaluateBatch(list[0]!);
    const predicted = await b.predict({ x: list[0]!.x! });
    expect(Array.from(predicted.data as Float32Array)).toEqual(Array.from(logits.data as Float32Array));
    await expect(b.restoreState({}, 1)).rejects.toThrow(/lacks .* tensor/);
    await Promise.all([a.release(), b.release()]);
  });

  it('a NaN input stops a step with NonFiniteLossError naming the step and the first non-finite tensor', async () => {
    const s = await create();
    await s.stepMany(list.slice(0, 2), { lr: 0.01 });
    const bad = structuredClone(list[2]!);
    (bad.x!.data as Float32Array)[5] = NaN;
    const before = await s.parameters();
    const err = await s.stepMany([list[3]!, list[4]!, bad, list[5]!], { lr: 0.01 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const e = err as NonFiniteLossError;
    expect(e.step).toBe(5); // 2 earlier steps + 2 applied in this call, then the bad one
    expect(e.tensor).toBe('x');
    expect(e.completed).toHaveLength(2);
    expect(s.steps).toBe(4);
    const after = await s.parameters();
    expect(maxRelDiff(after['fc0.weight']!.data as Float32Array, before['fc0.weight']!.data as Float32Array)).toBeGreaterThan(0); // the 2 good steps were applied
    // an exploding learning rate: the first non-finite tensor is a node output, not an input
    const boom = await s.step(list[6]!, { lr: 1e30 }).then(() => s.step(list[7]!, { lr: 1e30 })).then(() => s.step(list[8]!, { lr: 1e30 })).catch((x: unknown) => x);
    expect(boom).toBeInstanceOf(NonFiniteLossError);
    expect((boom as NonFiniteLossError).node).toBeTruthy();
    expect((boom as NonFiniteLossError).message).toMatch(/first non-finite tensor is '.+' \(output of node/);
    await s.release();
  });
});
