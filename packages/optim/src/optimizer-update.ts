import { DataType, type Dim, type GraphBuilder } from '@anneal/onnx';
import { emitGradNorms } from './clip-grad-norm.js';
import { emitParamStats, type StatOutput } from './diagnostics.js';
import { MissingTensorError, NameCollisionError, OptimConfigError } from './errors.js';
import { hyperparameterInputs, type HyperparameterInput } from './hyperparameters.js';
import { optimNames } from './naming.js';
import type { GroupParam, Optimizer, ParamUpdateContext, TrainableParam } from './optimizer.js';
import { resolveGroups, type ParamGroup } from './param-groups.js';
import { ScalarOps } from './scalar-ops.js';
import { emitWeightAverage, type WeightAverageConfig } from './weight-average.js';

/** Configuration of the optimizer update appended to a graph. */
export interface OptimizerUpdateConfig {
  readonly optimizer: Optimizer;
  /** Trainable parameters (value and gradient tensor names). Frozen tensors are simply not listed. */
  readonly params: readonly TrainableParam[];
  /** Base learning rate: the default of `hp.lr.default` and of groups using `lrScale`. */
  readonly lr: number;
  /** Default weight decay of every group (default 0 = no decay nodes, no input). */
  readonly weightDecay?: number;
  readonly groups?: readonly ParamGroup[];
  /**
   * Clip gradients by global L2 norm before the update (`clip_grad_norm_` semantics). Setting it
   * emits the clipping and the `hp.max_grad_norm` input with this default; leaving it undefined
   * emits no clipping at all. At run time a huge value (or Infinity) turns clipping off.
   */
  readonly maxGradNorm?: number;
  /** Emit the `stats.*` diagnostics outputs (default true). */
  readonly stats?: boolean;
  /** Keep an exponential moving average of the weights in the graph (`state.ema.<param>`, see emitWeightAverage). */
  readonly ema?: WeightAverageConfig;
  /**
   * Tensors besides the parameters that the weight average follows (with `ema`): BatchNorm
   * running statistics, as timm's model EMA averages buffers too. `name` is the carried input
   * (the average is `state.ema.<name>`), `next` the tensor holding its value after this step.
   */
  readonly averageAlso?: readonly { readonly name: string; readonly next: string; readonly dims?: readonly Dim[] }[];
}

/** A tensor carried from one step to the next: feed `output` back as `input`. */
export interface CarriedTensor {
  readonly input: string;
  readonly output: string;
  readonly param: string;
  readonly dims?: readonly Dim[];
}

/** What {@link emitOptimizerUpdate} added to the graph. */
export interface OptimizerUpdate {
  readonly optimizer: string;
  /** Parameters: `input` is the current value tensor, `output` the new value (`new.<param>`). */
  readonly params: readonly (CarriedTensor & { readonly grad: string; readonly group: string })[];
  /**
   * Optimizer state: zero-initialized graph inputs `state.<slot>.<param>` and outputs
   * `new.state.<slot>.<param>`; group state (0-d, `state.<slot>.<group>`) has `group` set and
   * `param` = the group name.
   */
  readonly state: readonly (CarriedTensor & { readonly slot: string; readonly group?: string })[];
  readonly hyperparameters: readonly HyperparameterInput[];
  readonly stats: readonly StatOutput[];
  /** Number of nodes appended. */
  readonly nodeCount: number;
}

function reserve(b: GraphBuilder, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (b.has(n) || seen.has(n)) throw new NameCollisionError(n);
    seen.add(n);
  }
}

/**
 * Appends the optimizer update of every trainable parameter to a graph: declares the
 * hyperparameter inputs (see `hyperparameterInputs`) and the optimizer state inputs, optionally
 * clips the gradients by global norm, emits the optimizer's nodes, and declares the new
 * parameters, new state and diagnostics as graph outputs (names in `optimNames`).
 * Parameter values and gradients must already exist in the graph.
 *
 * @example
 * const update = emitOptimizerUpdate(b, {
 *   optimizer: adamw(), lr: 1e-3, weightDecay: 0.05, maxGradNorm: 1,
 *   params: [{ name: 'fc.weight', grad: 'fc.weight_grad', dims: [10, 4] }],
 *   groups: [{ name: 'no_decay', params: ['fc.bias'], weightDecay: 0 }],
 * });
 * // run, then feed update.params[i].output back as update.params[i].input (and likewise for update.state)
 */
