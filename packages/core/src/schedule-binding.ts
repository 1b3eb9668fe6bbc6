import type { JsonValue } from './callback.js';
import type { HyperparameterSpec, StepHyperparameters } from './backend.js';
import { TrainerError } from './errors.js';

/** The schedule contract (as in @anneal/schedulers): a pure `valueAt(step)`, stateful extras optional. */
export interface ScheduleLike {
  valueAt(step: number): number;
  observe?(metric: number, step: number): void;
  state?(): JsonValue;
  restore?(state: JsonValue): void;
}

/**
 * Which hyperparameter a schedule drives, and how it is stepped.
 * - `target`: `lr`, `weight_decay`, `momentum`, `beta1`, `ema_decay`, ... or a full input name
 *   (`hp.lr.head`). `lr` without a group sets the base rate that every following group scales.
 * - `group`: a parameter group, for per-group schedules (`hp.<target>.<group>`).
 * - `interval`: `step` (default: valueAt(batches consumed)) or `epoch` (valueAt(epoch index)).
 * - `monitor`: for schedules with `observe` (decay on plateau): the metric fed at each epoch
 *   end (default `val.loss`, or `train.loss` without validation data).
 *
 * Several bindings of the same input multiply: a `reduce-on-plateau` with base 1 bound next to
 * a cosine scales it down whenever the monitored metric stalls.
 *
 * @example
 * { target: 'lr', schedule: warmup(cosine({ base: 0.1, tMax: 1000 }), { steps: 100 }) }
 */
export interface ScheduleBinding {
  readonly target: string;
  readonly group?: string;
  readonly interval?: 'step' | 'epoch';
  readonly monitor?: string;
  readonly schedule: ScheduleLike;
}

/** A binding resolved against a backend's hyperparameter names. */
export interface ResolvedBinding {
  readonly binding: ScheduleBinding;
  /** Input names written, or undefined for the base learning rate. */
  readonly inputs: readonly string[] | undefined;
}

/**
 * Resolves bindings to the inputs the train step describes (by role and group, or by full
 * name), with an error listing the known inputs when none matches.
 */
export function resolveBindings(bindings: readonly ScheduleBinding[], specs: readonly HyperparameterSpec[]): ResolvedBinding[] {
  return bindings.map((binding, i) => {
    const { target, group } = binding;
    if (target === 'lr' && group === undefined) return { binding, inputs: undefined };
    const matches = (h: HyperparameterSpec) => (target.startsWith('hp.') ? h.name === target : h.key === target && (group === undefined || h.group === group));
    const inputs = specs.filter(matches).map((h) => h.name);
    if (!inputs.length) throw new TrainerError(`schedules[${i}]`, `target '${target}'${group ? ` (group '${group}')` : ''} matches no hyperparameter input of the train step; known inputs: ${specs.map((h) => h.name).join(', ')}`);
    return { binding, inputs };
  });
}

/** The base learning rate a step's inputs imply when no schedule sets it: a following rate over its scale. */
export function baseLr(specs: readonly HyperparameterSpec[]): number {
  const follower = specs.find((h) => h.key === 'lr' && h.followsBase);
  return follower ? follower.value / (follower.scale ?? 1) : (specs.find((h) => h.key === 'lr')?.value ?? NaN);
}

/** The hyperparameter request of one step: every binding's value at this step/epoch. */
export function requestAt(resolved: readonly ResolvedBinding[], step: number, epoch: number): StepHyperparameters & { values: Record<string, number> } {
  const values: Record<string, number> = {};
  let lr: number | undefined;
  for (const { binding, inputs } of resolved) {
    const v = binding.schedule.valueAt(binding.interval === 'epoch' ? epoch : step);
    if (!Number.isFinite(v)) throw new TrainerError(`schedule for '${binding.target}'`, `gave ${v} at ${binding.interval === 'epoch' ? `epoch ${epoch}` : `step ${step}`}`);
    // several bindings of one input multiply (a plateau factor on top of a cosine, say)
    if (inputs === undefined) lr = lr === undefined ? v : lr * v;
    else for (const n of inputs) values[n] = values[n] === undefined ? v : values[n]! * v;
  }
  return lr === undefined ? { values } : { lr, values };
}
