export { EngineError } from './errors';
export { lossEmitter, labelType, lossKinds, type LossSpec } from './loss-spec';
export { TrainSession, type TrainSessionOptions, type StepResult, type EvalResult } from './train-session';
export { prepareModel, type PreparedModel } from './prepare-model';
export { buildMlp } from './mlp';
