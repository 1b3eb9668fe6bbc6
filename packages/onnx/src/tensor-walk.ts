import type { GraphProto, ModelProto, TensorProto } from './types.js';

/** Calls `visit` on every tensor of a model: initializers, sparse initializers and tensor attributes, subgraphs included. */
export function forEachTensor(model: ModelProto, visit: (t: TensorProto) => void): void {
  const walk = (g: GraphProto) => {
    g.initializer.forEach(visit);
    for (const s of g.sparseInitializer) for (const t of [s.values, s.indices]) if (t) visit(t);
    for (const n of g.node) {
      for (const a of n.attribute) {
        if (a.t) visit(a.t);
        a.tensors.forEach(visit);
        for (const sub of [a.g, ...a.graphs]) if (sub) walk(sub);
      }
    }
  };
  walk(model.graph);
}
