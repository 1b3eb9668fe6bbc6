import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/** The normalized single axis of Softmax/LogSoftmax (opset 13+: default −1). */
function softmaxAxis(ctx: GradContext): number {
  const rank = ctx.rank(ctx.x());
  const axis = ctx.attr.int('axis', -1);
  return axis < 0 ? axis + rank : axis;
}

/**
 * Softmax and LogSoftmax over one axis (opset 13+ semantics; the backward pass requires 13+):
 * Softmax: dX = Y·(dY − Σ_axis dY·Y); LogSoftmax: dX = dY − Exp(Y)·Σ_axis dY.
 */
export const softmaxRules: GradientRule[] = [
  {
    ops: ['Softmax'],
    backward: (ctx) => {
      const y = ctx.y();
      const dot = ctx.reduceSum(ctx.op('Mul', [ctx.dy(), y]), [softmaxAxis(ctx)]);
      return [ctx.op('Mul', [y, ctx.op('Sub', [ctx.dy(), dot])])];
    },
  },
  {
    ops: ['LogSoftmax'],
    backward: (ctx) => {
      const total = ctx.reduceSum(ctx.dy(), [softmaxAxis(ctx)]);
      return [ctx.op('Sub', [ctx.dy(), ctx.op('Mul', [ctx.op('Exp', [ctx.y()]), total])])];
    },
  },
];
