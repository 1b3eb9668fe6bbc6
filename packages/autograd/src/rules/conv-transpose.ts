import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { BackwardError } from '../errors.js';

/** Geometry of a ConvTranspose node over its spatial axes, pads resolved against the probed sizes. */
export interface TransposedGeometry {
  /** Spatial sizes of X and of Y. */
  inSize: number[];
  outSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Cropping at the start of each axis (the forward's `pads` begin, or as resolved for output_shape/auto_pad). */
  padsBegin: number[];
  /**
   * Zeros appended to dY's end on each axis so that every (input position, kernel tap) pair lands
   * inside the padded dY: max(0, s·(H−1) + (k−1)·d + 1 − padsBegin − oH).
   */
  tail: number[];
}

/**
 * Reads a ConvTranspose node's geometry. With output_shape or auto_pad SAME_*, the total crop
 * s·(H−1) + output_padding + (k−1)·d + 1 − oH is split as the ONNX spec says (and ORT 1.30 does, checked
 * in the spec): an odd unit is cropped at the tail for SAME_UPPER, at the head otherwise.
 */
export function transposedGeometry(ctx: GradContext): TransposedGeometry {
  const xDims = ctx.shape(ctx.x(0)).dims;
  const wDims = ctx.shape(ctx.x(1)).dims;
  const inSize = xDims.slice(2);
  const outSize = ctx.shape(ctx.y(0)).dims.slice(2);
  const r = inSize.length;
  const kernel = ctx.attr.ints('kernel_shape', wDims.slice(2));
  if (kernel.length !== r) throw new BackwardError(`ConvTranspose node '${ctx.node.name}': kernel_shape ${JSON.stringify(kernel)} does not match ${r} spatial axes`);
  const strides = ctx.attr.ints('strides', Array(r).fill(1));
  const dilations = ctx.attr.ints('dilations', Array(r).fill(1));
  const outputPadding = ctx.attr.ints('output_padding', Array(r).fill(0));
  const autoPad = ctx.attr.string('auto_pad', 'NOTSET');
  let padsBegin: number[];
  if (ctx.attr.has('output_shape') || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    padsBegin = inSize.map((h, a) => {
      const total = Math.max(0, strides[a]! * (h - 1) + outputPadding[a]! + (kernel[a]! - 1) * dilations[a]! + 1 - outSize[a]!);
      return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    });
  } else if (autoPad === 'VALID') padsBegin = Array(r).fill(0);
  else padsBegin = ctx.attr.ints('pads', Array(2 * r).fill(0)).slice(0, r);
  const tail = inSize.map((h, a) => Math.max(0, strides[a]! * (h - 1) + (kernel[a]! - 1) * dilations[a]! + 1 - padsBegin[a]! - outSize[a]!));
  return { inSize, outSize, kernel, strides, dilations, padsBegin, tail };
}

const spatialAxesOf = (r: number) => Array.from({ length: r }, (_, a) => a + 2);

/**
 * dX = Conv(dY, W) with the same group/strides/dilations, pads (padsBegin, tail): ConvTranspose is
 * the adjoint of that Conv, and W's layout [Cin, Cout/G, k] is already the Conv's [out, in/G, k].
 * A Slice trims extra positions when output_shape made Y larger than the natural size.
 */
function inputGradient(ctx: GradContext, g: TransposedGeometry, group: number): string {
  const r = g.inSize.length;
  let dX = ctx.op('Conv', [ctx.dy(), ctx.x(1)], {
    group,
    kernel_shape: g.kernel,
    strides: g.strides,
    dilations: g.dilations,
    pads: [...g.padsBegin, ...g.tail],
  });
  const produced = g.outSize.map((o, a) => Math.floor((o + g.padsBegin[a]! + g.tail[a]! - (g.kernel[a]! - 1) * g.dilations[a]! - 1) / g.strides[a]!) + 1);
  if (produced.some((p, a) => p !== g.inSize[a])) {
    dX = ctx.op('Slice', [dX, ctx.ints(Array(r).fill(0)), ctx.ints(g.inSize), ctx.ints(spatialAxesOf(r))]);
  }
  return dX;
}

/**
 * dW[c, co, k] = Σ_n Σ_i X[n, c, i] · dY[n, g·Cog + co, s·i − p + d·k]: an im2col over dY (pad once,
 * one strided Slice per kernel tap, stacked as [N, G, Cog·taps, P]) contracted with X as
 * [N, G, Cg, P] by one batched MatMul, summed over N.
 */
function weightGradient(ctx: GradContext, g: TransposedGeometry, group: number): string {
  const r = g.inSize.length;
  const axes = spatialAxesOf(r);
  const wDims = ctx.shape(ctx.x(1)).dims;
  const inChannels = wDims[0]!;
  const outPerGroup = wDims[1]!;
  let dY = ctx.dy();
  if ([...g.padsBegin, ...g.tail].some((p) => p !== 0)) dY = ctx.op('Pad', [dY, ctx.ints([0, 0, ...g.padsBegin, 0, 0, ...g.tail])]);
  const padded = g.outSize.map((o, a) => o + g.padsBegin[a]! + g.tail[a]!);
  let taps: number[][] = [[]];
  for (const k of g.kernel) taps = taps.flatMap((t) => Array.from({ length: k }, (_, i) => [...t, i]));
  const slices = taps.map((tap) => {
    const starts = tap.map((t, a) => t * g.dilations[a]!);
    const ends = starts.map((s, a) => s + g.strides[a]! * (g.inSize[a]! - 1) + 1);
    const whole = starts.every((s, a) => s === 0 && g.strides[a] === 1 && ends[a] === padded[a]);
    const slice = whole ? dY : ctx.op('Slice', [dY, ctx.ints(starts), ctx.ints(ends), ctx.ints(axes), ctx.ints(g.strides)]);
    return taps.length === 1 ? slice : ctx.unsqueeze(slice, [2]);
  });
  const col = slices.length === 1 ? slices[0]! : ctx.op('Concat', slices, { axis: 2 }); // [N, Cout, taps, ...S]
  const positions = g.inSize.reduce((p, q) => p * q, 1);
  const col4 = ctx.op('Reshape', [col, ctx.ints([-1, group, outPerGroup * taps.length, positions])]);
  const x4 = ctx.op('Reshape', [ctx.x(0), ctx.ints([-1, group, inChannels / group, positions])]);
  const prod = ctx.op('MatMul', [x4, ctx.op('Transpose', [col4], { perm: [0, 1, 3, 2] })]); // [N, G, Cg, Cog·taps]
  return ctx.op('Reshape', [ctx.reduceSum(prod, [0], false), ctx.ints(wDims)]);
}

function convTransposeBackward(ctx: GradContext): (string | undefined)[] {
  const g = transposedGeometry(ctx);
  const group = ctx.attr.int('group', 1);
  const r = g.inSize.length;
  const dX = ctx.needs(0) ? inputGradient(ctx, g, group) : undefined;
  const dW = ctx.needs(1) ? weightGradient(ctx, g, group) : undefined;
  const dB = ctx.x(2) && ctx.needs(2) ? ctx.reduceSum(ctx.dy(), [0, ...spatialAxesOf(r)], false) : undefined;
  return [dX, dW, dB];
}

/**
 * ConvTranspose (1-, 2- and 3-D; groups; strides, dilations, pads, output_padding, output_shape,
 * auto_pad; optional bias). dX = Conv(dY, W) (the adjoint), dW by an im2col over dY + batched MatMul,
 * dB = ReduceSum(dY) over batch and spatial axes. Spatial sizes come from the probed shapes; the batch
 * size may change at run time.
 */
export const convTransposeRules: GradientRule[] = [{ ops: ['ConvTranspose'], backward: convTransposeBackward }];
