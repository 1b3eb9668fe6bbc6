import { OnnxError } from '../errors.js';
import type { GraphProto, ModelProto } from '../types.js';
import { defaultOpset } from '../value-info.js';
import { cloneModel, graphNames, isDefaultDomain, NameAllocator } from './graph-names.js';
import { inferTensorFacts, type TensorFact } from './tensor-facts.js';
import { UpgradeContext, type UpgradeRule } from './upgrade-context.js';
import { axesRules } from './upgrade-rules-axes.js';
import { miscRules } from './upgrade-rules-misc.js';
import { resizeRules } from './upgrade-rules-resize.js';
import { softmaxRules } from './upgrade-rules-softmax.js';

/** Highest default-domain opset {@link upgradeOpset} can produce. */
export const MAX_UPGRADE_OPSET = 21;
/** Lowest default-domain opset {@link upgradeOpset} accepts (older ones used other broadcasting rules). */
export const MIN_UPGRADE_SOURCE_OPSET = 7;

const rulesByOp = new Map<string, UpgradeRule[]>();
for (const rule of [...axesRules, ...softmaxRules, ...resizeRules, ...miscRules]) {
  for (const op of rule.ops) rulesByOp.set(op, [...(rulesByOp.get(op) ?? []), rule]);
}

/** Ops {@link upgradeOpset} rewrites (or rejects with UnsupportedOpError) when their version changes. */
export const UPGRADE_REWRITTEN_OPS: readonly string[] = [...rulesByOp.keys()].sort();

/** Smallest IR version a model importing `opset` must declare. */
function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  return 4;
}

function upgradeGraph(graph: GraphProto, from: number, to: number, names: NameAllocator, outer?: ReadonlyMap<string, TensorFact>): void {
  const facts = inferTensorFacts(graph, outer);
  const ctx = new UpgradeContext(graph, from, to, names, facts);
  for (const node of graph.node) {
    for (const a of node.attribute) for (const g of [a.g, ...a.graphs]) if (g) upgradeGraph(g, from, to, names, facts);
    const rule = isDefaultDomain(node.domain) ? rulesByOp.get(node.opType)?.find((r) => r.applies(from, to)) : undefined;
    if (rule) rule.rewrite(node, ctx);
    else ctx.emit(node);
  }
  graph.node = ctx.nodes;
}

/**
 * Upgrades a model's default-domain opset (7..20 -> up to 21, default 17), rewriting every op
 * whose inputs, attributes or meaning changed on the way: Clip, Slice, Squeeze, Unsqueeze,
 * ReduceSum (and the other reductions when reaching 18), Softmax/LogSoftmax/Hardmax, Upsample and
 * Resize-10, Pad, Dropout, BatchNormalization, Split, TopK, Scatter, RoiAlign, GridSample. Ops that
 * did not change are kept. Returns a new model; the input is not modified.
 *
 * @throws UnsupportedOpError for a node whose old meaning cannot be expressed (names op and node).
 * @example
 * const modern = upgradeOpset(readModelFile('cls.onnx'));      // opset 9 -> 17
 * const newest = upgradeOpset(modern, 21);
 */
export function upgradeOpset(model: ModelProto, target = 17): ModelProto {
  const from = defaultOpset(model);
  if (from < MIN_UPGRADE_SOURCE_OPSET) {
    throw new OnnxError('UNSUPPORTED_OPSET', `the model imports ai.onnx opset ${from}; upgradeOpset starts from opset ${MIN_UPGRADE_SOURCE_OPSET} (convert it with the onnx Python version converter first)`);
  }
  if (!Number.isInteger(target) || target > MAX_UPGRADE_OPSET || target < from) {
    throw new OnnxError('UNSUPPORTED_OPSET', `cannot upgrade from opset ${from} to ${target}: the target must be an integer between ${from} and ${MAX_UPGRADE_OPSET}`);
  }
  const out = cloneModel(model);
  if (from === target) return out;
  upgradeGraph(out.graph, from, target, new NameAllocator(graphNames(out.graph)));
  out.opsetImport = out.opsetImport.map((o) => (isDefaultDomain(o.domain) ? { ...o, version: target } : o));
  out.irVersion = Math.max(Number(out.irVersion ?? 0), irVersionFor(target));
  return out;
}
