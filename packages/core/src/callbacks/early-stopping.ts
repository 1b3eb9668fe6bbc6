import type { TensorValue } from '@anneal/onnx';
import { DEFAULT_MONITOR, monitorValue, type Callback, type JsonValue, type TrainerControl } from '../callback.js';
import { TrainerError } from '../errors.js';
import type { EventOf } from '../events.js';

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** Monitored value, e.g. `val.loss` (default) or `val.accuracy`. */
  monitor?: string;
  /** `min` (default for losses) or `max` (default for anything else). */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** When the run ends, load the weights of the best epoch (kept in memory and in checkpoints). Default false. */
  restoreBest?: boolean;
  key?: string;
}

/**
 * Stops training when a monitored value has not improved by more than `minDelta` for
 * `patience` epochs; optionally restores the best epoch's weights at the end of the run.
 *
 * @example
 * earlyStopping({ monitor: 'val.accuracy', patience: 3, restoreBest: true })
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback & { readonly best: number | undefined; readonly bestEpoch: number | undefined } {
  const monitor = options.monitor ?? DEFAULT_MONITOR;
  const mode = options.mode ?? (monitor.endsWith('loss') || monitor.includes('.loss.') ? 'min' : 'max');
  const patience = options.patience ?? 5;
  const minDelta = Math.abs(options.minDelta ?? 0);
  if (!Number.isInteger(patience) || patience < 0) throw new TrainerError('earlyStopping.patience', `must be an integer >= 0, got ${patience}`);
  let best: number | undefined;
  let bestEpoch: number | undefined;
  let wait = 0;
  let bestWeights: Record<string, TensorValue> | undefined;
  const improved = (v: number) => best === undefined || (mode === 'min' ? v < best - minDelta : v > best + minDelta);
  return {
    key: options.key ?? 'early-stopping',
    get best() {
      return best;
    },
    get bestEpoch() {
      return bestEpoch;
    },
    async onEpochEnd(e: EventOf<'epoch:end'>, control: TrainerControl) {
      const v = monitorValue(e, monitor);
      if (v === undefined) throw new TrainerError('earlyStopping.monitor', `'${monitor}' is not produced at epoch ${e.epoch}; use e.g. val.loss, val.accuracy, train.loss (validation data needed for val.*)`);
      if (Number.isNaN(v)) return;
      if (improved(v)) {
        best = v;
        bestEpoch = e.epoch;
        wait = 0;
        if (options.restoreBest) bestWeights = await control.captureWeights();
        return;
      }
      wait++;
      if (wait >= patience) control.stop(`${monitor} did not improve for ${wait} epoch(s) (best ${best} at epoch ${bestEpoch})`);
    },
    async onRunEnd(_e: EventOf<'run:end'>, control: TrainerControl) {
      if (options.restoreBest && bestWeights) await control.loadWeights(bestWeights);
    },
    state: (): JsonValue => ({ best: best ?? null, bestEpoch: bestEpoch ?? null, wait }),
    tensors: () => bestWeights ?? {},
    restore(s: JsonValue, tensors: Readonly<Record<string, TensorValue>>) {
      const o = s as { best: number | null; bestEpoch: number | null; wait: number };
      best = o.best ?? undefined;
      bestEpoch = o.bestEpoch ?? undefined;
      wait = o.wait;
      bestWeights = Object.keys(tensors).length ? { ...tensors } : undefined;
    },
  };
}
