import { Subject, type Observable } from 'rxjs';
import type { TensorValue } from '@anneal/onnx';
import { isNonFiniteStep, type Batch, type BatchSource, type CheckpointIO, type StepHyperparameters, type TrainBackend } from './backend.js';
import { monitorValue, type Callback, type TrainerControl } from './callback.js';
import { decodeCheckpoint, encodeCheckpoint, type TrainerState } from './checkpoint-state.js';
import { checkResumeState } from './resume-check.js';
import { DivergedError, TrainerError } from './errors.js';
import { snapshot, type AnnealEvent, type AnnealEventMap, type AnnealEventType, type EventOf, type PassMetrics, type TensorNorms } from './events.js';
import { accuracy, type Metric } from './metrics.js';
import { RunningStats } from './running-stats.js';
import { baseLr, requestAt, resolveBindings, type ResolvedBinding, type ScheduleBinding } from './schedule-binding.js';
import { evaluatePass } from './evaluate-pass.js';

/** Options of a {@link Trainer}. */
export interface TrainerOptions {
  backend: TrainBackend;
  train: BatchSource;
  /** Evaluated at every epoch end (metrics under `val.*`). */
  val?: BatchSource;
  epochs: number;
  /** Creates the metrics of one pass (default: accuracy). Called once for training and once per evaluation. */
  metrics?: () => Metric[];
  /**
   * Compute training metrics from each step's logits (before its update), as Keras does. Default
   * true; false fetches no logits and leaves every epoch's `train.metrics` empty (training on
   * labels the metrics cannot read, such as mixup's soft targets).
   */
  trainMetrics?: boolean;
  callbacks?: readonly Callback[];
  schedules?: readonly ScheduleBinding[];
  /** Batches per `session.run` (ONNX Loop); groups start at multiples of it within an epoch. Default 16. */
  groupSize?: number;
  /** Compute per-tensor norms every N steps (0: never). Default 0. */
  normsEvery?: number;
  /** On a NaN/Inf loss: `stop` (default; fit rejects with DivergedError) or `skip` the batch. */
  nonFinite?: 'stop' | 'skip';
  /** With `skip`: consecutive skipped batches tolerated before stopping anyway. Default 10. */
  maxSkips?: number;
  /** Warnings raised while the backend was built (e.g. a CUDA fallback), emitted as `warning` events when a run starts. */
  warnings?: readonly { code: string; message: string }[];
  /**
   * Where and how to write the resumable checkpoint (`<dir>/last.safetensors`): at epoch ends
   * (every `everyEpochs`, default 1) and, with `everySteps`, at the end of the first group
   * that passes each multiple of it.
   */
  checkpoint?: {
    dir: string;
    io: CheckpointIO;
    everySteps?: number;
    everyEpochs?: number;
    /** Facts about the data saved in the checkpoint (e.g. `{ batchSize, examples }`); a resume whose values differ is refused. */
    data?: Readonly<Record<string, number>>;
  };
}

/** What {@link Trainer.fit} returns. */
export interface FitResult {
  epochs: number;
  steps: number;
  stopped: boolean;
  reason?: string;
  history: readonly EventOf<'epoch:end'>[];
  durationMs: number;
}

const now = (): number => performance.now();

/** The epoch (1-based) a checkpoint belongs to: the epoch just finished at an epoch end, else the one in progress. */
const checkpointEpoch = (st: TrainerState): number => (st.batch === 0 ? Math.max(st.epoch, 1) : st.epoch + 1);

/**
 * Runs training over a {@link TrainBackend}: epochs of grouped optimizer steps, schedules,
 * metrics, validation, callbacks, events and resumable checkpoints.
 *
 * @example
 * const trainer = new Trainer({ backend, train: trainLoader, val: valLoader, epochs: 10, schedules: [{ target: 'lr', schedule: cosine({ base: 1e-3, tMax: 10 * trainLoader.batchesPerEpoch }) }] });
 * trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => console.log(e.epoch, e.val?.metrics.accuracy));
 * const result = await trainer.fit();
 */
export class Trainer {
  private readonly subject = new Subject<AnnealEvent>();
  /** Every event of every run, as frozen snapshots. */
  readonly events$: Observable<AnnealEvent> = this.subject.asObservable();
  private readonly callbacks: readonly Callback[];
  private readonly resolved: ResolvedBinding[];
  private readonly groupSize: number;
  private readonly metricsFactory: () => Metric[];
  /** The base lr reported when no schedule sets it. */
  private readonly baseLr: number;

