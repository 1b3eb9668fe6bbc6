import { OnnxError, OpsetMismatchError, UnknownTensorError } from '../errors.js';
import type { GraphProto, ModelProto, OperatorSetId } from '../types.js';
import { describeValueInfo } from '../value-info.js';
import { requireTensor } from './cut-model.js';
import { cloneModel, graphNames, nearestNames, NameAllocator } from './graph-names.js';
import { pruneGraph } from './prune-graph.js';
import { inferTensorFacts } from './tensor-facts.js';

/** Options of {@link mergeModels}. */
export interface MergeModelsOptions {
  /** Which backbone tensor feeds each head input: `{ [headInputName]: backboneTensorName }`. */
  connect: Readonly<Record<string, string>>;
  /** Prepended to head names that collide with backbone names. Default `'head/'`. */
  prefix?: string;
  /** Keep the backbone's own outputs after the head outputs. Default false. */
  keepBackboneOutputs?: boolean;
}

const domainOf = (o: OperatorSetId) => (o.domain === 'ai.onnx' ? '' : o.domain ?? '');

function mergeOpsets(a: OperatorSetId[], b: OperatorSetId[]): OperatorSetId[] {
  const out = new Map<string, OperatorSetId>();
  for (const o of a) out.set(domainOf(o), o);
  for (const o of b) {
    const d = domainOf(o);
    const mine = out.get(d);
    if (mine && Number(mine.version) !== Number(o.version)) {
      const hint = d ? 'both models must use the same version of this domain' : `upgrade the older one first, e.g. upgradeOpset(model, ${Math.max(Number(mine.version), Number(o.version))})`;
      throw new OpsetMismatchError(d, [Number(mine.version), Number(o.version)], `backbone and head cannot be merged; ${hint}`);
    }
    if (!mine) out.set(d, o);
  }
  return [...out.values()];
}

/** Renames every name of a graph (and its subgraphs) through `rename`, in place. */
export function renameGraph(graph: GraphProto, rename: (name: string) => string): void {
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) v.name = rename(v.name);
  for (const t of graph.initializer) if (t.name) t.name = rename(t.name);
  for (const q of graph.quantizationAnnotation) if (q.tensorName) q.tensorName = rename(q.tensorName);
  for (const n of graph.node) {
    if (n.name) n.name = rename(n.name);
    n.input = n.input.map((i) => (i ? rename(i) : i));
    n.output = n.output.map((o) => (o ? rename(o) : o));
    for (const a of n.attribute) for (const g of [a.g, ...a.graphs]) if (g) renameGraph(g, rename);
  }
}

/**
 * Splices a head graph onto a backbone: each head input named in `connect` reads the given
 * backbone tensor instead; head names that collide with backbone names get `prefix`; the result's
 * outputs are the head's outputs, and backbone nodes the head does not need are dropped. Both
 * models must import the same default-domain opset (use {@link upgradeOpset} first).
 *
 * @throws OpsetMismatchError, UnknownTensorError (unknown head input or backbone tensor).
 * @example
 * const model = mergeModels(backbone, head, { connect: { features: 'reshape2_0.tmp_0' } });
 */
export function mergeModels(backbone: ModelProto, head: ModelProto, options: MergeModelsOptions): ModelProto {
  const opsetImport = mergeOpsets(backbone.opsetImport, head.opsetImport);
  const prefix = options.prefix ?? 'head/';
  const headInputs = new Map(head.graph.input.map((i) => [i.name, i]));
  const facts = inferTensorFacts(backbone.graph);
  for (const [headInput, target] of Object.entries(options.connect)) {
    const declared = headInputs.get(headInput);
    if (!declared) {
      const candidates = nearestNames(headInput, headInputs.keys());
      throw new UnknownTensorError(headInput, `the inputs of head graph '${head.graph.name ?? ''}'`, `options.connect must name head inputs; the head has: ${[...headInputs.keys()].join(', ')}.`, candidates);
    }
    requireTensor(backbone, target, `backbone tensor connected to head input '${headInput}'`);
    const want = describeValueInfo(declared).elemType;
    const have = facts.get(target)?.elemType;
    if (want && have && want !== have) {
      throw new OnnxError('TYPE_MISMATCH', `head input '${headInput}' expects element type ${want} but backbone tensor '${target}' has ${have}; insert a Cast in the head`);
    }
  }
  const taken = graphNames(backbone.graph);
  const allocator = new NameAllocator(new Set([...taken, ...graphNames(head.graph)]));
  const renamed = new Map<string, string>(Object.entries(options.connect));
  const rename = (name: string): string => {
    let out = renamed.get(name);
    if (out === undefined) {
      out = taken.has(name) ? allocator.fresh(prefix + name) : name;
      renamed.set(name, out);
    }
    return out;
  };
  const headCopy = cloneModel(head).graph;
  headCopy.input = headCopy.input.filter((i) => !(i.name in options.connect));
  renameGraph(headCopy, rename);
  const base = backbone.graph;
  const merged: GraphProto = {
    ...base,
    node: [...base.node, ...headCopy.node],
    initializer: [...base.initializer, ...headCopy.initializer],
    sparseInitializer: [...base.sparseInitializer, ...headCopy.sparseInitializer],
    input: [...base.input, ...headCopy.input],
    valueInfo: [...base.valueInfo, ...headCopy.valueInfo],
    quantizationAnnotation: [...base.quantizationAnnotation, ...headCopy.quantizationAnnotation],
    output: [],
  };
  const outputs = [...headCopy.output, ...(options.keepBackboneOutputs ? base.output : [])];
  const { graph: _graph, ...rest } = backbone;
  return cloneModel({
    ...rest,
    irVersion: Math.max(Number(backbone.irVersion ?? 0), Number(head.irVersion ?? 0)),
    opsetImport,
    functions: [...backbone.functions, ...head.functions],
    graph: pruneGraph(merged, outputs),
  });
}
