import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, type AttrValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32, nodeExecutor } from '../test-support.js';
import { backwardOps, lossWeight, relativeError } from './rule-spec-support.js';

// ORT has no float64 ConvTranspose kernel, so the checks run in float32 against an exact float64
// direct-loop reference (ConvTranspose is linear in X, W and B) plus float32 finite differences.

interface ConvTranspose2d {
  x: ArrayLike<number>;
  xDims: number[]; // [N, Cin, H, W]
  w: ArrayLike<number>;
  wDims: number[]; // [Cin, Cout/group, kh, kw]
  b?: ArrayLike<number>;
  group: number;
  strides: number[];
  dilations: number[];
  /** Crop at the start of each axis [top, left] and the output size [oH, oW]. */
  padsBegin: number[];
  outSize: number[];
}

/** Y = ConvTranspose(X, W, B) and d/dX, d/dW, d/dB of Σ lossWeight(k)·Y[k], by direct loops in float64. */
function convTransposeReference(c: ConvTranspose2d) {
  const [n, cin, h, w] = c.xDims as [number, number, number, number];
  const [, cog, kh, kw] = c.wDims as [number, number, number, number];
  const [oh, ow] = c.outSize as [number, number];
  const cg = cin / c.group;
  const cout = cog * c.group;
  const y = new Float64Array(n * cout * oh * ow);
  const dX = new Float64Array(n * cin * h * w);
  const dW = new Float64Array(cin * cog * kh * kw);
  const dB = new Float64Array(cout);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++)
      for (let p = 0; p < oh * ow; p++) {
        const k = (b * cout + o) * oh * ow + p;
        y[k] = c.b ? Number(c.b[o]) : 0;
        dB[o] += lossWeight(k);
      }
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < cin; ci++) {
      const g = Math.floor(ci / cg);
      for (let co = 0; co < cog; co++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const yy = i * c.strides[0]! - c.padsBegin[0]! + u * c.dilations[0]!;
                const yz = j * c.strides[1]! - c.padsBegin[1]! + v * c.dilations[1]!;
                if (yy < 0 || yy >= oh || yz < 0 || yz >= ow) continue;
                const yi = ((b * cout + g * cog + co) * oh + yy) * ow + yz;
                const xi = ((b * cin + ci) * h + i) * w + j;
                const wi = ((ci * cog + co) * kh + u) * kw + v;
                y[yi] += Number(c.x[xi]) * Number(c.w[wi]);
                dX[xi] += lossWeight(yi) * Number(c.w[wi]);
                dW[wi] += lossWeight(yi) * Number(c.x[xi]);
              }
    }
  return { y, dX, dW, dB };
}

interface Case {
  name: string;
  xDims: number[];
  wDims: number[];
  bias?: boolean;
  attrs: Record<string, AttrValue>;
  /** The crop at the start of each axis the reference uses (resolved output_shape/auto_pad); attrs.pads begin by default. */
  refPadsBegin?: number[];
}

const cases: Case[] = [
  { name: 'the detector’s 2x2 stride 2 upsampling, bias', xDims: [2, 4, 4, 5], wDims: [4, 3, 2, 2], bias: true, attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] } },
  { name: 'one output channel (W [C,1,2,2]), stride 2, no bias', xDims: [2, 5, 3, 4], wDims: [5, 1, 2, 2], attrs: { strides: [2, 2] } },
  { name: '3x3 stride 2 pads 1 output_padding 1, bias', xDims: [2, 3, 4, 4], wDims: [3, 2, 3, 3], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
  { name: 'groups 2, stride (2,1), dilation (1,2), asymmetric pads', xDims: [2, 4, 4, 5], wDims: [4, 3, 3, 3], bias: true, attrs: { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 2] } },
  { name: 'depthwise (group = C), stride 2, pads 1', xDims: [2, 3, 4, 4], wDims: [3, 1, 3, 3], attrs: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'stride 1, pads 1 (a same-size transposed conv)', xDims: [2, 3, 5, 4], wDims: [3, 4, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'stride 3, kernel 2 (gaps between taps), dilation 2', xDims: [2, 2, 3, 3], wDims: [2, 2, 2, 2], bias: true, attrs: { strides: [3, 3], dilations: [2, 2] } },
  { name: 'output_shape (crops 2 and 1: odd unit at the head), stride 2, 3x3', xDims: [2, 2, 4, 4], wDims: [2, 3, 3, 3], attrs: { strides: [2, 2], output_shape: [7, 8] }, refPadsBegin: [1, 1] },
  { name: 'output_shape larger than the natural size (zero-extended), stride 2', xDims: [2, 2, 3, 3], wDims: [2, 2, 2, 2], bias: true, attrs: { strides: [2, 2], output_shape: [7, 6] }, refPadsBegin: [0, 0] },
  { name: 'auto_pad SAME_UPPER, stride 2, 3x3 kernel (odd crop at the tail)', xDims: [2, 2, 3, 4], wDims: [2, 2, 3, 3], bias: true, attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, refPadsBegin: [0, 0] },
  { name: 'auto_pad SAME_UPPER, stride 2, 4x4 kernel', xDims: [2, 2, 3, 4], wDims: [2, 2, 4, 4], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' }, refPadsBegin: [1, 1] },
  { name: 'auto_pad SAME_LOWER, stride 2, 3x3 kernel (odd crop at the head)', xDims: [2, 2, 3, 4], wDims: [2, 2, 3, 3], attrs: { strides: [2, 2], auto_pad: 'SAME_LOWER' }, refPadsBegin: [1, 1] },
];

async function forward(c: Case, x: number[], w: number[], bias: number[]): Promise<{ dims: number[]; data: Float32Array }> {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, c.xDims);
  b.initializer(tensors.float('w', c.wDims, w));
  b.initializer(tensors.float('b', [c.wDims[1]! * ((c.attrs.group as number | undefined) ?? 1)], bias));
  b.output(b.op('ConvTranspose', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], c.attrs, { output: 'y' }), DataType.FLOAT);
  const y = (await nodeExecutor().run(b.build(), { x: f32(c.xDims, x) })).y!;
  return { dims: y.dims, data: y.data as Float32Array };
}

