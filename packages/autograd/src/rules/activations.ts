import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { isZeroWhereNonPositive } from './vanishing-gradient.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_C = 0.044715;
// ONNX defaults of Selu
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** `then` where `cond` holds, `other` (default 0) elsewhere. */
function where(ctx: GradContext, cond: string, then: string, other?: string): string {
  return ctx.op('Where', [cond, then, other ?? ctx.scalar(0)]);
}

const positive = (ctx: GradContext, x: string) => ctx.op('Greater', [x, ctx.scalar(0)]);
const mul = (ctx: GradContext, a: string, b: string) => ctx.op('Mul', [a, b]);
const add = (ctx: GradContext, a: string, b: string) => ctx.op('Add', [a, b]);

/** dY·f'(x) for an elementwise op whose derivative `deriv` builds. */
function elementwise(ops: string[], deriv: (ctx: GradContext) => string): GradientRule {
  return { ops, backward: (ctx) => [mul(ctx, ctx.dy(), deriv(ctx))] };
}

/** d Gelu: erf form Φ(x) + x·φ(x); tanh form differentiates ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluDerivative(ctx: GradContext): string {
  const x = ctx.x();
  const x2 = mul(ctx, x, x);
  if (ctx.attr.string('approximate', 'none') === 'tanh') {
    const inner = mul(ctx, ctx.scalar(SQRT_2_OVER_PI), add(ctx, x, mul(ctx, ctx.scalar(GELU_TANH_C), mul(ctx, x2, x))));
    const t = ctx.op('Tanh', [inner]);
    const dInner = mul(ctx, ctx.scalar(SQRT_2_OVER_PI), add(ctx, ctx.scalar(1), mul(ctx, ctx.scalar(3 * GELU_TANH_C), x2)));
    const sech2 = ctx.op('Sub', [ctx.scalar(1), mul(ctx, t, t)]);
    // ½(1 + t) + ½x·(1 − t²)·du/dx
    return mul(ctx, ctx.scalar(0.5), add(ctx, add(ctx, ctx.scalar(1), t), mul(ctx, x, mul(ctx, sech2, dInner))));
  }
  const cdf = mul(ctx, ctx.scalar(0.5), add(ctx, ctx.scalar(1), ctx.op('Erf', [mul(ctx, x, ctx.scalar(Math.SQRT1_2))])));
  const pdf = mul(ctx, ctx.scalar(INV_SQRT_2PI), ctx.op('Exp', [mul(ctx, x2, ctx.scalar(-0.5))]));
  return add(ctx, cdf, mul(ctx, x, pdf));
}

/** Clip with optional min/max inputs (opset 11+): dX passes where min ≤ X ≤ max; min/max get the clipped part. */
function clipBackward(ctx: GradContext): (string | undefined)[] {
  const [x, lo, hi] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const dY = ctx.dy();
  const conds: string[] = [];
  if (lo) conds.push(ctx.op('GreaterOrEqual', [x, lo]));
  if (hi) conds.push(ctx.op('LessOrEqual', [x, hi]));
  const inside = conds.length === 2 ? ctx.op('And', conds) : conds[0];
  const dX = inside ? where(ctx, inside, dY) : dY;
  const bound = (name: string, clipped: string) =>
    ctx.reshapeLike(ctx.op('ReduceSum', [where(ctx, clipped, dY)], { keepdims: 0 }), name);
  return [
    ctx.needs(0) ? dX : undefined,
    lo && ctx.needs(1) ? bound(lo, ctx.op('Less', [x, lo])) : undefined,
    hi && ctx.needs(2) ? bound(hi, ctx.op('Greater', [x, hi])) : undefined,
  ];
}

/** PRelu: slope broadcasts to X (unidirectionally); dSlope = Σ over broadcast axes of dY·X where X ≤ 0. */
function preluBackward(ctx: GradContext): (string | undefined)[] {
  const [x, slope] = [ctx.x(0), ctx.x(1)];
  const dY = ctx.dy();
  const pos = positive(ctx, x);
  return [
    ctx.needs(0) ? where(ctx, pos, dY, mul(ctx, dY, slope)) : undefined,
    ctx.needs(1) ? ctx.unbroadcast(where(ctx, pos, ctx.scalar(0), mul(ctx, dY, x)), slope) : undefined,
  ];
}

/** Numerically stable softplus: max(x, 0) + log(1 + exp(−|x|)), with ops that have double kernels. */
function softplus(ctx: GradContext, x: string): string {
  return add(ctx, ctx.op('Relu', [x]), ctx.op('Log', [add(ctx, ctx.scalar(1), ctx.op('Exp', [ctx.op('Neg', [ctx.op('Abs', [x])])]))]));
}

/**
 * Activations: Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Erf, Gelu (opset 20, erf and tanh forms),
 * HardSigmoid, HardSwish, Clip (ReLU6), Elu, Selu, Celu, Softplus, Softsign, Mish, Sin, Cos.
 * Kinks take the one-sided derivative of the region the op's comparison puts them in.
 */
