import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, type AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import type { GradCheckResult } from '../gradcheck.js';
import { f32, nodeExecutor } from '../test-support.js';
import { lossWeight, relativeError } from './rule-spec-support.js';


/** Float32 finite differences are noisy for small entries: bound the absolute error (gradients are O(1)). */
function expectFiniteDifferencesAgree(r: GradCheckResult): void {
  for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
}

/**
 * Exact reference gradient of Σ lossWeight(k)·Pool(X)[k] for a pool that is linear in X and acts per
 * channel: the pool's own Jacobian, measured by running it on a batch of one-hot images (float64 sums).
 */
async function linearPoolReference(op: string, attrs: Record<string, AttrValue>, xDims: number[]): Promise<Float64Array> {
  const [n, c, ...spatial] = xDims as [number, number, ...number[]];
  const p = spatial.reduce((a, b) => a * b, 1);
  const b = new GraphBuilder({ opset: 19 });
  b.input('e', DataType.FLOAT, [p, 1, ...spatial]);
  b.output(b.op(op, ['e'], attrs, { output: 'y' }), DataType.FLOAT);
  const basis = new Float32Array(p * p);
  for (let i = 0; i < p; i++) basis[i * p + i] = 1;
  const y = (await nodeExecutor().run(b.build(), { e: f32([p, 1, ...spatial], basis) })).y!;
  const o = y.dims.slice(2).reduce((a, q) => a * q, 1);
  const jac = y.data as Float32Array; // [p, o]
  const dX = new Float64Array(n * c * p);
  for (let nc = 0; nc < n * c; nc++)
    for (let s = 0; s < p; s++) {
      let sum = 0;
      for (let j = 0; j < o; j++) sum += jac[s * o + j]! * lossWeight(nc * o + j);
      dX[nc * p + s] = sum;
    }
  return dX;
}

const maxPoolCases: { name: string; xDims: number[]; attrs: Record<string, AttrValue> }[] = [
  { name: '3x3 stride 2 pads 1 (overlapping windows)', xDims: [2, 3, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '2x2 stride 1 (every element in up to 4 windows)', xDims: [2, 2, 5, 5], attrs: { kernel_shape: [2, 2] } },
  { name: '3x3 stride 2 ceil_mode, asymmetric pads', xDims: [2, 2, 6, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil_mode: 1 } },
  { name: '2x2 dilation 2', xDims: [2, 2, 6, 6], attrs: { kernel_shape: [2, 2], dilations: [2, 2] } },
  { name: 'auto_pad SAME_UPPER 3x3 stride 2', xDims: [2, 2, 6, 5], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: '1-D kernel 3 stride 2 pads 1', xDims: [2, 3, 9], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
];

const averagePoolCases: { name: string; xDims: number[]; attrs: Record<string, AttrValue> }[] = [
  { name: '3x3 stride 2 pads 1, count_include_pad 0', xDims: [2, 3, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '3x3 stride 2 pads 1, count_include_pad 1', xDims: [2, 3, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
  { name: '2x2 stride 1 overlapping, no pads', xDims: [2, 2, 5, 6], attrs: { kernel_shape: [2, 2] } },
  { name: '3x2 stride (2,1), asymmetric pads (0,1,2,0), count_include_pad 1', xDims: [2, 2, 6, 5], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [0, 1, 2, 0], count_include_pad: 1 } },
  { name: 'ceil_mode, 3x3 stride 2 pads 1, count_include_pad 0', xDims: [2, 2, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { name: 'ceil_mode, 3x3 stride 2, count_include_pad 1', xDims: [2, 2, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 } },
  { name: 'stride 2 needing output_padding (6 -> 2 with 3x3)', xDims: [2, 2, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2] } },
  { name: 'auto_pad SAME_LOWER 2x2', xDims: [2, 2, 5, 5], attrs: { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' } },
  { name: '1-D kernel 3 stride 2 pads 1, count_include_pad 1', xDims: [2, 3, 8], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1], count_include_pad: 1 } },
];

describe('MaxPool gradients (Indices + ScatterElements add; finite differences in float64)', () => {
  for (const c of maxPoolCases) {
    it(c.name, async () => {
      const n = c.xDims.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({ inputs: { x: f32(c.xDims, values(n, 51, -2, 2)) }, build: (b) => b.op('MaxPool', ['x'], c.attrs), samplesPerTensor: 40 });
      expect(r.precision).toBe('double');
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});

describe('AveragePool gradients (float32 vs the exact Jacobian of the op, plus finite differences)', () => {
  for (const c of averagePoolCases) {
    it(c.name, async () => {
      const n = c.xDims.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({ inputs: { x: f32(c.xDims, values(n, 52, -2, 2)) }, build: (b) => b.op('AveragePool', ['x'], c.attrs), samplesPerTensor: 8 });
      expect(r.precision).toBe('float');
      const ref = await linearPoolReference('AveragePool', c.attrs, c.xDims);
      expect(relativeError(r.gradients.x!.data as Float32Array, ref)).toBeLessThan(1e-5);
      expectFiniteDifferencesAgree(r);
    });
  }
});

describe('global pools', () => {
  it('GlobalAveragePool: dX = dY / (H·W) (exact reference)', async () => {
    const xDims = [2, 3, 4, 5];
    const r = await gradCheckCase({ inputs: { x: f32(xDims, values(120, 53)) }, build: (b) => b.op('GlobalAveragePool', ['x']), samplesPerTensor: 8 });
    const ref = Float64Array.from({ length: 120 }, (_, i) => lossWeight(Math.floor(i / 20)) / 20);
    expect(relativeError(r.gradients.x!.data as Float32Array, ref)).toBeLessThan(1e-6);
    expectFiniteDifferencesAgree(r);
  });
  it('GlobalMaxPool: dY goes to the argmax of each channel (exact reference)', async () => {
    const xDims = [2, 3, 4, 5];
    const x = Float32Array.from(values(120, 54));
    const r = await gradCheckCase({ inputs: { x: f32(xDims, x) }, build: (b) => b.op('GlobalMaxPool', ['x']), samplesPerTensor: 8 });
    const ref = new Float64Array(120);
    for (let nc = 0; nc < 6; nc++) {
      let best = nc * 20;
      for (let i = nc * 20; i < nc * 20 + 20; i++) if (x[i]! > x[best]!) best = i;
      ref[best] = lossWeight(nc);
    }
    expect(relativeError(r.gradients.x!.data as Float32Array, ref)).toBeLessThan(1e-6);
    expectFiniteDifferencesAgree(r);
  });
});
