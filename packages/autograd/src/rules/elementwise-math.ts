import type { GradientRule } from '../registry.js';

/** Pow, Sqrt, Exp, Log, Reciprocal, Abs. */
export const elementwiseMathRules: GradientRule[] = [
  {
    ops: ['Pow'],
    backward: (ctx) => {
      const [a, p] = [ctx.x(0), ctx.x(1)];
      const dA = ctx.needs(0)
        ? ctx.unbroadcast(ctx.op('Mul', [ctx.dy(), ctx.op('Mul', [p, ctx.op('Pow', [a, ctx.op('Sub', [p, ctx.scalar(1)])])])]), a)
        : undefined;
      const dP = ctx.needs(1) ? ctx.unbroadcast(ctx.op('Mul', [ctx.op('Mul', [ctx.dy(), ctx.y()]), ctx.op('Log', [a])]), p) : undefined;
      return [dA, dP];
    },
  },
  // d sqrt(x) = dY / (2·Y)
  { ops: ['Sqrt'], backward: (ctx) => [ctx.op('Div', [ctx.dy(), ctx.op('Mul', [ctx.y(), ctx.scalar(2)])])] },
  { ops: ['Exp'], backward: (ctx) => [ctx.op('Mul', [ctx.dy(), ctx.y()])] },
  { ops: ['Log'], backward: (ctx) => [ctx.op('Div', [ctx.dy(), ctx.x()])] },
  // d(1/x) = -dY·Y²
  { ops: ['Reciprocal'], backward: (ctx) => [ctx.op('Neg', [ctx.op('Mul', [ctx.dy(), ctx.op('Mul', [ctx.y(), ctx.y()])])])] },
  { ops: ['Abs'], backward: (ctx) => [ctx.op('Mul', [ctx.dy(), ctx.op('Sign', [ctx.x()])])] },
];
