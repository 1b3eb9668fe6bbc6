import { z } from 'zod';
import { ScheduleError } from './errors.js';
import { locateIssue } from '@anneal/plugin';

/** A finite number (zod 4 numbers already reject NaN and ±Infinity). */
export const finiteNumber = (): z.ZodNumber => z.number();
/** A finite number > 0. */
export const positiveNumber = (): z.ZodNumber => z.number().positive();
/** An integer >= 0 (a step count that may be zero). */
export const stepCount = (): z.ZodNumber => z.number().int().nonnegative();
/** An integer >= 1 (a period or length in steps). */
export const positiveSteps = (): z.ZodNumber => z.number().int().positive();

/**
 * Validates a schedule's options with its zod schema and returns them with defaults filled in. The
 * first problem becomes a {@link ScheduleError} naming the option, so factories called from code
 * report errors the same way the registry does for configs.
 *
 * @example
 * ```ts
 * const o = parseScheduleOptions('cyclic-triangular', cyclicOptions, options);
 * ```
 */
export function parseScheduleOptions<Out, In>(schedule: string, schema: z.ZodType<Out, In>, options: In): Out {
  const parsed = schema.safeParse(options, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new ScheduleError(schedule, 'options', `options are invalid: ${parsed.error.message}`);
  const { path, message } = locateIssue('', issue, schema);
  const option = path || 'options';
  throw new ScheduleError(schedule, option, `${option}: ${message}. Fix the options passed to ${schedule}().`);
}

/**
 * Throws unless `step` is an integer >= 0. Every `valueAt` and `observe` calls it, so a
 * fractional or negative step fails loudly instead of giving a plausible value.
 *
 * @example
 * ```ts
 * valueAt(step) { checkStep('cyclic-triangular', step); return ...; }
 * ```
 */
export function checkStep(schedule: string, step: number): void {
  if (!Number.isInteger(step) || step < 0) {
    throw new ScheduleError(
      schedule,
      'step',
      `step must be an integer >= 0, got ${String(step)}. Pass the 0-based optimizer step (or epoch) count.`,
    );
  }
}
