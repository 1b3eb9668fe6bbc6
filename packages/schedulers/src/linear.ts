import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** The value the factors multiply. */
  base: number;
  /** Factor at step 0 (>= 0). */
  startFactor: number;
  /** Factor from step `totalIters` on (>= 0). Default 1. */
  endFactor?: number;
  /** Steps to go from `startFactor` to `endFactor` (integer >= 1). */
  totalIters: number;
}

/** Zod schema of {@link LinearOptions}. */
export const linearOptions: z.ZodType<Required<LinearOptions>, LinearOptions> = z.strictObject({
  base: finiteNumber(),
  startFactor: z.number().nonnegative(),
  endFactor: z.number().nonnegative().default(1),
  totalIters: positiveSteps(),
});

/**
 * A linear ramp of the factor, the closed form of torch `LinearLR`:
 * `base * (startFactor + (endFactor - startFactor) * min(step, totalIters) / totalIters)`.
 * Unlike torch, `startFactor` and `totalIters` have no defaults.
 *
 * @example
 * ```ts
 * const lr = linear({ base: 0.1, startFactor: 0.1, totalIters: 10 });
 * [lr.valueAt(0), lr.valueAt(5), lr.valueAt(10)]; // [0.01, 0.055, 0.1]
 * ```
 */
export function linear(options: LinearOptions): Schedule {
  const { base, startFactor, endFactor, totalIters } = parseScheduleOptions('linear', linearOptions, options);
  return {
    valueAt(t) {
      checkStep('linear', t);
      return base * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, t)) / totalIters);
    },
  };
}
