import { z } from 'zod';
import { checkStep, parseScheduleOptions, positiveNumber, positiveSteps } from './options.js';
import type { Schedule } from './schedule.js';

/** Options of {@link oneCycle}. */
export interface OneCycleOptions {
  /** Peak value (torch `max_lr`). */
  max: number;
  /** Length of the cycle in steps (integer >= 2). */
  totalSteps: number;
  /** Fraction of the cycle spent rising to `max` (0 < pctStart < 1). Default 0.3. */
  pctStart?: number;
  /** Shape of every phase: `cos` or `linear`. Default `cos`. */
  anneal?: 'cos' | 'linear';
  /** Start value = `max / divFactor`. Default 25. */
  divFactor?: number;
  /** Final value = start value / `finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to the start value, then down to the final value) instead of two. Default false. */
  threePhase?: boolean;
}

/** Zod schema of {@link OneCycleOptions}. */
export const oneCycleOptions: z.ZodType<Required<OneCycleOptions>, OneCycleOptions> = z.strictObject({
  max: positiveNumber(),
  totalSteps: positiveSteps().min(2),
  pctStart: z.number().gt(0).lt(1).default(0.3),
  anneal: z.enum(['cos', 'linear']).default('cos'),
  divFactor: positiveNumber().default(25),
  finalDivFactor: positiveNumber().default(1e4),
  threePhase: z.boolean().default(false),
}).superRefine((o, ctx) => {
  // Every phase needs a positive length, or torch divides by zero (0/0) inside it.
  const up = o.pctStart * o.totalSteps - 1;
  const ends = o.threePhase ? [up, 2 * o.pctStart * o.totalSteps - 2, o.totalSteps - 1] : [up, o.totalSteps - 1];
  if (ends.some((end, i) => !(end > (i === 0 ? 0 : (ends[i - 1] as number))))) {
    ctx.addIssue({
      code: 'custom',
      path: ['pctStart'],
      message:
        `${o.pctStart} with totalSteps ${o.totalSteps} leaves a phase with no steps; choose pctStart * totalSteps > 1` +
        (o.threePhase ? ' and 2 * pctStart * totalSteps < totalSteps + 1' : ''),
    });
  }
});

interface Phase {
  end: number;
  from: number;
  to: number;
}

/**
 * The 1cycle policy (Smith & Topin 2017) for the value, like torch `OneCycleLR`'s learning rate.
 * With `start = max / divFactor` and `min = start / finalDivFactor`, the phases end at steps
 * `pctStart * totalSteps - 1` (start -> max), [three-phase only: `2 * pctStart * totalSteps - 2`
 * (max -> start)], and `totalSteps - 1` (-> min); inside a phase from `a` to `b` with progress `p`
 * the value is `b + (a - b) * (1 + cos(pi * p)) / 2` (`cos`) or `a + (b - a) * p` (`linear`).
 * torch raises past `totalSteps`; here steps after `totalSteps - 1` hold `min`. (torch also cycles
 * momentum inversely; build that as a second schedule if the optimizer needs it.)
 *
 * @example
 * ```ts
 * const lr = oneCycle({ max: 0.1, totalSteps: 100 });
 * [lr.valueAt(0), lr.valueAt(29), lr.valueAt(99)]; // [0.004, ~0.1, 4e-7]
 * ```
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const o = parseScheduleOptions('one-cycle', oneCycleOptions, options);
  const start = o.max / o.divFactor;
  const min = start / o.finalDivFactor;
  const up = o.pctStart * o.totalSteps - 1;
  const phases: Phase[] = o.threePhase
    ? [
        { end: up, from: start, to: o.max },
        { end: 2 * o.pctStart * o.totalSteps - 2, from: o.max, to: start },
        { end: o.totalSteps - 1, from: start, to: min },
      ]
    : [
        { end: up, from: start, to: o.max },
        { end: o.totalSteps - 1, from: o.max, to: min },
      ];
  const anneal =
    o.anneal === 'cos'
      ? (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1)
      : (a: number, b: number, p: number) => (b - a) * p + a;
  return {
    valueAt(t) {
      checkStep('one-cycle', t);
      if (t > o.totalSteps - 1) return min;
      let from = 0;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i] as Phase;
        if (t <= phase.end || i === phases.length - 1) return anneal(phase.from, phase.to, (t - from) / (phase.end - from));
        from = phase.end;
      }
      return min;
    },
  };
}
