import { OptimConfigError } from './errors.js';
import { combine, scaleTerms, type Term } from './linear-combination.js';
import type { Optimizer, ParamUpdateContext } from './optimizer.js';

/** Options of {@link sgd}. `lr` and weight decay are per parameter group (see `OptimizerUpdateConfig`). */
export interface SgdOptions {
  /** Momentum factor; 0 (default) means plain SGD with no state and no `hp.momentum` input. */
  momentum?: number;
  /** Dampening of the gradient added to the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (as in PyTorch). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's `torch.optim.SGD` semantics:
 * `g = grad + wd*p`; with momentum, `buf = g` on the first step (`hp.step` = 1) and
 * `buf = momentum*buf + (1-dampening)*g` afterwards; Nesterov uses `g + momentum*buf`;
 * `p = p - lr*update`. The first-step rule is branch-free: two scalar `Where`s on `hp.step < 1.5`.
 *
 * Inputs it adds: `hp.momentum`, `hp.dampening`, `hp.step` (only when momentum > 0).
 * State: `momentum_buffer` (only when momentum > 0).
 *
 * @example
 * emitOptimizerUpdate(b, { optimizer: sgd({ momentum: 0.9, nesterov: true }), lr: 0.1, params });
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  const dampening = options.dampening ?? 0;
  const nesterov = options.nesterov ?? false;
  if (!(momentum >= 0 && momentum < 1)) throw new OptimConfigError('sgd.momentum', `must be in [0, 1), got ${momentum}`);
  if (!(dampening >= 0 && dampening <= 1)) throw new OptimConfigError('sgd.dampening', `must be in [0, 1], got ${dampening}`);
  if (nesterov && (momentum === 0 || dampening !== 0)) {
    throw new OptimConfigError('sgd.nesterov', 'Nesterov momentum requires momentum > 0 and dampening = 0; set both or turn nesterov off');
  }
  const useMomentum = momentum > 0;
  return {
    id: nesterov ? 'sgd-nesterov' : useMomentum ? 'sgd-momentum' : 'sgd',
    // With dampening 0 (the default) the zero-initialized buffer gives buf = g on the first step by
    // itself (momentum·0 + g), so no step input and no first-step select are emitted.
    hyperparameters: useMomentum
      ? [
          { key: 'momentum', value: momentum, description: 'momentum factor' },
          ...(dampening > 0
            ? [
                { key: 'dampening', value: dampening, description: 'dampening of the gradient added to the momentum buffer' },
                { key: 'step', value: 1, description: '1-based index of the update being computed (1 initializes the momentum buffer)' },
              ]
            : []),
        ]
      : [],
    stateSlots: () => (useMomentum ? ['momentum_buffer'] : []),
    emit: (ctx) => emitSgd(ctx, useMomentum, nesterov, dampening > 0),
  };
}

function emitSgd(ctx: ParamUpdateContext, useMomentum: boolean, nesterov: boolean, dampened: boolean): void {
  const { builder: b, scalars: s, value: p } = ctx;
  const grad: Term[] = [ctx.grad];
  if (ctx.weightDecay) grad.push({ tensor: p, scale: ctx.weightDecay });
  let update: Term[] = grad;
  if (useMomentum) {
    const mom = ctx.hp('momentum');
    let bufScale: string | undefined = mom;
    let gradScale: string | undefined;
    if (dampened) {
      // PyTorch initializes the buffer with the undamped gradient on the first step
      const first = s.less(ctx.hp('step'), s.constant(1.5));
      bufScale = s.where(first, s.constant(0), mom);
      gradScale = s.where(first, s.constant(1), s.oneMinus(ctx.hp('dampening')));
    }
    const buf = combine(b, s, [{ tensor: ctx.state.momentum_buffer!, scale: bufScale }, ...scaleTerms(s, grad, gradScale)], ctx.outputs.state.momentum_buffer);
    update = nesterov ? [...grad, { tensor: buf, scale: mom }] : [{ tensor: buf }];
  }
  combine(b, s, [{ tensor: p }, ...scaleTerms(s, update, s.neg(ctx.lr))], ctx.outputs.param);
}
