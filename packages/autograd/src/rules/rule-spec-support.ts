// Spec helper for the rules' specs (not exported): which ops a backward pass emits, the harness's
// loss weights, and a direct-loop float64 convolution gradient for exact references.
import { DataType, GraphBuilder, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { buildBackward } from '../backward.js';
import { defaultGradientRegistry } from '../default-registry.js';
import { probeShapes } from '../probe-shapes.js';
import { modelToDouble, valueToDouble } from '../to-double.js';
import { nodeExecutor } from '../test-support.js';

/** The gradcheck harness's loss weights: sin(0.7·k + 0.5) over the flattened output, as computed in float32. */
export const lossWeight = (k: number) => Math.sin(Math.fround(Math.fround(Math.fround(k) * Math.fround(0.7)) + Math.fround(0.5)));

/** max |a − ref| / max |ref|. */
export function relativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).toBe(ref.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(Number(a[i]) - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return err / scale;
}

/** Op types of the nodes buildBackward appends for d(Σ out) / d(wrt) (float32, or float64 with `double`). */
export async function backwardOps(build: (b: GraphBuilder) => string, inputs: Record<string, TensorValue>, wrt: string[], double = false): Promise<string[]> {
  const b = new GraphBuilder({ opset: 17 });
  for (const [k, v] of Object.entries(inputs)) b.input(k, v.dataType, v.dims);
  const loss = b.op('ReduceSum', [build(b)], { keepdims: 0 }, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  const model = double ? modelToDouble(b.build()) : b.build();
  const feeds = double ? Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, valueToDouble(v)])) : inputs;
  const forward = model.graph.node.length;
  const shapes = await probeShapes(model, feeds, nodeExecutor());
  const bw = buildBackward(model, { loss, wrt, shapes, registry: defaultGradientRegistry() });
  return bw.model.graph.node.slice(forward).map((n) => n.opType);
}

export interface Conv2d {
  x: ArrayLike<number>;
  xDims: number[]; // [N, C, H, W]
  w: ArrayLike<number>;
  wDims: number[]; // [Cout, C/group, kh, kw]
  group?: number;
  strides?: number[];
  dilations?: number[];
  pads?: number[]; // [top, left, bottom, right]
}

/** d/dX, d/dW, d/dB of Σ lossWeight(k)·Y[k] for Y = Conv(X, W, B), by direct loops in float64. */
export function convGradReference(c: Conv2d): { dX: Float64Array; dW: Float64Array; dB: Float64Array } {
  const [n, ch, h, w] = c.xDims as [number, number, number, number];
  const [co, cg, kh, kw] = c.wDims as [number, number, number, number];
  const [sh, sw] = (c.strides ?? [1, 1]) as [number, number];
  const [dh, dw] = (c.dilations ?? [1, 1]) as [number, number];
  const [pt, pl, pb, pr] = (c.pads ?? [0, 0, 0, 0]) as [number, number, number, number];
  const oh = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  const dX = new Float64Array(n * ch * h * w);
  const dW = new Float64Array(co * cg * kh * kw);
  const dB = new Float64Array(co);
  const outPerGroup = co / (c.group ?? 1);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < co; o++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          const r = lossWeight(((b * co + o) * oh + y) * ow + z);
          dB[o] += r;
          const g = Math.floor(o / outPerGroup);
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const hy = y * sh - pt + i * dh;
                const wz = z * sw - pl + j * dw;
                if (hy < 0 || hy >= h || wz < 0 || wz >= w) continue;
                const xi = ((b * ch + g * cg + ci) * h + hy) * w + wz;
                const wi = ((o * cg + ci) * kh + i) * kw + j;
                dW[wi] += r * Number(c.x[xi]);
                dX[xi] += r * Number(c.w[wi]);
              }
        }
  return { dX, dW, dB };
}
