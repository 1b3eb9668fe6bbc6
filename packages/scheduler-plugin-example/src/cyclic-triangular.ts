import { checkStep, defineScheduler, parseScheduleOptions, type Schedule } from '@anneal/schedulers';
import { z } from 'zod';

/** Options of {@link cyclicTriangular}. */
export interface CyclicTriangularOptions {
  /** Lower bound of every cycle (the value at step 0). */
  base: number;
  /** Upper bound of the first cycle. */
  max: number;
  /** Steps from `base` up to the peak (integer >= 1). */
  stepSizeUp: number;
  /** Steps from the peak back to `base` (integer >= 1). Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** `triangular`: every peak is `max`; `triangular2`: the peak height halves every cycle. Default `triangular`. */
  mode?: 'triangular' | 'triangular2';
}

/** Zod schema of {@link CyclicTriangularOptions}. */
export const cyclicTriangularOptions: z.ZodType<CyclicTriangularOptions, CyclicTriangularOptions> = z.strictObject({
  base: z.number(),
  max: z.number(),
  stepSizeUp: z.number().int().positive(),
  stepSizeDown: z.number().int().positive().optional(),
  mode: z.enum(['triangular', 'triangular2']).default('triangular'),
});

/**
 * Cyclical learning rates (Smith 2017), 'triangular' and 'triangular2' policies, as torch
 * `CyclicLR` computes them. With `L = stepSizeUp + stepSizeDown`, `cycle = floor(1 + t / L)` and
 * `x = 1 + t / L - cycle` (position in the cycle, 0..1), the factor rises as
 * `x / r` for `x <= r = stepSizeUp / L` and falls as `(x - 1) / (r - 1)` after, and
 * `value = base + (max - base) * factor * scale` with `scale = 1` (triangular) or
 * `1 / 2^(cycle - 1)` (triangular2).
 *
 * @example
 * ```ts
 * const lr = cyclicTriangular({ base: 0.001, max: 0.01, stepSizeUp: 10 });
 * [lr.valueAt(0), lr.valueAt(10), lr.valueAt(20)]; // [0.001, 0.01, 0.001]
 * ```
 */
export function cyclicTriangular(options: CyclicTriangularOptions): Schedule {
  const o = parseScheduleOptions('cyclic-triangular', cyclicTriangularOptions, options);
  const up = o.stepSizeUp;
  const total = up + (o.stepSizeDown ?? up);
  const ratio = up / total;
  return {
    valueAt(t) {
      checkStep('cyclic-triangular', t);
      const cycle = Math.floor(1 + t / total);
      const x = 1 + t / total - cycle;
      const factor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const scale = o.mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : 1;
      return o.base + (o.max - o.base) * factor * scale;
    },
  };
}

/** The descriptor a config names as `{ "type": "cyclic-triangular", "package": "@anneal/scheduler-plugin-example", ... }`. */
export const cyclicTriangularDescriptor = defineScheduler({
  id: 'cyclic-triangular',
  description: "cyclical value between base and max (Smith 2017, 'triangular' / 'triangular2'; torch CyclicLR)",
  options: cyclicTriangularOptions,
  create: cyclicTriangular,
});
