import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, type Executor, type ModelProto, type TensorValue } from '@anneal/onnx';
import { compileTrainStep } from './train-step.js';
import { defaultGradientRegistry } from './default-registry.js';
import { softmaxCrossEntropy } from './losses.js';
import { values } from './gradcheck-harness.js';
import { f32, i64, nodeExecutor } from './test-support.js';

/** x [N, 2, 4, 4] -> Conv 3x3 -> Relu -> Reshape to [batchDim, 32] -> Gemm -> logits; batchDim 0 keeps N, a number fixes the batch. */
function model(batchDim: number): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 2, 4, 4]);
  b.initializer(tensors.float('conv.weight', [2, 2, 3, 3], values(36, 1)));
  b.initializer(tensors.float('fc.weight', [32, 3], values(96, 2)));
  const h = b.op('Relu', [b.op('Conv', ['x', 'conv.weight'], { pads: [1, 1, 1, 1] })]);
  b.op('MatMul', [b.op('Reshape', [h, b.ints([batchDim, 32])]), 'fc.weight'], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 3]);
  return b.build();
}

/** An executor that records the batch size of every run. */
function recording(): { executor: Executor; batches: number[] } {
  const inner = nodeExecutor();
  const batches: number[] = [];
  return { batches, executor: { run: (m, feeds, outputs) => (batches.push(feeds.x!.dims[0]!), inner.run(m, feeds, outputs)) } };
}

const x = f32([6, 2, 4, 4], values(192, 3, -1, 1));
const labels = i64([6], [0, 1, 2, 0, 1, 2]);

async function compile(m: ModelProto, executor: Executor, onProgress?: (phase: string, done: number, total: number) => void, extra: Record<string, TensorValue> = {}) {
  return compileTrainStep({ model: m, executor, sample: { x, labels, ...extra }, registry: defaultGradientRegistry(), trainable: ['conv.weight', 'fc.weight'], loss: (b, logits, l) => softmaxCrossEntropy(b, { logits, labels: l }), onProgress });
}

/** Loss and gradients of the compiled step at a batch. */
async function run(step: Awaited<ReturnType<typeof compile>>, batch: Record<string, TensorValue>) {
  const feeds: Record<string, TensorValue> = { ...batch };
  for (const p of step.params) feeds[p] = { dataType: DataType.FLOAT, dims: step.initialParams[p]!.dims.map(Number), data: Float32Array.from(values(step.initialParams[p]!.dims.reduce((a, d) => a * Number(d), 1), p.length)) };
  return nodeExecutor().run(step.model, feeds, [step.loss, ...Object.values(step.gradients)]);
}

describe('compileTrainStep: shape probe and progress', () => {
  it('probes on 2 examples of a batch-major sample; the step runs at any batch, as one compiled on the whole sample', async () => {
    const { executor, batches } = recording();
    const step = await compile(model(0), executor);
    expect(new Set(batches)).toEqual(new Set([2]));
    // a sample entry that is not batch-major makes the probe use the whole sample
    const whole = recording();
    const reference = await compile(model(0), whole.executor, undefined, { other: f32([1], [0]) });
    expect(new Set(whole.batches)).toEqual(new Set([6]));
    for (const batch of [{ x, labels }, { x: f32([3, 2, 4, 4], (x.data as Float32Array).subarray(0, 96)), labels: i64([3], [2, 1, 0]) }]) {
      const a = await run(step, batch);
      const b = await run(reference, batch);
      for (const k of Object.keys(a)) expect(Array.from(a[k]!.data as Float32Array)).toEqual(Array.from(b[k]!.data as Float32Array));
    }
  });

  it('falls back to the whole sample when the model only runs at its batch size', async () => {
    const { executor, batches } = recording();
    const step = await compile(model(6), executor);
    expect(batches).toContain(6);
    const out = await run(step, { x, labels });
    expect(Number((out[step.loss]!.data as Float32Array)[0])).toBeGreaterThan(0);
  });

  it('reports probe, backward node by node, and update, in order', async () => {
    const calls: [string, number, number][] = [];
    await compile(model(0), nodeExecutor(), (phase, done, total) => calls.push([phase, done, total]));
    expect(calls[0]).toEqual(['probe', 0, 1]);
    expect(calls[1]).toEqual(['probe', 1, 1]);
    const backward = calls.filter((c) => c[0] === 'backward');
    const total = backward[0]![2];
    expect(total).toBeGreaterThan(3);
    expect(backward.map((c) => c[1])).toEqual(Array.from({ length: total + 1 }, (_, i) => i).flatMap((i) => (i === 0 ? [0, 0] : [i])).slice(0, backward.length));
    expect(backward[backward.length - 1]).toEqual(['backward', total, total]);
    expect(calls.slice(-2)).toEqual([['update', 0, 1], ['update', 1, 1]]);
  });
});