  constructor(private readonly options: TrainerOptions) {
    if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new TrainerError('epochs', `must be a positive integer, got ${options.epochs}`);
    this.groupSize = options.groupSize ?? 16;
    if (!Number.isInteger(this.groupSize) || this.groupSize < 1) throw new TrainerError('groupSize', `must be a positive integer, got ${options.groupSize}`);
    const every = options.checkpoint?.everySteps;
    if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new TrainerError('checkpoint.everySteps', `must be a positive integer, got ${every}`);
    if (options.train.batchesPerEpoch < 1) throw new TrainerError('train', 'yields no batch per epoch; check the dataset size and batch size');
    this.callbacks = options.callbacks ?? [];
    const keys = new Set<string>();
    for (const c of this.callbacks) {
      if (keys.has(c.key)) throw new TrainerError(`callbacks`, `two callbacks share the key '${c.key}'; keys name their state in checkpoints and must be unique`);
      keys.add(c.key);
    }
    this.resolved = resolveBindings(options.schedules ?? [], options.backend.hyperparameters);
    this.baseLr = baseLr(options.backend.hyperparameters);
    this.metricsFactory = options.metrics ?? (() => [accuracy()]);
  }

  private emit<K extends AnnealEventType>(type: K, payload: AnnealEventMap[K]): EventOf<K> {
    const event = snapshot({ type, ...payload }) as unknown as EventOf<K>;
    this.subject.next(event as AnnealEvent);
    return event;
  }

  /** The path of the resumable checkpoint, when checkpointing is configured. */
  get checkpointPath(): string | undefined {
    const dir = this.options.checkpoint?.dir;
    return dir ? `${dir.replace(/\/$/, '')}/last.safetensors` : undefined;
  }

