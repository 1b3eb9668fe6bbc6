import { applyBatchNormMode, compileTrainStep, defaultGradientRegistry, listParameters, type BatchNormMode, type GradientRegistry, type TrainStep } from '@anneal/autograd';
import { DataType, GraphBuilder, tensorToValue, tensorValueInfo, type ModelProto, type TensorValue } from '@anneal/onnx';
import { emitOptimizerUpdate, optimNames, type OptimizerUpdate, type OptimizerUpdateConfig } from '@anneal/optim';
import { createSession, exportInferenceModel, ortExecutor, saveCheckpoint, StateStore, type Device, type Feeds, type OrtTensor, type RuntimeWarning, type Session, type SessionOptions } from '@anneal/runtime';
import { labelType, lossEmitter, type LossSpec } from './loss-spec';
import { EngineError } from './errors';
import { withoutStats } from './without-stats';
import { fastestThreadCount } from './tune-threads';
import { HyperparameterTensors, type HyperparameterRequest } from './hyperparameter-tensors';
import { buildLoopSteps, type LoopSteps } from './loop-steps';
import { batchShapeKey, stackBatches, stackedCount, unstackBatch, type StackedBatches } from './stack-batches';

/** Options of {@link TrainSession.create}. */
export interface TrainSessionOptions {
  /** Forward model, opset 13+ (see prepareModel), whose first output is the logits. */
  model: ModelProto;
  /** Initializers to train; every trainable parameter by default (see listParameters). */
  trainable?: readonly string[];
  loss: LossSpec;
  /** Optimizer update config without `params` (they come from `trainable`). */
  optimizer: Omit<OptimizerUpdateConfig, 'params'>;
  /** A sample batch (inputs by name plus `labels`), batch size 2 or more, to probe shapes. */
  sample: Record<string, TensorValue>;
  device?: Device;
  deviceId?: number;
  /**
   * Intra-op threads of the ORT sessions (default 2). `'auto'` times the step graph once with
   * 1..`maxThreads` threads (default 2) and keeps the fastest: small steps are often faster on one.
   */
  intraOpThreads?: number | 'auto';
  /** Upper bound for `intraOpThreads: 'auto'` (default 2). */
  maxThreads?: number;
  registry?: GradientRegistry;
  /**
   * BatchNormalization during training: 'as-exported' (default), 'train' (batch statistics,
   * running statistics updated every step and used by evaluate/export) or 'frozen'.
   */
  batchNorm?: BatchNormMode;
  onWarning?: (w: RuntimeWarning) => void;
}

/** Result of one training step. */
export interface StepResult {
  loss: number;
}

/** Result of {@link TrainSession.stepMany}: one loss per optimizer step, in order. */
export interface StepManyResult {
  losses: number[];
}

/** Metrics of an evaluation pass. */
export interface EvalResult {
  loss: number;
  accuracy?: number;
  count: number;
}

/**
 * A compiled train step running on ONNX Runtime: forward, loss, backward and optimizer update in
 * one `session.run`, with parameters and optimizer state kept as ORT tensors between steps.
 *
 * @example
 * const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 1e-3 }, sample });
 * const { loss } = await s.step({ x, labels });
 */
export class TrainSession {
  private stepCount = 0;
  private readonly hp: HyperparameterTensors;
  private readonly carriedNames: readonly string[];
  private readonly fetchPlain: readonly string[];
  private readonly fetchWithStats: readonly string[];
  private statsSession: Promise<Session> | undefined;
  private loop: Promise<{ steps: LoopSteps; session: Session; fetch: string[] }> | undefined;

