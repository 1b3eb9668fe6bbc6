import { OptimConfigError } from './errors.js';
import { combine, scaleTerms, type Term } from './linear-combination.js';
import type { HyperparameterDefault, Optimizer, ParamUpdateContext } from './optimizer.js';

/** Options of {@link adam} and {@link adamw}. `lr` and weight decay are per parameter group. */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Keep the running maximum of `exp_avg_sq` and normalize by it (adds state `max_exp_avg_sq`). */
  amsgrad?: boolean;
}

function adamHyperparameters(o: AdamOptions, id: string): HyperparameterDefault[] {
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  if (!(beta1 >= 0 && beta1 < 1)) throw new OptimConfigError(`${id}.beta1`, `must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new OptimConfigError(`${id}.beta2`, `must be in [0, 1), got ${beta2}`);
  if (!(eps >= 0)) throw new OptimConfigError(`${id}.eps`, `must be >= 0, got ${eps}`);
  return [
    { key: 'beta1', value: beta1, description: 'decay of the first-moment running average' },
    { key: 'beta2', value: beta2, description: 'decay of the second-moment running average' },
    { key: 'eps', value: eps, description: 'term added to the denominator' },
    { key: 'step', value: 1, description: '1-based index of the update being computed (bias correction)' },
  ];
}

/** Shared Adam/AdamW emitter; `decoupled` selects AdamW's `p *= 1 - lr*wd` over L2 on the gradient. */
export function adamFamily(options: AdamOptions, decoupled: boolean): Optimizer {
  const id = decoupled ? 'adamw' : 'adam';
  const hyperparameters = adamHyperparameters(options, id);
  const amsgrad = options.amsgrad ?? false;
  return {
    id: amsgrad ? `${id}-amsgrad` : id,
    hyperparameters,
    stateSlots: () => (amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq']),
    emit: (ctx) => emitAdam(ctx, decoupled, amsgrad),
  };
}

/**
 * PyTorch's single-tensor Adam rewritten with the bias corrections folded into scalars:
 * `m/(sqrt(v)/sqrt(bc2) + eps) * lr/bc1 = m/(sqrt(v) + eps*sqrt(bc2)) * lr*sqrt(bc2)/bc1`,
 * so per parameter it costs Sqrt, Add, Div and the final Mul+Add.
 */
/** Adam's betas and bias corrections 1 - β1^t and sqrt(1 - β2^t) as scalar graph values (shared with Adam-HD). */
export function adamBiasCorrections(ctx: ParamUpdateContext): { beta1: string; beta2: string; bc1: string; sqrtBc2: string } {
  const s = ctx.scalars;
  const beta1 = ctx.hp('beta1');
  const beta2 = ctx.hp('beta2');
  const step = ctx.hp('step');
  return { beta1, beta2, bc1: s.oneMinus(s.pow(beta1, step)), sqrtBc2: s.sqrt(s.oneMinus(s.pow(beta2, step))) };
}

function emitAdam(ctx: ParamUpdateContext, decoupled: boolean, amsgrad: boolean): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const { beta1, beta2, bc1, sqrtBc2 } = adamBiasCorrections(ctx);
  const epsHat = s.mul(ctx.hp('eps'), sqrtBc2);
  const stepSize = s.div(s.mul(ctx.lr, sqrtBc2), bc1);

  let g: Term = ctx.grad;
  if (ctx.weightDecay && !decoupled) g = { tensor: combine(b, s, [g, { tensor: p, scale: ctx.weightDecay }]) };
  const m = combine(b, s, [{ tensor: ctx.state.exp_avg!, scale: beta1 }, ...scaleTerms(s, [g], s.oneMinus(beta1))], ctx.outputs.state.exp_avg);
  const g2 = b.op('Mul', [g.tensor, g.tensor]);
  const g2Scale = s.mulOptional(s.oneMinus(beta2), g.scale && s.mul(g.scale, g.scale));
  const v = combine(b, s, [{ tensor: ctx.state.exp_avg_sq!, scale: beta2 }, { tensor: g2, scale: g2Scale }], ctx.outputs.state.exp_avg_sq);
  const vUsed = amsgrad ? b.op('Max', [ctx.state.max_exp_avg_sq!, v], {}, { output: ctx.outputs.state.max_exp_avg_sq }) : v;
  const denom = b.op('Add', [b.op('Sqrt', [vUsed]), epsHat]);
  const ratio = b.op('Div', [m, denom]);
  const keep = decoupled && ctx.weightDecay ? s.oneMinus(s.mul(ctx.lr, ctx.weightDecay)) : undefined;
  combine(b, s, [{ tensor: p, scale: keep }, { tensor: ratio, scale: s.neg(stepSize) }], ctx.outputs.param);
}

/**
 * Adam with PyTorch's `torch.optim.Adam` semantics: L2 weight decay added to the gradient,
 * bias correction from the `hp.step` input (1 on the first update), optional AMSGrad.
 *
 * Inputs it adds: `hp.beta1`, `hp.beta2`, `hp.eps`, `hp.step`. State: `exp_avg`, `exp_avg_sq`
 * (and `max_exp_avg_sq` with AMSGrad). Hyperparameters are float32, so `1 - beta2` carries the
 * float32 rounding of beta2 (1.3e-5 relative for 0.999; `exp_avg_sq` inherits it, the update half).
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: adam({ beta2: 0.99 }), lr: 1e-3, params });
 */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily(options, false);
}
