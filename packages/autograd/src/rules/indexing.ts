import { DataType } from '@anneal/onnx';
import { BackwardError } from '../errors.js';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

const i64 = (ctx: GradContext, v: number) => ctx.b.scalar(v, DataType.INT64);

/** An integer tensor as int64 (index inputs may be int32). */
function asInt64(ctx: GradContext, x: string): string {
  return ctx.shape(x).dataType === DataType.INT64 ? x : ctx.op('Cast', [x], { to: DataType.INT64 });
}

/** Where(v < 0, v + size, v): negative indices/positions counted from the end (size broadcasts). */
function wrapNegative(ctx: GradContext, v: string, size: string): string {
  return ctx.op('Where', [ctx.op('Less', [v, i64(ctx, 0)]), ctx.op('Add', [v, size]), v]);
}

/** The run-time size of x along a (static) axis as an int64 scalar. */
function dimScalar(ctx: GradContext, x: string, axis: number): string {
  return ctx.op('Gather', [ctx.shapeOf(x), i64(ctx, axis)]);
}

function requireScatterReduction(ctx: GradContext): void {
  if (ctx.opset < 16) {
    throw new BackwardError(
      `the gradient of ${ctx.node.opType} node '${ctx.node.name}' accumulates with Scatter*(reduction='add'), which needs ai.onnx opset 16+; the model imports ${ctx.opset}: upgrade it (upgradeOpset(model, 17))`,
    );
  }
}

/** Slice's axes as a normalized 1-D int64 tensor (constant-folded when the axes are constant). */
function sliceAxes(ctx: GradContext, rank: number): string {
  const axesIn = ctx.x(3);
  if (!axesIn) return ctx.ints(Array.from({ length: ctx.shape(ctx.x(1)).dims[0] ?? 0 }, (_, i) => i));
  const constant = ctx.constantValue(axesIn);
  if (constant) return ctx.ints(constant.map((a) => (a < 0 ? a + rank : a)));
  return wrapNegative(ctx, asInt64(ctx, axesIn), i64(ctx, rank));
}

/**
 * Slice with unit steps: dX = Pad(dY) with pads_begin = the clamped start and
 * pads_end = dim − start − (output length), computed at run time per sliced axis.
 */
function sliceGradByPad(ctx: GradContext): string {
  const x = ctx.x();
  const rank = ctx.rank(x);
  const axes = sliceAxes(ctx, rank);
  const dims = ctx.op('Gather', [ctx.shapeOf(x), axes]);
  const starts = wrapNegative(ctx, asInt64(ctx, ctx.x(1)), dims);
  const begin = ctx.op('Min', [ctx.op('Max', [starts, i64(ctx, 0)]), dims]);
  const outLen = ctx.op('Gather', [ctx.shapeOf(ctx.y()), axes]);
  const end = ctx.op('Sub', [ctx.op('Sub', [dims, begin]), outLen]);
  const positions = ctx.op('Concat', [axes, ctx.op('Add', [axes, i64(ctx, rank)])], { axis: 0 });
  const pads = ctx.op('ScatterElements', [ctx.ints(new Array<number>(2 * rank).fill(0)), positions, ctx.op('Concat', [begin, end], { axis: 0 })], { axis: 0 });
  return ctx.op('Pad', [ctx.dy(), pads]);
}

/**
 * Slice with any steps: slice a grid of flat indices the same way, scatter dY to those
 * positions of flat zeros and reshape to X (a slice never repeats a position).
 */
function sliceGradByScatter(ctx: GradContext): string {
  const x = ctx.x();
  const shape = ctx.shapeOf(x);
  const grid = ctx.op('Reshape', [ctx.op('Range', [i64(ctx, 0), ctx.op('Size', [x]), i64(ctx, 1)]), shape]);
  const picked = ctx.op('Slice', [grid, ...ctx.node.input.slice(1)]);
  const flat = ctx.ints([-1]);
  const zeros = ctx.op('Reshape', [ctx.zerosLike(x), flat]);
  const scattered = ctx.op('ScatterElements', [zeros, ctx.op('Reshape', [picked, flat]), ctx.op('Reshape', [ctx.dy(), flat])], { axis: 0 });
  return ctx.op('Reshape', [scattered, shape]);
}