export function emitOptimizerUpdate(b: GraphBuilder, config: OptimizerUpdateConfig): OptimizerUpdate {
  const start = b.graph.node.length;
  const { optimizer } = config;
  const groups = resolveGroups(config);
  const hps = hyperparameterInputs(config);
  const stats = config.stats ?? true;
  if (config.params.length === 0) throw new OptimConfigError('params', 'no trainable parameters; pass at least one');

  const slots = new Map(config.params.map((p) => [p.name, optimizer.stateSlots(p)] as const));
  const groupSlots = optimizer.emitGroup ? (optimizer.groupStateSlots ?? []) : [];
  const stateNames = [...config.params.flatMap((p) => slots.get(p.name)!.map((slot) => optimNames.state(slot, p.name))), ...groups.flatMap((g) => groupSlots.map((slot) => optimNames.state(slot, g.name)))];
  const statNames = stats
    ? [optimNames.globalGradNorm, ...config.params.flatMap((p) => [optimNames.gradNorm(p.name), optimNames.weightNorm(p.name), optimNames.updateNorm(p.name)]), ...(optimizer.emitGroup ? groups.map((g) => optimNames.usedLr(g.name)) : [])]
    : [];
  for (const p of config.params) {
    if (!b.has(p.name)) throw new MissingTensorError(p.name, 'parameter', p.name);
    if (!b.has(p.grad)) throw new MissingTensorError(p.grad, 'gradient', p.name);
  }
  reserve(b, [...hps.map((h) => h.name), ...stateNames, ...stateNames.map(optimNames.next), ...config.params.map((p) => optimNames.next(p.name)), ...statNames]);

  for (const h of hps) b.input(h.name, DataType.FLOAT, []);
  const s = new ScalarOps(b);
  const declared = new Set(optimizer.hyperparameters.map((h) => h.key));
  const hp = (key: string): string => {
    if (!declared.has(key)) throw new OptimConfigError(`optimizer(${optimizer.id})`, `emit() used hyperparameter '${key}' it does not declare in hyperparameters`);
    return optimNames.hyperparameter(key);
  };

  const clip = config.maxGradNorm !== undefined;
  const norms =
    clip || stats
      ? emitGradNorms(b, s, config.params.map((p) => p.grad), {
          maxNorm: clip ? optimNames.hyperparameter('max_grad_norm') : undefined,
          globalNormOutput: stats ? optimNames.globalGradNorm : undefined,
        })
      : undefined;

  const paramsOut: OptimizerUpdate['params'][number][] = [];
  const stateOut: OptimizerUpdate['state'][number][] = [];
  const statOut: StatOutput[] = stats ? [{ name: optimNames.globalGradNorm, kind: 'global_grad_norm' }] : [];
  const groupOf = new Map(groups.flatMap((g) => g.params.map((p) => [p.name, g] as const)));
  const carriedState = (slot: string, owner: string, dims: readonly Dim[] | undefined, group?: string): [string, string] => {
    const name = optimNames.state(slot, owner);
    b.input(name, DataType.FLOAT, dims);
    stateOut.push({ input: name, output: optimNames.next(name), param: owner, dims, slot, ...(group ? { group } : {}) });
    return [name, optimNames.next(name)];
  };
  const perParam = new Map<string, { state: Record<string, string>; next: Record<string, string> }>();
  for (const p of config.params) {
    const entry = { state: {} as Record<string, string>, next: {} as Record<string, string> };
    for (const slot of slots.get(p.name)!) [entry.state[slot], entry.next[slot]] = carriedState(slot, p.name, p.dims);
    perParam.set(p.name, entry);
  }
  const grad = (p: TrainableParam) => ({ tensor: p.grad, scale: norms?.clipCoef });
  const weightDecayOf = (g: (typeof groups)[number]) => (g.weightDecay !== 0 ? optimNames.weightDecay(g.name) : undefined);
  const groupLr = new Map(groups.map((g) => [g.name, optimNames.lr(g.name)] as const));
  if (optimizer.emitGroup) {
    for (const g of groups) {
      const state: Record<string, string> = {};
      const next: Record<string, string> = {};
      for (const slot of groupSlots) [state[slot], next[slot]] = carriedState(slot, g.name, [], g.name);
      const params: GroupParam[] = g.params.map((p) => ({ param: p, value: p.name, grad: grad(p), state: perParam.get(p.name)!.state }));
      const before = b.graph.node.length;
      const { lr } = optimizer.emitGroup({ builder: b, scalars: s, group: g.name, params, lr: optimNames.lr(g.name), weightDecay: weightDecayOf(g), state, outputs: { state: next }, hp });
      const produced = new Set(b.graph.node.slice(before).flatMap((n) => n.output));
      for (const name of Object.values(next)) {
        if (!produced.has(name)) throw new OptimConfigError(`optimizer(${optimizer.id})`, `emitGroup() did not produce '${name}' for group '${g.name}'`);
      }
      groupLr.set(g.name, lr);
      if (stats) statOut.push({ name: b.op('Identity', [lr], {}, { output: optimNames.usedLr(g.name) }), kind: 'lr', group: g.name });
    }
  }
  config.params.forEach((p, index) => {
    const g = groupOf.get(p.name)!;
    const { state, next: stateNext } = perParam.get(p.name)!;
    const ctx: ParamUpdateContext = {
      builder: b,
      scalars: s,
      param: p,
      value: p.name,
      grad: grad(p),
      state,
      outputs: { param: optimNames.next(p.name), state: stateNext },
      lr: groupLr.get(g.name)!,
      weightDecay: weightDecayOf(g),
      hp,
    };
    const before = b.graph.node.length;
    optimizer.emit(ctx);
    const produced = new Set(b.graph.node.slice(before).flatMap((n) => n.output));
    for (const name of [ctx.outputs.param, ...Object.values(stateNext)]) {
      if (!produced.has(name)) throw new OptimConfigError(`optimizer(${optimizer.id})`, `emit() did not produce '${name}' for parameter '${p.name}'`);
    }
    paramsOut.push({ input: p.name, output: ctx.outputs.param, param: p.name, dims: p.dims, grad: p.grad, group: g.name });
    if (stats) statOut.push(...emitParamStats(b, p.name, { gradSumSquares: norms!.sumSquares[index]!, oldValue: p.name, newValue: ctx.outputs.param }));
  });

  if (config.ema) stateOut.push(...emitWeightAverage(b, [...paramsOut.map((p) => ({ name: p.param, next: p.output, dims: p.dims })), ...(config.averageAlso ?? [])], config.ema).state);
  for (const p of paramsOut) b.output(p.output, DataType.FLOAT, p.dims);
  for (const st of stateOut) b.output(st.output, DataType.FLOAT, st.dims);
  for (const st of statOut) b.output(st.name, DataType.FLOAT, []);
  return { optimizer: optimizer.id, params: paramsOut, state: stateOut, hyperparameters: hps, stats: statOut, nodeCount: b.graph.node.length - start };
}
