import { isKebabCase } from '@anneal/plugin';
import { DataType, encodeModel } from '@anneal/onnx';
import type { Optimizer, OptimizerDescriptor, OptimizerStep, OptimizerStepConfig } from '@anneal/optim';
import { expect } from 'vitest';
import { maxRelativeError } from './compare.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { randn } from './fixtures.js';

/** A parameter as the reference sees it. */
export interface ReferenceParam {
  readonly name: string;
  readonly dims: readonly number[];
  readonly size: number;
}

/** The hyperparameters of one update, as float32 values (what the graph is fed). */
export interface ReferenceHyperparameters {
  /** This update's learning rate (`hp.lr.default`). */
  readonly lr: number;
  /** The weight decay (`hp.weight_decay.default`). */
  readonly weightDecay: number;
  /** 1-based index of the update (`hp.step`). */
  readonly step: number;
}

/**
 * A float64 reference of an optimizer, written from its formulas, holding its own state (made
 * for the parameters it was created for): `step` applies one update to `params` in place.
 */
export interface OptimizerReference {
  step(params: Record<string, Float64Array>, grads: Readonly<Record<string, Float64Array>>, hp: ReferenceHyperparameters): void;
  /** Optional: the reference's state by the graph's state input names (`state.<slot>.<param>`), compared after the last step. */
  slots?(): Record<string, ArrayLike<number>>;
}

/** Inputs of {@link describeOptimizerConformance}. */
export interface OptimizerConformanceCases<O = unknown> {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** A fresh float64 reference for parsed options (defaults applied) and the parameters. */
  reference(options: O, params: readonly ReferenceParam[]): OptimizerReference;
  /** Base learning rate (default 0.05); each step uses base·(0.6 + 0.4·cos(0.7·t)). */
  readonly lr?: number | ((options: O) => number);
  /** Weight decay of the update (default 0.1). */
  readonly weightDecay?: number;
  /** Updates compared (default 20). */
  readonly steps?: number;
  /** Bound on max |graph − reference| / max |reference| per tensor and step (default 1e-4). */
  readonly tolerance?: number;
}

/** The two parameters every check updates: a matrix and a vector, names with dots as in real models. */
export const OPTIMIZER_CONFORMANCE_PARAMS: readonly { readonly name: string; readonly dims: readonly number[] }[] = [
  { name: 'layer.weight', dims: [4, 3] },
  { name: 'layer.bias', dims: [3] },
];

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const lrAt = (base: number, t: number) => base * (0.6 + 0.4 * Math.cos(0.7 * t));

/** Inputs, outputs and ops of the step graph against the naming contract of @anneal/optim. */
function checkGraph(optimizer: Optimizer, config: OptimizerStepConfig, step: OptimizerStep): void {
  expect(isKebabCase(optimizer.id), `Optimizer.id '${optimizer.id}' is not kebab-case`).toBe(true);
  const keys = optimizer.hyperparameters.map((h) => h.key);
  expect(new Set(keys).size, `hyperparameter keys repeat: ${keys.join(', ')}`).toBe(keys.length);
  const graph = step.model.graph;
  const inputs = new Map(graph.input.map((i) => [i.name, i]));
  const scalarFloat = (name: string) => {
    const t = inputs.get(name)?.type?.tensorType;
    expect(t, `hyperparameter input '${name}' is not declared`).toBeDefined();
    expect(t!.elemType, `'${name}' must be float32`).toBe(DataType.FLOAT);
    expect(t!.shape?.dim ?? [], `'${name}' must be 0-d`).toEqual([]);
  };
  for (const h of step.update.hyperparameters) {
    const expected = h.key === 'lr' || h.key === 'weight_decay' ? `hp.${h.key}.${h.group}` : `hp.${h.key}`;
    expect(h.name, `hyperparameter '${h.key}'`).toBe(expected);
    scalarFloat(h.name);
  }
  for (const key of keys) expect(step.update.hyperparameters.map((h) => h.name), `declared hyperparameter '${key}' has no input`).toContain(`hp.${key}`);
  expect(step.update.hyperparameters.map((h) => h.name)).toContain('hp.lr.default');
  if (config.weightDecay) expect(step.update.hyperparameters.map((h) => h.name)).toContain('hp.weight_decay.default');
  const groupSlots = new Set(optimizer.groupStateSlots ?? []);
  for (const s of step.update.state) {
    const perParam = config.params.find((p) => p.name === s.param);
    if (perParam) expect(optimizer.stateSlots({ name: perParam.name, grad: `grad.${perParam.name}`, dims: perParam.dims }), `state '${s.input}'`).toContain(s.slot);
    else expect(groupSlots.has(s.slot) && s.group === s.param, `state '${s.input}' is neither a slot of a parameter nor a group slot`).toBe(true);
    expect(s.input, 'state input name').toBe(`state.${s.slot}.${s.param}`);
    expect(s.output).toBe(`new.${s.input}`);
    expect(inputs.has(s.input), `state input '${s.input}' is not declared`).toBe(true);
  }
  const known = new Set([...config.params.flatMap((p) => [p.name, `grad.${p.name}`]), ...step.update.hyperparameters.map((h) => h.name), ...step.update.state.map((s) => s.input)]);
  const unknown = [...inputs.keys()].filter((name) => !known.has(name));
  expect(unknown, 'graph inputs that are neither parameters, gradients, hp.* nor state.*').toEqual([]);
  const outputs = graph.output.map((o) => o.name);
  for (const p of config.params) expect(outputs, `new value of '${p.name}'`).toContain(`new.${p.name}`);
  const foreign = graph.node.filter((n) => n.domain && n.domain !== 'ai.onnx').map((n) => `${n.domain}::${n.opType}`);
  expect(foreign, 'ops outside the standard ai.onnx domain').toEqual([]);
}

