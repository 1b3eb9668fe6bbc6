import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/**
 * Which input of a Mul node is σ(x) for x its other input, when that σ(x) is read by nothing else
 * (SiLU / Swish written as x·Sigmoid(x)): then the whole gradient of x can come from the Mul rule.
 */
function siluGate(ctx: GradContext): 0 | 1 | undefined {
  const [a, b] = [ctx.x(0), ctx.x(1)];
  if (!a || !b || a === b) return undefined;
  const graph = ctx.b.graph;
  for (const gate of [1, 0] as const) {
    const sigma = gate === 1 ? b : a;
    const x = gate === 1 ? a : b;
    if (!ctx.needs(1 - gate)) continue;
    const producer = graph.node.find((n) => n.output.includes(sigma));
    if (!producer || producer.opType !== 'Sigmoid' || (producer.domain ?? '') !== '' || producer.input[0] !== x) continue;
    const readers = graph.node.filter((n) => n.input.includes(sigma)).length;
    if (readers === 1 && !graph.output.some((o) => o.name === sigma)) return gate;
  }
  return undefined;
}

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
    backward: (ctx) => {
      const gate = siluGate(ctx);
      if (gate !== undefined) {
        // SiLU y = x·σ(x): dX = dY·(σ + y·(1 − σ)) in 4 ops, instead of the product rule's two terms,
        // σ's own backward and their sum (7 ops, EfficientNet's activations); σ then gets no gradient
        const sigma = ctx.x(gate);
        const slope = ctx.op('Add', [sigma, ctx.op('Mul', [ctx.y(), ctx.op('Sub', [ctx.scalar(1), sigma])])]);
        const dX = ctx.op('Mul', [ctx.dy(), slope]);
        return gate === 1 ? [dX, undefined] : [undefined, dX];
      }
      return [
        ctx.needs(0) ? ctx.unbroadcast(ctx.op('Mul', [ctx.dy(), ctx.x(1)]), ctx.x(0)) : undefined,
        ctx.needs(1) ? ctx.unbroadcast(ctx.op('Mul', [ctx.dy(), ctx.x(0)]), ctx.x(1)) : undefined,
      ];
    },
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
