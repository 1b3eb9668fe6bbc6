import { AttributeType, DataType, GraphBuilder, type AttributeProto, GraphIndex, usedInitializers, tensorToValue, tensorValueInfo, type Executor, type ModelProto, type NodeProto, type TensorProto, type TensorValue, cloneModel, alignScalarRanks, blockConvs } from '@anneal/onnx';
import { buildBackward } from './backward.js';
import { BackwardError } from './errors.js';
import type { GradientRegistry } from './registry.js';
import { probeShapes } from './probe-shapes.js';
import { dropoutFromNoise, type DropoutNoiseInput } from './dropout-noise.js';
import { applyBatchNormMode, type BatchNormMode, type RunningStatistic } from './batch-norm-mode.js';
import type { CompileProgress } from './compile-progress.js';
import { headRows, PROBE_ROWS } from './probe-sample.js';
import type { ShapeInfo } from './shapes.js';

/** Appends a loss to the graph from the model output and a labels input; returns the scalar loss name. */
export type LossEmitter = (b: GraphBuilder, logits: string, labels: string) => string;

/** A parameter of the train step: its value (now a graph input) and its gradient tensor. */
export interface TrainableTensor {
  name: string;
  grad: string;
}

/**
 * Appends the optimizer update to the train-step graph (see @anneal/optim). Returns the carried
 * tensors (inputs whose next value the step outputs: parameters and optimizer state) and the
 * scalar hyperparameter inputs with their default values.
 */
export type UpdateEmitter = (
  b: GraphBuilder,
  params: readonly TrainableTensor[],
  /** Carried BatchNorm running statistics: the input, the tensor with its next value, and its dims (for a weight average). */
  buffers: readonly { name: string; next: string; dims: readonly number[] }[],
) => { carried: Record<string, string>; hyperparameters: Record<string, number>; stats: string[] };

export interface TrainStepOptions {
  /** Forward model (opset 13+), with trainable tensors as initializers. */
  model: ModelProto;
  /** Runs the forward+loss graph once on `sample` to measure shapes. */
  executor: Executor;
  /** A sample batch (data inputs and labels; batch of 2+) used to probe shapes. */
  sample: Record<string, TensorValue>;
  registry: GradientRegistry;
  /** Initializers to train; every other initializer stays frozen inside the graph. */
  trainable: readonly string[];
  /** Model output fed to the loss; the first graph output by default. */
  logits?: string;
  /** Name and type of the labels input (int64 class ids by default). */
  labels?: { name: string; dataType: DataType; dims: (number | string)[] };
  loss: LossEmitter;
  /** Optimizer update; without it the step outputs gradients (`grad.<param>`) instead. */
  update?: UpdateEmitter;
  /** Float data inputs to differentiate too (their gradients are outputs `grad.<input>`). */
  inputGradients?: readonly string[];
  /** Put Dropout nodes in training mode (default true). */
  dropoutTraining?: boolean;
  /**
   * Seed of the training-mode Dropout masks: Dropout node i gets the `seed` attribute seed + i,
   * so two sessions compiled alike draw the same masks step after step. Without it ORT seeds
   * each node at random and runs with dropout are not reproducible.
   */
  dropoutSeed?: number;
  /**
   * Compute the training-mode Dropout masks from fed uniform noise (see {@link TrainStep.noiseInputs})
   * instead of ONNX Runtime's generator: a mask is then a function of the feeds alone, so a run
   * resumed in a new session, a Loop of steps and a batch split over workers draw the masks of the
   * uninterrupted single-session run. Dropouts that cannot take the noise form keep the generator
   * (and `dropoutSeed`); `noiseKept` says which and why.
   */
  dropoutNoise?: boolean;
  /** BatchNormalization behaviour (default 'as-exported'); see {@link BatchNormMode}. */
  batchNorm?: BatchNormMode;
  /** Called as compiling goes through its phases (probe, backward node by node, update): see {@link CompileProgress}. */
  onProgress?: CompileProgress;
  /**
   * The channel block of onnxruntime-node's NCHWc CPU kernels (`nchwcBlockSize()` of @anneal/runtime)
   * when the step will run there: depthwise and dense kxk convolutions with computed weights, forward
   * and backward, are then lowered to those kernels (blockConvs), and the rules write depthwise weight
   * gradients for them. The graph then runs only on onnxruntime-node's CPU provider. Default: a
   * portable, standard-ops graph.
   */
  nchwcBlock?: number;
}

