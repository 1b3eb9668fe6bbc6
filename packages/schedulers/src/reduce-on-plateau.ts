import { z } from 'zod';
import { ScheduleError } from './errors.js';
import { checkStep, finiteNumber, parseScheduleOptions, stepCount } from './options.js';
import type { JsonValue, Schedule } from './schedule.js';

/** Options of {@link reduceOnPlateau}. */
export interface ReduceOnPlateauOptions {
  /** Value until the first reduction. */
  base: number;
  /** `min`: the metric should go down (a loss); `max`: up (an accuracy). Default `min`. */
  mode?: 'min' | 'max';
  /** Each reduction multiplies the value by this (0 < factor < 1). Default 0.1. */
  factor?: number;
  /** Observations without improvement tolerated before reducing (integer >= 0). Default 10. */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement (>= 0). Default 1e-4. */
  threshold?: number;
  /** `rel`: better than `best * (1 -/+ threshold)`; `abs`: better than `best -/+ threshold`. Default `rel`. */
  thresholdMode?: 'rel' | 'abs';
  /** Observations after a reduction during which bad observations are not counted (integer >= 0). Default 0. */
  cooldown?: number;
  /** The value never goes below this (torch `min_lr`). Default 0. */
  min?: number;
  /** A reduction smaller than this is skipped (>= 0). Default 1e-8. */
  eps?: number;
}

/** Zod schema of {@link ReduceOnPlateauOptions}. */
export const reduceOnPlateauOptions: z.ZodType<Required<ReduceOnPlateauOptions>, ReduceOnPlateauOptions> = z.strictObject({
  base: finiteNumber(),
  mode: z.enum(['min', 'max']).default('min'),
  factor: z.number().gt(0).lt(1).default(0.1),
  patience: stepCount().default(10),
  threshold: z.number().nonnegative().default(1e-4),
  thresholdMode: z.enum(['rel', 'abs']).default('rel'),
  cooldown: stepCount().default(0),
  min: finiteNumber().default(0),
  eps: z.number().nonnegative().default(1e-8),
});

/** A value change: `value` holds from step `from` on. */
interface Change {
  from: number;
  value: number;
}

const ID = 'reduce-on-plateau';

function encodeNumber(x: number): JsonValue {
  return Number.isFinite(x) ? x : String(x);
}

function decodeNumber(x: JsonValue | undefined, what: string): number {
  if (typeof x === 'number') return x;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw badState(`'${what}' must be a number, got ${JSON.stringify(x) ?? 'nothing'}`);
}

function badState(detail: string): ScheduleError {
  return new ScheduleError(ID, 'state', `restore(state): ${detail}. Pass a state() snapshot of a reduce-on-plateau schedule.`);
}

/**
 * Reduce on plateau, with exactly torch `ReduceLROnPlateau`'s decisions: call
 * `observe(metric, step)` after each evaluation; a metric is an improvement when it beats the best
 * so far by `threshold` (NaN never does); after more than `patience` observations without
 * improvement the value becomes `max(value * factor, min)` (skipped if that changes it by less
 * than `eps`) and the next `cooldown` observations are not counted.
 *
 * A reduction decided when observing at step `s` applies from step `s + 1` on. `valueAt` stays
 * pure: it returns the value in force at the given step according to the observations so far
 * (past steps keep their past values). Observation steps must increase.
 *
 * @example
 * ```ts
 * const lr = reduceOnPlateau({ base: 0.1, factor: 0.5, patience: 2 });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   train(lr.valueAt(epoch));
 *   lr.observe?.(validationLoss(), epoch);
 * }
 * const saved = lr.state?.(); // JSON, for the checkpoint
 * ```
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions): Schedule {
  const o = parseScheduleOptions(ID, reduceOnPlateauOptions, options);
  const worst = o.mode === 'min' ? Infinity : -Infinity;
  let best = worst;
  let badSteps = 0;
  let cooldownLeft = 0;
  let lastStep: number | null = null;
  let changes: Change[] = [];

  const current = (): number => changes[changes.length - 1]?.value ?? o.base;
  const isBetter = (a: number): boolean => {
    if (o.mode === 'min') return o.thresholdMode === 'rel' ? a < best * (1 - o.threshold) : a < best - o.threshold;
    return o.thresholdMode === 'rel' ? a > best * (o.threshold + 1) : a > best + o.threshold;
  };

  return {
    valueAt(t) {
      checkStep(ID, t);
      let lo = 0;
      let hi = changes.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((changes[mid] as Change).from <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo === 0 ? o.base : (changes[lo - 1] as Change).value;
    },
    observe(metric, step) {
      checkStep(ID, step);
      if (typeof metric !== 'number') {
        throw new ScheduleError(ID, 'metric', `observe(metric, step): metric must be a number, got ${typeof metric}.`);
      }
      if (lastStep !== null && step <= lastStep) {
        throw new ScheduleError(
          ID,
          'step',
          `observe(metric, step): steps must increase, got step ${step} after step ${lastStep}. Observe once per evaluation, at the step it was measured.`,
        );
      }
      lastStep = step;
      if (isBetter(metric)) {
        best = metric;
        badSteps = 0;
      } else {
        badSteps++;
      }
      if (cooldownLeft > 0) {
        cooldownLeft--;
        badSteps = 0;
      }
      if (badSteps > o.patience) {
        const old = current();
        const next = Math.max(old * o.factor, o.min);
        if (old - next > o.eps) changes.push({ from: step + 1, value: next });
        cooldownLeft = o.cooldown;
        badSteps = 0;
      }
    },
    state() {
      return {
        best: encodeNumber(best),
        badSteps,
        cooldownLeft,
        lastStep,
        changes: changes.map((c) => [c.from, c.value]),
      };
    },
    restore(state) {
      if (state === null || typeof state !== 'object' || Array.isArray(state)) throw badState('expected an object');
      const nextBest = decodeNumber(state.best, 'best');
      const nextBad = decodeNumber(state.badSteps, 'badSteps');
      const nextCooldown = decodeNumber(state.cooldownLeft, 'cooldownLeft');
      const nextLast = state.lastStep === null ? null : decodeNumber(state.lastStep, 'lastStep');
      const raw = state.changes;
      if (!Array.isArray(raw)) throw badState(`'changes' must be an array of [step, value] pairs`);
      const nextChanges = raw.map((pair, i): Change => {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'number') {
          throw badState(`changes[${i}] must be a [step, value] pair of numbers, got ${JSON.stringify(pair)}`);
        }
        return { from: pair[0], value: pair[1] };
      });
      best = nextBest;
      badSteps = nextBad;
      cooldownLeft = nextCooldown;
      lastStep = nextLast;
      changes = nextChanges;
    },
  };
}
