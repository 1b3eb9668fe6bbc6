import { DataType } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { BackwardError } from '../errors.js';
import { windowGeometry, type WindowGeometry } from './conv.js';
import { markZeroWhereNonPositive } from './vanishing-gradient.js';

/** Whether no input element lies in two pooling windows: each window's extent fits in its stride. */
function nonOverlapping(g: WindowGeometry): boolean {
  return g.kernel.every((k, a) => (k - 1) * g.dilations[a]! + 1 <= g.strides[a]!);
}

/**
 * dX for non-overlapping windows: MaxUnpool places each dY at its window's argmax (the forward's
 * Indices), zeros elsewhere. The indices are absolute, so the unpool pads/kernel only have to keep
 * ORT's inferred output size within Shape(X) (it rejects an output_shape smaller than that).
 */
function unpool(ctx: GradContext, g: WindowGeometry, dY: string, indices: string): string {
  const extent = g.kernel.map((k, a) => (k - 1) * g.dilations[a]! + 1);
  const padsEnd = g.inSize.map((size, a) => Math.max(0, (g.outSize[a]! - 1) * g.strides[a]! + extent[a]! - size));
  return ctx.op('MaxUnpool', [dY, indices, ctx.shapeOf(ctx.x(0))], {
    kernel_shape: extent,
    strides: g.strides,
    pads: [...extent.map(() => 0), ...padsEnd],
  });
}

/** dX for any windows: ScatterElements(zeros, Indices, dY, reduction='add'), so overlapping windows accumulate. */
function scatter(ctx: GradContext, dY: string, indices: string): string {
  const x = ctx.x(0);
  const flat = ctx.ints([-1]);
  const size = ctx.op('Reshape', [ctx.op('Size', [x]), ctx.ints([1])]);
  const zeros = ctx.op('Expand', [ctx.scalar(0), size]);
  const scattered = ctx.op('ScatterElements', [zeros, ctx.op('Reshape', [indices, flat]), ctx.op('Reshape', [dY, flat])], { axis: 0, reduction: 'add' });
  return ctx.reshapeLike(scattered, x);
}

/** Whether X is a Relu's output. */
function afterRelu(ctx: GradContext): boolean {
  const x = ctx.x(0);
  return ctx.b.graph.node.some((n) => n.opType === 'Relu' && !n.domain && n.output[0] === x);
}

/**
 * MaxPool: the forward node is made to emit its Indices output (flat positions in N·C·spatial), so
 * every tie goes to the element the op itself picked. dX = MaxUnpool(dY, Indices) when no two
 * windows share an element and gradients are float32 (fastest; ORT has no float64 MaxUnpool), else
 * ScatterElements with reduction='add' (any kernel/strides/pads/dilations/ceil_mode/auto_pad).
 *
 * After a Relu, dY is first zeroed where Y ≤ 0, at pooled resolution: relu'(x) at a window's argmax is
 * (Y > 0), so this applies Relu's own mask exactly (masking twice changes nothing), and the result is
 * marked so that the Relu rule skips its full-resolution mask.
 */
function maxPoolBackward(ctx: GradContext): (string | undefined)[] {
  if (ctx.attr.int('storage_order', 0) !== 0) {
    throw new BackwardError(`MaxPool node '${ctx.node.name}' uses storage_order=1 (column-major indices); gradients support only storage_order=0`);
  }
  const g = windowGeometry(ctx);
  const fast = ctx.floatType === DataType.FLOAT && nonOverlapping(g);
  if (!fast && ctx.opset < 16) {
    throw new BackwardError(`MaxPool node '${ctx.node.name}': its gradient needs ScatterElements with reduction='add' (opset 16+), the model imports opset ${ctx.opset}: upgrade it (upgradeOpset(model, 17))`);
  }
  const indices = ctx.ensureOutput(1, 'indices');
  const relu = afterRelu(ctx);
  const dY = relu ? ctx.op('Where', [ctx.op('Greater', [ctx.y(0), ctx.scalar(0)]), ctx.dy(), ctx.scalar(0)]) : ctx.dy();
  const dX = fast ? unpool(ctx, g, dY, indices) : scatter(ctx, dY, indices);
  if (relu) markZeroWhereNonPositive(ctx, dX, ctx.x(0));
  return [dX];
}

/** MaxPool (1-, 2- and 3-D). */
export const maxPoolRules: GradientRule[] = [{ ops: ['MaxPool'], backward: maxPoolBackward }];
