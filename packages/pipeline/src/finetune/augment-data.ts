import type { BatchSource } from '@anneal/core';
import { DataType, type TensorValue } from '@anneal/onnx';
import { AugmentedImages, mixOptionsSchema, preprocessDims, type AugmentOptions, type ImagePreprocess, type MixOptions } from '@anneal/transfer';
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
  const mix = mixOptions(config);
  if (!mix) {
    for (const key of ['mixProb', 'switchProb'] as const) if (augment[key] !== undefined) throw new ConfigError(`data.augment.${key}: it only applies with batch mixing; set data.augment.mixup and/or data.augment.cutmix (their Beta α, e.g. 0.2 and 1.0), or remove ${key}`);
    return;
  }
  const loss = config.loss;
  if (loss.type !== 'cross-entropy' || loss.package) throw new ConfigError(`loss: data.augment.${mix.mixup !== undefined ? 'mixup' : 'cutmix'} mixes the labels of two images into soft targets, which train with cross-entropy (soft-target cross-entropy in the step, class ids for val/test); loss '${loss.type}'${loss.package ? ` of ${loss.package}` : ''} cannot take them. Use loss: { type: cross-entropy } (labelSmoothing allowed) or remove mixup/cutmix`);
  if ((loss as { classWeights?: unknown }).classWeights !== undefined) throw new ConfigError('loss.classWeights: class weights do not apply to mixed soft targets (a mixed example belongs to two classes); remove classWeights or data.augment.mixup/cutmix');
}

/** The batch mixing `data.augment` asks for (mixup / cutmix, without the class count), or undefined. */
export function mixOptions(config: FinetuneConfig): Omit<MixOptions, 'classes'> | undefined {
  const augment = config.data.augment;
  if (!augment || (augment.mixup === undefined && augment.cutmix === undefined)) return undefined;
  const { mixup, cutmix, mixProb, switchProb } = augment;
  return { mixup, cutmix, mixProb, switchProb };
}

/**
 * The training loss of a mixing run: `soft-target-cross-entropy` with the configured label
 * smoothing (the loss spec builds it by the registry); val/test keep `config.loss` on class ids.
 */
export function mixLossSpec(config: FinetuneConfig): { type: string; labelSmoothing?: number } {
  const labelSmoothing = (config.loss as { labelSmoothing?: number }).labelSmoothing;
  return { type: 'soft-target-cross-entropy', ...(labelSmoothing !== undefined ? { labelSmoothing } : {}) };
}

/** A batch with its class ids as one-hot float targets [N, classes]: the shape of a mixed batch (the step compiles with it). */
export function oneHotBatch(batch: Record<string, TensorValue>, classes: number): Record<string, TensorValue> {
  const labels = batch.labels!.data as BigInt64Array;
  const targets = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => (targets[i * classes + Number(y)] = 1));
  return { ...batch, labels: { dataType: DataType.FLOAT, dims: [labels.length, classes], data: targets } };
}

/**
 * How long training waited for augmented batches (in this process): the time from asking the
 * loader for a batch to having it. Near zero when the workers keep ahead of the step; the first
 * batch of each epoch (not prefetched across epochs) and worker start-up are in it.
 */
export interface AugmentWait {
  /** Worker threads decoding and augmenting. */
  workers: number;
  /** Batches handed to the Trainer. */
  batches: number;
  /** Seconds the Trainer waited for them, in total. */
  waitSeconds: number;
}

/** The augmented training batches of a finetune run, and how to stop their workers. */
export interface AugmentedTrain {
  /** What the Trainer trains on: `{ [input]: x, labels }` batches in the DataLoader's order for the run's seed. */
  source: BatchSource;
  /** A line for the log: what is applied, by how many threads. */
  describe: string;
  /** How long training has waited for batches so far. */
  waited(): AugmentWait;
  close(): Promise<void>;
}

