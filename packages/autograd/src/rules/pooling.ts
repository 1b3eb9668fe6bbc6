import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { transposedPads, windowGeometry } from './conv.js';

/** A constant-shaped tensor of ones in the gradient float type (folded by ORT at session creation). */
function ones(ctx: GradContext, dims: readonly number[]): string {
  return ctx.op('Expand', [ctx.scalar(1), ctx.ints(dims)]);
}

/**
 * AveragePool: dX = ConvTranspose(dY / divisor, ones[C,1,k], group=C) with the forward's
 * strides/pads/dilations. The divisor per output position is derived from the op itself so it
 * matches count_include_pad, ceil_mode and clipped windows exactly:
 * 1/divisor = AveragePool(ones) / (number of in-image elements of the window), the latter a Conv of
 * ones. Both depend only on static spatial sizes, so ORT folds them into constants.
 */
function averagePoolBackward(ctx: GradContext): (string | undefined)[] {
  const x = ctx.x(0);
  const g = windowGeometry(ctx);
  const channels = ctx.shape(x).dims[1]!;
  const unit = [1, 1];
  const pooledOnes = ctx.op('AveragePool', [ones(ctx, [...unit, ...g.inSize])], {
    kernel_shape: g.kernel,
    strides: g.strides,
    pads: [...g.padsBegin, ...g.padsEnd],
    ceil_mode: ctx.attr.int('ceil_mode', 0),
    count_include_pad: ctx.attr.int('count_include_pad', 0),
    ...(ctx.attr.has('dilations') ? { dilations: g.dilations } : {}),
  });
  // Conv of ones with end pads stretched so that it yields exactly the pooled output grid
  const countEnd = g.inSize.map((size, a) => Math.max(0, g.strides[a]! * (g.outSize[a]! - 1) + (g.kernel[a]! - 1) * g.dilations[a]! + 1 - size - g.padsBegin[a]!));
  const inImage = ctx.op('Conv', [ones(ctx, [...unit, ...g.inSize]), ones(ctx, [...unit, ...g.kernel])], {
    kernel_shape: g.kernel,
    strides: g.strides,
    dilations: g.dilations,
    pads: [...g.padsBegin, ...countEnd],
  });
  const scale = ctx.op('Div', [pooledOnes, ctx.op('Max', [inImage, ctx.scalar(1)])]);
  const { pads, outputPadding } = transposedPads(g);
  const dX = ctx.op('ConvTranspose', [ctx.op('Mul', [ctx.dy(), scale]), ones(ctx, [channels, 1, ...g.kernel])], {
    group: channels,
    kernel_shape: g.kernel,
    strides: g.strides,
    dilations: g.dilations,
    pads,
    output_padding: outputPadding,
  });
  return [dX];
}

/** GlobalAveragePool: Expand(dY / (spatial size), Shape(X)). */
function globalAveragePoolBackward(ctx: GradContext): (string | undefined)[] {
  const x = ctx.x(0);
  const count = ctx.shape(x).dims.slice(2).reduce((p, q) => p * q, 1);
  return [ctx.op('Expand', [ctx.op('Div', [ctx.dy(), ctx.scalar(count)]), ctx.shapeOf(x)])];
}

/** GlobalMaxPool: dY goes to the maximal element(s) of each channel, split evenly between ties. */
function globalMaxPoolBackward(ctx: GradContext): (string | undefined)[] {
  const x = ctx.x(0);
  const spatial = Array.from({ length: ctx.rank(x) - 2 }, (_, a) => a + 2);
  const mask = ctx.op('Cast', [ctx.op('Equal', [x, ctx.y()])], { to: ctx.floatType });
  const ties = ctx.reduceSum(mask, spatial, true);
  return [ctx.op('Mul', [mask, ctx.op('Div', [ctx.dy(), ties])])];
}

/** AveragePool, GlobalAveragePool, GlobalMaxPool (1-, 2- and 3-D); MaxPool lives in max-pool.ts. */
export const poolingRules: GradientRule[] = [
  { ops: ['AveragePool'], backward: averagePoolBackward },
  { ops: ['GlobalAveragePool'], backward: globalAveragePoolBackward },
  { ops: ['GlobalMaxPool'], backward: globalMaxPoolBackward },
];
