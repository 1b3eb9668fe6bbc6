import type { GradientRule, GradientRuleContext, GradientRuleDescriptor } from '@anneal/autograd';
import { DataType, GraphBuilder, tensorValueInfo, type ModelProto, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';

/** A small ONNX graph that uses the ops of the rules under test, with what to feed it. */
export interface GradientTestModel {
  readonly name: string;
  /** Float initializers and float inputs are differentiated (see `wrt`). */
  readonly model: ModelProto;
  /** A value for every graph input. */
  readonly feeds: Readonly<Record<string, TensorValue>>;
  /** Tensors to differentiate (default: every float input and float initializer). */
  readonly wrt?: readonly string[];
  /** The output the loss is built from (default the first graph output); any shape. */
  readonly output?: string;
}

/** Inputs of {@link describeGradientRuleConformance}. */
export interface GradientRuleConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** The graphs gradients are checked through. */
  readonly models: readonly GradientTestModel[];
  /**
   * Every op of the rules must appear in some test model (default true). A rule set too large
   * to cover in one suite (the built-in one, whose op families have specs of their own) turns it off.
   */
  readonly coverAllOps?: boolean;
  /**
   * Bounds on the relative error against central differences: float64 (default 1e-5; the loss
   * sums every output element, whose rounding enters the differences) and float32 where ORT
   * lacks float64 kernels (default 2e-2).
   */
  readonly tolerance?: { readonly double?: number; readonly float?: number };
  /** Coordinates checked per tensor (default 12). */
  readonly samplesPerTensor?: number;
}

/**
 * The model with `loss = ReduceSum(output · R)` appended, R = sin(0.7·k + 0.5) over the flattened
 * output: every element gets a distinct weight, so no part of the gradient can hide.
 */
function withWeightedLoss(m: GradientTestModel): { model: ModelProto; loss: string } {
  const model = structuredClone(m.model);
  const opset = Number(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 17);
  const b = new GraphBuilder({ graph: model.graph, opset });
  const out = m.output ?? model.graph.output[0]!.name;
  const shape = b.op('Shape', [out]);
  const size = b.op('ReduceProd', [shape], { keepdims: 0 });
  const ramp = b.op('Cast', [b.op('Range', [b.scalar(0, DataType.INT64), size, b.scalar(1, DataType.INT64)])], { to: DataType.FLOAT });
  const weights = b.op('Reshape', [b.op('Sin', [b.op('Add', [b.op('Mul', [ramp, b.scalar(0.7)]), b.scalar(0.5)])]), shape]);
  const loss = b.op('ReduceSum', [b.op('Mul', [out, weights])], { keepdims: 0 }, { output: 'gradient_conformance_loss' });
  model.graph.output = [tensorValueInfo(loss, DataType.FLOAT, [])];
  return { model, loss };
}

function floatTensors(m: GradientTestModel): string[] {
  const inputs = m.model.graph.input.filter((i) => m.feeds[i.name]?.dataType === DataType.FLOAT).map((i) => i.name);
  const inits = m.model.graph.initializer.filter((t) => t.dataType === DataType.FLOAT).map((t) => t.name ?? '');
  return [...inputs, ...inits.filter((n) => !inputs.includes(n))];
}

