import type { BatchSource } from '@anneal/core';
import { AugmentedImages, type ImagePreprocess } from '@anneal/transfer';
import type { FinetuneConfig } from '../config/finetune-config.js';
import { ConfigError } from '../errors.js';
import type { FinetuneData } from './finetune-data.js';

/**
 * Checks `data.augment` against the rest of a finetune config, before any folder exists:
 * augmentation needs an image folder and a preprocessing the augmented images can follow, and
 * `mode: features` refuses it (its head trains on features computed once and cached).
 */
export function checkAugmentConfig(config: FinetuneConfig): void {
  const augment = config.data.augment;
  if (!augment) return;
  if (config.mode === 'features') throw new ConfigError("data.augment: mode 'features' trains the head on backbone features computed once and cached, and cached features cannot be augmented; use mode 'finetune' (augmented images through the backbone) or 'lp-ft' (its probe trains on un-augmented features, its fine-tuning phase on augmented images), or remove data.augment");
  if (config.data.source.type !== 'images') throw new ConfigError(`data.augment: augmentation decodes image files; data.source must be an image folder ({ type: images, dir: <folder> }), not '${config.data.source.type}'`);
  const p = config.data.preprocess;
  if (p?.fit && p.fit !== 'fill') throw new ConfigError(`data.preprocess.fit: augmented training images are resized whole (fit: fill) or cropped by data.augment.crop, so fit '${p.fit}' would make them differ from the test images; use fit: fill (the default) with data.augment`);
  if (p?.layout === 'NHWC') throw new ConfigError('data.preprocess.layout: augmented batches are NCHW; data.augment needs layout NCHW (the default)');
}

/** The augmented training batches of a finetune run, and how to stop their workers. */
export interface AugmentedTrain {
  /** What the Trainer trains on: `{ [input]: x, labels }` batches in the DataLoader's order for the run's seed. */
  source: BatchSource;
  /** A line for the log: what is applied, by how many threads. */
  describe: string;
  close(): Promise<void>;
}

/**
 * The training split of an image-folder finetune run as augmented batches: decoded, augmented and
 * normalized in worker threads (`AugmentedImages`), in the order the un-augmented DataLoader would
 * give (epoch order of (seed, epoch)), every draw a function of (seed, epoch, example index), so
 * a resumed run sees exactly the images an uninterrupted one saw.
 */
export function augmentedTrain(config: FinetuneConfig, data: FinetuneData, inputName: string): AugmentedTrain {
  const { workers, prefetch, ...transforms } = config.data.augment!;
  const train = data.parts.train;
  if (!train.files || !train.labels) throw new ConfigError('data.augment: the training split has no image files (augmentation needs an image folder)');
  const images = AugmentedImages.create({
    sources: train.files,
    labels: train.labels,
    preprocess: config.data.preprocess as ImagePreprocess,
    augment: transforms,
    batchSize: config.data.batchSize,
    seed: config.seed,
    shuffle: true,
    dropLast: config.data.dropLast,
    workers: workers ?? 1,
    prefetch,
  });
  const applied = Object.keys(transforms).filter((k) => k !== 'rotateFill');
  return {
    source: {
      batchesPerEpoch: images.batchesPerEpoch,
      async *epoch(epoch, options) {
        for await (const b of images.epoch(epoch, options)) yield { [inputName]: b.x, labels: b.labels };
      },
    },
    describe: `augmenting ${images.size} training images (${applied.join(', ') || 'resize only'}) in ${workers ?? 1} worker thread${(workers ?? 1) > 1 ? 's' : ''}`,
    close: () => images.close(),
  };
}
