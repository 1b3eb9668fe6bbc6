import { UnknownTensorError } from './errors.js';
import type { GraphProto, NodeProto, TensorProto } from './types.js';

/** Lookup tables over a graph: who produces and who consumes each tensor. Rebuild after edits. */
export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly inputs = new Set<string>();

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) if (t.name) this.initializers.set(t.name, t);
    for (const i of graph.input) this.inputs.add(i.name);
    for (const n of graph.node) {
      for (const o of n.output) if (o) this.producer.set(o, n);
      for (const i of n.input) {
        if (!i) continue;
        const list = this.consumers.get(i);
        if (list) list.push(n);
        else this.consumers.set(i, [n]);
      }
    }
  }

  /** Whether a tensor of this name exists (input, initializer or node output). */
  has(name: string): boolean {
    return this.producer.has(name) || this.initializers.has(name) || this.inputs.has(name);
  }

  /** Throws a typed error when `name` is not a tensor of the graph. */
  require(name: string, where = `graph '${this.graph.name ?? ''}'`): void {
    if (!this.has(name)) throw new UnknownTensorError(name, where);
  }

  /** Nodes needed to compute `targets` (in graph order). */
  ancestors(targets: readonly string[]): NodeProto[] {
    const needed = new Set<NodeProto>();
    const stack = [...targets];
    const seen = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const p = this.producer.get(t);
      if (p && !needed.has(p)) {
        needed.add(p);
        for (const i of p.input) if (i) stack.push(i);
        for (const sub of subgraphInputs(p)) stack.push(sub);
      }
    }
    return this.graph.node.filter((n) => needed.has(n));
  }
}

/** Names a node's subgraphs (If/Loop/Scan bodies) read from the enclosing scope. */
export function subgraphInputs(node: NodeProto): string[] {
  const out: string[] = [];
  for (const a of node.attribute) {
    for (const g of [a.g, ...a.graphs].filter((x): x is GraphProto => !!x)) {
      const local = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name ?? '')]);
      for (const n of g.node) for (const o of n.output) local.add(o);
      for (const n of g.node) {
        for (const i of n.input) if (i && !local.has(i)) out.push(i);
        for (const s of subgraphInputs(n)) if (!local.has(s)) out.push(s);
      }
    }
  }
  return out;
}

/** Nodes in topological order (ONNX requires it, but surgery may break it; this restores it). */
export function topologicalSort(graph: GraphProto): NodeProto[] {
  const available = new Set<string>(['', ...graph.input.map((i) => i.name), ...graph.initializer.map((t) => t.name ?? '')]);
  const pending = [...graph.node];
  const sorted: NodeProto[] = [];
  while (pending.length) {
    const before = pending.length;
    for (let k = 0; k < pending.length; ) {
      const n = pending[k]!;
      if ([...n.input, ...subgraphInputs(n)].every((i) => available.has(i))) {
        sorted.push(n);
        for (const o of n.output) available.add(o);
        pending.splice(k, 1);
      } else k++;
    }
    if (pending.length === before) {
      // inputs from nowhere (or a cycle): keep the remaining order rather than loop forever
      sorted.push(...pending);
      break;
    }
  }
  return sorted;
}

/** The initializers some node (or subgraph) reads or the graph outputs; ORT warns about the others. */
export function usedInitializers(graph: GraphProto): GraphProto['initializer'] {
  const read = new Set(graph.output.map((o) => o.name));
  for (const n of graph.node) for (const i of [...n.input, ...subgraphInputs(n)]) read.add(i);
  return graph.initializer.filter((t) => read.has(t.name ?? ''));
}
