import type { Executor } from '../executor.js';
import type { TensorValue } from '../tensor.js';
import type { ModelProto } from '../types.js';
import { cutModel, type CutModelOptions } from './cut-model.js';

/**
 * Runs the model once (through any {@link Executor}) with the named tensors exposed as outputs and
 * returns their actual dims; feeds `listFeatureTensors(model, { probe })` when static inference
 * cannot size a tensor.
 *
 * @example
 * const dims = await probeTensorDims(model, ['feat'], executor, { x: sample });
 * listFeatureTensors(model, { probe: (name) => dims.get(name) });
 */
export async function probeTensorDims(
  model: ModelProto,
  names: readonly string[],
  executor: Executor,
  feeds: Record<string, TensorValue>,
  options: CutModelOptions = {},
): Promise<Map<string, number[]>> {
  const probe = cutModel(model, names, options);
  const needed = Object.fromEntries(probe.graph.input.filter((i) => feeds[i.name]).map((i) => [i.name, feeds[i.name]!]));
  const out = await executor.run(probe, needed, names);
  return new Map(names.map((n) => [n, [...(out[n]?.dims ?? [])]]));
}
