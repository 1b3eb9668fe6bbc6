import 'reflect-metadata';
import { container as root, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { adam, adamHd, adamw, lamb, lars, sgd, sgdHd, type LayerwiseExclusion, type Optimizer } from '@anneal/optim';
import { ortExecutor, type OrtExecutor } from '@anneal/runtime';
import { defaultGradientRegistry, type GradientRegistry } from '@anneal/autograd';
import { builtinSchedulers, SchedulerRegistry, type SchedulerDescriptor } from '@anneal/schedulers';
import type { CheckpointIO } from '@anneal/core';
import { safetensorsCheckpoints } from '@anneal/engine';

/** An optimizer the CLI can name: `--optimizer <id>`. Third-party packages can contribute more. */
export interface OptimizerDescriptor {
  id: string;
  description: string;
  /**
   * `hypergradientLr` is β of the hypergradient optimizers (`sgd-hd`, `adam-hd`); `trustCoefficient` (η of `lars`)
   * and `exclude` (`lars`, `lamb`: which tensors skip the trust ratio and weight decay) are layer-wise options; the others ignore them.
   */
  create(options: { momentum?: number; nesterov?: boolean; beta1?: number; beta2?: number; eps?: number; hypergradientLr?: number; trustCoefficient?: number; exclude?: LayerwiseExclusion }): Optimizer;
}

export const OPTIMIZERS: InjectionToken<OptimizerDescriptor> = Symbol('anneal.optimizers');
export const GRADIENT_REGISTRY: InjectionToken<GradientRegistry> = Symbol('anneal.gradient-registry');
export const EXECUTOR: InjectionToken<OrtExecutor> = Symbol('anneal.executor');
/** Scheduler descriptors (multi-registered): the built-ins plus those of plugin packages. */
export const SCHEDULERS: InjectionToken<SchedulerDescriptor> = Symbol('anneal.schedulers');
export const SCHEDULER_REGISTRY: InjectionToken<SchedulerRegistry> = Symbol('anneal.scheduler-registry');
export const CHECKPOINT_IO: InjectionToken<CheckpointIO> = Symbol('anneal.checkpoint-io');

const builtinOptimizers: OptimizerDescriptor[] = [
  { id: 'sgd', description: 'SGD (as torch.optim.SGD: plain unless `momentum` is set)', create: (o) => (o.momentum ? sgd({ momentum: o.momentum }) : sgd()) },
  { id: 'momentum', description: 'SGD with momentum (default 0.9)', create: (o) => sgd({ momentum: o.momentum ?? 0.9 }) },
  { id: 'nesterov', description: 'SGD with Nesterov momentum (default 0.9)', create: (o) => sgd({ momentum: o.momentum ?? 0.9, nesterov: true }) },
  { id: 'adam', description: 'Adam (L2 weight decay)', create: (o) => adam({ beta1: o.beta1, beta2: o.beta2, eps: o.eps }) },
  { id: 'adamw', description: 'AdamW (decoupled weight decay)', create: (o) => adamw({ beta1: o.beta1, beta2: o.beta2, eps: o.eps }) },
  {
    id: 'lars',
    description: 'LARS: momentum SGD scaled per tensor by η·||w||/||g + wd·w|| (momentum 0.9, η 1e-3; biases and norm scales excluded)',
    create: (o) => lars({ momentum: o.momentum, nesterov: o.nesterov, trustCoefficient: o.trustCoefficient, eps: o.eps, exclude: o.exclude }),
  },
  {
    id: 'lamb',
    description: 'LAMB: Adam moments + decoupled weight decay, scaled per tensor by ||w||/||r|| (eps 1e-6; biases and norm scales excluded)',
    create: (o) => lamb({ beta1: o.beta1, beta2: o.beta2, eps: o.eps, exclude: o.exclude }),
  },
  {
    id: 'sgd-hd',
    description: 'SGD with hypergradient descent on the lr (learned per group from lr; β default 1e-3; momentum/nesterov optional)',
    create: (o) => sgdHd({ momentum: o.momentum, nesterov: o.nesterov, hypergradientLr: o.hypergradientLr }),
  },
  { id: 'adam-hd', description: 'Adam with hypergradient descent on the lr (learned per group from lr; β default 1e-7)', create: (o) => adamHd({ beta1: o.beta1, beta2: o.beta2, eps: o.eps, hypergradientLr: o.hypergradientLr }) },
];

/**
 * The composition root: the only place that touches the tsyringe container. Registrations use
 * factories and values, so nothing depends on decorator metadata.
 */
export function createContainer(): DependencyContainer {
  const c = root.createChildContainer();
  for (const d of builtinOptimizers) c.register(OPTIMIZERS, { useValue: d });
  c.register(GRADIENT_REGISTRY, { useFactory: () => defaultGradientRegistry() });
  c.register(EXECUTOR, { useFactory: () => ortExecutor({ device: 'cpu' }) });
  for (const d of builtinSchedulers) c.register(SCHEDULERS, { useValue: d });
  // resolved on demand, so descriptors registered by plugins before the first resolve are included
  c.register(SCHEDULER_REGISTRY, { useFactory: (r) => new SchedulerRegistry(r.resolveAll(SCHEDULERS)) });
  c.register(CHECKPOINT_IO, { useValue: safetensorsCheckpoints });
  return c;
}

/** Finds an optimizer descriptor by id, listing the known ones when it is unknown. */
export function resolveOptimizer(c: DependencyContainer, id: string): OptimizerDescriptor {
  const all = c.resolveAll(OPTIMIZERS);
  const found = all.find((d) => d.id === id);
  if (!found) throw new Error(`unknown optimizer '${id}'; choose one of: ${all.map((d) => d.id).join(', ')}`);
  return found;
}
