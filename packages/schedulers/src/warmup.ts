import { z } from 'zod';
import { ScheduleError } from './errors.js';
import { checkStep, parseScheduleOptions, stepCount } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link warmup}. */
export interface WarmupOptions {
  /** Warmup length in steps (integer >= 0; 0 leaves the inner schedule unchanged). */
  steps: number;
  /** `linear`: the factor ramps from `startFactor` to 1; `constant`: it stays at `startFactor`. Default `linear`. */
  mode?: 'linear' | 'constant';
  /** Factor at step 0 (0 <= startFactor <= 1; must be > 0 in `constant` mode). Default 0. */
  startFactor?: number;
}

/** The fields of {@link warmupOptions}, shared with the config descriptor (which adds `inner`). */
export const warmupFields = {
  steps: stepCount(),
  mode: z.enum(['linear', 'constant']).default('linear'),
  startFactor: z.number().min(0).max(1).default(0),
};

/** Rejects a constant warmup with factor 0 (it would hold the value at 0 for the whole warmup). */
export function checkWarmupFactor(o: { mode: 'linear' | 'constant'; startFactor: number }, ctx: z.RefinementCtx): void {
  if (o.mode === 'constant' && o.startFactor === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['startFactor'],
      message: 'must be > 0 in constant mode (a constant factor of 0 would zero the value for the whole warmup)',
    });
  }
}

/** Zod schema of {@link WarmupOptions}. */
export const warmupOptions: z.ZodType<Required<WarmupOptions>, WarmupOptions> = z
  .strictObject(warmupFields)
  .superRefine(checkWarmupFactor);

/**
 * Warmup around any schedule. The inner schedule is **not shifted**: for `step < steps` the value
 * is `inner.valueAt(step) * factor(step)` with `factor = startFactor + (1 - startFactor) * step / steps`
 * (`linear`) or `startFactor` (`constant`), and from `steps` on it is `inner.valueAt(step)`. So
 * the inner schedule's own steps (milestones, `tMax`) keep their meaning, and
 * `warmup(constant(...), { mode: 'constant' })` is torch `ConstantLR`; linear warmup is torch
 * `LinearLR` chained with the inner scheduler. For a warmup after which the inner schedule
 * starts at its step 0, use `sequential([linear(...), inner], [steps])`.
 * `observe`/`state`/`restore` are forwarded to the inner schedule when it has them.
 *
 * @example
 * ```ts
 * const lr = warmup(cosine({ base: 0.1, tMax: 1000 }), { steps: 100 });
 * lr.valueAt(0);   // 0
 * lr.valueAt(50);  // 0.5 * cosine(50)
 * lr.valueAt(100); // cosine(100)
 * ```
 */
export function warmup(inner: Schedule, options: WarmupOptions): Schedule {
  const { steps, mode, startFactor } = parseScheduleOptions('warmup', warmupOptions, options);
  if (!inner || typeof inner.valueAt !== 'function') {
    throw new ScheduleError('warmup', 'inner', 'inner must be a Schedule (an object with valueAt(step)).');
  }
  const schedule: Schedule = {
    valueAt(t) {
      checkStep('warmup', t);
      const value = inner.valueAt(t);
      if (t >= steps) return value;
      return value * (mode === 'constant' ? startFactor : startFactor + ((1 - startFactor) * t) / steps);
    },
  };
  if (inner.observe) schedule.observe = (metric, step) => inner.observe?.(metric, step);
  if (inner.state && inner.restore) {
    schedule.state = () => inner.state?.() ?? null;
    schedule.restore = (state) => inner.restore?.(state);
  }
  return schedule;
}
