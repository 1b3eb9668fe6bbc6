import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link inverseSqrt}. */
export interface InverseSqrtOptions {
  /** Peak value, reached at step `warmup - 1`. */
  base: number;
  /** Warmup length in steps (integer >= 1; 1 means no warmup: `base / sqrt(step + 1)`). */
  warmup: number;
}

/** Zod schema of {@link InverseSqrtOptions}. */
export const inverseSqrtOptions: z.ZodType<InverseSqrtOptions, InverseSqrtOptions> = z.strictObject({
  base: finiteNumber(),
  warmup: positiveSteps(),
});

/**
 * The transformer schedule (Vaswani et al. 2017), normalised so that its peak is `base`. With
 * `s = step + 1` (the number of updates done once this step's update is applied):
 *
 * `value = base * min(s / warmup, sqrt(warmup / s))`
 *
 * i.e. a linear warmup from `base / warmup` at step 0 to `base` at step `warmup - 1`, then decay
 * proportional to `1 / sqrt(s)`. The paper's `dModel^-0.5 * min(s^-0.5, s * warmup^-1.5)` is this
 * with `base = (dModel * warmup)^-0.5`.
 *
 * @example
 * ```ts
 * const lr = inverseSqrt({ base: 1e-3, warmup: 4000 });
 * lr.valueAt(3999);  // 1e-3
 * lr.valueAt(15999); // 5e-4 (s = 16000 = 4 * warmup)
 * ```
 */
export function inverseSqrt(options: InverseSqrtOptions): Schedule {
  const { base, warmup } = parseScheduleOptions('inverse-sqrt', inverseSqrtOptions, options);
  return {
    valueAt(t) {
      checkStep('inverse-sqrt', t);
      const s = t + 1;
      return base * Math.min(s / warmup, Math.sqrt(warmup / s));
    },
  };
}
