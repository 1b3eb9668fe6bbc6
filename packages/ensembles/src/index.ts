/**
 * @anneal/ensembles: several trained classifiers as one ONNX model (members side by side, outputs
 * combined in the graph), weight averages of same-architecture models, and ensemble metrics.
 *
 * @example
 * ```ts
 * saveModel('ensemble.onnx', ensembleModel(members.map((p) => loadModel(p)), { combine: 'mean-probability' }));
 * ```
 */
export { EnsembleError } from './errors.js';
export { ensembleModel, ENSEMBLE_METADATA_KEY, type EnsembleModelOptions } from './ensemble-model.js';
export { COMBINE_OUTPUTS, VOTE_TIE_TOLERANCE, type CombineRule } from './combine-outputs.js';
export { averageWeights } from './average-weights.js';
export { ensembleMetrics, type EnsembleMetrics, type Score } from './ensemble-metrics.js';
