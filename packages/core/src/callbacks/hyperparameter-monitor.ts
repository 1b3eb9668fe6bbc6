import type { Callback, JsonValue } from '../callback.js';
import type { EventOf } from '../events.js';

/**
 * Records the learning rate and every scheduled hyperparameter, per step (`every` steps) and
 * per epoch, for charts and reports; its history is part of the checkpoint.
 *
 * @example
 * const hp = hyperparameterMonitor({ every: 10 }); // later: hp.steps, hp.epochs
 */
export function hyperparameterMonitor(options: { every?: number; key?: string } = {}): Callback & {
  readonly steps: readonly { step: number; values: Record<string, number> }[];
  readonly epochs: readonly { epoch: number; values: Record<string, number> }[];
} {
  const every = options.every ?? 1;
  let steps: { step: number; values: Record<string, number> }[] = [];
  let epochs: { epoch: number; values: Record<string, number> }[] = [];
  return {
    key: options.key ?? 'hyperparameter-monitor',
    get steps() {
      return steps;
    },
    get epochs() {
      return epochs;
    },
    onBatchEnd(e: EventOf<'batch:end'>) {
      if (e.step % every === 0) steps.push({ step: e.step, values: { lr: e.lr, ...e.hyperparameters } });
    },
    onEpochEnd(e: EventOf<'epoch:end'>) {
      epochs.push({ epoch: e.epoch, values: { ...e.hyperparameters } });
    },
    state: (): JsonValue => ({ steps, epochs }),
    restore(s: JsonValue) {
      const o = s as { steps: typeof steps; epochs: typeof epochs };
      steps = o.steps.map((x) => ({ ...x, values: { ...x.values } }));
      epochs = o.epochs.map((x) => ({ ...x, values: { ...x.values } }));
    },
  };
}
