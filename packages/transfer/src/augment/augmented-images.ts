import type { Worker } from 'node:worker_threads';
import { epochOrder } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { startTypeScriptWorker } from '@anneal/runtime';
import { planPreprocess, type ImagePreprocess } from '../images/preprocess.js';
import { AugmentError } from './augment-error.js';
import { checkAugmentOptions, checkMixOptions, type AugmentOptions, type MixOptions } from './augment-options.js';
import { augmentRandom } from './augment-random.js';
import type { AugmentReply, AugmentTask, AugmentWorkerInit } from './augment-protocol.js';
import { mixBatch } from './mix-batch.js';

/** Options of {@link AugmentedImages.create}. */
export interface AugmentedImagesOptions {
  /** Image files or encoded images (PNG, JPEG, WebP, ...), one per example. */
  sources: readonly (string | Uint8Array)[];
  /** Class id of each example. */
  labels: ArrayLike<number> | BigInt64Array;
  /** Model input: `size`, `channels`, `background`, `invert`, `mean`, `std` are used (NCHW layout, fit 'fill'). */
  preprocess: ImagePreprocess;
  /** Per-image augmentations; absent: each image is only resized to `size`. */
  augment?: AugmentOptions;
  /** Batch mixing (mixup / cutmix); the batch's `labels` are then soft targets [N, classes]. */
  mix?: MixOptions;
  batchSize: number;
  /** Seeds the epoch order and every augmentation draw (with the epoch and the example index). */
  seed: number;
  /** Reshuffle each epoch (default true). */
  shuffle?: boolean;
  /** Drop the last partial batch (default false). */
  dropLast?: boolean;
  /** Worker threads decoding and augmenting (default 1). */
  workers?: number;
  /**
   * Batches prepared ahead of the one being consumed (default 2), also across the end of an epoch:
   * the first batches of epoch e + 1 start while the last of epoch e are consumed. A consumer that
   * takes several batches before it computes anything (the Trainer's `groupSize`) needs at least
   * that many, or the workers wait while it computes.
   */
  prefetch?: number;
  /** Images are decoded shrunk to this shorter side; default 8/7 of the larger output side (256 for 224). */
  shorterSide?: number;
}

/** One batch: `x` [N, C, H, W], `labels` (int64 [N], or float soft targets [N, classes] when mixing), and the example indices. */
export interface AugmentedBatch {
  x: TensorValue;
  labels: TensorValue;
  indices: Int32Array;
}

/**
 * Decoded, augmented and normalized image batches, prepared off the training thread by worker
 * threads and prefetched. Every draw is a function of (seed, epoch, example index) — and of
 * (seed, epoch, batch index) for mixing — so an epoch's batches are the same whatever the worker
 * count, prefetch depth or whether the run was resumed.
 *
 * @example
 * const data = AugmentedImages.create({ sources: files, labels, preprocess: { size: [224, 224], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
 *   augment: { crop: {}, flip: 0.5, jitter: { brightness: 0.2 } }, batchSize: 32, seed: 1, workers: 2 });
 * for await (const batch of data.epoch(0)) await session.step({ x: batch.x, labels: batch.labels });
 * await data.close();
 */
