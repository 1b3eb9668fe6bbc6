import type { Worker } from 'node:worker_threads';
import { encodeModel, type ModelProto, type TensorValue } from '@anneal/onnx';
import { AnnealRuntimeError } from '../errors.js';
import type { Device, RuntimeWarning } from '../warnings.js';
import { BARRIER_WORDS } from './all-reduce.js';
import type { MicroBatch, ShardWorkerInit, StepMessage, WorkerReply } from './shard-protocol.js';
import { sharedLayout, slotView, type SharedLayout } from './shared-layout.js';
import { startTypeScriptWorker } from './typescript-worker.js';

/** A worker of a {@link ShardPool} failed (session creation, a run, or the thread itself). */
export class ShardWorkerError extends AnnealRuntimeError {
  constructor(
    readonly worker: number,
    detail: string,
  ) {
    super('SHARD_WORKER_FAILED', `data-parallel worker ${worker} failed: ${detail}`);
  }
}

/** Options of {@link ShardPool.create}. */
export interface ShardPoolOptions {
  /**
   * The model every worker runs (e.g. forward + loss + backward, gradients as outputs), or one
   * per worker (same inputs and outputs; e.g. different Dropout seeds).
   */
  model: ModelProto | Uint8Array | readonly (ModelProto | Uint8Array)[];
  /** Number of worker threads, each with its own ORT session. */
  workers: number;
  /** Float32 inputs with the same value on every worker (the parameters), sent through shared memory. */
  broadcast: readonly { name: string; dims: readonly number[] }[];
  /** Float32 outputs summed, weighted, over every micro-batch of every worker (the gradients). */
  reduce: readonly { name: string; dims: readonly number[] }[];
  /** Other outputs returned per micro-batch (loss, logits, running statistics). */
  fetch?: readonly string[];
  /** Default 'cpu'. With 'cuda', worker w uses device `deviceIds[w % deviceIds.length]`; without CUDA each falls back to CPU with a warning. */
  device?: Device;
  deviceIds?: readonly number[];
  /** Intra-op threads per worker session (default 1: the workers are the parallelism). */
  intraOpThreads?: number;
  onWarning?: (w: RuntimeWarning) => void;
}

/** The result of {@link ShardPool.run}. */
export interface ShardRunResult {
  /** Each reduced output: the weighted sum over all micro-batches of all workers (a fresh copy). */
  reduced: Record<string, Float32Array>;
  /** The `fetch` outputs, per worker, per micro-batch. */
  outputs: Record<string, TensorValue>[][];
}

interface Member {
  worker: Worker;
  pending?: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };
}

/**
 * W worker threads that run one model on their own shards and all-reduce named outputs over
 * shared memory: the building block of data-parallel training. Each `run` writes the broadcast
 * tensors once into a SharedArrayBuffer, hands every worker its micro-batches, and each worker
 * sums its weighted outputs into its slot; after a barrier, worker w adds up chunk w of all slots
 * (a reduce-scatter whose result is already shared, so no gather is needed).
 *
 * @example
 * const pool = await ShardPool.create({ model: gradModel, workers: 2, broadcast: params, reduce: grads, fetch: ['loss'] });
 * const { reduced } = await pool.run(paramValues, [[{ feeds: shard0, weight: 0.5 }], [{ feeds: shard1, weight: 0.5 }]]);
 * await pool.close();
 */
export class ShardPool {
  private busy = false;
  private closed = false;
  private failure: ShardWorkerError | undefined;

  private constructor(
    private readonly members: Member[],
    private readonly broadcastLayout: SharedLayout,
    private readonly reduceLayout: SharedLayout,
    private readonly broadcastBuffer: Float32Array,
    private readonly reducedBuffer: Float32Array,
    /** Device of each worker's session (after any fallback). */
    readonly devices: readonly Device[],
  ) {}

