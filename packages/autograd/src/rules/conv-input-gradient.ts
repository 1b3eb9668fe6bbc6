import type { GradContext } from '../grad-context.js';
import { transposedPads, type WindowGeometry } from './conv.js';

/** dX = ConvTranspose(dY, W) with pads/output_padding that map the output grid exactly back onto X. */
export function convTransposeInputGradient(ctx: GradContext, g: WindowGeometry, group: number): string {
  const { pads, outputPadding } = transposedPads(g);
  return ctx.op('ConvTranspose', [ctx.dy(), ctx.x(1)], {
    group,
    kernel_shape: g.kernel,
    strides: g.strides,
    dilations: g.dilations,
    pads,
    output_padding: outputPadding,
  });
}

/**
 * dX for stride 1: a plain Conv of dY with W's kernels flipped and its in/out channels swapped per
 * group (W [Cout, Cg, k] -> [G·Cg, Cout/G, k reversed]), pads d·(k−1) − p: the same sum as the
 * ConvTranspose, but ORT runs it ~1.3x faster (no col2im; 2.8 vs 3.7 ms for 64->32 channels, 14x14,
 * batch 64, 2 threads). Undefined when strided or when a pad exceeds the dilated kernel extent
 * (then the ConvTranspose recipe applies).
 */
export function flippedConvInputGradient(ctx: GradContext, g: WindowGeometry, group: number): string | undefined {
  const reach = g.kernel.map((k, a) => (k - 1) * g.dilations[a]!);
  const pads = [...g.padsBegin, ...g.padsEnd].map((p, i) => reach[i % reach.length]! - p);
  if (g.strides.some((s) => s !== 1) || pads.some((p) => p < 0)) return undefined;
  const wDims = ctx.shape(ctx.x(1)).dims;
  const [outChannels, perGroup] = [wDims[0]!, wDims[1]!];
  const r = g.kernel.length;
  const spatialAxes = Array.from({ length: r }, (_, a) => a + 2);
  let swapped: string;
  if (group === 1) swapped = ctx.op('Transpose', [ctx.x(1)], { perm: [1, 0, ...spatialAxes] });
  else {
    const w5 = ctx.op('Reshape', [ctx.x(1), ctx.ints([group, outChannels / group, perGroup, ...g.kernel])]);
    const t = ctx.op('Transpose', [w5], { perm: [0, 2, 1, ...spatialAxes.map((a) => a + 1)] });
    swapped = ctx.op('Reshape', [t, ctx.ints([group * perGroup, outChannels / group, ...g.kernel])]);
  }
  const flipped = ctx.op('Slice', [swapped, ctx.ints(Array(r).fill(-1)), ctx.ints(g.kernel.map((k) => -k - 1)), ctx.ints(spatialAxes), ctx.ints(Array(r).fill(-1))]);
  ctx.b.valueInfo(flipped, ctx.floatType, [group * perGroup, outChannels / group, ...g.kernel]); // for graph passes (blockConvs)
  return ctx.op('Conv', [ctx.dy(), flipped], { group, kernel_shape: g.kernel, dilations: g.dilations, pads });
}
