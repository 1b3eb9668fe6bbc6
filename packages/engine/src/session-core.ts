import type { TrainStep } from '@anneal/autograd';
import type { ModelProto, TensorValue } from '@anneal/onnx';
import type { OptimizerUpdate } from '@anneal/optim';
import type { Session, SessionOptions, StateStore } from '@anneal/runtime';
import type { HyperparameterTensors } from './hyperparameter-tensors.js';
import type { ParallelStep } from './parallel-step.js';

/**
 * What the parts of a TrainSession share (internal): the compiled step, the update's
 * description, the carried state inside ORT, the hyperparameter cells, the plain step session
 * and the counters. The compile, step, loop, forward and state modules each work on it.
 */
export interface SessionCore {
  readonly trainStep: TrainStep;
  readonly update: OptimizerUpdate;
  /** The forward model the step was compiled from. */
  readonly source: ModelProto;
  readonly state: StateStore;
  readonly hp: HyperparameterTensors;
  /** Output name -> the carried input it replaces. */
  readonly carriedOutputs: Readonly<Record<string, string>>;
  /** The step graph without the norm outputs. */
  readonly session: Session;
  readonly sessionOptions: SessionOptions;
  /** Set when threads are tuned per graph (`intraOpThreads: 'auto'`): the candidates and a sample batch to time with. */
  readonly tuning?: { candidates: number[]; sample: Record<string, TensorValue> };
  /** Set when the session trains data-parallel or accumulates gradients. */
  readonly parallelStep?: ParallelStep;
  /** Optimizer updates applied so far. */
  stepCount: number;
  /** Seed of the Dropout noise; saved with the state, so a resumed run keeps it. */
  noiseSeed: number;
  /** Intra-op threads of the Loop sessions, once chosen (or given). */
  loopThreadCount?: number;
  /** This CPU's NCHWc block when the step's convolutions were lowered (blockedConvolutions); the forward sessions lower theirs too. */
  readonly nchwcBlock?: number;
}

/** State entry holding the Dropout noise seed. */
export const NOISE_SEED = 'rng.dropout_seed';
