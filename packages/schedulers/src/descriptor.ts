import { pluginSpecSchema, type PluginContext, type PluginDescriptor, type PluginSpec } from '@anneal/plugin';
import type { z } from 'zod';
import type { Schedule } from './schedule.js';

/**
 * A schedule in config form: `type` is a descriptor id, `package` (optional) the npm package that
 * provides it, every other key an option of that schedule.
 *
 * @example
 * ```ts
 * const spec: ScheduleSpec = { type: 'warmup', steps: 100, inner: { type: 'cosine', base: 0.1, tMax: 1000 } };
 * ```
 */
export type ScheduleSpec = PluginSpec;

/** What a scheduler's `create` gets besides its options: a way to build nested specs (wrappers, compositions). */
export interface SchedulerContext extends PluginContext {
  /** Builds a nested spec found in this descriptor's options; errors name the nested config path. */
  build(spec: ScheduleSpec): Schedule;
}

/**
 * A schedule that configs can name: the `schedule` kind of the plugin contract
 * (@anneal/plugin). `options` validates the config's options (every key but `type` and
 * `package`); `create` gets the parsed options.
 *
 * @example
 * ```ts
 * const descriptor = defineScheduler({
 *   id: 'halving',
 *   description: 'halves every `every` steps',
 *   options: z.strictObject({ base: z.number(), every: z.number().int().positive() }),
 *   create: (o) => step({ base: o.base, stepSize: o.every, gamma: 0.5 }),
 * });
 * ```
 */
export type SchedulerDescriptor<O = unknown> = PluginDescriptor<'schedule', O, Schedule, SchedulerContext>;

/** The registry type map of the schedule kind: `new PluginRegistry<SchedulerKinds>(builtinSchedulers)`. */
export interface SchedulerKinds {
  schedule: { product: Schedule; context: SchedulerContext };
}

/** Zod schema of a nested {@link ScheduleSpec} (its options are checked by its own descriptor). */
export const scheduleSpecSchema: z.ZodType<ScheduleSpec> = pluginSpecSchema;

/**
 * A scheduler descriptor (`kind: 'schedule'` is filled in), with the option type inferred from its schema.
 *
 * @example
 * ```ts
 * export const descriptors = [defineScheduler({ id: 'my-schedule', description: '...', options, create })];
 * ```
 */
export function defineScheduler<O>(descriptor: Omit<SchedulerDescriptor<O>, 'kind'>): SchedulerDescriptor<O> {
  return { kind: 'schedule', ...descriptor };
}
