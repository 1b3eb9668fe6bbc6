import { compileTrainStep, type BatchNormMode, type GradientRegistry, type Loss, type TrainStep } from '@anneal/autograd';
import { DataType, type ModelProto, type TensorValue } from '@anneal/onnx';
import { buildOptimizerStep, type OptimizerUpdateConfig } from '@anneal/optim';
import { accumulatePieces, axpy, createSession, ShardPool, toOrtTensor, type MicroBatch, type OrtTensor, type RuntimeWarning, type Session, type SessionOptions, type ShardRunResult, type StateStore } from '@anneal/runtime';
import { EngineError } from './errors.js';
import { resolveLoss, type LossSpec } from './loss-spec.js';
import { splitBatch, splitSizes } from './split-batch.js';

/**
 * Data parallelism and gradient accumulation: every batch is split over `workers` threads (each
 * with its own ORT session of the forward + backward graph) and, within a worker, into
 * `accumulate` micro-batches; the gradients, weighted by each piece's share of the examples, are
 * all-reduced over shared memory and ONE optimizer update is applied, so a step on a batch of N
 * is the step on N in one piece (to float rounding) whatever the split.
 */
export interface ParallelOptions {
  /** Worker threads computing gradients (default 1: gradients are computed in this thread). */
  workers?: number;
  /** Micro-batches per worker, their gradients summed before the update (default 1). */
  accumulate?: number;
  /** Intra-op threads of each worker's session (default 1). */
  workerThreads?: number;
  /** CUDA ordinals: worker w runs on `deviceIds[w % length]` when the device is 'cuda' (default [0]). */
  deviceIds?: readonly number[];
}

/** A copy of `model` whose Dropout node i has the seed attribute `seed + i`. */
function reseedDropout(model: ModelProto, seed: number): ModelProto {
  const copy = structuredClone(model);
  let index = 0;
  for (const n of copy.graph.node) {
    if (n.opType !== 'Dropout') continue;
    for (const a of n.attribute) if (a.name === 'seed') a.i = seed + index;
    index++;
  }
  return copy;
}

/** The reduced gradients and the per-piece outputs of one data-parallel step. */
interface Runner {
  run(broadcast: Readonly<Record<string, Float32Array>>, work: readonly (readonly MicroBatch[])[]): Promise<ShardRunResult>;
  close(): Promise<void>;
}

/** Runs the pieces one after another in this thread (workers: 1), with the same weighted sums as the pool. */
class LocalRunner implements Runner {
  constructor(
    private readonly session: Session,
    private readonly reduce: readonly { name: string; size: number }[],
    private readonly broadcastDims: ReadonlyMap<string, readonly number[]>,
    private readonly fetch: readonly string[],
  ) {}

  async run(broadcast: Readonly<Record<string, Float32Array>>, work: readonly (readonly MicroBatch[])[]): Promise<ShardRunResult> {
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, dims] of this.broadcastDims) feeds[name] = toOrtTensor({ dataType: DataType.FLOAT, dims: [...dims], data: broadcast[name]! }, name);
    const reduced: Record<string, Float32Array> = {};
    for (const r of this.reduce) reduced[r.name] = new Float32Array(r.size);
    const targets = this.reduce.map((r) => ({ name: r.name, target: reduced[r.name]! }));
    const outputs: Record<string, TensorValue>[][] = [];
    for (const pieces of work) outputs.push(await accumulatePieces(this.session, feeds, pieces, targets, this.fetch));
    return { reduced, outputs };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** What {@link ParallelStep.run} returns: the step's loss, the outputs that update the session state, and optionally logits and norms. */
export interface ParallelStepResult {
  loss: number;
  /** Outputs by name, to write into the state store with {@link ParallelStep.carried}. */
  outputs: Record<string, OrtTensor>;
  logits?: TensorValue;
  stats?: Record<string, number>;
}

/**
 * The two graphs of a data-parallel step: forward + loss + backward (gradients as outputs),
 * run by the workers, and the optimizer update alone, run once per step in this thread on the
 * all-reduced gradients. Parameters, optimizer state and hyperparameter inputs keep the names
 * of the fused step graph, so a {@link TrainSession} swaps its step for this one and keeps
 * everything else (evaluation, export, checkpoints, weight averages).
 */
