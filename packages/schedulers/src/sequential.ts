import { ScheduleError } from './errors.js';
import { checkSchedules, childStates } from './children.js';
import { countReached, milestonesSchema } from './milestones.js';
import { checkStep, parseScheduleOptions } from './options.js';
import type { Schedule } from './schedule.js';

/**
 * One schedule after another, like torch `SequentialLR`: `schedules[i]` runs from
 * `milestones[i - 1]` (0 for the first) and **restarts at its own step 0** there, i.e. step `t`
 * gives `schedules[i].valueAt(t - milestones[i - 1])`. `observe` goes to the schedule active at
 * the observed step (with its local step); `state`/`restore` cover every stateful child.
 *
 * @example
 * ```ts
 * const lr = sequential([linear({ base: 0.1, startFactor: 0.1, totalIters: 10 }), cosine({ base: 0.1, tMax: 90 })], [10]);
 * lr.valueAt(9);  // 0.091
 * lr.valueAt(10); // 0.1 (cosine at its step 0)
 * ```
 */
export function sequential(schedules: readonly Schedule[], milestones: readonly number[]): Schedule {
  checkSchedules('sequential', schedules);
  const ms = parseScheduleOptions('sequential', milestonesSchema(), [...milestones]);
  if (ms.length !== schedules.length - 1) {
    throw new ScheduleError(
      'sequential',
      'milestones',
      `milestones needs one entry fewer than schedules (${schedules.length - 1}), got ${ms.length}.`,
    );
  }
  const children = [...schedules];
  const locate = (t: number): [Schedule, number] => {
    const i = countReached(ms, t);
    return [children[i] as Schedule, i === 0 ? t : t - (ms[i - 1] as number)];
  };
  const schedule: Schedule = {
    valueAt(t) {
      checkStep('sequential', t);
      const [child, local] = locate(t);
      return child.valueAt(local);
    },
    ...childStates('sequential', children),
  };
  if (children.some((c) => c.observe)) {
    schedule.observe = (metric, step) => {
      checkStep('sequential', step);
      const [child, local] = locate(step);
      child.observe?.(metric, local);
    };
  }
  return schedule;
}
