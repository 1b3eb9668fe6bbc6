/** A JSON value: what a stateful schedule's `state()` returns and `restore()` accepts (checkpoints store it as JSON). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A value over steps (a learning rate, a momentum, a weight decay, an EMA decay...).
 *
 * `valueAt` is pure: there is no hidden step counter, the caller passes the step (0-based integer,
 * in whatever unit it steps: optimizer steps or epochs) and the same step always gives the same
 * value until the schedule observes a new metric. Only stateful schedules (reduce-on-plateau) and
 * compositions that contain one have `observe`, `state` and `restore`.
 *
 * @example
 * ```ts
 * const lr = cosine({ base: 0.1, tMax: 1000 });
 * for (let step = 0; step < 1000; step++) feeds['hp.lr.main'] = lr.valueAt(step);
 * ```
 */
export interface Schedule {
  /** The value at `step` (integer >= 0). */
  valueAt(step: number): number;
  /** Feeds a monitored metric (e.g. the validation loss at the end of the epoch that ended at `step`). */
  observe?(metric: number, step: number): void;
  /** A JSON-serializable snapshot of what `observe` has learnt, for checkpoints. */
  state?(): JsonValue;
  /** Puts back a snapshot taken by `state()` of a schedule built with the same options. */
  restore?(state: JsonValue): void;
}