export class ParallelStep {
  private constructor(
    readonly gradStep: TrainStep,
    private readonly runner: Runner,
    private readonly updateSession: Session,
    private readonly params: readonly { name: string; dims: number[] }[],
    /** Update-graph output -> state name, plus each running statistic's output -> its state name. */
    readonly carried: Readonly<Record<string, string>>,
    private readonly stats: readonly string[],
    readonly workers: number,
    readonly accumulate: number,
  ) {}

  static async create(options: {
    model: ModelProto;
    trainable: readonly string[];
    loss: LossSpec | Loss;
    optimizer: Omit<OptimizerUpdateConfig, 'params'>;
    sample: Record<string, TensorValue>;
    registry: GradientRegistry;
    batchNorm?: BatchNormMode;
    /** Dropout seed; worker w draws its masks from seed + 1000 w (+ node index), so shards get different masks. */
    seed?: number;
    executor: Parameters<typeof compileTrainStep>[0]['executor'];
    sessionOptions: SessionOptions;
    parallel: ParallelOptions;
    onWarning?: (w: RuntimeWarning) => void;
    /** See TrainStepOptions.nchwcBlock (workers run on the same machine's CPU). */
    nchwcBlock?: number;
  }): Promise<ParallelStep> {
    const workers = options.parallel.workers ?? 1;
    const accumulate = options.parallel.accumulate ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new EngineError(`parallel.workers must be an integer >= 1, got ${workers}`);
    if (!Number.isInteger(accumulate) || accumulate < 1) throw new EngineError(`parallel.accumulate must be an integer >= 1, got ${accumulate}`);
    const labelsDims = options.sample.labels?.dims.map((d, i) => (i === 0 ? 'N' : d)) ?? ['N'];
    const loss = resolveLoss(options.loss);
    const gradStep = await compileTrainStep({
      model: options.model,
      executor: options.executor,
      sample: options.sample,
      registry: options.registry,
      trainable: options.trainable,
      labels: { name: 'labels', dataType: loss.labels, dims: labelsDims },
      loss: loss.emit,
      batchNorm: options.batchNorm,
      dropoutSeed: options.seed,
      dropoutNoise: true,
      nchwcBlock: options.nchwcBlock,
    });
    const params = gradStep.params.map((p) => ({ name: p, dims: gradStep.initialParams[p]!.dims.map(Number) }));
    const broadcast = [...params, ...gradStep.runningStats.map((r) => ({ name: r.input, dims: r.initial.dims.map(Number) }))];
    const reduce = params.map((p) => ({ name: gradStep.gradients[p.name]!, dims: p.dims }));
    const fetch = [gradStep.loss, gradStep.logits, ...gradStep.runningStats.map((r) => r.output)];
    const runner: Runner =
      workers === 1
        ? new LocalRunner(
            await createSession(gradStep.model, options.sessionOptions),
            reduce.map((r) => ({ name: r.name, size: r.dims.reduce((a, d) => a * d, 1) })),
            new Map(broadcast.map((b) => [b.name, b.dims])),
            fetch,
          )
        : await ShardPool.create({
            model: options.seed === undefined ? gradStep.model : Array.from({ length: workers }, (_, w) => reseedDropout(gradStep.model, options.seed! + 1000 * w)),
            workers,
            broadcast,
            reduce,
            fetch,
            device: options.sessionOptions.device,
            deviceIds: options.parallel.deviceIds,
            intraOpThreads: options.parallel.workerThreads ?? 1,
            onWarning: options.onWarning,
          });
    const averageAlso = options.optimizer.ema ? gradStep.runningStats.map((r) => ({ name: r.input, next: r.output, dims: r.initial.dims.map(Number) })) : [];
    const update = buildOptimizerStep({ ...options.optimizer, params, opset: 17, ...(averageAlso.length ? { averageAlso } : {}) });
    let updateSession: Session;
    try {
      updateSession = await createSession(update.model, options.sessionOptions);
    } catch (e) {
      await runner.close();
      throw e;
    }
    const carried: Record<string, string> = {};
    for (const c of [...update.update.params, ...update.update.state]) carried[c.output] = c.input;
    for (const r of gradStep.runningStats) carried[r.output] = r.input;
    return new ParallelStep(gradStep, runner, updateSession, params, carried, update.update.stats.map((s) => s.name), workers, accumulate);
  }

