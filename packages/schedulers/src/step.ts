import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveNumber, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link step}. */
export interface StepOptions {
  /** Value for steps 0..stepSize-1. */
  base: number;
  /** Steps between two decays (integer >= 1). */
  stepSize: number;
  /** Factor applied every `stepSize` steps (> 0). Default 0.1. */
  gamma?: number;
}

/** Zod schema of {@link StepOptions}. */
export const stepOptions: z.ZodType<Required<StepOptions>, StepOptions> = z.strictObject({
  base: finiteNumber(),
  stepSize: positiveSteps(),
  gamma: positiveNumber().default(0.1),
});

/**
 * Step decay, like torch `StepLR`: `base * gamma^floor(step / stepSize)`.
 *
 * @example
 * ```ts
 * const lr = step({ base: 0.1, stepSize: 30, gamma: 0.1 });
 * lr.valueAt(29); // 0.1
 * lr.valueAt(30); // 0.01
 * ```
 */
export function step(options: StepOptions): Schedule {
  const { base, stepSize, gamma } = parseScheduleOptions('step', stepOptions, options);
  return {
    valueAt(t) {
      checkStep('step', t);
      return base * gamma ** Math.floor(t / stepSize);
    },
  };
}
