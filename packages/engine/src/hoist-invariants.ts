import { subgraphInputs, usedInitializers, type GraphBuilder, type GraphProto, type NodeProto } from '@anneal/onnx';

/** Ops whose result changes from run to run even with equal inputs: never hoisted. */
const nondeterministic = /^(Random|Dropout$|Bernoulli$|Multinomial$)/;

/**
 * Moves the nodes of a loop body that compute the same values in every iteration (their inputs
 * come only from the outer scope, the body's initializers or other such nodes) into the outer
 * graph, so they run once per `Loop` instead of once per iteration. Body initializers those
 * nodes read are copied to the outer graph under fresh names. Nodes with subgraphs, random ops
 * and producers of body outputs stay. `outer` must already know the body's names (so the
 * names it generates do not shadow them). Returns the number of nodes moved.
 *
 * @example
 * const moved = hoistLoopInvariants(body, outerBuilder); // before the Loop node is appended
 */
export function hoistLoopInvariants(body: GraphProto, outer: GraphBuilder): number {
  const variant = new Set<string>(body.input.map((i) => i.name));
  const outputs = new Set(body.output.map((o) => o.name));
  const initializers = new Map(body.initializer.map((t) => [t.name ?? '', t]));
  const hoisted: NodeProto[] = [];
  const stay: NodeProto[] = [];
  for (const n of body.node) {
    const movable =
      !nondeterministic.test(n.opType) &&
      !n.attribute.some((a) => a.g || a.graphs.length) &&
      n.input.every((i) => !variant.has(i)) &&
      subgraphInputs(n).length === 0 &&
      n.output.every((o) => !outputs.has(o));
    if (movable) hoisted.push(n);
    else {
      stay.push(n);
      for (const o of n.output) variant.add(o);
    }
  }
  if (!hoisted.length) return 0;
  const copies = new Map<string, string>();
  for (const n of hoisted) {
    const input = n.input.map((i) => {
      const t = initializers.get(i);
      if (!i || !t) return i;
      let copy = copies.get(i);
      if (!copy) {
        copy = outer.initializer({ ...t, name: outer.uniqueName(`loop.hoisted.${i}`) });
        copies.set(i, copy);
      }
      return copy;
    });
    outer.graph.node.push({ ...n, input });
  }
  body.node = stay;
  // initializers only the hoisted nodes read now live in the outer graph (ORT warns about unused ones)
  body.initializer = usedInitializers(body);
  return hoisted.length;
}
