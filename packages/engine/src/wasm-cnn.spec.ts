// The compiled CNN train step (Conv, MaxPool backward via MaxUnpool/ScatterElements, im2col weight
// gradients, BatchNormalization) must run unchanged on onnxruntime-web's wasm backend.
import { describe, expect, it } from 'vitest';
import { batches, loadMnist } from '@anneal/data';
import { DataType, GraphBuilder, tensors, type ModelProto, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { TrainSession } from './train-session.js';

function cnn(): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 1, 28, 28]);
  const w = (name: string, dims: number[], scale: number) => b.initializer(tensors.float(name, dims, Array.from({ length: dims.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 1.3 + dims.length) * scale)));
  let h = b.op('Conv', ['x', w('c1.w', [8, 1, 3, 3], 0.4), w('c1.b', [8], 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  h = b.op('MaxPool', [b.op('Relu', [h])], { kernel_shape: [2, 2], strides: [2, 2] });
  h = b.op('Conv', [h, w('c2.w', [16, 8, 3, 3], 0.15), w('c2.b', [16], 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  h = b.op('BatchNormalization', [h, w('bn.w', [16], 0.2), w('bn.b', [16], 0.1), b.initializer(tensors.float('bn.mean', [16], new Array(16).fill(0))), b.initializer(tensors.float('bn.var', [16], new Array(16).fill(1)))]);
  h = b.op('MaxPool', [b.op('Relu', [h])], { kernel_shape: [3, 3], strides: [2, 2] }); // overlapping windows: the ScatterElements path
  h = b.op('Flatten', [h], { axis: 1 });
  b.op('Gemm', [h, w('fc.w', [16 * 6 * 6, 10], 0.05)], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 10]);
  return b.build();
}

describe('CNN train step on onnxruntime-web (wasm)', () => {
  it('gives the same losses as onnxruntime-node on CPU, single steps and stepMany', async () => {
    const data = loadMnist({ perDigit: 8, image: true });
    const list = [...batches(data, { batchSize: 16, shuffle: true, seed: 2 })].map((b): Record<string, TensorValue> => ({ x: b.x, labels: b.y }));
    const losses: Record<string, number[]> = {};
    for (const device of ['cpu', 'wasm'] as const) {
      const s = await TrainSession.create({ model: cnn(), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: list[0]!, device, batchNorm: 'train' });
      expect(s.device).toBe(device);
      const l: number[] = [];
      for (const b of list.slice(0, 3)) l.push((await s.step(b)).loss);
      l.push(...(await s.stepMany(list.slice(0, 3))).losses);
      losses[device] = l;
      await s.release();
    }
    losses.cpu!.forEach((l, i) => expect(losses.wasm![i]).toBeCloseTo(l, 4));
  });
});
