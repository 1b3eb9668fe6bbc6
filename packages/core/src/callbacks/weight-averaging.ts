import type { TensorValue } from '@anneal/onnx';
import type { Callback, JsonValue, TrainerControl } from '../callback.js';
import type { EventOf } from '../events.js';
import { TrainerError } from '../errors.js';

/** Options of {@link stochasticWeightAveraging}. */
export interface SwaOptions {
  /** First epoch (1-based, like every epoch number) whose end weights enter the average. */
  startEpoch: number;
  /** Average every this many epochs from `startEpoch` (default 1). */
  every?: number;
  key?: string;
}

const isFloat = (t: TensorValue) => t.data instanceof Float32Array || t.data instanceof Float64Array;

/**
 * Stochastic weight averaging (Izmailov et al. 2018): the uniform average of the weights at the end
 * of every epoch from `startEpoch` on (`avg += (w - avg) / (n + 1)`), kept beside training; the
 * running sum survives checkpoints. Use it with a constant or cyclical lr over the averaging
 * epochs, then load `average()` into the model and recompute the BatchNormalization statistics
 * (`TrainSession.refreshBatchNorm`): the running statistics collected for the individual weights
 * do not fit their average.
 *
 * @example
 * const swa = stochasticWeightAveraging({ startEpoch: 15 }); // Trainer({ callbacks: [swa], epochs: 20 })
 * await backend.loadWeights(swa.average()); await session.refreshBatchNorm(train.epochBatches(0));
 */
export function stochasticWeightAveraging(options: SwaOptions): Callback & { readonly count: number; average(): Record<string, TensorValue> } {
  const every = options.every ?? 1;
  if (!(Number.isInteger(options.startEpoch) && options.startEpoch >= 1)) throw new TrainerError('stochasticWeightAveraging', `swa.startEpoch must be an epoch number >= 1 (epochs count from 1), got ${options.startEpoch}`);
  if (!(Number.isInteger(every) && every >= 1)) throw new TrainerError('stochasticWeightAveraging', `swa.every must be an integer >= 1, got ${every}`);
  let avg: Record<string, TensorValue> = {};
  let count = 0;
  return {
    key: options.key ?? 'swa',
    get count() {
      return count;
    },
    average() {
      if (!count) throw new TrainerError('stochasticWeightAveraging', `no weights averaged yet: averaging starts at the end of epoch ${options.startEpoch}; train at least ${options.startEpoch} epochs`);
      return Object.fromEntries(Object.entries(avg).map(([k, t]) => [k, { ...t, dims: [...t.dims], data: t.data.slice() }]));
    },
    async onEpochEnd(e: EventOf<'epoch:end'>, control: TrainerControl) {
      if (e.epoch < options.startEpoch || (e.epoch - options.startEpoch) % every !== 0) return;
      const w = await control.captureWeights();
      count += 1;
      for (const [name, t] of Object.entries(w)) {
        if (!isFloat(t)) continue;
        const a = avg[name];
        if (!a) {
          avg[name] = { ...t, dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) };
          continue;
        }
        const acc = a.data as Float32Array;
        const x = t.data as Float32Array;
        for (let i = 0; i < acc.length; i++) acc[i]! += (x[i]! - acc[i]!) / count;
      }
    },
    state: (): JsonValue => ({ count }),
    tensors: () => avg,
    restore(state: JsonValue, tensors?: Readonly<Record<string, TensorValue>>) {
      count = (state as { count: number }).count;
      avg = Object.fromEntries(Object.entries(tensors ?? {}).map(([k, t]) => [k, { ...t, dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) }]));
    },
  };
}