  /**
   * One optimizer update on `batch`: split over the workers and micro-batches, gradients
   * all-reduced with weights n_piece / N, then the update graph. `hp` are the hyperparameter
   * tensors of this step. Nothing in `state` changes here; the caller applies `outputs`.
   */
  async run(state: StateStore, hp: Readonly<Record<string, OrtTensor>>, batch: Readonly<Record<string, TensorValue>>, options: { logits?: boolean; stats?: boolean } = {}): Promise<ParallelStepResult> {
    const n = batch.labels?.dims[0] ?? Object.values(batch)[0]?.dims[0] ?? 0;
    if (n < 1) throw new EngineError('a data-parallel step needs a batch with at least one example');
    const work: MicroBatch[][] = [];
    for (const shard of splitBatch(batch, splitSizes(n, this.workers))) {
      const size = shard.labels?.dims[0] ?? Object.values(shard)[0]!.dims[0]!;
      const pieces = size === 0 ? [] : splitBatch(shard, splitSizes(size, Math.min(this.accumulate, size))).map((feeds) => ({ feeds, weight: (feeds.labels?.dims[0] ?? Object.values(feeds)[0]!.dims[0]!) / n }));
      work.push(pieces);
    }
    const broadcast: Record<string, Float32Array> = {};
    for (const p of this.params) broadcast[p.name] = (await state.get(p.name)).data as Float32Array;
    for (const r of this.gradStep.runningStats) broadcast[r.input] = (await state.get(r.input)).data as Float32Array;
    const { reduced, outputs } = await this.runner.run(broadcast, work);
    const flat = work.flatMap((pieces, w) => pieces.map((piece, k) => ({ weight: piece.weight, out: outputs[w]![k]! })));
    let loss = 0;
    for (const f of flat) loss += f.weight * Number(f.out[this.gradStep.loss]!.data[0]);
    const result: ParallelStepResult = { loss, outputs: {} };
    if (!Number.isFinite(loss)) return result;
    // the running statistics' new values: the weighted mean of every piece's (exact for the mean)
    const statistics: Record<string, OrtTensor> = {};
    for (const r of this.gradStep.runningStats) {
      const first = flat[0]!.out[r.output]!;
      const mean = new Float32Array(first.data.length);
      for (const f of flat) axpy(mean, f.out[r.output]!.data as Float32Array, f.weight);
      statistics[r.output] = toOrtTensor({ dataType: DataType.FLOAT, dims: [...first.dims], data: mean }, r.output);
    }
    const feeds: Record<string, OrtTensor | TensorValue> = {};
    for (const name of this.updateSession.inputNames) {
      if (Object.hasOwn(statistics, name)) feeds[name] = statistics[name]!;
      else if (Object.hasOwn(hp, name)) feeds[name] = hp[name]!;
      else if (state.has(name)) feeds[name] = state.tensor(name);
    }
    for (const p of this.params) feeds[this.gradStep.gradients[p.name]!] = { dataType: DataType.FLOAT, dims: p.dims, data: reduced[this.gradStep.gradients[p.name]!]! };
    const fetch = Object.keys(this.carried).filter((o) => this.updateSession.outputNames.includes(o));
    const out = await this.updateSession.run(feeds, options.stats ? [...fetch, ...this.stats] : fetch);
    result.outputs = { ...out, ...statistics };
    if (options.logits) {
      const parts = flat.map((f) => f.out[this.gradStep.logits]!);
      const row = parts[0]!.dims.slice(1);
      const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
      let offset = 0;
      for (const p of parts) {
        data.set(p.data as Float32Array, offset);
        offset += p.data.length;
      }
      result.logits = { dataType: DataType.FLOAT, dims: [n, ...row], data };
    }
    if (options.stats) {
      result.stats = {};
      for (const s of this.stats) result.stats[s] = Number(out[s]!.data[0]);
    }
    return result;
  }

  async release(): Promise<void> {
    await this.runner.close();
    await this.updateSession.release();
  }
}
