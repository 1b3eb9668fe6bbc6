import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { listParameters } from '@anneal/autograd';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import { encodeModel, tensorToValue, type ModelProto, type TensorValue } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import { buildCnn } from './cnn.js';
import { EngineError } from './errors.js';
import { TrainSession } from './train-session.js';

const initializers = (m: ModelProto): Record<string, TensorValue> => Object.fromEntries(m.graph.initializer.map((t) => [t.name!, tensorToValue(t)]));
const size = (v: TensorValue) => v.dims.reduce((a, b) => a * b, 1);

async function logits(model: ModelProto, x: TensorValue): Promise<ort.Tensor> {
  const s = await ort.InferenceSession.create(encodeModel(model));
  const out = (await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.dims) }))['logits']!;
  await s.release();
  return out;
}

const digits = loadMnist({ perDigit: 30, image: true });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });

describe('buildCnn', () => {
  it('maps x [N,1,28,28] to logits [N,10] with maxpool or stride-2 blocks, with and without BatchNormalization', async () => {
    const x = batches(digits, { batchSize: 3 }).next().value!.x;
    for (const options of [{}, { batchNorm: true }, { downsample: 'stride' as const, channels: [8, 16, 32], hidden: [] }, { kernel: 5, dropout: 0.25, hidden: [64, 32] }]) {
      const out = await logits(buildCnn(options), x);
      expect(out.dims).toEqual([3, 10]);
      expect(Array.from(out.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
    const wide = await logits(buildCnn({ input: [3, 16, 12], classes: 4 }), { ...x, dims: [1, 3, 16, 12], data: (x.data as Float32Array).subarray(0, 3 * 16 * 12) });
    expect(wide.dims).toEqual([1, 4]);
  });

  it('has the parameter count of the configuration (conv bias dropped under BatchNormalization)', () => {
    // conv 1->16 3x3: 144 + 16; conv 16->32 3x3: 4608 + 32; fc 32*7*7=1568 -> 128: 200704 + 128; fc 128 -> 10: 1280 + 10
    const count = (m: ModelProto) => listParameters(m).reduce((n, p) => n + size(initializers(m)[p]!), 0);
    expect(count(buildCnn({ channels: [16, 32], kernel: 3, hidden: [128] }))).toBe(206_922);
    // BN: minus conv biases (16 + 32), plus scale and bias per channel (2 * 48); running statistics are not trainable
    const bn = buildCnn({ channels: [16, 32], kernel: 3, hidden: [128], batchNorm: true });
    expect(count(bn)).toBe(206_922 - 48 + 96);
    expect(listParameters(bn)).not.toContain('bn0.running_mean');
    // stride-2, 5x5, no hidden layer: 28 -> 14 -> 7; 25*8+8 + 8*25*16+16 + 16*49*10+10
    expect(count(buildCnn({ channels: [8, 16], kernel: 5, hidden: [], downsample: 'stride' }))).toBe(208 + 3216 + 7850);
  });

  it('initializes like PyTorch: uniform in ±1/sqrt(fan_in) for weights and biases, BatchNormalization at 1/0/0/1', () => {
    const m = buildCnn({ channels: [16, 32], hidden: [128], seed: 3 });
    const init = initializers(m);
    const fanIn: Record<string, number> = { conv0: 1 * 9, conv1: 16 * 9, fc0: 1568, fc1: 128 };
    for (const [name, v] of Object.entries(init)) {
      const bound = 1 / Math.sqrt(fanIn[name.split('.')[0]!]!);
      const data = Array.from(v.data as Float32Array);
      const [min, max] = data.reduce(([lo, hi], x) => [Math.min(lo, x), Math.max(hi, x)], [Infinity, -Infinity]);
      expect(Math.max(-min, max)).toBeLessThanOrEqual(bound);
      if (data.length >= 1000) {
        // uniform on [-b, b]: extremes near ±b, mean 0, variance b²/3
        expect(max).toBeGreaterThan(0.99 * bound);
        expect(min).toBeLessThan(-0.99 * bound);
        expect(Math.abs(data.reduce((a, b) => a + b, 0) / data.length)).toBeLessThan(0.05 * bound);
        expect(data.reduce((a, b) => a + b * b, 0) / data.length / (bound * bound / 3)).toBeCloseTo(1, 1);
      }
    }
    expect(init['fc0.weight']!.dims).toEqual([1568, 128]);
    const bn = initializers(buildCnn({ batchNorm: true }));
    expect(bn['conv0.bias']).toBeUndefined();
    expect(Array.from(bn['bn1.weight']!.data as Float32Array)).toEqual(Array(32).fill(1));
    expect(Array.from(bn['bn1.bias']!.data as Float32Array)).toEqual(Array(32).fill(0));
    expect(Array.from(bn['bn1.running_mean']!.data as Float32Array)).toEqual(Array(32).fill(0));
    expect(Array.from(bn['bn1.running_var']!.data as Float32Array)).toEqual(Array(32).fill(1));
  });

  it('is deterministic by seed', () => {
    const weights = (seed: number) => initializers(buildCnn({ seed }))['conv1.weight']!.data;
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
    const bytes = (seed: number) => Buffer.from(encodeModel(buildCnn({ seed, batchNorm: true })));
    expect(bytes(7).equals(bytes(7))).toBe(true);
    expect(bytes(7).equals(bytes(8))).toBe(false);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => buildCnn({ kernel: 4 })).toThrow(EngineError);
    expect(() => buildCnn({ kernel: 4 })).toThrow(/options\.kernel must be an odd positive integer/);
    expect(() => buildCnn({ channels: [] })).toThrow(/options\.channels/);
    expect(() => buildCnn({ hidden: [0] })).toThrow(/options\.hidden/);
    expect(() => buildCnn({ dropout: 1 })).toThrow(/options\.dropout/);
    expect(() => buildCnn({ channels: [4, 4, 4, 4, 4, 4] })).toThrow(/below 1x1 at block 4/);
  });

  it('learns real MNIST digits: a few Adam steps lower the loss on held-out digits', async () => {
    const all = [...batches(digits, { batchSize: 30, shuffle: true, seed: 5 })].map(feed); // 300 digits, 10 batches
    const held = all.slice(8);
    const s = await TrainSession.create({ model: buildCnn({ channels: [8, 16], hidden: [32], batchNorm: true, seed: 1 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 3e-3 }, sample: all[0]!, intraOpThreads: 1, batchNorm: 'train' });
    const before = await s.evaluate(held);
    expect(before.loss).toBeGreaterThan(1.8); // ~ln(10) at initialization
    for (let epoch = 0; epoch < 3; epoch++) await s.stepMany(all.slice(0, 8));
    const after = await s.evaluate(held);
    expect(after.loss).toBeLessThan(0.7 * before.loss);
    expect(after.accuracy).toBeGreaterThan(0.5);
    await s.release();
  });
});
