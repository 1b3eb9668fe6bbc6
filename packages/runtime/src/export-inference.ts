import { DataType, GraphIndex, UnknownTensorError, describeValueInfo, subgraphInputs, valueToTensor, type ModelProto, type TensorValue } from '@anneal/onnx';
import { TensorMismatchError } from './errors.js';

/** Options of {@link exportInferenceModel}. */
export interface ExportInferenceOptions {
  /** Graph outputs to keep (e.g. `['logits']`). Default: all current graph outputs. */
  outputs?: readonly string[];
  /** Graph name of the exported model. Default: the source graph's name. */
  graphName?: string;
}

/**
 * Builds a plain inference model: each of `params` replaces the initializer of that name or, if
 * the name is a graph input (as trainable parameters are in a train-step graph), becomes an
 * initializer and stops being an input. The graph is then pruned to what `outputs` need, so
 * inputs such as labels, learning rates or optimizer state disappear. The source model is not
 * modified. The result runs on any ONNX Runtime (node, web, python).
 *
 * @example
 * const inference = exportInferenceModel(trainStep, await state.values(), { outputs: ['logits'] });
 * saveModel('model.onnx', inference);
 */
export function exportInferenceModel(model: ModelProto, params: Record<string, TensorValue>, options: ExportInferenceOptions = {}): ModelProto {
  const out = structuredClone(model);
  const g = out.graph;
  const index = new GraphIndex(g);
  for (const [name, value] of Object.entries(params)) {
    if (!index.initializers.has(name) && !index.inputs.has(name)) {
      throw new UnknownTensorError(name, `graph '${g.name ?? ''}' (inputs and initializers)`, 'Parameters must name a graph input or an initializer; check the parameter names against the model.');
    }
    const input = g.input.find((i) => i.name === name);
    const declared = input ? describeValueInfo(input) : undefined;
    const existing = index.initializers.get(name);
    const declaredType = existing?.dataType ?? declared?.elemType;
    if (declaredType !== undefined && declaredType !== DataType.UNDEFINED && declaredType !== value.dataType) {
      throw new TensorMismatchError(`parameter '${name}' is ${DataType[value.dataType]} but the model declares ${DataType[declaredType]}; cast it before exporting.`);
    }
    const declaredDims = existing ? existing.dims.map(Number) : declared?.dims;
    if (declaredDims && (declaredDims.length !== value.dims.length || declaredDims.some((d, i) => typeof d === 'number' && d !== value.dims[i]))) {
      throw new TensorMismatchError(`parameter '${name}' has shape [${value.dims.join(', ')}] but the model declares [${declaredDims.join(', ')}].`);
    }
  }
  const outputs = options.outputs ? [...options.outputs] : g.output.map((o) => o.name);
  for (const o of outputs) index.require(o, `graph '${g.name ?? ''}' (export outputs)`);

  const kept = index.ancestors(outputs);
  const used = new Set<string>(outputs);
  for (const n of kept) for (const i of [...n.input, ...subgraphInputs(n)]) if (i) used.add(i);
  const produced = new Set(kept.flatMap((n) => n.output));
  const paramNames = new Set(Object.keys(params));

  const initializers = g.initializer.filter((t) => t.name && !paramNames.has(t.name) && used.has(t.name));
  for (const [name, value] of Object.entries(params)) if (used.has(name)) initializers.push(valueToTensor(name, value));
  const initNames = new Set(initializers.map((t) => t.name!));

  g.node = kept;
  g.initializer = initializers;
  g.input = g.input.filter((i) => used.has(i.name) && !initNames.has(i.name));
  const outputInfo = new Map(g.output.map((o) => [o.name, o]));
  const knownInfo = new Map(g.valueInfo.map((v) => [v.name, v]));
  g.output = outputs.map((name) => outputInfo.get(name) ?? knownInfo.get(name) ?? { name, metadataProps: [] });
  g.valueInfo = g.valueInfo.filter((v) => produced.has(v.name) && !outputs.includes(v.name));
  g.sparseInitializer = [];
  if (options.graphName) g.name = options.graphName;
  out.trainingInfo = [];
  // IR < 4 requires every initializer to be a graph input too; plain initializers need IR 4+.
  if ((out.irVersion ?? 0) < 4) out.irVersion = 4;
  return out;
}
