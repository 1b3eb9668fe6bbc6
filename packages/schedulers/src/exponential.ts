import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveNumber } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link exponential}. */
export interface ExponentialOptions {
  /** Value at step 0. */
  base: number;
  /** Factor applied every step (> 0). */
  gamma: number;
}

/** Zod schema of {@link ExponentialOptions}. */
export const exponentialOptions: z.ZodType<ExponentialOptions, ExponentialOptions> = z.strictObject({
  base: finiteNumber(),
  gamma: positiveNumber(),
});

/**
 * Exponential decay, like torch `ExponentialLR`: `base * gamma^step`.
 *
 * @example
 * ```ts
 * exponential({ base: 1, gamma: 0.9 }).valueAt(2); // 0.81
 * ```
 */
export function exponential(options: ExponentialOptions): Schedule {
  const { base, gamma } = parseScheduleOptions('exponential', exponentialOptions, options);
  return {
    valueAt(t) {
      checkStep('exponential', t);
      return base * gamma ** t;
    },
  };
}
