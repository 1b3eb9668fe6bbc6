import { z } from 'zod';
import { checkStep, finiteNumber, parseScheduleOptions, positiveNumber, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link cosineWithWarmRestarts}. */
export interface CosineWithWarmRestartsOptions {
  /** Peak value of the first cycle (at step 0). */
  base: number;
  /** Length of the first cycle in steps (integer >= 1). */
  t0: number;
  /** Each cycle is `tMult` times longer than the previous one (integer >= 1). Default 1. */
  tMult?: number;
  /** Value the cosine heads to at the end of every cycle. Default 0. */
  etaMin?: number;
  /** The peak is multiplied by this factor at every restart (> 0; torch has no such option: 1). Default 1. */
  peakDecay?: number;
}

/** Zod schema of {@link CosineWithWarmRestartsOptions}. */
export const cosineWithWarmRestartsOptions: z.ZodType<
  Required<CosineWithWarmRestartsOptions>,
  CosineWithWarmRestartsOptions
> = z.strictObject({
  base: finiteNumber(),
  t0: positiveSteps(),
  tMult: positiveSteps().default(1),
  etaMin: finiteNumber().default(0),
  peakDecay: positiveNumber().default(1),
});

/**
 * Cosine annealing with warm restarts (SGDR), like torch `CosineAnnealingWarmRestarts` stepped
 * once per step. Cycle `k` (0-based) starts at step `t0 * (1 + tMult + ... + tMult^(k-1))`, lasts
 * `Ti = t0 * tMult^k` steps and, with `tCur` the steps since its start, gives
 * `etaMin + (base * peakDecay^k - etaMin) * (1 + cos(pi * tCur / Ti)) / 2`.
 *
 * @example
 * ```ts
 * const lr = cosineWithWarmRestarts({ base: 0.1, t0: 10, tMult: 2, peakDecay: 0.5 });
 * lr.valueAt(10); // 0.05: the second cycle (20 steps long) starts at half the first peak
 * ```
 */
export function cosineWithWarmRestarts(options: CosineWithWarmRestartsOptions): Schedule {
  const { base, t0, tMult, etaMin, peakDecay } = parseScheduleOptions(
    'cosine-with-warm-restarts',
    cosineWithWarmRestartsOptions,
    options,
  );
  return {
    valueAt(t) {
      checkStep('cosine-with-warm-restarts', t);
      let cycle: number;
      let tCur: number;
      let tI = t0;
      if (tMult === 1) {
        cycle = Math.floor(t / t0);
        tCur = t - cycle * t0;
      } else {
        // Cycle lengths grow geometrically, so this loop runs O(log t) times.
        cycle = 0;
        tCur = t;
        while (tCur >= tI) {
          tCur -= tI;
          tI *= tMult;
          cycle++;
        }
      }
      const peak = base * peakDecay ** cycle;
      return etaMin + ((peak - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
    },
  };
}
