import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorToValue, type TensorValue } from '@anneal/onnx';
import { compileTrainStep } from './train-step.js';
import { defaultGradientRegistry } from './default-registry.js';
import { softmaxCrossEntropy } from './losses.js';
import { values } from './gradcheck-harness.js';
import { f32, i64, nodeExecutor } from './test-support.js';

const executor = nodeExecutor();
const C = 3;
const mean0 = [0.5, -1, 2];
const var0 = [1, 4, 0.25];

/** x [N,3,2,2] -> BatchNormalization (inference mode, as exported) -> GlobalAveragePool -> Flatten -> Gemm -> logits */
function model() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', C, 2, 2]);
  for (const [name, data] of [['bn.weight', [1, 1.5, 0.5]], ['bn.bias', [0, 0.1, -0.2]], ['bn.running_mean', mean0], ['bn.running_var', var0]] as const) b.initializer(tensors.float(name, [C], data));
  b.initializer(tensors.float('fc.weight', [C, 2], values(6, 3)));
  const h = b.op('BatchNormalization', ['x', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], { epsilon: 1e-5, momentum: 0.9 });
  const g = b.op('Flatten', [b.op('GlobalAveragePool', [h])], { axis: 1 });
  b.op('MatMul', [g, 'fc.weight'], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 2]);
  return b.build();
}

const x = f32([4, C, 2, 2], values(48, 9, -2, 3));
const labels = i64([4], [0, 1, 1, 0]);

async function compile(mode: 'as-exported' | 'train' | 'frozen') {
  return compileTrainStep({
    model: model(),
    executor,
    sample: { x, labels },
    registry: defaultGradientRegistry(),
    trainable: ['bn.weight', 'bn.bias', 'fc.weight'],
    loss: (b, logits, l) => softmaxCrossEntropy(b, { logits, labels: l }),
    batchNorm: mode,
  });
}

function channelStats(v: TensorValue): { mean: number[]; variance: number[] } {
  const d = v.data as Float32Array;
  const [n, c, hw] = [v.dims[0]!, v.dims[1]!, v.dims[2]! * v.dims[3]!];
  const mean: number[] = [];
  const variance: number[] = [];
  for (let k = 0; k < c; k++) {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) xs.push(d[(i * c + k) * hw + j]!);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    mean.push(m);
    variance.push(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  }
  return { mean, variance };
}

describe('BatchNormalization modes in the train step', () => {
  it("'train' uses batch statistics and carries running statistics: r' = 0.9·r + 0.1·batch (biased variance)", async () => {
    const step = await compile('train');
    expect(step.runningStats.map((r) => r.input)).toEqual(['bn.running_mean', 'bn.running_var']);
    const feeds: Record<string, TensorValue> = { x, labels };
    for (const p of step.params) feeds[p] = tensorToValue(step.initialParams[p]!);
    for (const r of step.runningStats) feeds[r.input] = tensorToValue(r.initial);
    const outs = step.runningStats.map((r) => r.output);
    const out = await executor.run(step.model, feeds, outs);
    const { mean, variance } = channelStats(x);
    const newMean = Array.from(out[outs[0]!]!.data as Float32Array);
    const newVar = Array.from(out[outs[1]!]!.data as Float32Array);
    newMean.forEach((v, k) => expect(v).toBeCloseTo(0.9 * mean0[k]! + 0.1 * mean[k]!, 5));
    newVar.forEach((v, k) => expect(v).toBeCloseTo(0.9 * var0[k]! + 0.1 * variance[k]!, 4));
    // the fed running statistics are the initial values again (not mutated by an earlier run)
    expect(Array.from(tensorToValue(step.runningStats[0]!.initial).data as Float32Array)).toEqual(mean0.map(Math.fround));
  });

  it("'frozen' and 'as-exported' (inference mode here) carry no statistics and use the running ones", async () => {
    for (const mode of ['frozen', 'as-exported'] as const) {
      const step = await compile(mode);
      expect(step.runningStats).toEqual([]);
      expect(step.model.graph.node.find((n) => n.opType === 'BatchNormalization')!.output.filter(Boolean)).toHaveLength(1);
    }
  });

  it("'train' and 'frozen' give different gradients for the BN scale (batch vs running statistics)", async () => {
    const grads: Record<string, number[]> = {};
    for (const mode of ['train', 'frozen'] as const) {
      const step = await compile(mode);
      const feeds: Record<string, TensorValue> = { x, labels };
      for (const p of step.params) feeds[p] = tensorToValue(step.initialParams[p]!);
      for (const r of step.runningStats) feeds[r.input] = tensorToValue(r.initial);
      grads[mode] = Array.from((await executor.run(step.model, feeds, [step.gradients['bn.weight']!]))[step.gradients['bn.weight']!]!.data as Float32Array);
    }
    expect(grads.train).not.toEqual(grads.frozen);
  });
});
