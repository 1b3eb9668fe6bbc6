import { describe, expect, it } from 'vitest';
import type { AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';
import { backwardOps, convGradReference, relativeError } from './rule-spec-support.js';

// Conv layers with C·taps < Cout, and strided ones over large enough output grids, take dW (and, for one input channel, dB) from a product batched
// over N. Float32 against an exact float64 direct-loop reference, plus float32 finite differences.
interface Case {
  name: string;
  xDims: number[];
  wDims: number[];
  attrs: Record<string, AttrValue>;
  pads?: number[];
  /** Float32 finite differences over sums of hundreds of positions are noisier; the float64 reference stays at 1e-5. */
  fdTolerance?: number;
}

const cases: Case[] = [
  { name: 'one input channel, 3x3, pads 1 (the first layer of a small CNN)', xDims: [3, 1, 6, 7], wDims: [12, 1, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'one input channel, stride 2, dilation (1,2), asymmetric pads', xDims: [2, 1, 8, 9], wDims: [10, 1, 3, 3], attrs: { strides: [2, 2], dilations: [1, 2], pads: [0, 2, 1, 1] } },
  { name: 'two input channels, 2x2 kernel (the bias comes from ReduceSum)', xDims: [2, 2, 5, 5], wDims: [9, 2, 2, 2], attrs: { pads: [1, 0, 0, 1] } },
  // C·taps ≥ Cout, but strided over an output grid of ≥ 128 positions (resnet's strided layers)
  { name: 'strided, 3 -> 4 channels, 3x3, stride 2 on 24x25 (12x13 output)', xDims: [2, 3, 24, 25], wDims: [4, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, fdTolerance: 2e-2 },
  { name: 'strided, 1x1 stride 2 (a downsampling shortcut), 5 -> 6 channels on 24x24', xDims: [2, 5, 24, 24], wDims: [6, 5, 1, 1], attrs: { strides: [2, 2] }, fdTolerance: 2e-2 },
];

describe('Conv weight gradient batched over N (C·taps < Cout, or strided with room)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x = values(c.xDims.reduce((p, q) => p * q, 1), 81);
      const w = values(c.wDims.reduce((p, q) => p * q, 1), 82);
      const bias = values(c.wDims[0]!, 83);
      const r = await gradCheckCase({
        inputs: { x: f32(c.xDims, x) },
        params: { w: { dims: c.wDims, data: w }, b: { dims: [c.wDims[0]!], data: bias } },
        build: (b) => b.op('Conv', ['x', 'w', 'b'], c.attrs),
        samplesPerTensor: 6,
      });
      const ref = convGradReference({
        x: Float32Array.from(x),
        xDims: c.xDims,
        w: Float32Array.from(w),
        wDims: c.wDims,
        strides: c.attrs.strides as number[] | undefined,
        dilations: c.attrs.dilations as number[] | undefined,
        pads: c.attrs.pads as number[] | undefined,
      });
      expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-5);
      expect(relativeError(r.gradients.b!.data as Float32Array, ref.dB)).toBeLessThan(1e-5);
      expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-5);
      for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(c.fdTolerance ?? 5e-3);
      const feeds = { x: f32(c.xDims, x), w: f32(c.wDims, w), b: f32([c.wDims[0]!], bias) };
      const ops = await backwardOps((b) => b.op('Conv', ['x', 'w', 'b'], c.attrs), feeds, ['w', 'b']);
      expect(ops).toContain('MatMul');
      expect(ops).not.toContain('Gemm');
      expect(ops.filter((o) => o === 'ReduceSum')).toHaveLength(c.xDims[1] === 1 ? 1 : 2);
    });
  }

  it('1-D, one input channel, stride 2 (finite differences)', async () => {
    const r = await gradCheckCase({ inputs: { x: f32([3, 1, 11], values(33, 84)) }, params: { w: { dims: [8, 1, 3] }, b: { dims: [8] } }, build: (b) => b.op('Conv', ['x', 'w', 'b'], { strides: [2], pads: [1, 1] }), samplesPerTensor: 8 });
    for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
  });
});
