import { z } from 'zod';
import { chained } from './chained.js';
import { constant, constantOptions } from './constant.js';
import { cosine, cosineOptions } from './cosine.js';
import { cosineWithWarmRestarts, cosineWithWarmRestartsOptions } from './cosine-with-warm-restarts.js';
import { defineScheduler, scheduleSpecSchema, type SchedulerDescriptor } from './descriptor.js';
import { exponential, exponentialOptions } from './exponential.js';
import { inverseSqrt, inverseSqrtOptions } from './inverse-sqrt.js';
import { linear, linearOptions } from './linear.js';
import { milestonesSchema } from './milestones.js';
import { multiStep, multiStepOptions } from './multi-step.js';
import { oneCycle, oneCycleOptions } from './one-cycle.js';
import { polynomial, polynomialOptions } from './polynomial.js';
import { reduceOnPlateau, reduceOnPlateauOptions } from './reduce-on-plateau.js';
import { sequential } from './sequential.js';
import { step, stepOptions } from './step.js';
import { checkWarmupFactor, warmup, warmupFields } from './warmup.js';

const schedules = z.array(scheduleSpecSchema).min(1);

/** Config options of the `warmup` descriptor: the warmup options plus the wrapped schedule. */
const warmupConfig = z.strictObject({ ...warmupFields, inner: scheduleSpecSchema }).superRefine(checkWarmupFactor);

/** Config options of the `sequential` descriptor. */
const sequentialConfig = z.strictObject({ schedules, milestones: milestonesSchema() }).superRefine((o, ctx) => {
  if (o.milestones.length !== o.schedules.length - 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['milestones'],
      message: `needs one entry fewer than schedules (${o.schedules.length - 1}), got ${o.milestones.length}`,
    });
  }
});

/**
 * Descriptors of every built-in schedule, wrapper and composition (the `schedule` kind of the
 * plugin contract), for a `PluginRegistry` of @anneal/plugin.
 *
 * @example
 * ```ts
 * const registry = new PluginRegistry<SchedulerKinds>(builtinSchedulers);
 * registry.ids('schedule'); // ['constant', 'step', 'multi-step', ...]
 * ```
 */
export const builtinSchedulers: readonly SchedulerDescriptor[] = [
  defineScheduler({
    id: 'constant',
    description: 'the same value at every step',
    options: constantOptions,
    create: constant,
  }),
  defineScheduler({
    id: 'step',
    description: 'multiply by gamma every stepSize steps (torch StepLR)',
    options: stepOptions,
    create: step,
  }),
  defineScheduler({
    id: 'multi-step',
    description: 'multiply by gamma at each milestone (torch MultiStepLR)',
    options: multiStepOptions,
    create: multiStep,
  }),
  defineScheduler({
    id: 'exponential',
    description: 'multiply by gamma every step (torch ExponentialLR)',
    options: exponentialOptions,
    create: exponential,
  }),
  defineScheduler({
    id: 'cosine',
    description: 'cosine annealing from base to etaMin over tMax steps (torch CosineAnnealingLR)',
    options: cosineOptions,
    create: cosine,
  }),
  defineScheduler({
    id: 'cosine-with-warm-restarts',
    description: 'cosine annealing restarted every cycle, cycles tMult times longer, peaks times peakDecay (SGDR)',
    options: cosineWithWarmRestartsOptions,
    create: cosineWithWarmRestarts,
  }),
  defineScheduler({
    id: 'linear',
    description: 'linear ramp of a factor from startFactor to endFactor (torch LinearLR)',
    options: linearOptions,
    create: linear,
  }),
  defineScheduler({
    id: 'inverse-sqrt',
    description: 'linear warmup then decay as 1/sqrt(step) (transformer schedule)',
    options: inverseSqrtOptions,
    create: inverseSqrt,
  }),
  defineScheduler({
    id: 'polynomial',
    description: 'polynomial decay to end over totalIters steps (torch PolynomialLR)',
    options: polynomialOptions,
    create: polynomial,
  }),
  defineScheduler({
    id: 'one-cycle',
    description: '1cycle: up to max then down to a tiny value (torch OneCycleLR)',
    options: oneCycleOptions,
    create: oneCycle,
  }),
  defineScheduler({
    id: 'reduce-on-plateau',
    description: 'multiply by factor when the observed metric stops improving (torch ReduceLROnPlateau)',
    options: reduceOnPlateauOptions,
    create: reduceOnPlateau,
  }),
  defineScheduler({
    id: 'warmup',
    description: 'linear or constant warmup factor over the first steps of an inner schedule (not shifted)',
    options: warmupConfig,
    create: (o, context) => warmup(context.build(o.inner), { steps: o.steps, mode: o.mode, startFactor: o.startFactor }),
  }),
  defineScheduler({
    id: 'sequential',
    description: 'schedules one after another, each restarting at its step 0 at its milestone (torch SequentialLR)',
    options: sequentialConfig,
    create: (o, context) => sequential(o.schedules.map((s) => context.build(s)), o.milestones),
  }),
  defineScheduler({
    id: 'chained',
    description: 'product of schedules (give all but one base 1 so they act as factors; torch ChainedScheduler)',
    options: z.strictObject({ schedules }),
    create: (o, context) => chained(o.schedules.map((s) => context.build(s))),
  }),
];
