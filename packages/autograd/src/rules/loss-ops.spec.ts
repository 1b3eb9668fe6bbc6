import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo } from '@anneal/onnx';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, i64, nodeExecutor } from '../test-support.js';

/** Spreads a scalar loss over two elements so the reductions' per-element paths are exercised too. */
function spread(b: GraphBuilder, t: string, reduction: string): string {
  return reduction === 'none' ? t : b.op('Mul', [t, b.initializer(tensors.float(b.uniqueName('ones'), [2], [1, 1]))]);
}

interface LossCase {
  reduction: 'mean' | 'sum' | 'none';
  weights?: boolean;
  ignoreIndex?: number;
  dims?: number[];
  labels?: number[];
}

const cases: LossCase[] = [
  { reduction: 'mean' },
  { reduction: 'sum' },
  { reduction: 'none' },
  { reduction: 'mean', weights: true },
  { reduction: 'sum', weights: true },
  { reduction: 'none', weights: true },
  { reduction: 'mean', ignoreIndex: 2, labels: [2, 0, 4, 2, 1, 3] },
  { reduction: 'mean', weights: true, ignoreIndex: -100, labels: [1, -100, 4, 0, -100, 3] },
  { reduction: 'sum', weights: true, ignoreIndex: 2, labels: [2, 0, 4, 2, 1, 3] },
  { reduction: 'none', weights: true, ignoreIndex: 0, labels: [2, 0, 4, 2, 1, 0] },
  { reduction: 'mean', weights: true, ignoreIndex: 1, dims: [2, 3, 2, 2], labels: [0, 1, 2, 2, 1, 0, 0, 2] },
  { reduction: 'none', dims: [2, 3, 4], labels: [0, 1, 2, 2, 1, 0, 0, 2] },
];

const label = (c: LossCase) =>
  `reduction=${c.reduction}${c.weights ? ', class weights' : ''}${c.ignoreIndex !== undefined ? `, ignore_index=${c.ignoreIndex}` : ''}, scores [${c.dims ?? [6, 5]}]`;

function run(op: string, c: LossCase) {
  const dims = c.dims ?? [6, 5];
  const n = dims.reduce((p, q) => p * q, 1);
  const labelDims = [dims[0]!, ...dims.slice(2)];
  const labels = c.labels ?? [1, 0, 4, 2, 3, 1];
  return gradCheckCase({
    inputs: { scores: f32(dims, values(n, 41, -2, 2)), labels: i64(labelDims, labels) },
    params: c.weights ? { w: { dims: [dims[1]!], data: values(dims[1]!, 42, 0.5, 2) } } : {},
    build: (b) => {
      const attrs = { reduction: c.reduction, ...(c.ignoreIndex === undefined ? {} : { ignore_index: c.ignoreIndex }) };
      return spread(b, b.op(op, ['scores', 'labels', ...(c.weights ? ['w'] : [])], attrs), c.reduction);
    },
    samplesPerTensor: 8,
  });
}

