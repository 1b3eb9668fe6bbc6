/**
 * @anneal/ensembles: several trained classifiers as one ONNX model (members side by side, outputs
 * combined in the graph), weight averages of same-architecture models, and ensemble metrics.
 *
 * @example
 * ```ts
 * saveModel('ensemble.onnx', ensembleModel(members.map((p) => loadModel(p)), { combine: 'mean-probability' }));
 * ```
 */
export { EnsembleError } from './errors';
export { ensembleModel, type CombineRule, type EnsembleModelOptions } from './ensemble-model';
export { averageWeights } from './average-weights';
export { ensembleMetrics, type EnsembleMetrics, type Score } from './ensemble-metrics';