/** `mixup α 0.2 / cutmix α 1 (cutmix on 50% of mixed batches, 80% of batches mixed)`. */
function mixLine(m: Omit<MixOptions, 'classes'>): string {
  const kinds = [m.mixup !== undefined ? `mixup α ${m.mixup}` : '', m.cutmix !== undefined ? `cutmix α ${m.cutmix}` : ''].filter(Boolean).join(' / ');
  const notes = [m.mixup !== undefined && m.cutmix !== undefined ? `cutmix on ${100 * (m.switchProb ?? 0.5)}% of mixed batches` : '', m.mixProb !== undefined ? `${100 * m.mixProb}% of batches mixed` : ''].filter(Boolean);
  return `${kinds}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** Memory the prepared-ahead batches may take by default. */
const PREFETCH_BYTES = 256 * 2 ** 20;

/**
 * How many batches are prepared ahead by default: the Trainer takes `train.groupSize` batches
 * before it runs them in one step call, so the workers keep busy while it computes only with a
 * group's worth ready; at least 2, and no more than fit in 256 MiB.
 */
export function defaultPrefetch(config: FinetuneConfig): number {
  const preprocess = config.data.preprocess as ImagePreprocess | undefined;
  if (!preprocess) return 2; // image folders require it (checked before any loader starts)
  const bytes = 4 * config.data.batchSize * preprocessDims(preprocess).reduce((a, b) => a * b, 1);
  return Math.max(2, Math.min(config.train.groupSize, Math.floor(PREFETCH_BYTES / bytes)));
}

/**
 * The training split of an image-folder finetune run as augmented batches: decoded, augmented and
 * normalized in worker threads (`AugmentedImages`), in the order the un-augmented DataLoader would
 * give (epoch order of (seed, epoch)), every draw a function of (seed, epoch, example index), so
 * a resumed run sees exactly the images an uninterrupted one saw.
 */
export function augmentedTrain(config: FinetuneConfig, data: FinetuneData, inputName: string): AugmentedTrain {
  const { workers, prefetch, ...options } = config.data.augment!;
  const mixKeys: readonly string[] = Object.keys(mixOptionsSchema.shape);
  const transforms = Object.fromEntries(Object.entries(options).filter(([k]) => !mixKeys.includes(k))) as AugmentOptions;
  const mix = mixOptions(config);
  const train = data.parts.train;
  if (!train.files || !train.labels) throw new ConfigError('data.augment: the training split has no image files (augmentation needs an image folder)');
  const images = AugmentedImages.create({
    sources: train.files,
    labels: train.labels,
    preprocess: config.data.preprocess as ImagePreprocess,
    augment: transforms,
    mix: mix && { ...mix, classes: data.classes },
    batchSize: config.data.batchSize,
    seed: config.seed,
    shuffle: true,
    dropLast: config.data.dropLast,
    workers: workers ?? 1,
    prefetch: prefetch ?? defaultPrefetch(config),
  });
  const applied = [...Object.keys(transforms).filter((k) => k !== 'rotateFill'), ...(mix ? [mixLine(mix)] : [])];
  const wait: AugmentWait = { workers: workers ?? 1, batches: 0, waitSeconds: 0 };
  return {
    source: {
      batchesPerEpoch: images.batchesPerEpoch,
      async *epoch(epoch, options) {
        const batches = images.epoch(epoch, options);
        try {
          for (;;) {
            const asked = performance.now();
            const next = await batches.next();
            wait.waitSeconds += (performance.now() - asked) / 1000;
            if (next.done) return;
            wait.batches++;
            yield { [inputName]: next.value.x, labels: next.value.labels };
          }
        } finally {
          await batches.return(undefined); // a consumer that stops early stops the loader's epoch too
        }
      },
    },
    describe: `augmenting ${images.size} training images (${applied.join(', ') || 'resize only'}) in ${workers ?? 1} worker thread${(workers ?? 1) > 1 ? 's' : ''}`,
    waited: () => ({ ...wait }),
    close: () => images.close(),
  };
}
