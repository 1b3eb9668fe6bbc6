export { TrainerError, DivergedError } from './errors';
export { isNonFiniteStep, type Batch, type BatchSource, type CheckpointIO, type NonFiniteStep, type StepHyperparameters, type TrainBackend, type TrainResult } from './backend';
export { ofType, snapshot, type AnnealEvent, type AnnealEventMap, type AnnealEventType, type EventOf, type LossSummary, type PassMetrics, type TensorNorms } from './events';
export { RunningStats } from './running-stats';
export { accuracy, topK, batchMetric, type Metric } from './metrics';
export { monitorValue, type Callback, type JsonValue, type TrainerControl } from './callback';
export { baseLr, resolveBindings, requestAt, type ScheduleBinding, type ScheduleLike } from './schedule-binding';
export { TRAINER_STATE_KEY, type TrainerState } from './checkpoint-state';
export { evaluatePass } from './evaluate-pass';
export { Trainer, type TrainerOptions, type FitResult } from './trainer';
export { earlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping';
export { modelCheckpoint, type ModelCheckpointOptions } from './callbacks/model-checkpoint';
export { hyperparameterMonitor } from './callbacks/hyperparameter-monitor';
export { updateRatioMonitor, type UpdateRatioOptions, type RatioFlag } from './callbacks/update-ratio-monitor';
export { stochasticWeightAveraging, type SwaOptions } from './callbacks/weight-averaging';
export { epochSummary } from './loggers/epoch-summary';
export { progressLogger } from './loggers/progress-logger';
export type { Logger } from './logger';
export { progressBar, silentIo, type ProgressBar, type RunIo } from './run-io';
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
} from './plugins';
