/**
 * The learning curves of one run, as the doctor reads them: what a Trainer's events carry, kept
 * independent of where they came from (a live Trainer, a run folder's metrics.jsonl, or curves
 * made up for a test).
 */

/** One epoch: the mean and std of its batch losses, validation loss, accuracies, the lr at its end. */
export interface EpochPoint {
  /** 0-based epoch index. */
  readonly epoch: number;
  /** Optimizer steps taken by the end of the epoch. */
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
  /** 0-based step index. */
  readonly step: number;
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
