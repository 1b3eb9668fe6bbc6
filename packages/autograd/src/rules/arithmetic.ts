import type { GradientRule } from '../registry.js';

/** Add, Sub, Mul, Div, Neg, Sum: elementwise with numpy broadcasting. */
export const arithmeticRules: GradientRule[] = [
  {
    ops: ['Add'],
    backward: (ctx) => [ctx.needs(0) ? ctx.unbroadcast(ctx.dy(), ctx.x(0)) : undefined, ctx.needs(1) ? ctx.unbroadcast(ctx.dy(), ctx.x(1)) : undefined],
  },
  {
    ops: ['Sum'],
    backward: (ctx) => ctx.node.input.map((x, i) => (ctx.needs(i) ? ctx.unbroadcast(ctx.dy(), x) : undefined)),
  },
  {
    ops: ['Sub'],
    backward: (ctx) => [
      ctx.needs(0) ? ctx.unbroadcast(ctx.dy(), ctx.x(0)) : undefined,
      ctx.needs(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.dy()]), ctx.x(1)) : undefined,
    ],
  },
  {
    ops: ['Mul'],
    backward: (ctx) => [
      ctx.needs(0) ? ctx.unbroadcast(ctx.op('Mul', [ctx.dy(), ctx.x(1)]), ctx.x(0)) : undefined,
      ctx.needs(1) ? ctx.unbroadcast(ctx.op('Mul', [ctx.dy(), ctx.x(0)]), ctx.x(1)) : undefined,
    ],
  },
  {
    ops: ['Div'],
    backward: (ctx) => {
      const [a, b] = [ctx.x(0), ctx.x(1)];
      const dA = ctx.needs(0) || ctx.needs(1) ? ctx.op('Div', [ctx.dy(), b]) : undefined;
      return [
        ctx.needs(0) ? ctx.unbroadcast(dA!, a) : undefined,
        // d(a/b)/db = -(dY/b)·(a/b) = -dA·Y
        ctx.needs(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.op('Mul', [dA!, ctx.y()])]), b) : undefined,
      ];
    },
  },
  { ops: ['Neg'], backward: (ctx) => [ctx.op('Neg', [ctx.dy()])] },
];
