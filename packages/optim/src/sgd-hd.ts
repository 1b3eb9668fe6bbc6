import { OptimConfigError } from './errors.js';
import { emitHypergradientLr, effectiveGradient, hypergradientHyperparameter, HYPERGRADIENT_GROUP_SLOTS, HYPERGRADIENT_LR_DEFAULTS } from './hypergradient.js';
import { combine, scaleTerms } from './linear-combination.js';
import type { Optimizer, ParamUpdateContext } from './optimizer.js';

/** Options of {@link sgdHd}. The initial learning rate is the group's `lr`. */
export interface SgdHdOptions {
  /** Heavy-ball momentum factor (default 0: plain SGD-HD). */
  momentum?: number;
  /** Nesterov momentum (SGDN-HD); needs momentum > 0. */
  nesterov?: boolean;
  /** Hypergradient learning rate β (default {@link HYPERGRADIENT_LR_DEFAULTS}.sgd = 1e-3); the `hp.hypergradient_lr` input. */
  hypergradientLr?: number;
}

/** Which state slot holds the previous update direction `d` (the parameter moved by `-α·d`). */
function directionSlot(momentum: number, nesterov: boolean): string {
  if (nesterov) return 'prev_direction';
  return momentum > 0 ? 'momentum_buffer' : 'prev_grad';
}

/**
 * SGD with hypergradient descent on the learning rate (SGD-HD; with `nesterov`, SGDN-HD; Baydin
 * et al., ICLR 2018). Every parameter group learns its own rate α in the graph:
 * `h_t = Σ g_t · d_{t-1}` over the group's parameters, `α_t = α_{t-1} + β·h_t`, then
 * `p = p - α_t·d_t`, where `d` is the update direction: the gradient (plain), the momentum buffer
 * `buf = μ·buf + g` (momentum) or `g + μ·buf` (Nesterov). `g` includes clipping and L2 weight decay.
 * The group's `lr` is α's initial value; a schedule on lr scales α by its step-to-step ratio (see
 * `emitHypergradientLr`).
 *
 * Inputs it adds: `hp.hypergradient_lr`, `hp.step` (and `hp.momentum`). State: `prev_grad` per
 * parameter (`momentum_buffer`, plus `prev_direction` for Nesterov), and per group `lr` (α, the
 * rate the last step applied: read it from `state.lr.<group>` or the `stats.lr.<group>` output)
 * and `scheduled_lr`.
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: sgdHd({ hypergradientLr: 1e-3 }), lr: 1e-4, params });
 */
export function sgdHd(options: SgdHdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  const nesterov = options.nesterov ?? false;
  if (!(momentum >= 0 && momentum < 1)) throw new OptimConfigError('sgd-hd.momentum', `must be in [0, 1), got ${momentum}`);
  if (nesterov && momentum === 0) throw new OptimConfigError('sgd-hd.nesterov', 'Nesterov momentum requires momentum > 0; set momentum or turn nesterov off');
  const slot = directionSlot(momentum, nesterov);
  return {
    id: nesterov ? 'sgd-nesterov-hd' : momentum > 0 ? 'sgd-momentum-hd' : 'sgd-hd',
    hyperparameters: [
      ...(momentum > 0 ? [{ key: 'momentum', value: momentum, description: 'momentum factor' }] : []),
      hypergradientHyperparameter('sgd-hd', options.hypergradientLr ?? HYPERGRADIENT_LR_DEFAULTS.sgd),
      { key: 'step', value: 1, description: '1-based index of the update being computed (1 starts the learned lr at hp.lr)' },
    ],
    stateSlots: () => (nesterov ? ['momentum_buffer', 'prev_direction'] : [slot]),
    groupStateSlots: HYPERGRADIENT_GROUP_SLOTS,
    emitGroup: (ctx) =>
      emitHypergradientLr(ctx, (p) => ({ gradient: effectiveGradient(ctx.scalars, p.value, p.grad, ctx.weightDecay), previous: p.state[slot]! })),
    emit: (ctx) => emitSgdHd(ctx, momentum > 0, nesterov),
  };
}

function emitSgdHd(ctx: ParamUpdateContext, useMomentum: boolean, nesterov: boolean): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const g = effectiveGradient(s, p, ctx.grad, ctx.weightDecay);
  let direction: string;
  if (!useMomentum) {
    // the gradient is the next step's previous direction
    direction = g.scale ? b.op('Mul', [g.tensor, g.scale], {}, { output: ctx.outputs.state.prev_grad }) : b.op('Identity', [g.tensor], {}, { output: ctx.outputs.state.prev_grad });
  } else {
    const mom = ctx.hp('momentum');
    const buf = combine(b, s, [{ tensor: ctx.state.momentum_buffer!, scale: mom }, g], ctx.outputs.state.momentum_buffer);
    direction = nesterov ? combine(b, s, [g, { tensor: buf, scale: mom }], ctx.outputs.state.prev_direction) : buf;
  }
  combine(b, s, [{ tensor: p }, ...scaleTerms(s, [{ tensor: direction }], s.neg(ctx.lr))], ctx.outputs.param);
}