export class AugmentedImages {
  private readonly pending = new Map<number, { resolve: (d: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  /** The first batches of the epoch after the last one read to its end, started early. */
  private warm: { epoch: number; batches: Promise<AugmentedBatch>[] } | undefined;

  private constructor(
    private readonly options: AugmentedImagesOptions,
    private readonly workers: Worker[],
    private readonly exampleDims: [number, number, number],
  ) {
    for (const w of workers) {
      w.on('message', (reply: AugmentReply) => this.settle(reply));
      w.on('error', (e) => this.fail(new AugmentError('worker', `an augmentation worker failed: ${e.message}`)));
      w.on('exit', (code) => code !== 0 && this.fail(new AugmentError('worker', `an augmentation worker exited with code ${code}`)));
    }
  }

  /** Checks the options and starts the workers. */
  static create(options: AugmentedImagesOptions): AugmentedImages {
    const plan = planPreprocess(options.preprocess);
    if (plan.layout !== 'NCHW') throw new AugmentError('preprocess.layout', `augmented batches are NCHW; got '${plan.layout}'`);
    if (plan.fit !== 'fill') throw new AugmentError('preprocess.fit', `augmented images are resized whole to the input size (fit: fill), or cropped by augment.crop; fit '${plan.fit}' (${plan.fit === 'contain' ? 'letterboxing' : 'cropping to the aspect ratio'}) is not applied to them, so training and test images would differ: use fit: fill, or images that already have the input's aspect ratio`);
    if (options.sources.length !== options.labels.length) throw new AugmentError('labels', `${options.labels.length} labels for ${options.sources.length} images; give one label per image`);
    if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) throw new AugmentError('batchSize', `${options.batchSize} must be a positive integer`);
    if (options.augment) checkAugmentOptions(options.augment);
    if (options.mix) checkMixOptions(options.mix);
    const count = Math.max(1, Math.floor(options.workers ?? 1));
    const init: AugmentWorkerInit = {
      size: plan.size,
      channels: plan.channels,
      mean: plan.mean,
      std: plan.std,
      background: plan.background,
      invert: plan.invert,
      shorterSide: options.shorterSide ?? Math.round((Math.max(...plan.size) * 8) / 7),
      augment: options.augment ?? {},
    };
    // the worker module next to this one: compiled (dist) or, in the repository, its source
    const entry = new URL(`./augment-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
    const workers = Array.from({ length: count }, () => startTypeScriptWorker(entry, init));
    return new AugmentedImages(options, workers, [plan.channels, plan.size[0], plan.size[1]]);
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    const n = this.options.sources.length;
    return this.options.dropLast ? Math.floor(n / this.options.batchSize) : Math.ceil(n / this.options.batchSize);
  }

  /** Examples in one epoch. */
  get size(): number {
    return this.options.sources.length;
  }

  /**
   * The batches of epoch `epoch`, in order from batch `from` (default 0: a resumed run starts
   * inside an epoch and gets exactly the batches an uninterrupted run got), `prefetch` of them
   * prepared ahead; once every batch of the epoch has started, the first ones of epoch + 1 start
   * (used by the next call if it asks for that epoch from batch 0, else dropped).
   */
  async *epoch(epoch: number, options: { from?: number } = {}): AsyncGenerator<AugmentedBatch> {
    const total = this.batchesPerEpoch;
    const from = options.from ?? 0;
    if (!(Number.isInteger(from) && from >= 0 && from <= total)) throw new AugmentError('from', `${from} must be a batch index in [0, ${total}]`);
    const ahead = Math.max(1, this.options.prefetch ?? 2);
    const warm = this.warm;
    this.warm = undefined;
    const inflight = warm && warm.epoch === epoch && from === 0 ? [...warm.batches] : [];
    let next = from + inflight.length;
    const order = this.order(epoch);
    let following: { epoch: number; order: Int32Array; batches: Promise<AugmentedBatch>[] } | undefined;
    const topUp = () => {
      while (next < total && inflight.length < ahead) inflight.push(this.start(epoch, order, next++));
      if (next < total || total === 0) return;
      // this epoch is fully started: the room left goes to the next epoch's first batches
      following ??= { epoch: epoch + 1, order: this.order(epoch + 1), batches: [] };
      while (inflight.length + following.batches.length < ahead && following.batches.length < total) following.batches.push(this.start(following.epoch, following.order, following.batches.length));
      this.warm = { epoch: following.epoch, batches: following.batches };
    };
    topUp();
    while (inflight.length) {
      const batch = await inflight.shift()!;
      topUp();
      yield batch;
    }
  }

  /** The example order of an epoch (the DataLoader's for (seed, epoch)). */
  private order(epoch: number): Int32Array {
    return epochOrder(this.options.sources.length, { shuffle: this.options.shuffle ?? true, seed: this.options.seed, epoch });
  }

  /** Starts batch `b` of an epoch in the workers. */
  private start(epoch: number, order: Int32Array, b: number): Promise<AugmentedBatch> {
    const indices = order.subarray(b * this.options.batchSize, Math.min(order.length, (b + 1) * this.options.batchSize));
    const batch = this.batch(epoch, b, Int32Array.from(indices));
    batch.catch(() => {}); // observed when awaited; a dropped warm batch fails silently (closed loader)
    return batch;
  }

  private async batch(epoch: number, b: number, indices: Int32Array): Promise<AugmentedBatch> {
    const per = this.exampleDims.reduce((p, q) => p * q, 1);
    const examples = await Promise.all(Array.from(indices, (index) => this.example(epoch, index)));
    const images = new Float32Array(indices.length * per);
    examples.forEach((e, i) => images.set(e, i * per));
    const labels = BigInt64Array.from(indices, (i) => BigInt(this.options.labels[i]!));
    const dims = [indices.length, ...this.exampleDims];
    const mix = this.options.mix;
    if (!mix) return { x: { dataType: DataType.FLOAT, dims, data: images }, labels: { dataType: DataType.INT64, dims: [indices.length], data: labels }, indices };
    const mixed = mixBatch(images, dims, labels, mix, augmentRandom(this.options.seed, epoch, b, 1));
    return { x: { dataType: DataType.FLOAT, dims, data: mixed.x }, labels: { dataType: DataType.FLOAT, dims: [indices.length, mix.classes], data: mixed.targets }, indices };
  }

  private example(epoch: number, index: number): Promise<Float32Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const task: AugmentTask = { id, source: this.options.sources[index]!, seed: this.options.seed, epoch, index };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage(task);
    });
  }

  private settle(reply: AugmentReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if ('error' in reply) p.reject(new AugmentError('worker', reply.error));
    else p.resolve(reply.data);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.failure ??= new AugmentError('worker', 'the loader was closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