describe('SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss gradients (finite differences, float64)', () => {
  // NegativeLogLikelihoodLoss shares the label/weight/reduction code: a subset covers its own part
  const nllCases = [cases[0]!, cases[1]!, cases[5]!, cases[7]!, cases[9]!, cases[10]!];
  for (const op of ['SoftmaxCrossEntropyLoss', 'NegativeLogLikelihoodLoss']) {
    for (const c of op === 'SoftmaxCrossEntropyLoss' ? cases : nllCases) {
      it(`${op} ${label(c)}${c.weights ? ' (gradient for the weights too)' : ''} (double, maxRelError < 1e-6)`, async () => {
        const r = await run(op, c);
        expect(r.precision).toBe('double');
        expect(Math.max(...Array.from(r.gradients.scores!.data as Float64Array, Math.abs))).toBeGreaterThan(1e-3);
        expect(r.maxRelError).toBeLessThan(1e-6);
      });
    }
  }

  it('SoftmaxCrossEntropyLoss with its log_prob output also used downstream (double)', async () => {
    const r = await gradCheckCase({
      inputs: { scores: f32([4, 5], values(20, 43, -2, 2)), labels: i64([4], [1, 0, 4, 2]) },
      params: { w: { dims: [5], data: values(5, 44, 0.5, 2) } },
      build: (b) => {
        const [loss, logProb] = b.node('SoftmaxCrossEntropyLoss', ['scores', 'labels', 'w'], {}, { outputs: 2 });
        return b.op('Add', [logProb!, loss!]);
      },
      samplesPerTensor: 12,
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('SoftmaxCrossEntropyLoss backward probed at batch 2 runs at batch 5 (mean, weights, ignore_index): dScores = (softmax − onehot)·w[l]/Σw[l]', async () => {
    const executor = nodeExecutor();
    const b = new GraphBuilder({ opset: 17 });
    b.input('scores', DataType.FLOAT, ['N', 3]);
    b.input('labels', DataType.INT64, ['N']);
    const w = [0.5, 2, 1.25];
    const weights = b.initializer(tensors.float('w', [3], w));
    const loss = b.op('SoftmaxCrossEntropyLoss', ['scores', 'labels', weights], { ignore_index: -1 });
    const model = b.build();
    const shapes = await probeShapes(model, { scores: f32([2, 3], [0, 1, 2, 3, 4, 5]), labels: i64([2], [0, 1]) }, executor);
    const bw = buildBackward(model, { loss, wrt: ['scores'], shapes, registry: defaultGradientRegistry() });
    bw.model.graph.output = [tensorValueInfo(bw.gradients.scores!, DataType.FLOAT)];
    const scores = Float32Array.from(values(15, 45, -2, 2));
    const labels = [2, -1, 0, 1, 2];
    const out = await executor.run(bw.model, { scores: f32([5, 3], scores), labels: i64([5], labels) });
    const g = out[bw.gradients.scores!]!.data as Float32Array;
    const total = labels.reduce((s, l) => s + (l < 0 ? 0 : w[l]!), 0);
    for (let i = 0; i < 5; i++) {
      const z = Array.from(scores.subarray(i * 3, i * 3 + 3));
      const e = z.map(Math.exp);
      const sum = e.reduce((p, q) => p + q, 0);
      for (let k = 0; k < 3; k++) {
        const expected = labels[i]! < 0 ? 0 : ((e[k]! / sum - (k === labels[i] ? 1 : 0)) * w[labels[i]!]!) / total;
        expect(g[i * 3 + k]).toBeCloseTo(expected, 6);
      }
    }
  });
});

describe('SoftmaxCrossEntropyLoss gradient in float32 (the OneHot path)', () => {
  for (const ignore of [false, true]) {
    it(`[N,C,d] scores${ignore ? ' with ignore_index' : ''}: float32 analytic gradient equals the float64 one`, async () => {
      const build = (b: GraphBuilder) =>
        b.node('SoftmaxCrossEntropyLoss', ['s', 'labels'], ignore ? { reduction: 'mean', ignore_index: 2 } : { reduction: 'mean' }, { outputs: 1 })[0]!;
      const c = { inputs: { s: f32([3, 4, 2], values(24, 5, -2, 2)), labels: i64([3, 2], [0, 2, 3, 1, 2, 0]) }, build, wrt: ['s'] };
      const single = await gradCheckCase({ ...c, precision: 'float', samplesPerTensor: 24 });
      const double = await gradCheckCase({ ...c, samplesPerTensor: 1 });
      expect(single.precision).toBe('float');
      const a = single.gradients.s!.data as Float32Array;
      const d = double.gradients.s!.data as Float64Array;
      a.forEach((v, i) => expect(Math.abs(v - d[i]!)).toBeLessThan(1e-6));
      // labels [[0,2],[3,1],[2,0]]: with ignore_index 2, positions (n=0,d=1) and (n=2,d=0) get no gradient
      const ignored = [1, 3, 5, 7, 16, 18, 20, 22].map((i) => a[i]);
      if (ignore) expect(ignored.every((v) => v === 0)).toBe(true);
      else expect(ignored.some((v) => v !== 0)).toBe(true);
    });
  }
});
