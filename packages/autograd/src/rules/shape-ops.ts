import { BackwardError } from '../errors.js';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { isFloatType } from '../shapes.js';

/** An axis attribute normalized against a rank. */
function normalizedAxis(ctx: GradContext, rank: number, dflt = 0): number {
  const axis = ctx.attr.int('axis', dflt);
  return axis < 0 ? axis + rank : axis;
}

/** The run-time size of x along one axis, as a 1-D int64 tensor of length 1. */
function dimAt(ctx: GradContext, x: string, axis: number): string {
  return ctx.opset >= 15
    ? ctx.op('Shape', [x], { start: axis, end: axis + 1 })
    : ctx.op('Gather', [ctx.shapeOf(x), ctx.ints([axis])]);
}

/** Ops that keep the elements and their order and change only the shape: dY reshaped to X's run-time shape. */
const reshapeBack = (ctx: GradContext) => [ctx.reshapeLike(ctx.dy(), ctx.x())];

/** Concat: Split dY at the run-time sizes of the inputs along the axis (any of them may be the batch). */
function concatBackward(ctx: GradContext): (string | undefined)[] {
  const inputs = ctx.node.input;
  if (inputs.length === 1) return [ctx.dy()];
  const axis = normalizedAxis(ctx, ctx.rank(ctx.y()));
  const sizes = ctx.op('Concat', inputs.map((x) => dimAt(ctx, x, axis)), { axis: 0 });
  const parts = ctx.b.node('Split', [ctx.dy(), sizes], { axis }, { outputs: inputs.length, name: ctx.b.uniqueName('grad_Split') });
  return inputs.map((_, i) => (ctx.needs(i) ? parts[i] : undefined));
}

/** Split: Concat the output gradients; outputs no gradient reached contribute zeros. */
function splitBackward(ctx: GradContext): (string | undefined)[] {
  const axis = normalizedAxis(ctx, ctx.rank(ctx.x()));
  const parts = ctx.node.output.map((y, i) => ctx.dY[i] ?? ctx.zerosLike(y));
  return [parts.length === 1 ? parts[0] : ctx.op('Concat', parts, { axis })];
}

/** Transpose: dY transposed by the inverse permutation (default perm reverses the axes). */
function transposeBackward(ctx: GradContext): string[] {
  const rank = ctx.rank(ctx.x());
  const perm = ctx.attr.ints('perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.op('Transpose', [ctx.dy()], { perm: inverse })];
}

/** Cast/CastLike: cast dY back to X's float type; integer or bool inputs get no gradient. */
function castBackward(ctx: GradContext): (string | undefined)[] {
  const from = ctx.shape(ctx.x()).dataType;
  if (!ctx.needs(0) || !isFloatType(from)) return [undefined];
  const to = ctx.shape(ctx.y()).dataType;
  return [from === to ? ctx.dy() : ctx.op('Cast', [ctx.dy()], { to: from })];
}

/**
 * Tile: view dY as [r0, d0, r1, d1, ...] (repeats interleaved with X's run-time dims) and sum
 * over the repeat axes.
 */
function tileBackward(ctx: GradContext): (string | undefined)[] {
  const x = ctx.x();
  const rank = ctx.rank(x);
  const repeats = ctx.constantValue(ctx.x(1));
  if (repeats && repeats.every((r) => r === 1)) return [ctx.dy()];
  if (rank === 0) return [ctx.dy()];
  const pairs = ctx.op('Concat', [ctx.unsqueeze(ctx.x(1), [1]), ctx.unsqueeze(ctx.shapeOf(x), [1])], { axis: 1 });
  const blocks = ctx.op('Reshape', [ctx.dy(), ctx.op('Reshape', [pairs, ctx.ints([-1])])]);
  return [ctx.reduceSum(blocks, Array.from({ length: rank }, (_, i) => 2 * i), false)];
}

/**
 * Pad (constant mode): Pad dY with the negated pads, which crops what was padded and zero-fills
 * what negative pads cropped. The constant value's gradient is the sum of dY over the padding.
 */
function padBackward(ctx: GradContext): (string | undefined)[] {
  const mode = ctx.attr.string('mode', 'constant');
  if (mode !== 'constant') {
    throw new BackwardError(`Pad node '${ctx.node.name}' uses mode '${mode}'; gradients exist only for mode 'constant' (replace the padding with a constant Pad or freeze the tensors upstream of it)`);
  }
  if (!ctx.x(1)) throw new BackwardError(`Pad node '${ctx.node.name}' has no pads input; gradients need opset 13+ (upgrade the model)`);
  const axes = ctx.x(3);
  const negPads = ctx.op('Neg', [ctx.x(1)]);
  const needValue = ctx.x(2) !== '' && ctx.needs(2);
  const dX = ctx.needs(0) || needValue ? ctx.op('Pad', axes ? [ctx.dy(), negPads, '', axes] : [ctx.dy(), negPads]) : undefined;
  let dValue: string | undefined;
  if (needValue) {
    const all = (g: string) => ctx.op('ReduceSum', [g], { keepdims: 0 });
    dValue = ctx.op('Sub', [all(ctx.dy()), all(dX!)]);
    if (ctx.rank(ctx.x(2)) !== 0) dValue = ctx.reshapeLike(dValue, ctx.x(2));
  }
  return [ctx.needs(0) ? dX : undefined, undefined, dValue];
}

/** Where(c, A, B): dY routed to A where c holds and to B elsewhere, each unbroadcast; c gets none. */
function whereBackward(ctx: GradContext): (string | undefined)[] {
  const [c, a, b] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const zero = ctx.scalar(0);
  return [
    undefined,
    ctx.needs(1) ? ctx.unbroadcast(ctx.op('Where', [c, ctx.dy(), zero]), a) : undefined,
    ctx.needs(2) ? ctx.unbroadcast(ctx.op('Where', [c, zero, ctx.dy()]), b) : undefined,
  ];
}

/**
 * Shape-manipulating ops: Flatten, Reshape, Squeeze, Unsqueeze, Identity, Transpose, Concat,
 * Split, Cast/CastLike, Expand, Tile, Pad (constant mode) and Where. Sizes that may be the batch
 * are read with Shape at run time, so one train graph serves every batch size.
 */
export const shapeOpsRules: GradientRule[] = [
  { ops: ['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze'], backward: reshapeBack },
  { ops: ['Identity'], backward: (ctx) => [ctx.dy()] },
  { ops: ['Transpose'], backward: transposeBackward },
  { ops: ['Concat'], backward: concatBackward },
  { ops: ['Split'], backward: splitBackward },
  { ops: ['Cast', 'CastLike'], backward: castBackward },
  { ops: ['Expand'], backward: (ctx) => [ctx.unbroadcast(ctx.dy(), ctx.x())] },
  { ops: ['Tile'], backward: tileBackward },
  { ops: ['Pad'], backward: padBackward },
  { ops: ['Where'], backward: whereBackward },
];

