import type { TensorValue } from '@anneal/onnx';

/** One batch as graph feeds: the model's data inputs by name plus `labels`. */
export type Batch = Readonly<Record<string, TensorValue>>;

/** Hyperparameter values for one optimizer step: the base learning rate and explicit input values (`hp.*` names). */
export interface StepHyperparameters {
  readonly lr?: number;
  readonly values?: Readonly<Record<string, number>>;
}

/**
 * What one hyperparameter input of a train step is, as the compiled update describes it
 * (@anneal/optim's `HyperparameterInput` has this shape): schedules, the Trainer and reports
 * read this instead of taking input names apart.
 */
export interface HyperparameterSpec {
  /** Input name, e.g. `hp.lr.head`. */
  readonly name: string;
  /** Its role: `lr`, `weight_decay`, `max_grad_norm`, `ema_decay` or an optimizer key (`momentum`, `beta1`, `step`...). */
  readonly key: string;
  /** The parameter group, for `lr` and `weight_decay`. */
  readonly group?: string;
  /** Default value. */
  readonly value: number;
  /** `lr` inputs: whether the rate follows the base lr (as `base × scale`). */
  readonly followsBase?: boolean;
  readonly scale?: number;
}

/** What one call of {@link TrainBackend.train} returns: one loss (and optionally logits) per batch. */
export interface TrainResult {
  losses: number[];
  logits?: TensorValue[];
  /** Per-tensor norms (`stats.grad_norm.<p>`, `stats.weight_norm.<p>`, `stats.update_norm.<p>`, ...) of the last step, when asked for. */
  stats?: Record<string, number>;
}

/**
 * The numeric side of a Trainer: anything that runs optimizer steps on batches and evaluates a
 * model. @anneal/engine implements it over ONNX Runtime (`engineBackend`); the Trainer itself
 * never imports ORT.
 *
 * A step that produces a NaN/Inf loss must throw an error carrying `step` (the 1-based update
 * number, see {@link NonFiniteStep}) after applying the batches before it and leaving the
 * parameters at their last finite values.
 */
export interface TrainBackend {
  /** Optimizer updates applied so far. */
  readonly steps: number;
  /** Every hyperparameter input of the step (`hp.lr.default`, `hp.momentum`, ...): role, group, default. */
  readonly hyperparameters: readonly HyperparameterSpec[];
  /** One optimizer step per batch, in order; `hp` holds one entry per batch. */
  train(batches: readonly Batch[], hp: readonly StepHyperparameters[], options?: { logits?: boolean; stats?: boolean }): Promise<TrainResult>;
  /** Loss and logits of one batch, parameters unchanged. */
  evaluate(batch: Batch): Promise<{ loss: number; logits: TensorValue }>;
  /** Logits for unlabelled inputs. */
  predict(inputs: Batch): Promise<TensorValue>;
  /** Every tensor needed to resume (parameters, optimizer state, running statistics). */
  state(): Promise<Record<string, TensorValue>>;
  /** Trainable parameters and running statistics only (what an exported model holds). */
  weights(): Promise<Record<string, TensorValue>>;
  /** Restores {@link state} output (and the update count). */
  restore(state: Readonly<Record<string, TensorValue>>, steps: number): Promise<void>;
  /** Replaces the weights only (e.g. restoring the best epoch's weights); optimizer state is kept. */
  loadWeights(weights: Readonly<Record<string, TensorValue>>): Promise<void>;
  /** Writes an inference ONNX model with the current weights. */
  exportModel?(path: string): Promise<void>;
}

/** The shape of errors a backend throws for a non-finite loss (the Trainer reads these fields). */
export interface NonFiniteStep {
  readonly step: number;
  readonly loss: number;
  readonly tensor?: string;
  readonly message: string;
  /** Losses of the batches of the same call applied before the failing one. */
  readonly completed?: readonly number[];
}

/** Whether an error is a backend's non-finite-loss error. */
export function isNonFiniteStep(e: unknown): e is NonFiniteStep {
  return e instanceof Error && typeof (e as Partial<NonFiniteStep>).step === 'number' && typeof (e as Partial<NonFiniteStep>).loss === 'number' && !Number.isFinite((e as unknown as NonFiniteStep).loss);
}

/**
 * Batches of one epoch, in an order that depends only on the epoch number (so a resumed run
 * sees exactly the batches an uninterrupted one would). `DataLoader` from @anneal/data is one.
 */
export interface BatchSource {
  readonly batchesPerEpoch: number;
  epoch(epoch: number, options?: { from?: number }): AsyncIterable<Record<string, TensorValue>>;
}

/** Something that writes and reads checkpoint files (tensors plus string metadata), atomically. */
export interface CheckpointIO {
  write(path: string, tensors: Record<string, TensorValue>, metadata: Record<string, string>): Promise<void>;
  read(path: string): Promise<{ tensors: Record<string, TensorValue>; metadata: Record<string, string> }>;
  /** Removes a written file (best-k weights that fell out); absent in stores that keep everything. */
  remove?(path: string): Promise<void>;
}
