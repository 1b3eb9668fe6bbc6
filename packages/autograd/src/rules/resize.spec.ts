import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, type AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32, nodeExecutor } from '../test-support.js';
import { backwardOps, lossWeight, relativeError } from './rule-spec-support.js';

interface ResizeCase {
  name: string;
  xDims: number[];
  attrs: Record<string, AttrValue>;
  scales?: number[];
  sizes?: number[];
  /** Feed the scales through a Mul so they are not a build-time constant. */
  runtimeScales?: boolean;
}

/** Appends Resize(x) with the case's constant (or runtime-computed) scales or sizes. */
function resize(b: GraphBuilder, c: ResizeCase, x: string): string {
  if (c.sizes) return b.op('Resize', [x, '', '', b.initializer(tensors.int64(b.uniqueName('sizes'), [c.sizes.length], c.sizes))], c.attrs);
  let scales = b.initializer(tensors.float(b.uniqueName('scales'), [c.scales!.length], c.scales!));
  if (c.runtimeScales) {
    const size = b.op('Cast', [b.op('Size', [x])], { to: DataType.FLOAT });
    scales = b.op('Div', [b.op('Mul', [scales, size]), size]);
  }
  return b.op('Resize', [x, '', scales], c.attrs);
}

/**
 * Exact reference d/dX of Σ lossWeight(k)·Resize(X)[k]: the op is linear in X and acts per (n, c)
 * slice, so resizing every basis vector of one slice (a batch of P one-hot images) gives its Jacobian.
 */
async function jacobianReference(c: ResizeCase): Promise<Float64Array> {
  const [n, ch, ...spatial] = c.xDims as [number, number, ...number[]];
  const p = spatial.reduce((a, q) => a * q, 1);
  const b = new GraphBuilder({ opset: 17 });
  b.input('e', DataType.FLOAT, [p, 1, ...spatial]);
  const basisCase = c.sizes ? { ...c, sizes: [p, 1, ...c.sizes.slice(2)] } : c;
  b.output(b.op('Identity', [resize(b, basisCase, 'e')], {}, { output: 'y' }), DataType.FLOAT);
  const basis = new Float32Array(p * p);
  for (let i = 0; i < p; i++) basis[i * p + i] = 1;
  const y = (await nodeExecutor().run(b.build(), { e: f32([p, 1, ...spatial], basis) })).y!;
  const o = y.dims.slice(2).reduce((a, q) => a * q, 1);
  const jac = y.data as Float32Array; // [p, o]
  const dX = new Float64Array(n * ch * p);
  for (let nc = 0; nc < n * ch; nc++)
    for (let s = 0; s < p; s++) {
      let sum = 0;
      for (let j = 0; j < o; j++) sum += jac[s * o + j]! * lossWeight(nc * o + j);
      dX[nc * p + s] = sum;
    }
  return dX;
}

const nearest = (ctm: string, mode: string) => ({ mode: 'nearest', coordinate_transformation_mode: ctm, nearest_mode: mode });
const linear = (ctm: string) => ({ mode: 'linear', coordinate_transformation_mode: ctm });

