import type { PluginContext, PluginDescriptor } from '@anneal/plugin';
import { z } from 'zod';
import { adam } from './adam.js';
import { adamHd } from './adam-hd.js';
import { adamw } from './adamw.js';
import { lamb } from './lamb.js';
import { lars } from './lars.js';
import type { Optimizer } from './optimizer.js';
import { sgd } from './sgd.js';
import { sgdHd } from './sgd-hd.js';

/** What an optimizer's `create` receives besides its options. */
export type OptimizerContext = PluginContext;

/**
 * An optimizer that configs can name (`optimizer: { type: <id>, package?, lr, ...options }`): the
 * `optimizer` kind of the plugin contract. The options are the optimizer's own (momentum,
 * betas, ...); the learning rate, weight decay, clipping, groups and weight averaging are the
 * update's, common to every optimizer, and never part of them.
 */
export type OptimizerDescriptor<O = unknown> = PluginDescriptor<'optimizer', O, Optimizer, OptimizerContext>;

/** The registry type map of the optimizer kind. */
export interface OptimizerKinds {
  optimizer: { product: Optimizer; context: OptimizerContext };
}

/**
 * An optimizer descriptor (`kind: 'optimizer'` filled in), its option type inferred from the schema.
 *
 * @example
 * ```ts
 * export const lion = defineOptimizer({ id: 'lion', description: 'sign of interpolated momentum', options: z.strictObject({ beta1: z.number().default(0.9) }), create: (o) => myLion(o) });
 * ```
 */
export function defineOptimizer<O>(descriptor: Omit<OptimizerDescriptor<O>, 'kind'>): OptimizerDescriptor<O> {
  return { kind: 'optimizer', ...descriptor };
}

const unit = () => z.number().min(0).lt(1);
const beta = { beta1: unit().optional(), beta2: unit().optional(), eps: z.number().nonnegative().optional() };
const exclude = z.enum(['none', 'vectors']).optional().describe("tensors left out of the trust ratio and weight decay ('vectors': biases and norm scales)");
const hypergradientLr = z.number().nonnegative().optional().describe('β: how fast the learned lr moves');

/** Every built-in optimizer, for a `PluginRegistry` (their ids are what `optimizer.type` names). */
export const builtinOptimizers: readonly OptimizerDescriptor[] = [
  defineOptimizer({
    id: 'sgd',
    description: 'SGD as torch.optim.SGD: plain unless `momentum` is set (dampening, nesterov optional)',
    options: z.strictObject({ momentum: unit().optional(), dampening: unit().optional(), nesterov: z.boolean().optional() }),
    create: (o) => sgd(o),
  }),
  defineOptimizer({
    id: 'momentum',
    description: 'SGD with momentum (default 0.9)',
    options: z.strictObject({ momentum: unit().default(0.9), dampening: unit().optional() }),
    create: (o) => sgd(o),
  }),
  defineOptimizer({
    id: 'nesterov',
    description: 'SGD with Nesterov momentum (default 0.9)',
    options: z.strictObject({ momentum: unit().default(0.9) }),
    create: (o) => sgd({ momentum: o.momentum, nesterov: true }),
  }),
  defineOptimizer({ id: 'adam', description: 'Adam (L2 weight decay added to the gradient)', options: z.strictObject({ ...beta, amsgrad: z.boolean().optional() }), create: (o) => adam(o) }),
  defineOptimizer({ id: 'adamw', description: 'AdamW (decoupled weight decay)', options: z.strictObject({ ...beta, amsgrad: z.boolean().optional() }), create: (o) => adamw(o) }),
  defineOptimizer({
    id: 'lars',
    description: 'LARS: momentum SGD scaled per tensor by η·||w||/||g + wd·w|| (momentum 0.9, η 1e-3; biases and norm scales excluded)',
    options: z.strictObject({ momentum: unit().optional(), nesterov: z.boolean().optional(), trustCoefficient: z.number().positive().optional(), eps: z.number().nonnegative().optional(), exclude }),
    create: (o) => lars(o),
  }),
  defineOptimizer({
    id: 'lamb',
    description: 'LAMB: Adam moments + decoupled weight decay, scaled per tensor by ||w||/||r|| (eps 1e-6; biases and norm scales excluded)',
    options: z.strictObject({ ...beta, exclude }),
    create: (o) => lamb(o),
  }),
  defineOptimizer({
    id: 'sgd-hd',
    description: 'SGD with hypergradient descent on the lr (learned per group from lr; β default 1e-3; momentum/nesterov optional)',
    options: z.strictObject({ momentum: unit().optional(), nesterov: z.boolean().optional(), hypergradientLr }),
    create: (o) => sgdHd(o),
  }),
  defineOptimizer({ id: 'adam-hd', description: 'Adam with hypergradient descent on the lr (learned per group from lr; β default 1e-7)', options: z.strictObject({ ...beta, hypergradientLr }), create: (o) => adamHd(o) }),
];
