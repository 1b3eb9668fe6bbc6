export { TrainerError, DivergedError, CheckpointStateError } from './errors.js';
export { ResumeMismatchError, checkResumeState, type ResumeTarget } from './resume-check.js';
export { isNonFiniteStep, type Batch, type BatchSource, type CheckpointIO, type NonFiniteStep, type StepHyperparameters, type TrainBackend, type TrainResult } from './backend.js';
export { ofType, snapshot, type AnnealEvent, type AnnealEventMap, type AnnealEventType, type EventOf, type LossSummary, type PassMetrics, type TensorNorms } from './events.js';
export { RunningStats } from './running-stats.js';
export { accuracy, topK, batchMetric, type Metric } from './metrics.js';
export { DEFAULT_MONITOR, monitorValue, type Callback, type JsonValue, type TrainerControl } from './callback.js';
export { baseLr, resolveBindings, requestAt, type ScheduleBinding, type ScheduleLike } from './schedule-binding.js';
export { TRAINER_STATE_KEY, type TrainerState } from './checkpoint-state.js';
export { evaluatePass } from './evaluate-pass.js';
export { Trainer, type TrainerOptions, type FitResult } from './trainer.js';
export { earlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { modelCheckpoint, type ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { hyperparameterMonitor } from './callbacks/hyperparameter-monitor.js';
export { updateRatioMonitor, type UpdateRatioOptions, type RatioFlag } from './callbacks/update-ratio-monitor.js';
export { stochasticWeightAveraging, type SwaOptions } from './callbacks/weight-averaging.js';
export { epochSummary } from './loggers/epoch-summary.js';
export { progressLogger } from './loggers/progress-logger.js';
export type { Logger } from './logger.js';
export { progressBar, silentIo, type ProgressBar, type RunIo } from './run-io.js';
export {
  builtinCallbacks,
  builtinCoreLoggers,
  builtinMetrics,
  defineCallback,
  defineLogger,
  defineMetric,
  type CallbackContext,
  type CallbackDescriptor,
  type CoreKinds,
  type LoggerContext,
  type LoggerDescriptor,
  type MetricContext,
  type MetricDescriptor,
  type RunInfo,
} from './plugins.js';