  private constructor(
    readonly trainStep: TrainStep,
    readonly update: OptimizerUpdate,
    private readonly config: OptimizerUpdateConfig,
    private readonly session: Session,
    private readonly evalSession: Session,
    readonly evalModel: ModelProto,
    private readonly state: StateStore,
    private readonly carriedOutputs: Record<string, string>,
    readonly device: Device,
    private readonly sessionOptions: SessionOptions,
    /** Set when threads are tuned per graph (`intraOpThreads: 'auto'`): the candidates and a sample batch to time with. */
    private readonly tuning?: { candidates: number[]; sample: Record<string, TensorValue> },
  ) {
    this.hp = new HyperparameterTensors(config);
    this.carriedNames = Object.keys(carriedOutputs);
    this.fetchPlain = [trainStep.loss, ...this.carriedNames];
    this.fetchWithStats = [...this.fetchPlain, ...trainStep.stats];
  }

  static async create(options: TrainSessionOptions): Promise<TrainSession> {
    const device = options.device ?? 'cpu';
    const auto = options.intraOpThreads === 'auto';
    const maxThreads = options.maxThreads ?? 2;
    const fixedThreads = typeof options.intraOpThreads === 'number' ? options.intraOpThreads : maxThreads;
    const sessionOptions: SessionOptions = { device, deviceId: options.deviceId, intraOpThreads: fixedThreads, onWarning: options.onWarning };
    const executor = ortExecutor({ device: device === 'wasm' ? 'wasm' : 'cpu', intraOpThreads: fixedThreads });
    const trainable = options.trainable ?? listParameters(options.model);
    if (trainable.length === 0) throw new EngineError('the model has no trainable float initializers; promote Constant weights first (prepareModel) or list `trainable`');
    let update: OptimizerUpdate | undefined;
    let config: OptimizerUpdateConfig | undefined;
    const labelsDims = options.sample.labels?.dims.map((d, i) => (i === 0 ? 'N' : d)) ?? ['N'];
    const step = await compileTrainStep({
      model: options.model,
      executor,
      sample: options.sample,
      registry: options.registry ?? defaultGradientRegistry(),
      trainable,
      labels: { name: 'labels', dataType: labelType(options.loss), dims: labelsDims },
      loss: lossEmitter(options.loss),
      batchNorm: options.batchNorm,
      update: (b, params) => {
        config = { ...options.optimizer, params: params.map((p) => ({ name: p.name, grad: p.grad, dims: options.model.graph.initializer.find((t) => t.name === p.name)?.dims })) };
        update = emitOptimizerUpdate(b, config);
        const carried: Record<string, string> = {};
        for (const c of [...update.params, ...update.state]) carried[c.input] = c.output;
        const hyperparameters: Record<string, number> = {};
        for (const h of update.hyperparameters) hyperparameters[h.name] = h.value;
        return { carried, hyperparameters, stats: update.stats.map((s) => s.name) };
      },
    });
    const initial: Record<string, TensorValue> = {};
    for (const p of step.params) initial[p] = tensorToValue(step.initialParams[p]!);
    for (const r of step.runningStats) initial[r.input] = tensorToValue(r.initial);
    for (const s of update!.state) {
      const dims = (s.dims ?? step.initialParams[s.param]!.dims).map(Number);
      initial[s.input] = { dataType: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
    }
    // plain steps run the graph without the stats nodes; the full graph is compiled on the first step asking for stats
    const plain = withoutStats(step);
    const tuning = auto && device === 'cpu' && maxThreads > 1 ? { candidates: Array.from({ length: maxThreads }, (_, i) => i + 1), sample: options.sample } : undefined;
    if (tuning) sessionOptions.intraOpThreads = (await fastestThreadCount(plain, tuningFeeds(step, initial, options.sample), sessionOptions, tuning.candidates)).threads;
    const session = await createSession(plain, sessionOptions);
    const evalModel = buildEvalModel(options.model, step, options.loss);
    const evalSession = await createSession(evalModel, { ...sessionOptions, onWarning: undefined });
    const carriedOutputs: Record<string, string> = {};
    for (const [input, output] of Object.entries(step.carried)) carriedOutputs[output] = input;
    return new TrainSession(step, update!, config!, session, evalSession, evalModel, new StateStore(initial), carriedOutputs, session.device, { ...sessionOptions, device: session.device, onWarning: undefined }, tuning);
  }

  private loopThreadCount: number | undefined;

  /** Intra-op threads of the single-step sessions (chosen by timing when created with `intraOpThreads: 'auto'`). */
  get intraOpThreads(): number {
    return this.sessionOptions.intraOpThreads ?? 2;
  }

  /** Intra-op threads of the stepMany loop session, once compiled (tuned separately under `'auto'`). */
  get loopThreads(): number | undefined {
    return this.loop ? (this.loopThreadCount ?? this.intraOpThreads) : undefined;
  }

  /** Number of optimizer steps taken. */
  get steps(): number {
    return this.stepCount;
  }

  /** Names and default values of the hyperparameter inputs. */
  get hyperparameters(): Record<string, number> {
    return { ...this.trainStep.hyperparameters };
  }

  /**
   * Runs one training step on a batch (`labels` plus the model's inputs). `lr` sets the base
   * learning rate (e.g. from a schedule); `values` override any hyperparameter input by name.
   * Plain steps run the graph without the norm outputs; the first step with `stats: true`
   * compiles the full graph.
   */
  async step(batch: Record<string, TensorValue>, hp: { lr?: number; values?: Record<string, number>; stats?: boolean } = {}): Promise<StepResult & { stats?: Record<string, number> }> {
    const session = hp.stats ? await this.withStats() : this.session;
    const out = await session.run(this.feeds(batch, hp), hp.stats ? this.fetchWithStats : this.fetchPlain);
    const loss = Number(out[this.trainStep.loss]!.data[0]);
    if (!Number.isFinite(loss)) throw new EngineError(`the loss became ${loss} at step ${this.stepCount + 1}; lower the learning rate, clip gradients (maxGradNorm) or check the inputs for NaN. Parameters were left at their last finite values.`);
    this.state.update(out, this.carriedOutputs);
    this.stepCount++;
    if (!hp.stats) return { loss };
    const stats: Record<string, number> = {};
    for (const s of this.trainStep.stats) stats[s] = Number(out[s]!.data[0]);
    return { loss, stats };
  }

  /**
   * Runs one optimizer step per batch, in order, with the same results as calling {@link step}
   * on each (to float rounding). Consecutive batches of equal shapes run as one ONNX `Loop`
   * (one `session.run` for the whole group), so parameters and optimizer state stay inside
   * ONNX Runtime between the steps; a batch whose shapes differ from its neighbours' (a final
   * partial batch) runs as a single step. `lr` and `values` hold for every step of the call;
   * `hp.step` counts up as in single steps. Pass {@link StackedBatches} (inputs as [K, ...])
   * to skip the stacking copy. An explicit `values['hp.step']` runs single steps (each with that
   * count, as {@link step} would). The loop graph, one for every K, is compiled on the first call
   * (or by {@link prepareStepMany}).
   *
   * A non-finite loss anywhere in a group discards the group's result and replays it step by
   * step, so the error is thrown at the same step as {@link step} would and the parameters
   * keep their last finite values.
   *
   * @example
   * const { losses } = await s.stepMany(batchesOfOneEpoch.slice(0, 16), { lr: schedule.valueAt(s.steps) });
   */
  async stepMany(batches: readonly Record<string, TensorValue>[] | StackedBatches, hp: HyperparameterRequest = {}): Promise<StepManyResult> {
    if (!Array.isArray(batches)) return { losses: await this.runStacked(batches as StackedBatches, hp) };
    const list = batches as readonly Record<string, TensorValue>[];
    const losses: number[] = [];
    for (let start = 0; start < list.length; ) {
      const key = batchShapeKey(list[start]!);
      let end = start + 1;
      while (end < list.length && batchShapeKey(list[end]!) === key) end++;
      if (end - start === 1) losses.push((await this.step(list[start]!, hp)).loss);
      else losses.push(...(await this.runStacked(stackBatches(list.slice(start, end)), hp)));
      start = end;
    }
    return { losses };
  }

  /**
   * Compiles the multi-step loop graph now rather than on the first {@link stepMany} call (for
   * instance before a timed region). Safe to call more than once.
   *
   * @example
   * await s.prepareStepMany();
   */
  async prepareStepMany(): Promise<void> {
    await this.loopSession();
  }

  private loopSession(): Promise<{ steps: LoopSteps; session: Session; fetch: string[] }> {
    return (this.loop ??= this.compileLoop().catch((e: unknown) => {
      this.loop = undefined;
      throw e;
    }));
  }

  private withStats(): Promise<Session> {
    return (this.statsSession ??= createSession(this.trainStep.model, this.sessionOptions).catch((e: unknown) => {
      this.statsSession = undefined;
      throw e;
    }));
  }

  private async runStacked(group: StackedBatches, hp: HyperparameterRequest): Promise<number[]> {
    const k = stackedCount(group);
    if (k === 0) return [];
    const stepOverridden = hp.values !== undefined && Object.hasOwn(hp.values, optimNames.hyperparameter('step'));
    if (k === 1 || stepOverridden) return this.replay(group, k, hp);
    const loop = await this.loopSession();
    const out = await loop.session.run(this.feeds(group.stacked, hp), loop.fetch);
    const losses = Array.from(out[loop.steps.losses]!.data as Float32Array);
    if (!losses.every(Number.isFinite)) return this.replay(group, k, hp);
    this.state.update(out, loop.steps.carried);
    this.stepCount += k;
    return losses;
  }

  /** State tensors, this step's hyperparameters (written for update number steps + 1) and the data, in one fresh object. */
  private feeds(data: Readonly<Record<string, TensorValue>>, hp: HyperparameterRequest): Feeds {
    this.hp.write(this.stepCount + 1, hp);
    const feeds: Feeds = {};
    this.state.addFeeds(feeds);
    const hpTensors = this.hp.tensors;
    for (const name in hpTensors) feeds[name] = hpTensors[name]!;
    for (const name in data) if (Object.hasOwn(data, name)) feeds[name] = data[name]!;
    return feeds;
  }

  /** Runs a stack step by step (exact single-step semantics, errors included). */
  private async replay(group: StackedBatches, k: number, hp: HyperparameterRequest): Promise<number[]> {
    const losses: number[] = [];
    for (let i = 0; i < k; i++) losses.push((await this.step(unstackBatch(group, i), hp)).loss);
    return losses;
  }

  private async compileLoop(): Promise<{ steps: LoopSteps; session: Session; fetch: string[] }> {
    const steps = buildLoopSteps(this.trainStep);
    let options = this.sessionOptions;
    if (this.tuning) {
      // the loop's best thread count can differ from a single step's: time it on 8 copies of the sample
      const stacked = stackBatches(Array.from({ length: 8 }, () => this.tuning!.sample));
      const feeds = tuningFeeds(this.trainStep, await this.state.values(), stacked.stacked);
      options = { ...options, intraOpThreads: (await fastestThreadCount(steps.model, feeds, options, this.tuning.candidates)).threads };
      this.loopThreadCount = options.intraOpThreads;
    }
    const session = await createSession(steps.model, options);
    return { steps, session, fetch: [steps.losses, ...Object.keys(steps.carried)] };
  }

  /** Mean loss and accuracy (for class-id labels) over batches, with the current parameters. */
  async evaluate(batches: Iterable<Record<string, TensorValue>>): Promise<EvalResult> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    const params: Record<string, OrtTensor> = {};
    for (const p of this.trainStep.params) params[p] = this.state.tensor(p);
    for (const r of this.trainStep.runningStats) params[r.input] = this.state.tensor(r.input);
    for (const batch of batches) {
      const out = await this.evalSession.run({ ...params, ...batch });
      const n = batch.labels!.dims[0] ?? 1;
      lossSum += Number(out['eval.loss']!.data[0]) * n;
      const pred = out['eval.prediction'];
      if (pred) {
        const labels = batch.labels!.data as BigInt64Array;
        const p = pred.data as BigInt64Array;
        for (let i = 0; i < n; i++) if (p[i] === labels[i]) correct++;
      }
      count += n;
    }
    return { loss: lossSum / Math.max(count, 1), accuracy: this.evalModel.graph.output.some((o) => o.name === 'eval.prediction') ? correct / Math.max(count, 1) : undefined, count };
  }

