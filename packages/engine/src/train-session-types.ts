import type { BatchNormMode, CompileProgress, GradientRegistry, Loss } from '@anneal/autograd';
import type { ModelProto, TensorValue } from '@anneal/onnx';
import type { OptimizerUpdateConfig } from '@anneal/optim';
import type { Device, RuntimeWarning } from '@anneal/runtime';
import type { LossSpec } from './loss-spec.js';
import type { ParallelOptions } from './parallel-step.js';

/** Options of {@link TrainSession.create}. */
export interface TrainSessionOptions {
  /** Forward model, opset 13+ (see prepareModel), whose first output is the logits. */
  model: ModelProto;
  /** Initializers to train; every trainable parameter by default (see listParameters). */
  trainable?: readonly string[];
  loss: LossSpec | Loss;
  /**
   * The loss of the evaluation graph (`evaluate`, validation and test), when it differs from the
   * training loss; default `loss`. Mixup / cutmix train on soft targets [N, classes] (e.g.
   * `soft-target-cross-entropy`) while evaluation keeps class ids and `cross-entropy`, whose
   * argmax predictions give accuracy.
   *
   * @example
   * // sample.labels: float [N, classes] soft targets; evaluate() then takes int64 class ids
   * TrainSession.create({ model, optimizer, sample, loss: { kind: 'soft-target-cross-entropy' }, evalLoss: { kind: 'cross-entropy' } });
   */
  evalLoss?: LossSpec | Loss;
  /** Optimizer update config without `params` (they come from `trainable`). */
  optimizer: Omit<OptimizerUpdateConfig, 'params'>;
  /** A sample batch (inputs by name plus `labels`), batch size 2 or more, to probe shapes. */
  sample: Record<string, TensorValue>;
  device?: Device;
  deviceId?: number;
  /**
   * On device 'cpu' (onnxruntime-node), run depthwise and kxk convolutions and their gradients on ONNX
   * Runtime's blocked (NCHWc) kernels where this CPU has them (default true): 3-4x faster depthwise
   * weight gradients. The step graph then needs onnxruntime-node's CPU provider; false keeps it
   * standard ONNX (e.g. to save it for another runtime).
   */
  blockedConvolutions?: boolean;
  /**
   * Intra-op threads of the ORT sessions (default 2). `'auto'` times the step graph once with
   * 1..`maxThreads` threads (default 2) and keeps the fastest: small steps are often faster on one.
   */
  intraOpThreads?: number | 'auto';
  /** Upper bound for `intraOpThreads: 'auto'` (default 2). */
  maxThreads?: number;
  /**
   * Intra-op threads of the stepMany loop sessions; by default the same as `intraOpThreads`
   * (timed separately under `'auto'`). Set it, with a number for `intraOpThreads`, to reproduce
   * a run's thread choice exactly (a resumed run, say).
   */
  loopIntraOpThreads?: number;
  registry?: GradientRegistry;
  /**
   * BatchNormalization during training: 'as-exported' (default), 'train' (batch statistics,
   * running statistics updated every step and used by evaluate/export) or 'frozen'.
   */
  batchNorm?: BatchNormMode;
  onWarning?: (w: RuntimeWarning) => void;
  /**
   * Data parallelism and gradient accumulation (see {@link ParallelOptions}): each batch is split
   * over worker threads and micro-batches, the gradients all-reduced, one update applied.
   */
  parallel?: ParallelOptions;
  /** Seed of the Dropout masks (see compileTrainStep's `dropoutSeed`): runs with dropout repeat exactly. Default: ORT's random seeds. */
  seed?: number;
  /** Progress of compiling (probe, backward, update) and of creating the step's ORT session ('session', 0..1), e.g. for a progress bar. */
  onProgress?: CompileProgress;
}

/** Result of one training step. */
export interface StepResult {
  loss: number;
  /** The step's logits (computed before its update), when asked for with `logits: true`. */
  logits?: TensorValue;
}

/** Result of {@link TrainSession.stepMany}: one loss per optimizer step, in order. */
export interface StepManyResult {
  losses: number[];
  /** Each step's logits (computed before its update), when asked for with `logits: true`. */
  logits?: TensorValue[];
}

/** What {@link TrainSession.stepMany} returns besides losses. */
export interface StepManyOptions {
  /** Also return each step's logits (for training metrics such as accuracy). */
  logits?: boolean;
}

/** Which weights evaluation, prediction and export use: the trained ones, or their average (`optimizer.ema`). */
export type WeightChoice = 'current' | 'average';

/** Metrics of an evaluation pass. */
export interface EvalResult {
  loss: number;
  accuracy?: number;
  count: number;
}
