import { DataType } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { WindowGeometry } from './conv.js';

/**
 * dW of a 2-D depthwise Conv as ONE depthwise Conv, for runtimes with direct depthwise kernels
 * (ctx.hints.directDepthwise: ORT's NCHWc kernels after blockConvs), where it ran 3-4x
 * faster than the grouped Conv-over-transposed-tensors recipe (batch 16, 2 threads, ms: 3x3 on 144
 * channels at 56x56 30 -> 9.5, 5x5 on 240 at 28x28 18.5 -> 4.6, 5x5 on 672 at 14x14 14 -> 4.5).
 *
 * Per channel c, dW[c, a, b] = Σ_n Σ_i Σ_j dY[n, c, i, j] · Xp[n, c, s_h·i + a, s_w·j + b] (Xp: X padded).
 * The N images of channel c are stacked into one tall image, each padded to P = s_h·Q rows (P covers
 * the padded image and the rows any tap reads), and dY's N maps into one tall kernel of Q rows per
 * map (rows past H_out zero). A Conv of the tall image with the tall kernel, dilated by the forward
 * strides, then sums over n, i and j at once: kernel row n·Q + i reads image row n·P + s_h·i + a,
 * inside image n for every real row i. Its output has max(s_h, k_h) rows (kept to k_h) and k_w columns.
 * The batch stays dynamic: only the tall axis depends on it. Undefined where this does not apply
 * (not 2-D, dilated, channels not a multiple of 4, not float32) and the standard recipe is used.
 */
export function depthwiseWeightGradientForDirectKernels(ctx: GradContext, g: WindowGeometry): string | undefined {
  const channels = ctx.shape(ctx.x(0)).dims[1]!;
  if (!ctx.hints.directDepthwise || g.inSize.length !== 2 || g.dilations.some((d) => d !== 1) || channels % 4 !== 0 || ctx.floatType !== DataType.FLOAT) return undefined;
  const [h, w] = g.inSize as [number, number];
  const [oh, ow] = g.outSize as [number, number];
  const [kh, kw] = g.kernel as [number, number];
  const [sh, sw] = g.strides as [number, number];
  const [pt, pl] = g.padsBegin as [number, number];
  const period = sh * Math.ceil(Math.max(h + pt, sh * (oh - 1) + kh) / sh);
  const kernelRows = period / sh;
  const width = sw * (ow - 1) + kw; // padded width the taps read
  let x = ctx.x(0);
  const right = width - w - pl;
  if (right < 0) x = ctx.op('Slice', [x, ctx.ints([0]), ctx.ints([w + right]), ctx.ints([3])]); // columns no tap reads
  x = ctx.op('Pad', [x, ctx.ints([0, 0, pt, pl, 0, 0, period - h - pt, Math.max(0, right)])]);
  const tall = ctx.op('Reshape', [ctx.op('Transpose', [x], { perm: [1, 0, 2, 3] }), ctx.ints([1, channels, -1, width])]);
  ctx.b.valueInfo(tall, DataType.FLOAT, [1, channels, 'tall_image_rows', width]);
  let dY = ctx.dy();
  if (kernelRows > oh) dY = ctx.op('Pad', [dY, ctx.ints([0, 0, 0, 0, 0, 0, kernelRows - oh, 0])]);
  const kernel = ctx.op('Reshape', [ctx.op('Transpose', [dY], { perm: [1, 0, 2, 3] }), ctx.ints([channels, 1, -1, ow])]);
  // the lowering pass reads both operands' dims (the tall axis depends on the batch)
  ctx.b.valueInfo(kernel, DataType.FLOAT, [channels, 1, 'tall_rows', ow]);
  let dW = ctx.op('Conv', [tall, kernel], { group: channels, dilations: [sh, sw], pads: [0, 0, Math.max(0, kh - sh), 0] });
  if (sh > kh) dW = ctx.op('Slice', [dW, ctx.ints([0]), ctx.ints([kh]), ctx.ints([2])]);
  return ctx.op('Reshape', [dW, ctx.ints([channels, 1, kh, kw])]);
}
