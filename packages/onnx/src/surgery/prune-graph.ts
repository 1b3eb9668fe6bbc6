import { GraphIndex, subgraphInputs } from '../graph-index.js';
import type { GraphProto, ValueInfoProto } from '../types.js';

/**
 * A graph holding only what computing `outputs` needs: the ancestor nodes, the initializers and
 * inputs they read, and value infos of kept tensors. `outputs` becomes the graph's output list
 * (declarations passed in `declared` or taken from the graph's own outputs/value infos).
 * Node and tensor objects are shared with the source graph; copy before mutating.
 */
export function pruneGraph(graph: GraphProto, outputs: readonly ValueInfoProto[]): GraphProto {
  const index = new GraphIndex(graph);
  const names = outputs.map((o) => o.name);
  const nodes = index.ancestors(names);
  const used = new Set<string>(names);
  for (const n of nodes) {
    for (const i of n.input) if (i) used.add(i);
    for (const s of subgraphInputs(n)) used.add(s);
  }
  const produced = new Set(nodes.flatMap((n) => n.output));
  const outputSet = new Set(names);
  return {
    ...graph,
    node: nodes,
    initializer: graph.initializer.filter((t) => t.name && used.has(t.name)),
    sparseInitializer: graph.sparseInitializer.filter((t) => t.values?.name && used.has(t.values.name)),
    input: graph.input.filter((i) => used.has(i.name)),
    output: [...outputs],
    valueInfo: graph.valueInfo.filter((v) => produced.has(v.name) && !outputSet.has(v.name)),
    quantizationAnnotation: graph.quantizationAnnotation.filter((q) => q.tensorName && used.has(q.tensorName)),
  };
}
