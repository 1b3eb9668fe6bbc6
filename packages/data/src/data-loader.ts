import type { TensorValue } from '@anneal/onnx';
import { DataError } from './errors.js';
import { datasetSize, subset, type ArrayDataset } from './array-dataset.js';
import { epochOrder } from './batches.js';

/** Options of `DataLoader`. */
export interface DataLoaderOptions {
  batchSize: number;
  /** Reshuffle every epoch from (seed, epoch); default false (rows in dataset order). */
  shuffle?: boolean;
  /** Shuffle seed (default 0). */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Batches gathered ahead of the consumer by `epoch()` (default 2; 0 gathers on demand). */
  prefetch?: number;
  /** Feed name of the features (default 'x'). */
  inputName?: string;
  /** Feed name of the labels (default 'labels'). */
  labelName?: string;
}

/** One batch as graph feeds: `{ [inputName]: x, [labelName]: y }`. */
export type BatchFeeds = Record<string, TensorValue>;

const where = 'DataLoader';

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Mini-batches of an in-memory dataset as graph feeds. The row order of epoch e depends only on
 * (seed, e), so `epoch(e, { from: k })` yields exactly batches k.. of an uninterrupted epoch e:
 * a resumed run sees the same data. `epoch()` gathers up to `prefetch` batches ahead, one per
 * macrotask, so gathering overlaps with an awaited `session.run` in the consumer.
 * @example
 * const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 1 });
 * for await (const feeds of loader.epoch(0)) await session.run(feeds);
 */
export class DataLoader {
  /** Number of examples in the dataset. */
  readonly size: number;
  /** Batches one epoch yields (the last partial batch counts unless dropLast). */
  readonly batchesPerEpoch: number;
  readonly batchSize: number;
  private readonly options: Required<Omit<DataLoaderOptions, 'batchSize'>>;

  constructor(
    readonly dataset: ArrayDataset,
    options: DataLoaderOptions,
  ) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DataError(where, `batchSize must be a positive integer, got ${batchSize}`);
    this.size = datasetSize(dataset);
    if (this.size === 0) throw new DataError(where, 'dataset is empty; a loader needs at least one example');
    this.options = { shuffle: false, seed: 0, dropLast: false, prefetch: 2, inputName: 'x', labelName: 'labels', ...options };
    const { prefetch, dropLast, inputName, labelName } = this.options;
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new DataError(where, `prefetch must be a whole number >= 0, got ${prefetch}`);
    if (inputName === labelName) throw new DataError(where, `inputName and labelName are both '${inputName}'; the two feeds need different names`);
    if (dropLast && batchSize > this.size) {
      throw new DataError(where, `batchSize ${batchSize} is larger than the dataset (${this.size} examples) and dropLast is set, so no batch would be produced; lower batchSize or unset dropLast`);
    }
    this.batchSize = batchSize;
    this.batchesPerEpoch = dropLast ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
  }

  /** Row indices of an epoch in the order they are batched. */
  order(epoch: number): Int32Array {
    if (!Number.isInteger(epoch) || epoch < 0) throw new DataError(where, `epoch must be a whole number >= 0, got ${epoch}`);
    return epochOrder(this.size, { shuffle: this.options.shuffle, seed: this.options.seed, epoch });
  }

  private checkFrom(from: number): void {
    if (!Number.isInteger(from) || from < 0 || from > this.batchesPerEpoch) {
      throw new DataError(where, `from must be a batch index in [0, ${this.batchesPerEpoch}], got ${from}`);
    }
  }

  private gather(order: Int32Array, batch: number): BatchFeeds {
    const start = batch * this.batchSize;
    const rows = subset(this.dataset, order.subarray(start, Math.min(this.size, start + this.batchSize)));
    return { [this.options.inputName]: rows.x, [this.options.labelName]: rows.y };
  }

  /**
   * The batches of one epoch, synchronously, starting at batch `from`.
   * @example for (const feeds of loader.epochBatches(3)) trainStep(feeds);
   */
  *epochBatches(epoch: number, from = 0): Generator<BatchFeeds> {
    const order = this.order(epoch);
    this.checkFrom(from);
    for (let b = from; b < this.batchesPerEpoch; b++) yield this.gather(order, b);
  }

  /**
   * The batches of one epoch with prefetching, starting at batch `options.from` (default 0).
   * @example for await (const feeds of loader.epoch(2, { from: 5 })) await step(feeds);
   */
  async *epoch(epoch: number, options: { from?: number } = {}): AsyncIterableIterator<BatchFeeds> {
    const order = this.order(epoch);
    const from = options.from ?? 0;
    this.checkFrom(from);
    const pending: Promise<BatchFeeds>[] = [];
    let next = from;
    const schedule = () => {
      const b = next++;
      const p = nextMacrotask().then(() => this.gather(order, b));
      p.catch(() => undefined); // a batch gathered ahead but never awaited must not raise unhandled
      pending.push(p);
    };
    for (;;) {
      if (pending.length === 0) {
        if (next >= this.batchesPerEpoch) return;
        schedule();
      }
      const feeds = await pending.shift()!;
      while (next < this.batchesPerEpoch && pending.length < this.options.prefetch) schedule();
      yield feeds;
    }
  }
}