/** The compiled train step and how to drive it. */
export interface TrainStep {
  model: ModelProto;
  /** Data inputs (the forward model's non-parameter inputs) and the labels input. */
  dataInputs: string[];
  labels: string;
  /** Trainable tensors, now graph inputs, in order. */
  params: string[];
  /** Carried tensor (param or optimizer state input) -> output holding its next value. */
  carried: Record<string, string>;
  /** BatchNormalization running statistics carried between steps (also listed in `carried`). */
  runningStats: RunningStatistic[];
  /** Initial values of carried inputs that are not parameters (optimizer state starts at zero). */
  stateShapes: Record<string, number[]>;
  hyperparameters: Record<string, number>;
  loss: string;
  logits: string;
  /** Scalar diagnostics outputs (norms). */
  stats: string[];
  /** Initial parameter values, taken from the model's initializers. */
  initialParams: Record<string, TensorProto>;
  /** Gradient outputs by param (when no update was emitted) and by input (inputGradients). */
  gradients: Record<string, string>;
  /** Dropout noise inputs (with `dropoutNoise`): fed uniform [0, 1) noise [N, perExample] every step; also listed in `dataInputs`. */
  noiseInputs: DropoutNoiseInput[];
  /** Dropouts that kept ONNX Runtime's generator under `dropoutNoise`, and why. */
  noiseKept: { node: number; reason: string }[];
}

function setDropoutTraining(b: GraphBuilder, nodes: NodeProto[], seed: number | undefined): void {
  let index = 0;
  for (const n of nodes) {
    if (n.opType !== 'Dropout') continue;
    if (seed !== undefined) {
      n.attribute = n.attribute.filter((a) => a.name !== 'seed');
      n.attribute.push({ ...dropoutSeedAttribute(), i: seed + index });
    }
    index++;
    while (n.input.length < 2) n.input.push('');
    const ratio = n.input[1] || b.scalar(0.5);
    n.input[1] = ratio;
    n.input[2] = b.initializer({ ...boolScalar(true), name: b.uniqueName('dropout_training') });
  }
}

function dropoutSeedAttribute(): AttributeProto {
  return { name: 'seed', type: AttributeType.INT, floats: [], ints: [], strings: [], tensors: [], graphs: [], sparseTensors: [], typeProtos: [] };
}

function boolScalar(v: boolean): TensorProto {
  return { name: '', dims: [], dataType: DataType.BOOL, rawData: Uint8Array.of(v ? 1 : 0), floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [], externalData: [], metadataProps: [] };
}

/**
 * Compiles forward + loss + backward (+ optimizer update) into one ONNX graph that a runtime
 * runs once per step. Trainable initializers become graph inputs whose next values are outputs.
 *
 * @example
 * const step = await compileTrainStep({ model, executor, sample: { x, labels }, registry, trainable: ['fc.weight', 'fc.bias'],
 *   loss: (b, logits, labels) => softmaxCrossEntropy(b, { logits, labels }), update: sgd.emitter });
 */
