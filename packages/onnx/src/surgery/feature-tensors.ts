import { attrs } from '../attributes.js';
import type { GraphProto, ModelProto, NodeProto } from '../types.js';
import type { Dim } from '../value-info.js';
import { constantTensors } from './constant-values.js';
import { inferTensorFacts } from './tensor-facts.js';

/** Why a tensor looks like a feature vector. */
export type FeatureReason = 'pooled' | 'flattened' | 'classifier-input';

/** A candidate feature tensor for transfer learning. */
export interface FeatureTensor {
  name: string;
  /** Op type of the node producing it. */
  producer: string;
  /** Name of that node ('' when unnamed). */
  producerName: string;
  /** Static dims when known (symbolic dims by name, unknown ones as '?'). */
  dims?: Dim[];
  /** Nodes between this tensor and the nearest graph output (smaller = closer to the head). */
  distanceToOutput: number;
  reasons: FeatureReason[];
}

/** Options of {@link listFeatureTensors}. */
export interface ListFeatureTensorsOptions {
  /** Most candidates returned. Default 10. */
  limit?: number;
  /** Dims for tensors static inference cannot size, e.g. from a probe run (see {@link probeTensorDims}). */
  probe?: (name: string) => readonly Dim[] | undefined;
}

const POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze']);
const LINEAR = new Set(['MatMul', 'Gemm']);

/** Nodes from each tensor to the nearest graph output (tensors with no path to an output are absent). */
function distances(graph: GraphProto): Map<string, number> {
  const dist = new Map<string, number>(graph.output.map((o) => [o.name, 0]));
  for (let k = graph.node.length - 1; k >= 0; k--) {
    const node = graph.node[k]!;
    const below = Math.min(...node.output.map((o) => dist.get(o) ?? Infinity));
    if (below === Infinity) continue;
    for (const i of node.input) if (i) dist.set(i, Math.min(dist.get(i) ?? Infinity, below + 1));
  }
  return dist;
}

function isSpatialMean(node: NodeProto): boolean {
  if (node.opType !== 'ReduceMean') return false;
  const axes = attrs(node).ints('axes', []);
  return axes.length >= 2 && axes.every((a) => a >= 2 || a < 0);
}

/**
 * Candidate feature tensors for transfer learning: outputs of global pooling, the flatten/reshape
 * that follows it, and inputs of linear layers (MatMul/Gemm with constant weights), closest to the
 * graph output first. Dims come from declared value infos, static inference (Reshape constants,
 * shape arithmetic), the consuming weight's size, or `options.probe`.
 *
 * @example
 * const [best] = listFeatureTensors(classifier);
 * // { name: 'reshape2_0.tmp_0', producer: 'Reshape', dims: ['p2o.DynamicDimension.0', 200], ... }
 */
export function listFeatureTensors(model: ModelProto, options: ListFeatureTensorsOptions = {}): FeatureTensor[] {
  const graph = model.graph;
  const facts = inferTensorFacts(graph);
  const constants = constantTensors(graph);
  const dist = distances(graph);
  const producers = new Map<string, NodeProto>();
  for (const n of graph.node) for (const o of n.output) producers.set(o, n);
  const reasons = new Map<string, Set<FeatureReason>>();
  const mark = (name: string, reason: FeatureReason) => {
    if (!name || !producers.has(name) || !dist.has(name)) return;
    reasons.set(name, (reasons.get(name) ?? new Set()).add(reason));
  };
  const pooled = new Set<string>();
  const widthFromWeight = new Map<string, number>();
  for (const node of graph.node) {
    const x = node.input[0] ?? '';
    if (POOLS.has(node.opType) || isSpatialMean(node)) {
      pooled.add(node.output[0]!);
      mark(node.output[0]!, 'pooled');
    } else if (RESHAPES.has(node.opType) && pooled.has(x)) {
      pooled.add(node.output[0]!);
      mark(node.output[0]!, 'flattened');
    } else if (LINEAR.has(node.opType)) {
      const w = constants.get(node.input[1] ?? '');
      if (w && w.dims.length === 2) {
        mark(x, 'classifier-input');
        const transB = node.opType === 'Gemm' && attrs(node).int('transB', 0) === 1;
        widthFromWeight.set(x, Number(w.dims[transB ? 1 : 0]));
      }
    }
  }
  const found: FeatureTensor[] = [...reasons].map(([name, why]) => {
    const producer = producers.get(name)!;
    let dims = facts.get(name)?.dims;
    const width = widthFromWeight.get(name);
    if (width !== undefined && dims && dims.length >= 1 && dims[dims.length - 1] === '?') dims = [...dims.slice(0, -1), width];
    if (options.probe && (!dims || dims.includes('?'))) dims = options.probe(name)?.slice() ?? dims;
    return { name, producer: producer.opType, producerName: producer.name ?? '', dims, distanceToOutput: dist.get(name)!, reasons: [...why] };
  });
  found.sort((a, b) => a.distanceToOutput - b.distanceToOutput || b.reasons.length - a.reasons.length);
  return found.slice(0, options.limit ?? 10);
}
