import { applyBatchNormMode, compileTrainStep, defaultGradientRegistry, listParameters, type BatchNormMode, type CompileProgress, type GradientRegistry, type TrainStep } from '@anneal/autograd';
import { DataType, GraphBuilder, tensorToValue, type ModelProto, type TensorValue } from '@anneal/onnx';
import { emitOptimizerUpdate, optimNames, type OptimizerUpdate, type OptimizerUpdateConfig } from '@anneal/optim';
import { createSession, exportInferenceModel, fromOrtTensorAsync, ortExecutor, saveCheckpoint, StateStore, toOrtTensor, type Device, type Feeds, type OrtTensor, type RuntimeWarning, type Session, type SessionOptions } from '@anneal/runtime';
import { labelType, lossEmitter, type LossSpec } from './loss-spec';
import { buildEvalModel, buildPredictModel, opsetOf } from './eval-model';
import { NonFiniteLossError, locateNonFinite } from './non-finite';
import { EngineError } from './errors';
import { batchNormStatistics } from './batch-norm-statistics';
import { withoutStats } from './without-stats';
import { fastestThreadCount } from './tune-threads';
import { HyperparameterTensors, type HyperparameterRequest } from './hyperparameter-tensors';
import { noiseFeeds } from './dropout-masks';
import { buildLoopSteps, type LoopSteps } from './loop-steps';
import { ParallelStep, type ParallelOptions } from './parallel-step';
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
  /**
   * Intra-op threads of the stepMany loop sessions; by default the same as `intraOpThreads`
   * (timed separately under `'auto'`). Set it, with a number for `intraOpThreads`, to reproduce
   * a run's thread choice exactly (a resumed run, say).
   */
  loopIntraOpThreads?: number;
  registry?: GradientRegistry;
  /**
   * BatchNormalization during training: 'as-exported' (default), 'train' (batch statistics,
   * running statistics updated every step and used by evaluate/export) or 'frozen'.
   */
  batchNorm?: BatchNormMode;
  onWarning?: (w: RuntimeWarning) => void;
  /**
   * Data parallelism and gradient accumulation (see {@link ParallelOptions}): each batch is split
   * over worker threads and micro-batches, the gradients all-reduced, one update applied.
   */
  parallel?: ParallelOptions;
  /** Seed of the Dropout masks (see compileTrainStep's `dropoutSeed`): runs with dropout repeat exactly. Default: ORT's random seeds. */
  seed?: number;
  /** Progress of compiling (probe, backward, update) and of creating the ORT sessions ('session', 0..2), e.g. for a progress bar. */
  onProgress?: CompileProgress;
}

/** Result of one training step. */
export interface StepResult {
  loss: number;
  /** The step's logits (computed before its update), when asked for with `logits: true`. */
  logits?: TensorValue;
}

/** Result of {@link TrainSession.stepMany}: one loss per optimizer step, in order. */
export interface StepManyResult {
  losses: number[];
  /** Each step's logits (computed before its update), when asked for with `logits: true`. */
  logits?: TensorValue[];
}

/** What {@link TrainSession.stepMany} returns besides losses. */
export interface StepManyOptions {
  /** Also return each step's logits (for training metrics such as accuracy). */
  logits?: boolean;
}

