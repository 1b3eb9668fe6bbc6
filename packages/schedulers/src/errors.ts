/** Base class of every error @anneal/schedulers throws; `code` is stable for programs to match. */
export class SchedulerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A schedule was given a bad option, step, metric or state. `schedule` is the schedule's id
 * (e.g. `cosine`), `option` the offending option or argument (e.g. `tMax`, `step`, `state`) and
 * `detail` says what was wrong and how to fix it.
 */
export class ScheduleError extends SchedulerError {
  constructor(
    readonly schedule: string,
    readonly option: string,
    readonly detail: string,
  ) {
    super('SCHEDULE', `${schedule}: ${detail}`);
  }
}
