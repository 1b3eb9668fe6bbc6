import { z } from 'zod';
import type { Schedule } from './schedule';

/**
 * A schedule in config form: `type` is a descriptor id, `package` (optional) the npm package that
 * provides it, every other key an option of that schedule.
 *
 * @example
 * ```ts
 * const spec: ScheduleSpec = { type: 'warmup', steps: 100, inner: { type: 'cosine', base: 0.1, tMax: 1000 } };
 * ```
 */
export type ScheduleSpec = { type: string; package?: string } & Record<string, unknown>;

/** What a descriptor's `create` gets besides its options: a way to build nested specs (wrappers, compositions). */
export interface SchedulerContext {
  /** Builds a nested spec found in this descriptor's options; errors name the nested config path. */
  build(spec: ScheduleSpec): Schedule;
}

/**
 * A schedule that configs can name: what a scheduler plugin exports. `options` validates the
 * config's options (every key but `type` and `package`); `create` gets the parsed options.
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
export interface SchedulerDescriptor<O = unknown> {
  /** kebab-case id, unique among the registered descriptors (e.g. `cosine`). */
  id: string;
  /** One line for humans (CLI listings). */
  description: string;
  /** Zod 4 schema of the options object. */
  options: z.ZodType<O>;
  /** Builds the schedule from parsed options; nested specs go through `context.build`. */
  create(options: O, context: SchedulerContext): Schedule;
}

/** Zod schema of a nested {@link ScheduleSpec} (its options are checked by its own descriptor). */
export const scheduleSpecSchema: z.ZodType<ScheduleSpec> = z.looseObject({
  type: z.string().min(1),
  package: z.string().min(1).optional(),
});

/**
 * Identity function that infers a descriptor's option type from its schema.
 *
 * @example
 * ```ts
 * export const descriptors = [defineScheduler({ id: 'my-schedule', description: '...', options, create })];
 * ```
 */
export function defineScheduler<O>(descriptor: SchedulerDescriptor<O>): SchedulerDescriptor<O> {
  return descriptor;
}

/** True for kebab-case ids: lower-case letters and digits in dash-separated words (`cosine-with-warm-restarts`). */
export function isKebabCase(id: string): boolean {
  return /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id);
}
