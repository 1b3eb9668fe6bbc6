import type { Loss } from '@anneal/autograd';
import type { Callback, Logger, RunIo } from '@anneal/core';
import type { ModelDefinition, TrainSession, WeightChoice } from '@anneal/engine';
import type { ModelProto } from '@anneal/onnx';
import type { RunData, RunParts } from './run-data.js';

/**
 * How a run is composed besides its config. Everything is optional: a run with no `dir` trains
 * in memory (no files), which is what code that only wants a Trainer uses.
 */
export interface RunOptions {
  /** The run folder (config.json, metrics.jsonl, checkpoints, model.onnx, charts); runs without one write no files. */
  dir?: string;
  /** Continue from `<dir>/checkpoints/last.safetensors` (the run's own thread counts are reused). */
  resume?: boolean;
  /** Train at most this many epochs, then stop with a resumable checkpoint (a pause: `resume` continues it; PBT intervals). */
  pauseAfterEpochs?: number;
  /** Where to print (default: the pipeline's). */
  io?: RunIo;
  /** More Trainer callbacks, made in code. */
  callbacks?: readonly Callback[];
  /** More loggers, made in code. */
  loggers?: readonly Logger[];
  /** Intra-op threads of the train step sessions (a resumed run passes the original run's). */
  threads?: { intraOp: number; loop?: number };
  /** Folder relative paths in the config are resolved against (default: the pipeline's, the working directory). */
  baseDir?: string;
  /** The header line's command name (default 'anneal fit'). */
  label?: string;
  /** Parts of the run made by the caller instead of from the config (recipe runs share one split; finetune brings backbone + head). */
  provide?: {
    parts?: RunParts;
    data?: RunData;
    model?: ModelDefinition;
    /**
     * The training step's loss when the training batches carry other labels than evaluation
     * (mixup / cutmix: soft targets [N, classes] from `data.trainBatches`, shaped as
     * `data.trainSample`): the step trains with it, val/test evaluate with the config's `loss` on
     * class ids, and the Trainer computes no training metrics (they read class ids).
     */
    trainLoss?: Loss;
  };
  /** The inference model saved as model.onnx (default: the trained model with its final weights). */
  exportModel?: (run: ComposedRunView) => Promise<ModelProto>;
  /** Sees the composed run before training (snapshot ensembles export through it). */
  onComposed?: (run: ComposedRunView) => void;
}

/** What {@link RunOptions} hooks see of a composed run. */
export interface ComposedRunView {
  readonly session: TrainSession;
  readonly model: ModelProto;
  readonly weights: WeightChoice;
  readonly data: RunData;
}
