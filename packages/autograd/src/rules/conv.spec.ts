import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, tensors, tensorValueInfo, type AttrValue, type TensorValue } from '@anneal/onnx';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import type { GradCheckResult } from '../gradcheck.js';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { probeShapes } from '../probe-shapes.js';
import { f32, nodeExecutor } from '../test-support.js';
import { convGradReference, lossWeight, relativeError } from './rule-spec-support.js';

// ORT has no float64 Conv/ConvTranspose kernels, so the checks run in float32. Conv is linear in
// X, W and B, so an exact reference exists: a direct-loop convolution gradient in float64 below
// (1e-4 relative to the largest entry covers float32 accumulation over up to ~100 terms).

/**
 * Float32 central differences (eps 1e-3) of a loss summing ~100–300 terms carry ~1e-4..1e-3 of
 * absolute noise, which is large relative to small (cancelling) gradient entries: check the
 * absolute error against gradients of order 1 instead (the exact reference carries the precision).
 */
function expectFiniteDifferencesAgree(r: GradCheckResult): void {
  expect(r.precision).toBe('float');
  for (const t of r.tensors) expect(t.maxAbsError, t.name).toBeLessThan(5e-3);
}


interface ConvCase {
  name: string;
  xDims: number[];
  wDims: number[];
  bias?: boolean;
  attrs: Record<string, AttrValue>;
  /** Explicit [top, left, bottom, right] pads the reference uses (resolved auto_pad); from attrs.pads by default. */
  refPads?: number[];
}

const cases: ConvCase[] = [
  { name: 'dense 3x3, pads 1, bias', xDims: [2, 3, 6, 6], wDims: [4, 3, 3, 3], bias: true, attrs: { pads: [1, 1, 1, 1] } },
  { name: 'groups 2, 3x3, asymmetric pads, no bias', xDims: [2, 4, 5, 6], wDims: [6, 2, 3, 3], attrs: { group: 2, pads: [1, 0, 0, 2] } },
  { name: 'depthwise (multiplier 2), 3x3, pads 1, bias', xDims: [2, 4, 6, 5], wDims: [8, 1, 3, 3], bias: true, attrs: { group: 4, pads: [1, 1, 1, 1] } },
  { name: 'depthwise, stride 2, dilation (1,2), asymmetric pads, no bias', xDims: [2, 3, 7, 8], wDims: [3, 1, 3, 3], attrs: { group: 3, strides: [2, 2], dilations: [1, 2], pads: [1, 2, 0, 1] } },
  { name: 'stride 2 needing output_padding, no pads', xDims: [2, 3, 6, 6], wDims: [4, 3, 3, 3], bias: true, attrs: { strides: [2, 2] } },
  { name: 'stride (2,1), asymmetric pads (0,1,2,1), 2x3 kernel', xDims: [2, 2, 7, 5], wDims: [3, 2, 2, 3], bias: true, attrs: { strides: [2, 1], pads: [0, 1, 2, 1] } },
  { name: 'dilation 2, pads 2', xDims: [2, 2, 7, 7], wDims: [3, 2, 3, 3], bias: true, attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } },
  { name: 'dilation (2,1) with stride 2 and groups 2', xDims: [2, 4, 8, 7], wDims: [4, 2, 3, 3], attrs: { dilations: [2, 1], strides: [2, 2], group: 2, pads: [1, 1, 1, 1] } },
  { name: '1x1, no bias', xDims: [2, 5, 4, 4], wDims: [3, 5, 1, 1], attrs: {} },
  { name: '1x1 stride 2, bias', xDims: [2, 3, 5, 5], wDims: [4, 3, 1, 1], bias: true, attrs: { strides: [2, 2] } },
  { name: 'auto_pad SAME_UPPER stride 2', xDims: [2, 2, 6, 5], wDims: [3, 2, 3, 3], bias: true, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, refPads: [0, 1, 1, 1] },
  { name: 'auto_pad SAME_LOWER 4x4 kernel', xDims: [2, 2, 5, 5], wDims: [3, 2, 4, 4], attrs: { auto_pad: 'SAME_LOWER' }, refPads: [2, 2, 1, 1] },
  { name: 'auto_pad VALID stride 2', xDims: [2, 2, 7, 6], wDims: [3, 2, 3, 3], attrs: { auto_pad: 'VALID', strides: [2, 2] }, refPads: [0, 0, 0, 0] },
];

