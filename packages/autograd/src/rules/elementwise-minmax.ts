import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/**
 * Max/Min (variadic, broadcasting): dY goes to the input(s) equal to Y. Ties split evenly (like
 * PyTorch's maximum/minimum): each of the k tied inputs gets dY/k, so the gradients still sum to dY.
 * mask_i = Cast(Equal(X_i, Y)); dX_i = unbroadcast(dY·mask_i / Σ_j mask_j).
 */
function extremumBackward(ctx: GradContext): (string | undefined)[] {
  const inputs = ctx.node.input;
  if (inputs.length === 1) return [ctx.dy()];
  const masks = inputs.map((x) => ctx.op('Cast', [ctx.op('Equal', [x, ctx.y()])], { to: ctx.floatType }));
  const count = masks.length === 2 ? ctx.op('Add', masks) : ctx.op('Sum', masks);
  const share = ctx.op('Div', [ctx.dy(), count]);
  return inputs.map((x, i) => (ctx.needs(i) ? ctx.unbroadcast(ctx.op('Mul', [share, masks[i]!]), x) : undefined));
}

/** Mean (variadic, broadcasting): dX_i = unbroadcast(dY / n). */
function meanBackward(ctx: GradContext): (string | undefined)[] {
  const inputs = ctx.node.input;
  const share = inputs.length === 1 ? ctx.dy() : ctx.op('Div', [ctx.dy(), ctx.scalar(inputs.length)]);
  return inputs.map((x, i) => (ctx.needs(i) ? ctx.unbroadcast(share, x) : undefined));
}

/** Piecewise-constant ops: the gradient is 0 almost everywhere (zeros of the input's shape). */
function zeroBackward(ctx: GradContext): (string | undefined)[] {
  return [ctx.needs(0) ? ctx.zerosLike(ctx.x(0)) : undefined];
}

/**
 * Max, Min (ties split evenly between the tied inputs), Mean, and the zero-gradient ops Floor, Ceil,
 * Round, Sign (their derivative is 0 wherever it exists).
 */
export const elementwiseMinMaxRules: GradientRule[] = [
  { ops: ['Max', 'Min'], backward: extremumBackward },
  { ops: ['Mean'], backward: meanBackward },
  { ops: ['Floor', 'Ceil', 'Round', 'Sign'], backward: zeroBackward },
];