  static async create(options: ShardPoolOptions): Promise<ShardPool> {
    const workers = options.workers;
    if (!Number.isInteger(workers) || workers < 1) throw new AnnealRuntimeError('BAD_POOL_OPTIONS', `ShardPool: workers must be a positive integer, got ${workers}`);
    const broadcast = sharedLayout(options.broadcast);
    const reduce = sharedLayout(options.reduce);
    const buffers = {
      broadcast: new SharedArrayBuffer(4 * Math.max(1, broadcast.total)),
      slots: new SharedArrayBuffer(4 * Math.max(1, reduce.total * workers)),
      reduced: new SharedArrayBuffer(4 * Math.max(1, reduce.total)),
      control: new SharedArrayBuffer(4 * BARRIER_WORDS),
    };
    const bytes = (m: ModelProto | Uint8Array) => (m instanceof Uint8Array ? m : encodeModel(m));
    const perWorker = Array.isArray(options.model) ? (options.model as readonly (ModelProto | Uint8Array)[]) : undefined;
    if (perWorker && perWorker.length !== workers) throw new AnnealRuntimeError('BAD_POOL_OPTIONS', `ShardPool: ${perWorker.length} models for ${workers} workers; give one model, or one per worker`);
    const shared = perWorker ? undefined : bytes(options.model as ModelProto | Uint8Array);
    // the worker module next to this one: compiled (dist) or, in the repository, its source
    const entry = new URL(`./shard-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
    const deviceIds = options.deviceIds?.length ? options.deviceIds : [0];
    const members: Member[] = [];
    const ready: Promise<WorkerReply>[] = [];
    for (let index = 0; index < workers; index++) {
      const init: ShardWorkerInit = {
        entry,
        index,
        workers,
        model: shared ?? bytes(perWorker![index]!),
        device: options.device ?? 'cpu',
        deviceId: deviceIds[index % deviceIds.length]!,
        intraOpThreads: options.intraOpThreads ?? 1,
        broadcast,
        reduce,
        fetch: [...(options.fetch ?? [])],
        buffers,
      };
      const worker = startTypeScriptWorker(entry, init);
      const member: Member = { worker };
      members.push(member);
      ready.push(new Promise((resolve, reject) => (member.pending = { resolve, reject })));
    }
    const pool = new ShardPool(members, broadcast, reduce, new Float32Array(buffers.broadcast), new Float32Array(buffers.reduced), []);
    members.forEach((m, i) => pool.listen(m, i));
    let replies: WorkerReply[];
    try {
      replies = await Promise.all(ready);
    } catch (e) {
      await pool.close();
      throw e;
    }
    const devices = replies.map((r, i) => {
      if (r.kind !== 'ready') throw new ShardWorkerError(i, `expected a ready message, got '${r.kind}'`);
      for (const w of r.warnings) options.onWarning?.({ ...w, reason: `worker ${i}: ${w.reason}` });
      return r.device;
    });
    (pool as { devices: readonly Device[] }).devices = devices;
    return pool;
  }

  private listen(member: Member, index: number): void {
    const fail = (detail: string) => {
      const error = new ShardWorkerError(index, detail);
      this.failure ??= error;
      const p = member.pending;
      member.pending = undefined;
      p?.reject(error);
      // a worker that died leaves the others waiting at the barrier: stop them all
      for (const m of this.members) if (m !== member) {
        const q = m.pending;
        m.pending = undefined;
        q?.reject(new ShardWorkerError(index, `stopped because worker ${index} failed: ${detail}`));
      }
      if (!this.closed) void this.close();
    };
    member.worker.on('message', (reply: WorkerReply) => {
      const p = member.pending;
      member.pending = undefined;
      if (reply.kind === 'failed') p?.reject(new ShardWorkerError(index, reply.message));
      else p?.resolve(reply);
    });
    member.worker.on('error', (e) => fail(e.message));
    member.worker.on('exit', (code) => {
      if (!this.closed) fail(`the thread exited (code ${code})`);
    });
  }

  /** Number of workers. */
  get size(): number {
    return this.members.length;
  }

  /**
   * One step: `broadcast` values go to every worker, worker w runs `work[w]` (possibly empty:
   * it then contributes zeros), and the reduced outputs and the fetched ones come back.
   */
  async run(broadcast: Readonly<Record<string, Float32Array>>, work: readonly (readonly MicroBatch[])[]): Promise<ShardRunResult> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new AnnealRuntimeError('POOL_CLOSED', 'ShardPool.run after close(); create a new pool');
    if (this.busy) throw new AnnealRuntimeError('POOL_BUSY', 'ShardPool.run called while a step is running; await the previous run');
    if (work.length !== this.members.length) throw new AnnealRuntimeError('BAD_POOL_WORK', `ShardPool.run got work for ${work.length} workers; the pool has ${this.members.length}`);
    for (const slot of this.broadcastLayout.slots) {
      const value = broadcast[slot.name];
      if (!value) throw new AnnealRuntimeError('BAD_POOL_WORK', `ShardPool.run: broadcast tensor '${slot.name}' is missing`);
      if (value.length !== slot.size) throw new AnnealRuntimeError('BAD_POOL_WORK', `ShardPool.run: broadcast tensor '${slot.name}' has ${value.length} elements, expected ${slot.size}`);
      slotView(this.broadcastBuffer, this.broadcastLayout, slot).set(value);
    }
    this.busy = true;
    try {
      // every worker's reply is awaited, also after one failed: a step still running on another
      // worker would answer the next run's request with this step's reply (and its reduced chunk)
      const settled = await Promise.allSettled(
        this.members.map(
          (m, i) =>
            new Promise<WorkerReply>((resolve, reject) => {
              m.pending = { resolve, reject };
              const message: StepMessage = { kind: 'step', micro: work[i]! };
              m.worker.postMessage(message);
            }),
        ),
      );
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const replies = settled.map((r) => (r as PromiseFulfilledResult<WorkerReply>).value);
      const reduced: Record<string, Float32Array> = {};
      for (const slot of this.reduceLayout.slots) reduced[slot.name] = slotView(this.reducedBuffer, this.reduceLayout, slot).slice();
      return { reduced, outputs: replies.map((r) => (r.kind === 'done' ? [...r.outputs] : [])) };
    } finally {
      this.busy = false;
    }
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.members.map((m) => m.worker.terminate()));
  }
}