  /**
   * Trains for the configured epochs; with `resume`, first restores a checkpoint written by
   * this configuration and continues from the exact batch it was taken at. With
   * `pauseAfterEpochs`, it returns after that many epoch ends in this call, having written a
   * checkpoint that a later `fit({ resume })` continues (a pause, not an end: the run is not
   * finished; population-based training trains its members interval by interval this way).
   */
  async fit(options: { resume?: string; pauseAfterEpochs?: number } = {}): Promise<FitResult> {
    const o = this.options;
    const started = now();
    const st: TrainerState = { version: 2, epoch: 0, batch: 0, step: 0, backendSteps: o.backend.steps, finished: false, trainLoss: new RunningStats().state(), trainMetrics: {}, epochStartedSkips: 0, schedules: [], callbacks: {}, history: [] };
    if (options.resume) Object.assign(st, await this.restore(options.resume));
    const history = [...st.history];
    if (st.finished) return { epochs: st.epoch, steps: st.step, stopped: st.stopReason !== undefined, reason: st.stopReason, history, durationMs: 0 };

    let stopReason: string | undefined;
    let stopBy: string | undefined;
    let saveRequested: string | undefined;
    let current = '';
    const warn = (code: string, message: string) => this.emit('warning', { code, message, step: st.step });
    const control: TrainerControl = {
      stop: (reason) => {
        stopReason ??= reason;
        stopBy ??= current;
      },
      save: (reason) => void (saveRequested ??= reason),
      warn,
      captureWeights: () => o.backend.weights(),
      loadWeights: (w) => o.backend.loadWeights(w),
      saveWeights: async (path, metadata = {}) => o.checkpoint ? o.checkpoint.io.write(path, await o.backend.weights(), metadata) : Promise.reject(new TrainerError('saveWeights', 'needs a checkpoint configuration (checkpoint.io)')),
      removeWeights: async (path) => o.checkpoint?.io.remove?.(path),
      checkpointDir: o.checkpoint?.dir,
    };
    const hook = async <K extends 'onRunStart' | 'onEpochStart' | 'onBatchEnd' | 'onEpochEnd' | 'onRunEnd'>(name: K, e: Parameters<NonNullable<Callback[K]>>[0]) => {
      for (const c of this.callbacks) {
        const fn = c[name] as ((e: unknown, control: TrainerControl) => void | Promise<void>) | undefined;
        if (!fn) continue;
        current = c.key;
        await fn.call(c, e, control);
      }
      current = '';
    };
    const save = async (reason: string) => {
      if (!o.checkpoint) return;
      st.backendSteps = o.backend.steps;
      st.schedules = this.resolved.map((r) => r.binding.schedule.state?.() ?? null);
      st.callbacks = {};
      const tensors: Record<string, Record<string, TensorValue>> = {};
      for (const c of this.callbacks) {
        if (c.state) st.callbacks[c.key] = c.state();
        if (c.tensors) tensors[c.key] = c.tensors();
      }
      st.history = history;
      st.data = { ...o.checkpoint.data, batchesPerEpoch: o.train.batchesPerEpoch };
      const file = encodeCheckpoint(await o.backend.state(), tensors, st);
      this.emit('checkpoint:start', { path: this.checkpointPath!, epoch: checkpointEpoch(st), step: st.step, reason });
      await o.checkpoint.io.write(this.checkpointPath!, file.tensors, file.metadata);
      this.emit('checkpoint:saved', { path: this.checkpointPath!, epoch: checkpointEpoch(st), step: st.step, reason });
    };

    const perEpoch = o.train.batchesPerEpoch;
    const pause = options.pauseAfterEpochs;
    if (pause !== undefined && (!Number.isInteger(pause) || pause < 1)) throw new TrainerError('pauseAfterEpochs', `must be a positive integer, got ${pause}`);
    const until = Math.min(o.epochs, pause === undefined ? o.epochs : st.epoch + pause);
    await hook('onRunStart', this.emit('run:start', { epochs: o.epochs, batchesPerEpoch: perEpoch, startEpoch: st.epoch + 1, startBatch: st.batch, step: st.step, resumed: !!options.resume }));
    for (const w of o.warnings ?? []) warn(w.code, w.message);
    const trainLoss = new RunningStats();
    trainLoss.restore(st.trainLoss);
    const wantLogits = o.trainMetrics ?? true;
    // without training metrics the epochs' train.metrics stay empty (no NaN placeholders)
    const trainMetrics = wantLogits ? this.metricsFactory() : [];
    for (const m of trainMetrics) m.restore(st.trainMetrics[m.name] ?? []);
    let skips = 0;
    let epochStarted = now();
    const last = { lr: NaN, values: {} as Record<string, number> };

    while (st.epoch < until && stopReason === undefined) {
      const epoch = st.epoch; // the 0-based index (data order, schedules)
      const number = epoch + 1; // the epoch number every event and message shows
      if (st.batch === 0) {
        trainLoss.restore(new RunningStats().state());
        for (const m of trainMetrics) m.reset();
        epochStarted = now();
        await hook('onEpochStart', this.emit('epoch:start', { epoch: number, step: st.step }));
      }
      const iterator = o.train.epoch(epoch, { from: st.batch })[Symbol.asyncIterator]();
      while (st.batch < perEpoch && stopReason === undefined) {
        const end = this.groupEnd(st.batch, st.step, perEpoch);
        const group: Batch[] = [];
        for (let i = st.batch; i < end; i++) {
          const next = await iterator.next();
          if (next.done) throw new TrainerError('train', `epoch ${number} ended after ${i} batches but batchesPerEpoch says ${perEpoch}`);
          group.push(next.value);
        }
        const groupStartStep = st.step;
        const requests: StepHyperparameters[] = group.map((_, i) => requestAt(this.resolved, st.step + i, epoch));
        const withNorms = this.normsAt(st.step + group.length - 1);
        let offset = 0;
        while (offset < group.length) {
          const part = group.slice(offset);
          const before = o.backend.steps;
          try {
            const r = await o.backend.train(part, requests.slice(offset), { logits: wantLogits, stats: withNorms });
            for (let i = 0; i < part.length; i++) {
              skips = 0;
              await this.batchDone(st, number, r.losses[i]!, requests[offset + i]!, part[i]!, r.logits?.[i], i === part.length - 1 ? r.stats : undefined, trainLoss, trainMetrics, hook, last);
            }
            offset = group.length;
          } catch (e) {
            if (!isNonFiniteStep(e)) throw e;
            const applied = o.backend.steps - before;
            for (let i = 0; i < applied; i++) await this.batchDone(st, number, e.completed?.[i] ?? NaN, requests[offset + i]!, part[i]!, undefined, undefined, trainLoss, trainMetrics, hook, last);
            offset += applied;
            const tensor = e.tensor;
            this.emit('error', { code: 'NONFINITE_LOSS', message: e.message, step: st.step, epoch: number, tensor });
            skips++;
            if (o.nonFinite !== 'skip' || skips > (o.maxSkips ?? 10)) {
              const why = o.nonFinite === 'skip' ? `${skips} consecutive batches gave a non-finite loss (maxSkips ${o.maxSkips ?? 10}); ${e.message}` : e.message;
              this.emit('run:end', { epochs: epoch, steps: st.step, stopped: true, reason: 'diverged', durationMs: now() - started });
              throw new DivergedError(st.step, number, tensor, why);
            }
            warn('NONFINITE_LOSS_SKIPPED', `batch ${st.batch + 1} of epoch ${number} gave a non-finite loss and was skipped: ${e.message}`);
            this.emit('batch:end', { epoch: number, batch: st.batch, step: st.step, loss: NaN, lr: requests[offset]!.lr ?? NaN, hyperparameters: requests[offset]!.values ?? {}, skipped: true });
            st.batch++;
            st.step++;
            offset++;
          }
        }
        const every = o.checkpoint?.everySteps;
        // checkpoints fall on group boundaries: after the group in which a multiple of everySteps was passed
        if (every && Math.floor(st.step / every) > Math.floor(groupStartStep / every) && st.batch < perEpoch) {
          this.capture(st, trainLoss, trainMetrics);
          await save('every-steps');
        }
        if (saveRequested) {
          this.capture(st, trainLoss, trainMetrics);
          await save(saveRequested);
          saveRequested = undefined;
        }
      }
      if (st.batch < perEpoch) break; // stopped mid-epoch
      const train: PassMetrics = { loss: trainLoss.summary(), metrics: Object.fromEntries(trainMetrics.map((m) => [m.name, m.compute()])) };
      let val: PassMetrics | undefined;
      if (o.val) {
        val = await evaluatePass(o.backend, o.val.epoch(0), this.metricsFactory());
        this.emit('validation:end', { epoch: number, step: st.step, metrics: val });
      }
      const epochEnd = this.emit('epoch:end', { epoch: number, step: st.step, train, val, hyperparameters: { lr: last.lr, ...last.values }, durationMs: now() - epochStarted });
      this.observeSchedules(epochEnd);
      await hook('onEpochEnd', epochEnd);
      history.push(epochEnd);
      st.epoch++;
      st.batch = 0;
      if (stopReason !== undefined) this.emit('early-stop', { epoch: number, step: st.step, by: stopBy || 'trainer', reason: stopReason });
      st.finished = st.epoch >= o.epochs || stopReason !== undefined;
      st.stopReason = stopReason;
      this.capture(st, new RunningStats(), []);
      const everyEpochs = o.checkpoint?.everyEpochs ?? 1;
      if (saveRequested || st.finished || st.epoch % everyEpochs === 0 || st.epoch === until) await save(saveRequested ?? (st.finished ? 'end' : 'epoch'));
      saveRequested = undefined;
    }
    const result: FitResult = { epochs: st.epoch, steps: st.step, stopped: stopReason !== undefined, reason: stopReason, history, durationMs: now() - started };
    await hook('onRunEnd', this.emit('run:end', { epochs: st.epoch, steps: st.step, stopped: result.stopped, reason: stopReason, durationMs: result.durationMs }));
    return result;
  }