describe('ConvTranspose gradients (float32 vs an exact float64 direct-loop reference, plus finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x = values(c.xDims.reduce((p, q) => p * q, 1), 61, -1, 1);
      const w = values(c.wDims.reduce((p, q) => p * q, 1), 62, -1, 1);
      const group = (c.attrs.group as number | undefined) ?? 1;
      const bias = values(c.wDims[1]! * group, 63, -1, 1);
      const y = await forward(c, x, w, bias);
      const ref = convTransposeReference({
        x: Float32Array.from(x),
        xDims: c.xDims,
        w: Float32Array.from(w),
        wDims: c.wDims,
        b: c.bias ? Float32Array.from(bias) : undefined,
        group,
        strides: (c.attrs.strides as number[] | undefined) ?? [1, 1],
        dilations: (c.attrs.dilations as number[] | undefined) ?? [1, 1],
        padsBegin: c.refPadsBegin ?? ((c.attrs.pads as number[] | undefined) ?? [0, 0]).slice(0, 2),
        outSize: y.dims.slice(2),
      });
      // the reference geometry is ORT's (this pins the output_shape/auto_pad crop convention too)
      expect(relativeError(y.data, ref.y)).toBeLessThan(1e-5);
      const r = await gradCheckCase({
        inputs: { x: f32(c.xDims, x) },
        params: { w: { dims: c.wDims, data: w }, ...(c.bias ? { b: { dims: [bias.length], data: bias } } : {}) },
        build: (b) => b.op('ConvTranspose', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], c.attrs),
        precision: 'float',
        samplesPerTensor: 6,
      });
      expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-5);
      expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-5);
      if (c.bias) expect(relativeError(r.gradients.b!.data as Float32Array, ref.dB)).toBeLessThan(1e-5);
      // float32 central differences carry ~1e-4..1e-3 absolute noise; gradients here are O(1)
      for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
    });
  }

  it('1-D, groups 2, stride 2, pads (1,0), output_padding 1', async () => {
    const attrs = { group: 2, strides: [2], pads: [1, 0], output_padding: [1] };
    const x = values(2 * 4 * 5, 64);
    const w = values(4 * 2 * 3, 65);
    const r = await gradCheckCase({
      inputs: { x: f32([2, 4, 5], x) },
      params: { w: { dims: [4, 2, 3], data: w }, b: { dims: [4] } },
      build: (b) => b.op('ConvTranspose', ['x', 'w', 'b'], attrs),
      precision: 'float',
      samplesPerTensor: 8,
    });
    const ref = convTransposeReference({ x: Float32Array.from(x), xDims: [2, 4, 1, 5], w: Float32Array.from(w), wDims: [4, 2, 1, 3], group: 2, strides: [1, 2], dilations: [1, 1], padsBegin: [0, 1], outSize: [1, 11] });
    expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-5);
    expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-5);
    expect(relativeError(r.gradients.b!.data as Float32Array, ref.dB)).toBeLessThan(1e-5);
    for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
  });

  it('emits a Conv for dX and one MatMul for dW (no ConvTranspose in the backward pass)', async () => {
    const ops = await backwardOps((b) => {
      b.initializer(tensors.float('w', [3, 2, 2, 2], values(24, 66)));
      return b.op('ConvTranspose', ['x', 'w'], { strides: [2, 2] });
    }, { x: f32([2, 3, 4, 4], values(96, 67)) }, ['x', 'w']);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(1);
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(1);
    expect(ops).not.toContain('ConvTranspose');
  });
});