/** The checks {@link describeOptimizerConformance} runs (ONNX Runtime and @anneal/optim load when a check runs). */
export function optimizerConformanceChecks<O>(descriptor: OptimizerDescriptor<O>, cases: OptimizerConformanceCases<O>): ConformanceCheck[] {
  const context = { path: 'optimizer', build: noNestedSpecs('optimizer') };
  const steps = cases.steps ?? 20;
  const tolerance = cases.tolerance ?? 1e-4;
  const weightDecay = cases.weightDecay ?? 0.1;
  const params = OPTIMIZER_CONFORMANCE_PARAMS;
  const init = Object.fromEntries(params.map((p, i) => [p.name, randn(size(p.dims), 101 + i)]));
  const grads = Array.from({ length: steps }, (_, t) => Object.fromEntries(params.map((p, i) => [p.name, randn(size(p.dims), 1000 * (t + 1) + i, i === 0 ? 1 : 0.5)])));
  const stepConfig = (optimizer: Optimizer, lr: number): OptimizerStepConfig => ({ optimizer, lr, weightDecay, params });

  const checks = descriptorContractChecks<Optimizer>(descriptor, {
    kind: 'optimizer',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) => descriptor.create(options as O, context),
    independence: {
      use: async (o) => (await import('@anneal/optim')).buildOptimizerStep(stepConfig(o, 0.1)),
      observe: async (o) => Array.from(encodeModel((await import('@anneal/optim')).buildOptimizerStep(stepConfig(o, 0.1)).model)),
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push({
      title: `${label}: the update graph (onnxruntime-node) follows the float64 reference over ${steps} steps (two tensors, a changing lr, weight decay ${weightDecay}; relative error < ${tolerance}); inputs named hp.<key>, state.<slot>.<param>`,
      async run() {
        const [{ buildOptimizerStep, hyperparameterFeeds, zeroState }, ort] = await Promise.all([import('@anneal/optim'), import('onnxruntime-node')]);
        const parsed = parseOptions(descriptor, options);
        const optimizer = descriptor.create(parsed, context);
        const base = typeof cases.lr === 'function' ? cases.lr(parsed) : (cases.lr ?? 0.05);
        const config = stepConfig(optimizer, base);
        const step = buildOptimizerStep(config);
        checkGraph(optimizer, config, step);

        const reference = cases.reference(parsed, params.map((p) => ({ name: p.name, dims: p.dims, size: size(p.dims) })));
        const ref: Record<string, Float64Array> = Object.fromEntries(params.map((p) => [p.name, Float64Array.from(init[p.name]!)]));
        const current: Record<string, Float32Array> = Object.fromEntries(params.map((p) => [p.name, Float32Array.from(init[p.name]!)]));
        const state: Record<string, Float32Array> = Object.fromEntries(Object.entries(zeroState(step.update)).map(([name, v]) => [name, v.data as Float32Array]));
        const stateDims = new Map(step.update.state.map((s) => [s.input, (s.dims ?? []).map(Number)]));
        const session = await ort.InferenceSession.create(encodeModel(step.model), { intraOpNumThreads: 1 });
        try {
          for (let t = 1; t <= steps; t++) {
            const lr = lrAt(base, t);
            const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
            for (const p of params) {
              feeds[p.name] = new ort.Tensor('float32', current[p.name]!, [...p.dims]);
              feeds[`grad.${p.name}`] = new ort.Tensor('float32', grads[t - 1]![p.name]!, [...p.dims]);
            }
            for (const [name, data] of Object.entries(state)) feeds[name] = new ort.Tensor('float32', data, stateDims.get(name)!);
            for (const [name, v] of Object.entries(hyperparameterFeeds(config, { step: t, lr }))) feeds[name] = new ort.Tensor('float32', Float32Array.of(v), []);
            const out = await session.run(feeds);
            for (const p of step.update.params) current[p.input] = out[p.output]!.data as Float32Array;
            for (const s of step.update.state) state[s.input] = out[s.output]!.data as Float32Array;
            const g64 = Object.fromEntries(params.map((p) => [p.name, Float64Array.from(grads[t - 1]![p.name]!)]));
            reference.step(ref, g64, { lr: Math.fround(lr), weightDecay: Math.fround(weightDecay), step: t });
            for (const p of params) {
              const err = maxRelativeError(current[p.name]!, ref[p.name]!, 1e-6);
              expect(err, `step ${t}, '${p.name}': relative error ${err.toExponential(2)} against the reference`).toBeLessThan(tolerance);
            }
          }
        } finally {
          await session.release();
        }
        for (const p of params) {
          const moved = maxRelativeError(ref[p.name]!, init[p.name]!, 1e-6);
          expect(moved, `'${p.name}' moved by only ${moved.toExponential(2)} of its scale over ${steps} steps: the comparison is vacuous; raise cases.lr`).toBeGreaterThan(100 * tolerance);
        }
        const slots = reference.slots?.() ?? {};
        for (const [name, expected] of Object.entries(slots)) {
          expect(state[name], `the reference has state '${name}', the graph does not (its state: ${Object.keys(state).join(', ')})`).toBeDefined();
          const err = maxRelativeError(state[name]!, expected, 1e-12);
          expect(err, `final '${name}': relative error ${err.toExponential(2)} against the reference`).toBeLessThan(tolerance);
        }
      },
    });
  });
  return checks;
}

