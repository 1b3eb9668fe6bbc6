import type { GradContext } from '../grad-context';
import type { GradientRule } from '../registry';
import { BackwardError } from '../errors';
import { transposedPads, windowGeometry } from './conv';

/** A constant-shaped tensor of ones in the gradient float type (folded by ORT at session creation). */
function ones(ctx: GradContext, dims: readonly number[]): string {
  return ctx.op('Expand', [ctx.scalar(1), ctx.ints(dims)]);
}

/**
 * MaxPool: the forward node is made to emit its Indices output (flat positions in N·C·spatial);
 * dX = ScatterElements(zeros, indices, dY, reduction='add'), so overlapping windows accumulate.
 * Works for any kernel/strides/pads/dilations/ceil_mode/auto_pad since the indices say it all.
 */
function maxPoolBackward(ctx: GradContext): (string | undefined)[] {
  if (ctx.attr.int('storage_order', 0) !== 0) {
    throw new BackwardError(`MaxPool node '${ctx.node.name}' uses storage_order=1 (column-major indices); gradients support only storage_order=0`);
  }
  if (ctx.opset < 16) {
    throw new BackwardError(`MaxPool node '${ctx.node.name}': its gradient needs ScatterElements with reduction='add' (opset 16+), the model imports opset ${ctx.opset}: upgrade it (upgradeOpset(model, 17))`);
  }
  const x = ctx.x(0);
  const indices = ctx.ensureOutput(1, 'indices');
  const flat = ctx.ints([-1]);
  const size = ctx.op('Reshape', [ctx.op('Size', [x]), ctx.ints([1])]);
  const zeros = ctx.op('Expand', [ctx.scalar(0), size]);
  const scattered = ctx.op('ScatterElements', [zeros, ctx.op('Reshape', [indices, flat]), ctx.op('Reshape', [ctx.dy(), flat])], { axis: 0, reduction: 'add' });
  return [ctx.reshapeLike(scattered, x)];
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

/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool (1-, 2- and 3-D). */
export const poolingRules: GradientRule[] = [
  { ops: ['MaxPool'], backward: maxPoolBackward },
  { ops: ['AveragePool'], backward: averagePoolBackward },
  { ops: ['GlobalAveragePool'], backward: globalAveragePoolBackward },
  { ops: ['GlobalMaxPool'], backward: globalMaxPoolBackward },
];
