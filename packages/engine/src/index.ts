export { EngineError } from './errors';
export { lossEmitter, labelType, lossKinds, type LossSpec } from './loss-spec';
export { TrainSession, type TrainSessionOptions, type StepResult, type StepManyResult, type EvalResult } from './train-session';
export { HyperparameterTensors, type HyperparameterRequest } from './hyperparameter-tensors';
export { buildLoopSteps, type LoopSteps } from './loop-steps';
export { stackBatches, unstackBatch, stackedCount, type StackedBatches } from './stack-batches';
export { prepareModel, type PreparedModel } from './prepare-model';
export { buildMlp } from './mlp';
export { fastestThreadCount, type ThreadTuning } from './tune-threads';
