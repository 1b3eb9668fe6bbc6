import { describe, expect, it } from 'vitest';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { buildMlp } from './mlp';
import { TrainSession, type TrainSessionOptions } from './train-session';

const mnist = loadMnist({ perDigit: 10 });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const list = [...batches(mnist, { batchSize: 20 })].map(feed).slice(0, 4);

async function trained(options: Partial<TrainSessionOptions>, many = false): Promise<Float32Array> {
  const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 32, 10], dropout: 0.5, seed: 1 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.1 }, sample: list[0]!, intraOpThreads: 1, ...options });
  if (many) await s.stepMany(list);
  else for (const b of list) await s.step(b);
  const w = (await s.parameters())['fc0.weight']!.data as Float32Array;
  await s.release();
  return w;
}

const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);

describe('seeded dropout', () => {
  it('repeats a run with dropout bit for bit under the same seed, and draws other masks under another', async () => {
    expect(same(await trained({ seed: 7 }), await trained({ seed: 7 }))).toBe(true);
    expect(same(await trained({ seed: 7 }, true), await trained({ seed: 7 }, true))).toBe(true);
    expect(same(await trained({ seed: 7 }), await trained({ seed: 8 }))).toBe(false);
  });

  it('repeats data-parallel runs too (each worker with its own seed)', async () => {
    const a = await trained({ seed: 3, parallel: { workers: 2 } });
    const b = await trained({ seed: 3, parallel: { workers: 2 } });
    expect(same(a, b)).toBe(true);
    expect(same(a, await trained({ seed: 4, parallel: { workers: 2 } }))).toBe(false);
  });
});
