import { describe, expect, it } from 'vitest';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { adam, sgd, type OptimizerUpdateConfig } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { stackBatches } from './stack-batches.js';
import { TrainSession } from './train-session.js';
import { EngineError } from './errors.js';

const mnist = loadMnist({ perDigit: 40 });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
// 400 digits in batches of 32: 12 full batches and a final partial one of 16
const list = [...batches(mnist, { batchSize: 32, shuffle: true, seed: 11 })].map(feed);
const model = buildMlp({ sizes: [784, 24, 10], seed: 9 });

type Opt = Omit<OptimizerUpdateConfig, 'params'>;
const create = (optimizer: Opt, device: 'cpu' | 'wasm' = 'cpu') => TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer, sample: list[0]!, device });

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(worst).toBeLessThanOrEqual(rel * Math.max(scale, 1e-12));
}

async function compare(optimizer: Opt, device: 'cpu' | 'wasm' = 'cpu'): Promise<void> {
  const single = await create(optimizer, device);
  const many = await create(optimizer, device);
  const singleLosses: number[] = [];
  for (const b of list) singleLosses.push((await single.step(b, { lr: 0.02 })).loss);
  // groups of 5: [5 full] [5 full] [2 full + the partial batch, which runs as a single step]
  const manyLosses: number[] = [];
  for (let i = 0; i < list.length; i += 5) manyLosses.push(...(await many.stepMany(list.slice(i, i + 5), { lr: 0.02 })).losses);
  expect(many.steps).toBe(list.length);
  expectClose(manyLosses, singleLosses);
  const a = await single.stateValues();
  const b = await many.stateValues();
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const name of Object.keys(a)) expectClose(b[name]!.data as Float32Array, a[name]!.data as Float32Array);
  // both continue identically with single steps (hp.step went on counting)
  const next = [(await single.step(list[3]!, { lr: 0.02 })).loss, (await single.step(list[4]!, { lr: 0.02 })).loss];
  const nextMany = [(await many.step(list[3]!, { lr: 0.02 })).loss, (await many.step(list[4]!, { lr: 0.02 })).loss];
  expectClose(nextMany, next);
  for (const [name, v] of Object.entries(await single.stateValues())) expectClose((await many.stateValues())[name]!.data as Float32Array, v.data as Float32Array);
  await single.release();
  await many.release();
}

describe('TrainSession.stepMany', () => {
  it('matches single steps for SGD with momentum (losses, parameters, momentum buffers, later steps)', async () => {
    await compare({ optimizer: sgd({ momentum: 0.9 }), lr: 0.05 });
  });

  it('matches single steps for Adam, whose bias correction depends on hp.step', async () => {
    await compare({ optimizer: adam(), lr: 1e-3, weightDecay: 1e-4 });
  });

  it('takes pre-stacked batches and per-call hyperparameter values', async () => {
    const single = await create({ optimizer: adam(), lr: 1e-3 });
    const many = await create({ optimizer: adam(), lr: 1e-3 });
    const values = { 'hp.beta1': 0.8 };
    const expected: number[] = [];
    for (const b of list.slice(0, 4)) expected.push((await single.step(b, { values })).loss);
    const { losses } = await many.stepMany(stackBatches(list.slice(0, 4)), { values });
    expectClose(losses, expected);
    await expect(many.stepMany(stackBatches(list.slice(0, 2)), { values: { 'hp.nope': 1 } })).rejects.toThrow(/no such hyperparameter input/);
    expect(many.steps).toBe(4);
    // an explicit hp.step holds for every step of the call, as with single steps
    const fixed = { values: { 'hp.step': 1 } };
    const expectedFixed: number[] = [];
    for (const b of list.slice(4, 7)) expectedFixed.push((await single.step(b, fixed)).loss);
    expectClose((await many.stepMany(list.slice(4, 7), fixed)).losses, expectedFixed);
    for (const [name, v] of Object.entries(await single.stateValues())) expectClose((await many.stateValues())[name]!.data as Float32Array, v.data as Float32Array);
    await single.release();
    await many.release();
  });

  it('replays a group step by step when a loss is not finite, keeping the last finite parameters', async () => {
    const s = await create({ optimizer: sgd(), lr: 0.1 });
    const poisoned = { ...list[2]!, x: { ...list[2]!.x!, data: Float32Array.from(list[2]!.x!.data as Float32Array, (v, i) => (i === 7 ? NaN : v)) } };
    const probe = await create({ optimizer: sgd(), lr: 0.1 });
    await probe.stepMany(list.slice(0, 2));
    const good = await probe.parameters();
    await expect(s.stepMany([list[0]!, list[1]!, poisoned, list[3]!])).rejects.toThrow(EngineError);
    expect(s.steps).toBe(2);
    expectClose((await s.parameters())['fc0.weight']!.data as Float32Array, good['fc0.weight']!.data as Float32Array);
    await s.release();
    await probe.release();
  });

  it('runs the loop on onnxruntime-web (wasm) with the same results as single steps', async () => {
    await compare({ optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, 'wasm');
  });
});
