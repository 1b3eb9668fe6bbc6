import { inspectModel, type ModelReport } from '@anneal/transfer';
import type { Pipeline } from '../pipeline.js';
import { GRADIENT_REGISTRY } from '../tokens.js';

/** Options of {@link inspect}. */
export interface InspectOptions {
  /** Input dims for the probe run, batch first. */
  inputShape?: number[];
  /** Feature candidates to list. */
  limit?: number;
}

/**
 * `anneal inspect <model>`: what a backbone offers for transfer learning: inputs/outputs, ops
 * with gradient coverage (the pipeline's gradient rules, plugins included), parameters, feature
 * tensors to cut at and the ops that would block fine-tuning.
 *
 * @example const report = await inspect(pipeline, 'backbone.onnx', { inputShape: [1, 3, 224, 224] });
 */
export async function inspect(pipeline: Pipeline, model: string, options: InspectOptions = {}): Promise<ModelReport> {
  return inspectModel(model, { probeInput: options.inputShape, limit: options.limit, registry: pipeline.container.resolve(GRADIENT_REGISTRY) });
}
