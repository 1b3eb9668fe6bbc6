import { describe, expect, it } from 'vitest';
import type { AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';
import { backwardOps, convGradReference, relativeError } from './rule-spec-support.js';

// ORT has no float64 Conv kernels: float32 against an exact float64 direct-loop reference, plus
// float32 finite differences (absolute error, gradients of order 1).
interface Case {
  name: string;
  xDims: number[];
  wDims: number[];
  attrs: Record<string, AttrValue>;
  /** The recipe the rule should pick for dX. */
  op: 'Conv' | 'ConvTranspose';
}

const cases: Case[] = [
  { name: 'stride 1, groups 2 (3 outputs each), dilation (2,1), asymmetric pads', xDims: [2, 4, 7, 6], wDims: [6, 2, 3, 3], attrs: { group: 2, dilations: [2, 1], pads: [1, 2, 0, 1] }, op: 'Conv' },
  { name: 'stride 1, depthwise with multiplier 2, 2x3 kernel, no pads', xDims: [2, 3, 5, 6], wDims: [6, 1, 2, 3], attrs: { group: 3 }, op: 'Conv' },
  { name: 'stride 1, auto_pad SAME_UPPER 4x4 kernel', xDims: [2, 2, 6, 5], wDims: [3, 2, 4, 4], attrs: { auto_pad: 'SAME_UPPER' }, op: 'Conv' },
  { name: 'pads beyond the kernel extent keep ConvTranspose (1x1 kernel, pads 1)', xDims: [2, 3, 4, 4], wDims: [2, 3, 1, 1], attrs: { pads: [1, 1, 1, 1] }, op: 'ConvTranspose' },
  { name: 'stride (1,2) keeps ConvTranspose', xDims: [2, 2, 5, 6], wDims: [3, 2, 3, 3], attrs: { strides: [1, 2], pads: [1, 1, 1, 1] }, op: 'ConvTranspose' },
];

/** [top, left, bottom, right] pads of SAME_UPPER for stride 1 and an even kernel k: (k−1) split with the extra one at the end. */
const sameUpper = (k: number) => [Math.floor((k - 1) / 2), Math.floor((k - 1) / 2), Math.ceil((k - 1) / 2), Math.ceil((k - 1) / 2)];

describe('Conv input gradient: a Conv with flipped kernels for stride 1 (exact reference + finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x = values(c.xDims.reduce((p, q) => p * q, 1), 71);
      const w = values(c.wDims.reduce((p, q) => p * q, 1), 72);
      const r = await gradCheckCase({ inputs: { x: f32(c.xDims, x) }, params: { w: { dims: c.wDims, data: w } }, build: (b) => b.op('Conv', ['x', 'w'], c.attrs), samplesPerTensor: 6 });
      const ref = convGradReference({
        x: Float32Array.from(x),
        xDims: c.xDims,
        w: Float32Array.from(w),
        wDims: c.wDims,
        group: c.attrs.group as number | undefined,
        strides: c.attrs.strides as number[] | undefined,
        dilations: c.attrs.dilations as number[] | undefined,
        pads: c.attrs.auto_pad ? sameUpper(c.wDims[2]!) : (c.attrs.pads as number[] | undefined),
      });
      expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-5);
      expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-5);
      for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
      const ops = await backwardOps((b) => b.op('Conv', ['x', 'w'], c.attrs), { x: f32(c.xDims, x), w: f32(c.wDims, w) }, ['x']);
      expect(ops).toContain(c.op);
      if (c.op === 'Conv') expect(ops).not.toContain('ConvTranspose');
    });
  }

  it('1-D and 3-D, stride 1 (finite differences)', async () => {
    const conv1d = await gradCheckCase({ inputs: { x: f32([2, 4, 9], values(72, 73)) }, params: { w: { dims: [6, 2, 3] } }, build: (b) => b.op('Conv', ['x', 'w'], { group: 2, pads: [2, 0], dilations: [2] }), samplesPerTensor: 12 });
    const conv3d = await gradCheckCase({ inputs: { x: f32([2, 2, 4, 3, 4], values(192, 74)) }, params: { w: { dims: [3, 2, 2, 3, 2] } }, build: (b) => b.op('Conv', ['x', 'w'], { pads: [1, 1, 0, 0, 1, 1] }), samplesPerTensor: 12 });
    for (const r of [conv1d, conv3d]) for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
  });
});
