import { combine, defineOptimizer, scaleTerms, type Optimizer, type ParamUpdateContext } from '@anneal/optim';
import { z } from 'zod';

/** Options of {@link lion}. */
export interface LionOptions {
  /** Interpolation of the momentum and the gradient in the update direction, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the momentum, in [0, 1) (default 0.99). */
  beta2?: number;
}

/** Zod schema of {@link LionOptions}. */
export const lionOptions = z.strictObject({ beta1: z.number().min(0).lt(1).default(0.9), beta2: z.number().min(0).lt(1).default(0.99) });

function emitLion(ctx: ParamUpdateContext): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const beta1 = ctx.hp('beta1');
  const beta2 = ctx.hp('beta2');
  // c = β1·m + (1 − β1)·g; the update direction is sign(c), every entry ±1 (or 0)
  const c = combine(b, s, [{ tensor: ctx.state.exp_avg!, scale: beta1 }, ...scaleTerms(s, [ctx.grad], s.oneMinus(beta1))]);
  const direction = b.op('Sign', [c]);
  // decoupled weight decay, as AdamW: p ← p·(1 − lr·wd) − lr·sign(c)
  const keep = ctx.weightDecay ? s.oneMinus(s.mul(ctx.lr, ctx.weightDecay)) : undefined;
  combine(b, s, [{ tensor: p, scale: keep }, { tensor: direction, scale: s.neg(ctx.lr) }], ctx.outputs.param);
  // m ← β2·m + (1 − β2)·g
  combine(b, s, [{ tensor: ctx.state.exp_avg!, scale: beta2 }, ...scaleTerms(s, [ctx.grad], s.oneMinus(beta2))], ctx.outputs.state.exp_avg);
}

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an
 * interpolation of momentum and gradient, so every entry moves by exactly the learning rate;
 * decoupled weight decay. Typical learning rates are 3-10x smaller than AdamW's.
 *
 * Inputs it adds: `hp.beta1`, `hp.beta2`. State: `exp_avg` (the momentum).
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: lion({ beta1: 0.9, beta2: 0.99 }), lr: 1e-4, weightDecay: 0.1, params });
 */
export function lion(options: LionOptions = {}): Optimizer {
  const o = lionOptions.parse(options);
  return {
    id: 'lion',
    hyperparameters: [
      { key: 'beta1', value: o.beta1, description: 'interpolation of momentum and gradient in the update direction' },
      { key: 'beta2', value: o.beta2, description: 'decay of the momentum' },
    ],
    stateSlots: () => ['exp_avg'],
    emit: emitLion,
  };
}

/** The descriptor a config names as `optimizer: { type: lion, package: '@anneal/optimizer-plugin-example', lr, beta1, beta2 }`. */
export const lionDescriptor = defineOptimizer({
  id: 'lion',
  description: 'Lion: sign of interpolated momentum, decoupled weight decay (Chen et al. 2023)',
  options: lionOptions,
  create: (o) => lion(o),
});