/**
 * Declares vitest blocks that check an optimizer descriptor against the plugin contract and, for
 * every valid option set, its update graph (`buildOptimizerStep`, run in onnxruntime-node)
 * against a float64 reference the author writes from the formulas: a [4, 3] matrix and a [3]
 * vector, seeded gradients, `steps` updates (default 20) with a changing lr and non-zero weight
 * decay; after every step each parameter is within `tolerance` (default 1e-4) of the reference,
 * relative to the tensor's largest magnitude (the graph runs in float32 and is fed float32
 * hyperparameters), the parameters must have moved by more than 100× that, and the reference's
 * `slots` (if any) match the final state. The graph's inputs follow the naming contract:
 * `hp.lr.<group>`, `hp.weight_decay.<group>`, `hp.<key>` for every declared key (0-d float32),
 * `state.<slot>.<param>` for declared slots, nothing else; only ai.onnx ops.
 *
 * @example
 * ```ts
 * // lion.spec.ts
 * import { describeOptimizerConformance } from '@anneal/testing';
 * describeOptimizerConformance(lion, { valid: [{}], invalid: [{ beta1: 2 }], reference: (o) => lionReference(o), lr: 1e-3 });
 * ```
 */
export function describeOptimizerConformance<O>(descriptor: OptimizerDescriptor<O>, cases: OptimizerConformanceCases<O>): void {
  describeChecks(`optimizer conformance: ${descriptor.id}`, optimizerConformanceChecks(descriptor, cases));
}
