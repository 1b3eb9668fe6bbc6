import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { BackwardError } from '../errors.js';

/** The reduced axes of a Reduce* node (attribute before opset 13/18, input after), normalized; undefined = all. */
export function reducedAxes(ctx: GradContext): number[] | undefined {
  const rank = ctx.rank(ctx.x());
  let axes: number[] | undefined;
  if (ctx.node.input[1]) {
    axes = ctx.constantValue(ctx.node.input[1]);
    if (!axes) throw new BackwardError(`${ctx.node.opType} node '${ctx.node.name}' takes its axes from a computed tensor; gradients need constant axes`);
  } else if (ctx.attr.has('axes')) axes = ctx.attr.ints('axes', []);
  if (!axes || axes.length === 0) {
    return ctx.attr.int('noop_with_empty_axes', 0) && axes ? [] : undefined;
  }
  return ctx.normalizeAxes(axes, rank);
}

/** dY broadcast back to X's shape (re-inserting dropped axes when keepdims=0). */
function expandBack(ctx: GradContext, g: string): string {
  const rank = ctx.rank(ctx.x());
  const axes = reducedAxes(ctx) ?? Array.from({ length: rank }, (_, i) => i);
  if (axes.length === 0) return g;
  const keep = ctx.attr.int('keepdims', 1);
  const shaped = keep ? g : ctx.rank(ctx.y()) === 0 ? ctx.op('Reshape', [g, ctx.ints(Array(rank).fill(1))]) : ctx.unsqueeze(g, axes);
  return ctx.op('Expand', [shaped, ctx.shapeOf(ctx.x())]);
}

/** Size(X)/Size(Y) at run time, in the float type (batch axes may change size between runs). */
function reductionCount(ctx: GradContext): string {
  const sx = ctx.op('Cast', [ctx.op('Size', [ctx.x()])], { to: ctx.floatType });
  const sy = ctx.op('Cast', [ctx.op('Size', [ctx.y()])], { to: ctx.floatType });
  return ctx.op('Div', [sx, sy]);
}

/** ReduceSum, ReduceMean, ReduceSumSquare, ReduceL2, ReduceMax/Min (first-max semantics via equality mask). */
export const reduceRules: GradientRule[] = [
  { ops: ['ReduceSum'], backward: (ctx) => [expandBack(ctx, ctx.dy())] },
  { ops: ['ReduceMean'], backward: (ctx) => [ctx.op('Div', [expandBack(ctx, ctx.dy()), reductionCount(ctx)])] },
  {
    ops: ['ReduceSumSquare'],
    backward: (ctx) => [ctx.op('Mul', [expandBack(ctx, ctx.dy()), ctx.op('Mul', [ctx.x(), ctx.scalar(2)])])],
  },
  {
    // d ||x|| = dY · x / ||x||
    ops: ['ReduceL2'],
    backward: (ctx) => [ctx.op('Mul', [expandBack(ctx, ctx.op('Div', [ctx.dy(), ctx.y()])), ctx.x()])],
  },
  {
    // gradient split evenly between tied maxima
    ops: ['ReduceMax', 'ReduceMin'],
    backward: (ctx) => {
      const yFull = expandBack(ctx, ctx.y());
      const mask = ctx.op('Cast', [ctx.op('Equal', [ctx.x(), yFull])], { to: ctx.floatType });
      const axes = reducedAxes(ctx);
      const ties = expandBack(ctx, ctx.op('ReduceSum', [mask, ...(axes ? [ctx.ints(axes)] : [])], { keepdims: ctx.attr.int('keepdims', 1) }));
      return [ctx.op('Div', [ctx.op('Mul', [mask, expandBack(ctx, ctx.dy())]), ties])];
    },
  },
];
