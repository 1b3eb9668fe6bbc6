import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batches, loadMnist, splitDataset, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { adam, adamHd, sgd, sgdHd, type Optimizer, type OptimizerUpdateConfig } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';
import { safetensorsCheckpoints } from './engine-backend.js';

const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
// 2,000 real digits: 1,600 to train on, 400 held out
const { train, val } = splitDataset(loadMnist({ perDigit: 200 }), 0.2, 3);
const model = buildMlp({ sizes: [784, 32, 10], seed: 4, activation: 'tanh' });
const epoch = (e: number) => [...batches(train, { batchSize: 50, shuffle: true, seed: 7, epoch: e, dropLast: true })].map(feed); // 32 steps
const valBatches = [...batches(val, { batchSize: 200 })].map(feed);
const trainBatches = [...batches(train, { batchSize: 400 })].map(feed);
const first = epoch(0);

type Opt = Omit<OptimizerUpdateConfig, 'params'>;
const create = (optimizer: Opt) => TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer, sample: first[0]!, intraOpThreads: 1 });
const alphaOf = async (s: TrainSession, group = 'default') => (await s.stateValues())[`state.lr.${group}`]!.data[0] as number;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected[i]!), 1e-3));
}

describe('hypergradient optimizers in a TrainSession', () => {
  const loopCases: [string, Opt][] = [
    ['SGD-HD with momentum', { optimizer: sgdHd({ momentum: 0.5, hypergradientLr: 1e-2 }), lr: 0.01 }],
    ['Adam-HD', { optimizer: adamHd({ hypergradientLr: 1e-3 }), lr: 1e-3, weightDecay: 1e-4 }],
  ];

  it.each(loopCases)('%s: the Loop path (stepMany) gives the α trajectory and parameters of single steps, with a schedule moving inside the groups', async (_name, optimizer) => {
    const list = first.slice(0, 16);
    const lrs = list.map((_, i) => ({ lr: optimizer.lr * (1 - i / 32) }));
    const single = await create(optimizer);
    const alphas: number[] = [];
    for (let i = 0; i < list.length; i++) {
      const r = await single.step(list[i]!, { ...lrs[i]!, stats: i === 3 });
      alphas.push(await alphaOf(single));
      if (r.stats) expect(r.stats['stats.lr.default']).toBe(alphas[3]); // the stats output is the α the step applied
    }
    const many = await create(optimizer);
    for (let i = 0; i < list.length; i += 4) {
      await many.stepMany(list.slice(i, i + 4), lrs.slice(i, i + 4));
      expectClose([await alphaOf(many)], [alphas[i + 3]!]);
    }
    expect(Math.abs(alphas.at(-1)! - lrs.at(-1)!.lr!)).toBeGreaterThan(0.05 * optimizer.lr); // α was learned, not just scheduled
    const [a, b] = [await single.stateValues(), await many.stateValues()];
    for (const name of Object.keys(a)) expectClose(b[name]!.data as Float32Array, a[name]!.data as Float32Array, 1e-4);
    await single.release();
    await many.release();
  });

  it('a checkpoint keeps α: a fresh session restored from the file continues exactly like the original', async () => {
    const optimizer: Opt = { optimizer: sgdHd({ hypergradientLr: 1e-2 }), lr: 1e-3, groups: [{ name: 'head', params: ['fc1.weight', 'fc1.bias'], lrScale: 2 }] };
    const original = await create(optimizer);
    await original.stepMany(first.slice(0, 8));
    const dir = mkdtempSync(join(tmpdir(), 'anneal-hd-'));
    dirs.push(dir);
    const path = join(dir, 'ckpt.safetensors');
    await safetensorsCheckpoints.write(path, await original.stateValues(), { step: String(original.steps) });
    const saved = await safetensorsCheckpoints.read(path);
    expect(saved.tensors['state.lr.head']!.dims).toEqual([]);
    expect(saved.tensors['state.lr.head']!.data[0]).toBe(await alphaOf(original, 'head'));
    expect(await alphaOf(original, 'head')).toBeGreaterThan(1.2 * 2e-3); // learned: above its initial 2e-3 (lrScale 2)

    const restored = await create(optimizer);
    await restored.restoreState(saved.tensors, Number(saved.metadata.step));
    for (const b of first.slice(8, 14)) {
      const [x, y] = [await original.step(b), await restored.step(b)];
      expect(y.loss).toBe(x.loss);
    }
    expect(await restored.stateValues()).toEqual(await original.stateValues());
    await original.release();
    await restored.release();
  });

  it('MNIST MLP: SGD-HD and Adam-HD started at lr 1e-4 and 1e-1 get close to a tuned fixed lr in the same 640 steps', async () => {
    const EPOCHS = 20;
    const data = Array.from({ length: EPOCHS }, (_, e) => epoch(e));
    const run = async (optimizer: Optimizer, lr: number) => {
      const s = await create({ optimizer, lr });
      const alphas: number[] = [];
      for (const batchesOfEpoch of data) {
        for (let i = 0; i < batchesOfEpoch.length; i += 16) await s.stepMany(batchesOfEpoch.slice(i, i + 16));
        if (optimizer.id.endsWith('-hd')) alphas.push(await alphaOf(s));
      }
      const result = { id: optimizer.id, lr, trainLoss: (await s.evaluate(trainBatches)).loss, accuracy: (await s.evaluate(valBatches)).accuracy!, alphas };
      await s.release();
      return result;
    };
    const runs: Awaited<ReturnType<typeof run>>[] = [];
    for (const lr of [1e-4, 0.03, 0.1, 0.3, 1]) runs.push(await run(sgd(), lr));
    for (const lr of [1e-4, 1e-3, 3e-3, 1e-2, 1e-1]) runs.push(await run(adam(), lr));
    // β chosen for this short run (see HYPERGRADIENT_LR_DEFAULTS for the paper's values, made for ~100x more steps)
    for (const lr of [1e-4, 1e-1]) runs.push(await run(sgdHd({ hypergradientLr: 1e-2 }), lr));
    for (const lr of [1e-4, 1e-1]) runs.push(await run(adamHd({ hypergradientLr: 1e-3 }), lr));
    console.log(
      runs
        .map((r) => `${r.id.padEnd(8)} lr0=${String(r.lr).padEnd(6)} train loss ${r.trainLoss.toFixed(3)}  val acc ${r.accuracy.toFixed(3)}${r.alphas.length ? `  α per epoch: ${r.alphas.map((a) => a.toPrecision(2)).join(' ')}` : ''}`)
        .join('\n'),
    );
    const find = (id: string, lr: number) => runs.find((r) => r.id === id && r.lr === lr)!;
    const tuned = (id: string) => Math.max(...runs.filter((r) => r.id === id).map((r) => r.accuracy));
    for (const lr of [1e-4, 1e-1]) {
      expect(find('sgd-hd', lr).accuracy).toBeGreaterThan(tuned('sgd') - 0.05);
      expect(find('sgd-hd', lr).trainLoss).toBeLessThan(0.3);
      expect(find('adam-hd', lr).accuracy).toBeGreaterThan(tuned('adam') - 0.05);
    }
    // the fixed rates at the same starting points stay far behind
    expect(find('sgd', 1e-4).accuracy).toBeLessThan(0.3);
    expect(find('sgd', 1e-4).trainLoss).toBeGreaterThan(2);
    expect(find('adam', 1e-1).accuracy).toBeLessThan(find('adam-hd', 1e-1).accuracy - 0.03);
    // α rose from 1e-4 and fell from 1e-1
    expect(find('sgd-hd', 1e-4).alphas.at(-1)).toBeGreaterThan(1e-2);
    expect(find('adam-hd', 1e-4).alphas.at(-1)).toBeGreaterThan(1e-3);
    expect(find('adam-hd', 1e-1).alphas.at(-1)).toBeLessThan(0.05);
  });
});