const cases: ResizeCase[] = [
  { name: 'nearest ×2, asymmetric + floor (the detector’s FPN upsampling; block sum)', xDims: [2, 3, 4, 5], attrs: nearest('asymmetric', 'floor'), scales: [1, 1, 2, 2] },
  { name: 'nearest ×(4, 8), asymmetric + floor (block sum)', xDims: [2, 2, 3, 2], attrs: nearest('asymmetric', 'floor'), scales: [1, 1, 4, 8] },
  { name: 'nearest ×3, half_pixel + round_prefer_floor (block sum)', xDims: [2, 2, 3, 4], attrs: nearest('half_pixel', 'round_prefer_floor'), scales: [1, 1, 3, 3] },
  { name: 'nearest ×2 via sizes, pytorch_half_pixel + round_prefer_ceil (block sum)', xDims: [2, 2, 3, 4], attrs: nearest('pytorch_half_pixel', 'round_prefer_ceil'), sizes: [2, 2, 6, 8] },
  { name: 'nearest default attributes (half_pixel, round_prefer_floor), ×(1.5, 2.5)', xDims: [2, 2, 4, 4], attrs: { mode: 'nearest' }, scales: [1, 1, 1.5, 2.5] },
  { name: 'nearest ×2, asymmetric + round_prefer_floor (not blocks at ×4: matrices)', xDims: [2, 2, 3, 3], attrs: nearest('asymmetric', 'round_prefer_floor'), scales: [1, 1, 4, 2] },
  { name: 'nearest sizes 5x7 -> 8x10, asymmetric + floor', xDims: [2, 2, 5, 7], attrs: nearest('asymmetric', 'floor'), sizes: [2, 2, 8, 10] },
  { name: 'nearest ×1.5, align_corners + round_prefer_ceil', xDims: [2, 2, 4, 5], attrs: nearest('align_corners', 'round_prefer_ceil'), scales: [1, 1, 1.5, 1.5] },
  { name: 'nearest downsampling ×(0.5, 0.75), half_pixel + ceil', xDims: [2, 2, 8, 6], attrs: nearest('half_pixel', 'ceil'), scales: [1, 1, 0.5, 0.75] },
  { name: 'bilinear ×2, half_pixel', xDims: [2, 3, 4, 5], attrs: linear('half_pixel'), scales: [1, 1, 2, 2] },
  { name: 'bilinear sizes 4x5 -> 7x9, align_corners', xDims: [2, 2, 4, 5], attrs: linear('align_corners'), sizes: [2, 2, 7, 9] },
  { name: 'bilinear ×(1.7, 0.6), pytorch_half_pixel', xDims: [2, 2, 5, 5], attrs: linear('pytorch_half_pixel'), scales: [1, 1, 1.7, 0.6] },
  { name: 'bilinear downsampling ×0.5, asymmetric', xDims: [2, 2, 6, 8], attrs: linear('asymmetric'), scales: [1, 1, 0.5, 0.5] },
  { name: 'bilinear ×1.5 with scales computed at run time', xDims: [2, 2, 4, 4], attrs: linear('half_pixel'), scales: [1, 1, 1.5, 1.5], runtimeScales: true },
  { name: 'bicubic ×2, half_pixel, cubic_coeff_a −0.5, exclude_outside', xDims: [2, 2, 4, 4], attrs: { mode: 'cubic', coordinate_transformation_mode: 'half_pixel', cubic_coeff_a: -0.5, exclude_outside: 1 }, scales: [1, 1, 2, 2] },
  { name: 'only the width resized (nearest ×3, asymmetric + floor)', xDims: [2, 2, 3, 4], attrs: nearest('asymmetric', 'floor'), scales: [1, 1, 1, 3] },
  { name: 'only the height resized (bilinear ×2, half_pixel)', xDims: [2, 2, 3, 4], attrs: linear('half_pixel'), scales: [1, 1, 2, 1] },
  { name: '1-D nearest ×2.5, asymmetric + floor', xDims: [2, 3, 5], attrs: nearest('asymmetric', 'floor'), scales: [1, 1, 2.5] },
  { name: '1-D linear ×2, half_pixel', xDims: [2, 3, 5], attrs: linear('half_pixel'), scales: [1, 1, 2] },
  { name: '3-D nearest ×(2, 1.5, 2), asymmetric + floor', xDims: [1, 2, 3, 2, 3], attrs: nearest('asymmetric', 'floor'), scales: [1, 1, 2, 1.5, 2] },
  { name: 'trilinear ×2, half_pixel', xDims: [1, 2, 2, 3, 3], attrs: linear('half_pixel'), scales: [1, 1, 2, 2, 2] },
];

describe('Resize gradients (float32 vs the exact Jacobian of the op, plus finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const n = c.xDims.reduce((p, q) => p * q, 1);
      const r = await gradCheckCase({ inputs: { x: f32(c.xDims, values(n, 71, -2, 2)) }, build: (b) => resize(b, c, 'x'), samplesPerTensor: 8 });
      const ref = await jacobianReference(c);
      expect(relativeError(r.gradients.x!.data as Float32Array, ref)).toBeLessThan(1e-5);
      // Resize is linear in X: finite differences are exact up to float32 rounding of the loss
      for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(r.precision === 'double' ? 1e-6 : 5e-3);
    });
  }

  it('integer nearest upsampling is a block sum (Reshape + ReduceSum); other cases use one MatMul per resized axis', async () => {
    const x = { x: f32([2, 3, 4, 4], values(96, 72)) };
    const block = await backwardOps((b) => resize(b, cases[0]!, 'x'), x, ['x']);
    expect(block).toContain('ReduceSum');
    expect(block.filter((o) => o === 'MatMul' || o === 'Resize')).toEqual([]);
    const bilinear = await backwardOps((b) => resize(b, cases[9]!, 'x'), x, ['x']);
    expect(bilinear.filter((o) => o === 'MatMul')).toHaveLength(2);
    expect(bilinear.filter((o) => o === 'Resize')).toHaveLength(2);
  });

  it('rejects tf_crop_and_resize with a message naming the node', async () => {
    const c: ResizeCase = { name: '', xDims: [2, 1, 4, 4], attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' }, scales: [1, 1, 2, 2] };
    await expect(
      gradCheckCase({
        inputs: { x: f32(c.xDims, values(32, 73)) },
        build: (b) => b.op('Resize', ['x', b.initializer(tensors.float('roi', [8], [0, 0, 0, 0, 1, 1, 1, 1])), b.initializer(tensors.float('scales', [4], c.scales!))], c.attrs),
      }),
    ).rejects.toThrow(/tf_crop_and_resize/);
  });
});
