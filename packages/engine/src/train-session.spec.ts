import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { batches, loadMnist, splitDataset, type ArrayDataset } from '@anneal/data';
import { DataType, encodeModel, type TensorValue } from '@anneal/onnx';
import { adam, sgd } from '@anneal/optim';
import { loadCheckpoint, type RuntimeWarning } from '@anneal/runtime';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';
import { EngineError } from './errors.js';

const mnist = loadMnist({ perDigit: 500 });
const { train, val } = splitDataset(mnist, 0.2, 7);
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const first = feed(batches(train, { batchSize: 32 }).next().value!);

describe('TrainSession', () => {
  it('trains an MLP on real MNIST digits to >= 90% validation accuracy', async () => {
    const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 64, 10], seed: 1 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 2e-3 }, sample: first });
    const before = await s.evaluate([...batches(val, { batchSize: 256 })].map(feed));
    expect(before.loss).toBeGreaterThan(2.0); // ~ln(10) at initialization
    for (let epoch = 0; epoch < 6; epoch++) for (const b of batches(train, { batchSize: 32, shuffle: true, seed: 3, epoch })) await s.step(feed(b));
    const after = await s.evaluate([...batches(val, { batchSize: 256 })].map(feed));
    expect(after.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(after.loss).toBeLessThan(0.5);
    await s.release();
  });

  it('matches a closed-form SGD step: p1 = p0 - lr * grad, with stats outputs', async () => {
    // a 1-layer model: one SGD step with lr 0.1, then compare with the gradient from a second, lr=0 session
    const model = buildMlp({ sizes: [784, 10], seed: 2 });
    const probe = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0 }, sample: first });
    const p0 = await probe.parameters();
    const r = await probe.step(first, { stats: true });
    expect(r.stats!['stats.global_grad_norm'] ?? r.stats!['stats.grad_norm.fc0.weight']).toBeGreaterThan(0);
    const unchanged = await probe.parameters();
    expect(unchanged['fc0.bias']!.data).toEqual(p0['fc0.bias']!.data);
    const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.1 }, sample: first });
    const r2 = await s.step(first, { stats: true });
    const p1 = await s.parameters();
    const updateNorm = r2.stats!['stats.update_norm.fc0.bias']!;
    const gradNorm = r2.stats!['stats.grad_norm.fc0.bias']!;
    expect(updateNorm).toBeCloseTo(0.1 * gradNorm, 5);
    let diff = 0;
    (p1['fc0.bias']!.data as Float32Array).forEach((v, i) => (diff += (v - (p0['fc0.bias']!.data as Float32Array)[i]!) ** 2));
    expect(Math.sqrt(diff)).toBeCloseTo(updateNorm, 5);
    await probe.release();
    await s.release();
  });

  it('refuses a NaN loss with a typed error and keeps the last finite parameters', async () => {
    const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 10], seed: 3 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.1 }, sample: first });
    await s.step(first);
    const good = await s.parameters();
    const poisoned = { ...first, x: { ...first.x!, data: Float32Array.from(first.x!.data as Float32Array, (v, i) => (i === 5 ? NaN : v)) } };
    await expect(s.step(poisoned)).rejects.toThrow(EngineError);
    await expect(s.step(poisoned)).rejects.toThrow(/loss became NaN at step 2/);
    const after = await s.parameters();
    expect(after['fc0.weight']!.data).toEqual(good['fc0.weight']!.data);
    expect(s.steps).toBe(1);
    await s.release();
  });

  it('saves parameters and optimizer state in a safetensors checkpoint and exports a plain inference model', async () => {
    const model = buildMlp({ sizes: [784, 16, 10], seed: 4 });
    const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 1e-3 }, sample: first });
    for (const b of batches(train, { batchSize: 64 })) await s.step(feed(b));
    const dir = mkdtempSync(join(tmpdir(), 'engine-'));
    await s.saveCheckpoint(join(dir, 'ckpt.safetensors'), { epoch: '1' });
    const ckpt = loadCheckpoint(join(dir, 'ckpt.safetensors'));
    expect(Object.keys(ckpt.tensors)).toEqual(expect.arrayContaining(['fc0.weight', 'state.exp_avg.fc0.weight', 'state.exp_avg_sq.fc1.bias']));
    expect(ckpt.metadata.step).toBe(String(s.steps));
    const params = await s.parameters();
    expect(ckpt.tensors['fc1.weight']!.data).toEqual(params['fc1.weight']!.data);
    // the export runs in a stock ORT session and reproduces the session's validation accuracy
    const exported = await s.exportInference(model);
    writeFileSync(join(dir, 'model.onnx'), encodeModel(exported));
    const plain = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')));
    const x = val.x;
    const out = await plain.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.dims) });
    const logits = out['logits']!.data as Float32Array;
    let correct = 0;
    const labels = val.y.data as BigInt64Array;
    for (let i = 0; i < labels.length; i++) {
      const row = logits.subarray(i * 10, i * 10 + 10);
      if (BigInt(row.indexOf(Math.max(...row))) === labels[i]) correct++;
    }
    const ev = await s.evaluate([feed(val)]);
    expect(correct / labels.length).toBeCloseTo(ev.accuracy!, 6);
    await s.release();
  });

  it('runs the same train-step graph on onnxruntime-web (wasm) with the same losses as on CPU', async () => {
    const model = buildMlp({ sizes: [784, 32, 10], seed: 5 });
    const losses: Record<string, number[]> = {};
    for (const device of ['cpu', 'wasm'] as const) {
      const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: first, device });
      expect(s.device).toBe(device);
      losses[device] = [];
      let k = 0;
      for (const b of batches(train, { batchSize: 32 })) {
        if (k++ >= 6) break;
        losses[device]!.push((await s.step(feed(b))).loss);
      }
      await s.release();
    }
    losses.cpu!.forEach((l, i) => expect(losses.wasm![i]).toBeCloseTo(l, 4));
    expect(losses.cpu![5]).toBeLessThan(losses.cpu![0]!);
  });

  it('falls back from CUDA to CPU with a warning when the CUDA provider is missing', async () => {
    const warnings: RuntimeWarning[] = [];
    const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 10], seed: 6 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.1 }, sample: first, device: 'cuda', onWarning: (w) => warnings.push(w) });
    expect(s.device).toBe('cpu');
    expect(warnings[0]).toMatchObject({ kind: 'device-fallback', requested: 'cuda', used: 'cpu' });
    expect(Number.isFinite((await s.step(first)).loss)).toBe(true);
    await s.release();
  });

  it('accepts float labels for MSE regression', async () => {
    const y: TensorValue = { dataType: DataType.FLOAT, dims: [32, 10], data: new Float32Array(320).fill(0.1) };
    const s = await TrainSession.create({ model: buildMlp({ sizes: [784, 10], seed: 8 }), loss: { kind: 'mse' }, optimizer: { optimizer: sgd(), lr: 0.05 }, sample: { x: first.x!, labels: y } });
    const l0 = (await s.step({ x: first.x!, labels: y })).loss;
    for (let i = 0; i < 20; i++) await s.step({ x: first.x!, labels: y });
    expect((await s.step({ x: first.x!, labels: y })).loss).toBeLessThan(l0 / 2);
    await s.release();
  });
});