  /** End (exclusive) of the group starting at `batch`: the next multiple of groupSize, cut after a norms step. */
  private groupEnd(batch: number, step: number, perEpoch: number): number {
    let end = Math.min(perEpoch, (Math.floor(batch / this.groupSize) + 1) * this.groupSize);
    for (let b = batch; b < end; b++) if (this.normsAt(step + (b - batch))) return b + 1;
    return end;
  }

  private normsAt(step: number): boolean {
    const every = this.options.normsEvery ?? 0;
    return every > 0 && (step + 1) % every === 0;
  }

  private async batchDone(
    st: TrainerState,
    /** The epoch number (1-based). */
    epoch: number,
    loss: number,
    request: StepHyperparameters,
    batch: Batch,
    logits: TensorValue | undefined,
    stats: Record<string, number> | undefined,
    trainLoss: RunningStats,
    metrics: Metric[],
    hook: (name: 'onBatchEnd', e: EventOf<'batch:end'>) => Promise<void>,
    last: { lr: number; values: Record<string, number> },
  ): Promise<void> {
    if (Number.isFinite(loss)) trainLoss.push(loss);
    if (logits && batch.labels) for (const m of metrics) m.update(logits, batch.labels);
    const lr = request.lr ?? this.baseLr;
    last.lr = lr;
    last.values = { ...request.values };
    let norms: Record<string, TensorNorms> | undefined;
    let globalGradNorm: number | undefined;
    if (stats) {
      const collected: Record<string, { -readonly [K in keyof TensorNorms]: number }> = {};
      norms = collected;
      for (const [name, v] of Object.entries(stats)) {
        const m = /^stats\.(grad|weight|update)_norm\.(.+)$/.exec(name);
        if (m) (collected[m[2]!] ??= { grad: NaN, weight: NaN, update: NaN })[m[1] as keyof TensorNorms] = v;
        else if (name === 'stats.global_grad_norm') globalGradNorm = v;
      }
    }
    const e = this.emit('batch:end', { epoch, batch: st.batch, step: st.step, loss, lr, hyperparameters: request.values ?? {}, norms, globalGradNorm });
    await hook('onBatchEnd', e);
    st.batch++;
    st.step++;
  }

