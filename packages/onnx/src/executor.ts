import type { ModelProto } from './types.js';
import type { TensorValue } from './tensor.js';

/**
 * The smallest contract for running an ONNX model, so packages that must execute graphs
 * (shape probes, gradient checks) stay independent of which ONNX Runtime build does it.
 * `@anneal/runtime` implements it over onnxruntime-node and onnxruntime-web.
 */
export interface Executor {
  /** Runs `model` once with `feeds`; returns the requested outputs (all graph outputs by default). */
  run(model: ModelProto, feeds: Record<string, TensorValue>, outputs?: readonly string[]): Promise<Record<string, TensorValue>>;
}
