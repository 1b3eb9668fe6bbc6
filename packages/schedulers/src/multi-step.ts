import { z } from 'zod';
import { countReached, milestonesSchema } from './milestones.js';
import { checkStep, finiteNumber, parseScheduleOptions, positiveNumber } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link multiStep}. */
export interface MultiStepOptions {
  /** Value before the first milestone. */
  base: number;
  /** Steps at which the value is multiplied by `gamma` (strictly increasing integers >= 1). */
  milestones: number[];
  /** Factor applied at every milestone (> 0). Default 0.1. */
  gamma?: number;
}

/** Zod schema of {@link MultiStepOptions}. */
export const multiStepOptions: z.ZodType<Required<MultiStepOptions>, MultiStepOptions> = z.strictObject({
  base: finiteNumber(),
  milestones: milestonesSchema(),
  gamma: positiveNumber().default(0.1),
});

/**
 * Multi-step decay, like torch `MultiStepLR`: `base * gamma^(number of milestones <= step)`.
 *
 * @example
 * ```ts
 * const lr = multiStep({ base: 0.1, milestones: [30, 80], gamma: 0.1 });
 * [lr.valueAt(0), lr.valueAt(30), lr.valueAt(80)]; // [0.1, 0.01, 0.001] (up to rounding)
 * ```
 */
export function multiStep(options: MultiStepOptions): Schedule {
  const { base, milestones, gamma } = parseScheduleOptions('multi-step', multiStepOptions, options);
  const sorted = [...milestones];
  return {
    valueAt(t) {
      checkStep('multi-step', t);
      return base * gamma ** countReached(sorted, t);
    },
  };
}
