import type { TensorValue } from '@anneal/onnx';
import type { EventOf } from './events.js';

/** JSON-serializable values (callback and schedule state). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a callback may ask of the running Trainer. Requests are explicit; the Trainer acts on
 * them after the hook returns (stop after this batch or epoch, save a checkpoint now).
 */
export interface TrainerControl {
  /** Stop training after the current hook; `by` defaults to the calling callback's key. */
  stop(reason: string): void;
  /** Write the resumable checkpoint after the current hook (no-op without a checkpoint directory). */
  save(reason: string): void;
  /** A warning event (e.g. a tensor's update/weight ratio far from 1e-3). */
  warn(code: string, message: string): void;
  /** A copy of the current weights (parameters and running statistics). */
  captureWeights(): Promise<Record<string, TensorValue>>;
  /** Replaces the weights (optimizer state unchanged). */
  loadWeights(weights: Readonly<Record<string, TensorValue>>): Promise<void>;
  /** Writes the current weights as a safetensors file (atomically), for best-k checkpoints. */
  saveWeights(path: string, metadata?: Record<string, string>): Promise<void>;
  /** Removes weights written by {@link saveWeights} (a best-k file that fell out); a no-op when the checkpoint IO cannot remove. */
  removeWeights(path: string): Promise<void>;
  /** The run's checkpoint directory, when the Trainer has one. */
  readonly checkpointDir?: string;
}

/**
 * A Trainer plugin. Hooks receive the same frozen event payloads as `events$` plus the control
 * handle; a callback never sees the Trainer itself. State under `key` is saved in every
 * checkpoint (`state()` as JSON, `tensors()` as named tensors) and handed back to `restore`
 * when a run resumes, so a resumed run makes the same decisions as an uninterrupted one.
 *
 * @example
 * const logEpochs: Callback = { key: 'log', onEpochEnd: (e) => console.log(e.epoch, e.train.loss.mean) };
 */
export interface Callback {
  /** Unique among a Trainer's callbacks; names the state in checkpoints. */
  readonly key: string;
  onRunStart?(e: EventOf<'run:start'>, control: TrainerControl): void | Promise<void>;
  onEpochStart?(e: EventOf<'epoch:start'>, control: TrainerControl): void | Promise<void>;
  onBatchEnd?(e: EventOf<'batch:end'>, control: TrainerControl): void | Promise<void>;
  onEpochEnd?(e: EventOf<'epoch:end'>, control: TrainerControl): void | Promise<void>;
  onRunEnd?(e: EventOf<'run:end'>, control: TrainerControl): void | Promise<void>;
  state?(): JsonValue;
  tensors?(): Record<string, TensorValue>;
  restore?(state: JsonValue, tensors: Readonly<Record<string, TensorValue>>): void;
}

/** What selecting callbacks (early stopping, best-k checkpoints) monitor unless told otherwise. */
export const DEFAULT_MONITOR = 'val.loss';

/**
 * Reads a monitored quantity from an epoch's metrics: `val.loss`, `train.loss`, `val.accuracy`,
 * `train.top5`, `train.loss.std`, ... (`<pass>.<metric>`, `loss` standing for the mean).
 * Returns undefined when the epoch has no such value (e.g. no validation set).
 *
 * @example monitorValue(e, 'val.accuracy');
 */
export function monitorValue(e: EventOf<'epoch:end'>, name: string): number | undefined {
  const [pass, metric, stat] = name.split('.');
  const m = pass === 'val' ? e.val : pass === 'train' ? e.train : undefined;
  if (!m || !metric) return undefined;
  if (metric === 'loss') {
    const key = (stat ?? 'mean') as keyof typeof m.loss;
    return m.loss[key];
  }
  return m.metrics[metric];
}
