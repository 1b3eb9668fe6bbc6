import type { TrainStep } from '@anneal/autograd';
import { DataType, GraphBuilder, GraphIndex, describeValueInfo, subgraphInputs, emptyGraph, tensorValueInfo, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from '@anneal/onnx';
import { optimNames } from '@anneal/optim';
import { EngineError } from './errors.js';
import { hoistLoopInvariants } from './hoist-invariants.js';

/** A graph running K train steps in one ONNX `Loop`, and how to feed it; see {@link buildLoopSteps}. */
export interface LoopSteps {
  model: ModelProto;
  /** Data inputs and labels: fed stacked as [K, ...batch dims] under their single-step names. */
  stackedInputs: string[];
  /** Output holding the K per-step losses, shape [K]. */
  losses: string;
  /** Loop output -> carried input (parameter or optimizer state) whose value after step K it holds. */
  carried: Record<string, string>;
  /**
   * The step-count input (`hp.step`) when the step graph has one: fed with the count of the
   * group's first update; the body adds the iteration number.
   */
  stepInput?: string;
  /** Hyperparameter inputs fed per step as [K] vectors (see {@link LoopOptions.perStep}). */
  perStep: string[];
  /** Output holding the K steps' logits [K, ...logits dims] when built with `logits: true`. */
  logits?: string;
}

/** Options of {@link buildLoopSteps}. */
export interface LoopOptions {
  /**
   * Hyperparameter inputs that take one value per step: fed as [K] vectors under their
   * single-step names and read by the body with `Gather(values, iteration)` (so a schedule can
   * move within one group). The others are scalars shared by every step.
   */
  perStep?: readonly string[];
  /** Also return every step's logits (computed before its update) as a scan output. */
  logits?: boolean;
}

/** Prefix of every name the loop adds, in the outer graph and in the body. */
const P = 'loop.';

/**
 * Wraps a compiled train step into `Loop` over a stacked group of batches. Its inputs have the
 * single-step names: data inputs and labels stacked as [K, ...], parameters and optimizer state
 * (the initial loop-carried values, so a state store feeds them as they are) and every scalar
 * hyperparameter, read by the body from the outer scope; `hp.step` is the count of the first
 * update and the body uses `hp.step + iteration`. The trip count is K, read from the stacked
 * labels, so one graph serves every group size. The body is the step graph with its data inputs
 * replaced by `Gather(stacked, iteration)`, stripped of the stats and logits outputs and of the
 * nodes only they need; its scan output is the per-step loss. Nodes computing the same value in
 * every iteration (functions of hyperparameters only) are hoisted out of the loop.
 *
 * @example
 * const loop = buildLoopSteps(trainStep);
 * const session = await createSession(loop.model, { device: 'cpu' });
 * const out = await session.run({ ...state.feeds(), ...hp, x: stackedX, labels: stackedLabels }, [loop.losses, ...Object.keys(loop.carried)]);
 */
export function buildLoopSteps(step: TrainStep, options: LoopOptions = {}): LoopSteps {
  const source = step.model.graph;
  const declared = new Map(source.input.map((i) => [i.name, i]));
  const producedOut = new Map(source.output.map((o) => [o.name, o]));
  const stackedInputs = [...step.dataInputs, step.labels];
  const carriedInputs = Object.keys(step.carried);
  const stepName = optimNames.hyperparameter('step');
  const stepInput = declared.has(stepName) && step.hyperparameters[stepName] !== undefined ? stepName : undefined;
  const perStep = [...new Set(options.perStep ?? [])];
  for (const h of perStep) {
    if (h === stepName) throw new EngineError(`'${h}' cannot be a per-step input of the loop: the body derives it from the iteration number.`);
    if (step.hyperparameters[h] === undefined || !declared.has(h)) throw new EngineError(`'${h}' is not a hyperparameter input of the train step; known: ${Object.keys(step.hyperparameters).join(', ')}.`);
  }
  for (const name of [...stackedInputs, ...carriedInputs]) {
    if (!declared.has(name)) throw new EngineError(`cannot build the multi-step loop: '${name}' is not an input of the train-step graph; recompile the step.`);
  }

  // body: the step graph with its per-step inputs renamed to body-local names
  const rename = new Map<string, string>();
  for (const name of [...stackedInputs, ...carriedInputs]) rename.set(name, `${P}in.${name}`);
  if (stepInput) rename.set(stepInput, `${P}in.${stepInput}`);
  for (const h of perStep) rename.set(h, `${P}in.${h}`);
  const bodyOutputs = [...carriedInputs.map((c) => step.carried[c]!), step.loss, ...(options.logits ? [step.logits] : [])];
  const kept = new GraphIndex(source).ancestors(bodyOutputs);
  const body: GraphProto = { ...emptyGraph('train_step_body'), initializer: [...source.initializer], sparseInitializer: [...source.sparseInitializer] };
  const iter = `${P}iteration`;
  const condIn = `${P}cond_in`;
  body.input.push(tensorValueInfo(iter, DataType.INT64, []), tensorValueInfo(condIn, DataType.BOOL, []));
  for (const c of carriedInputs) body.input.push(renamed(declared.get(c)!, rename.get(c)!));
  for (const n of kept) body.node.push(renameInputs(n, rename));
  // the builder sees the step's names, so the nodes it adds get fresh ones; they go first (topological order)
  const bb = new GraphBuilder({ graph: body, opset: opsetOf(step.model) });
  for (const name of [...stackedInputs, ...perStep]) bb.op('Gather', [name, iter], { axis: 0 }, { output: rename.get(name)! });
  if (stepInput) bb.op('Add', [stepInput, bb.op('Cast', [iter], { to: DataType.FLOAT })], {}, { output: rename.get(stepInput)! });
  body.node.unshift(...body.node.splice(kept.length));
  body.valueInfo = source.valueInfo.filter((v) => !rename.has(v.name));
  const condOut = bb.op('Identity', [condIn], {}, { output: `${P}cond_out` });
  body.output.push(tensorValueInfo(condOut, DataType.BOOL, []));
  for (const c of carriedInputs) body.output.push(producedOut.get(step.carried[c]!) ?? renamed(declared.get(c)!, step.carried[c]!));
  body.output.push(tensorValueInfo(step.loss, DataType.FLOAT, []));
  if (options.logits) body.output.push({ ...(producedOut.get(step.logits) ?? tensorValueInfo(step.logits, DataType.FLOAT, undefined)), name: step.logits });

  // outer graph: stacked data, initial carried values, hyperparameters -> Loop
  // the outer builder starts out knowing the body's names, so names it generates never shadow them
  const outer: GraphProto = { ...emptyGraph('train_steps_loop'), node: [...body.node], initializer: [...body.initializer], input: [...body.input], output: [...body.output] };
  const b = new GraphBuilder({ graph: outer, opset: opsetOf(step.model) });
  outer.node = [];
  outer.initializer = [];
  outer.input = [];
  outer.output = [];
  for (const name of stackedInputs) {
    const { elemType, dims } = describeValueInfo(declared.get(name)!);
    b.input(name, elemType, dims ? [`${P}K`, ...dims] : undefined);
  }
  for (const c of carriedInputs) outer.input.push(declared.get(c)!);
  for (const h of Object.keys(step.hyperparameters)) {
    if (!declared.has(h)) continue;
    if (perStep.includes(h)) b.input(h, DataType.FLOAT, [`${P}K`]);
    else outer.input.push(declared.get(h)!);
  }
  const shape = b.op('Shape', [step.labels]);
  const tripCount = b.op('Gather', [shape, b.scalar(0, DataType.INT64)], { axis: 0 }, { output: `${P}trip_count` });
  const carried: Record<string, string> = {};
  const finals = carriedInputs.map((c) => {
    const out = `${P}${step.carried[c]!}`;
    carried[out] = c;
    return out;
  });
  const losses = `${P}losses`;
  const logits = options.logits ? `${P}logits` : undefined;
  hoistLoopInvariants(body, b);
  b.node('Loop', [tripCount, '', ...carriedInputs], { body }, { outputs: [...finals, losses, ...(logits ? [logits] : [])] });
  for (const c of carriedInputs) {
    const { elemType, dims } = describeValueInfo(declared.get(c)!);
    b.output(finals[carriedInputs.indexOf(c)]!, elemType, dims);
  }
  b.output(losses, DataType.FLOAT, [`${P}K`]);
  if (logits) b.output(logits, DataType.FLOAT, undefined);
  return { model: { ...step.model, graph: outer }, stackedInputs, losses, carried, stepInput, perStep, logits };
}

function opsetOf(model: ModelProto): number {
  return Number(model.opsetImport.find((o) => !o.domain)?.version ?? 17);
}

function renamed(v: ValueInfoProto, name: string): ValueInfoProto {
  return { ...v, name };
}

function renameInputs(n: NodeProto, rename: ReadonlyMap<string, string>): NodeProto {
  const inner = subgraphInputs(n).find((i) => rename.has(i));
  if (inner) throw new EngineError(`cannot build the multi-step loop: a subgraph of node '${n.name ?? n.opType}' reads '${inner}', a per-step input; use step() for this model.`);
  return n.input.some((i) => rename.has(i)) ? { ...n, input: n.input.map((i) => rename.get(i) ?? i) } : n;
}
