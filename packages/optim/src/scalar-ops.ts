import type { GraphBuilder } from '@anneal/onnx';

/**
 * Memoized arithmetic on 0-d float tensors (hyperparameters and values derived from them).
 * The same expression over the same operands is emitted once per graph, so per-group and global
 * factors such as `lr * weight_decay` or `1 - beta1^t` cost a node once, not once per parameter.
 *
 * @example
 * const s = new ScalarOps(b);
 * const decay = s.oneMinus(s.mul('hp.lr.default', 'hp.weight_decay.default')); // 1 - lr*wd
 */
export class ScalarOps {
  private readonly memo = new Map<string, string>();

  constructor(readonly builder: GraphBuilder) {}

  /** A float constant. */
  constant(value: number): string {
    return this.builder.scalar(value);
  }

  /** Emits `opType(inputs)` once per distinct (op, inputs) and returns its output. */
  apply(opType: string, inputs: readonly string[], commutative = false): string {
    const key = `${opType}(${(commutative ? [...inputs].sort() : inputs).join(',')})`;
    let out = this.memo.get(key);
    if (!out) {
      out = this.builder.op(opType, inputs);
      this.memo.set(key, out);
    }
    return out;
  }

  mul(a: string, b: string): string {
    return this.apply('Mul', [a, b], true);
  }

  /** Product where `undefined` stands for 1 (so an absent scale stays absent). */
  mulOptional(a: string | undefined, b: string | undefined): string | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return this.mul(a, b);
  }

  add(a: string, b: string): string {
    return this.apply('Add', [a, b], true);
  }

  sub(a: string, b: string): string {
    return this.apply('Sub', [a, b]);
  }

  div(a: string, b: string): string {
    return this.apply('Div', [a, b]);
  }

  neg(a: string): string {
    return this.apply('Neg', [a]);
  }

  oneMinus(a: string): string {
    return this.sub(this.constant(1), a);
  }

  sqrt(a: string): string {
    return this.apply('Sqrt', [a]);
  }

  pow(a: string, b: string): string {
    return this.apply('Pow', [a, b]);
  }

  min(a: string, b: string): string {
    return this.apply('Min', [a, b], true);
  }

  less(a: string, b: string): string {
    return this.apply('Less', [a, b]);
  }

  where(cond: string, ifTrue: string, ifFalse: string): string {
    return this.apply('Where', [cond, ifTrue, ifFalse]);
  }
}
