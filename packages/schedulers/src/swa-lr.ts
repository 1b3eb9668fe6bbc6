import { checkStep } from './options.js';
import { ScheduleError } from './errors.js';
import type { Schedule } from './schedule.js';

/** Options of {@link swaLr}. */
export interface SwaLrOptions {
  /** First step of the averaging phase. */
  start: number;
  /** Steps over which the lr moves from its value at `start` to `swaLr` (0: jump at once). */
  annealSteps: number;
  /** The constant lr of the averaging phase. */
  swaLr: number;
  /** `cos` (default) or `linear` anneal. */
  strategy?: 'cos' | 'linear';
}

/**
 * The learning rate of stochastic weight averaging (torch `SWALR`): `inner` until `start`, then an
 * anneal from the lr at `start` to `swaLr` over `annealSteps` (`alpha = (1 - cos(pi t / T)) / 2`,
 * or `t / T`; lr = (1 - alpha) lr_start + alpha swaLr), then `swaLr` held.
 *
 * @example
 * const lr = swaLr(cosine({ base: 0.1, tMax: 10000 }), { start: 7500, annealSteps: 500, swaLr: 0.01 });
 */
export function swaLr(inner: Schedule, options: SwaLrOptions): Schedule {
  const { start, annealSteps, swaLr: target } = options;
  if (!(Number.isInteger(start) && start >= 0)) throw new ScheduleError('swaLr', 'start', `start must be a step >= 0, got ${start}`);
  if (!(Number.isInteger(annealSteps) && annealSteps >= 0)) throw new ScheduleError('swaLr', 'annealSteps', `annealSteps must be an integer >= 0, got ${annealSteps}`);
  if (!(target > 0 && Number.isFinite(target))) throw new ScheduleError('swaLr', 'swaLr', `swaLr must be a positive number, got ${target}`);
  const anneal = options.strategy === 'linear' ? (f: number) => f : (f: number) => (1 - Math.cos(Math.PI * f)) / 2;
  return {
    valueAt(step: number): number {
      checkStep('swaLr', step);
      if (step < start) return inner.valueAt(step);
      const t = step - start;
      if (t >= annealSteps) return target;
      const alpha = anneal(t / annealSteps);
      return (1 - alpha) * inner.valueAt(start) + alpha * target;
    },
    ...(inner.observe ? { observe: (metric: number, step: number) => inner.observe!(metric, step) } : {}),
    ...(inner.state ? { state: () => inner.state!() } : {}),
    ...(inner.restore ? { restore: (s: Parameters<NonNullable<Schedule['restore']>>[0]) => inner.restore!(s) } : {}),
  };
}
