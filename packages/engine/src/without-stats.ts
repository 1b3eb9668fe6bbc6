import type { TrainStep } from '@anneal/autograd';
import { GraphIndex, usedInitializers, type ModelProto } from '@anneal/onnx';

/**
 * The train-step model reduced to what a plain step fetches: the loss and the carried outputs
 * (new parameters and optimizer state), plus the logits (computed anyway). The stats (norms) and every node only
 * they need are dropped: ONNX Runtime runs every node of a graph whatever is fetched, so a step
 * that does not ask for stats should not pay for them.
 *
 * @example
 * const session = await createSession(withoutStats(trainStep), { device: 'cpu' });
 */
export function withoutStats(step: TrainStep): ModelProto {
  const keep = [step.loss, step.logits, ...Object.values(step.carried)];
  const kept = new Set(keep);
  const graph = step.model.graph;
  const pruned = { ...graph, node: new GraphIndex(graph).ancestors(keep), output: graph.output.filter((o) => kept.has(o.name)) };
  return { ...step.model, graph: { ...pruned, initializer: usedInitializers(pruned) } };
}