/** Which weights evaluation, prediction and export use: the trained ones, or their average (`optimizer.ema`). */
export type WeightChoice = 'current' | 'average';

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
  private predictSession: Promise<Session> | undefined;
  private readonly loops = new Map<string, Promise<CompiledLoop>>();

  private constructor(
    readonly trainStep: TrainStep,
    readonly update: OptimizerUpdate,
    private readonly config: OptimizerUpdateConfig,
    private readonly session: Session,
    private readonly evalSession: Session,
    readonly evalModel: ModelProto,
    /** The forward model the step was compiled from. */
    readonly source: ModelProto,
    private readonly state: StateStore,
    private readonly carriedOutputs: Record<string, string>,
    readonly device: Device,
    private readonly sessionOptions: SessionOptions,
    /** Set when threads are tuned per graph (`intraOpThreads: 'auto'`): the candidates and a sample batch to time with. */
    private readonly tuning?: { candidates: number[]; sample: Record<string, TensorValue> },
    loopThreads?: number,
    /** Set when the session trains data-parallel or accumulates gradients. */
    private readonly parallelStep?: ParallelStep,
    /** Seed of the Dropout noise (see {@link noiseFeeds}); saved with the state, so a resumed run keeps it. */
    private noiseSeed = 0,
  ) {
    this.hp = new HyperparameterTensors(config);
    this.carriedNames = Object.keys(carriedOutputs);
    this.fetchPlain = [trainStep.loss, ...this.carriedNames];
    this.fetchWithStats = [...this.fetchPlain, ...trainStep.stats];
    this.loopThreadCount = loopThreads;
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
      dropoutSeed: options.seed,
      dropoutNoise: true,
      onProgress: options.onProgress,
      update: (b, params, buffers) => {
        config = { ...options.optimizer, params: params.map((p) => ({ name: p.name, grad: p.grad, dims: options.model.graph.initializer.find((t) => t.name === p.name)?.dims })), ...(options.optimizer.ema && buffers.length ? { averageAlso: buffers } : {}) };
        update = emitOptimizerUpdate(b, config);
        const carried: Record<string, string> = {};
        for (const c of [...update.params, ...update.state]) carried[c.input] = c.output;
        const hyperparameters: Record<string, number> = {};
        for (const h of update.hyperparameters) hyperparameters[h.name] = h.value;
        return { carried, hyperparameters, stats: update.stats.map((s) => s.name) };
      },
    });
    await executor.release(); // the shape probe's session: freed before the step's sessions are created
    const initial: Record<string, TensorValue> = {};
    for (const p of step.params) initial[p] = tensorToValue(step.initialParams[p]!);
    for (const r of step.runningStats) initial[r.input] = tensorToValue(r.initial);
    for (const s of update!.state) {
      const dims = (s.dims ?? step.initialParams[s.param]!.dims).map(Number);
      initial[s.input] = { dataType: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
    }
    // plain steps run the graph without the stats nodes; the full graph is compiled on the first step asking for stats
    const plain = withoutStats(step);
    options.onProgress?.('session', 0, 2);
    const tuning = auto && device === 'cpu' && maxThreads > 1 ? { candidates: Array.from({ length: maxThreads }, (_, i) => i + 1), sample: options.sample } : undefined;
    if (tuning) sessionOptions.intraOpThreads = (await fastestThreadCount(plain, tuningFeeds(step, initial, options.sample, false), sessionOptions, tuning.candidates)).threads;
    const session = await createSession(plain, sessionOptions);
    options.onProgress?.('session', 1, 2);
    const evalModel = buildEvalModel(options.model, step, options.loss);
    const evalSession = await createSession(evalModel, { ...sessionOptions, device: session.device, onWarning: undefined });
    options.onProgress?.('session', 2, 2);
    const carriedOutputs: Record<string, string> = {};
    for (const [input, output] of Object.entries(step.carried)) carriedOutputs[output] = input;
    const parallel = options.parallel;
    const parallelStep =
      parallel && ((parallel.workers ?? 1) > 1 || (parallel.accumulate ?? 1) > 1)
        ? await ParallelStep.create({ model: options.model, trainable, loss: options.loss, optimizer: options.optimizer, sample: options.sample, registry: options.registry ?? defaultGradientRegistry(), batchNorm: options.batchNorm, seed: options.seed, executor, sessionOptions: { ...sessionOptions, device: session.device, onWarning: undefined }, parallel, onWarning: options.onWarning })
        : undefined;
    // without a seed the masks are still a function of (seed, step), from a seed drawn here
    const noiseSeed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    return new TrainSession(step, update!, config!, session, evalSession, evalModel, options.model, new StateStore(initial), carriedOutputs, session.device, { ...sessionOptions, device: session.device, onWarning: undefined }, tuning, options.loopIntraOpThreads, parallelStep, noiseSeed);
  }

  private loopThreadCount: number | undefined;

  /** Intra-op threads of the single-step sessions (chosen by timing when created with `intraOpThreads: 'auto'`). */
  get intraOpThreads(): number {
    return this.sessionOptions.intraOpThreads ?? 2;
  }

  /** Intra-op threads of the stepMany loop session, once compiled (tuned separately under `'auto'`). */
  get loopThreads(): number | undefined {
    return this.loops.size ? (this.loopThreadCount ?? this.intraOpThreads) : undefined;
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
   * compiles the full graph. A non-finite loss throws {@link NonFiniteLossError} (naming the
   * first tensor that went non-finite) and leaves the parameters at their last finite values.
   */
  async step(batch: Record<string, TensorValue>, hp: HyperparameterRequest & { stats?: boolean; logits?: boolean } = {}): Promise<StepResult & { stats?: Record<string, number> }> {
    if (this.parallelStep) return this.parallelStepOn(batch, hp);
    const session = hp.stats ? await this.withStats() : this.session;
    const feeds = this.feeds(this.withNoise(batch), hp);
    const fetch = hp.stats ? this.fetchWithStats : this.fetchPlain;
    const out = await session.run(feeds, hp.logits ? [...fetch, this.trainStep.logits] : fetch);
    const loss = Number(out[this.trainStep.loss]!.data[0]);
    if (!Number.isFinite(loss)) throw await this.nonFinite(loss, feeds);
    this.state.update(out, this.carriedOutputs);
    this.stepCount++;
    const result: StepResult & { stats?: Record<string, number> } = { loss };
    if (hp.logits) result.logits = await fromOrtTensorAsync(out[this.trainStep.logits]!);
    if (hp.stats) {
      const stats: Record<string, number> = {};
      for (const s of this.trainStep.stats) stats[s] = Number(out[s]!.data[0]);
      result.stats = stats;
    }
    return result;
  }

  /** Workers and micro-batches per update when training data-parallel (both 1 otherwise). */
  get parallelism(): { workers: number; accumulate: number } {
    return { workers: this.parallelStep?.workers ?? 1, accumulate: this.parallelStep?.accumulate ?? 1 };
  }

  private async parallelStepOn(batch: Record<string, TensorValue>, hp: HyperparameterRequest & { stats?: boolean; logits?: boolean }): Promise<StepResult & { stats?: Record<string, number> }> {
    this.hp.write(this.stepCount + 1, hp);
    const r = await this.parallelStep!.run(this.state, this.hp.tensors, this.withNoise(batch), { logits: hp.logits, stats: hp.stats });
    if (!Number.isFinite(r.loss)) throw new NonFiniteLossError(r.loss, this.stepCount + 1, this.trainStep.loss);
    this.state.update(r.outputs, this.parallelStep!.carried);
    this.stepCount++;
    const result: StepResult & { stats?: Record<string, number> } = { loss: r.loss };
    if (r.logits) result.logits = r.logits;
    if (r.stats) result.stats = r.stats;
    return result;
  }

  private async nonFinite(loss: number, feeds: Feeds): Promise<NonFiniteLossError> {
    const step = this.stepCount + 1;
    let tensor: string | undefined;
    let node: string | undefined;
    try {
      ({ tensor, node } = (await locateNonFinite(this.trainStep.model, feeds, this.sessionOptions)) ?? {});
    } catch {
      // locating is best effort: the error below still names the step
    }
    return new NonFiniteLossError(loss, step, tensor ?? this.trainStep.loss, node);
  }

  /**
   * Runs one optimizer step per batch, in order, with the same results as calling {@link step}
   * on each (to float rounding). Consecutive batches of equal shapes run as one ONNX `Loop`
   * (one `session.run` for the whole group), so parameters and optimizer state stay inside
   * ONNX Runtime between the steps; a batch whose shapes differ from its neighbours' (a final
   * partial batch) runs as a single step. `hp` is either one request for every step or one per
   * batch (a schedule moving inside the group: the loop then takes every hyperparameter as a
   * [K] vector); `hp.step` counts up as in single steps. Pass {@link StackedBatches} (inputs as
   * [K, ...]) to skip the stacking copy. An explicit `values['hp.step']` runs single steps. The
   * loop graphs are compiled on first use (or by {@link prepareStepMany}).
   *
   * A non-finite loss anywhere in a group discards the group's result and replays it step by
   * step, so the error is thrown at the same step as {@link step} would, with the steps before
   * it applied and the parameters at their last finite values.
   *
   * @example
   * const { losses } = await s.stepMany(batchesOfOneEpoch.slice(0, 16), { lr: schedule.valueAt(s.steps) });
   */
  async stepMany(batches: readonly Record<string, TensorValue>[] | StackedBatches, hp: HyperparameterRequest | readonly HyperparameterRequest[] = {}, options: StepManyOptions = {}): Promise<StepManyResult> {
    const list: readonly Record<string, TensorValue>[] | undefined = Array.isArray(batches) ? (batches as readonly Record<string, TensorValue>[]) : undefined;
    const count = list ? list.length : stackedCount(batches as StackedBatches);
    const requests = Array.isArray(hp) ? (hp as readonly HyperparameterRequest[]) : undefined;
    if (requests && requests.length !== count) throw new EngineError(`stepMany got ${count} batches but ${requests.length} hyperparameter requests; pass one request, or one per batch.`);
    const requestAt = (i: number): HyperparameterRequest => (requests ? requests[i]! : (hp as HyperparameterRequest));
    const losses: number[] = [];
    const logits: TensorValue[] = [];
    const collect = (r: { losses: number[]; logits?: TensorValue[] }) => {
      losses.push(...r.losses);
      if (r.logits) logits.push(...r.logits);
    };
    try {
      if (this.parallelStep) {
        // one update per batch through the workers; no Loop graph
        for (let i = 0; i < count; i++) {
          const r = await this.step(list ? list[i]! : unstackBatch(batches as StackedBatches, i), { ...requestAt(i), logits: options.logits });
          collect({ losses: [r.loss], logits: r.logits ? [r.logits] : undefined });
        }
      } else if (!list) collect(await this.runStacked(batches as StackedBatches, requests ?? [hp as HyperparameterRequest], options));
      else {
      for (let start = 0; start < list.length; ) {
        const key = batchShapeKey(list[start]!);
        let end = start + 1;
        while (end < list.length && batchShapeKey(list[end]!) === key) end++;
        if (end - start === 1) {
          const r = await this.step(list[start]!, { ...requestAt(start), logits: options.logits });
          collect({ losses: [r.loss], logits: r.logits ? [r.logits] : undefined });
        } else collect(await this.runStacked(stackBatches(list.slice(start, end)), requests ? requests.slice(start, end) : [hp as HyperparameterRequest], options));
        start = end;
      }
      }
    } catch (e) {
      if (e instanceof NonFiniteLossError) e.completed = [...losses, ...e.completed];
      throw e;
    }
    return options.logits ? { losses, logits } : { losses };
  }

  /**
   * Compiles the multi-step loop graph now rather than on the first {@link stepMany} call (for
   * instance before a timed region). Safe to call more than once.
   *
   * @example
   * await s.prepareStepMany();
   */
  async prepareStepMany(options: { perStep?: boolean; logits?: boolean } = {}): Promise<void> {
    await this.loopSession(options.perStep ?? false, options.logits ?? false);
  }

  private loopSession(perStep: boolean, logits: boolean): Promise<CompiledLoop> {
    const key = `${perStep}:${logits}`;
    let loop = this.loops.get(key);
    if (!loop) {
      loop = this.compileLoop(perStep, logits).catch((e: unknown) => {
        this.loops.delete(key);
        throw e;
      });
      this.loops.set(key, loop);
    }
    return loop;
  }

  private withStats(): Promise<Session> {
    return (this.statsSession ??= createSession(this.trainStep.model, this.sessionOptions).catch((e: unknown) => {
      this.statsSession = undefined;
      throw e;
    }));
  }

  /** `requests` holds one request for every step, or one per step. */
  private async runStacked(group: StackedBatches, requests: readonly HyperparameterRequest[], options: StepManyOptions): Promise<{ losses: number[]; logits?: TensorValue[] }> {
    const k = stackedCount(group);
    if (k === 0) return { losses: [] };
    const stepName = optimNames.hyperparameter('step');
    const stepOverridden = requests.some((r) => r.values !== undefined && Object.hasOwn(r.values, stepName));
    if (k === 1 || stepOverridden) return this.replay(group, k, requests, options);
    const perStep = requests.length > 1 && !this.sameValues(requests);
    const loop = await this.loopSession(perStep, options.logits ?? false);
    const data = this.withNoise(group.stacked, k);
    const feeds = perStep ? this.perStepFeeds(data, requests, loop.steps.perStep) : this.feeds(data, requests[0]!);
    const out = await loop.session.run(feeds, loop.fetch);
    const losses = Array.from(out[loop.steps.losses]!.data as Float32Array);
    if (!losses.every(Number.isFinite)) return this.replay(group, k, requests, options);
    this.state.update(out, loop.steps.carried);
    this.stepCount += k;
    if (!loop.steps.logits) return { losses };
    const all = await fromOrtTensorAsync(out[loop.steps.logits]!);
    const size = all.data.length / k;
    const logits = Array.from({ length: k }, (_, i) => ({ dataType: all.dataType, dims: all.dims.slice(1), data: (all.data as Float32Array).slice(i * size, (i + 1) * size) }));
    return { losses, logits };
  }

  /** Whether every request of a group asks for the same base lr and the same explicit values. */
  private sameValues(requests: readonly HyperparameterRequest[]): boolean {
    const first = requests[0]!;
    const keys = Object.keys(first.values ?? {});
    return requests.every((r) => {
      if (r.lr !== first.lr) return false;
      const values = r.values ?? {};
      if (Object.keys(values).length !== keys.length) return false;
      return keys.every((k) => values[k] === first.values![k]);
    });
  }

  /** Feeds of the per-step loop: every hyperparameter but the step count as a [K] vector. */
  private perStepFeeds(data: Readonly<Record<string, TensorValue>>, requests: readonly HyperparameterRequest[], names: readonly string[]): Feeds {
    const k = requests.length;
    const vectors = new Map(names.map((n) => [n, new Float32Array(k)]));
    for (let i = 0; i < k; i++) {
      this.hp.write(this.stepCount + 1 + i, requests[i]!);
      const values = this.hp.snapshot();
      for (const [n, v] of vectors) v[i] = values[n]!;
    }
    const feeds = this.feeds(data, requests[0]!);
    for (const [n, v] of vectors) feeds[n] = toOrtTensor({ dataType: DataType.FLOAT, dims: [k], data: v }, n);
    return feeds;
  }

  /**
   * `data` plus the Dropout noise of the next update (of the next `k` updates, stacked, for a Loop
   * group): a pure function of the seed and the update number, so resumed, looped and split runs
   * draw the masks of the uninterrupted single-step run.
   */
  private withNoise(data: Readonly<Record<string, TensorValue>>, k?: number): Readonly<Record<string, TensorValue>> {
    const inputs = this.trainStep.noiseInputs;
    if (!inputs.length) return data;
    const labels = data[this.trainStep.labels]!.dims;
    return { ...data, ...noiseFeeds(inputs, this.noiseSeed, this.stepCount + 1, Number(k === undefined ? labels[0] : labels[1]), k === undefined ? undefined : { k }) };
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
  private async replay(group: StackedBatches, k: number, requests: readonly HyperparameterRequest[], options: StepManyOptions): Promise<{ losses: number[]; logits?: TensorValue[] }> {
    const losses: number[] = [];
    const logits: TensorValue[] = [];
    for (let i = 0; i < k; i++) {
      let r: StepResult;
      try {
        r = await this.step(unstackBatch(group, i), { ...(requests[i] ?? requests[0]!), logits: options.logits });
      } catch (e) {
        if (e instanceof NonFiniteLossError) e.completed = [...losses];
        throw e;
      }
      losses.push(r.loss);
      if (r.logits) logits.push(r.logits);
    }
    return options.logits ? { losses, logits } : { losses };
  }

  private async compileLoop(perStep: boolean, logits: boolean): Promise<CompiledLoop> {
    const stepName = optimNames.hyperparameter('step');
    const steps = buildLoopSteps(this.trainStep, { perStep: perStep ? this.hp.names.filter((n) => n !== stepName) : [], logits });
    let options = this.sessionOptions;
    if (this.loopThreadCount !== undefined) options = { ...options, intraOpThreads: this.loopThreadCount };
    else if (this.tuning) {
      // the loop's best thread count can differ from a single step's: time it on 8 copies of the sample
      const stacked = stackBatches(Array.from({ length: 8 }, () => this.tuning!.sample));
      const feeds = tuningFeeds(this.trainStep, await this.state.values(), stacked.stacked, true);
      if (perStep) for (const n of steps.perStep) feeds[n] = { dataType: DataType.FLOAT, dims: [8], data: new Float32Array(8).fill(this.trainStep.hyperparameters[n]!) };
      options = { ...options, intraOpThreads: (await fastestThreadCount(steps.model, feeds, options, this.tuning.candidates)).threads };
      this.loopThreadCount = options.intraOpThreads;
    }
    const session = await createSession(steps.model, options);
    return { steps, session, fetch: [steps.losses, ...Object.keys(steps.carried), ...(steps.logits ? [steps.logits] : [])] };
  }

  /** Whether the step graph keeps an average of the weights (`optimizer.ema`). */
  get hasWeightAverage(): boolean {
    return this.update.state.some((s) => s.slot === 'ema');
  }

  private weightName(p: string, weights: WeightChoice): string {
    if (weights === 'current') return p;
    if (!this.hasWeightAverage) throw new EngineError(`weights: 'average' needs a weight average in the step graph; create the session with optimizer.ema (e.g. { decay: 0.995 })`);
    return optimNames.state('ema', p);
  }

  /** A running statistic's state name: its average when asked for and kept (optimizer.ema with batchNorm 'train'). */
  private statisticName(name: string, weights: WeightChoice): string {
    const average = optimNames.state('ema', name);
    return weights === 'average' && this.state.has(average) ? average : name;
  }

  /** Parameters (current or averaged) and carried running statistics as they are fed to the eval and predict graphs. */
  private forwardFeeds(weights: WeightChoice = 'current'): Record<string, OrtTensor> {
    const params: Record<string, OrtTensor> = {};
    for (const p of this.trainStep.params) params[p] = this.state.tensor(this.weightName(p, weights));
    for (const r of this.trainStep.runningStats) params[r.input] = this.state.tensor(this.statisticName(r.input, weights));
    return params;
  }

  /**
   * Loss and logits of one batch (`labels` plus the model's inputs) with the current parameters,
   * BatchNormalization in inference mode; nothing is updated.
   *
   * @example
   * const { loss, logits } = await s.evaluateBatch({ x, labels });
   */
  async evaluateBatch(batch: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<{ loss: number; logits: TensorValue }> {
    const out = await this.evalSession.run({ ...this.forwardFeeds(options.weights), ...batch }, ['eval.loss', this.trainStep.logits]);
    return { loss: Number(out['eval.loss']!.data[0]), logits: await fromOrtTensorAsync(out[this.trainStep.logits]!) };
  }

  /**
   * Logits for inputs without labels (the model's data inputs by name), with the current
   * parameters; the forward graph is compiled on first use.
   *
   * @example
   * const logits = await s.predict({ x });
   */
  async predict(inputs: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<TensorValue> {
    this.predictSession ??= createSession(buildPredictModel(this.source, this.trainStep), this.sessionOptions).catch((e: unknown) => {
      this.predictSession = undefined;
      throw e;
    });
    const session = await this.predictSession;
    const out = await session.run({ ...this.forwardFeeds(options.weights), ...inputs }, [this.trainStep.logits]);
    return fromOrtTensorAsync(out[this.trainStep.logits]!);
  }

  /**
   * Replaces parameters, optimizer state and running statistics (all of {@link stateValues}, as
   * saved in a checkpoint) and sets the optimizer step count, e.g. to resume a run. Every name
   * and shape is checked before anything changes.
   *
   * @example
   * const { tensors, metadata } = loadCheckpoint(path);
   * await s.restoreState(tensors, Number(metadata.step));
   */
  async restoreState(values: Readonly<Record<string, TensorValue>>, steps: number): Promise<void> {
    if (!Number.isInteger(steps) || steps < 0) throw new EngineError(`restoreState: the step count must be an integer >= 0, got ${steps}.`);
    const names = this.state.names();
    const missing = names.filter((n) => !Object.hasOwn(values, n));
    if (missing.length) throw new EngineError(`restoreState: the saved state lacks ${missing.length} tensor(s) of this session: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}; was it saved from another model or optimizer?`);
    const outputs: Record<string, OrtTensor> = {};
    const mapping: Record<string, string> = {};
    for (const n of names) {
      outputs[`restore.${n}`] = toOrtTensor(values[n]!, n);
      mapping[`restore.${n}`] = n;
    }
    this.state.update(outputs, mapping);
    this.stepCount = steps;
    // a run saved with its noise seed draws the same Dropout masks after the restore
    const seed = values[NOISE_SEED];
    if (seed) this.noiseSeed = Number(seed.data[0]);
  }

  /** Mean loss and accuracy (for class-id labels) over batches, with the current (or averaged) parameters. */
  async evaluate(batches: Iterable<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<EvalResult> {
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    const params = this.forwardFeeds(options.weights);
    for (const batch of batches) {
      const out = await this.evalSession.run({ ...params, ...batch }, ['eval.loss', ...(this.evalModel.graph.output.some((o) => o.name === 'eval.prediction') ? ['eval.prediction'] : [])]);
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

  /** Current (or averaged) parameter values, by parameter name (copied out of ORT). */
  async parameters(options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    const out: Record<string, TensorValue> = {};
    for (const p of this.trainStep.params) out[p] = await this.state.get(this.weightName(p, options.weights ?? 'current'));
    return out;
  }

  /**
   * Parameters, optimizer state, running statistics and, when Dropout masks come from noise, the
   * noise seed (`rng.dropout_seed`, int64), e.g. for a checkpoint.
   */
  async stateValues(): Promise<Record<string, TensorValue>> {
    const values = await this.state.values();
    if (this.trainStep.noiseInputs.length) values[NOISE_SEED] = { dataType: DataType.INT64, dims: [], data: BigInt64Array.of(BigInt(this.noiseSeed)) };
    return values;
  }

  /** Saves parameters and optimizer state as a safetensors checkpoint (atomically). */
  async saveCheckpoint(path: string, metadata: Record<string, string> = {}): Promise<void> {
    saveCheckpoint(path, await this.stateValues(), { step: String(this.stepCount), optimizer: this.update.optimizer, ...metadata });
  }

  /**
   * BatchNormalization running statistics as trained so far (empty unless some BN runs in
   * training mode); with `weights: 'average'`, their weight-average counterparts (the step graph
   * averages the running statistics along with the parameters).
   */
  async runningStatistics(options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    const out: Record<string, TensorValue> = {};
    for (const r of this.trainStep.runningStats) out[r.input] = await this.state.get(this.statisticName(r.input, options.weights ?? 'current'));
    return out;
  }

  /**
   * A plain inference model: the forward graph with the trained parameters (and updated running
   * statistics) as initializers, BatchNormalization in inference mode.
   */
  async exportInference(source: ModelProto, options: { weights?: WeightChoice } = {}): Promise<ModelProto> {
    const model = structuredClone(source);
    applyBatchNormMode(new GraphBuilder({ graph: model.graph, opset: opsetOf(model) }), model.graph, 'frozen');
    return exportInferenceModel(model, { ...(await this.parameters(options)), ...(await this.runningStatistics(options)) });
  }

  /**
   * Recomputes the BatchNormalization running statistics over `batches` with the current (or
   * averaged) weights, as needed after loading averaged weights (SWA): see batchNormStatistics.
   * The session must carry the statistics (`batchNorm: 'train'`). Returns the new statistics.
   *
   * @example
   * await backend.loadWeights(swa.average()); await s.refreshBatchNorm(loader.epochBatches(0));
   */
  async refreshBatchNorm(batches: Iterable<Readonly<Record<string, TensorValue>>>, options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    const stats = await batchNormStatistics(await this.exportInference(this.source, options), batches, this.sessionOptions);
    const carried = new Set(this.trainStep.runningStats.map((r) => r.input));
    const missing = Object.keys(stats).filter((n) => !carried.has(n));
    if (missing.length) throw new EngineError(`refreshBatchNorm: the BatchNormalization statistics ${missing.slice(0, 3).join(', ')} are fixed in this session's graph; create the session with batchNorm: 'train' to recompute them`);
    const target = Object.fromEntries(Object.entries(stats).map(([n, v]) => [this.statisticName(n, options.weights ?? 'current'), v]));
    await this.restoreState({ ...(await this.stateValues()), ...target }, this.stepCount);
    return stats;
  }

  async release(): Promise<void> {
    await this.parallelStep?.release();
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) await (await loop).session.release();
    const predict = this.predictSession;
    this.predictSession = undefined;
    if (predict) await (await predict).release();
    const stats = this.statsSession;
    this.statsSession = undefined;
    if (stats) await (await stats).release();
    await this.session.release();
    await this.evalSession.release();
  }
}

interface CompiledLoop {
  steps: LoopSteps;
  session: Session;
  fetch: string[];
}

/** Feeds to time a graph with: carried state, default hyperparameters and a (possibly stacked) batch. */
/** State entry holding the Dropout noise seed. */
const NOISE_SEED = 'rng.dropout_seed';

function tuningFeeds(step: TrainStep, state: Record<string, TensorValue>, batch: Readonly<Record<string, TensorValue>>, stacked: boolean): Feeds {
  const dims = batch[step.labels]!.dims;
  const noise = noiseFeeds(step.noiseInputs, 0, 1, Number(stacked ? dims[1] : dims[0]), stacked ? { k: Number(dims[0]) } : undefined);
  const feeds: Feeds = { ...state, ...batch, ...noise };
  for (const [name, value] of Object.entries(step.hyperparameters)) feeds[name] = { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(value) };
  return feeds;
}


