import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link constant}. */
export interface ConstantOptions {
  /** The value at every step. */
  base: number;
}

/** Zod schema of {@link ConstantOptions}. */
export const constantOptions: z.ZodType<ConstantOptions, ConstantOptions> = z.strictObject({ base: finiteNumber() });

/**
 * The same value at every step.
 *
 * @example
 * ```ts
 * constant({ base: 0.9 }).valueAt(123); // 0.9
 * ```
 */
export function constant(options: ConstantOptions): Schedule {
  const { base } = parseScheduleOptions('constant', constantOptions, options);
  return {
    valueAt(step) {
      checkStep('constant', step);
      return base;
    },
  };
}
