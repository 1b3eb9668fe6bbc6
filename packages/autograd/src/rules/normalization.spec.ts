import { describe, expect, it } from 'vitest';
import type { GraphBuilder, TensorValue } from '@anneal/onnx';
import type { GradCheckResult } from '../gradcheck.js';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

const x = f32([2, 3, 4], values(24, 21, -2, 2));

/** max |a − ref| / max |ref| over every gradient tensor of two checks of the same graph. */
function gradientDistance(a: GradCheckResult, ref: GradCheckResult): number {
  let worst = 0;
  for (const [name, g] of Object.entries(ref.gradients)) {
    const other = a.gradients[name]!.data as Float32Array;
    const scale = Math.max(...Array.from(g.data as Float64Array, Math.abs));
    (g.data as Float64Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(Number(other[i]) - v) / scale)));
  }
  return worst;
}

/** Decomposed normalization over `axes` with ReduceMean/Sub/Pow/Add/Sqrt/Div (as PyTorch's opset<17 exports emit). */
function decomposed(b: GraphBuilder, input: string, axes: number[], epsilon: number, opset: number): string {
  const mean = (t: string) => (opset >= 18 ? b.op('ReduceMean', [t, b.ints(axes)]) : b.op('ReduceMean', [t], { axes }));
  const centered = b.op('Sub', [input, mean(input)]);
  const variance = mean(b.op('Pow', [centered, b.scalar(2)]));
  return b.op('Div', [centered, b.op('Sqrt', [b.op('Add', [variance, b.scalar(epsilon)])])]);
}

describe('normalization gradients (finite differences)', () => {
  for (const [axis, withBias, epsilon] of [[-1, true, undefined], [-2, true, 1e-3], [-1, false, 0.1], [1, true, undefined], [0, false, 1e-5]] as const) {
    it(`LayerNormalization axis=${axis} ${withBias ? 'with' : 'without'} bias, epsilon=${epsilon ?? 'default'}: double < 1e-6; float path (Mean/InvStdDev outputs) matches it to 1e-5`, async () => {
      const normShape = x.dims.slice(axis < 0 ? axis + 3 : axis);
      const c = {
        inputs: { x },
        params: { scale: { dims: normShape, data: values(normShape.reduce((p, q) => p * q, 1), 4, 0.5, 1.5) }, ...(withBias ? { bias: { dims: normShape } } : {}) },
        build: (b: GraphBuilder) => b.op('LayerNormalization', ['x', 'scale', ...(withBias ? ['bias'] : [])], { axis, ...(epsilon === undefined ? {} : { epsilon }) }),
        samplesPerTensor: 10,
      };
      const r = await gradCheckCase(c);
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
      // the float32 path reuses the op's own statistics outputs: compare its analytic gradients with the float64 ones
      const f = await gradCheckCase({ ...c, precision: 'float', samplesPerTensor: 1 });
      expect(f.precision).toBe('float');
      expect(gradientDistance(f, r)).toBeLessThan(1e-5);
    });
  }

  it('LayerNormalization with scale [4] and bias [1,4] broadcast over the normalized axes of axis=-2 (double)', async () => {
    const r = await gradCheckCase({
      inputs: { x },
      params: { scale: { dims: [4] }, bias: { dims: [1, 4] } },
      build: (b) => b.op('LayerNormalization', ['x', 'scale', 'bias'], { axis: -2 }),
      samplesPerTensor: 10,
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  for (const opset of [17, 18]) {
    it(`decomposed layer norm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) at opset ${opset} through existing rules (double)`, async () => {
      const r = await gradCheckCase({
        inputs: { x },
        params: { scale: { dims: [4], data: values(4, 4, 0.5, 1.5) }, bias: { dims: [4] } },
        opset,
        build: (b) => b.op('Add', [b.op('Mul', [decomposed(b, 'x', [-1], 1e-5, opset), 'scale']), 'bias']),
        samplesPerTensor: 10,
      });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }

  for (const dims of [[2, 3, 5], [2, 3, 2, 3]]) {
    it(`InstanceNormalization on [${dims}] (no double kernel: float FD abs error < 2e-3; gradients match the double decomposed form to 1e-5)`, async () => {
      const n = dims.reduce((p, q) => p * q, 1);
      const spatial = dims.slice(2).map((_, i) => i + 2);
      const inputs: Record<string, TensorValue> = { x: f32(dims, values(n, 5, -2, 2)) };
      const params = { scale: { dims: [3], data: values(3, 6, 0.5, 1.5) }, bias: { dims: [3] } };
      const r = await gradCheckCase({ inputs, params, build: (b) => b.op('InstanceNormalization', ['x', 'scale', 'bias'], { epsilon: 1e-3 }), samplesPerTensor: 10 });
      expect(r.precision).toBe('float');
      expect(Math.max(...r.tensors.map((t) => t.maxAbsError))).toBeLessThan(2e-3);
      const ref = await gradCheckCase({
        inputs,
        params,
        build: (b) => {
          const perChannel = (t: string) => b.op('Unsqueeze', [t, b.ints(spatial.map((a) => a - 1))]);
          return b.op('Add', [b.op('Mul', [decomposed(b, 'x', spatial, Math.fround(1e-3), 17), perChannel('scale')]), perChannel('bias')]);
        },
        samplesPerTensor: 4,
      });
      expect(ref.precision).toBe('double');
      expect(ref.maxRelError).toBeLessThan(1e-6);
      expect(gradientDistance(r, ref)).toBeLessThan(1e-5);
    });
  }
});