  private capture(st: TrainerState, loss: RunningStats, metrics: Metric[]): void {
    st.trainLoss = loss.state();
    st.trainMetrics = Object.fromEntries(metrics.map((m) => [m.name, m.state()]));
  }

  private observeSchedules(e: EventOf<'epoch:end'>): void {
    for (const { binding } of this.resolved) {
      if (!binding.schedule.observe) continue;
      const name = binding.monitor ?? (e.val ? 'val.loss' : 'train.loss');
      const v = monitorValue(e, name);
      if (v === undefined) throw new TrainerError(`schedule for '${binding.target}'`, `monitors '${name}', which epoch ${e.epoch} did not produce (no validation data?)`);
      // measured at the epoch's last step (or the epoch itself for per-epoch schedules): a reduction applies from the next one
      binding.schedule.observe(v, binding.interval === 'epoch' ? e.epoch - 1 : e.step - 1);
    }
  }

  private async restore(path: string): Promise<TrainerState> {
    const io = this.options.checkpoint?.io;
    if (!io) throw new TrainerError('resume', 'needs checkpoint.io to read the checkpoint');
    const file = await io.read(path);
    const { backend, callbacks, state } = decodeCheckpoint(path, file.tensors, file.metadata);
    checkResumeState(path, state, { epochs: this.options.epochs, batchesPerEpoch: this.options.train.batchesPerEpoch, data: this.options.checkpoint?.data });
    if (state.schedules.length !== this.resolved.length) throw new TrainerError(path, `was written with ${state.schedules.length} schedule(s) but this run has ${this.resolved.length}; resume with the run's saved config`);
    await this.options.backend.restore(backend, state.backendSteps);
    this.resolved.forEach((r, i) => {
      const s = state.schedules[i];
      if (s !== null && s !== undefined) r.binding.schedule.restore?.(s);
    });
    for (const c of this.callbacks) if (c.restore && (state.callbacks[c.key] !== undefined || callbacks[c.key])) c.restore(state.callbacks[c.key] ?? null, callbacks[c.key] ?? {});
    return state;
  }

  /**
   * Loss summary and metrics of a pass over `source` (epoch 0 of a BatchSource, or any
   * iterable of batches), with the current weights; nothing is updated.
   */
  async evaluate(source: BatchSource | Iterable<Batch> | AsyncIterable<Batch>): Promise<PassMetrics> {
    const batches = 'batchesPerEpoch' in source ? source.epoch(0) : source;
    return evaluatePass(this.options.backend, batches, this.metricsFactory());
  }

  /** Logits for every batch of `source` (labels, if present, are ignored). */
  async predict(source: BatchSource | Iterable<Batch> | AsyncIterable<Batch>): Promise<TensorValue[]> {
    const batches = 'batchesPerEpoch' in source ? source.epoch(0) : source;
    const out: TensorValue[] = [];
    for await (const b of batches) {
      const { labels: _labels, ...inputs } = b;
      out.push(await this.options.backend.predict(inputs));
    }
    return out;
  }
}
