import { monitorValue, type Callback, type EventOf, type JsonValue, type TrainerControl } from '@anneal/core';
import { PrunerOptionError } from './pruner-utils.js';

/** What the Trainer hook needs from a trial (the Trial class of trial.ts satisfies it). */
export interface PrunableTrial {
  report(value: number, step: number): Promise<void>;
  shouldPrune(): Promise<boolean>;
}

/** Options of {@link pruningCallback}. */
export interface PruningCallbackOptions {
  /** The epoch quantity reported as the trial's intermediate value, e.g. `val.loss` or `val.accuracy` (see monitorValue of @anneal/core). */
  monitor: string;
  /** Callback key (default `pruning`); it is the `by` of the `early-stop` event. */
  key?: string;
}

/** The reason a pruned run stops with (FitResult.reason, `early-stop` event reason). */
export const PRUNED_REASON = 'pruned';

/**
 * A Trainer callback that makes a search trial prunable: at each epoch end it reports the
 * `monitor` value as the trial's intermediate value at step = epoch, asks the trial whether to
 * prune, and if so stops training (`control.stop('pruned')`: the fit result has `stopped: true,
 * reason: 'pruned'` and an `early-stop` event names this callback). `pruned` and `prunedAt` (the
 * epoch) then say so; the objective usually throws `TrialPruned` next.
 *
 * Its state (`pruned`, `prunedAt`) is saved in checkpoints and restored on resume.
 *
 * @example
 * const pruning = pruningCallback(trial, { monitor: 'val.loss' });
 * const result = await new Trainer({ backend, train, val, epochs: 20, callbacks: [pruning] }).fit();
 * if (pruning.pruned) throw new TrialPruned(pruning.prunedAt);
 * return result.history.at(-1)!.val!.loss.mean;
 */
export function pruningCallback(trial: PrunableTrial, options: PruningCallbackOptions): Callback & { readonly pruned: boolean; readonly prunedAt?: number } {
  const { monitor } = options;
  let prunedAt: number | undefined;
  return {
    key: options.key ?? 'pruning',
    get pruned() {
      return prunedAt !== undefined;
    },
    get prunedAt() {
      return prunedAt;
    },
    async onEpochEnd(e: EventOf<'epoch:end'>, control: TrainerControl) {
      const value = monitorValue(e, monitor);
      if (value === undefined) throw new PrunerOptionError('pruningCallback.monitor', `'${monitor}' is not produced at epoch ${e.epoch}; use e.g. val.loss, val.accuracy or train.loss (val.* needs validation data in the Trainer options)`);
      await trial.report(value, e.epoch); // step = epochs trained (1-based epoch number)
      if (prunedAt === undefined && (await trial.shouldPrune())) {
        prunedAt = e.epoch;
        control.stop(PRUNED_REASON);
      }
    },
    state: (): JsonValue => ({ prunedAt: prunedAt ?? null }),
    restore(state: JsonValue) {
      prunedAt = (state as { prunedAt: number | null }).prunedAt ?? undefined;
    },
  };
}
