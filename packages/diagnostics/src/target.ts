import type { Batch, Callback } from '@anneal/core';
import type { RunCurves } from './curves.js';

/** The loss a run trains, as far as its expected initial value goes. */
export type LossInfo =
  | { readonly kind: 'cross-entropy'; readonly classes: number }
  | { readonly kind: 'binary-cross-entropy' }
  /** Mean squared error; `targetSecondMoment` = mean of y² over the data (the loss of a model that outputs 0). */
  | { readonly kind: 'mse'; readonly targetSecondMoment: number };

/** A train session as the probing steps use it (`TrainSession` of @anneal/engine is one). */
export interface ProbeSession {
  step(batch: Batch, hp: { lr: number }): Promise<{ loss: number }>;
  evaluate(batches: Iterable<Batch>): Promise<{ loss: number; accuracy?: number; count: number }>;
  release(): Promise<void>;
}

/**
 * What the probing steps (initial loss, small-sample overfit, lr probe, range test) train: fresh
 * sessions that start from the model's initial weights every time, over the run's training data.
 */
export interface ProbeTarget {
  readonly loss: LossInfo;
  /** A fresh session (initial weights, fresh optimizer state) with this weight decay. */
  session(options: { weightDecay: number }): Promise<ProbeSession>;
  /** The training batches of an epoch (all data, in that epoch's fixed order). */
  trainBatches(epoch: number): Iterable<Batch>;
}

/** One full training run asked for by the grid, refine and repeat steps. */
export interface FitRequest {
  /** A short unique name (`grid-3`, `refine-1`...), usable as a folder name. */
  readonly label: string;
  readonly lr: number;
  readonly weightDecay: number;
  readonly epochs: number;
  /** `constant`: no lr schedule at all; `cosine`: cosine decay to 0 over the run (what the doctor's "add decay" asks for). */
  readonly lrSchedule: 'constant' | 'cosine';
  /** Scale of the hidden widths (1 = the configured model); the doctor's "bigger model". */
  readonly capacity?: number;
  /** Compute per-tensor norms every N steps (for update/weight ratios); 0 = never. */
  readonly normsEvery?: number;
  /** The epoch metric whose last value is the outcome's `value` (e.g. `val.accuracy`, `val.loss`). */
  readonly monitor: string;
  /** Extra Trainer callbacks (the grid passes a pruning callback). */
  readonly callbacks?: readonly Callback[];
}

/** What a run reached. */
export interface FitOutcome {
  readonly curves: RunCurves;
  /** The objective (the monitored metric at the last epoch), NaN when it diverged. */
  readonly value: number;
  readonly stopped: boolean;
  readonly reason?: string;
  readonly test?: { readonly loss: number; readonly accuracy?: number; readonly count: number };
  readonly seconds: number;
}

/** Trains one configuration to the end (the Trainer, with the request's overrides). */
export type FitRunner = (request: FitRequest) => Promise<FitOutcome>;
