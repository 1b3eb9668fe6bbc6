import type { GraphBuilder } from '@anneal/onnx';
import type { ScalarOps } from './scalar-ops.js';

/** `scale * tensor`, where `scale` is a 0-d tensor name and absent means 1. */
export interface Term {
  readonly tensor: string;
  readonly scale?: string;
}

/** Multiplies every term's scale by the scalar `k` (absent `k` means 1). Emits scalar nodes only. */
export function scaleTerms(s: ScalarOps, terms: readonly Term[], k: string | undefined): Term[] {
  return terms.map((t) => ({ tensor: t.tensor, scale: s.mulOptional(t.scale, k) }));
}

function mergeSameTensor(s: ScalarOps, terms: readonly Term[]): Term[] {
  const merged = new Map<string, Term>();
  for (const t of terms) {
    const prev = merged.get(t.tensor);
    if (!prev) merged.set(t.tensor, t);
    else merged.set(t.tensor, { tensor: t.tensor, scale: s.add(prev.scale ?? s.constant(1), t.scale ?? s.constant(1)) });
  }
  return [...merged.values()];
}

/**
 * Emits `sum_k scale_k * tensor_k` with the fewest tensor nodes: terms on the same tensor are
 * merged (their scales add as scalars), each scaled term costs one Mul and the sum one Add/Sum.
 * Optimizers describe updates as linear combinations so clip coefficients, learning rates and
 * weight decay fold into scalar factors instead of per-element passes.
 *
 * @example
 * // p_new = p * (1 - lr*wd) + g * (-lr): 3 nodes on tensors (Mul, Mul, Add)
 * combine(b, s, [{ tensor: 'p' }, { tensor: 'p', scale: s.neg(s.mul(lr, wd)) }, { tensor: 'g', scale: s.neg(lr) }], 'new.p');
 */
export function combine(b: GraphBuilder, s: ScalarOps, terms: readonly Term[], output?: string): string {
  const merged = mergeSameTensor(s, terms);
  if (merged.length === 0) throw new Error('combine() needs at least one term');
  const out = output ? { output } : {};
  if (merged.length === 1) {
    const t = merged[0]!;
    if (t.scale) return b.op('Mul', [t.tensor, t.scale], {}, out);
    return output ? b.op('Identity', [t.tensor], {}, out) : t.tensor;
  }
  const parts = merged.map((t) => (t.scale ? b.op('Mul', [t.tensor, t.scale]) : t.tensor));
  return b.op(parts.length === 2 ? 'Add' : 'Sum', parts, {}, out);
}