export const activationRules: GradientRule[] = [
  {
    // a gradient already zero where Y ≤ 0 (e.g. masked by a following MaxPool) needs no mask; the
    // mask reads Y (Y > 0 exactly where X > 0), so the backward does not keep X alive: X, often a
    // BatchNormalization output, is freed after the forward and ORT may run the Relu in place
    ops: ['Relu'],
    backward: (ctx) => [isZeroWhereNonPositive(ctx, ctx.dy(), ctx.y()) ? ctx.dy() : where(ctx, positive(ctx, ctx.y()), ctx.dy())],
  },
  {
    // with α ≥ 0, Y > 0 exactly where X > 0: the mask reads Y (X need not be kept), as for Relu
    ops: ['LeakyRelu'],
    backward: (ctx) => {
      const alpha = ctx.attr.float('alpha', 0.01);
      return [where(ctx, positive(ctx, alpha >= 0 ? ctx.y() : ctx.x()), ctx.dy(), mul(ctx, ctx.dy(), ctx.scalar(alpha)))];
    },
  },
  { ops: ['PRelu'], backward: preluBackward },
  elementwise(['Sigmoid'], (ctx) => mul(ctx, ctx.y(), ctx.op('Sub', [ctx.scalar(1), ctx.y()]))),
  elementwise(['Tanh'], (ctx) => ctx.op('Sub', [ctx.scalar(1), mul(ctx, ctx.y(), ctx.y())])),
  elementwise(['Erf'], (ctx) => mul(ctx, ctx.scalar(TWO_OVER_SQRT_PI), ctx.op('Exp', [ctx.op('Neg', [mul(ctx, ctx.x(), ctx.x())])]))),
  elementwise(['Gelu'], geluDerivative),
  {
    // α where 0 < αx + β < 1 (the linear region), computed from Y
    ops: ['HardSigmoid'],
    backward: (ctx) => {
      const y = ctx.y();
      const linear = ctx.op('And', [ctx.op('Greater', [y, ctx.scalar(0)]), ctx.op('Less', [y, ctx.scalar(1)])]);
      return [where(ctx, linear, mul(ctx, ctx.dy(), ctx.scalar(ctx.attr.float('alpha', 0.2))))];
    },
  },
  {
    // y = x·clamp(x/6 + ½, 0, 1): 0 below −3, 1 above 3, x/3 + ½ between
    ops: ['HardSwish'],
    backward: (ctx) => {
      const x = ctx.x();
      const middle = add(ctx, mul(ctx, x, ctx.scalar(1 / 3)), ctx.scalar(0.5));
      const upper = where(ctx, ctx.op('Greater', [x, ctx.scalar(3)]), ctx.scalar(1), middle);
      return [mul(ctx, ctx.dy(), where(ctx, ctx.op('Less', [x, ctx.scalar(-3)]), ctx.scalar(0), upper))];
    },
  },
  { ops: ['Clip'], backward: clipBackward },
  {
    // x ≤ 0: y = α(eˣ − 1), dy/dx = y + α
    ops: ['Elu'],
    backward: (ctx) => [where(ctx, positive(ctx, ctx.x()), ctx.dy(), mul(ctx, ctx.dy(), add(ctx, ctx.y(), ctx.scalar(ctx.attr.float('alpha', 1)))))],
  },
  {
    // x > 0: γ; x ≤ 0: y + γα
    ops: ['Selu'],
    backward: (ctx) => {
      const alpha = ctx.attr.float('alpha', SELU_ALPHA);
      const gamma = ctx.attr.float('gamma', SELU_GAMMA);
      const d = where(ctx, positive(ctx, ctx.x()), ctx.scalar(gamma), add(ctx, ctx.y(), ctx.scalar(gamma * alpha)));
      return [mul(ctx, ctx.dy(), d)];
    },
  },
  {
    // x ≤ 0: y = α(e^(x/α) − 1), dy/dx = y/α + 1
    ops: ['Celu'],
    backward: (ctx) => {
      const alpha = ctx.attr.float('alpha', 1);
      const neg = add(ctx, mul(ctx, ctx.y(), ctx.scalar(1 / alpha)), ctx.scalar(1));
      return [mul(ctx, ctx.dy(), where(ctx, positive(ctx, ctx.x()), ctx.scalar(1), neg))];
    },
  },
  elementwise(['Softplus'], (ctx) => ctx.op('Sigmoid', [ctx.x()])),
  {
    // 1 / (1 + |x|)²
    ops: ['Softsign'],
    backward: (ctx) => {
      const den = add(ctx, ctx.scalar(1), ctx.op('Abs', [ctx.x()]));
      return [ctx.op('Div', [ctx.dy(), mul(ctx, den, den)])];
    },
  },
  elementwise(['Mish'], (ctx) => {
    // tanh(sp) + x·(1 − tanh²(sp))·σ(x), sp = softplus(x)
    const x = ctx.x();
    const t = ctx.op('Tanh', [softplus(ctx, x)]);
    const sech2 = ctx.op('Sub', [ctx.scalar(1), mul(ctx, t, t)]);
    return add(ctx, t, mul(ctx, x, mul(ctx, sech2, ctx.op('Sigmoid', [x]))));
  }),
  elementwise(['Sin'], (ctx) => ctx.op('Cos', [ctx.x()])),
  { ops: ['Cos'], backward: (ctx) => [ctx.op('Neg', [mul(ctx, ctx.dy(), ctx.op('Sin', [ctx.x()]))])] },
];
