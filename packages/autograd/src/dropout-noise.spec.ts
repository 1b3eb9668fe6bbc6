import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorToValue, type TensorValue } from '@anneal/onnx';
import { compileTrainStep } from './train-step.js';
import { defaultGradientRegistry } from './default-registry.js';
import { softmaxCrossEntropy } from './losses.js';
import { values } from './gradcheck-harness.js';
import { f32, i64, nodeExecutor } from './test-support.js';

const executor = nodeExecutor();
const [N, D, H, C] = [3, 4, 5, 2];
const p = 0.4;

/** x [N,4] -> MatMul w1 -> Relu -> Dropout(p) -> MatMul w2 -> logits; a second Dropout on the weight w2 itself. */
function model(weightDropout = false) {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', D]);
  b.initializer(tensors.float('w1', [D, H], values(D * H, 1)));
  b.initializer(tensors.float('w2', [H, C], values(H * C, 2)));
  const h = b.op('Relu', [b.op('MatMul', ['x', 'w1'])]);
  const d = b.node('Dropout', [h, b.scalar(p)], {}, { outputs: 1 })[0]!;
  const w2 = weightDropout ? b.node('Dropout', ['w2', b.scalar(0.1)], {}, { outputs: 1 })[0]! : 'w2';
  b.op('MatMul', [d, w2], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', C]);
  return b.build();
}

const x = f32([N, D], values(N * D, 3));
const labels = i64([N], [0, 1, 1]);
const noise = f32([N, H], values(N * H, 4, 0, 1));

async function compile(weightDropout = false) {
  return compileTrainStep({
    model: model(weightDropout),
    executor,
    sample: { x, labels },
    registry: defaultGradientRegistry(),
    trainable: ['w1', 'w2'],
    loss: (b, logits, l) => softmaxCrossEntropy(b, { logits, labels: l }),
    dropoutNoise: true,
  });
}

/** The closed form: logits = (relu(x w1) * [u >= p] / (1 - p)) w2, in float64. */
function reference(w1: ArrayLike<number>, w2: ArrayLike<number>, u: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const h = Array.from({ length: H }, (_, j) => {
      let s = 0;
      for (let k = 0; k < D; k++) s += (x.data[i * D + k] as number) * w1[k * H + j]!;
      return Math.max(0, s) * (u[i * H + j]! >= Math.fround(p) ? 1 / (1 - Math.fround(p)) : 0);
    });
    for (let c = 0; c < C; c++) out.push(h.reduce((a, v, j) => a + v * w2[j * C + c]!, 0));
  }
  return out;
}

function crossEntropy(logits: number[]): number {
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const row = logits.slice(i * C, (i + 1) * C);
    const m = Math.max(...row);
    sum += Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m - row[Number(labels.data[i])]!;
  }
  return sum / N;
}

describe('Dropout from fed noise (compileTrainStep dropoutNoise)', () => {
  it('replaces the activation Dropout by a noise input [N, perExample] and keeps the mask as x * [u >= p] / (1 - p)', async () => {
    const step = await compile();
    expect(step.noiseInputs).toEqual([{ name: 'noise.dropout0', node: 0, perExample: H }]);
    expect(step.dataInputs).toEqual(['x', 'noise.dropout0']);
    expect(step.model.graph.node.some((n) => n.opType === 'Dropout')).toBe(false);
    const w1 = tensorToValue(step.initialParams.w1!).data as Float32Array;
    const w2 = tensorToValue(step.initialParams.w2!).data as Float32Array;
    const out = await executor.run(step.model, { x, labels, w1: f32([D, H], w1), w2: f32([H, C], w2), 'noise.dropout0': noise }, [step.logits]);
    const logits = Array.from(out[step.logits]!.data as Float32Array);
    const expected = reference(w1, w2, noise.data as Float32Array);
    logits.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // about p of the units are dropped by this noise, and some are (the test would pass with no dropout otherwise)
    const dropped = Array.from(noise.data as Float32Array).filter((u) => u < Math.fround(p)).length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(N * H);
  });

  it('gradients through the noise Dropout match central finite differences of the float64 closed form', async () => {
    const step = await compile();
    const w1 = Float64Array.from(tensorToValue(step.initialParams.w1!).data as Float32Array);
    const w2 = Float64Array.from(tensorToValue(step.initialParams.w2!).data as Float32Array);
    const feeds: Record<string, TensorValue> = { x, labels, w1: f32([D, H], w1), w2: f32([H, C], w2), 'noise.dropout0': noise };
    const out = await executor.run(step.model, feeds, [step.gradients.w1!, step.gradients.w2!]);
    const u = noise.data as Float32Array;
    const eps = 1e-5;
    for (const [name, w, grad] of [['w1', w1, out[step.gradients.w1!]!], ['w2', w2, out[step.gradients.w2!]!]] as const) {
      for (let i = 0; i < w.length; i++) {
        const plus = Float64Array.from(w);
        const minus = Float64Array.from(w);
        plus[i]! += eps;
        minus[i]! -= eps;
        const f = (v: Float64Array) => crossEntropy(name === 'w1' ? reference(v, w2, u) : reference(w1, v, u));
        expect((grad.data as Float32Array)[i], `${name}[${i}]`).toBeCloseTo((f(plus) - f(minus)) / (2 * eps), 4);
      }
    }
  });

  it('leaves a Dropout on a weight (not computed from the data) to ONNX Runtime, saying why', async () => {
    const step = await compile(true);
    expect(step.noiseInputs.map((n) => n.node)).toEqual([0]);
    expect(step.noiseKept).toEqual([{ node: 1, reason: 'its input does not depend on the data (a weight dropout)' }]);
    expect(step.model.graph.node.filter((n) => n.opType === 'Dropout')).toHaveLength(1);
  });
});