export async function compileTrainStep(options: TrainStepOptions): Promise<TrainStep> {
  const model = cloneModel(options.model);
  const graph = model.graph;
  const b = new GraphBuilder({ graph, opset: Number(model.opsetImport.find((o) => !o.domain)?.version ?? 17) });
  const index = new GraphIndex(graph);
  const logits = options.logits ?? graph.output[0]?.name;
  if (!logits) throw new BackwardError('the model has no outputs; name the logits tensor with `logits`');
  index.require(logits, 'the model (logits)');
  const params: string[] = [];
  const initialParams: Record<string, TensorProto> = {};
  for (const name of options.trainable) {
    const t = index.initializers.get(name);
    if (!t) throw new BackwardError(`trainable tensor '${name}' is not an initializer of the model; list initializers with listParameters(model)`);
    initialParams[name] = t;
    params.push(name);
  }
  // lift trainable initializers to inputs
  graph.initializer = graph.initializer.filter((t) => !initialParams[t.name ?? '']);
  for (const p of params) graph.input.push(tensorValueInfo(p, initialParams[p]!.dataType, initialParams[p]!.dims));
  if (options.dropoutTraining ?? true) setDropoutTraining(b, graph.node, options.dropoutSeed);
  const dataInputs = graph.input.map((i) => i.name).filter((n) => !initialParams[n]);
  const runningStats = applyBatchNormMode(b, graph, options.batchNorm ?? 'as-exported');
  const labelsSpec = options.labels ?? { name: 'labels', dataType: DataType.INT64, dims: ['N'] };
  const labels = b.input(labelsSpec.name, labelsSpec.dataType, labelsSpec.dims);
  const loss = options.loss(b, logits, labels);

  const progress = options.onProgress ?? (() => {});
  progress('probe', 0, 1);
  const sampleBatch = options.sample[labelsSpec.name]?.dims[0] ?? options.sample[dataInputs[0] ?? '']?.dims[0] ?? 1;
  const { shapes, batch } = await probeStep(model, options, params, initialParams, runningStats, sampleBatch, logits);
  progress('probe', 1, 1);
  const noise = options.dropoutNoise && (options.dropoutTraining ?? true) ? dropoutFromNoise(b, graph, shapes, dataInputs, batch) : { inputs: [], kept: [] };
  dataInputs.push(...noise.inputs.map((n) => n.name));
  const inputGrads = options.inputGradients ?? [];
  for (const name of inputGrads) if (!dataInputs.includes(name)) throw new BackwardError(`input-gradient tensor '${name}' is not a data input of the model (inputs: ${dataInputs.join(', ')})`);
  const bw = buildBackward(model, { loss, wrt: [...params, ...inputGrads], shapes, registry: options.registry, onProgress: (done, total) => progress('backward', done, total), hints: { directDepthwise: !!options.nchwcBlock } });
  progress('update', 0, 1);
  const out = bw.model;
  const ob = new GraphBuilder({ graph: out.graph, opset: b.opset });
  out.graph.output = [tensorValueInfo(loss, DataType.FLOAT, []), tensorValueInfo(logits, DataType.FLOAT)];
  let carried: Record<string, string> = {};
  let hyperparameters: Record<string, number> = {};
  let stats: string[] = [];
  const gradients: Record<string, string> = {};
  if (options.update) {
    const r = options.update(
      ob,
      params.map((p) => ({ name: p, grad: bw.gradients[p]! })),
      runningStats.map((s) => ({ name: s.input, next: s.output, dims: s.initial.dims.map(Number) })),
    );
    carried = r.carried;
    hyperparameters = r.hyperparameters;
    stats = r.stats;
  } else {
    for (const p of params) {
      const g = ob.op('Identity', [bw.gradients[p]!], {}, { output: `grad.${p}` });
      gradients[p] = g;
      out.graph.output.push(tensorValueInfo(g, DataType.FLOAT));
    }
  }
  for (const name of inputGrads) {
    const g = ob.op('Identity', [bw.gradients[name]!], {}, { output: `grad.${name}` });
    gradients[name] = g;
    out.graph.output.push(tensorValueInfo(g, DataType.FLOAT));
  }
  for (const r of runningStats) {
    carried[r.input] = r.output;
    out.graph.output.push(tensorValueInfo(r.output, r.initial.dataType, r.initial.dims));
  }
  // drop nodes no output needs (e.g. loss-op terms only other reductions use) and the initializers
  // only they read; inputs stay declared
  out.graph.node = new GraphIndex(out.graph).ancestors(out.graph.output.map((o) => o.name));
  out.graph.initializer = usedInitializers(out.graph);
  // scalars (hyperparameters, rules' constants) at their consumers' rank: ORT's broadcast is slow otherwise
  alignScalarRanks(out.graph);
  if (options.nchwcBlock) blockConvs(out, options.nchwcBlock);
  const stateShapes: Record<string, number[]> = {};
  const declared = new Map(out.graph.input.map((i) => [i.name, i]));
  for (const input of Object.keys(carried)) {
    if (initialParams[input] || runningStats.some((r) => r.input === input)) continue;
    const dims = declared.get(input)?.type?.tensorType?.shape?.dim.map((d) => Number(d.dimValue ?? 0));
    stateShapes[input] = dims ?? [];
  }
  progress('update', 1, 1);
  return { model: out, dataInputs, labels, params, carried, runningStats, stateShapes, hyperparameters, loss, logits, stats, initialParams, gradients, noiseInputs: noise.inputs, noiseKept: noise.kept };
}

/**
 * Shapes of every tensor, probed on the first {@link PROBE_ROWS} examples of the sample when it is
 * batch-major (so compile memory does not grow with the batch), else on the whole sample; also when
 * the small probe fails or its logits do not have that batch size (a model with a fixed batch).
 * Returns the batch size the shapes were measured at.
 */
async function probeStep(model: ModelProto, options: TrainStepOptions, params: readonly string[], initialParams: Record<string, TensorProto>, runningStats: readonly RunningStatistic[], sampleBatch: number, logits: string): Promise<{ shapes: Map<string, ShapeInfo>; batch: number }> {
  const fixed: Record<string, TensorValue> = {};
  for (const p of params) fixed[p] = tensorToValue(initialParams[p]!);
  for (const r of runningStats) fixed[r.input] = tensorToValue(r.initial);
  const small = headRows(options.sample, sampleBatch);
  if (small) {
    try {
      const shapes = await probeShapes(model, { ...small, ...fixed }, options.executor);
      if (shapes.get(logits)?.dims[0] === PROBE_ROWS) return { shapes, batch: PROBE_ROWS };
    } catch {
      // a model that only runs at the sample's batch size: probe it whole below
    }
  }
  return { shapes: await probeShapes(model, { ...options.sample, ...fixed }, options.executor), batch: sampleBatch };
}
