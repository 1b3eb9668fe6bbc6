import type { ImagePreprocess } from '@anneal/transfer';

/** How the head (and optionally the top blocks of the backbone) is trained. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  /** Adam's learning rate (the head's; unfrozen blocks get `layerDecay` powers of it). */
  lr: number;
  /** Backbone blocks trained with the head, counted from the top (0: the head alone). */
  unfreezeTop: number;
  /** Layer-wise lr decay per unfrozen block (1: the same lr everywhere). */
  layerDecay: number;
  /** Standardize the backbone features inside the head, (f - mean) / std measured on the training images. */
  standardize: boolean;
  /** Share of each class held out for validation accuracy (none when a class has too few images). */
  valFraction: number;
  seed: number;
}

/** Everything a training run depends on besides the backbone bytes and the images. */
export interface StudioRun {
  classes: string[];
  preprocess: ImagePreprocess;
  settings: TrainSettings;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  epochs: 10,
  batchSize: 16,
  lr: 0.01,
  unfreezeTop: 0,
  layerDecay: 0.8,
  standardize: true,
  valFraction: 0.2,
  seed: 0,
};

/** One point of the loss curve: the loss of the batch trained at `step`, in epoch `epoch` (1-based). */
export interface BatchPoint {
  step: number;
  epoch: number;
  loss: number;
}

/** Metrics of an epoch (1-based), as the charts and checkpoints keep them. */
export interface EpochPoint {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Training images per second of this epoch (train steps only: no evaluation, no checkpoint). */
  imagesPerSecond: number;
}

/** The curves of a run so far. */
export interface RunHistory {
  batches: BatchPoint[];
  epochs: EpochPoint[];
}

/** Throws with the setting's name when a value is out of range (the page shows the message). */
export function checkSettings(s: TrainSettings): void {
  const whole = (v: number, min: number, name: string) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number >= ${min}, got ${v}`);
  };
  whole(s.epochs, 1, 'epochs');
  whole(s.batchSize, 2, 'batch size');
  whole(s.unfreezeTop, 0, 'unfrozen blocks');
  whole(s.seed, 0, 'seed');
  if (!(s.lr > 0 && s.lr < 10)) throw new Error(`learning rate must be in (0, 10), got ${s.lr}`);
  if (!(s.layerDecay > 0 && s.layerDecay <= 1)) throw new Error(`layer decay must be in (0, 1], got ${s.layerDecay}`);
  if (!(s.valFraction >= 0 && s.valFraction < 0.9)) throw new Error(`validation share must be in [0, 0.9), got ${s.valFraction}`);
}
