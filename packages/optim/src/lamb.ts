import { adamBiasCorrections } from './adam.js';
import { OptimConfigError } from './errors.js';
import { combine, scaleTerms, type Term } from './linear-combination.js';
import type { HyperparameterDefault, Optimizer, ParamUpdateContext } from './optimizer.js';
import { exclusionOption, isExcluded, normOfCombination, trustRatio, type LayerwiseExclusion } from './trust-ratio.js';

/** Options of {@link lamb}. `lr` and weight decay are per parameter group (see `OptimizerUpdateConfig`). */
export interface LambOptions {
  /** Decay of the first-moment running average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment running average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to `sqrt(v_hat)` (default 1e-6). */
  eps?: number;
  /** Parameters left out of the trust ratio and weight decay (default `'vectors'`: rank <= 1). */
  exclude?: LayerwiseExclusion;
}

function lambHyperparameters(o: LambOptions): HyperparameterDefault[] {
  const beta1 = o.beta1 ?? 0.9;
  const beta2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-6;
  if (!(beta1 >= 0 && beta1 < 1)) throw new OptimConfigError('lamb.beta1', `must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new OptimConfigError('lamb.beta2', `must be in [0, 1), got ${beta2}`);
  if (!(eps >= 0 && Number.isFinite(eps))) throw new OptimConfigError('lamb.eps', `must be a finite number >= 0, got ${eps}`);
  return [
    { key: 'beta1', value: beta1, description: 'decay of the first-moment running average' },
    { key: 'beta2', value: beta2, description: 'decay of the second-moment running average' },
    { key: 'eps', value: eps, description: 'term added to sqrt(v_hat)' },
    { key: 'step', value: 1, description: '1-based index of the update being computed (bias correction)' },
  ];
}

/**
 * LAMB, layer-wise adaptive moments (You et al. 2019, "Large batch optimization for deep
 * learning"): Adam's bias-corrected moments plus decoupled weight decay, scaled per parameter
 * tensor by a trust ratio. Per parameter tensor `w` with gradient `g`, group weight decay `wd` and
 * `t` = `hp.step`:
 *
 * ```
 * m = beta1*m + (1-beta1)*g            m_hat = m / (1 - beta1^t)
 * v = beta2*v + (1-beta2)*g^2          v_hat = v / (1 - beta2^t)
 * r = m_hat / (sqrt(v_hat) + eps) + wd*w
 * λ = ||w|| / ||r||                    (λ = 1 when ||w|| = 0 or ||r|| = 0)
 * w = w - lr*λ*r
 * ```
 *
 * Excluded parameters (see {@link LayerwiseExclusion}) use λ = 1 and no weight decay, i.e. Adam.
 * The bias corrections fold into scalars as in {@link adam}; without weight decay `r` is never
 * materialized (its norm is a scalar multiple of the Adam ratio's).
 *
 * Inputs it adds: `hp.beta1`, `hp.beta2`, `hp.eps`, `hp.step`. State: `exp_avg`, `exp_avg_sq`.
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: lamb(), lr: 2e-3, weightDecay: 0.01, params });
 */
export function lamb(options: LambOptions = {}): Optimizer {
  const hyperparameters = lambHyperparameters(options);
  const exclude = exclusionOption('lamb', options.exclude);
  return {
    id: 'lamb',
    hyperparameters,
    stateSlots: () => ['exp_avg', 'exp_avg_sq'],
    emit: (ctx) => emitLamb(ctx, exclude),
  };
}

function emitLamb(ctx: ParamUpdateContext, exclude: LayerwiseExclusion): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const excluded = isExcluded(ctx.param, exclude);
  const { beta1, beta2, bc1, sqrtBc2 } = adamBiasCorrections(ctx);
  const g = ctx.grad;
  const m = combine(b, s, [{ tensor: ctx.state.exp_avg!, scale: beta1 }, ...scaleTerms(s, [g], s.oneMinus(beta1))], ctx.outputs.state.exp_avg);
  const g2 = b.op('Mul', [g.tensor, g.tensor]);
  const g2Scale = s.mulOptional(s.oneMinus(beta2), g.scale && s.mul(g.scale, g.scale));
  const v = combine(b, s, [{ tensor: ctx.state.exp_avg_sq!, scale: beta2 }, { tensor: g2, scale: g2Scale }], ctx.outputs.state.exp_avg_sq);
  // m_hat / (sqrt(v_hat) + eps) = m / (sqrt(v) + eps*sqrt(bc2)) * sqrt(bc2)/bc1
  const ratio = b.op('Div', [m, b.op('Add', [b.op('Sqrt', [v]), s.mul(ctx.hp('eps'), sqrtBc2)])]);
  let r: readonly Term[] = [{ tensor: ratio, scale: s.div(sqrtBc2, bc1) }];
  let stepScale = ctx.lr;
  if (!excluded) {
    if (ctx.weightDecay) r = [...r, { tensor: p, scale: ctx.weightDecay }];
    const rNorm = normOfCombination(b, s, r);
    r = rNorm.terms;
    const trust = trustRatio(b, s, b.op('ReduceL2', [p], { keepdims: 0 }), rNorm.norm);
    stepScale = b.op('Mul', [ctx.lr, trust]);
  }
  combine(b, s, [{ tensor: p }, ...scaleTerms(s, r, s.neg(stepScale))], ctx.outputs.param);
}
