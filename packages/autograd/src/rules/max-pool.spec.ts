import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, type AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32, nodeExecutor } from '../test-support.js';
import { backwardOps, lossWeight, relativeError } from './rule-spec-support.js';

/**
 * Exact reference for d(Σ lossWeight(k)·MaxPool(X)[k]) / dX (optionally through a Relu before the
 * pool): lossWeight(k) lands on the element the op itself picked for window k (its Indices output,
 * so ties follow the op's first-max convention), times relu'(x) = (x > 0) when `relu`.
 */
async function maxPoolReference(x: Float32Array, xDims: number[], attrs: Record<string, AttrValue>, relu = false): Promise<Float64Array> {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, xDims);
  b.node('MaxPool', [relu ? b.op('Relu', ['x']) : 'x'], attrs, { outputs: ['y', 'i'] });
  b.output('i', DataType.INT64);
  const indices = (await nodeExecutor().run(b.build(), { x: f32(xDims, x) })).i!.data as BigInt64Array;
  const dX = new Float64Array(x.length);
  indices.forEach((at, k) => {
    if (!relu || x[Number(at)]! > 0) dX[Number(at)] += lossWeight(k);
  });
  return dX;
}

const nonOverlapping: { name: string; xDims: number[]; attrs: Record<string, AttrValue> }[] = [
  { name: '2x2 stride 2', xDims: [2, 3, 6, 8], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: '2x2 stride 2 on odd sizes (the last row and column are dropped)', xDims: [2, 2, 7, 5], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: '2x2 stride 2 ceil_mode on odd sizes (clipped last windows)', xDims: [2, 2, 5, 7], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
  { name: '3x3 stride 3, pads 1', xDims: [2, 2, 7, 8], attrs: { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1] } },
  { name: 'kernel 2 stride 3 (gaps between windows)', xDims: [2, 2, 8, 7], attrs: { kernel_shape: [2, 2], strides: [3, 3] } },
  { name: 'kernel 2 dilation 2 stride 3', xDims: [2, 2, 9, 9], attrs: { kernel_shape: [2, 2], strides: [3, 3], dilations: [2, 2] } },
  { name: 'auto_pad SAME_UPPER 2x2 stride 2 on odd sizes', xDims: [2, 2, 5, 5], attrs: { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: '1-D kernel 3 stride 3', xDims: [2, 3, 10], attrs: { kernel_shape: [3], strides: [3] } },
  { name: '3-D 2x2x2 stride 2', xDims: [2, 2, 4, 4, 6], attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 2] } },
];

describe('MaxPool with non-overlapping windows: MaxUnpool of the op Indices (float32, exact reference)', () => {
  for (const c of nonOverlapping) {
    it(c.name, async () => {
      const n = c.xDims.reduce((p, q) => p * q, 1);
      const x = Float32Array.from(values(n, 61, -2, 2));
      const r = await gradCheckCase({ inputs: { x: f32(c.xDims, x) }, build: (b) => b.op('MaxPool', ['x'], c.attrs), precision: 'float', samplesPerTensor: 8 });
      expect(r.precision).toBe('float');
      expect(relativeError(r.gradients.x!.data as Float32Array, await maxPoolReference(x, c.xDims, c.attrs))).toBeLessThan(1e-6);
      for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
      const ops = await backwardOps((b) => b.op('MaxPool', ['x'], c.attrs), { x: f32(c.xDims, x) }, ['x']);
      expect(ops).toContain('MaxUnpool');
      expect(ops).not.toContain('ScatterElements');
    });
  }

  it('ties go to the first maximum of each window, as in the op itself', async () => {
    // 2x2 windows of a 2x6 image (row-major): window 1 all equal, window 2 with its max at 3 places
    const x = Float32Array.from([3, 0, 1, 1, 0, 2, 0, 0, 1, 1, 2, 2]);
    const attrs = { kernel_shape: [2, 2], strides: [2, 2] };
    const r = await gradCheckCase({ inputs: { x: f32([1, 1, 2, 6], x) }, build: (b) => b.op('MaxPool', ['x'], attrs), precision: 'float', samplesPerTensor: 1 });
    const expected = [lossWeight(0), 0, lossWeight(1), 0, 0, lossWeight(2), 0, 0, 0, 0, 0, 0];
    expect(relativeError(r.gradients.x!.data as Float32Array, expected)).toBeLessThan(1e-6);
  });

  it('float64 gradients keep the ScatterElements recipe (ORT has no float64 MaxUnpool)', async () => {
    const ops = await backwardOps((b) => b.op('MaxPool', ['x'], { kernel_shape: [2, 2], strides: [2, 2] }), { x: f32([2, 2, 4, 4], values(64, 62)) }, ['x'], true);
    expect(ops).toContain('ScatterElements');
    expect(ops).not.toContain('MaxUnpool');
  });
});

describe('Relu then MaxPool: the Relu mask applied at pooled resolution', () => {
  const attrs = { kernel_shape: [2, 2], strides: [2, 2] };
  const xDims = [2, 3, 6, 6];
  // many negatives and exact zeros, so that whole windows are 0 after the Relu (ties at 0)
  const x = Float32Array.from(values(216, 63, -2, 1), (v, i) => (i % 7 === 0 ? 0 : v));

  it('float32 (MaxUnpool): exact reference relu′(x)·(pool gradient), and the Relu adds no full-size mask', async () => {
    const build = (b: GraphBuilder) => b.op('MaxPool', [b.op('Relu', ['x'])], attrs);
    const r = await gradCheckCase({ inputs: { x: f32(xDims, x) }, build, precision: 'float', samplesPerTensor: 8 });
    expect(relativeError(r.gradients.x!.data as Float32Array, await maxPoolReference(x, xDims, attrs, true))).toBeLessThan(1e-6);
    const ops = await backwardOps(build, { x: f32(xDims, x) }, ['x']);
    expect(ops.filter((o) => o === 'Where')).toHaveLength(1); // the pooled mask only
  });

  it('float64 finite differences, overlapping windows (ScatterElements)', async () => {
    const away = values(216, 64, -2, 2).map((v) => (Math.abs(v) < 0.1 ? v + 0.3 : v));
    const r = await gradCheckCase({
      inputs: { x: f32(xDims, away) },
      build: (b) => b.op('MaxPool', [b.op('Relu', ['x'])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
      samplesPerTensor: 40,
    });
    expect(r.precision).toBe('double');
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('a Relu output with a second consumer still gets the Relu mask on the summed gradient', async () => {
    const build = (b: GraphBuilder) => {
      const h = b.op('Relu', ['x']);
      const pooled = b.op('MaxPool', [h], attrs);
      // second use of h: its 2x2 average, so that both gradients have the pooled shape and add up
      return b.op('Add', [pooled, b.op('AveragePool', [h], attrs)]);
    };
    const r = await gradCheckCase({ inputs: { x: f32(xDims, x) }, build, precision: 'float', samplesPerTensor: 8 });
    const ref = await maxPoolReference(x, xDims, attrs, true);
    // AveragePool part: lossWeight(k)/4 on each positive element of window k
    const [n, c, h, w] = xDims as [number, number, number, number];
    for (let nc = 0; nc < n * c; nc++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const at = (nc * h + i) * w + j;
          if (x[at]! > 0) ref[at] += lossWeight((nc * (h / 2) + (i >> 1)) * (w / 2) + (j >> 1)) / 4;
        }
    expect(relativeError(r.gradients.x!.data as Float32Array, ref)).toBeLessThan(1e-6);
    expect(await backwardOps(build, { x: f32(xDims, x) }, ['x'])).toContain('Greater');
  });
});
