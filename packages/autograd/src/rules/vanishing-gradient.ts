import type { GradContext } from '../grad-context.js';

/**
 * A note a rule attaches to a gradient node it emitted: "this gradient is exactly zero wherever the
 * forward tensor T is ≤ 0". A Relu rule whose output is T and whose incoming gradient carries the
 * note can return that gradient as is: masking with relu'(x) = (x > 0) = (T > 0) would change nothing.
 * It lets MaxPool after Relu apply the Relu mask at pooled resolution (see max-pool.ts) instead of on
 * the full-resolution tensor. The note lives in the node's metadata_props, so it travels with the graph.
 */
const KEY = 'anneal.grad.zero_where_nonpositive';

function producer(ctx: GradContext, tensor: string) {
  const nodes = ctx.b.graph.node;
  for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i]!.output.includes(tensor)) return nodes[i];
  return undefined;
}

/** Records that gradient `grad` is zero wherever forward tensor `tensor` is ≤ 0. */
export function markZeroWhereNonPositive(ctx: GradContext, grad: string, tensor: string): void {
  producer(ctx, grad)?.metadataProps.push({ key: KEY, value: tensor });
}

/** Whether `grad` was recorded as zero wherever `tensor` is ≤ 0. */
export function isZeroWhereNonPositive(ctx: GradContext, grad: string, tensor: string): boolean {
  return producer(ctx, grad)?.metadataProps.some((p) => p.key === KEY && p.value === tensor) ?? false;
}