/** The checks {@link describeGradientRuleConformance} runs (ONNX Runtime and autograd load when a check runs). */
export function gradientRuleConformanceChecks<O>(descriptor: GradientRuleDescriptor<O>, cases: GradientRuleConformanceCases): ConformanceCheck[] {
  const context: GradientRuleContext = { path: 'gradientRules', build: noNestedSpecs('gradient rule') };
  const create = (options: unknown): readonly GradientRule[] => descriptor.create(parseOptions(descriptor, options), context);
  const checks = descriptorContractChecks(descriptor, { kind: 'gradient-rule', valid: cases.valid, invalid: cases.invalid });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push({
      title: `${label}: gives well-formed rules${cases.coverAllOps === false ? '' : ', every op of them used by a test model'}`,
      run() {
        const rules = create(options);
        expect(rules.length, 'no rules').toBeGreaterThan(0);
        for (const r of rules) {
          expect(r.ops.length > 0 && r.ops.every((op) => typeof op === 'string' && op.length > 0), `a rule has ops ${JSON.stringify(r.ops)}`).toBe(true);
          expect(typeof r.backward, `rule for ${r.ops.join(', ')}: backward`).toBe('function');
        }
        expect(cases.models.length, 'no test models: give small graphs that use the ops').toBeGreaterThan(0);
        if (cases.coverAllOps === false) return;
        const used = new Set(cases.models.flatMap((m) => m.model.graph.node.map((n) => `${n.domain ?? ''}::${n.opType}`)));
        const missing = rules.flatMap((r) => r.ops.map((op) => `${r.domain ?? ''}::${op}`)).filter((key) => !used.has(key));
        expect(missing.map((key) => key.replace(/^::/, '')), 'ops no test model uses').toEqual([]);
      },
    });
    for (const m of cases.models) {
      checks.push({
        title: `${label}: ${m.name}: gradients through the registry with these rules match central finite differences`,
        async run() {
          const [{ checkGradients, GradientRegistry, builtinGradientRules }, { ortExecutor }] = await Promise.all([import('@anneal/autograd'), import('@anneal/runtime')]);
          const rules = create(options);
          const ops = new Set(rules.flatMap((r) => r.ops.map((op) => `${r.domain ?? ''}::${op}`)));
          expect(m.model.graph.node.some((n) => ops.has(`${n.domain ?? ''}::${n.opType}`)), `test model '${m.name}' uses none of the rules' ops`).toBe(true);
          // plugin rules are added after the built-ins, replacing a built-in rule for the same op (as a run's registry does)
          const registry = new GradientRegistry([...builtinGradientRules, ...rules]);
          const { model, loss } = withWeightedLoss(m);
          const executor = ortExecutor({ intraOpThreads: 1 });
          try {
            const wrt = m.wrt ?? floatTensors(m);
            const r = await checkGradients({ model, loss, wrt, feeds: { ...m.feeds }, executor, registry, samplesPerTensor: cases.samplesPerTensor ?? 12 });
            const nonZero = Object.values(r.gradients).some((g) => Array.from(g.data as Float64Array).some((v) => Number(v) !== 0));
            expect(nonZero, 'every gradient is exactly zero: the check proves nothing; change the model or its feeds').toBe(true);
            const tolerance = r.precision === 'double' ? (cases.tolerance?.double ?? 1e-5) : (cases.tolerance?.float ?? 2e-2);
            const worst = r.tensors.map((t) => `${t.name} ${t.maxRelError.toExponential(2)}`).join(', ');
            expect(r.maxRelError, `relative error (${r.precision}) per tensor: ${worst}`).toBeLessThan(tolerance);
          } finally {
            await executor.release();
          }
        },
      });
    }
  });
  return checks;
}

/**
 * Declares vitest blocks that check a gradient-rule descriptor against the plugin contract and,
 * for every valid option set: the rules are well-formed and (unless `coverAllOps` is false)
 * every op they differentiate appears in a test model; through a registry of the built-in rules
 * plus these (as a run builds it), the gradient of `ReduceSum(output · R)` (R fixed, distinct
 * weights) of every test model w.r.t. its float inputs and initializers matches central finite
 * differences (`checkGradients`: float64, relative error below 1e-5, or float32 below 2e-2
 * where ORT has no float64 kernel).
 *
 * @example
 * ```ts
 * // my-rules.spec.ts
 * import { describeGradientRuleConformance } from '@anneal/testing';
 * describeGradientRuleConformance(swishRules, { valid: [{}], invalid: [{ x: 1 }], models: [{ name: 'swish', model: swishGraph, feeds: { x } }] });
 * ```
 */
export function describeGradientRuleConformance<O>(descriptor: GradientRuleDescriptor<O>, cases: GradientRuleConformanceCases): void {
  describeChecks(`gradient rule conformance: ${descriptor.id}`, gradientRuleConformanceChecks(descriptor, cases));
}