function sliceBackward(ctx: GradContext): (string | undefined)[] {
  if (!ctx.x(1)) throw new BackwardError(`Slice node '${ctx.node.name}' takes starts/ends as attributes; gradients need opset 13+ (upgrade the model)`);
  const stepsIn = ctx.x(4);
  const steps = stepsIn ? ctx.constantValue(stepsIn) : undefined;
  const unit = !stepsIn || (steps !== undefined && steps.every((s) => s === 1));
  return [unit ? sliceGradByPad(ctx) : sliceGradByScatter(ctx)];
}

/** Indices with negative entries wrapped, unless they are constant and already non-negative. */
function positiveIndices(ctx: GradContext, indices: string, size: string): string {
  const constant = ctx.constantValue(indices);
  const idx = asInt64(ctx, indices);
  return constant && constant.every((v) => v >= 0) ? idx : wrapNegative(ctx, idx, size);
}

/**
 * Gather(data, indices, axis): ScatterND-add of dY into zeros shaped like data, rows that repeat
 * accumulate. For axis > 0 the gathered axis is moved to the front first and moved back after.
 */
function gatherBackward(ctx: GradContext): (string | undefined)[] {
  if (!ctx.needs(0)) return [undefined, undefined];
  requireScatterReduction(ctx);
  const data = ctx.x(0);
  const rank = ctx.rank(data);
  const q = ctx.rank(ctx.x(1));
  let axis = ctx.attr.int('axis', 0);
  if (axis < 0) axis += rank;
  const idx = ctx.op('Unsqueeze', [positiveIndices(ctx, ctx.x(1), dimScalar(ctx, data, axis)), ctx.ints([-1])]);
  if (axis === 0) return [ctx.op('ScatterND', [ctx.zerosLike(data), idx, ctx.dy()], { reduction: 'add' }), undefined];
  // dY: data[:axis] + indices + data[axis+1:] -> indices + data[:axis] + data[axis+1:]
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const permY = [...range(axis, axis + q), ...range(0, axis), ...range(axis + q, rank - 1 + q)];
  const g = permY.every((p, i) => p === i) ? ctx.dy() : ctx.op('Transpose', [ctx.dy()], { perm: permY });
  const permD = [axis, ...range(0, axis), ...range(axis + 1, rank)];
  const zeros = ctx.op('Expand', [ctx.scalar(0), ctx.op('Gather', [ctx.shapeOf(data), ctx.ints(permD)])]);
  const moved = ctx.op('ScatterND', [zeros, idx, g], { reduction: 'add' });
  const inverse = new Array<number>(rank);
  permD.forEach((p, i) => (inverse[p] = i));
  return [ctx.op('Transpose', [moved], { perm: inverse }), undefined];
}

/** GatherElements(data, indices, axis): ScatterElements-add of dY into zeros shaped like data. */
function gatherElementsBackward(ctx: GradContext): (string | undefined)[] {
  if (!ctx.needs(0)) return [undefined, undefined];
  requireScatterReduction(ctx);
  const data = ctx.x(0);
  let axis = ctx.attr.int('axis', 0);
  if (axis < 0) axis += ctx.rank(data);
  const idx = positiveIndices(ctx, ctx.x(1), dimScalar(ctx, data, axis));
  return [ctx.op('ScatterElements', [ctx.zerosLike(data), idx, ctx.dy()], { axis, reduction: 'add' }), undefined];
}

/**
 * Slice (any starts/ends/axes/steps, clamped and negative), Gather (any axis, repeated and
 * negative indices accumulate) and GatherElements. Index inputs never get gradients.
 */
export const indexingRules: GradientRule[] = [
  { ops: ['Slice'], backward: sliceBackward },
  { ops: ['Gather'], backward: gatherBackward },
  { ops: ['GatherElements'], backward: gatherElementsBackward },
];
