import { Trainer, accuracy, type AnnealEvent, type BatchSource, type Callback, type CheckpointIO, type FitResult } from '@anneal/core';
import type { Observable } from 'rxjs';
import type { BoringModel } from './boring-model.js';

/** How the suites run the boring model in a Trainer. */
export interface BoringRunConfig {
  readonly epochs: number;
  /** Per-tensor norms every N steps (0: never). */
  readonly normsEvery?: number;
  /** The base learning rate at each step (a schedule binding). */
  readonly lr?: (step: number) => number;
  readonly callbacks?: readonly Callback[];
  /** Resumable checkpoints (every epoch end and after the group passing each multiple of 4 steps). */
  readonly checkpoint?: { readonly dir: string; readonly io: CheckpointIO };
  /** Path of a checkpoint to resume from. */
  readonly resume?: string;
  /** Training batches other than the model's (e.g. with a poisoned batch). */
  readonly train?: BatchSource;
  readonly nonFinite?: 'stop' | 'skip';
  readonly warnings?: readonly { code: string; message: string }[];
  /** Called with the Trainer's events before `fit` (loggers attach here). */
  readonly attach?: (events$: Observable<AnnealEvent>) => void;
}

/** The outcome of {@link runBoring}: the result, or the error `fit` rejected with, and every event in order. */
export interface BoringRunOutcome {
  readonly result?: FitResult;
  readonly error?: unknown;
  readonly events: readonly AnnealEvent[];
}

/** Groups of 2 batches; with a checkpoint, one after the group passing each multiple of this many steps. */
export const BORING_GROUP_SIZE = 2;
export const BORING_CHECKPOINT_EVERY_STEPS = 4;

/** A slowly decaying base learning rate. */
export const boringLr = (step: number): number => 0.2 * 0.97 ** step;

/**
 * Trains the boring model with a real {@link Trainer} (validation, accuracy, a base-lr schedule,
 * groups of 2 batches, optional checkpoints) and records its events.
 *
 * @example
 * ```ts
 * const { result, events } = await runBoring(boringModel(), { epochs: 3, callbacks: [earlyStopping()] });
 * ```
 */
export async function runBoring(model: BoringModel, config: BoringRunConfig): Promise<BoringRunOutcome> {
  const trainer = new Trainer({
    backend: model.backend(),
    train: config.train ?? model.train,
    val: model.val,
    epochs: config.epochs,
    metrics: () => [accuracy()],
    callbacks: config.callbacks,
    schedules: [{ target: 'lr', schedule: { valueAt: config.lr ?? boringLr } }],
    groupSize: BORING_GROUP_SIZE,
    normsEvery: config.normsEvery ?? 0,
    nonFinite: config.nonFinite,
    warnings: config.warnings,
    checkpoint: config.checkpoint && { ...config.checkpoint, everySteps: BORING_CHECKPOINT_EVERY_STEPS },
  });
  const events: AnnealEvent[] = [];
  const subscription = trainer.events$.subscribe((e) => events.push(e));
  config.attach?.(trainer.events$);
  try {
    return { result: await trainer.fit({ resume: config.resume }), events };
  } catch (error) {
    return { error, events };
  } finally {
    subscription.unsubscribe();
  }
}

/** The boring model's training batches with NaN features in batch `batch` of epoch `epoch` (a real non-finite loss). */
export function poisonedBatches(source: BatchSource, epoch: number, batch: number): BatchSource {
  return {
    batchesPerEpoch: source.batchesPerEpoch,
    async *epoch(e: number, options: { from?: number } = {}) {
      let b = options.from ?? 0;
      for await (const feeds of source.epoch(e, options)) {
        const x = feeds.x!;
        yield e === epoch && b === batch ? { ...feeds, x: { ...x, data: Float32Array.from(x.data as Float32Array, () => NaN) } } : feeds;
        b++;
      }
    },
  };
}
