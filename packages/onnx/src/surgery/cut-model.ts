import { OnnxError, UnknownTensorError } from '../errors.js';
import { GraphIndex } from '../graph-index.js';
import type { DataType, ModelProto, NodeProto, ValueInfoProto } from '../types.js';
import { tensorValueInfo, type Dim } from '../value-info.js';
import { cloneModel, graphNames, nearestNames } from './graph-names.js';
import { pruneGraph } from './prune-graph.js';
import { inferTensorFacts } from './tensor-facts.js';

/** Options of {@link cutModel}. */
export interface CutModelOptions {
  /** Type of a new output when neither the graph declares it nor inference finds it. */
  outputTypes?: Record<string, { elemType: DataType; dims?: Dim[] }>;
}

/** Throws {@link UnknownTensorError} (with the closest existing names) unless `name` is a tensor of the model. */
export function requireTensor(model: ModelProto, name: string, role = 'tensor'): void {
  if (new GraphIndex(model.graph).has(name)) return;
  const candidates = nearestNames(name, graphNames(model.graph));
  throw new UnknownTensorError(
    name,
    `the graph '${model.graph.name ?? ''}'`,
    `It was given as the ${role}. Closest names: ${candidates.join(', ')}. listFeatureTensors(model) lists likely cut points.`,
    candidates,
  );
}

/** The declaration of tensor `name` as a graph output: declared, inferred or given by the caller. */
export function outputDeclaration(model: ModelProto, name: string, facts: ReturnType<typeof inferTensorFacts>, given?: { elemType: DataType; dims?: Dim[] }): ValueInfoProto {
  if (given) return tensorValueInfo(name, given.elemType, given.dims);
  const declared = [...model.graph.output, ...model.graph.valueInfo, ...model.graph.input].find((v) => v.name === name && v.type?.tensorType?.elemType);
  if (declared) return declared;
  const fact = facts.get(name);
  if (!fact?.elemType) {
    const op = untypedOrigin(model, facts, name);
    const through = op ? `, because the element type of the output of ${op.domain ? `${op.domain}.` : ''}${op.opType} node '${op.name ?? ''}' is not inferred (Anneal's static inference does not model that op)` : '';
    throw new OnnxError(
      'UNKNOWN_TENSOR_TYPE',
      `the element type of tensor '${name}' is not declared in the model and could not be inferred${through}; declare the types in the model (onnx.shape_inference.infer_shapes writes value_info), cut at a tensor before that op, or in code pass options.outputTypes['${name}'] = { elemType }`,
    );
  }
  return tensorValueInfo(name, fact.elemType, fact.dims);
}

/** The node where the element type of `name` was lost: walking back through producers while an input's type is unknown. */
function untypedOrigin(model: ModelProto, facts: ReturnType<typeof inferTensorFacts>, name: string): NodeProto | undefined {
  const producers = new Map<string, NodeProto>();
  for (const n of model.graph.node) for (const o of n.output) producers.set(o, n);
  let node = producers.get(name);
  for (let hops = 0; node && hops < model.graph.node.length; hops++) {
    const untyped = node.input.find((i) => i && !facts.get(i)?.elemType && producers.has(i));
    if (!untyped) return node;
    node = producers.get(untyped);
  }
  return node;
}

/**
 * A new model whose outputs are the named tensors, holding only the nodes, initializers and
 * inputs needed to compute them. Output types come from the graph's declarations, else from
 * static inference, else from `options.outputTypes`.
 *
 * @throws UnknownTensorError when a name is not in the graph (its `candidates` lists close names).
 * @example
 * const backbone = cutModel(classifier, 'reshape2_0.tmp_0'); // outputs the [N, 200] feature
 */
export function cutModel(model: ModelProto, tensor: string | readonly string[], options: CutModelOptions = {}): ModelProto {
  const names = typeof tensor === 'string' ? [tensor] : [...tensor];
  for (const name of names) requireTensor(model, name, 'cut point');
  const facts = inferTensorFacts(model.graph);
  const outputs = names.map((name) => outputDeclaration(model, name, facts, options.outputTypes?.[name]));
  const graph = pruneGraph(model.graph, outputs);
  const { graph: _source, ...rest } = model;
  return cloneModel({ ...rest, graph });
}
