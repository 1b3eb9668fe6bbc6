/**
 * Test support (not exported from the package): a tiny least-squares problem whose loss and
 * gradients are computed in the same graph as the optimizer update, trained for a few steps.
 */
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, encodeModel, tensors } from '@anneal/onnx';
import { hyperparameterFeeds } from '../hyperparameters.js';
import type { Optimizer } from '../optimizer.js';
import { emitOptimizerUpdate } from '../optimizer-update.js';
import { zeroState } from '../optimizer-step.js';

const X = [
  [1, 0.5, -1],
  [0.2, -1, 0.3],
  [-0.7, 0.4, 1.2],
  [1.5, 1, 0],
  [-1, -0.3, -0.5],
  [0.3, 0.8, -0.9],
  [0.9, -0.6, 0.4],
  [-0.4, 1.3, 0.7],
];
const TRUE_W = [2, -1, 0.5];
const TRUE_B = 0.3;

/**
 * Fits `y = X w + b` (8 samples, w: [3, 1], b: [1]) with loss `0.5 * mean((Xw + b - y)^2)`
 * for `steps` updates from w = [0.5, 0.5, 0.5], b = [0.1]; returns the loss before each update.
 * The learning rate decays linearly from `lr` towards 0 over the run (fed as `hp.lr.default`).
 */
export async function fitLinearRegression(optimizer: Optimizer, lr: number, steps: number, weightDecay = 0): Promise<number[]> {
  const n = X.length;
  const b = new GraphBuilder({ opset: 17 });
  b.input('w', DataType.FLOAT, [3, 1]);
  b.input('b', DataType.FLOAT, [1]);
  const x = b.initializer(tensors.float('X', [n, 3], X.flat()));
  const y = b.initializer(tensors.float('y', [n, 1], X.map((row) => row.reduce((a, v, i) => a + v * TRUE_W[i]!, TRUE_B))));
  const residual = b.op('Sub', [b.op('Add', [b.op('MatMul', [x, 'w']), 'b']), y]);
  b.op('Mul', [b.op('ReduceSumSquare', [residual], { keepdims: 0 }), b.scalar(0.5 / n)], {}, { output: 'loss' });
  b.output('loss', DataType.FLOAT, []);
  const gw = b.op('Mul', [b.op('MatMul', [b.op('Transpose', [x]), residual]), b.scalar(1 / n)]);
  const gb = b.op('Mul', [b.op('ReduceSum', [residual, b.ints([0])], { keepdims: 0 }), b.scalar(1 / n)]);
  const params = [
    { name: 'w', grad: gw, dims: [3, 1] },
    { name: 'b', grad: gb, dims: [1] },
  ];
  const config = { optimizer, lr, weightDecay, params, stats: false };
  const update = emitOptimizerUpdate(b, config);
  const session = await ort.InferenceSession.create(encodeModel(b.build()));
  const carried: Record<string, ort.Tensor> = { w: new ort.Tensor('float32', Float32Array.of(0.5, 0.5, 0.5), [3, 1]), b: new ort.Tensor('float32', Float32Array.of(0.1), [1]) };
  for (const [name, t] of Object.entries(zeroState(update))) carried[name] = new ort.Tensor('float32', t.data as Float32Array, t.dims as number[]);
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const feeds: Record<string, ort.Tensor> = { ...carried };
    for (const [k, v] of Object.entries(hyperparameterFeeds(config, { step, lr: lr * (1 - (step - 1) / steps) }))) feeds[k] = new ort.Tensor('float32', Float32Array.of(v), []);
    const out = await session.run(feeds);
    losses.push((out.loss!.data as Float32Array)[0]!);
    for (const p of update.params) carried[p.input] = out[p.output]!;
    for (const s of update.state) carried[s.input] = out[s.output]!;
  }
  await session.release();
  return losses;
}
