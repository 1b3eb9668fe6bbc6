import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import { DataType, encodeModel, GraphBuilder, tensors, type ModelProto, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { TrainSession } from './train-session.js';

/** x [N,1,28,28] -> Conv 1->4 3x3 stride 2 -> BatchNormalization (inference mode) -> Relu -> GlobalAveragePool -> Gemm 4->10 */
function cnn(): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 1, 28, 28]);
  b.initializer(tensors.float('conv.weight', [4, 1, 3, 3], Array.from({ length: 36 }, (_, i) => Math.sin(i + 1) * 0.5)));
  for (const [name, v] of [['bn.weight', 1], ['bn.bias', 0], ['bn.running_mean', 0], ['bn.running_var', 1]] as const) b.initializer(tensors.float(name, [4], [v, v, v, v]));
  b.initializer(tensors.float('fc.weight', [4, 10], Array.from({ length: 40 }, (_, i) => Math.cos(i) * 0.3)));
  let h = b.op('Conv', ['x', 'conv.weight'], { kernel_shape: [3, 3], strides: [2, 2] });
  h = b.op('BatchNormalization', [h, 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], { epsilon: 1e-5, momentum: 0.9 });
  h = b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Relu', [h])])], { axis: 1 });
  b.op('Gemm', [h, 'fc.weight'], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 10]);
  return b.build();
}

const data = loadMnist({ perDigit: 20, image: true });
const list = [...batches(data, { batchSize: 25, shuffle: true, seed: 1 })].map((b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y }));

describe('TrainSession with BatchNormalization', () => {
  it("'train' updates running statistics, evaluates and exports with them; 'frozen' keeps them", async () => {
    const model = cnn();
    const trained = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: list[0]!, batchNorm: 'train' });
    for (const b of list) await trained.step(b);
    const stats = await trained.runningStatistics();
    const mean = Array.from(stats['bn.running_mean']!.data as Float32Array);
    expect(mean.some((v) => Math.abs(v) > 1e-3)).toBe(true); // moved away from the initial zeros
    // evaluate (inference mode, running statistics) agrees with the exported model in a stock ORT session
    const ev = await trained.evaluate([{ x: data.x, labels: data.y }]);
    const exported = await trained.exportInference(model);
    expect(exported.graph.node.find((n) => n.opType === 'BatchNormalization')!.output.filter(Boolean)).toHaveLength(1);
    const plain = await ort.InferenceSession.create(encodeModel(exported));
    const logits = (await plain.run({ x: new ort.Tensor('float32', data.x.data as Float32Array, data.x.dims) }))['logits']!.data as Float32Array;
    const labels = data.y.data as BigInt64Array;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      if (BigInt(row.indexOf(Math.max(...row))) === labels[i]) correct++;
    }
    expect(correct / labels.length).toBeCloseTo(ev.accuracy!, 6);
    await trained.release();

    const frozen = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.05 }, sample: list[0]!, batchNorm: 'frozen' });
    for (const b of list.slice(0, 3)) await frozen.step(b);
    expect(await frozen.runningStatistics()).toEqual({});
    await frozen.release();
  });

  it('stepMany carries running statistics through the Loop exactly like single steps', async () => {
    const model = cnn();
    const a = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: list[0]!, batchNorm: 'train' });
    const b = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05 }, sample: list[0]!, batchNorm: 'train' });
    const single: number[] = [];
    for (const batch of list.slice(0, 6)) single.push((await a.step(batch)).loss);
    const many = (await b.stepMany(list.slice(0, 6))).losses;
    many.forEach((l, i) => expect(l).toBeCloseTo(single[i]!, 5));
    const ra = (await a.runningStatistics())['bn.running_var']!.data as Float32Array;
    const rb = (await b.runningStatistics())['bn.running_var']!.data as Float32Array;
    ra.forEach((v, i) => expect(rb[i]).toBeCloseTo(v, 5));
    await a.release();
    await b.release();
  });
});
