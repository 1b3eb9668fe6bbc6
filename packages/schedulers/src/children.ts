import { ScheduleError } from './errors.js';
import type { JsonValue, Schedule } from './schedule.js';

/**
 * `state`/`restore` for a composition: the state is one entry per child (`null` for stateless
 * children), and only exists when at least one child has state. A restore that fails part-way
 * puts the children back as they were.
 */
export function childStates(id: string, children: readonly Schedule[]): Pick<Schedule, 'state' | 'restore'> {
  if (!children.some((c) => c.state && c.restore)) return {};
  return {
    state: () => children.map((c) => (c.state ? c.state() : null)),
    restore(state: JsonValue) {
      if (!Array.isArray(state) || state.length !== children.length) {
        throw new ScheduleError(
          id,
          'state',
          `restore(state): expected an array with one entry per child schedule (${children.length}), got ${Array.isArray(state) ? `${state.length} entries` : JSON.stringify(state)}. Pass a state() snapshot of a ${id} built from the same schedules.`,
        );
      }
      const before = children.map((c) => (c.state ? c.state() : null));
      try {
        children.forEach((c, i) => c.restore?.(state[i] as JsonValue));
      } catch (error) {
        children.forEach((c, i) => c.restore?.(before[i] as JsonValue));
        throw error;
      }
    },
  };
}

/** Throws unless `schedules` is a non-empty array of schedules. */
export function checkSchedules(id: string, schedules: readonly Schedule[]): void {
  if (!Array.isArray(schedules) || schedules.length === 0) {
    throw new ScheduleError(id, 'schedules', 'schedules must be a non-empty array of schedules.');
  }
  schedules.forEach((s, i) => {
    if (!s || typeof s.valueAt !== 'function') {
      throw new ScheduleError(id, `schedules[${i}]`, `schedules[${i}] is not a Schedule (an object with valueAt(step)).`);
    }
  });
}
