import { sizeOf } from '../tensor.js';
import type { ModelProto, NodeProto, TensorProto } from '../types.js';
import { constantNodeTensor, isFloatType } from './constant-values.js';
import { cloneModel } from './graph-names.js';

/** Options of {@link promoteConstants}. */
export interface PromoteConstantsOptions {
  /** Smallest element count of a float constant that counts as a weight. Default 2 (scalars stay). */
  minElements?: number;
  /** Promote every Constant the function can read (ints, scalars, shapes and axes too). Default false. */
  all?: boolean;
}

/** What {@link promoteConstants} did. */
export interface PromoteConstantsResult {
  /** A new model; the input is left untouched. */
  model: ModelProto;
  /** Names of the tensors that became initializers (same names as the Constant outputs). */
  promoted: string[];
  /** Constant outputs left as nodes (too small, not float, or not readable such as sparse/string values). */
  kept: string[];
}

function shouldPromote(tensor: TensorProto, options: Required<PromoteConstantsOptions>): boolean {
  if (options.all) return true;
  return isFloatType(tensor.dataType) && sizeOf(tensor.dims.map(Number)) >= options.minElements;
}

/**
 * Turns Constant nodes that carry weights into graph initializers of the same name, so they can
 * be fed, trained and saved as parameters. By default only float tensors with at least 2 elements
 * move; small and integer constants (shapes, axes, scalars) stay nodes. Only the main graph is
 * rewritten (subgraph constants stay where they are).
 *
 * @example
 * const { model: withParams, promoted } = promoteConstants(readModelFile('cls.onnx'));
 * // promoted: ['conv2d_0.w_0', 'batch_norm_0.w_0', ...]
 */
export function promoteConstants(model: ModelProto, options: PromoteConstantsOptions = {}): PromoteConstantsResult {
  const settings: Required<PromoteConstantsOptions> = { minElements: options.minElements ?? 2, all: options.all ?? false };
  const out = cloneModel(model);
  const graph = out.graph;
  const promoted: string[] = [];
  const kept: string[] = [];
  const remaining: NodeProto[] = [];
  for (const node of graph.node) {
    if (node.opType !== 'Constant' || (node.domain && node.domain !== 'ai.onnx')) {
      remaining.push(node);
      continue;
    }
    const tensor = constantNodeTensor(node);
    const name = node.output[0] ?? '';
    if (tensor && name && shouldPromote(tensor, settings)) {
      graph.initializer.push({ ...tensor, name });
      promoted.push(name);
    } else {
      remaining.push(node);
      kept.push(name);
    }
  }
  graph.node = remaining;
  // IR < 4 required every initializer to be a graph input too; 4+ does not, so make sure the model says 4+.
  if ((out.irVersion ?? 0) < 4) out.irVersion = 4;
  return { model: out, promoted, kept };
}
