export type { ParamValue, Distribution, Direction, TrialState, FrozenTrial, StudyRecord, Storage, StudyView, Sampler, Pruner } from './types';
export { SearchError, DistributionError, TrialStateError, StorageError, TrialPruned } from './errors';
export { checkDistribution, sameDistribution, isSingle, adjustedHigh, toInternal, fromInternal, contains, describeDistribution } from './distributions';