  /** Current parameter values (copied out of ORT). */
  async parameters(): Promise<Record<string, TensorValue>> {
    const out: Record<string, TensorValue> = {};
    for (const p of this.trainStep.params) out[p] = await this.state.get(p);
    return out;
  }

  /** Parameters and optimizer state, e.g. for a checkpoint. */
  async stateValues(): Promise<Record<string, TensorValue>> {
    return this.state.values();
  }

  /** Saves parameters and optimizer state as a safetensors checkpoint (atomically). */
  async saveCheckpoint(path: string, metadata: Record<string, string> = {}): Promise<void> {
    saveCheckpoint(path, await this.state.values(), { step: String(this.stepCount), optimizer: this.update.optimizer, ...metadata });
  }

  /** BatchNormalization running statistics as trained so far (empty unless some BN runs in training mode). */
  async runningStatistics(): Promise<Record<string, TensorValue>> {
    const out: Record<string, TensorValue> = {};
    for (const r of this.trainStep.runningStats) out[r.input] = await this.state.get(r.input);
    return out;
  }

  /**
   * A plain inference model: the forward graph with the trained parameters (and updated running
   * statistics) as initializers, BatchNormalization in inference mode.
   */
  async exportInference(source: ModelProto): Promise<ModelProto> {
    const model = structuredClone(source);
    applyBatchNormMode(new GraphBuilder({ graph: model.graph, opset: opsetOf(model) }), model.graph, 'frozen');
    return exportInferenceModel(model, { ...(await this.parameters()), ...(await this.runningStatistics()) });
  }