describe('Conv gradients (float32 vs an exact float64 direct-loop reference, plus finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const n = c.xDims.reduce((p, q) => p * q, 1);
      const x = values(n, 21, -1, 1);
      const w = values(c.wDims.reduce((p, q) => p * q, 1), 22, -1, 1);
      const bias = values(c.wDims[0]!, 23, -1, 1);
      const r = await gradCheckCase({
        inputs: { x: f32(c.xDims, x) },
        params: { w: { dims: c.wDims, data: w }, ...(c.bias ? { b: { dims: [c.wDims[0]!], data: bias } } : {}) },
        build: (b) => b.op('Conv', c.bias ? ['x', 'w', 'b'] : ['x', 'w'], c.attrs),
        samplesPerTensor: 6,
      });
      const pads = c.refPads ?? (c.attrs.pads as number[] | undefined) ?? [0, 0, 0, 0];
      const ref = convGradReference({
        x: Array.from(Float32Array.from(x)),
        xDims: c.xDims,
        w: Array.from(Float32Array.from(w)),
        wDims: c.wDims,
        group: (c.attrs.group as number | undefined) ?? 1,
        strides: (c.attrs.strides as number[] | undefined) ?? [1, 1],
        dilations: (c.attrs.dilations as number[] | undefined) ?? [1, 1],
        pads,
      });
      expect(r.precision).toBe('float');
      expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-4);
      expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-4);
      if (c.bias) expect(relativeError(r.gradients.b!.data as Float32Array, ref.dB)).toBeLessThan(1e-4);
      expectFiniteDifferencesAgree(r);
    });
  }

  it('1-D conv, groups 2, stride 2, pads (1,0), bias', async () => {
    const xDims = [2, 4, 9];
    const wDims = [4, 2, 3];
    const x = values(72, 31);
    const w = values(24, 32);
    const r = await gradCheckCase({
      inputs: { x: f32(xDims, x) },
      params: { w: { dims: wDims, data: w }, b: { dims: [4] } },
      build: (b) => b.op('Conv', ['x', 'w', 'b'], { group: 2, strides: [2], pads: [1, 0] }),
      samplesPerTensor: 6,
    });
    const ref = convGradReference({
      x: Array.from(Float32Array.from(x)),
      xDims: [2, 4, 1, 9],
      w: Array.from(Float32Array.from(w)),
      wDims: [4, 2, 1, 3],
      group: 2,
      strides: [1, 2],
      dilations: [1, 1],
      pads: [0, 1, 0, 0],
    });
    expect(relativeError(r.gradients.x!.data as Float32Array, ref.dX)).toBeLessThan(1e-4);
    expect(relativeError(r.gradients.w!.data as Float32Array, ref.dW)).toBeLessThan(1e-4);
    expect(relativeError(r.gradients.b!.data as Float32Array, ref.dB)).toBeLessThan(1e-4);
    expectFiniteDifferencesAgree(r);
  });

  it('the backward graph built from a batch-2 probe serves batch 3', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 3, 6, 6]);
    const wDims = [4, 3, 3, 3];
    const w = values(108, 41);
    b.initializer(tensors.float('w', wDims, w));
    b.initializer(tensors.float('b', [4], values(4, 42)));
    b.input('dy', DataType.FLOAT, ['N', 4, 3, 3]);
    const y = b.op('Conv', ['x', 'w', 'b'], { strides: [2, 2], pads: [1, 1, 1, 1] });
    const loss = b.op('ReduceSum', [b.op('Mul', [y, 'dy'])], { keepdims: 0 }, { output: 'loss' });
    b.output(loss, DataType.FLOAT, []);
    const model = b.build();
    const executor = nodeExecutor();
    const feedsFor = (n: number): Record<string, TensorValue> => ({
      x: f32([n, 3, 6, 6], values(n * 108, 43)),
      dy: f32([n, 4, 3, 3], Array.from({ length: n * 36 }, (_, k) => lossWeight(k))),
    });
    const shapes = await probeShapes(model, feedsFor(2), executor);
    const bw = buildBackward(model, { loss, wrt: ['x', 'w', 'b'], shapes, registry: defaultGradientRegistry() });
    bw.model.graph.output = ['x', 'w', 'b'].map((t) => tensorValueInfo(bw.gradients[t]!, DataType.FLOAT));
    const feeds = feedsFor(3);
    const out = await executor.run(bw.model, feeds);
    const ref = convGradReference({
      x: Array.from(feeds.x!.data as Float32Array),
      xDims: [3, 3, 6, 6],
      w: Array.from(Float32Array.from(w)),
      wDims,
      group: 1,
      strides: [2, 2],
      dilations: [1, 1],
      pads: [1, 1, 1, 1],
    });
    expect(relativeError(out[bw.gradients.x!]!.data as Float32Array, ref.dX)).toBeLessThan(1e-4);
    expect(relativeError(out[bw.gradients.w!]!.data as Float32Array, ref.dW)).toBeLessThan(1e-4);
    expect(relativeError(out[bw.gradients.b!]!.data as Float32Array, ref.dB)).toBeLessThan(1e-4);
  });
});
