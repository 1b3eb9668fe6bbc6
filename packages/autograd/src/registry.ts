import type { GradContext } from './grad-context.js';

/**
 * How to differentiate one op family: `backward` emits nodes computing the gradient of each
 * input from the output gradients and returns their names (undefined for inputs that need none).
 *
 * @example
 * const negRule: GradientRule = { ops: ['Neg'], backward: (ctx) => [ctx.op('Neg', [ctx.dy()])] };
 */
export interface GradientRule {
  readonly ops: readonly string[];
  /** Op domain; '' (ai.onnx) by default. */
  readonly domain?: string;
  backward(ctx: GradContext): ReadonlyArray<string | undefined>;
}

/** A lookup of gradient rules by op type. Built from rule lists; never global. */
export class GradientRegistry {
  private readonly rules = new Map<string, GradientRule>();

  constructor(rules: readonly GradientRule[] = []) {
    for (const r of rules) this.add(r);
  }

  /** Adds (or replaces) the rules of a family; returns this for chaining. */
  add(rule: GradientRule): this {
    for (const op of rule.ops) this.rules.set(`${rule.domain ?? ''}::${op}`, rule);
    return this;
  }

  get(opType: string, domain = ''): GradientRule | undefined {
    return this.rules.get(`${domain === 'ai.onnx' ? '' : domain}::${opType}`);
  }

  /** Op types with a rule, sorted. */
  ops(): string[] {
    return [...this.rules.keys()].map((k) => k.split('::')[1]!).sort();
  }
}
