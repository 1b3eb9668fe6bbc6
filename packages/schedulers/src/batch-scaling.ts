import { z } from 'zod';
import { checkStep, parseScheduleOptions, stepCount } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link batchScaling}. */
export interface BatchScalingOptions {
  /** Examples per optimizer update of this run (all workers and micro-batches together). */
  batch: number;
  /** The batch size the base learning rate was tuned for. */
  baseBatch: number;
  /** `linear` (Goyal et al. 2017: lr x batch/baseBatch), `sqrt` (x sqrt(batch/baseBatch)) or `none` (x1). Default `linear`. */
  rule?: 'linear' | 'sqrt' | 'none';
  /** Gradual warmup in steps: the factor ramps linearly from 1 to the full scale over them (0: no warmup). Default 0. */
  warmupSteps?: number;
}

const batchScalingOptions = z.strictObject({
  batch: z.number().int().positive(),
  baseBatch: z.number().int().positive(),
  rule: z.enum(['linear', 'sqrt', 'none']).default('linear'),
  warmupSteps: stepCount().default(0),
});

/**
 * The scale a batch-size rule gives the learning rate: `batch / baseBatch` (linear),
 * its square root (sqrt) or 1 (none).
 *
 * @example
 * batchScaleFactor({ batch: 1024, baseBatch: 64 }); // 16
 */
export function batchScaleFactor(options: BatchScalingOptions): number {
  const o = parseScheduleOptions('batch-scaling', batchScalingOptions, options);
  const k = o.batch / o.baseBatch;
  return o.rule === 'linear' ? k : o.rule === 'sqrt' ? Math.sqrt(k) : 1;
}

/**
 * The linear scaling rule with gradual warmup (Goyal et al. 2017, "Accurate, large minibatch
 * SGD") as a multiplicative schedule: `factor(t) = 1 + (k - 1) * t / warmupSteps` for
 * t < warmupSteps, then `k`, where k is {@link batchScaleFactor}. Bound to `lr` next to the
 * run's own lr schedules (the Trainer multiplies base-lr bindings), it turns a schedule tuned
 * at `baseBatch` into the large-batch one: the warmup starts at the small-batch rate and
 * reaches k times it, after which the tuned schedule runs k times higher.
 *
 * @example
 * const f = batchScaling({ batch: 1024, baseBatch: 64, warmupSteps: 100 });
 * f.valueAt(0);   // 1
 * f.valueAt(50);  // 8.5
 * f.valueAt(100); // 16
 */
export function batchScaling(options: BatchScalingOptions): Schedule {
  const o = parseScheduleOptions('batch-scaling', batchScalingOptions, options);
  const k = batchScaleFactor(o);
  return {
    valueAt(t) {
      checkStep('batch-scaling', t);
      return t >= o.warmupSteps ? k : 1 + ((k - 1) * t) / o.warmupSteps;
    },
  };
}
