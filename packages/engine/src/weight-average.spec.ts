// The exponential moving average of the weights kept inside the step graph (optimizer.ema):
// values against the closed form step by step, the Loop path, checkpoints, and a real noisy
// MNIST run where the averaged weights beat the last ones.
import { describe, expect, it } from 'vitest';
import { batches, loadMnist, splitDataset, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { maxRelativeError } from '@anneal/testing';
import { buildMlp } from './mlp.js';
import { buildCnn } from './cnn.js';
import { TrainSession } from './train-session.js';
import { engineBackend } from './engine-backend.js';

const mnist = loadMnist({ perDigit: 200 });
const { train, val } = splitDataset(mnist, 0.25, 7);
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const trainBatches = (epoch: number, batchSize = 32) => [...batches(train, { batchSize, shuffle: true, seed: 3, epoch })].map(feed);
const valBatches = [...batches(val, { batchSize: 250 })].map(feed);
const asArray = (t: TensorValue) => Array.from(t.data as Float32Array);

async function session(ema?: { decay: number; warmup?: boolean }, lr = 0.05) {
  return TrainSession.create({ model: buildMlp({ sizes: [784, 32, 10], seed: 4 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr, ema }, sample: trainBatches(0)[0]!, intraOpThreads: 1 });
}

/** The closed form: avg_1 = p_1; avg_t = d_t avg_{t-1} + (1 - d_t) p_t, d_t = min(decay, (1 + n) / (10 + n)) with n = t - 1 when warming up. */
function expectedAverage(params: number[][], decay: number, warmup: boolean): number[] {
  let avg = params[0]!.slice();
  for (let t = 1; t < params.length; t++) {
    const d = warmup ? Math.min(decay, (1 + t) / (10 + t)) : decay;
    avg = avg.map((a, i) => d * a + (1 - d) * params[t]![i]!);
  }
  return avg;
}

describe('weight average in the step graph (optimizer.ema)', () => {
  for (const warmup of [false, true]) {
    it(`follows the closed form step by step${warmup ? ' with the decay warmup' : ''}`, async () => {
      const s = await session({ decay: 0.9, warmup });
      const seen: number[][] = [];
      for (const b of trainBatches(0).slice(0, 12)) {
        await s.step(b);
        seen.push(asArray((await s.parameters())['fc1.weight']!));
      }
      const avg = asArray((await s.parameters({ weights: 'average' }))['fc1.weight']!);
      expect(maxRelativeError(avg, expectedAverage(seen, 0.9, warmup))).toBeLessThan(1e-5);
      expect(maxRelativeError(avg, seen.at(-1)!)).toBeGreaterThan(1e-3); // the average is not the last weights
      await s.release();
    });
  }

  it('gives the same average through the ONNX Loop (stepMany) as through single steps, and survives a checkpoint', async () => {
    const a = await session({ decay: 0.95 });
    const b = await session({ decay: 0.95 });
    const data = trainBatches(0).slice(0, 16);
    for (const x of data) await a.step(x);
    await b.stepMany(data.slice(0, 8));
    const saved = await b.stateValues();
    const c = await session({ decay: 0.95 });
    await c.restoreState(saved, b.steps);
    await c.stepMany(data.slice(8));
    const wa = asArray((await a.parameters({ weights: 'average' }))['fc0.weight']!);
    const wc = asArray((await c.parameters({ weights: 'average' }))['fc0.weight']!);
    expect(maxRelativeError(wc, wa)).toBeLessThan(1e-5);
    expect(Object.keys(saved)).toEqual(expect.arrayContaining(['state.ema.fc0.weight', 'state.ema_count.all']));
    for (const s of [a, b, c]) await s.release();
  });

  for (const parallel of [undefined, { workers: 1, accumulate: 2 }]) {
    it(`averages the BatchNorm running statistics with the weights (batchNorm 'train')${parallel ? ', data-parallel too' : ''}, and evaluates and exports with them`, async () => {
      const images = loadMnist({ perDigit: 12, image: true });
      const list = [...batches(images, { batchSize: 16, shuffle: true, seed: 1, epoch: 0 })].map(feed).slice(0, 5);
      const s = await TrainSession.create({ model: buildCnn({ channels: [4], hidden: [], batchNorm: true, seed: 3 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05, ema: { decay: 0.7 } }, sample: list[0]!, batchNorm: 'train', intraOpThreads: 1, parallel });
      const seen: Record<string, number[][]> = {};
      for (const b of list) {
        await s.step(b);
        for (const [name, value] of Object.entries(await s.runningStatistics())) (seen[name] ??= []).push(asArray(value));
      }
      const names = Object.keys(seen);
      expect(names.length).toBeGreaterThanOrEqual(2); // running mean and variance
      const averaged = await s.runningStatistics({ weights: 'average' });
      for (const name of names) {
        expect(maxRelativeError(asArray(averaged[name]!), expectedAverage(seen[name]!, 0.7, false)), name).toBeLessThan(1e-5);
        expect(maxRelativeError(asArray(averaged[name]!), seen[name]!.at(-1)!), `${name} differs from the last value`).toBeGreaterThan(1e-3);
      }
      const exported = await s.exportInference(s.source, { weights: 'average' });
      for (const name of names) {
        const init = exported.graph.initializer.find((t) => t.name === name)!;
        expect(maxRelativeError(Array.from(new Float32Array(init.rawData!.slice().buffer)), asArray(averaged[name]!))).toBeLessThan(1e-7);
      }
      const viaAverage = await s.evaluateBatch(list[0]!, { weights: 'average' });
      const viaCurrent = await s.evaluateBatch(list[0]!);
      expect(viaAverage.loss).not.toBeCloseTo(viaCurrent.loss, 4);
      await s.release();
    });
  }

  it('refuses the average when the session keeps none, saying how to get one', async () => {
    const s = await session();
    await expect(s.evaluate(valBatches, { weights: 'average' })).rejects.toThrow(/create the session with optimizer\.ema/);
    await s.release();
  });

  it('on a noisy real run (SGD momentum, lr 0.2 held constant) the averaged weights beat the last weights', async () => {
    const s = await session({ decay: 0.99, warmup: true }, 0.2);
    for (let epoch = 0; epoch < 4; epoch++) for (const b of trainBatches(epoch)) await s.step(b);
    const raw = await s.evaluate(valBatches);
    const avg = await s.evaluate(valBatches, { weights: 'average' });
    expect(avg.loss).toBeLessThan(raw.loss);
    expect(avg.accuracy!).toBeGreaterThan(raw.accuracy!);
    // the Trainer backend evaluates and exports with the average when asked
    const backend = engineBackend(s, { evaluateWith: 'average' });
    const viaBackend = await backend.evaluate(valBatches[0]!);
    const direct = await s.evaluateBatch(valBatches[0]!, { weights: 'average' });
    expect(viaBackend.loss).toBe(direct.loss);
    const exported = await s.exportInference(s.source, { weights: 'average' });
    const init = exported.graph.initializer.find((t) => t.name === 'fc1.weight')!;
    const fromModel = init.floatData.length ? init.floatData : Array.from(new Float32Array(init.rawData!.buffer.slice(init.rawData!.byteOffset, init.rawData!.byteOffset + init.rawData!.byteLength)));
    expect(maxRelativeError(fromModel, asArray((await s.parameters({ weights: 'average' }))['fc1.weight']!))).toBe(0);
    console.log(`EMA vs last weights after 4 noisy epochs: val loss ${avg.loss.toFixed(4)} vs ${raw.loss.toFixed(4)}, accuracy ${(avg.accuracy! * 100).toFixed(2)}% vs ${(raw.accuracy! * 100).toFixed(2)}%`);
    await s.release();
  });
});
