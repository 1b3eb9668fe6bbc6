import { DataType, tensors } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { WindowGeometry } from './conv.js';

/** dW, and dB when it came out of the same product. */
export interface BatchedWeightGradient {
  dW: string;
  dB?: string;
}

/**
 * dW of a dense (group 1) Conv whose C·taps is below Cout (typically a first layer on 1–3 input
 * channels), or that is strided over a large enough output grid (see stridedWithRoom), as a product
 * batched over N, so that the large dY is never transposed (the im2col + Gemm recipe moves dY to
 * [Cout, N·P]; here only the small im2col is transposed, and ORT folds that Transpose into the
 * MatMul) and no strided Slice is taken. For W3's first layer (1->32 channels, 28x28, batch 64)
 * dW + dB took ~0.8 ms instead of ~1.7 ms; for resnet18's strided convolutions at batch 16 (ms,
 * im2col + Gemm -> batched): 7x7 3->64 on 224x224 48.6 -> 27.9, 3x3 64->128 on 56x56 14.6 -> 8.8,
 * 3x3 128->256 on 28x28 9.6 -> 7.6 (3x3 256->512 on 14x14, 7x7 out: 8.5 -> 11.1, so not taken):
 * - im2col in one op: col = Conv(X as [N·C, 1, ...S], E) where E holds one one-hot kernel per tap and
 *   the forward's strides/dilations/pads apply, giving [N·C, taps, ...O] = [N, C·taps, P];
 * - dW = ReduceSum over N of MatMul(dY as [N, Cout, P], Transpose(col) [N, P, C·taps]).
 * With one input channel and a bias, E gets one more (zero) kernel with bias 1: a row of ones in col,
 * so the same product also yields dB = Σ dY. Undefined when the recipe does not apply (groups,
 * C·taps ≥ Cout, or a non-float32 gradient: ORT has float Conv kernels only).
 */
export function batchedWeightGradient(ctx: GradContext, g: WindowGeometry): BatchedWeightGradient | undefined {
  const channels = ctx.shape(ctx.x(0)).dims[1]!;
  const wDims = ctx.shape(ctx.x(1)).dims;
  const outChannels = wDims[0]!;
  const taps = g.kernel.reduce((p, q) => p * q, 1);
  if (ctx.attr.int('group', 1) !== 1 || ctx.floatType !== DataType.FLOAT || !(channels * taps < outChannels || stridedWithRoom(g, outChannels, taps))) return undefined;
  const withOnes = channels === 1 && !!ctx.x(2) && ctx.needs(2);
  const rows = taps + (withOnes ? 1 : 0);
  const eye = new Float32Array(rows * taps);
  for (let t = 0; t < taps; t++) eye[t * taps + t] = 1;
  const kernels = ctx.b.initializer(tensors.float(ctx.b.uniqueName('grad_conv_taps'), [rows, 1, ...g.kernel], eye));
  const inputs = [ctx.op('Reshape', [ctx.x(0), ctx.ints([-1, 1, ...g.inSize])]), kernels];
  if (withOnes) {
    const bias = Array.from({ length: rows }, (_, i) => (i === taps ? 1 : 0));
    inputs.push(ctx.b.initializer(tensors.float(ctx.b.uniqueName('grad_conv_ones'), [rows], bias)));
  }
  const col = ctx.op('Conv', inputs, {
    kernel_shape: g.kernel,
    strides: g.strides,
    dilations: g.dilations,
    pads: [...g.padsBegin, ...g.padsEnd],
  });
  const positions = g.outSize.reduce((p, q) => p * q, 1);
  const colT = ctx.op('Transpose', [ctx.op('Reshape', [col, ctx.ints([-1, channels * rows, positions])])], { perm: [0, 2, 1] });
  const dY = ctx.op('Reshape', [ctx.dy(), ctx.ints([0, outChannels, positions])]);
  const sum = ctx.reduceSum(ctx.op('MatMul', [dY, colT]), [0], false);
  if (!withOnes) return { dW: ctx.op('Reshape', [sum, ctx.ints(wDims)]) };
  const part = (start: number, end: number) => ctx.op('Slice', [sum, ctx.ints([start]), ctx.ints([end]), ctx.ints([1])]);
  return { dW: ctx.op('Reshape', [part(0, taps), ctx.ints(wDims)]), dB: ctx.op('Reshape', [part(taps, taps + 1), ctx.ints([outChannels])]) };
}

/**
 * A strided Conv whose output grid has at least 128 positions and whose batched partial products
 * [N, Cout, C·taps] stay within 4x the input [N, C, ...S]: there the one-op im2col beats strided
 * Slices, and the per-example products are large enough for the MatMul (measured above).
 */
function stridedWithRoom(g: WindowGeometry, outChannels: number, taps: number): boolean {
  const positions = g.outSize.reduce((p, q) => p * q, 1);
  const inPositions = g.inSize.reduce((p, q) => p * q, 1);
  return g.strides.some((s) => s > 1) && positions >= 128 && outChannels * taps <= 4 * inPositions;
}
