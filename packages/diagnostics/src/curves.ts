/**
 * The learning curves of one run, as the doctor reads them: what a Trainer's events carry, kept
 * independent of where they came from (a live Trainer, a run folder's metrics.jsonl, or curves
 * made up for a test).
 */

/**
 * Epochs are numbered from 1 everywhere (the first epoch is epoch 1, as the Trainer's events and
 * metrics.jsonl carry them); steps are counted from 0 (the first batch is step 0). With P batches
 * per epoch, epoch e covers steps [(e - 1) P, e P) and its epoch point has step e P.
 */

/** One epoch: the mean and std of its batch losses, validation loss, accuracies, the lr at its end. */
export interface EpochPoint {
  /** 1-based epoch number (the first epoch is 1). */
  readonly epoch: number;
  /** Optimizer steps taken by the end of the epoch (e P for epoch e of P batches each). */
  readonly step: number;
  readonly trainLoss: number;
  /** Std of the epoch's batch losses (0 when unknown). */
  readonly trainLossStd: number;
  readonly valLoss?: number;
  readonly trainAccuracy?: number;
  readonly valAccuracy?: number;
  /** Learning rate of the epoch's last step. */
  readonly lr?: number;
}

/** One optimizer step: its loss and learning rate. */
export interface BatchPoint {
  /** 0-based step index: the batches consumed before this one. */
  readonly step: number;
  /** 1-based number of the epoch the step belongs to. */
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
}

/** ‖update‖ / ‖weight‖ of every trainable tensor at one step. */
export interface RatioPoint {
  readonly step: number;
  readonly ratios: Readonly<Record<string, number>>;
}

/** A run that produced a non-finite loss. */
export interface Divergence {
  readonly step: number;
  /** 1-based number of the epoch it happened in. */
  readonly epoch?: number;
  readonly message: string;
  /** The first non-finite tensor, when the engine located it. */
  readonly tensor?: string;
}

/** Everything the doctor reads. Arrays are ordered by step / epoch. */
export interface RunCurves {
  readonly epochs: readonly EpochPoint[];
  readonly batches: readonly BatchPoint[];
  readonly ratios: readonly RatioPoint[];
  readonly divergence?: Divergence;
  /** Epochs the run was configured for (a run still going has fewer epoch points). */
  readonly plannedEpochs?: number;
  /** The run ended (finished, stopped early or diverged); false while it is still training. */
  readonly finished: boolean;
  /** Classes of a classification run (for chance-level accuracy and the initial-loss check). */
  readonly classes?: number;
}
