import { checkSchedules, childStates } from './children.js';
import { checkStep } from './options.js';
import type { Schedule } from './schedule.js';

/**
 * The product of several schedules' values at the same step, like torch `ChainedScheduler`
 * (whose schedulers all multiply one shared lr): `value(t) = schedules[0].valueAt(t) * schedules[1].valueAt(t) * ...`.
 *
 * Every schedule gives an absolute value, so give **one** of them the real base (e.g. lr 0.1) and
 * the others `base: 1`: they then act as pure factors. Any schedule can be a factor, including a
 * stateful one: `chained([cosine({ base: 0.1, tMax }), reduceOnPlateau({ base: 1, factor: 0.5 })])`
 * is cosine annealing that halves whenever the metric plateaus (torch can't chain
 * ReduceLROnPlateau). `observe`, `state` and `restore` are forwarded to every child that has them.
 *
 * @example
 * ```ts
 * const lr = chained([exponential({ base: 1, gamma: 0.9 }), step({ base: 1, stepSize: 2, gamma: 0.1 })]);
 * lr.valueAt(2); // 0.81 * 0.1
 * ```
 */
export function chained(schedules: readonly Schedule[]): Schedule {
  checkSchedules('chained', schedules);
  const children = [...schedules];
  const schedule: Schedule = {
    valueAt(t) {
      checkStep('chained', t);
      let value = 1;
      for (const child of children) value *= child.valueAt(t);
      return value;
    },
    ...childStates('chained', children),
  };
  const observers = children.filter((c) => c.observe);
  if (observers.length > 0) {
    schedule.observe = (metric, step) => {
      for (const child of observers) child.observe?.(metric, step);
    };
  }
  return schedule;
}
