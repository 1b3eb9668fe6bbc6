import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveNumber, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link polynomial}. */
export interface PolynomialOptions {
  /** Value at step 0. */
  base: number;
  /** Steps until the value reaches `end` (integer >= 1); it stays there afterwards. */
  totalIters: number;
  /** Exponent of the decay (> 0). Default 1 (linear). */
  power?: number;
  /** Value from step `totalIters` on. Default 0 (as torch `PolynomialLR`). */
  end?: number;
}

/** Zod schema of {@link PolynomialOptions}. */
export const polynomialOptions: z.ZodType<Required<PolynomialOptions>, PolynomialOptions> = z.strictObject({
  base: finiteNumber(),
  totalIters: positiveSteps(),
  power: positiveNumber().default(1),
  end: finiteNumber().default(0),
});

/**
 * Polynomial decay, the closed form of torch `PolynomialLR` (which has `end = 0`):
 * `end + (base - end) * (1 - min(step, totalIters) / totalIters)^power`.
 *
 * @example
 * ```ts
 * const lr = polynomial({ base: 0.1, totalIters: 100, power: 2 });
 * lr.valueAt(50); // 0.025
 * ```
 */
export function polynomial(options: PolynomialOptions): Schedule {
  const { base, totalIters, power, end } = parseScheduleOptions('polynomial', polynomialOptions, options);
  return {
    valueAt(t) {
      checkStep('polynomial', t);
      return end + (base - end) * (1 - Math.min(t, totalIters) / totalIters) ** power;
    },
  };
}
