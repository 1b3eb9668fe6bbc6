import { DataType, GraphBuilder, GraphIndex, defaultOpset, topologicalSort, type ModelProto, type NodeProto, cloneModel } from '@anneal/onnx';
import { BackwardError, UnsupportedGradientError } from './errors.js';
import { GradContext, type GradHints } from './grad-context.js';
import type { GradientRegistry } from './registry.js';
import { isFloatType, type ShapeMap } from './shapes.js';

/** What to differentiate. */
export interface BackwardOptions {
  /** Name of the (scalar) loss tensor in the graph. */
  loss: string;
  /** Tensors to differentiate with respect to (initializers and/or graph inputs). */
  wrt: readonly string[];
  /** Probed shapes and types of the forward tensors. */
  shapes: ShapeMap;
  registry: GradientRegistry;
  /** Name of a graph input holding the loss's upstream gradient; a constant 1 when omitted. */
  seed?: string;
  /** Prefix of the generated tensor names (default 'grad/'). */
  prefix?: string;
  /** Called after each differentiated node with the count done and the total (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** What the graph will run on, passed to the rules (default: nothing assumed, standard recipes). */
  hints?: GradHints;
}

/** The forward+backward model and where each gradient lives in it. */
export interface BackwardResult {
  model: ModelProto;
  /** wrt name -> name of its gradient tensor. */
  gradients: Record<string, string>;
  /** wrt tensors the loss does not depend on (their gradient is zeros). */
  unreachable: string[];
  /** Forward nodes that were differentiated, in forward order. */
  differentiated: NodeProto[];
}

/**
 * Appends the reverse-mode gradient of `loss` w.r.t. `wrt` to a copy of `model`, using only
 * standard ai.onnx ops (opset 13+). Nodes between a wrt tensor and the loss must have a rule.
 *
 * @example
 * const { model: trainGraph, gradients } = buildBackward(model, { loss: 'loss', wrt: ['w'], shapes, registry });
 */
export function buildBackward(source: ModelProto, options: BackwardOptions): BackwardResult {
  const model = cloneModel(source);
  const graph = model.graph;
  const opset = defaultOpset(model);
  if (opset < 13) throw new BackwardError(`the model imports ai.onnx opset ${opset}; gradients need 13+: upgrade it first (upgradeOpset(model, 17))`);
  graph.node = topologicalSort(graph);
  const index = new GraphIndex(graph);
  for (const w of [options.loss, ...options.wrt]) index.require(w, 'the model passed to buildBackward');
  const dtypeOf = (name: string) => options.shapes.get(name)?.dataType;
  const differentiable = (name: string) => {
    const t = dtypeOf(name);
    return t === undefined ? true : isFloatType(t);
  };
  const floatType = dtypeOf(options.loss) ?? DataType.FLOAT;

  // tensors that depend on a wrt tensor through float values
  const reached = new Set<string>(options.wrt);
  for (const n of graph.node) {
    if (n.input.some((i) => i && reached.has(i) && differentiable(i))) for (const o of n.output) if (o && differentiable(o)) reached.add(o);
  }
  // tensors the loss depends on
  const lossAncestors = new Set<string>([options.loss]);
  for (const n of [...graph.node].reverse()) {
    if (n.output.some((o) => lossAncestors.has(o))) for (const i of n.input) if (i) lossAncestors.add(i);
  }
  const onPath = graph.node.filter((n) => n.input.some((i) => i && reached.has(i)) && n.output.some((o) => lossAncestors.has(o) && reached.has(o)));

  const b = new GraphBuilder({ graph, opset, prefix: options.prefix ?? 'grad/' });
  const grads = new Map<string, string[]>();
  const addGrad = (tensor: string, g: string) => {
    const list = grads.get(tensor);
    if (list) list.push(g);
    else grads.set(tensor, [g]);
  };
  const total = (tensor: string): string | undefined => {
    const list = grads.get(tensor);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const sum = list.length === 2 ? b.op('Add', list, {}, { name: b.uniqueName('grad_accumulate') }) : b.op('Sum', list, {}, { name: b.uniqueName('grad_accumulate') });
      grads.set(tensor, [sum]);
      return sum;
    }
    return list[0];
  };

  const lossDims = options.shapes.get(options.loss)?.dims ?? [];
  let seed = options.seed ?? b.scalar(1, floatType);
  if (lossDims.length > 0) seed = b.op('Expand', [seed, b.op('Shape', [options.loss])]);
  addGrad(options.loss, seed);

  let done = 0;
  options.onProgress?.(0, onPath.length);
  for (const node of [...onPath].reverse()) {
    options.onProgress?.(done++, onPath.length);
    const dY = node.output.map((o) => (reached.has(o) ? total(o) : undefined));
    if (dY.every((g) => g === undefined)) continue;
    const rule = options.registry.get(node.opType, node.domain ?? '');
    if (!rule) throw new UnsupportedGradientError(node.opType, node.name ?? '', describePath(node, graph.node, reached, lossAncestors, options));
    const needs = node.input.map((i) => !!i && reached.has(i) && differentiable(i));
    const ctx = new GradContext(b, node, dY, needs, options.shapes, floatType, options.hints);
    const dX = rule.backward(ctx);
    node.input.forEach((input, i) => {
      const g = dX[i];
      if (g && needs[i]) addGrad(input, g);
    });
  }

  options.onProgress?.(onPath.length, onPath.length);
  const gradients: Record<string, string> = {};
  const unreachable: string[] = [];
  for (const w of options.wrt) {
    const g = total(w);
    if (g) gradients[w] = g;
    else {
      unreachable.push(w);
      gradients[w] = b.op('Expand', [b.scalar(0, floatType), b.op('Shape', [w])], {}, { name: b.uniqueName('grad_zeros') });
    }
  }
  return { model, gradients, unreachable, differentiated: onPath };
}

function describePath(node: NodeProto, nodes: readonly NodeProto[], reached: Set<string>, lossAncestors: Set<string>, options: BackwardOptions): string[] {
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  // walk back from the node to a wrt tensor
  const back: string[] = [];
  let current: NodeProto | undefined = node;
  let guard = 0;
  while (current && guard++ < 10_000) {
    const input: string | undefined = current.input.find((i) => i && reached.has(i));
    if (!input) break;
    back.unshift(input);
    if (options.wrt.includes(input)) break;
    current = producer.get(input);
    if (current) back.unshift(`${current.opType}(${current.name ?? ''})`);
  }
  const consumers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const forward: string[] = [`${node.opType}(${node.name ?? ''})`];
  let out = node.output.find((o) => lossAncestors.has(o));
  guard = 0;
  while (out && out !== options.loss && guard++ < 10_000) {
    forward.push(out);
    const next = (consumers.get(out) ?? []).find((n) => n.output.some((o) => lossAncestors.has(o)));
    if (!next) break;
    forward.push(`${next.opType}(${next.name ?? ''})`);
    out = next.output.find((o) => lossAncestors.has(o));
  }
  forward.push(options.loss);
  return [...back, ...forward];
}
