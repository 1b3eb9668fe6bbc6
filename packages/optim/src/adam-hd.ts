import { adamBiasCorrections } from './adam.js';
import { OptimConfigError } from './errors.js';
import { emitHypergradientLr, effectiveGradient, hypergradientHyperparameter, HYPERGRADIENT_GROUP_SLOTS, HYPERGRADIENT_LR_DEFAULTS } from './hypergradient.js';
import { combine, scaleTerms } from './linear-combination.js';
import type { Optimizer, ParamUpdateContext } from './optimizer.js';

/** Options of {@link adamHd}. The initial learning rate is the group's `lr`. */
export interface AdamHdOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Hypergradient learning rate β (default {@link HYPERGRADIENT_LR_DEFAULTS}.adam = 1e-7); the `hp.hypergradient_lr` input. */
  hypergradientLr?: number;
}

/**
 * Adam with hypergradient descent on the learning rate (Adam-HD; Baydin et al., ICLR 2018).
 * With Adam's direction `u_t = m̂_t / (sqrt(v̂_t) + eps)` (bias-corrected moments, PyTorch's
 * `torch.optim.Adam` conventions, L2 weight decay added to the gradient), every parameter group
 * learns its own rate: `h_t = Σ g_t · u_{t-1}` over the group's parameters (`u_0 = 0`),
 * `α_t = α_{t-1} + β·h_t`, `p = p - α_t·u_t`. The group's `lr` is α's initial value; a schedule
 * on lr scales α by its step-to-step ratio (see `emitHypergradientLr`).
 *
 * Inputs it adds: `hp.beta1`, `hp.beta2`, `hp.eps`, `hp.hypergradient_lr`, `hp.step`. State:
 * `exp_avg`, `exp_avg_sq`, `prev_update` (u) per parameter; `lr` (α, read it from
 * `state.lr.<group>` or `stats.lr.<group>`) and `scheduled_lr` per group.
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: adamHd({ hypergradientLr: 1e-7 }), lr: 1e-3, params });
 */
export function adamHd(options: AdamHdOptions = {}): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  if (!(beta1 >= 0 && beta1 < 1)) throw new OptimConfigError('adam-hd.beta1', `must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new OptimConfigError('adam-hd.beta2', `must be in [0, 1), got ${beta2}`);
  if (!(eps >= 0)) throw new OptimConfigError('adam-hd.eps', `must be >= 0, got ${eps}`);
  return {
    id: 'adam-hd',
    hyperparameters: [
      { key: 'beta1', value: beta1, description: 'decay of the first-moment running average' },
      { key: 'beta2', value: beta2, description: 'decay of the second-moment running average' },
      { key: 'eps', value: eps, description: 'term added to the denominator' },
      hypergradientHyperparameter('adam-hd', options.hypergradientLr ?? HYPERGRADIENT_LR_DEFAULTS.adam),
      { key: 'step', value: 1, description: '1-based index of the update being computed (bias correction; 1 starts the learned lr at hp.lr)' },
    ],
    stateSlots: () => ['exp_avg', 'exp_avg_sq', 'prev_update'],
    groupStateSlots: HYPERGRADIENT_GROUP_SLOTS,
    emitGroup: (ctx) =>
      emitHypergradientLr(ctx, (p) => ({ gradient: effectiveGradient(ctx.scalars, p.value, p.grad, ctx.weightDecay), previous: p.state.prev_update! })),
    emit: emitAdamHd,
  };
}

/**
 * `u = m/(sqrt(v) + eps·sqrt(bc2)) · sqrt(bc2)/bc1`, which equals `m̂/(sqrt(v̂) + eps)` with the
 * bias corrections folded into scalars; `u` is kept as state for the next step's hypergradient.
 */
function emitAdamHd(ctx: ParamUpdateContext): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const { beta1, beta2, bc1, sqrtBc2 } = adamBiasCorrections(ctx);
  const g = effectiveGradient(s, p, ctx.grad, ctx.weightDecay);
  const m = combine(b, s, [{ tensor: ctx.state.exp_avg!, scale: beta1 }, ...scaleTerms(s, [g], s.oneMinus(beta1))], ctx.outputs.state.exp_avg);
  const g2 = b.op('Mul', [g.tensor, g.tensor]);
  const g2Scale = s.mulOptional(s.oneMinus(beta2), g.scale && s.mul(g.scale, g.scale));
  const v = combine(b, s, [{ tensor: ctx.state.exp_avg_sq!, scale: beta2 }, { tensor: g2, scale: g2Scale }], ctx.outputs.state.exp_avg_sq);
  const denom = b.op('Add', [b.op('Sqrt', [v]), s.mul(ctx.hp('eps'), sqrtBc2)]);
  const u = b.op('Mul', [b.op('Div', [m, denom]), s.div(sqrtBc2, bc1)], {}, { output: ctx.outputs.state.prev_update });
  combine(b, s, [{ tensor: p }, { tensor: u, scale: s.neg(ctx.lr) }], ctx.outputs.param);
}
