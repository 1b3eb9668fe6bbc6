import { filter, type Observable, type OperatorFunction } from 'rxjs';

/** Mean, variance and std of the batch losses of an epoch, with their count, min and max. */
export interface LossSummary {
  readonly mean: number;
  readonly variance: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Per-tensor norms of one step, from the step graph's norm outputs. */
export interface TensorNorms {
  readonly grad: number;
  readonly weight: number;
  readonly update: number;
}

/** Metrics of one pass: the loss summary plus named metrics (accuracy, top-5, user metrics). */
export interface PassMetrics {
  readonly loss: LossSummary;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Every event a Trainer emits, by type. Payloads are frozen snapshots: they never carry the
 * Trainer or live tensors, so subscribers can keep them. `epoch` is the epoch's number, 1-based
 * (the first epoch is 1) in every event, file and message; `batch` is the batch's 0-based index in
 * its epoch and `step` counts the batches consumed before it (the schedule position).
 */
export interface AnnealEventMap {
  /** `startEpoch`: the epoch the run starts in (1 for a fresh run; a resumed run may start mid-epoch at `startBatch`). */
  'run:start': { readonly epochs: number; readonly batchesPerEpoch: number; readonly startEpoch: number; readonly startBatch: number; readonly step: number; readonly resumed: boolean };
  'run:end': { readonly epochs: number; readonly steps: number; readonly stopped: boolean; readonly reason?: string; readonly durationMs: number };
  'epoch:start': { readonly epoch: number; readonly step: number };
  'batch:start': { readonly epoch: number; readonly batch: number; readonly step: number };
  /** `step` counts batches consumed (the schedule position); `hyperparameters` are the values used, by input name. */
  'batch:end': {
    readonly epoch: number;
    readonly batch: number;
    readonly step: number;
    readonly loss: number;
    readonly lr: number;
    readonly hyperparameters: Readonly<Record<string, number>>;
    /** Present on steps that computed norms (`normsEvery`). */
    readonly norms?: Readonly<Record<string, TensorNorms>>;
    readonly globalGradNorm?: number;
    readonly skipped?: boolean;
  };
  'validation:end': { readonly epoch: number; readonly step: number; readonly metrics: PassMetrics };
  'epoch:end': {
    readonly epoch: number;
    readonly step: number;
    readonly train: PassMetrics;
    readonly val?: PassMetrics;
    readonly hyperparameters: Readonly<Record<string, number>>;
    readonly durationMs: number;
  };
  /** Emitted (synchronously) right before a checkpoint is written: logs that must never lag the checkpoint flush here. `epoch`: the epoch just finished, or the one in progress for a mid-epoch checkpoint. */
  'checkpoint:start': { readonly path: string; readonly epoch: number; readonly step: number; readonly reason: string };
  'checkpoint:saved': { readonly path: string; readonly epoch: number; readonly step: number; readonly reason: string };
  'early-stop': { readonly epoch: number; readonly step: number; readonly by: string; readonly reason: string };
  warning: { readonly code: string; readonly message: string; readonly step?: number };
  error: { readonly code: string; readonly message: string; readonly step?: number; readonly epoch?: number; readonly tensor?: string };
}

export type AnnealEventType = keyof AnnealEventMap;

/** The discriminated union of all events: `{ type: 'epoch:end', ...payload }` and so on. */
export type AnnealEvent = { [K in AnnealEventType]: { readonly type: K } & AnnealEventMap[K] }[AnnealEventType];

/** The event of one type. */
export type EventOf<K extends AnnealEventType> = Extract<AnnealEvent, { type: K }>;

/**
 * An RxJS operator keeping events of the given types, narrowed.
 *
 * @example
 * trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => console.log(e.epoch, e.val?.metrics.accuracy));
 */
export function ofType<K extends AnnealEventType>(...types: K[]): OperatorFunction<AnnealEvent, EventOf<K>> {
  const wanted = new Set<string>(types);
  return filter((e: AnnealEvent): e is EventOf<K> => wanted.has(e.type));
}

/** Deeply frozen copy, so an event payload can be shared with every subscriber safely. */
export function snapshot<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (v && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) freeze((v as Record<string, unknown>)[k]);
    }
  };
  freeze(copy);
  return copy;
}

export type { Observable };