  async release(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (loop) await (await loop).session.release();
    const stats = this.statsSession;
    this.statsSession = undefined;
    if (stats) await (await stats).release();
    await this.session.release();
    await this.evalSession.release();
  }
}

/** Feeds to time a graph with: carried state, default hyperparameters and a (possibly stacked) batch. */
function tuningFeeds(step: TrainStep, state: Record<string, TensorValue>, batch: Readonly<Record<string, TensorValue>>): Feeds {
  const feeds: Feeds = { ...state, ...batch };
  for (const [name, value] of Object.entries(step.hyperparameters)) feeds[name] = { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(value) };
  return feeds;
}

function opsetOf(model: ModelProto): number {
  return Number(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 17);
}

/**
 * Forward graph + loss + argmax prediction, with trainable tensors and carried BatchNormalization
 * running statistics as inputs (fed from the state store); BatchNormalization in inference mode.
 */
function buildEvalModel(source: ModelProto, step: TrainStep, loss: LossSpec): ModelProto {
  const model = structuredClone(source);
  const g = model.graph;
  const b = new GraphBuilder({ graph: g, opset: opsetOf(model) });
  applyBatchNormMode(b, g, 'frozen');
  const fed = new Map<string, { dataType: DataType; dims: number[] }>();
  for (const p of step.params) fed.set(p, step.initialParams[p]!);
  for (const r of step.runningStats) fed.set(r.input, r.initial);
  g.initializer = g.initializer.filter((t) => !fed.has(t.name ?? ''));
  for (const [name, t] of fed) g.input.push(tensorValueInfo(name, t.dataType, t.dims));
  const labels = b.input('labels', labelType(loss), ['N']);
  const lossName = lossEmitter(loss)(b, step.logits, labels);
  b.op('Identity', [lossName], {}, { output: 'eval.loss' });
  g.output = [tensorValueInfo('eval.loss', DataType.FLOAT, [])];
  if (loss.kind === 'cross-entropy') {
    b.op('ArgMax', [step.logits], { axis: 1, keepdims: 0 }, { output: 'eval.prediction' });
    g.output.push(tensorValueInfo('eval.prediction', DataType.INT64, ['N']));
  }
  return model;
}
