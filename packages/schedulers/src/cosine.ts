import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link cosine}. */
export interface CosineOptions {
  /** Value at step 0 (the peak). */
  base: number;
  /** Steps from `base` down to `etaMin` (integer >= 1). */
  tMax: number;
  /** Value at step `tMax`. Default 0. */
  etaMin?: number;
}

/** Zod schema of {@link CosineOptions}. */
export const cosineOptions: z.ZodType<Required<CosineOptions>, CosineOptions> = z.strictObject({
  base: finiteNumber(),
  tMax: positiveSteps(),
  etaMin: finiteNumber().default(0),
});

/**
 * Cosine annealing, the closed form of torch `CosineAnnealingLR`:
 * `etaMin + (base - etaMin) * (1 + cos(pi * step / tMax)) / 2`.
 *
 * Like torch's closed form it is not clamped: past `tMax` the value rises again (period
 * `2 * tMax`). To hold `etaMin` afterwards, use `sequential([cosine(...), constant(...)], [tMax])`.
 *
 * @example
 * ```ts
 * const lr = cosine({ base: 0.1, tMax: 100, etaMin: 0.001 });
 * lr.valueAt(0);   // 0.1
 * lr.valueAt(50);  // 0.0505
 * lr.valueAt(100); // 0.001
 * ```
 */
export function cosine(options: CosineOptions): Schedule {
  const { base, tMax, etaMin } = parseScheduleOptions('cosine', cosineOptions, options);
  return {
    valueAt(t) {
      checkStep('cosine', t);
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
    },
  };
}
